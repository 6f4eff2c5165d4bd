"""The linear-pass window helpers give the window expressions' answers."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from medbill.batch._segments import (
    LIMIT,
    extent,
    first_flagged,
    first_max,
    first_of,
    last_of,
    pick,
    runs,
    seg_max,
    seg_sum,
    segments,
    starts,
)

groups = st.lists(
    st.tuples(st.integers(0, 5), st.integers(0, 40), st.booleans()), min_size=1, max_size=60
)


def _frame(rows: list[tuple[int, int, bool]]) -> pl.DataFrame:
    keys = sorted(range(len(rows)), key=lambda n: rows[n][0])  # runs of equal keys, stably
    frame = pl.DataFrame(
        {
            "key": [rows[n][0] for n in keys],
            "value": [rows[n][1] for n in keys],
            "flag": [rows[n][2] for n in keys],
        },
        schema={"key": pl.Int64, "value": pl.Int64, "flag": pl.Boolean},
    ).with_row_index("row")
    return frame.with_columns(runs("key")).with_columns(segments())


@settings(max_examples=200, deadline=None)
@given(rows=groups, tight=st.booleans())
def test_helpers_equal_windows(rows: list[tuple[int, int, bool]], tight: bool) -> None:
    frame = _frame(rows)
    count = frame["_seg"].max() + 1  # type: ignore[operator]
    # tight: the offsets fit; else a bound so large that seg_max falls back to a window
    bound = 41 if tight else LIMIT
    value, flag, row = pl.col("value"), pl.col("flag"), pl.col("row").cast(pl.Int64)
    got = frame.select(
        seg_sum(value).alias("sum"),
        seg_max(value, bound, count).alias("max"),  # type: ignore[arg-type]
        first_of(value).alias("first"),
        last_of(value).alias("last"),
        first_flagged(flag).alias("first_flagged"),
        pick(first_flagged(flag), row).alias("pick"),
    )
    first_row = pl.when(flag).then(row).min().over("key")
    want = frame.select(
        value.sum().over("key").alias("sum"),
        value.max().over("key").alias("max"),
        value.first().over("key").alias("first"),
        value.last().over("key").alias("last"),
        (flag & (row == first_row)).fill_null(False).alias("first_flagged"),
        first_row.fill_null(-1).alias("pick"),
    )
    assert got.to_dicts() == want.to_dicts()
    assert frame["_seg"].to_list() == frame.select(pl.col("key").rle_id())["key"].to_list()


@settings(max_examples=200, deadline=None)
@given(rows=groups, tight=st.booleans())
def test_first_max_and_starts_equal_windows(rows: list[tuple[int, int, bool]], tight: bool) -> None:
    frame = _frame(rows)
    count = frame["_seg"].max() + 1  # type: ignore[operator]
    bound = 41 if tight else LIMIT
    value, row = pl.col("value"), pl.col("row").cast(pl.Int64)
    got = frame.select(
        first_max(value, bound, count, extent(frame)[1]).alias("first_max"),  # type: ignore[arg-type]
        starts("key").alias("start"),
    )
    want = frame.select(
        row.filter(value == value.max()).min().over("key").alias("first_max"),
        pl.col("_start").alias("start"),
    )
    assert got.to_dicts() == want.to_dicts()
    assert extent(frame)[1] == frame.group_by("key").len()["len"].max()
    assert extent(frame)[0] == count
