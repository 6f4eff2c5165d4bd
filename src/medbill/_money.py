"""Money: exact ``Decimal`` amounts and the one rounding rule.

All money in medbill is :class:`decimal.Decimal`. Amounts that enter the library
(charges, payments, adjustments) must already be whole cents: a ``float`` or an amount
with more than two decimal places (``Decimal("1.005")``) is rejected, never rounded.
Computed amounts are rounded half-up to the cent (:func:`round_cents`) only at the points
the documentation of each calculation names.

One shape: every amount is held with exactly two places (``Decimal("150.000")`` becomes
``Decimal("150.00")`` at construction; ``Decimal("150.005")`` is refused). One bound:
:data:`MAX_MONEY`, 9,999,999,999.99 either way, applies to every entity, store and file
format. It fits X12's 18-character amounts, SQLite's and PostgreSQL's 64-bit integer
cents with room for sums of many entries, and Decimal's 28-digit default context, so no
arithmetic on valid amounts is ever rounded by the context. NaN, Infinity and sNaN are
refused wherever money, units or rates appear.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Final, cast

from medbill._errors import ValidationError

__all__ = [
    "CENT",
    "MAX_MONEY",
    "MAX_RATE_DIGITS",
    "ZERO",
    "as_money",
    "as_rate",
    "money_problem",
    "normalize_money",
    "round_cents",
]

CENT: Final = Decimal("0.01")
ZERO: Final = Decimal("0.00")
MAX_MONEY: Final = Decimal("9999999999.99")
"""The largest amount (either sign) medbill accepts anywhere."""
MAX_RATE_DIGITS: Final = 20
"""Significant digits a rate, RVU, GPCI or unit count may have at most."""


def round_cents(amount: Decimal) -> Decimal:
    """Round half-up to the cent: the rounding rule of every computed amount.

    >>> from decimal import Decimal
    >>> from medbill import round_cents
    >>> round_cents(Decimal("80.005"))
    Decimal('80.01')
    >>> round_cents(Decimal("-80.005"))
    Decimal('-80.01')
    """
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def money_problem(field: str, value: object, *, signed: bool = True) -> ValidationError | None:
    """Describe why ``value`` is not an exact amount of money, or return ``None``.

    >>> from decimal import Decimal
    >>> print(money_problem("charge", Decimal("1.005")))
    charge: must have at most 2 decimal places; medbill does not round input (got Decimal('1.005'))
    >>> money_problem("charge", Decimal("1.05")) is None
    True
    """
    if isinstance(value, bool) or not isinstance(value, Decimal):
        kind = type(value).__name__
        return ValidationError(field, value, f"must be a Decimal amount, not {kind}")
    if not value.is_finite():
        return ValidationError(field, value, "must be a finite amount")
    if abs(value) > MAX_MONEY:
        return ValidationError(field, value, f"must be at most {MAX_MONEY:,} either way")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2 and value != value.quantize(CENT):
        return ValidationError(
            field, value, "must have at most 2 decimal places; medbill does not round input"
        )
    if not signed and value < 0:
        return ValidationError(field, value, "must not be negative")
    return None


def normalize_money(value: Decimal) -> Decimal:
    """``value`` with exactly two places when that changes nothing; else unchanged.

    Invalid amounts (too many places, out of bounds, NaN) are left as they are for
    :func:`money_problem` to report.

    >>> from decimal import Decimal
    >>> normalize_money(Decimal("150.000")), normalize_money(Decimal("150.005"))
    (Decimal('150.00'), Decimal('150.005'))
    """
    if not value.is_finite() or abs(value) > MAX_MONEY:
        return value
    cents = value.quantize(CENT)
    return cents if cents == value else value


def as_money(value: object, field: str = "amount", *, signed: bool = True) -> Decimal:
    """Turn ``value`` into an exact cent amount, or raise :class:`ValidationError`.

    Accepts a ``Decimal``, an ``int`` or a numeric string; never a ``float``.

    >>> as_money("12.5")
    Decimal('12.50')
    >>> as_money(12.5)
    Traceback (most recent call last):
    ...
    medbill.ValidationError: amount: must be a Decimal amount, not float (got 12.5)
    """
    candidate: object = value
    if isinstance(value, int) and not isinstance(value, bool):
        if value.bit_length() > 64:
            raise ValidationError(field, value, f"must be at most {MAX_MONEY:,} either way")
        candidate = Decimal(value)
    elif isinstance(value, str):
        if len(value) > 100:
            raise ValidationError(field, value, "is too long for an amount")
        try:
            candidate = Decimal(value.strip())
        except InvalidOperation:
            raise ValidationError(field, value, "is not a number") from None
    problem = money_problem(field, candidate, signed=signed)
    if problem is not None:
        raise problem
    return cast(Decimal, candidate).quantize(CENT)


def as_rate(value: object, field: str = "rate") -> Decimal:
    """Turn ``value`` into an exact ``Decimal`` rate (a GPCI, a percentage, an RVU).

    >>> as_rate("0.20")
    Decimal('0.20')
    >>> as_rate(0.2)
    Traceback (most recent call last):
    ...
    medbill.ValidationError: rate: must be a Decimal, int or numeric string, not float (got 0.2)
    """
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValidationError(field, value, "must be finite")
        return _bounded_rate(value, field)
    if isinstance(value, int) and not isinstance(value, bool):
        return _bounded_rate(Decimal(value), field)
    if isinstance(value, str):
        if len(value) > 100:
            raise ValidationError(field, value, "is too long for a number")
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValidationError(field, value, "is not a number") from None
        if result.is_finite():
            return _bounded_rate(result, field)
    raise ValidationError(
        field, value, f"must be a Decimal, int or numeric string, not {type(value).__name__}"
    )


def _bounded_rate(value: Decimal, field: str) -> Decimal:
    if len(value.as_tuple().digits) > MAX_RATE_DIGITS or value.adjusted() > 9:
        raise ValidationError(
            field,
            value,
            f"must have at most {MAX_RATE_DIGITS} significant digits and be below 10 billion",
        )
    return value
