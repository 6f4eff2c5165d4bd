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

from collections.abc import Sequence

import attrs
import polars as pl

__all__ = ["Delimiters", "SegmentFrame", "delimiters", "segment_frame"]

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
            # line breaks after the terminator are common and not part of any segment
            .with_columns(pl.col("segment").str.strip_chars("\r\n"))
            .filter(pl.col("segment").str.len_bytes() > 0)
            .with_columns(pl.col("segment").str.split(found.element).alias("elements"))
            .select(
                "file",
                pl.int_range(1, pl.len() + 1, dtype=pl.Int32).alias("position"),
                pl.col("elements").list.first().alias("segment_id"),
                "elements",
            )
        )
        frames.append(frame)
    if frames:
        frame = pl.concat(frames).sort("file", "position", maintain_order=True)
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
