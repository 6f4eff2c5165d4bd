"""Columnar 835 reading, first stage: segments and loop keys as one Polars frame.

Not yet wired behind :func:`medbill.batch.remittance_tables` (that still reads through
:func:`medbill.x12.iter_835`); this stage is what the later pivots into the five tables
build on. Each file's delimiters come from its ISA header, which X12 fixes at 106
characters: element separator at offset 3, repetition separator ISA11 at offset 82,
component separator ISA16 at offset 104, segment terminator at offset 105 (ASC X12
005010 control segments, ISA). The text is split on the terminator with Arrow string
kernels, each segment on the element separator, and the loop keys are cumulative sums
over marker segments (005010X221A1 loops: ST opens a transaction set, CLP loop 2100
a claim, SVC loop 2110 a service line), so no Python loop runs per segment.

Files whose header cannot be read this way are reported in ``unreadable`` so that the
caller reads them with the object reader, which raises its exact error.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import attrs
import polars as pl
import pyarrow as pa

from medbill.batch._tables import ENGINE

__all__ = ["Delimiters", "SegmentFrame", "delimiters", "segment_frame"]

_BLANK = " \t\r\n\ufeff"  # as medbill.x12._tokenizer strips around segments
_ISA_LENGTH = 106  # ISA01..ISA16 with their separators and the terminator (X12 ISA)


@attrs.frozen
class Delimiters:
    element: str
    repetition: str
    component: str
    segment: str


def delimiters(text: str) -> Delimiters | None:
    """The delimiters of an interchange from its fixed-width ISA, or None when the text
    does not start with a well-formed ISA (the object reader then explains why)."""
    start = text.find("ISA")
    if start < 0 or text[:start].strip() or len(text) < start + _ISA_LENGTH:
        return None
    isa = text[start : start + _ISA_LENGTH]
    element = isa[3]
    found = Delimiters(element, isa[82], isa[104], isa[105])
    if isa.count(element) != 16 or element.isalnum() or found.segment.isalnum():
        return None
    if len({found.element, found.component, found.segment}) != 3:
        return None
    return found


@attrs.frozen
class SegmentFrame:
    """Segments of the readable files, one row each, in file order, with columns
    ``file`` (index into the inputs), ``position`` (segment's place in the file, from 1),
    ``segment_id``, ``elements`` (list of strings, the id first), ``set_number`` (ST
    count in the file; 0 before the first ST), ``claim_number`` (CLP count in the set;
    0 in the header), ``line_number`` (SVC count in the claim; 0 at claim level)."""

    frame: pl.DataFrame
    unreadable: tuple[int, ...]


def segment_frame(texts: Sequence[str]) -> SegmentFrame:
    """Split ``texts`` (whole interchanges) into the keyed segment frame."""
    groups: dict[Delimiters, list[int]] = {}
    unreadable = []
    for index, text in enumerate(texts):
        found = delimiters(text)
        if found is None:
            unreadable.append(index)
        else:
            groups.setdefault(found, []).append(index)
    frames = []
    for found, indexes in groups.items():
        raw = pl.DataFrame(
            {"file": indexes, "text": [texts[i] for i in indexes]},
            schema={"file": pl.Int32, "text": pl.String},
        )
        frame = (
            raw.select(pl.col("file"), pl.col("text").str.split(found.segment).alias("segment"))
            .explode("segment")
            # blanks around a segment (line breaks, indentation) are not part of it: the
            # tokenizer strips the same characters (medbill.x12._tokenizer._BLANK)
            .with_columns(pl.col("segment").str.strip_chars(_BLANK))
            .filter(pl.col("segment").str.len_bytes() > 0)
            .with_columns(pl.col("segment").str.split(found.element).alias("elements"))
            .select(
                "file",
                pl.int_range(1, pl.len() + 1, dtype=pl.Int32).alias("position"),
                pl.col("elements").list.first().alias("segment_id"),
                "elements",
                pl.col("segment").alias("text"),
            )
        )
        frames.append(frame)
    if frames:
        # one group is in file order already; several are merged back into it
        frame = (
            frames[0] if len(frames) == 1 else pl.concat(frames).sort("file", maintain_order=True)
        )
        first = pl.col("file") != pl.col("file").shift(1)
        row = pl.int_range(1, pl.len() + 1, dtype=pl.Int32)
        frame = frame.with_columns(
            (row - pl.when(first.fill_null(True)).then(row - 1).forward_fill()).alias("position")
        )
    else:
        frame = pl.DataFrame(
            schema={
                "file": pl.Int32,
                "position": pl.Int32,
                "segment_id": pl.String,
                "elements": pl.List(pl.String),
                "text": pl.String,
            }
        )
    # Keys without group-by windows: a running count over the whole frame minus its value
    # where the enclosing loop opened (forward-filled from the opening row); files, sets
    # and claims are contiguous runs of rows, so this equals a count restarted per loop.
    sid = pl.col("segment_id")
    file_start = pl.col("file") != pl.col("file").shift(1)
    frame = frame.with_columns(
        file_start.fill_null(True).alias("_file_start"),
        (sid == "ST").cast(pl.Int32).alias("_st"),
        (sid == "CLP").cast(pl.Int32).alias("_clp"),
        (sid == "SVC").cast(pl.Int32).alias("_svc"),
    )

    def restart(count: str, opener: pl.Expr) -> pl.Expr:
        running = pl.col(count).cum_sum()
        # the running count just before the opening row, carried down the loop
        base = pl.when(opener).then(running - pl.col(count)).forward_fill()
        return (running - base).cast(pl.Int32)

    frame = frame.with_columns(restart("_st", pl.col("_file_start")).alias("set_number"))
    set_start = pl.col("_file_start") | (pl.col("_st") == 1)
    frame = frame.with_columns(
        pl.when(pl.col("set_number") == 0)
        .then(0)
        .otherwise(restart("_clp", set_start))
        .cast(pl.Int32)
        .alias("claim_number")
    )
    # PLB (provider adjustments) and the set trailer follow the last claim but are not in
    # it; LX/TS3/TS2 open the next header-number loop 2000, before its first CLP
    outside = sid.is_in(["PLB", "SE", "GE", "IEA", "ST", "GS", "ISA", "LX", "TS3", "TS2"])
    claim_start = set_start | (pl.col("_clp") == 1)
    frame = frame.with_columns(
        pl.when(outside)
        .then(0)
        .otherwise(pl.col("claim_number"))
        .cast(pl.Int32)
        .alias("claim_number"),
        pl.when(outside | (pl.col("claim_number") == 0))
        .then(0)
        .otherwise(restart("_svc", claim_start))
        .cast(pl.Int32)
        .alias("line_number"),
    ).drop("_file_start", "_st", "_clp", "_svc")
    return SegmentFrame(frame=frame, unreadable=tuple(unreadable))


# --------------------------------------------------------------------------------------
# Stages 2 and 3: from the segment frame to the five tables, for the files whose every
# segment has a shape this reader handles with certainty; the others are left to the
# object reader (``fallback``), which raises or warns exactly as read_835 does.
# --------------------------------------------------------------------------------------

# segment ids that close the claim being read (medbill.x12._reader835._CLOSES_CLAIM)
_CLOSERS = ("CLP", "PLB", "LX", "TS3", "TS2")
_CLAIM_SEGMENTS = ("CLP", "CAS", "NM1", "MIA", "MOA", "DTM", "AMT", "QTY", "REF", "SVC", "LQ")
_CLAIM_DATES = ("036", "050", "232", "233")
_LINE_DATES = ("472", "150", "151")
_NM1_ROLES = ("QC", "IL", "74", "82", "TT", "PR", "GB")
_MONEY = r"-?[0-9]{1,14}(?:\.[0-9]{1,2})?"  # at most 18 characters, two places
_QUANTITY = r"-?[0-9]{1,8}(?:\.[0-9]{1,3})?"  # fits Decimal128(12, 3)


@attrs.frozen
class ColumnarTables:
    """The tables of the files read here (each with a leading ``_file`` column, the
    file's index among the inputs) and the indexes of the files left to the object reader."""

    tables: dict[str, pa.Table]
    fallback: frozenset[int]


def _hex(characters: str) -> str:
    return "".join(f"\\x{{{ord(c):x}}}" for c in characters)


class _Shapes:
    """The whitelist: one anchored regular expression per segment id (Rust regex syntax),
    for the delimiters of a group of files. Element lengths stay within the guide's
    maxima (medbill.x12._limits), money within 18 characters and two places, text within
    printable ASCII without delimiters."""

    def __init__(self, found: Delimiters) -> None:
        from medbill._payment import PayerClaimStatus
        from medbill.x12._limits import ELEMENT_LIMITS

        e = _hex(found.element)
        c = _hex(found.component)
        text = f"[\\x20-\\x7e--[{_hex(found.element + found.component + found.segment + found.repetition)}]]"
        visible = f"[\\x21-\\x7e--[{_hex(found.element + found.component + found.segment + found.repetition)}]]"
        m, q = _MONEY, _QUANTITY

        def chain(limits: Sequence[int], tail: str = "") -> str:
            """Optional trailing elements, each at most its limit long (then ``tail``)."""
            out = tail
            for limit in reversed(limits):
                out = f"(?:{e}{text}{{0,{limit}}}{out})?"
            return out

        statuses = "|".join(member.value for member in PayerClaimStatus)
        clp = ELEMENT_LIMITS["CLP"]
        nm1 = ELEMENT_LIMITS["NM1"]
        composite = f"(?:HC|NU){c}[A-Z0-9]{{1,48}}(?:{c}[A-Z0-9]{{2}}){{0,4}}"
        self.patterns = {
            "CLP": f"^CLP{e}{visible}{text}{{0,{clp[0] - 1}}}{e}(?:{statuses}){e}{m}{e}{m}"
            f"(?:{e}(?:{m})?{chain(clp[5:9], f'(?:{e}{text}{{0,30}}){{0,5}}')})?$",
            "CAS": f"^CAS{e}(?:CO|OA|PI|PR){e}[A-Z0-9]{{1,5}}{e}{m}"
            f"(?:{e}(?:{q})?{e}[A-Z0-9]{{1,5}}{e}{m}){{0,5}}(?:{e}(?:{q})?)?$",
            "NM1": f"^NM1{e}(?:{'|'.join(_NM1_ROLES)}){chain(nm1[1:12])}$",
            "MOA": f"^MOA(?:{e}{text}{{0,15}}){{0,9}}$",
            "MIA": f"^MIA(?:{e}{text}{{0,15}}){{0,24}}$",
            "DTM": f"^DTM{e}(?:{'|'.join(_CLAIM_DATES + _LINE_DATES)}){e}[0-9]{{8}}$",
            "AMT": f"^AMT{e}[A-Z0-9]{{1,3}}{e}{m}$",
            "QTY": f"^QTY{e}[A-Z0-9]{{1,2}}{e}{q}$",
            "REF": f"^REF{e}[A-Z0-9]{{1,3}}{e}{visible}{text}{{0,49}}$",
            "LQ": f"^LQ{e}(?:HE|RX){e}{visible}{{1,30}}$",
            "SVC": f"^SVC{e}{composite}{e}{m}{e}{m}"
            f"(?:{e}(?:[0-9]{{3,4}})?(?:{e}(?:{q})?(?:{e}(?:{composite})?(?:{e}(?:{q})?)?)?)?)?$",
        }

    def matches(self) -> pl.Expr:
        """Whether each row's text has one of the shapes (one pass of one regex: each
        pattern opens with its segment id)."""
        combined = "|".join(f"(?:{p[1:-1]})" for p in self.patterns.values())
        return pl.col("text").str.contains(f"^(?:{combined})$")


def _el(position: int) -> pl.Expr:
    return pl.col("elements").list.get(position, null_on_oob=True)


def _blank_null(expr: pl.Expr) -> pl.Expr:
    return pl.when(expr == "").then(None).otherwise(expr)


def _scaled(expr: pl.Expr, places: int) -> pl.Expr:
    """An X12 decimal of the whitelisted shape (``-?digits(.digits)?``, at most ``places``
    places, at most 14 integer digits) as an Int64 count of ``10**-places``: Polars'
    decimal parser, exact on these shapes (no float), then the 128-bit integer."""
    return expr.cast(pl.Decimal(18, places)).to_physical().cast(pl.Int64)


def _checked(values: pl.Series, check: Any) -> set[str]:
    """The distinct values ``check`` refuses (a ValueError or MedbillError)."""
    from medbill._errors import MedbillError

    bad = set()
    for value in values.unique().to_list():
        if value is None:
            continue
        try:
            check(value)
        except (MedbillError, ValueError):
            bad.add(value)
    return bad


def columnar_tables(texts: Sequence[str | None], sources: Sequence[str]) -> ColumnarTables:
    """Stages 2 and 3 over ``texts`` (None: left to the object reader)."""
    readable = [i for i, t in enumerate(texts) if t is not None and _envelope_plain(t)]
    fallback = set(range(len(texts))) - set(readable)
    frames = segment_frame([texts[i] or "" for i in readable])
    fallback |= {readable[i] for i in frames.unreadable}
    by_delimiters: dict[Delimiters, list[int]] = {}
    for local, index in enumerate(readable):
        if local in frames.unreadable:
            continue
        found = delimiters(texts[index] or "")
        assert found is not None
        by_delimiters.setdefault(found, []).append(local)
    parts: list[dict[str, pa.Table]] = []
    for found, locals_ in by_delimiters.items():
        frame = frames.frame.filter(pl.col("file").is_in(locals_)).with_columns(
            pl.col("file").replace_strict(
                list(range(len(readable))), readable, return_dtype=pl.Int32
            )
        )
        tables, bad = _group_tables(frame, found, sources)
        fallback |= bad
        parts.append(tables)
    if not parts:
        return ColumnarTables(tables={}, fallback=frozenset(fallback))
    merged = {
        name: _drop_files(pa.concat_tables([p[name] for p in parts]), fallback) for name in parts[0]
    }
    return ColumnarTables(tables=merged, fallback=frozenset(fallback))


def _envelope_plain(text: str) -> bool:
    """Whether the text is one interchange whose delimiters the fixed-width ISA gives
    as the tokenizer reads them: no BOM or other blank before the ISA, a terminator
    that is not a blank, nothing after the IEA's terminator but blanks."""
    found = delimiters(text)
    if found is None or not text.startswith("ISA"):
        return False
    if found.segment in _BLANK or found.element in _BLANK or found.component in _BLANK:
        return False
    isa = text[:_ISA_LENGTH]
    if isa[103] != found.element or isa.split(found.element)[12] != "00501":
        return False
    if found.repetition in (found.component, found.element, found.segment, *_BLANK):
        return False
    return text.rstrip(_BLANK).endswith(found.segment)


def _group_tables(
    frame: pl.DataFrame, found: Delimiters, sources: Sequence[str]
) -> tuple[dict[str, pa.Table], set[int]]:
    sid = pl.col("segment_id")
    n = pl.len()
    # ---- envelope: ISA GS (ST ... SE)+ GE IEA, counts and control numbers agreeing
    frame = frame.with_columns(
        pl.int_range(0, n, dtype=pl.Int64).alias("_row"),
        (pl.col("file") != pl.col("file").shift(-1)).fill_null(True).alias("_last"),
    )
    envelope = frame.filter(sid.is_in(["ISA", "GS", "ST", "SE", "GE", "IEA"]) | pl.col("_last"))
    bad = _envelope_problems(envelope, frame)
    # ---- zones: the last closer before each row of a set ("" before the first); the
    # frame is never filtered whole (that would copy its lists): flags are selected
    # with the file alone, and one partition splits it by kind
    in_set = (pl.col("set_number") > 0) & ~sid.is_in(["ST", "SE", "GE", "IEA"])
    set_start = (pl.col("file") != pl.col("file").shift(1)) | (
        pl.col("set_number") != pl.col("set_number").shift(1)
    )
    frame = frame.with_columns(
        pl.when(sid.is_in(list(_CLOSERS)))
        .then(sid)
        .when(set_start.fill_null(True))
        .then(pl.lit(""))
        .forward_fill()
        .alias("_zone")
    )
    in_claim = (pl.col("_zone") == "CLP") & in_set
    shapes = _Shapes(found)
    frame = frame.with_columns(
        pl.when(in_claim)
        .then(sid)
        .when(in_set)
        .then(pl.lit("#head"))
        .otherwise(pl.lit("#env"))
        .alias("_kind"),
        pl.when(sid == "CLP").then(pl.col("_row")).forward_fill().alias("cid"),
        pl.when(sid == "SVC")
        .then(pl.col("_row"))
        .when(sid == "CLP")
        .then(pl.lit(-1, dtype=pl.Int64))
        .forward_fill()
        .alias("lid"),
        # claim and line indexes: the CLP (SVC) segments before the row, less one
        ((sid == "CLP").cum_sum() - 1).cast(pl.Int64).alias("_ci"),
        ((sid == "SVC").cum_sum() - 1).cast(pl.Int64).alias("_li"),
    )
    flagged = frame.select(
        "file",
        (
            # segments after PLB or LX/TS3/TS2 (but the next CLP) belong to no claim: only
            # their own kind may follow without a CLP
            in_set
            & (
                (pl.col("_zone") == "PLB") & (sid != "PLB")
                | pl.col("_zone").is_in(["LX", "TS3", "TS2"]) & ~sid.is_in(["LX", "TS3", "TS2"])
            )
            # ---- claims: a whitelist of shapes and places
            | in_claim & ~shapes.matches()
        ).alias("_bad"),
    ).filter("_bad")
    bad |= set(flagged["file"].to_list())
    parts = {
        key[0]: part
        for key, part in frame.drop("text", "position", "_last")
        .partition_by("_kind", as_dict=True, include_key=False)
        .items()
    }
    header_rows = parts.pop("#head", None)
    parts.pop("#env", None)
    # the claim rows' kinds are their segment ids: the partitions are the claim segments
    empty = frame.drop("text", "position", "_last", "_kind").clear()
    if header_rows is None:
        header_rows = empty

    def part(segment_id: str) -> pl.DataFrame:
        return parts.get(segment_id, empty)

    line = pl.col("lid") >= 0
    q = _el(1)
    misplaced = [
        part("NM1").filter(line),
        part("MIA").filter(line),
        part("MOA").filter(line),
        part("LQ").filter(~line),
        part("DTM").filter(line & ~q.is_in(list(_LINE_DATES))),
        part("DTM").filter(~line & ~q.is_in(list(_CLAIM_DATES))),
    ]
    # single-use segments read once per claim or line (later ones would overwrite or,
    # for NM1/MIA/MOA, be refused)
    once = [
        part("NM1").select("file", pl.col("cid").alias("k"), q.alias("v")),
        part("MIA").select("file", pl.col("cid").alias("k"), pl.lit("").alias("v")),
        part("MOA").select("file", pl.col("cid").alias("k"), pl.lit("").alias("v")),
        part("DTM")
        .filter(~line & (q != "036"))
        .select("file", pl.col("cid").alias("k"), q.alias("v")),
        part("DTM")
        .filter(line & (q != "151"))
        .select("file", pl.col("lid").alias("k"), pl.lit("").alias("v")),
        part("REF")
        .filter(line & (q == "6R"))
        .select("file", pl.col("lid").alias("k"), q.alias("v")),
        part("AMT")
        .filter(line & (q == "B6"))
        .select("file", pl.col("lid").alias("k"), q.alias("v")),
    ]
    checks = [f.lazy().select("file") for f in misplaced] + [
        f.lazy().filter(pl.struct("k", "v").is_duplicated()).select("file") for f in once
    ]
    for found_files in pl.collect_all(checks, engine=ENGINE):
        bad |= set(found_files["file"].to_list())
    # codes and dates: each distinct value checked by the object reader's own types
    bad |= _bad_values(part, found)
    # ---- headers and trailers (BPR, TRN, N1 loops, LX/TS3, PLB): read with the object
    # reader's transaction reader, which sees the same segments in the same order
    counts = {(f, s): k for f, s, k in part("CLP").group_by("file", "set_number").len().iter_rows()}
    remittances, provider, header_bad = _headers(header_rows, envelope, found, sources, bad, counts)
    bad |= header_bad
    if bad:
        keep = ~pl.col("file").is_in(sorted(bad))
        parts = {key: value.filter(keep) for key, value in parts.items()}
        # the indexes count the kept claims and lines only
        kept_claims, kept_lines = part("CLP")["_ci"], part("SVC")["_li"]
        parts = {
            key: value.with_columns(
                kept_claims.search_sorted(value["_ci"]).cast(pl.Int64).alias("_ci"),
                kept_lines.search_sorted(value["_li"]).cast(pl.Int64).alias("_li"),
            )
            for key, value in parts.items()
        }
    tables = _claim_tables(part, found, remittances, sources)
    tables["remittances"] = remittances
    tables["provider_adjustments"] = provider
    return tables, bad


def _envelope_problems(envelope: pl.DataFrame, frame: pl.DataFrame) -> set[int]:
    bad: set[int] = set()
    rows = envelope.select("file", "position", "segment_id", "elements", "set_number", "_last")
    counts: dict[int, int] = {}
    state: dict[int, Any] = {}
    for file, position, segment_id, elements, _set, last in rows.iter_rows():
        if file in bad:
            continue
        st = state.setdefault(file, {"expect": "ISA", "sets": 0})
        ok = True
        if segment_id == "ISA":
            ok = position == 1 and st["expect"] == "ISA" and len(elements) == 17
            st["isa"] = elements
            st["expect"] = "GS"
        elif segment_id == "GS":
            ok = (
                st["expect"] == "GS"
                and len(elements) == 9
                and elements[1] == "HP"
                and elements[8].startswith("005010X221")
            )
            st["gs"] = elements
            st["expect"] = "ST"
        elif segment_id == "ST":
            ok = (
                st["expect"] in ("ST", "ST|GE")
                and len(elements) in (3, 4)
                and elements[1] == "835"
                and bool(elements[2])
                and (len(elements) == 3 or elements[3].startswith("005010X221"))
            )
            st["st"] = (elements, position)
            st["expect"] = "SE"
        elif segment_id == "SE":
            opened, start = st.get("st", (None, 0))
            ok = (
                st["expect"] == "SE"
                and len(elements) == 3
                and elements[1].isascii()
                and elements[1].isdigit()
                and len(elements[1]) <= 10
                and int(elements[1]) == position - start + 1
                and opened is not None
                and elements[2] == opened[2]
            )
            st["sets"] += 1
            st["expect"] = "ST|GE"
        elif segment_id == "GE":
            gs = st.get("gs")
            ok = (
                st["expect"] == "ST|GE"
                and len(elements) == 3
                and elements[1].isascii()
                and elements[1].isdigit()
                and len(elements[1]) <= 6
                and int(elements[1]) == st["sets"]
                and gs is not None
                and (elements[2].strip().lstrip("0") or "0") == (gs[6].strip().lstrip("0") or "0")
            )
            st["expect"] = "IEA"
        elif segment_id == "IEA":
            isa = st.get("isa")
            ok = (
                st["expect"] == "IEA"
                and len(elements) == 3
                and elements[1] == "1"
                and isa is not None
                and elements[2] == isa[13]
                and bool(last)
            )
            st["expect"] = "end"
        if last and segment_id != "IEA":
            ok = False
        if not ok:
            bad.add(file)
        counts[file] = counts.get(file, 0) + 1
    for file, st in state.items():
        if st["expect"] != "end":
            bad.add(file)
    # every segment between the envelopes is inside a transaction set
    narrow = frame.select("file", "set_number", "segment_id")  # no copies of the lists
    outside = narrow.filter(
        (pl.col("set_number") == 0) & ~pl.col("segment_id").is_in(["ISA", "GS"])
    )
    bad |= set(outside["file"].to_list())
    # a segment after its set's SE and before the next ST or the GE (the file's SE and
    # ST counts are equal there)
    closed = (pl.col("segment_id") == "SE").cast(pl.Int32).cum_sum().over("file")
    opened = (pl.col("segment_id") == "ST").cast(pl.Int32).cum_sum().over("file")
    after = narrow.filter(
        (closed == opened) & ~pl.col("segment_id").is_in(["SE", "GE", "IEA", "ISA", "GS"])
    )
    bad |= set(after["file"].to_list())
    return bad


def _revenue(code: pl.Expr) -> pl.Expr:
    # NUBC revenue codes are 4 digits; a dropped leading zero is restored (as _reader835)
    return pl.when(code.str.contains(r"^[0-9]{3}$")).then("0" + code).otherwise(code)


def _bad_values(part: Callable[[str], pl.DataFrame], found: Delimiters) -> set[int]:
    """Files holding a code or date the object reader's types refuse, or one they would
    write differently from how it was sent."""
    import pendulum

    from medbill.codes import Carc, Modifier, ProcedureCode, Rarc, RevenueCode

    def same(kind: Any) -> Any:
        def check(value: str) -> None:
            if str(kind(value)) != value:
                raise ValueError(value)

        return check

    def date(value: str) -> None:
        pendulum.date(int(value[:4]), int(value[4:6]), int(value[6:]))

    c = found.component
    svc = part("SVC").select(
        "file",
        _el(1).str.split(c).alias("p1"),
        _el(6).str.split(c).alias("p6"),
        _blank_null(_el(4)).alias("r4"),
    )
    values: list[tuple[pl.DataFrame, Any]] = [
        (part("DTM").select("file", _el(2).alias("v")), date),
        (
            pl.concat(
                [part("CAS").select("file", _el(p).alias("v")) for p in (2, 5, 8, 11, 14, 17)]
            ),
            same(Carc),
        ),
        (
            pl.concat(
                [
                    part("LQ").filter(_el(1) == "HE").select("file", _el(2).alias("v")),
                    *(part("MOA").select("file", _el(p).alias("v")) for p in (3, 4, 5, 6, 7)),
                    *(part("MIA").select("file", _el(p).alias("v")) for p in (5, 20, 21, 22, 23)),
                ]
            ).filter(pl.col("v") != ""),
            same(Rarc),
        ),
        (
            pl.concat(
                [
                    svc.filter(pl.col(k).list.get(0, null_on_oob=True) == "HC").select(
                        "file", pl.col(k).list.get(1, null_on_oob=True).alias("v")
                    )
                    for k in ("p1", "p6")
                ]
            ),
            same(ProcedureCode),
        ),
        (
            pl.concat(
                [
                    svc.filter(pl.col("p1").list.get(0, null_on_oob=True) == "NU").select(
                        "file", _revenue(pl.col("p1").list.get(1, null_on_oob=True)).alias("v")
                    ),
                    svc.select("file", _revenue(pl.col("r4")).alias("v")),
                ]
            ),
            same(RevenueCode),
        ),
        (
            pl.concat(
                [
                    svc.select("file", pl.col(k).list.slice(2).alias("v")).explode("v")
                    for k in ("p1", "p6")
                ]
            ),
            same(Modifier),
        ),
    ]
    bad: set[int] = set()
    for frame, check in values:
        frame = frame.filter(pl.col("v").is_not_null())
        refused = _checked(frame["v"], check)
        if refused:
            bad |= set(frame.filter(pl.col("v").is_in(sorted(refused)))["file"].to_list())
    return bad


class _Raw:
    """What medbill.x12._reader835's transaction reader reads of a streamed set."""

    def __init__(
        self, st: list[str], number: int, gs: list[str], isa: list[str], found: Delimiters,
        segments: list[list[str]],
    ) -> None:  # fmt: skip
        from medbill.x12._tokenizer import Delimiters as X12Delimiters

        self.id = st[1]
        self.control_number = st[2]
        self.implementation = (st[3] if len(st) > 3 else "") or gs[8]
        self.first_number = number + 1
        self.delimiters = X12Delimiters(
            element=found.element,
            component=found.component,
            repetition=found.repetition,
            segment=found.segment,
        )
        self.isa = isa
        self.gs = gs
        self.batches = iter([segments])


def _headers(
    frame: pl.DataFrame,
    envelope: pl.DataFrame,
    found: Delimiters,
    sources: Sequence[str],
    bad: set[int],
    counts: dict[tuple[int, int], int],
) -> tuple[pa.Table, pa.Table, set[int]]:
    """The remittances and provider adjustments of each set, from its segments outside
    the claims, read by the object reader's transaction reader: any error or warning
    sends the file to the object reader."""
    import warnings

    from medbill._errors import MedbillError
    from medbill.batch._remittance import (
        PROVIDER_ADJUSTMENTS,
        REMITTANCES,
        _Columns,
        provider_adjustment_rows,
        remittance_values,
    )
    from medbill.x12._reader835 import _Codes, _TransactionReader
    from medbill.x12._tokenizer import Lenience

    remittances = _Columns(_with_file(REMITTANCES))
    provider = _Columns(_with_file(PROVIDER_ADJUSTMENTS))
    newly: set[int] = set()
    keep = ~pl.col("file").is_in(sorted(bad))
    segments: dict[tuple[int, int], list[list[str]]] = {}
    for file, number, elements in (
        frame.filter(keep).select("file", "set_number", "elements").iter_rows()
    ):
        segments.setdefault((file, number), []).append(elements)
    heads: dict[int, dict[str, list[str]]] = {}
    opened: dict[tuple[int, int], tuple[list[str], int]] = {}
    for file, position, segment_id, elements, number in (
        envelope.filter(keep & pl.col("segment_id").is_in(["ISA", "GS", "ST"]))
        .select("file", "position", "segment_id", "elements", "set_number")
        .iter_rows()
    ):
        if segment_id == "ST":
            opened[(file, number)] = (elements, position)
        else:
            heads.setdefault(file, {})[segment_id] = elements
    codes = _Codes()
    for (file, number), (st, position) in sorted(opened.items()):
        if file in newly:
            continue
        head = heads[file]
        raw = _Raw(st, position, head["GS"], head["ISA"], found, segments.get((file, number), []))
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                reader = _TransactionReader(raw, codes, Lenience(True))  # type: ignore[arg-type]
                remittance = reader.read()
        except MedbillError:
            newly.add(file)
            continue
        if caught or remittance is None:
            newly.add(file)
            continue
        source = sources[file]
        remittances.add(
            file, source, number, *remittance_values(remittance), counts.get((file, number), 0)
        )
        for row in provider_adjustment_rows(remittance):
            provider.add(file, source, number, *row)
    gone = newly | bad
    return (
        _drop_files(remittances.table(), gone),
        _drop_files(provider.table(), gone),
        newly,
    )


def _with_file(schema: pa.Schema) -> pa.Schema:
    return pa.schema([pa.field("_file", pa.int32()), *schema])


def _drop_files(table: pa.Table, files: set[int]) -> pa.Table:
    if not files or table.num_rows == 0:
        return table
    import pyarrow.compute as pc

    mask = pc.invert(pc.is_in(table.column("_file"), value_set=pa.array(sorted(files), pa.int32())))
    return table.filter(mask)


def _decimal(series: pl.Series, kind: pa.DataType) -> pa.Array:
    """Int64 counts of ``10**-scale`` as an exact Arrow decimal (the integers' 128-bit
    values read with ``scale`` places: no multiplication, no float)."""
    array = series.cast(pl.Decimal(kind.precision, 0)).to_arrow()
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return pa.Array.from_buffers(kind, len(array), array.buffers(), array.null_count, array.offset)


def _arrow(
    frame: pl.DataFrame, schema: pa.Schema, built: dict[str, pa.Array] | None = None
) -> pa.Table:
    columns = []
    for field in schema:
        if built and field.name in built:
            columns.append(built[field.name])
            continue
        series = frame[field.name]
        if pa.types.is_decimal(field.type):
            columns.append(_decimal(series, field.type))
        else:
            array = series.to_arrow()
            if isinstance(array, pa.ChunkedArray):
                array = array.combine_chunks()
            columns.append(array.cast(field.type))
    return pa.Table.from_arrays(columns, schema=schema)


def _scatter(size: int, index: pl.Series, values: pl.Series) -> pl.Series:
    """A column of ``size`` nulls holding ``values`` at ``index`` (each index once)."""
    if size == 0:
        return pl.Series(values.name, [], dtype=values.dtype)
    out = pl.Series(values.name, [None], dtype=values.dtype).extend_constant(None, size - 1)
    return out.scatter(index, values)


def _lists(size: int, index: pl.Series, values: pl.Series) -> pa.Array:
    """``size`` lists of strings, the i-th holding the ``values`` whose ``index`` is i
    (``index`` ascending, so each list keeps the file order)."""
    counts = index.value_counts(name="n")
    per_row = _scatter(size, counts[index.name], counts["n"].cast(pl.Int32)).fill_null(0)
    offsets = pl.concat([pl.Series([0], dtype=pl.Int32), per_row.cum_sum()])
    strings = values.to_arrow()
    if isinstance(strings, pa.ChunkedArray):
        strings = strings.combine_chunks()
    return pa.ListArray.from_arrays(offsets.to_arrow(), strings.cast(pa.string()))


def _claim_tables(
    eager: Callable[[str], pl.DataFrame],
    found: Delimiters,
    remittances: pa.Table,
    sources: Sequence[str],
) -> dict[str, pa.Table]:
    """The claims, lines and adjustments tables. Rows are in file order, so a claim's
    (a line's) segments find their row by the claim (line) index ``_ci`` (``_li``), the
    count of CLP (SVC) segments before them: values are placed by position (each
    single-use value is known to be there once), not joined."""
    from medbill.batch._remittance import ADJUSTMENTS, CLAIMS, LINES
    from medbill.claims._check import PAYMENT_REDUCTIONS

    c = found.component
    line = pl.col("lid") >= 0
    q = _el(1)
    date = _el(2).str.to_date("%Y%m%d")
    clp, svc = eager("CLP"), eager("SVC")
    n_claims, n_lines = clp.height, svc.height
    source_of = pl.Series("source", list(sources), dtype=pl.String)

    def placed(segment_id: str, condition: pl.Expr, value: pl.Expr, key: str) -> pl.Series:
        picked = eager(segment_id).filter(condition).select(key, value.alias("v"))
        return _scatter(n_claims if key == "_ci" else n_lines, picked[key], picked["v"])

    # ---- claims
    heads = pl.from_arrow(
        remittances.select(["_file", "remittance_number", "remittance_id", "payer_id"])
    )
    assert isinstance(heads, pl.DataFrame)
    claims = clp.select(
        pl.col("file").alias("_file"),
        pl.col("set_number").alias("remittance_number"),
        "claim_number",
        _el(1).alias("claim_id"),
        _el(2).alias("status"),
        _scaled(_el(3), 2).alias("charge"),
        _scaled(_el(4), 2).alias("paid"),
        _scaled(_blank_null(_el(5)).fill_null("0"), 2).alias("patient_responsibility"),
        pl.lit(None, dtype=pl.Int64).alias("allowed"),
        _blank_null(_el(7)).alias("payer_claim_control_number"),
        _blank_null(_el(6)).alias("filing_indicator"),
        _blank_null(_el(8)).alias("facility_code"),
        _blank_null(_el(9)).alias("frequency"),
    ).join(
        heads.select(
            "_file",
            pl.col("remittance_number").cast(pl.Int32),
            "remittance_id",
            "payer_id",
        ),
        on=["_file", "remittance_number"],
        how="left",
        maintain_order="left",
    )
    per_claim = svc.group_by("_ci").len()
    claims = claims.with_columns(
        *(
            placed("DTM", ~line & (q == qualifier), date, "_ci").alias(name)
            for qualifier, name in (
                ("232", "statement_start"),
                ("233", "statement_end"),
                ("050", "received_date"),
            )
        ),
        _scatter(n_claims, per_claim["_ci"], per_claim["len"].cast(pl.Int32))
        .fill_null(0)
        .alias("line_count"),
        source_of.gather(claims["_file"]).alias("source"),
    )
    # ---- adjustments: one row per CAS triplet, in file order
    cas = eager("CAS")
    triplets = (
        cas.select(
            "_ci",
            "_li",
            line.alias("_line"),
            pl.when(line).then(pl.col("lid")).otherwise(pl.col("cid")).alias("_owner"),
            "line_number",
            "elements",
            pl.int_ranges(0, (pl.col("elements").list.len() - 1) // 3, dtype=pl.Int32).alias("_k"),
        )
        .explode("_k")
        .select(
            "_ci",
            "_li",
            "_line",
            "_owner",
            "line_number",
            _el(1).alias("group"),
            pl.col("elements").list.get(2 + 3 * pl.col("_k")).alias("reason"),
            _scaled(pl.col("elements").list.get(3 + 3 * pl.col("_k")), 2).alias("amount"),
            _scaled(
                _blank_null(pl.col("elements").list.get(4 + 3 * pl.col("_k"), null_on_oob=True)),
                3,
            ).alias("quantity"),
        )
    )
    index = pl.int_range(0, pl.len(), dtype=pl.Int32)
    opens = (pl.col("_owner") != pl.col("_owner").shift(1)).fill_null(True)
    gather = claims.select("_file", "remittance_number", "claim_number", "claim_id", "source")
    adjustments = pl.concat(
        [
            gather[triplets["_ci"]],
            triplets.select(
                pl.when("_line").then(pl.col("line_number")).alias("line_number"),
                (index - pl.when(opens).then(index).forward_fill() + 1).alias("adjustment_number"),
                "group",
                "reason",
                "amount",
                "quantity",
            ),
        ],
        how="horizontal",
    )
    group, reason, amount = pl.col("group"), pl.col("reason"), pl.col("amount")
    zero = pl.lit(0, dtype=pl.Int64)
    on_lines = triplets.filter("_line")
    sums = on_lines.group_by("_li").agg(
        amount.filter(group.is_in(["CO", "PI"]) & ~reason.is_in(sorted(PAYMENT_REDUCTIONS)))
        .sum()
        .alias("contractual"),
        amount.filter(group == "PR").sum().alias("patient_responsibility"),
        amount.filter((group == "PR") & (reason == "2")).sum().alias("coinsurance"),
        amount.filter((group == "PR") & reason.is_in(["1", "3"]))
        .sum()
        .alias("deductible_and_copay"),
    )
    coded = on_lines.filter(amount > 0).select("_li", (group + "-" + reason).alias("code"))
    remarks = eager("LQ").filter(line & (q == "HE")).select("_li", _el(2).alias("v"))
    # ---- lines
    lines = svc.select(
        "line_number",
        _el(1).str.split(c).alias("p1"),
        _el(6).str.split(c).alias("p6"),
        _blank_null(_el(4)).alias("r4"),
        _scaled(_el(2), 2).alias("charge"),
        _scaled(_el(3), 2).alias("paid"),
        _scaled(_blank_null(_el(5)), 3).alias("units_paid"),
        _scaled(_blank_null(_el(7)), 3).alias("units_billed"),
    )
    qualifier, code = pl.col("p1").list.get(0), pl.col("p1").list.get(1)
    owners = claims.select(
        "_file", "source", "remittance_number", "claim_number", "payer_id", "claim_id",
        "statement_start",
    )[svc["_ci"]]  # fmt: skip
    lines = (
        pl.concat(
            [
                owners,
                lines.select(
                    "line_number",
                    pl.when(qualifier == "HC").then(code).alias("procedure"),
                    *(
                        pl.col("p1").list.get(2 + i, null_on_oob=True).alias(f"modifier_{i + 1}")
                        for i in range(4)
                    ),
                    pl.when(pl.col("p6").list.get(0, null_on_oob=True) == "HC")
                    .then(pl.col("p6").list.get(1, null_on_oob=True))
                    .alias("submitted_procedure"),
                    pl.when(pl.col("r4").is_not_null())
                    .then(_revenue(pl.col("r4")))
                    .when(qualifier == "NU")
                    .then(_revenue(code))
                    .alias("revenue_code"),
                    pl.coalesce("units_billed", "units_paid").alias("units"),
                    "units_paid",
                    "charge",
                    "paid",
                ),
            ],
            how="horizontal",
        )
        .with_columns(
            placed("REF", line & (q == "6R"), _el(2), "_li").alias("line_id"),
            placed("AMT", line & (q == "B6"), _scaled(_el(2), 2), "_li").alias("allowed"),
            placed("DTM", line & q.is_in(["472", "150"]), date, "_li").alias("service_date"),
            *(
                _scatter(n_lines, sums["_li"], sums[name]).fill_null(zero).alias(name)
                for name in (
                    "contractual",
                    "patient_responsibility",
                    "coinsurance",
                    "deductible_and_copay",
                )
            ),
        )
        .with_columns(pl.coalesce("service_date", "statement_start").alias("service_date"))
    )
    extra = {
        "remarks": _lists(n_lines, remarks["_li"], remarks["v"]),
        "adjustment_codes": _lists(n_lines, coded["_li"], coded["code"]),
    }
    return {
        "claims": _arrow(claims, _with_file(CLAIMS)),
        "lines": _arrow(lines, _with_file(LINES), extra),
        "adjustments": _arrow(adjustments, _with_file(ADJUSTMENTS)),
    }
