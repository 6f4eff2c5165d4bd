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
import re
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar, cast

import attrs
import pendulum

from medbill._errors import ValidationError
from medbill._money import money_problem, normalize_money
from medbill.codes import (
    AdjustmentGroup,
    Carc,
    Icd10Cm,
    Modifier,
    Npi,
    PlaceOfService,
    ProcedureCode,
    Rarc,
    RevenueCode,
)

__all__ = [
    "Invalid",
    "as_date",
    "check",
    "convert",
    "convert_tuple",
    "enum_member",
    "lenient",
    "markers",
    "money_fields",
    "to_date",
    "to_decimal",
    "to_money",
    "to_optional_date",
    "to_optional_decimal",
    "to_optional_money",
    "to_tuple",
    "validate",
]

T = TypeVar("T")
E = TypeVar("E", bound=enum.Enum)


@attrs.frozen
class Invalid:
    """A value a converter could not convert; never escapes a constructor."""

    error: ValidationError


def convert(function: Callable[[Any], T], value: Any) -> T:
    """``function(value)``, or an :class:`Invalid` marker if it raises a ValidationError.

    A value that is already a marker passes through, keeping its original problem.
    """
    if isinstance(value, Invalid):
        return cast(T, value)
    try:
        return function(value)
    except ValidationError as error:
        # Kept without its traceback: the frames it would pin make 20,000 bad values slow.
        return cast(T, Invalid(error.with_traceback(None)))


def lenient(function: Callable[[Any], T]) -> Callable[[Any], T]:
    """Wrap ``function`` so that a failure becomes an :class:`Invalid` marker."""
    return lambda value: convert(function, value)


def to_tuple(values: Any) -> tuple[Any, ...]:
    """Converter: a tuple of the items, or an :class:`Invalid` marker when not a sequence."""
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        return cast(
            tuple[Any, ...], Invalid(ValidationError("", values, "must be a sequence of values"))
        )
    return tuple(values)


def convert_tuple(function: Callable[[Any], T], values: Any) -> tuple[T, ...]:
    """Every item converted (leniently) into a tuple; a bare string is not a sequence."""
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        return cast(
            tuple[T, ...], Invalid(ValidationError("", values, "must be a sequence of values"))
        )
    return tuple(convert(function, v) for v in values)


def _decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int) and not isinstance(value, bool):
        if value.bit_length() > 100:
            raise ValidationError("", value, "is too large")
        number = Decimal(value)
    elif isinstance(value, str):
        if len(value) > 100:
            raise ValidationError("", value, "is too long for a number")
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise ValidationError("", value, "is not a number") from None
    else:
        raise ValidationError("", value, f"must be a Decimal, not {type(value).__name__}")
    if not number.is_finite():
        raise ValidationError("", value, "must be a finite number (not NaN or Infinity)")
    if len(number.as_tuple().digits) > 28:
        raise ValidationError("", value, "must have at most 28 significant digits")
    return number


def _money(value: Any) -> Decimal:
    return normalize_money(_decimal(value))


def to_decimal(value: Decimal | int | str) -> Decimal:
    """Converter: an exact Decimal from a Decimal, int or numeric string (never a float)."""
    return convert(_decimal, value)


def to_optional_decimal(value: Decimal | int | str | None) -> Decimal | None:
    """Converter: like :func:`to_decimal`, keeping ``None``."""
    return None if value is None else convert(_decimal, value)


def to_money(value: Decimal | int | str) -> Decimal:
    """Converter: an amount with exactly two places (``150.000`` becomes ``150.00``).

    Amounts that are not whole cents, or beyond :data:`~medbill._money.MAX_MONEY`, are
    kept as they are for :func:`money_fields` to refuse.
    """
    return convert(_money, value)


def to_optional_money(value: Decimal | int | str | None) -> Decimal | None:
    """Converter: like :func:`to_money`, keeping ``None``."""
    return None if value is None else convert(_money, value)


