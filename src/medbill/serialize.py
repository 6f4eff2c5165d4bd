"""Lossless JSON for every medbill entity, through one configured ``cattrs`` converter.

Amounts are written as strings (``"150.00"``) so no float ever touches money, dates as ISO
8601 (``"2025-03-04"``), instants as ISO 8601 in UTC, codes as their canonical strings and
enumerations as their values. The top level of every document carries
``"schema_version"``; reading a document from a newer schema is refused.

Reading is strict: a missing field, an unknown field, a wrong type or a value an entity
rejects raises one :class:`~medbill.ValidationError` whose ``problems`` name the path of
every bad field (``lines[0].charge``), never a bare ``KeyError`` or ``TypeError``.

>>> from medbill.serialize import from_json, to_json
>>> from medbill.testing import make_claim
>>> from medbill import Claim
>>> claim = make_claim()
>>> from_json(Claim, to_json(claim)) == claim
True
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import typing
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any, Final, TypeVar

import attrs
import cattrs
import pendulum
from cattrs.errors import (
    AttributeValidationNote,
    BaseValidationError,
    ForbiddenExtraKeysError,
    IterableValidationNote,
)

from medbill._errors import ValidationError
from medbill._validation import convert, enum_member, markers
from medbill.codes import Code

__all__ = ["SCHEMA_VERSION", "converter", "from_dict", "from_json", "to_dict", "to_json"]

SCHEMA_VERSION: Final = 1
"""Version of the JSON layout written by :func:`to_dict`; bumped on incompatible change."""

T = TypeVar("T")


# The hooks for codes, amounts, dates and enumerations do not raise: a bad value becomes
# an Invalid marker that the entity's constructor reports together with its own rule
# checks, so one bad field never hides the others.


def _decimal_value(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ValidationError("", value, 'must be a decimal string such as "12.50"')
    try:
        result = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
    except InvalidOperation:
        raise ValidationError("", value, "is not a number") from None
    if not result.is_finite():
        raise ValidationError("", value, "must be finite")
    return result


def _structure_decimal(value: Any, _: type) -> Decimal:
    return convert(_decimal_value, value)


def _date_value(value: Any) -> pendulum.Date:
    if not isinstance(value, str):
        raise ValidationError("", value, "must be an ISO 8601 date string (YYYY-MM-DD)")
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError("", value, "is not an ISO 8601 date (YYYY-MM-DD)") from None
    return pendulum.date(day.year, day.month, day.day)


def _structure_date(value: Any, _: type) -> pendulum.Date:
    return convert(_date_value, value)


def _structure_datetime(value: Any, _: type) -> pendulum.DateTime:
    if not isinstance(value, str):
        raise ValidationError("", value, "must be an ISO 8601 date-time string")
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError("", value, "is not an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        raise ValidationError("", value, "must carry a UTC offset")
    return pendulum.instance(moment).in_timezone("UTC")


def _structure_enum(value: Any, cls: type[enum.Enum]) -> enum.Enum:
    return enum_member(cls, value)


def _structure_code(value: Any, cls: type[Code]) -> Code:
    return convert(cls, value)


def _structure_str(value: Any, _: type) -> str:
    if not isinstance(value, str):
        raise ValidationError("", value, f"must be a string, not {type(value).__name__}")
    return value


def _structure_int(value: Any, _: type) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError("", value, f"must be a whole number, not {type(value).__name__}")
    return value


def _structure_bool(value: Any, _: type) -> bool:
    if not isinstance(value, bool):
        raise ValidationError("", value, f"must be true or false, not {type(value).__name__}")
    return value


def _attrs_hook_factory(cls: type[Any], conv: cattrs.Converter) -> Any:
    """Structure an entity field by field, collecting every problem before raising."""
    fields = attrs.fields(cls)
    hints = typing.get_type_hints(cls)
    known = {attribute.name for attribute in fields}

    def structure(data: Any, _: Any) -> Any:
        if not isinstance(data, dict):
            raise ValidationError("", type(data).__name__, "must be a JSON object")
        problems = [
            ValidationError(key, key, "is not a known field") for key in data if key not in known
        ]
        kwargs: dict[str, Any] = {}
        for attribute in fields:
            phi = bool(attribute.metadata.get("phi", False))
            if attribute.name not in data:
                if attribute.default is attrs.NOTHING:
                    problems.append(ValidationError(attribute.name, None, "is required"))
                continue
            try:
                value = conv.structure(data[attribute.name], hints[attribute.name])
            except (BaseValidationError, ValidationError) as error:
                problems.extend(_leaves(error, attribute.name, phi))
                continue
            kwargs[attribute.name] = value
        if not problems:
            return cls(**kwargs)  # reports bad values together with the entity's own rules
        for name, value in kwargs.items():
            phi = bool(attrs.fields_dict(cls)[name].metadata.get("phi", False))
            problems.extend(markers(name, value, phi))
        raise ValidationError.combine(problems)

    return structure


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    # Hooks registered by class dispatch on the most specific class, so codes (str
    # subclasses) get their own hook below and never the plain str one.
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(bool, _structure_bool)
    conv.register_unstructure_hook(Decimal, str)
    conv.register_structure_hook(Decimal, _structure_decimal)
    conv.register_unstructure_hook(pendulum.Date, lambda d: d.isoformat())
    conv.register_structure_hook(pendulum.Date, _structure_date)
    conv.register_unstructure_hook(pendulum.DateTime, lambda d: d.in_timezone("UTC").isoformat())
    conv.register_structure_hook(pendulum.DateTime, _structure_datetime)
    conv.register_unstructure_hook(Code, str)
    conv.register_structure_hook(Code, _structure_code)
    conv.register_structure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, enum.Enum), _structure_enum
    )
    conv.register_structure_hook_factory(attrs.has, _attrs_hook_factory)
    return conv


converter: Final[cattrs.Converter] = _make_converter()
"""The one configured converter; register hooks for your own types on a copy of it."""


def _join(prefix: str, field: str) -> str:
    if not field:
        return prefix
    if not prefix:
        return field
    return f"{prefix}{field}" if field.startswith("[") else f"{prefix}.{field}"


def _is_phi(cls: Any, name: str) -> bool:
    fields = attrs.fields_dict(cls) if attrs.has(cls) else {}
    return name in fields and bool(fields[name].metadata.get("phi", False))


def _leaves(error: BaseException, path: str, phi: bool = False) -> Iterator[ValidationError]:
    if isinstance(error, ForbiddenExtraKeysError):
        for key in sorted(error.extra_fields):
            yield ValidationError(_join(path, key), key, "is not a known field")
    elif isinstance(error, BaseValidationError):
        owner = getattr(error, "cl", None)
        for inner in error.exceptions:
            step, inner_phi = "", phi
            for note in getattr(inner, "__notes__", []):
                if isinstance(note, AttributeValidationNote):
                    step = note.name
                    inner_phi = phi or _is_phi(owner, note.name)
                elif isinstance(note, IterableValidationNote):
                    step = f"[{note.index}]"
            yield from _leaves(inner, _join(path, step), inner_phi)
    elif isinstance(error, ValidationError):
        for problem in error.problems:
            yield problem.renamed(_join(path, problem.field), phi=phi or problem.phi)
    elif isinstance(error, KeyError):
        yield ValidationError(path, None, "is required")
    else:
        yield ValidationError(path, None, f"cannot be read: {error}", phi=phi)


def to_dict(obj: Any) -> dict[str, Any]:
    """The entity as plain JSON-ready data, with ``schema_version`` at the top level.

    >>> from medbill.serialize import to_dict
    >>> from medbill.testing import make_patient
    >>> data = to_dict(make_patient())
    >>> data["schema_version"], data["birth_date"]
    (1, '1980-05-17')
    """
    data = converter.unstructure(obj)
    if not isinstance(data, dict):
        raise ValidationError("obj", type(obj).__name__, "is not a medbill entity")
    return {"schema_version": SCHEMA_VERSION, **data}


def from_dict(cls: type[T], data: Any) -> T:
    """Build a ``cls`` from :func:`to_dict` data, reporting every bad field at once.

    >>> from medbill import Patient
    >>> from medbill.serialize import from_dict
    >>> from_dict(Patient, {"schema_version": 1, "id": "MRN-1", "name": {"family": "Doe"},
    ...                     "birth_date": "1980-13-01", "sex": "X"})
    Traceback (most recent call last):
    ...
    medbill._errors.ValidationError: 3 problems:
      - name.given: is required (got None)
      - birth_date: is not an ISO 8601 date (YYYY-MM-DD) (got '19**-**-**')
      - sex: must be one of 'F', 'M', 'U' (got 'X')
    """
    if not isinstance(data, dict):
        raise ValidationError("$", type(data).__name__, "must be a JSON object")
    version = data.get("schema_version")
    if version is None:
        raise ValidationError("schema_version", None, "is required")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValidationError("schema_version", version, "must be a positive whole number")
    if version > SCHEMA_VERSION:
        raise ValidationError(
            "schema_version",
            version,
            f"is newer than this medbill understands ({SCHEMA_VERSION}); upgrade medbill",
        )
    body = {k: v for k, v in data.items() if k != "schema_version"}
    try:
        return converter.structure(body, cls)
    except (BaseValidationError, ValidationError) as error:
        raise ValidationError.combine(list(_leaves(error, ""))) from None


def to_json(obj: Any, *, indent: int | None = 2) -> str:
    """The entity as a JSON document.

    >>> from medbill.serialize import to_json
    >>> from medbill.testing import make_claim_line
    >>> '"charge": "150.00"' in to_json(make_claim_line())
    True
    """
    return json.dumps(to_dict(obj), indent=indent, ensure_ascii=False)


def from_json(cls: type[T], text: str | bytes) -> T:
    """Read a ``cls`` from a JSON document (numbers in amounts are read exactly).

    >>> from medbill import ClaimLine
    >>> from medbill.serialize import from_json
    >>> from_json(ClaimLine, "{")
    Traceback (most recent call last):
    ...
    medbill._errors.ValidationError: $: is not valid JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1) (got '{')
    """
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        shown = text if len(text) <= 40 else text[:40]
        raise ValidationError("$", shown, f"is not valid JSON: {error}") from None
    return from_dict(cls, data)
