"""Construction-time validation shared by the entities.

Converters never raise: a value they cannot convert is kept as an :class:`Invalid`
marker, and each entity's ``__attrs_post_init__`` calls :func:`validate`, which gathers
every marker and every failed check into one :class:`~medbill.ValidationError`. So an
object with five bad fields reports all five, and an invalid object never escapes its
constructor.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar, cast

import attrs
import pendulum

from medbill._errors import ValidationError
from medbill._money import money_problem

__all__ = [
    "Invalid",
    "check",
    "lenient",
    "lenient_tuple",
    "to_date",
    "to_decimal",
    "to_enum",
    "to_optional_date",
    "validate",
]

T = TypeVar("T")
E = TypeVar("E", bound=enum.Enum)


@attrs.frozen
class Invalid:
    """A value a converter could not convert; never escapes a constructor."""

    error: ValidationError


def lenient(convert: Callable[[Any], T]) -> Callable[[Any], T]:
    """Wrap ``convert`` so that a failure becomes an :class:`Invalid` marker."""

    def converter(value: Any) -> T:
        try:
            return convert(value)
        except ValidationError as error:
            return cast(T, Invalid(error))

    return converter


def lenient_tuple(convert: Callable[[Any], T]) -> Callable[[Iterable[Any]], tuple[T, ...]]:
    """Convert every item of an iterable (not a bare string) to a tuple, leniently."""
    item = lenient(convert)

    def converter(values: Iterable[Any]) -> tuple[T, ...]:
        if isinstance(values, str | bytes) or not isinstance(values, Iterable):
            return cast(
                tuple[T, ...],
                Invalid(ValidationError("", values, "must be a sequence of values")),
            )
        return tuple(item(v) for v in values)

    return converter


def _to_decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            raise ValidationError("", value, "is not a number") from None
    raise ValidationError("", value, f"must be a Decimal, not {type(value).__name__}")


to_decimal = lenient(_to_decimal)


def _to_date(value: Any) -> pendulum.Date:
    if isinstance(value, pendulum.Date):
        return value
    if isinstance(value, dt.datetime):
        raise ValidationError("", value, "must be a date, not a date and time")
    if isinstance(value, dt.date):
        return pendulum.date(value.year, value.month, value.day)
    raise ValidationError(
        "", value, f"must be a date such as pendulum.date(2025, 3, 1), not {type(value).__name__}"
    )


to_date = lenient(_to_date)


def to_optional_date(value: Any) -> pendulum.Date | None:
    return None if value is None else to_date(value)


def to_enum(enum_type: type[E]) -> Callable[[Any], E]:
    """A lenient converter accepting a member of ``enum_type`` or its value."""
    allowed = ", ".join(repr(m.value) for m in enum_type)

    def convert(value: Any) -> E:
        if isinstance(value, enum_type):
            return value
        try:
            return enum_type(value)
        except ValueError:
            raise ValidationError("", value, f"must be one of {allowed}") from None

    return lenient(convert)


def check(
    condition: bool, field: str, value: Any, reason: str, *, phi: bool = False
) -> ValidationError | None:
    """A problem unless ``condition`` holds."""
    return None if condition else ValidationError(field, value, reason, phi=phi)


def _relabel(error: ValidationError, path: str, phi: bool) -> ValidationError:
    # A converter judges the field's own value, so the field's path replaces the
    # converter's generic name ("procedure_code" becomes "lines[0].procedure").
    if type(error).__init__ is ValidationError.__init__:
        return type(error)(path, error.value, error.reason, phi=phi or error.phi)
    return ValidationError(path, error.value, error.reason, phi=phi or error.phi)


def _markers(name: str, value: Any, phi: bool) -> Iterable[ValidationError]:
    if isinstance(value, Invalid):
        yield _relabel(value.error, name, phi)
    elif isinstance(value, tuple):
        for index, item in enumerate(value):
            if isinstance(item, Invalid):
                yield _relabel(item.error, f"{name}[{index}]", phi)


def money_fields(obj: Any, *names: str, signed: bool = False) -> Iterable[ValidationError | None]:
    """Money checks (exact Decimal, at most 2 places, sign) for the named fields."""
    for name in names:
        value = getattr(obj, name)
        if value is not None and not isinstance(value, Invalid):
            yield money_problem(name, value, signed=signed)


def validate(obj: Any, checks: Iterable[ValidationError | None] = ()) -> None:
    """Raise one error listing every conversion failure and failed check of ``obj``.

    ``checks`` is usually a generator; a check that trips over a value that already failed
    its conversion ends the checking (that value's problem is already reported).
    """
    problems: list[ValidationError] = []
    for attribute in attrs.fields(type(obj)):
        phi = bool(attribute.metadata.get("phi", False))
        problems.extend(_markers(attribute.name, getattr(obj, attribute.name), phi))
    converted = not problems
    try:
        problems.extend(c for c in checks if c is not None)
    except (TypeError, AttributeError, ArithmeticError):
        if converted:
            raise
    if problems:
        raise ValidationError.combine(problems)
