"""The deprecated variance percent of check_payments, against Decimal's own rounding."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from medbill.batch._check import _variance_hundredths

_CENTS = st.one_of(st.none(), st.integers(-(10**11), 10**11), st.integers(-300, 300))
_PAIRS = st.one_of(
    st.tuples(_CENTS, _CENTS),
    # exact halves of a hundredth: m * (2j + 1) cents of 200.00 * m
    st.builds(
        lambda m, j, sign: (sign * m * (2 * j + 1), 20000 * m),
        st.integers(-50, 50).filter(bool),
        st.integers(0, 10**6),
        st.sampled_from([1, -1]),
    ),
)


def _percent(variance: int | None, expected: int | None) -> int | None:
    """``LineCheck.variance_percent`` in hundredths (``quantize`` rounds half to even)."""
    if expected is None or expected == 0 or variance is None:
        return None
    percent = (Decimal(variance) * 100 / Decimal(expected)).quantize(Decimal("0.01"))
    return int(percent * 100)


@given(st.lists(_PAIRS, min_size=1, max_size=60))
def test_variance_hundredths_rounds_as_decimal(pairs: list[tuple[int | None, int | None]]) -> None:
    frame = pl.LazyFrame(
        {"_allowed_variance": [v for v, _ in pairs], "_expected": [e for _, e in pairs]},
        schema={"_allowed_variance": pl.Int64, "_expected": pl.Int64},
    )
    got = frame.pipe(_variance_hundredths).collect()["_variance_hundredths"].to_list()
    assert got == [_percent(v, e) for v, e in pairs]


def test_variance_hundredths_ties_go_to_even() -> None:
    # 1 cent of 200.00 is 0.005 % (half a hundredth): to 0.00; 3 cents 0.015 %: to 0.02
    variances, expected = [1, 3, -1, -3, 1, 5], [20000, 20000, 20000, -20000, -20000, 0]
    frame = pl.LazyFrame(
        {"_allowed_variance": variances, "_expected": expected},
        schema={"_allowed_variance": pl.Int64, "_expected": pl.Int64},
    )
    got = frame.pipe(_variance_hundredths).collect()["_variance_hundredths"].to_list()
    assert got == [0, 2, 0, 2, 0, None]
    assert got == [_percent(v, e) for v, e in zip(variances, expected, strict=True)]