def _date(value: Any) -> pendulum.Date:
    if isinstance(value, pendulum.Date):
        return value
    if isinstance(value, dt.datetime):
        raise ValidationError("", value, "must be a date, not a date and time")
    if isinstance(value, dt.date):
        return pendulum.date(value.year, value.month, value.day)
    raise ValidationError(
        "", value, f"must be a date such as pendulum.date(2025, 3, 1), not {type(value).__name__}"
    )


def as_date(value: dt.date, field: str) -> pendulum.Date:
    """``value`` as a ``pendulum.Date``: the boundary rule for a date argument.

    Every public function taking a date accepts ``datetime.date`` and ``pendulum.Date``
    alike (NAMING.md); anything else is a :class:`~medbill.ValidationError` naming ``field``.

    >>> import datetime
    >>> as_date(datetime.date(2025, 3, 10), "as_of")
    Date(2025, 3, 10)
    >>> as_date("2025-03-10", "as_of")
    Traceback (most recent call last):
    ...
    medbill.ValidationError: as_of: must be a date such as pendulum.date(2025, 3, 1), not str (got '2025-03-10')
    """
    if isinstance(value, dt.datetime):  # pendulum.DateTime is a pendulum.Date too
        raise ValidationError(field, value, "must be a date, not a date and time")
    try:
        return _date(value)
    except ValidationError as error:
        raise error.renamed(field) from None


def to_date(value: dt.date) -> pendulum.Date:
    """Converter: a ``pendulum.Date`` from any ``datetime.date`` (not a string)."""
    return convert(_date, value)


def to_optional_date(value: dt.date | None) -> pendulum.Date | None:
    """Converter: like :func:`to_date`, keeping ``None``."""
    return None if value is None else convert(_date, value)


def enum_member(enum_type: type[E], value: Any) -> E:
    """A member of ``enum_type`` from itself or its value, or an :class:`Invalid` marker."""
    if isinstance(value, enum_type | Invalid):
        return cast(E, value)
    try:
        return enum_type(value)
    except ValueError:
        allowed = ", ".join(repr(m.value) for m in enum_type)
        return cast(E, Invalid(ValidationError("", value, f"must be one of {allowed}")))


def check(
    condition: bool, field: str, value: Any, reason: str, *, phi: bool = False
) -> ValidationError | None:
    """A problem unless ``condition`` holds."""
    return None if condition else ValidationError(field, value, reason, phi=phi)


def _relabel(error: ValidationError, path: str, phi: bool) -> ValidationError:
    # A converter judges the field's own value, so the field's path replaces the
    # converter's generic name ("procedure_code" becomes "procedure").
    return error.renamed(path, phi=phi or error.phi)


def markers(name: str, value: Any, phi: bool = False) -> Iterable[ValidationError]:
    """The problems of the :class:`Invalid` markers in ``value`` (or in its items)."""
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
    phi_fields: set[str] = set()
    for attribute in attrs.fields(type(obj)):
        phi = bool(attribute.metadata.get("phi", False))
        if phi:
            phi_fields.add(attribute.name)
        problems.extend(markers(attribute.name, getattr(obj, attribute.name), phi))
    converted = not problems
    try:
        problems.extend(c for c in checks if c is not None)
    except (TypeError, AttributeError, ArithmeticError):
        # A check tripped over a value that an earlier conversion or check already
        # reported (a coverage that is a string, then its patient id): report those.
        if converted and not problems:
            raise
    if problems:
        # A check on a PHI field is masked whether or not the check said so.
        problems = [
            p.renamed(p.field, phi=True) if not p.phi and _root(p.field) in phi_fields else p
            for p in problems
        ]
        raise ValidationError.combine(problems)


def _root(path: str) -> str:
    return re.split(r"[.\[]", path, maxsplit=1)[0]


# Named converters for the code types (the attrs mypy plugin needs named functions).


def to_procedure(value: ProcedureCode | str) -> ProcedureCode:
    """Converter: a :class:`~medbill.codes.ProcedureCode`."""
    return convert(ProcedureCode, value)


