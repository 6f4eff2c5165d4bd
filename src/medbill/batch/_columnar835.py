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

import re
import warnings
from collections.abc import Callable, Sequence
from typing import Any, Final, TypeVar, cast

import attrs
import polars as pl
import pyarrow as pa

from medbill.batch._tables import ENGINE

__all__ = ["Delimiters", "SegmentFrame", "delimiters", "segment_frame"]

_VERSIONS = {"00501": "005010X221", "00401": "004010X091"}  # ISA12: the guide (GS08)
_BLANK = " \t\r\n\ufeff"  # as medbill.x12._tokenizer strips around segments
_ISA_LENGTH = 106  # ISA01..ISA16 with their separators and the terminator (X12 ISA)


@attrs.frozen
class Delimiters:
    """An interchange's delimiters and its ISA12 version (``00501``, ``00401``...).

    ``repetition`` is ISA11 from version 00501 on and empty before it, where ISA11 is
    the standards identifier (as :func:`medbill.x12._tokenizer.read_isa` reads it)."""

    element: str
    repetition: str
    component: str
    segment: str
    version: str = "00501"


def delimiters(text: str) -> Delimiters | None:
    """The delimiters of an interchange from its fixed-width ISA, or None when the text
    does not start with a well-formed ISA (the object reader then explains why)."""
    start = text.find("ISA")
    if start < 0 or text[:start].strip() or len(text) < start + _ISA_LENGTH:
        return None
    isa = text[start : start + _ISA_LENGTH]
    element = isa[3]
    version = isa[84:89]
    repetition = isa[82] if version >= "00501" else ""
    found = Delimiters(element, repetition, isa[104], isa[105], version)
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


def segment_frame(texts: Sequence[str], *, loops: bool = True) -> SegmentFrame:
    """Split ``texts`` (whole interchanges) into the keyed segment frame (without
    ``claim_number`` and ``line_number`` when ``loops`` is false: the tables stage counts
    those on the claim and line rows alone)."""
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
    if not loops:
        frame = frame.drop("_file_start", "_st", "_clp", "_svc")
        return SegmentFrame(frame=frame, unreadable=tuple(unreadable))
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


# Segment ids the stages below route on, as small codes (0: any other id). The code comes
# from the segment's first three characters and the first element separator: an id of
# three characters must be followed by the separator or end the segment, one of two
# characters is followed by it (ids are never empty, and no id holds the separator).
_IDS = ("ISA", "GS", "ST", "SE", "GE", "IEA", "CLP", "SVC", "CAS", "DTM", "REF", "AMT",
        "NM1", "LQ", "MIA", "MOA", "QTY", "PLB", "LX", "TS3", "TS2")  # fmt: skip
_CODE = {segment_id: number for number, segment_id in enumerate(_IDS, start=1)}
_ENVELOPE = (_CODE["ISA"], _CODE["IEA"])  # ISA GS ST SE GE IEA: the codes 1..6


def _code(segment_id: str) -> pl.Expr:
    return pl.lit(_CODE[segment_id], dtype=pl.Int8)


def _is(*segment_ids: str) -> pl.Expr:
    """Whether the row's segment is one of ``segment_ids`` (by code: integer compares)."""
    codes = [_CODE[s] for s in segment_ids]
    found = pl.col("code") == codes[0]
    for code in codes[1:]:
        found = found | (pl.col("code") == code)
    return found


def _envelope_code() -> pl.Expr:
    return pl.col("code").is_between(*_ENVELOPE)


def segment_rows(texts: Sequence[str], found: Delimiters) -> pl.DataFrame:
    """The segments of ``texts`` (whole interchanges with the delimiters ``found``), one
    row each, in file order, as text: ``file`` (index into ``texts``), ``position``
    (from 1), ``code`` (the segment id's code in ``_IDS``, 0 for another id), ``text``
    (the segment, without its terminator and the blanks around it) and ``set_number``
    (ST count in the file). Elements are split later, only on the rows that need them.

    Arrow's kernels split, trim and find here (several times faster than Polars' on
    these short strings)."""
    import pyarrow.compute as pc

    # each text without its last terminator and the blanks after it, where it ends so:
    # that empty segment is not split off, so that a text of no other empty segment
    # needs no filter below (the filter copies every segment)
    whole = pa.array([_without_last_terminator(t, found.segment) for t in texts], pa.large_string())
    split = pc.split_pattern(whole, found.segment)
    # blanks around a segment (line breaks, indentation) are not part of it: the
    # tokenizer strips the same characters (medbill.x12._tokenizer._BLANK); without a
    # byte order mark in the texts they are ASCII, which Arrow trims byte by byte (a
    # str holding only ASCII or Latin-1 characters answers ``in`` at once)
    flat = pc.list_flatten(split)
    if any("\ufeff" in t for t in texts):
        segments = pc.utf8_trim(flat, _BLANK)
    else:
        segments = pc.ascii_trim(flat, _BLANK.replace("\ufeff", ""))
    files = pc.list_parent_indices(split)
    nonempty = pc.greater(pc.binary_length(segments), 0)
    if not pc.all(nonempty).as_py():
        segments, files = segments.filter(nonempty), files.filter(nonempty)
    code = _codes_by_bytes(segments, found.element)
    if code is None:
        code = _codes_by_text(segments, found.element)
    frame = pl.DataFrame(
        {"file": files.cast(pa.int32()), "code": code, "text": segments.cast(pa.large_string())}
    )
    # Polars copied the text into its own buffers: Arrow's pool gives the temporaries'
    # memory back (else it holds it while the later stages allocate theirs)
    del whole, split, flat, segments, files, nonempty, code
    pa.default_memory_pool().release_unused()
    # each file's first row (files ascend): positions and set numbers restart there
    file = frame["file"]
    starts = file.search_sorted(pl.Series(range(len(texts)), dtype=pl.Int32), side="left")
    st = (frame["code"] == _CODE["ST"]).cast(pl.Int32)
    running = st.cum_sum()
    first = starts.cast(pl.Int32).gather(file)
    row = pl.int_range(0, frame.height, dtype=pl.Int32, eager=True)
    return frame.select("file").with_columns(
        (row - first + 1).alias("position"),
        frame["code"],
        frame["text"],
        # the running ST count, less the count before the file's first row
        (running - (running - st).gather(first)).alias("set_number"),
    )


