"""Typing helpers for building the foundation's entities from claims code."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from medbill._payment import Adjustment
from medbill._validation import to_date, to_decimal
from medbill.codes import Modifier

T = TypeVar("T")

__all__ = ["construct", "construct_like", "date_field", "decimal_field", "adjustments", "modifiers"]


def construct(cls: type[T], /, **fields: Any) -> T:
    """``cls(**fields)``: for attrs entities whose ``converter=tuple`` fields mypy cannot type."""
    return cls(**fields)


def construct_like(instance: T, /, **changes: Any) -> T:
    """``attrs.evolve(instance, **changes)``, typed like :func:`construct`."""
    result: T = attrs.evolve(instance, **changes)  # type: ignore[misc]
    return result


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
