"""Named attrs converters for the claims types (mypy's attrs plugin needs named functions)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from medbill._payment import Adjustment
from medbill._validation import to_date, to_decimal
from medbill.codes import Modifier

__all__ = ["adjustments", "date_field", "decimal_field", "modifiers"]


def adjustments(values: Iterable[Adjustment]) -> tuple[Adjustment, ...]:
    """Converter: a tuple of adjustments."""
    return tuple(values)


def modifiers(values: Iterable[Modifier | str]) -> tuple[Modifier, ...]:
    """Converter: a tuple of modifiers (strings are parsed)."""
    return tuple(Modifier(v) for v in values)


def decimal_field(value: Any) -> Decimal:
    """The entities' lenient Decimal converter, as a named function for mypy."""
    result: Decimal = to_decimal(value)
    return result


def date_field(value: Any) -> Any:
    """The entities' lenient date converter, as a named function for mypy."""
    return to_date(value)