def _codes_by_text(segments: pa.Array, element: str) -> pa.Array:
    """Each segment's id code (``_IDS``; 0 for another id), from its first three
    characters and the first ``element`` separator (Arrow's string kernels)."""
    import pyarrow.compute as pc

    # the candidates: each id, and each two-character id with the separator after it
    twos = [s for s in _IDS if len(s) == 2]
    ids = pa.array([*_IDS, *(s + element for s in twos)])
    codes = pa.array([*range(1, len(_IDS) + 1), *(_CODE[s] for s in twos)], pa.int8())
    three = pa.array([len(s) == 3 for s in _IDS] + [False] * len(twos))
    index = pc.index_in(pc.utf8_slice_codeunits(segments, 0, 3), value_set=ids)
    # a three-character id is followed by the separator, or is the whole segment
    separator = pc.find_substring(segments, element)
    exact = pc.or_(
        pc.equal(separator, 3),
        pc.and_(pc.equal(separator, -1), pc.equal(pc.binary_length(segments), 3)),
    )
    wrong = pc.and_(pc.take(three, index), pc.invert(exact))
    return pc.fill_null(pc.if_else(wrong, None, pc.take(codes, index)), 0)


def _codes_by_bytes(segments: pa.Array, element: str) -> pa.Array | None:
    """The codes of :func:`_codes_by_text` from the segments' first four bytes (numpy on
    Arrow's buffers: no strings sliced or hashed), or None without numpy or with a
    separator of more than one byte. The ids are ASCII, so a segment's first three
    characters are an id exactly when its first three bytes are: a three-character id
    is then followed by the separator (byte 3) or ends the segment (three bytes); a
    two-character id by the separator (byte 2) or ends it (two bytes)."""
    from medbill.batch._tables import has_numpy

    separator = element.encode("utf-8")
    if not has_numpy() or len(separator) != 1 or segments.null_count:
        return None
    import numpy

    np = cast(Any, numpy)
    texts = segments.cast(pa.large_string())
    count = len(texts)
    offsets = np.frombuffer(texts.buffers()[1], dtype=np.int64, count=texts.offset + count + 1)
    offsets = offsets[texts.offset :]
    data = texts.buffers()[2]
    if count == 0 or data is None or data.size == 0:
        return pa.array(np.zeros(count, dtype=np.int8), pa.int8())
    raw = np.frombuffer(data, dtype=np.uint8)
    start, length = offsets[:-1], np.diff(offsets)
    last = raw.size - 1
    byte = [
        np.where(length > k, raw[np.minimum(start + k, last)], 0).astype(np.int32) for k in range(4)
    ]
    sep = separator[0]

    def lookup(width: int, keys: Any) -> tuple[Any, Any]:
        known = sorted(
            (int.from_bytes(s.encode(), "big"), _CODE[s]) for s in _IDS if len(s) == width
        )
        table = np.array([k for k, _ in known], dtype=np.int32)
        found = np.minimum(np.searchsorted(table, keys), len(known) - 1)
        hit = table[found] == keys
        return hit, np.array([c for _, c in known], dtype=np.int8)[found]

    hit3, code3 = lookup(3, byte[0] << 16 | byte[1] << 8 | byte[2])
    hit3 &= (length == 3) | (byte[3] == sep)
    hit2, code2 = lookup(2, byte[0] << 8 | byte[1])
    hit2 &= (length == 2) | ((length >= 3) & (byte[2] == sep))
    code = np.where(hit3, code3, np.where(hit2, code2, 0)).astype(np.int8)
    return pa.array(code, pa.int8())


