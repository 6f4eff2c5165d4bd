"""Cents become exact Decimal(18, 2) columns, whichever way the buffers are built."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medbill.batch import _tables

AMOUNTS = st.one_of(
    st.none(),
    st.integers(-(10**18) + 1, 10**18 - 1),
    st.integers(-1000, 1000),
    st.sampled_from([0, -1, 1, 10**18 - 1, -(10**18) + 1]),
)


@settings(max_examples=200, deadline=None)
@given(values=st.lists(AMOUNTS, max_size=40), cut=st.integers(0, 3), twice=st.booleans())
def test_cents_to_decimal_is_exact(values: list[int | None], cut: int, twice: bool) -> None:
    cents = pl.Series("x", values, dtype=pl.Int64)
    if twice:  # two chunks
        cents = pl.concat([cents, cents], rechunk=False)
    cents = cents.slice(min(cut, cents.len()))  # an offset into the buffers
    want = [None if v is None else Decimal(v).scaleb(-2) for v in cents.to_list()]
    got = _tables.cents_to_decimal(cents)
    assert got.dtype == pl.Decimal(18, 2)
    assert got.name == "x"
    assert got.to_list() == want
    with pytest.MonkeyPatch.context() as patch:  # without numpy: Arrow's cast
        patch.setattr(_tables, "_np", None)
        assert _tables.cents_to_decimal(cents).to_list() == want


@pytest.mark.parametrize("value", [10**18, -(10**18)])
def test_cents_of_19_digits_are_refused(value: int) -> None:
    with pytest.raises(pl.exceptions.InvalidOperationError):
        _tables.cents_to_decimal(pl.Series([None, value]))