def to_optional_procedure(value: ProcedureCode | str | None) -> ProcedureCode | None:
    """Converter: a :class:`~medbill.codes.ProcedureCode` or ``None``."""
    return None if value is None else convert(ProcedureCode, value)


# A list or tuple, never a bare string: typed so that mypy refuses ``modifiers="25"`` (which
# is also refused at run time: "must be a sequence of values").
ModifierList = tuple[Modifier | str, ...] | list[Modifier] | list[str] | list[Modifier | str]


def to_modifiers(values: ModifierList) -> tuple[Modifier, ...]:
    """Converter: a tuple of :class:`~medbill.codes.Modifier`."""
    return convert_tuple(Modifier, values)


OneModifier = list[str] | tuple[str, ...] | list[Modifier] | tuple[Modifier, ...]
"""``modifiers=`` of a record keyed by a code and at most one modifier (a list or tuple)."""


def _at_most_one(values: object) -> list[str]:
    if isinstance(values, str | bytes) or not isinstance(values, list | tuple):
        raise ValidationError(
            "modifiers", values, "must be a list of modifiers (at most one), not one string"
        )
    if len(values) > 1:
        raise ValidationError("modifiers", list(values), "names a code and at most one modifier")
    return [str(value).strip().upper() for value in values if str(value).strip()]


def to_one_modifier(values: OneModifier) -> tuple[Modifier, ...]:
    """Converter: at most one :class:`~medbill.codes.Modifier`, as a tuple (a fee entry)."""
    return tuple(Modifier(value) for value in _at_most_one(values))


def to_one_modifier_text(values: OneModifier) -> tuple[str, ...]:
    """Converter: at most one modifier as upper-cased text, as a tuple (a rate, a PPRRVU row)."""
    return tuple(_at_most_one(values))


def to_icd10s(values: Iterable[Icd10Cm | str]) -> tuple[Icd10Cm, ...]:
    """Converter: a tuple of :class:`~medbill.codes.Icd10Cm`."""
    return convert_tuple(Icd10Cm, values)


def to_rarcs(values: Iterable[Rarc | str]) -> tuple[Rarc, ...]:
    """Converter: a tuple of :class:`~medbill.codes.Rarc`."""
    return convert_tuple(Rarc, values)


def to_pos(value: PlaceOfService | str) -> PlaceOfService:
    """Converter: a :class:`~medbill.codes.PlaceOfService`."""
    return convert(PlaceOfService, value)


def to_optional_pos(value: PlaceOfService | str | None) -> PlaceOfService | None:
    """Converter: a :class:`~medbill.codes.PlaceOfService` or ``None``."""
    return None if value is None else convert(PlaceOfService, value)


def to_npi(value: Npi | str) -> Npi:
    """Converter: an :class:`~medbill.codes.Npi`."""
    return convert(Npi, value)


def to_optional_npi(value: Npi | str | None) -> Npi | None:
    """Converter: an :class:`~medbill.codes.Npi` or ``None``."""
    return None if value is None else convert(Npi, value)


def to_carc(value: Carc | str) -> Carc:
    """Converter: a :class:`~medbill.codes.Carc`."""
    return convert(Carc, value)


def to_adjustment_group(value: AdjustmentGroup | str) -> AdjustmentGroup:
    """Converter: an :class:`~medbill.codes.AdjustmentGroup` from itself or ``"CO"``."""
    return convert(AdjustmentGroup.parse, value)


def to_optional_revenue_code(value: RevenueCode | str | None) -> RevenueCode | None:
    """Converter: a :class:`~medbill.codes.RevenueCode` or ``None``."""
    return None if value is None else convert(RevenueCode, value)


def to_upper(value: str) -> str:
    """Converter: strip and upper-case a string (anything else is left for validation)."""
    return value.strip().upper() if isinstance(value, str) else value


def to_digits(value: str | None) -> str | None:
    """Converter: drop the dashes of an identifier such as a ZIP code or an EIN."""
    return value.replace("-", "").strip() if isinstance(value, str) else value