def _without_last_terminator(text: str, terminator: str) -> str:
    """``text`` without the blanks at its end and the terminator before them, when it
    ends so (else as it is): the same segments, less the empty one after the last."""
    end = len(text)
    while end and text[end - 1] in _BLANK:
        end -= 1
    if end and text[end - 1] == terminator:
        return text[: end - 1]
    return text


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
    file's index among the inputs), the indexes of the files left to the object reader,
    the warnings the object reader gives on each file read here (in file order, to be
    given again in the files' order among the inputs), and the transaction sets (file,
    set number) of those files that the object reader's transaction reader read whole
    because something in them is not in the whitelist."""

    tables: dict[str, pa.Table]
    fallback: frozenset[int]
    warnings: dict[int, list[warnings.WarningMessage]] = attrs.field(factory=dict)
    whole_sets: frozenset[tuple[int, int]] = frozenset()


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
        # CR (correction and reversal) is a 004010X091A1 group only
        groups = "CO|OA|PI|PR" + ("|CR" if found.version == "00401" else "")
        clp = ELEMENT_LIMITS["CLP"]
        nm1 = ELEMENT_LIMITS["NM1"]
        composite = f"(?:HC|NU){c}[A-Z0-9]{{1,48}}(?:{c}[A-Z0-9]{{2}}){{0,4}}"
        self.patterns = {
            "CLP": f"^CLP{e}{visible}{text}{{0,{clp[0] - 1}}}{e}(?:{statuses}){e}{m}{e}{m}"
            f"(?:{e}(?:{m})?{chain(clp[5:9], f'(?:{e}{text}{{0,30}}){{0,5}}')})?$",
            "CAS": f"^CAS{e}(?:{groups}){e}[A-Z0-9]{{1,5}}{e}{m}"
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


def columnar_tables(
    texts: Sequence[str | None], sources: Sequence[str], *, strict: bool = True
) -> ColumnarTables:
    """Stages 2 and 3 over ``texts`` (None: left to the object reader), read as
    :func:`medbill.x12.iter_835` reads them with ``strict``."""
    # a UTF-8 byte order mark before the ISA is a blank to the tokenizer, as to read_835
    texts = [t[1:] if t is not None and t.startswith("\ufeff") else t for t in texts]
    readable = [i for i, t in enumerate(texts) if t is not None and _envelope_plain(t)]
    fallback = set(range(len(texts))) - set(readable)
    by_delimiters: dict[Delimiters, list[int]] = {}
    for index in readable:
        found = delimiters(texts[index] or "")
        if found is None:  # pragma: no cover - _envelope_plain read the same ISA
            fallback.add(index)
        else:
            by_delimiters.setdefault(found, []).append(index)
    parts: list[dict[str, pa.Table]] = []
    caught: dict[int, list[warnings.WarningMessage]] = {}
    whole: set[tuple[int, int]] = set()
    for found, indexes in by_delimiters.items():
        # one frame per group of delimiters, its files numbered as among the inputs
        frame = segment_rows([texts[i] or "" for i in indexes], found)
        frame = frame.with_columns(
            pl.lit(pl.Series(indexes, dtype=pl.Int32)).gather(pl.col("file")).alias("file")
        )
        tables, bad, read_whole = _group_tables(frame, found, sources, strict, caught)
        fallback |= bad
        whole |= read_whole
        parts.append(tables)
    kept = {file: found for file, found in caught.items() if file not in fallback and found}
    if not parts:
        return ColumnarTables(tables={}, fallback=frozenset(fallback))
    merged = {}
    for name in parts[0]:
        table = _drop_files(pa.concat_tables([p[name] for p in parts]), fallback)
        if len(parts) > 1 and table.num_rows:
            # each group's rows are in file order; the groups' files interleave
            import pyarrow.compute as pc

            table = table.take(pc.sort_indices(table, [("_file", "ascending")]))
        merged[name] = table
    whole = {key for key in whole if key[0] not in fallback}
    return ColumnarTables(
        tables=merged, fallback=frozenset(fallback), warnings=kept, whole_sets=frozenset(whole)
    )


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
    if isa[103] != found.element or isa.split(found.element)[12] not in _VERSIONS:
        return False
    if found.repetition in (found.component, found.element, found.segment, *_BLANK):
        return False
    # the text's end without its trailing blanks (not a copy of the whole text)
    end = len(text)
    while end and text[end - 1] in _BLANK:
        end -= 1
    return text.endswith(found.segment, 0, end)


def _group_tables(
    frame: pl.DataFrame,
    found: Delimiters,
    sources: Sequence[str],
    strict: bool,
    caught: dict[int, list[warnings.WarningMessage]],
) -> tuple[dict[str, pa.Table], set[int], set[tuple[int, int]]]:
    n = pl.len()
    e = found.element
    # ---- envelope: ISA GS (ST ... SE)+ GE IEA, counts and control numbers agreeing
    frame = frame.with_columns(
        pl.int_range(0, n, dtype=pl.Int64).alias("_row"),
        (pl.col("file") != pl.col("file").shift(-1)).fill_null(True).alias("_last"),
    )
    envelope = _split(frame.filter(_envelope_code() | pl.col("_last")), e).with_columns(
        pl.col("elements").list.first().alias("segment_id")
    )
    bad = _envelope_problems(envelope, frame)
    # ---- zones: the last closer before each row of a set ("" before the first); the
    # frame holds no element lists: flags are selected with the file alone, one
    # partition splits it by kind, and each kind's text is split into elements there
    code = pl.col("code")
    in_set = (pl.col("set_number") > 0) & ~_envelope_code()
    set_start = (pl.col("file") != pl.col("file").shift(1)) | (
        pl.col("set_number") != pl.col("set_number").shift(1)
    )
    # the zone as a small code: 1 after a CLP, 2 after a PLB, 3 after LX/TS3/TS2, 0 before
    # the set's first closer
    loop2000 = _is("LX", "TS3", "TS2")
    closer = (
        pl.when(code == _CODE["CLP"])
        .then(pl.lit(1, dtype=pl.Int8))
        .when(code == _CODE["PLB"])
        .then(pl.lit(2, dtype=pl.Int8))
        .when(loop2000)
        .then(pl.lit(3, dtype=pl.Int8))
    )
    frame = frame.with_columns(
        pl.when(closer.is_not_null())
        .then(closer)
        .when(set_start.fill_null(True))
        .then(pl.lit(0, dtype=pl.Int8))
        .forward_fill()
        .alias("_zone"),
        # whether the row is in a service line (after an SVC, before the next CLP)
        pl.when(code == _CODE["SVC"])
        .then(pl.lit(True))
        .when(code == _CODE["CLP"])
        .then(pl.lit(False))
        .forward_fill()
        .fill_null(False)
        .alias("_line"),
    )
    zone = pl.col("_zone")
    frame = frame.with_columns(
        # 0: envelope, 1: header or trailer of a set, 2: in a claim
        pl.when(zone == 1)
        .then(pl.when(in_set).then(pl.lit(2, dtype=pl.Int8)).otherwise(pl.lit(0, dtype=pl.Int8)))
        .otherwise(
            pl.when(in_set).then(pl.lit(1, dtype=pl.Int8)).otherwise(pl.lit(0, dtype=pl.Int8))
        )
        .alias("_where"),
        # claim and line indexes: the CLP (SVC) segments before the row, less one
        ((code == _CODE["CLP"]).cum_sum() - 1).cast(pl.Int64).alias("_ci"),
        ((code == _CODE["SVC"]).cum_sum() - 1).cast(pl.Int64).alias("_li"),
    )
    shapes = _Shapes(found)
    where = pl.col("_where")
    flagged = (
        frame.lazy()
        .filter(
            # segments after PLB or LX/TS3/TS2 (but the next CLP) belong to no claim: only
            # their own kind may follow without a CLP
            (where == 1) & ((zone == 2) & (code != _CODE["PLB"]) | (zone == 3) & ~loop2000)
        )
        .select("file", "set_number")
    )
    kept = frame.drop("_last", "_zone").with_columns(
        (code.cast(pl.Int16) * 4 + where).alias("_key")
    )
    # one partition by segment code and place; the header and trailer rows (all ids) are
    # put back in file order. Each kind's steps are lazy queries, evaluated together
    # below (one collect_all, not one eager step each)
    splits: dict[str, pl.LazyFrame] = {}
    # problems inside a set send that set alone to the object reader's transaction reader
    refusals = [flagged]
    heads = []
    for key, piece in _pieces(kept, "_key"):
        number, place = divmod(key, 4)
        if place == 2:
            # ---- claims: a whitelist of shapes and places, each kind's rows matched to its
            # own shape (a shape opens with its id, so a row of another id has none)
            pattern = shapes.patterns.get(_IDS[number - 1]) if number else None
            refused = piece.lazy()
            if pattern is not None:
                refused = refused.filter(~pl.col("text").str.contains(pattern))
            refusals.append(refused.select("file", "set_number"))
            if number:
                kind = _IDS[number - 1]
                rows = piece.lazy().drop("code", "_where")
                splits[kind] = _sliced(rows, kind) if kind in _SLICED else _split(rows, e)
        elif place == 1:
            heads.append(piece)
    empty_lazy = _split(kept.lazy().drop("code", "_where", "_key").clear(), e)
    head_lazy = (
        _split(pl.concat(heads).lazy().sort("_row").drop("code", "_where"), e)
        if heads
        else empty_lazy
    )
    # the service line's composites (SVC01, SVC06), split once for the checks and the table
    c = found.component
    splits["SVC"] = splits.get("SVC", empty_lazy).with_columns(
        _el(1).str.split(c).alias("p1"), _el(6).str.split(c).alias("p6")
    )
    names = list(splits)
    done = pl.collect_all([*splits.values(), empty_lazy, head_lazy, *refusals], engine=ENGINE)
    parts: dict[str, pl.DataFrame] = dict(zip(names, done[: len(names)], strict=True))
    empty, header_rows = done[len(names)], done[len(names) + 1]
    sets_bad: set[tuple[int, int]] = set()
    for found_sets in done[len(names) + 2 :]:
        sets_bad |= set(found_sets.iter_rows())

    def part(segment_id: str) -> pl.DataFrame:
        return parts.get(segment_id, empty)

    line = pl.col("_line")
    q = pl.col("_q")
    keyed: dict[str, pl.LazyFrame] = {}

    def qualified(segment_id: str) -> pl.LazyFrame:
        """The part's keys and qualifier (its first element as ``_q``), without the lists
        (so the filters below copy none)."""
        if segment_id not in keyed:
            keyed[segment_id] = (
                part(segment_id)
                .lazy()
                .select("file", "set_number", "_ci", "_li", "_line", _element(part(segment_id), 1))
            )
        return keyed[segment_id]

    def one_of(values: Sequence[str]) -> pl.Expr:
        found = q == values[0]
        for value in values[1:]:
            found = found | (q == value)
        return found

    misplaced = [
        qualified("NM1").filter(line),
        qualified("MIA").filter(line),
        qualified("MOA").filter(line),
        qualified("LQ").filter(~line),
        qualified("DTM").filter(line & ~one_of(_LINE_DATES)),
        qualified("DTM").filter(~line & ~one_of(_CLAIM_DATES)),
    ]

    # single-use segments read once per claim or line (later ones would overwrite or,
    # for NM1/MIA/MOA, be refused): once per claim (line) and qualifier. The part's rows
    # are in file order, so a claim's (line's) rows are next to one another; an index
    # names one claim or line, so one file and set, in every part
    def once(
        segment_id: str, condition: pl.Expr, index: str, qualifiers: Sequence[str] = ()
    ) -> pl.LazyFrame:
        rows = qualified(segment_id).filter(condition)
        if qualifiers:  # one integer key each: the index and the qualifier's place
            code = q.replace_strict(
                qualifiers, range(len(qualifiers)), default=len(qualifiers), return_dtype=pl.Int64
            )
            twice = (pl.col(index).cast(pl.Int64) * 16 + code).is_duplicated()
        else:  # a row of the index before it (the second of two is enough to name the set)
            twice = (pl.col(index) == pl.col(index).shift(1)).fill_null(False)
        return rows.filter(twice).select("file", "set_number")

    everywhere = pl.lit(True)
    checks = [f.select("file", "set_number") for f in misplaced] + [
        once("NM1", everywhere, "_ci", _NM1_ROLES),
        once("MIA", everywhere, "_ci"),
        once("MOA", everywhere, "_ci"),
        once("DTM", ~line & (q != "036"), "_ci", _CLAIM_DATES),
        once("DTM", line & (q != "151"), "_li"),
        once("REF", line & (q == "6R"), "_li"),
        once("AMT", line & (q == "B6"), "_li"),
    ]
    for found_sets in pl.collect_all(checks, engine=ENGINE):
        sets_bad |= set(found_sets.iter_rows())
    # codes and dates: each distinct value checked by the object reader's own types
    sets_bad |= _bad_values(part, found)
    sets_bad = {key for key in sets_bad if key[0] not in bad}
    # ---- headers and trailers (BPR, TRN, N1 loops, LX/TS3, PLB): read with the object
    # reader's transaction reader, which sees the same segments in the same order
    counts = {(f, s): k for f, s, k in part("CLP").group_by("file", "set_number").len().iter_rows()}
    whole = _set_rows(frame, sets_bad, e) if sets_bad else {}
    remittances, provider, read_sets, header_bad = _headers(
        header_rows, envelope, found, sources, bad, counts, strict, caught, whole
    )
    bad |= header_bad
    if bad or sets_bad:
        keys = sorted(f << 32 | n for f, n in sets_bad)
        keep = ~pl.col("file").is_in(sorted(bad)) & ~(
            (pl.col("file").cast(pl.Int64) * (1 << 32) + pl.col("set_number")).is_in(keys)
        )
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
    for name, table in read_sets.items():
        # the sets read whole by the transaction reader, put in place among the others
        table = _drop_files(table, bad)
        if table.num_rows:
            import pyarrow.compute as pc

            merged = pa.concat_tables([tables[name], table])
            order = [("_file", "ascending"), ("remittance_number", "ascending")]
            tables[name] = merged.take(pc.sort_indices(merged, order))
    tables["remittances"] = remittances
    tables["provider_adjustments"] = provider
    return tables, bad, {key for key in sets_bad if key[0] not in bad}


def _pieces(frame: pl.DataFrame, key: str) -> list[tuple[int, pl.DataFrame]]:
    """``frame`` split by the integer column ``key``: each value's rows, in their order,
    without ``key`` (a stable sort and zero-copy slices: cheaper than ``partition_by``,
    which gathers every column of every part)."""
    ordered = frame.sort(key, maintain_order=True)
    values = ordered[key]
    found = values.unique(maintain_order=True)
    starts = values.search_sorted(found, side="left").to_list()
    ends = values.search_sorted(found, side="right").to_list()
    rest = ordered.drop(key)
    return [
        (value, rest.slice(start, end - start))
        for value, start, end in zip(found.to_list(), starts, ends, strict=True)
    ]


_Frame = TypeVar("_Frame", pl.DataFrame, pl.LazyFrame)


# Kinds whose qualifier and value alone are read: their whitelisted shapes fix where those
# are (``DTM*qqq*CCYYMMDD``, ``NM1*qq...``), so they are sliced off the text, not split
# (a row of another shape is refused, and its set read by the object reader)
_SLICED: Final = {"DTM": (3, 8), "NM1": (2, None)}


def _sliced(frame: pl.LazyFrame, kind: str) -> pl.LazyFrame:
    """A part of a ``_SLICED`` kind with its qualifier ``_q`` (and value ``_v``) sliced
    off its ``text``: on whitelisted rows, the strings splitting gives as elements 1 and 2."""
    length, value = _SLICED[kind]
    text = pl.col("text")
    values = [text.str.slice(4, length).alias("_q")]
    if value is not None:
        values.append(text.str.slice(value).alias("_v"))
    return frame.with_columns(values).drop("text")


def _element(part: pl.DataFrame, position: int) -> pl.Expr:
    """Element 1 (as ``_q``) or 2 (as ``_v``) of a part's rows: its own column where the
    part was sliced (``_SLICED``), else from the split elements."""
    name = ("_q", "_v")[position - 1]
    return pl.col(name) if name in part.columns else _el(position).alias(name)


def _split(frame: _Frame, element: str) -> _Frame:
    """``frame`` with its ``text`` split into ``elements`` (the id first)."""
    return frame.with_columns(pl.col("text").str.split(element).alias("elements")).drop("text")


def _set_rows(
    frame: pl.DataFrame, sets: set[tuple[int, int]], element: str
) -> dict[tuple[int, int], list[list[str]]]:
    """The segments of each of ``sets`` between its ST and SE, in order."""
    keys = sorted(f << 32 | n for f, n in sets)
    key = pl.col("file").cast(pl.Int64) * (1 << 32) + pl.col("set_number")
    found: dict[tuple[int, int], list[list[str]]] = {}
    for file, number, elements in (
        frame.filter(key.is_in(keys) & (pl.col("_where") != 0))
        .select("file", "set_number", pl.col("text").str.split(element).alias("elements"))
        .iter_rows()
    ):
        found.setdefault((file, number), []).append(elements)
    return found


def _envelope_problems(envelope: pl.DataFrame, frame: pl.DataFrame) -> set[int]:
    bad: set[int] = set()
    rows = envelope.select("file", "position", "segment_id", "elements", "set_number", "_last")
    counts: dict[int, int] = {}
    state: dict[int, Any] = {}
    for file, position, segment_id, elements, _set, last in rows.iter_rows():
        if file in bad:
            continue
        st = state.setdefault(file, {"expect": "ISA", "sets": 0, "groups": 0})
        ok = True
        if segment_id == "ISA":
            # several interchanges may follow one another; each later one must declare
            # the delimiters and version the file was split with (fixed width: its
            # elements and separators are the 105 characters before its terminator)
            first = st.get("first_isa")
            ok = (
                st["expect"] in ("ISA", "ISA|end")
                and len(elements) == 17
                and (position == 1) == (first is None)
                and (
                    first is None
                    or (
                        sum(map(len, elements)) + 16 == _ISA_LENGTH - 1
                        and len(elements[16]) == 1
                        and elements[16] == first[16]
                        and elements[12] == first[12]
                        and (elements[11] == first[11] or first[12] < "00501")
                    )
                )
            )
            st.setdefault("first_isa", elements)
            st["isa"] = elements
            st["groups"] = 0
            st["expect"] = "GS"
        elif segment_id == "GS":
            isa = st.get("isa") or [""] * 17
            guide = _VERSIONS.get(isa[12], "?") if len(isa) > 12 else "?"
            st["guide"] = guide
            ok = (
                st["expect"] in ("GS", "GS|IEA")
                and len(elements) == 9
                and elements[1] == "HP"
                and elements[8].startswith(guide)
            )
            st["gs"] = elements
            st["sets"] = 0
            st["groups"] += 1
            st["expect"] = "ST"
        elif segment_id == "ST":
            ok = (
                st["expect"] in ("ST", "ST|GE")
                and len(elements) in (3, 4)
                and elements[1] == "835"
                and bool(elements[2])
                and (len(elements) == 3 or elements[3].startswith(st.get("guide", "?")))
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
            st["expect"] = "GS|IEA"
        elif segment_id == "IEA":
            isa = st.get("isa")
            ok = (
                st["expect"] == "GS|IEA"
                and len(elements) == 3
                and elements[1] == str(st["groups"])
                and isa is not None
                and elements[2] == isa[13]
            )
            st["expect"] = "ISA|end"
        if last and segment_id != "IEA":
            ok = False
        if not ok:
            bad.add(file)
        counts[file] = counts.get(file, 0) + 1
    for file, st in state.items():
        if st["expect"] != "ISA|end":
            bad.add(file)
    # every segment between the envelopes is inside a transaction set, and none comes
    # after its set's SE and before the next ST or the GE (the last ST or SE before it
    # is an SE; files whose ST and SE do not alternate are refused above)
    code = pl.col("code")
    last = (
        pl.when(code == _CODE["ST"])
        .then(pl.lit(1, dtype=pl.Int8))
        .when(code == _CODE["SE"])
        .then(pl.lit(2, dtype=pl.Int8))
        .forward_fill()
    )
    odd = frame.select(
        "file",
        (
            (pl.col("set_number") == 0) & ~_is("ISA", "GS")
            | (last == 2) & ~_is("SE", "GE", "IEA", "ISA", "GS")
        ).alias("_odd"),
    ).filter("_odd")
    bad |= set(odd["file"].to_list())
    return bad


def _revenue(code: pl.Expr) -> pl.Expr:
    # NUBC revenue codes are 4 digits; a dropped leading zero is restored (as _reader835)
    return pl.when(code.str.contains(r"^[0-9]{3}$")).then("0" + code).otherwise(code)


def _bad_values(part: Callable[[str], pl.DataFrame], found: Delimiters) -> set[tuple[int, int]]:
    """Sets (file, set number) holding a code or date the object reader's types refuse,
    or one they would write differently from how it was sent."""
    import pendulum

    from medbill.codes import Carc, Modifier, ProcedureCode, Rarc, RevenueCode

    def same(kind: Any) -> Any:
        def check(value: str) -> None:
            if str(kind(value)) != value:
                raise ValueError(value)

        return check

    def date(value: str) -> None:
        pendulum.date(int(value[:4]), int(value[4:6]), int(value[6:]))

    svc = (
        part("SVC").lazy().select("file", "set_number", "p1", "p6", _blank_null(_el(4)).alias("r4"))
    )
    longest = cast(int | None, part("CAS")["elements"].list.len().max()) or 0
    values: list[tuple[pl.LazyFrame, Any]] = [
        (
            part("DTM").lazy().select("file", "set_number", _element(part("DTM"), 2).alias("v")),
            date,
        ),
        (
            pl.concat(
                [
                    part("CAS").lazy().select("file", "set_number", _el(p).alias("v"))
                    # the reasons' places within the longest CAS (beyond it all are null)
                    for p in (2, 5, 8, 11, 14, 17)
                    if p < longest
                ]
                or [part("CAS").lazy().select("file", "set_number", _el(2).alias("v"))]
            ),
            same(Carc),
        ),
        (
            pl.concat(
                [
                    part("LQ")
                    .lazy()
                    .filter(_el(1) == "HE")
                    .select("file", "set_number", _el(2).alias("v")),
                    *(
                        part("MOA").lazy().select("file", "set_number", _el(p).alias("v"))
                        for p in (3, 4, 5, 6, 7)
                    ),
                    *(
                        part("MIA").lazy().select("file", "set_number", _el(p).alias("v"))
                        for p in (5, 20, 21, 22, 23)
                    ),
                ]
            ).filter(pl.col("v") != ""),
            same(Rarc),
        ),
        (
            pl.concat(
                [
                    svc.filter(pl.col(k).list.get(0, null_on_oob=True) == "HC").select(
                        "file", "set_number", pl.col(k).list.get(1, null_on_oob=True).alias("v")
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
                        "file",
                        "set_number",
                        _revenue(pl.col("p1").list.get(1, null_on_oob=True)).alias("v"),
                    ),
                    svc.select("file", "set_number", _revenue(pl.col("r4")).alias("v")),
                ]
            ),
            same(RevenueCode),
        ),
        (
            pl.concat(
                [
                    svc.select("file", "set_number", pl.col(k).list.slice(2).alias("v")).explode(
                        "v"
                    )
                    for k in ("p1", "p6")
                ]
            ),
            same(Modifier),
        ),
    ]
    bad: set[tuple[int, int]] = set()
    # one evaluation of every value query (each an eager step otherwise)
    frames = pl.collect_all(
        [frame.filter(pl.col("v").is_not_null()) for frame, _ in values], engine=ENGINE
    )
    for frame, (_, check) in zip(frames, values, strict=True):
        refused = _checked(frame["v"], check)
        if refused:
            refusing = frame.filter(pl.col("v").is_in(sorted(refused)))
            bad |= set(refusing.select("file", "set_number").iter_rows())
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
    strict: bool,
    caught: dict[int, list[warnings.WarningMessage]],
    whole: dict[tuple[int, int], list[list[str]]],
) -> tuple[pa.Table, pa.Table, dict[str, pa.Table], set[int]]:
    """The remittances and provider adjustments of each set, from its segments outside
    the claims, read by the object reader's transaction reader with ``strict`` as asked;
    the sets in ``whole`` are read whole by it (all their segments), and their claims,
    lines and adjustments tables returned too, flattened as the object path does.

    An error, a skipped set, or a warning on a segment the reader would number
    differently from the object reader (one after the set's first claim, when the
    claims' segments are not given to it) sends the file to the object reader. The other
    warnings are kept in ``caught``, by file, in the order they came."""
    from medbill.batch._remittance import (
        ADJUSTMENTS,
        CLAIMS,
        LINES,
        PROVIDER_ADJUSTMENTS,
        REMITTANCES,
        _Columns,
    )
    from medbill.x12._reader835 import _Codes
    from medbill.x12._tokenizer import Lenience

    remittances = _Columns(_with_file(REMITTANCES))
    provider = _Columns(_with_file(PROVIDER_ADJUSTMENTS))
    claims = _Columns(_with_file(CLAIMS))
    lines = _Columns(_with_file(LINES))
    adjustments = _Columns(_with_file(ADJUSTMENTS))
    newly: set[int] = set()
    keep = ~pl.col("file").is_in(sorted(bad))
    # each set's ST, with the ISA and GS it is enveloped in (a file may hold several)
    heads: dict[int, dict[str, list[str]]] = {}
    opened: dict[tuple[int, int], tuple[list[str], int, dict[str, list[str]]]] = {}
    for file, position, segment_id, elements, number in (
        envelope.filter(keep & pl.col("segment_id").is_in(["ISA", "GS", "ST"]))
        .select("file", "position", "segment_id", "elements", "set_number")
        .iter_rows()
    ):
        if segment_id == "ST":
            opened[(file, number)] = (elements, position, dict(heads[file]))
        else:
            heads.setdefault(file, {})[segment_id] = elements
    # each set's header rows, and the last segment number the transaction reader gives
    # as the object reader does (it counts the rows it is given from the ST on, so its
    # numbers are right up to the first claim)
    segments: dict[tuple[int, int], list[list[str]]] = {}
    exact: dict[tuple[int, int], int] = {}
    for file, number, position, elements in (
        frame.filter(keep).select("file", "set_number", "position", "elements").iter_rows()
    ):
        key = (file, number)
        rows = segments.setdefault(key, [])
        rows.append(elements)
        start = opened[key][1] if key in opened else -1
        if exact.get(key, start) == position - 1 and position == start + len(rows):
            exact[key] = position
    lenience = Lenience(strict)
    # one cache of validated codes for the group: it holds only values read without an
    # error or warning, and the group's files are of one version (the first ISA's, which
    # every later ISA repeats), so each file reads as with a cache of its own (read_835's)
    codes = _Codes()
    # one recording for all the sets: each set's warnings are those recorded while it
    # was read (nothing else runs in between)
    with warnings.catch_warnings(record=True) as log:
        warnings.simplefilter("always")
        _read_sets(opened, newly, whole, segments, found, codes, lenience, exact, log, caught,
                   sources, counts, remittances, claims, lines, adjustments, provider)  # fmt: skip
    gone = newly | bad
    read = {"claims": claims, "lines": lines, "adjustments": adjustments}
    return (
        _drop_files(remittances.table(), gone),
        _drop_files(provider.table(), gone),
        {name: _drop_files(columns.table(), gone) for name, columns in read.items()}
        if whole
        else {},
        newly,
    )


def _read_sets(
    opened: dict[tuple[int, int], tuple[list[str], int, dict[str, list[str]]]],
    newly: set[int],
    whole: dict[tuple[int, int], list[list[str]]],
    segments: dict[tuple[int, int], list[list[str]]],
    found: Delimiters,
    codes: Any,
    lenience: Any,
    exact: dict[tuple[int, int], int],
    log: list[warnings.WarningMessage],
    caught: dict[int, list[warnings.WarningMessage]],
    sources: Sequence[str],
    counts: dict[tuple[int, int], int],
    *tables: Any,
) -> None:
    """Each set of ``opened`` read by the object reader's transaction reader (see
    :func:`_headers`), its warnings taken from ``log`` as they are recorded."""
    from medbill._errors import MedbillError
    from medbill.batch._remittance import _remittance, provider_adjustment_rows, remittance_values
    from medbill.x12._reader835 import _TransactionReader

    remittances, claims, lines, adjustments, provider = tables
    for (file, number), (st, position, head) in sorted(opened.items()):
        if file in newly:
            continue
        read_whole = (file, number) in whole
        rows = whole[(file, number)] if read_whole else segments.get((file, number), [])
        raw = _Raw(st, position, head["GS"], head["ISA"], found, rows)
        start = len(log)
        try:
            reader = _TransactionReader(raw, codes, lenience)  # type: ignore[arg-type]
            remittance = reader.read()
        except MedbillError:
            newly.add(file)
            continue
        found_warnings = log[start:]
        last = exact.get((file, number), position)
        if remittance is None or not (
            read_whole or all(_numbered_at_most(w.message, last) for w in found_warnings)
        ):
            newly.add(file)
            continue
        caught.setdefault(file, []).extend(found_warnings)
        source = sources[file]
        if read_whole:
            for columns in (remittances, claims, lines, adjustments):
                columns.file = file
            _remittance(source, number, remittance, remittances, claims, lines, adjustments)
            remittances.file = None
        else:
            remittances.add(
                file, source, number, *remittance_values(remittance), counts.get((file, number), 0)
            )
        for row in provider_adjustment_rows(remittance):
            provider.add(file, source, number, *row)


_WARNED_AT = re.compile(r"segment ([0-9]+) \(")


def _numbered_at_most(message: Warning | str, last: int) -> bool:
    """Whether a warning names a segment (``segment 12 (N1)...``) numbered at most ``last``."""
    found = _WARNED_AT.match(str(message))
    return found is not None and int(found.group(1)) <= last


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
    from medbill.batch._tables import _widened, has_numpy

    low, high = series.min(), series.max()
    if (
        has_numpy()
        and series.dtype == pl.Int64
        and high is not None
        and max(cast(int, high), -cast(int, low)) < 10**kind.precision
    ):
        # within the precision: each integer's 128-bit value (numpy), no Polars cast
        array = series.rechunk().to_arrow()
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        array = _widened(array, negative=cast(int, low) < 0)
    else:  # Polars' cast and its checks (also for an all-null column)
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


def _offsets(size: int, index: pl.Series) -> pl.Series:
    """Where each of ``size`` runs starts in the ascending ``index`` (then its length):
    run ``i`` holds the rows ``offsets[i]:offsets[i + 1]`` (binary searches, no hashing)."""
    from medbill.batch._tables import has_numpy

    if has_numpy() and index.null_count() == 0:
        import numpy as np

        # numpy's vectorised binary search: several times faster than Polars' here
        values = index.cast(pl.Int64).to_numpy()
        starts = np.searchsorted(values, np.arange(size + 1, dtype=np.int64), side="left")
        return pl.Series(index.name, starts.astype(np.int32), dtype=pl.Int32)
    bounds = pl.int_range(0, size + 1, dtype=pl.Int64, eager=True)
    found: pl.Series = index.cast(pl.Int64).search_sorted(bounds, side="left")
    return found.cast(pl.Int32)


def _run_sums(ends: pl.Series, values: pl.Series) -> pl.Series:
    """Per run of ``ends`` (:func:`_offsets`), the sum of its ``values`` (0 where the run
    is empty): differences of a running sum at the runs' ends (exact Int64)."""
    size = ends.len() - 1
    running = pl.concat([pl.Series([0], dtype=pl.Int64), values.cast(pl.Int64).cum_sum()])
    picked = running.gather(ends)
    return (picked.slice(1) - picked.slice(0, size)).alias(values.name)


