"""Moving between Arrow/Polars tables and medbill's exact integers (cents, scaled rates)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Final, cast

import polars as pl
import pyarrow as pa

from medbill._errors import ValidationError

__all__ = [
    "ENGINE",
    "Table",
    "cents_to_decimal",
    "decimal_scale",
    "from_cents",
    "round_div",
    "scaled",
    "to_polars",
    "to_cents",
    "to_scaled",
]

Table = pa.Table | pl.DataFrame
"""A table of lines: an Arrow table or a Polars DataFrame (results come back as the same kind)."""

MONEY = pl.Decimal(18, 2)
ENGINE: Final = "in-memory"
"""Polars engine for the lazy stages: measured about twice as fast as the streaming
engine on these many-column expressions (benchmarks/batch.py)."""


def to_polars(table: Any, name: str = "table") -> pl.DataFrame:
    """The table as a Polars DataFrame (zero-copy from Arrow where it can)."""
    if isinstance(table, pl.DataFrame):
        return table
    if isinstance(table, pa.Table):
        return cast(pl.DataFrame, pl.from_arrow(table))  # a Table always gives a frame
    if isinstance(table, pa.RecordBatch):
        return to_polars(pa.Table.from_batches([table]), name)
    raise ValidationError(name, type(table).__name__, "must be a pyarrow.Table or polars.DataFrame")


def like_input(frame: pl.DataFrame, original: Any) -> Any:
    """``frame`` as the kind of table the caller gave."""
    if isinstance(original, pl.DataFrame):
        return frame
    return frame.to_arrow()


def decimal_scale(values: Iterable[Decimal]) -> int:
    """The most decimal places among ``values``."""
    places = 0
    for value in values:
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int):
            places = max(places, -exponent)
    return places


def to_scaled(value: Decimal, scale: int) -> int:
    """``value`` as an integer count of ``10**-scale`` (exact, or ValidationError)."""
    scaled_value = value.scaleb(scale)
    if scaled_value != scaled_value.to_integral_value():
        raise ValidationError("rate", value, f"has more than {scale} decimal places")
    return int(scaled_value)


def scaled(value: Decimal) -> tuple[int, int]:
    """A factor as an exact fraction ``(numerator, denominator)`` with a power-of-ten
    denominator: ``Decimal("0.625")`` is ``(625, 1000)``."""
    scale = decimal_scale([value])
    return to_scaled(value, scale), 10**scale


def round_div(numerator: pl.Expr, denominator: int) -> pl.Expr:
    """``numerator / denominator`` rounded half-up to an integer, for numerators >= 0.

    This is medbill's one rounding rule (half-up to the cent) on scaled integers: with
    ``numerator`` in ``1/denominator`` cents it gives whole cents.
    """
    if denominator == 1:
        return numerator
    return (numerator + denominator // 2) // denominator


def to_cents(column: pl.Expr, dtype: pl.DataType, name: str) -> pl.Expr:
    """A money column (Decimal of any scale, or integer dollars) as int64 cents.

    A Decimal with more than two places that is not whole cents is not rounded: the
    caller flags it (see :func:`cents_problem`).
    """
    if isinstance(dtype, pl.Decimal):
        scale = dtype.scale or 0
        physical = column.cast(pl.Decimal(38, scale)).to_physical().cast(pl.Int64)
        if scale == 2:
            return physical
        if scale < 2:
            return physical * int(10 ** (2 - scale))
        return physical // int(10 ** (scale - 2))
    if dtype.is_integer():
        return column.cast(pl.Int64) * 100
    if dtype == pl.String:
        return to_cents(column.cast(pl.Decimal(18, 2)), pl.Decimal(18, 2), name)
    raise ValidationError(name, str(dtype), "must be a Decimal (or integer) column, never float")


def cents_exact(column: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """Whether each amount is whole cents (always true but for Decimals of scale > 2)."""
    if isinstance(dtype, pl.Decimal) and (dtype.scale or 0) > 2:
        scale = dtype.scale or 0
        physical = column.cast(pl.Decimal(38, scale)).to_physical()
        return (physical % int(10 ** (scale - 2))) == 0
    return pl.lit(True)


def from_cents(cents: pl.Expr) -> pl.Expr:
    """Int64 cents as an exact Decimal(18, 2) (nulls kept): integer arithmetic, no float."""
    return (cents.cast(pl.Decimal(18, 0)) * pl.lit(Decimal("0.01"), dtype=pl.Decimal(3, 2))).cast(
        pl.Decimal(18, 2)
    )


def cents_to_decimal(cents: pl.Series) -> pl.Series:
    """Int64 cents as an exact Decimal(18, 2) Series: each integer becomes the 128-bit
    value of a Decimal(18, 2) with the same digits (two's complement: the integer, then
    its sign extended), read with two places (no multiplication, no float). Cents of 19
    digits take Polars' cast (which refuses them)."""
    low, high = cents.min(), cents.max()
    if high is not None and max(high, -low) >= _EIGHTEEN_DIGITS:  # type: ignore[operator]
        array = cents.cast(pl.Decimal(18, 0)).to_arrow()  # Polars' own checks
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
    else:
        array = cents.cast(pl.Int64).rechunk().to_arrow()
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        if _np is not None and len(array):
            negative = low is not None and low < 0  # type: ignore[operator]
            array = _widened(array, negative=bool(negative))
        else:
            array = array.cast(pa.decimal128(19, 0))
    decimals = pa.Array.from_buffers(
        MONEY_ARROW, len(array), array.buffers(), array.null_count, array.offset
    )
    return pl.Series(cents.name, decimals)


def _widened(array: pa.Array, *, negative: bool) -> pa.Array:
    """An Arrow int64 array as decimal128(19, 0) of the same integers: each value's low 64
    bits are the integer and its high 64 bits its sign (``value >> 63``), which is the
    little-endian two's complement 128-bit integer Arrow's decimals hold. The values
    under nulls are whatever they were (``negative``: whether any value is below zero); the validity bitmap is kept as it is."""
    length, offset = len(array), array.offset
    np = cast(Any, _np)  # the caller checks numpy is installed
    values = np.frombuffer(array.buffers()[1], dtype=np.int64, count=offset + length)
    if negative:  # every word is written
        wide = np.empty((offset + length, 2), dtype=np.int64)
        np.right_shift(values, 63, out=wide[:, 1])
    else:  # every high word is 0
        wide = np.zeros((offset + length, 2), dtype=np.int64)
    wide[:, 0] = values
    return pa.Array.from_buffers(
        pa.decimal128(19, 0),
        length,
        [array.buffers()[0], pa.py_buffer(wide)],
        array.null_count,
        offset,
    )


try:  # numpy is not a dependency of the batch extra; Arrow's cast does the same, slower
    import numpy as _np
except ImportError:  # pragma: no cover - numpy comes with most installs of pyarrow
    _np = None  # type: ignore[assignment]


def has_numpy() -> bool:
    """Whether numpy is there for :func:`_widened`."""
    return _np is not None


MONEY_ARROW: Final = pa.decimal128(18, 2)
_EIGHTEEN_DIGITS: Final = 10**18
