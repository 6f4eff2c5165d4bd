"""Window operations over runs of a sorted key, as single linear passes.

The claim-level rules (status T, multiple procedure ranking) read aggregates over the
lines of each claim and date of service. ``expr.over(key)`` groups the key and maps each
group's result back, which costs tens of milliseconds per expression on a million lines;
once the lines of a group are next to each other, the same aggregates are cumulative sums
and maxima read at the run's ends, each one pass over the column.

A frame is prepared with :func:`runs` (``_start``/``_end`` mark each run's first and last
row; :func:`starts` gives ``_start`` alone) and :func:`segments` (``_seg`` numbers the runs
0, 1, 2, ... in order). The helpers then give, for every
row, an aggregate of its run:

- :func:`seg_sum` of a non-null integer column: the cumulative sum at the run's last row
  less the one before its first row;
- :func:`seg_max` of a non-negative integer below ``bound``: offset by ``_seg * bound``
  the values of later runs are always larger, so the running maximum at a run's last row
  is that run's maximum (exact while ``runs * bound`` stays below ``2**62``; otherwise
  :func:`seg_max` falls back to a window);
- :func:`first_flagged`: whether a row is the first of its run with a flag set;
- :func:`first_max`: the position of the first row of its run with the run's largest
  value (the value and the row's place in its run made one key: one running maximum,
  where a maximum and then the first row at it are two passes each).

A run's first and last rows' values are read by gathering at ``_first_row``/``_last_row``
(:func:`segments` computes them once, with a running maximum and minimum), not by
filling forward and backward from the run's ends, which is several times slower.

All of them are exact integer arithmetic; they read only the rows' order within runs.
"""

from __future__ import annotations

from typing import Final, cast

import polars as pl

__all__ = [
    "extent",
    "first_flagged",
    "first_max",
    "first_of",
    "last_of",
    "pick",
    "runs",
    "seg_max",
    "seg_sum",
    "starts",
]

LIMIT: Final = 2**62
"""The largest offset value :func:`seg_max` uses (int64 headroom)."""


def starts(*keys: str) -> pl.Expr:
    """``_start`` alone (see :func:`runs`): whether each row is its run's first."""
    start: pl.Expr | None = None
    for key in keys:
        column = pl.col(key)
        new = column.ne_missing(column.shift(1))
        start = new if start is None else start | new
    start = cast(pl.Expr, start)  # keys is never empty
    return (start | (pl.int_range(pl.len()) == 0)).alias("_start")


def runs(*keys: str) -> list[pl.Expr]:
    """``_start`` and ``_end`` for a frame whose rows of equal ``keys`` are next to each
    other."""
    start: pl.Expr | None = None
    end: pl.Expr | None = None
    for key in keys:
        column = pl.col(key)
        new = column.ne_missing(column.shift(1))
        last = column.ne_missing(column.shift(-1))
        start = new if start is None else start | new
        end = last if end is None else end | last
    start, end = cast(pl.Expr, start), cast(pl.Expr, end)  # keys is never empty
    index = pl.int_range(pl.len())
    start = start | (index == 0)
    end = end | (index == pl.len() - 1)
    return [start.alias("_start"), end.alias("_end")]


def segments() -> list[pl.Expr]:
    """``_seg``, the run number of each row, and ``_first_row``/``_last_row``, the
    positions of its run's first and last rows (after :func:`runs`; positions in this
    frame, so the helpers below read a frame that has not been filtered or sorted since)."""
    index = pl.int_range(pl.len(), dtype=pl.Int64)
    return [
        (pl.col("_start").cast(pl.Int64).cum_sum() - 1).alias("_seg"),
        # a run's first row is the latest start so far; its last row the next end on
        pl.when(pl.col("_start")).then(index).otherwise(0).cum_max().alias("_first_row"),
        pl.when(pl.col("_end"))
        .then(index)
        .otherwise(pl.len())
        .cum_min(reverse=True)
        .alias("_last_row"),
    ]


def first_of(value: pl.Expr) -> pl.Expr:
    """``value`` at the first row of each row's run (a gather at ``_first_row``)."""
    return value.gather(pl.col("_first_row"))


def last_of(value: pl.Expr) -> pl.Expr:
    """``value`` at the last row of each row's run (a gather at ``_last_row``)."""
    return value.gather(pl.col("_last_row"))


def seg_sum(value: pl.Expr) -> pl.Expr:
    """The sum of ``value`` (a non-null integer) over each row's run."""
    total = value.cum_sum()
    return last_of(total) - first_of(total - value)


def seg_max(value: pl.Expr, bound: int, count: int) -> pl.Expr:
    """The maximum of ``value`` (0 <= value < ``bound``) over each row's run, for a frame
    of ``count`` runs."""
    if count * bound >= LIMIT:
        return value.max().over("_seg")
    offset = pl.col("_seg") * bound
    return last_of((offset + value).cum_max()) - offset


def extent(frame: pl.DataFrame) -> tuple[int, int]:
    """The number of runs of ``frame`` (after :func:`segments`) and the length of its
    longest, in one query; (1, 1) when it is empty."""
    seg, width = frame.select(
        pl.col("_seg").max(), (pl.col("_last_row") - pl.col("_first_row")).max()
    ).row(0)
    return (1 if seg is None else int(seg) + 1), (1 if width is None else int(width) + 1)


def first_max(value: pl.Expr, bound: int, count: int, width: int) -> pl.Expr:
    """The position of the first row of each row's run with the run's largest ``value``
    (0 <= value < ``bound``), on every row of the run, for a frame of ``count`` runs
    none longer than ``width``: the maximum of ``value * width + (width - 1 - the row's
    place in its run)`` is at that row, and gives its place (one running maximum)."""
    if count * bound * width >= LIMIT:  # a window (where ``pl.len()`` is the run's)
        place = pl.int_range(pl.len(), dtype=pl.Int64)
        return (pl.col("_first_row") + place).filter(value == value.max()).first().over("_seg")
    place = pl.int_range(pl.len(), dtype=pl.Int64) - pl.col("_first_row")
    best = seg_max(value * width + (width - 1 - place), bound * width, count)
    return pl.col("_first_row") + (width - 1 - best % width)


def first_flagged(flag: pl.Expr) -> pl.Expr:
    """Whether the row is the first of its run with ``flag`` (never null) set."""
    seen = flag.cast(pl.Int64).cum_sum()
    return flag & (seen - first_of(seen - flag.cast(pl.Int64)) == 1)


def pick(flag: pl.Expr, value: pl.Expr) -> pl.Expr:
    """``value`` (>= 0) at the one row of each run with ``flag`` set, on every row of the
    run; -1 where the run has no such row."""
    return seg_sum(pl.when(flag).then(value + 1).otherwise(0)) - 1