def _lists(size: int, index: pl.Series, values: pl.Series) -> pa.Array:
    """``size`` lists of strings, the i-th holding the ``values`` whose ``index`` is i
    (``index`` ascending, so each list keeps the file order)."""
    offsets = _offsets(size, index)
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

    line = pl.col("_line")
    q = _el(1)
    clp, svc = eager("CLP"), eager("SVC")
    n_claims, n_lines = clp.height, svc.height
    # claim numbers count the CLP rows of each set, line numbers the SVC rows of each
    # claim (rows in file order: each run starts where its key changes)
    row = pl.int_range(0, pl.len(), dtype=pl.Int32)
    opens = (pl.col("file") != pl.col("file").shift(1)) | (
        pl.col("set_number") != pl.col("set_number").shift(1)
    )
    # the claims' steps are one lazy query (one evaluation, not one eager step each)
    claims_query = clp.lazy().with_columns(
        (row - pl.when(opens.fill_null(True)).then(row).forward_fill() + 1).alias("claim_number")
    )
    claim_lines = _offsets(n_claims, svc["_ci"])
    svc = svc.with_columns(
        (row - claim_lines.gather(svc["_ci"]).alias("_first") + 1)
        .cast(pl.Int32)
        .alias("line_number")
    )
    source_of = pl.Series("source", list(sources), dtype=pl.String)

    # the segments placed by qualifier read two elements: those are taken out of the lists
    # once per segment id (``_q``, ``_v``), so the filters below copy no lists
    narrow: dict[str, pl.LazyFrame] = {}
    pq, pv = pl.col("_q"), pl.col("_v")
    pdate = pv.str.to_date("%Y%m%d")
    # each placed value: ``value`` (of ``_q``/``_v``) of the one segment with
    # ``condition``, at its claim's (``_ci``) or line's (``_li``) row; all read in one
    # evaluation (collect_all), then scattered
    wanted: dict[str, tuple[str, pl.Expr, pl.Expr, str]] = {
        "statement_start": ("DTM", ~line & (pq == "232"), pdate, "_ci"),
        "statement_end": ("DTM", ~line & (pq == "233"), pdate, "_ci"),
        "received_date": ("DTM", ~line & (pq == "050"), pdate, "_ci"),
        "line_id": ("REF", line & (pq == "6R"), pv, "_li"),
        "allowed": ("AMT", line & (pq == "B6"), _scaled(pv, 2), "_li"),
        "service_date": ("DTM", line & ((pq == "472") | (pq == "150")), pdate, "_li"),
    }
    queries = []
    for segment_id, condition, value, key in wanted.values():
        if segment_id not in narrow:
            narrow[segment_id] = (
                eager(segment_id)
                .lazy()
                .select(
                    "_ci",
                    "_li",
                    "_line",
                    _element(eager(segment_id), 1),
                    _element(eager(segment_id), 2),
                )
            )
        queries.append(narrow[segment_id].filter(condition).select(key, value.alias("v")))
    placed = {
        name: _scatter(n_claims if key == "_ci" else n_lines, picked[key], picked["v"]).alias(name)
        for (name, (_, _, _, key)), picked in zip(
            wanted.items(), pl.collect_all(queries, engine=ENGINE), strict=True
        )
    }

    # ---- claims
    heads = pl.from_arrow(
        remittances.select(["_file", "remittance_number", "remittance_id", "payer_id"])
    )
    heads = cast("pl.DataFrame", heads)  # a Table always gives a frame
    claims_query = claims_query.select(
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
        heads.lazy().select(
            "_file",
            pl.col("remittance_number").cast(pl.Int32),
            "remittance_id",
            "payer_id",
        ),
        on=["_file", "remittance_number"],
        how="left",
        maintain_order="left",
    )
    claims = claims_query.with_columns(
        placed["statement_start"],
        placed["statement_end"],
        placed["received_date"],
        claim_lines.diff().slice(1).alias("line_count"),
        pl.lit(source_of).gather(pl.col("_file")).alias("source"),
    ).collect(engine=ENGINE)
    # ---- adjustments: one row per CAS triplet, in file order
    cas = eager("CAS")
    # a line's CAS takes its line's number (the others' is nulled below)
    numbers = svc["line_number"]
    cas_query = cas.lazy().with_columns(
        numbers.gather(cas["_li"].clip(0, n_lines - 1)).alias("line_number")
        if n_lines
        else pl.lit(None, dtype=pl.Int32).alias("line_number")
    )
    owner = pl.when(line).then(pl.col("_li")).otherwise(-1 - pl.col("_ci")).alias("_owner")
    keys = ("_ci", "_li", line.alias("_line"), owner, "line_number")
    sizes = cas.select(
        pl.col("elements").list.len().min().alias("least"), pl.col("elements").list.len().max()
    )
    least, most = sizes.row(0) if cas.height else (0, 0)
    if least >= 4 and most <= 5:
        # every CAS holds one triplet (and perhaps its quantity): each row is one triplet
        # as it stands, without the exploding (which copies every row's elements)
        triplets = cas_query.select(
            *keys,
            _el(1).alias("group"),
            _el(2).alias("reason"),
            _scaled(_el(3), 2).alias("amount"),
            _scaled(_blank_null(_el(4)), 3).alias("quantity"),
        ).collect(engine=ENGINE)
    else:
        k = pl.col("_k")
        triplets = (
            cas_query.select(
                *keys,
                "elements",
                pl.int_ranges(0, (pl.col("elements").list.len() - 1) // 3, dtype=pl.Int32).alias(
                    "_k"
                ),
            )
            .explode("_k")
            .select(
                "_ci",
                "_li",
                "_line",
                "_owner",
                "line_number",
                _el(1).alias("group"),
                pl.col("elements").list.get(2 + 3 * k).alias("reason"),
                _scaled(pl.col("elements").list.get(3 + 3 * k), 2).alias("amount"),
                _scaled(
                    _blank_null(pl.col("elements").list.get(4 + 3 * k, null_on_oob=True)), 3
                ).alias("quantity"),
            )
            .collect(engine=ENGINE)
        )
    # the steps that read the triplets or the service lines: lazy queries, evaluated
    # together
    later = triplets.lazy()
    index = pl.int_range(0, pl.len(), dtype=pl.Int32)
    opens = (pl.col("_owner") != pl.col("_owner").shift(1)).fill_null(True)
    gather = claims.select("_file", "remittance_number", "claim_number", "claim_id", "source")
    adjusted = later.select(
        pl.when("_line").then(pl.col("line_number")).alias("line_number"),
        (index - pl.when(opens).then(index).forward_fill() + 1).alias("adjustment_number"),
        "group",
        "reason",
        "amount",
        "quantity",
    )
    group, reason, amount = pl.col("group"), pl.col("reason"), pl.col("amount")
    zero = pl.lit(0, dtype=pl.Int64)
    on_lines = later.filter("_line")
    # the line's sums by kind (on_lines is in file order, so ``_li`` ascends)
    kinds = on_lines.select(
        pl.when(cond).then(amount).otherwise(zero).fill_null(zero).alias(name)
        for cond, name in (
            (group.is_in(["CO", "PI"]) & ~reason.is_in(sorted(PAYMENT_REDUCTIONS)), "contractual"),
            (group == "PR", "patient_responsibility"),
            ((group == "PR") & (reason == "2"), "coinsurance"),
            ((group == "PR") & reason.is_in(["1", "3"]), "deductible_and_copay"),
        )
    )
    coded = on_lines.filter(amount > 0).select("_li", (group + "-" + reason).alias("code"))
    remarks = eager("LQ").lazy().filter(line & (q == "HE")).select("_li", _el(2).alias("v"))
    # ---- lines
    body = svc.lazy().select(
        "line_number",
        "p1",
        "p6",
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
    body = body.select(
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
    )
    adjusted_frame, on_lines_li, kinds_frame, coded_frame, remarks_frame, body_frame = (
        pl.collect_all(
            [adjusted, on_lines.select("_li"), kinds, coded, remarks, body], engine=ENGINE
        )
    )
    adjustments = pl.concat([gather[triplets["_ci"]], adjusted_frame], how="horizontal")
    ends = _offsets(n_lines, on_lines_li["_li"])
    lines = (
        pl.concat([owners, body_frame], how="horizontal")
        .lazy()
        .with_columns(
            placed["line_id"],
            placed["allowed"],
            placed["service_date"],
            *(_run_sums(ends, kinds_frame[name]) for name in kinds_frame.columns),
        )
        .with_columns(pl.coalesce("service_date", "statement_start").alias("service_date"))
        .collect(engine=ENGINE)
    )
    extra = {
        "remarks": _lists(n_lines, remarks_frame["_li"], remarks_frame["v"]),
        "adjustment_codes": _lists(n_lines, coded_frame["_li"], coded_frame["code"]),
    }
    return {
        "claims": _arrow(claims, _with_file(CLAIMS)),
        "lines": _arrow(lines, _with_file(LINES), extra),
        "adjustments": _arrow(adjustments, _with_file(ADJUSTMENTS)),
    }
