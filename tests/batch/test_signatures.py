"""Lines priced once per distinct signature: the grouping is exact, the row order free."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medbill.batch import lines_table, price_lines
from medbill.batch._keys import exact_signatures, signatures
from medbill.fees import MedicareFeeSchedule

from .generate import code_pool, many_claims

KEYS = ["procedure", "modifier_1", "service_date"]
VALUES = st.tuples(
    st.sampled_from(["99213", "99214", "20610", " 20610", "J1100"]),
    st.one_of(st.none(), st.sampled_from(["", "50", "26", "TC"])),
    st.one_of(st.none(), st.sampled_from([dt.date(2024, 6, 3), dt.date(2025, 4, 1)])),
)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(VALUES, max_size=40))
def test_signatures_group_equal_rows_only(rows: list[tuple[object, ...]]) -> None:
    frame = pl.DataFrame(
        rows, schema={"procedure": pl.String, "modifier_1": pl.String, "service_date": pl.Date},
        orient="row",
    )  # fmt: skip
    for find in (signatures, exact_signatures):
        sig, distinct = find(frame, KEYS)
        assert sig.len() == frame.height
        # every row is its signature's row (nulls equal), and the signatures are distinct
        assert distinct[sig].rows() == frame.rows()
        assert len(set(distinct.rows())) == distinct.height
        # first-seen order
        assert distinct.rows() == list(dict.fromkeys(frame.rows()))


def test_price_lines_answers_do_not_depend_on_row_order(releases: MedicareFeeSchedule) -> None:
    # claims whose lines are interleaved with other claims' are ranked the same
    batch = many_claims(code_pool(releases), 400, seed=17)
    table = pl.from_arrow(
        lines_table([c for c, _ in batch], locality={str(c.id): loc for c, loc in batch})
    )
    assert isinstance(table, pl.DataFrame)
    # every claim's first line, then every claim's second line, ...: each claim keeps its
    # own line order (the ranking breaks ties by it), the claims are interleaved
    position = pl.int_range(pl.len()).over("claim_id")
    shuffled = table.sort(position, pl.col("claim_id").hash(seed=17))
    runs = shuffled.select(pl.col("claim_id").rle_id().max() + 1).item()
    assert runs > table["claim_id"].n_unique()
    key = ["claim_id", "line_id"]
    first = price_lines(table, releases).sort(key)
    second = price_lines(shuffled, releases).sort(key)
    assert first.equals(second)
    assert first["mppr_rank"].drop_nulls().len() > 0


def test_signatures_sharing_a_hash_are_kept_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    # every row hashes alike: the comparison finds it, and the columns themselves group
    frame = pl.DataFrame(
        {"procedure": ["99213", "20610", "99213", None], "modifier_1": [None, "50", None, "26"]}
    )
    monkeypatch.setattr(
        pl.DataFrame,
        "hash_rows",
        lambda self, *a, **k: pl.Series([7] * self.height, dtype=pl.UInt64),
    )
    sig, distinct = signatures(frame, ["procedure", "modifier_1"])
    assert sig.to_list() == [0, 1, 0, 2]
    assert distinct.rows() == [("99213", None), ("20610", "50"), (None, "26")]
