"""Lossless JSON for every medbill entity, through one configured ``cattrs`` converter.

Amounts are written as strings (``"150.00"``) so no float ever touches money, dates as ISO
8601 (``"2025-03-04"``), instants as ISO 8601 in UTC, codes as their canonical strings and
enumerations as their values. The top level of every document carries
``"schema_version"``; reading a document from a newer schema is refused.

Reading is strict: a missing field, an unknown field, a wrong type or a value an entity
rejects raises one :class:`~medbill.ValidationError` whose ``problems`` name the path of
every bad field (``lines[0].charge``), never a bare ``KeyError`` or ``TypeError``.

Every public attrs type round-trips except the reference data read from published files
(fee schedules and Medicare releases, NCCI edits, code sets, a scrub context holding
them), Arrow tables and the FHIR results (entities of any type): :func:`to_dict` refuses those with a
:class:`~medbill.ValidationError` naming the type (write and read their source files, or
Parquet, instead); a contract term that holds a schedule is refused the same way.

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
import inspect
import json
import types
import typing
from collections.abc import Iterator, Mapping, Sequence
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

from medbill._deprecation import (
    FOLDED_MODIFIER,
    FOLDED_PERIOD_ENDS,
    FOLDED_PERIODS,
    RENAMED_FIELDS,
)
from medbill._errors import MAX_LISTED_PROBLEMS, ValidationError
from medbill._validation import convert, enum_member, markers
from medbill.codes import Code

__all__ = [
    "MAX_JSON_CHARACTERS",
    "SCHEMA_VERSION",
    "converter",
    "from_dict",
    "from_json",
    "to_dict",
    "to_json",
]

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


def _init_fields(cls: type[Any]) -> tuple[attrs.Attribute[Any], ...]:
    """The fields a JSON document carries: those the class's constructor takes.

    A class with its own ``__init__`` (a ledger :class:`~medbill.ledger.Posting` takes an
    account and an amount, and derives its cents) is written and read through that
    constructor's parameters, so what is written can always be read back.
    """
    fields = [f for f in attrs.fields(cls) if f.init]
    if "__init__" not in vars(cls) or not hasattr(cls, "__attrs_init__"):
        return tuple(fields)
    parameters = inspect.signature(cls.__init__).parameters
    return tuple(f for f in fields if f.name in parameters)


def _attrs_union(tp: Any) -> bool:
    members = (
        typing.get_args(tp) if typing.get_origin(tp) in (typing.Union, types.UnionType) else ()
    )
    classes = [m for m in members if m is not type(None)]
    return len(classes) > 1 and all(isinstance(m, type) and attrs.has(m) for m in classes)


_KIND: Final = "kind"


def _object_keyed(tp: Any) -> bool:
    """A mapping whose keys are entities (a plan's balances by ``Account``)."""
    if typing.get_origin(tp) not in (dict, typing.Mapping, Mapping):
        return False
    args = typing.get_args(tp)
    return len(args) == 2 and isinstance(args[0], type) and attrs.has(args[0])


_SEQUENCES: Final = (tuple, list, Sequence, typing.Sequence)


def _homogeneous_sequence(tp: Any) -> bool:
    """``tuple[X, ...]``, ``list[X]`` or ``Sequence[X]``: structured by :func:`_sequence_factory`."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin not in _SEQUENCES or not args:
        return False
    return origin is not tuple or (len(args) == 2 and args[1] is Ellipsis)


def _sequence_factory(tp: Any, conv: cattrs.Converter) -> Any:
    """Structure the items one by one, keeping the details of the first problems only.

    Past :data:`~medbill._errors.MAX_LISTED_PROBLEMS` a bad item is only counted: no
    renamed copy, no cattrs exception group, no traceback kept, so a document with
    20,000 bad lines is refused at the cost of reading it.
    """
    item_type = typing.get_args(tp)[0]
    as_tuple = typing.get_origin(tp) is tuple

    def structure(data: Any, _: Any) -> Any:
        if not isinstance(data, list):
            raise ValidationError("", type(data).__name__, "must be a JSON array")
        items: list[Any] = []
        problems: list[ValidationError] = []
        omitted = 0
        for index, item in enumerate(data):
            try:
                items.append(conv.structure(item, item_type))
            except (BaseValidationError, ValidationError) as error:
                if len(problems) < MAX_LISTED_PROBLEMS:
                    problems.extend(_leaves(error, f"[{index}]"))
                    omitted += _omitted(error)
                else:
                    omitted += _count(error)
        if problems:
            raise ValidationError.combine(problems, more=omitted)
        return tuple(items) if as_tuple else items

    return structure


def _keyed_unstructure_factory(tp: Any, conv: cattrs.Converter) -> Any:
    key_type, value_type = typing.get_args(tp)

    def unstructure(mapping: Any) -> Any:
        # JSON keys are strings: an entity key is written as [key, value] pairs, in order.
        return [
            [conv.unstructure(key, key_type), conv.unstructure(value, value_type)]
            for key, value in mapping.items()
        ]

    return unstructure


def _keyed_structure_factory(tp: Any, conv: cattrs.Converter) -> Any:
    key_type, value_type = typing.get_args(tp)

    def structure(data: Any, _: Any) -> Any:
        if not isinstance(data, list):
            raise ValidationError("", type(data).__name__, "must be a list of [key, value] pairs")
        result: dict[Any, Any] = {}
        problems: list[ValidationError] = []
        for index, pair in enumerate(data):
            if not isinstance(pair, list) or len(pair) != 2:
                problems.append(ValidationError(f"[{index}]", None, "must be a [key, value] pair"))
                continue
            try:
                key = conv.structure(pair[0], key_type)
                value = conv.structure(pair[1], value_type)
            except (BaseValidationError, ValidationError) as error:
                problems.extend(_leaves(error, f"[{index}]"))
                continue
            if key in result:
                problems.append(ValidationError(f"[{index}]", None, "repeats a key"))
            result[key] = value
        if problems:
            raise ValidationError.combine(problems)
        return result

    return structure


def _union_unstructure_factory(tp: Any, conv: cattrs.Converter) -> Any:
    def unstructure(obj: Any) -> Any:
        if obj is None:
            return None
        data = conv.unstructure(obj, type(obj))
        return {_KIND: type(obj).__name__, **data}

    return unstructure


def _union_structure_factory(tp: Any, conv: cattrs.Converter) -> Any:
    members = {m.__name__: m for m in typing.get_args(tp) if m is not type(None)}
    allowed = ", ".join(repr(name) for name in members)

    def structure(data: Any, _: Any) -> Any:
        if data is None and type(None) in typing.get_args(tp):
            return None
        if not isinstance(data, dict):
            raise ValidationError("", type(data).__name__, "must be a JSON object")
        kind = data.get(_KIND)
        member = members.get(kind) if isinstance(kind, str) else None
        if member is None:
            raise ValidationError(_KIND, kind, f"must be one of {allowed}")
        return conv.structure({k: v for k, v in data.items() if k != _KIND}, member)

    return structure


def _not_json() -> dict[type[Any], str]:
    """The attrs types that hold reference data instead of values, and what to do instead."""
    from medbill.claims import CodeSets, NcciEdits, ScrubContext
    from medbill.fees import FeeScheduleTerm, MedicareRelease, PercentOfMedicare
    from medbill.fhir._api import FhirBundleResult, FhirResult

    schedule = "holds a fee schedule (reference data): name the schedule in a contract TOML"
    entity = "holds entities of any type: write each entity (or the FHIR JSON) instead"
    refused: dict[type[Any], str] = {}
    try:
        from medbill.batch._remittance import RemittanceTables
    except ImportError:  # pragma: no cover - medbill[batch] (pyarrow) not installed
        pass
    else:
        refused[RemittanceTables] = "holds Arrow tables: write them with write_parquet"
    return {
        **refused,
        FhirResult: entity,
        FhirBundleResult: entity,
        CodeSets: "is reference data read from the CMS code set files: keep those files",
        NcciEdits: "is reference data read from the CMS NCCI files: keep those files",
        MedicareRelease: "is reference data read from the CMS PFS files: keep those files",
        ScrubContext: "holds reference data (code sets, NCCI edits, payer rules): rebuild it",
        FeeScheduleTerm: schedule,
        PercentOfMedicare: schedule,
    }


def _refusing_hook(cls: type[Any], reason: str) -> Any:
    def unstructure(obj: Any) -> Any:
        raise ValidationError("obj", cls.__name__, f"cannot be written as JSON: it {reason}")

    return unstructure


def _unstructure_hook_factory(cls: type[Any], conv: cattrs.Converter) -> Any:
    refused = _not_json().get(cls)
    if refused is not None:
        return _refusing_hook(cls, refused)
    hints = typing.get_type_hints(cls)
    fields = [(f.name, hints.get(f.name)) for f in _init_fields(cls)]

    def unstructure(obj: Any) -> dict[str, Any]:
        # By the declared type, so a member of a union of classes is written with its kind.
        return {name: conv.unstructure(getattr(obj, name), hint) for name, hint in fields}

    return unstructure


def _unknown_field(cls: type[Any], key: str) -> ValidationError:
    # Inside an object made of PHI (a name, an address) a stray key may be PHI shifted out
    # of its value, so its text is neither in the path nor in the value shown.
    if any(f.metadata.get("phi") for f in attrs.fields(cls)):
        return ValidationError("<unknown field>", key, "is not a known field", phi=True)
    return ValidationError(key, key, "is not a known field")


def _attrs_hook_factory(cls: type[Any], conv: cattrs.Converter) -> Any:
    """Structure an entity field by field, collecting every problem before raising."""
    fields = _init_fields(cls)
    hints = typing.get_type_hints(cls)
    known = {attribute.name for attribute in fields}
    # A document written before a field was renamed (0.1) carries the old key: read it.
    renamed: dict[str, str] = getattr(cls, RENAMED_FIELDS, {})
    # ... and a document written before a start/end pair became one Period carries both.
    folded: dict[str, tuple[str, str]] = getattr(cls, FOLDED_PERIODS, {})
    # ... and one written when a rate or fee entry had one ``modifier`` (0.1).
    one_modifier = bool(getattr(cls, FOLDED_MODIFIER, False))
    # ... and one whose range was a start field and an optional end (0.1).
    ends: dict[str, tuple[str, str]] = getattr(cls, FOLDED_PERIOD_ENDS, {})

    def structure(data: Any, _: Any) -> Any:
        if not isinstance(data, dict):
            raise ValidationError("", type(data).__name__, "must be a JSON object")
        if renamed and not renamed.keys().isdisjoint(data):
            data = {
                renamed[key] if key in renamed and renamed[key] not in data else key: value
                for key, value in data.items()
            }
        for into, (old_start, old_end) in folded.items():
            if into not in data and (old_start in data or old_end in data):
                data = dict(data)
                data[into] = {"start": data.pop(old_start, None), "end": data.pop(old_end, None)}
        for into, (start, old_end) in ends.items():
            if into not in data and old_end in data:
                data = dict(data)
                last = data.pop(old_end)
                data[into] = None if last is None else {"start": data.get(start), "end": last}
        if one_modifier and "modifier" in data and "modifiers" not in data:
            data = dict(data)
            old = data.pop("modifier")
            data["modifiers"] = [] if old is None or old == "" else [old]
        problems = [_unknown_field(cls, key) for key in data if key not in known]
        omitted = 0
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
                omitted += _omitted(error)
                continue
            kwargs[attribute.name] = value
        if not problems:
            return cls(**kwargs)  # reports bad values together with the entity's own rules
        for name, value in kwargs.items():
            phi = _is_phi(cls, name)
            problems.extend(markers(name, value, phi))
        raise ValidationError.combine(problems, more=omitted)

    return structure


def _is_set(tp: Any) -> bool:
    return tp in (frozenset, set) or typing.get_origin(tp) in (frozenset, set)


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
    # Sets (payer rule code lists) as sorted lists, so the same set writes the same document.
    conv.register_unstructure_hook_func(
        _is_set, lambda value: sorted((conv.unstructure(v) for v in value), key=str)
    )
    conv.register_structure_hook(Code, _structure_code)
    conv.register_structure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, enum.Enum), _structure_enum
    )
    conv.register_structure_hook_factory(attrs.has, _attrs_hook_factory)
    conv.register_unstructure_hook_factory(attrs.has, _unstructure_hook_factory)
    conv.register_unstructure_hook_factory(_attrs_union, _union_unstructure_factory)
    conv.register_unstructure_hook_factory(_object_keyed, _keyed_unstructure_factory)
    conv.register_structure_hook_factory(_homogeneous_sequence, _sequence_factory)
    conv.register_structure_hook_factory(_object_keyed, _keyed_structure_factory)
    conv.register_structure_hook_factory(_attrs_union, _union_structure_factory)
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


def _count(error: BaseException) -> int:
    """How many problems ``error`` stands for."""
    if isinstance(error, ValidationError):
        return error.problem_count
    if isinstance(error, ForbiddenExtraKeysError):
        return len(error.extra_fields)
    if isinstance(error, BaseValidationError):
        return sum(_count(inner) for inner in error.exceptions)
    return 1


def _omitted(error: BaseException) -> int:
    """How many of the problems of ``error`` :func:`_leaves` does not yield (counted only)."""
    if isinstance(error, ValidationError):
        return error.problem_count - len(error.problems)
    if isinstance(error, BaseValidationError) and not isinstance(error, ForbiddenExtraKeysError):
        return sum(_omitted(inner) for inner in error.exceptions)
    return 0


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
    if not attrs.has(type(obj)):
        raise ValidationError("obj", type(obj).__name__, "is not a medbill entity")
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
    medbill.ValidationError: 3 problems:
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
    target: Any = cls
    if not isinstance(target, type) or not attrs.has(target) or target in _not_json():
        name = getattr(target, "__name__", type(target).__name__)
        raise ValidationError("cls", name, "is not a medbill entity that JSON can hold")
    try:
        return converter.structure(body, cls)
    except (BaseValidationError, ValidationError) as error:
        raise ValidationError.combine(list(_leaves(error, "")), more=_omitted(error)) from None


def to_json(obj: Any, *, indent: int | None = 2) -> str:
    """The entity as a JSON document.

    >>> from medbill.serialize import to_json
    >>> from medbill.testing import make_claim_line
    >>> '"charge": "150.00"' in to_json(make_claim_line())
    True
    """
    data = to_dict(obj)
    try:
        return json.dumps(data, indent=indent, ensure_ascii=False)
    except (TypeError, ValueError) as error:  # a value JSON cannot hold: never a bare TypeError
        raise ValidationError(
            "obj", type(obj).__name__, f"cannot be written as JSON: {error}"
        ) from None


MAX_JSON_CHARACTERS: Final = 64 * 1024 * 1024
"""The largest JSON document :func:`from_json` reads (64 MiB)."""

_MAX_NUMBER_CHARACTERS = 40


class _Object(dict[str, Any]):
    """A JSON object that remembers the keys it saw more than once."""

    duplicates: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, Any]]) -> _Object:
    result = _Object(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        repeated: list[str] = []
        for key, _ in pairs:
            if key in seen and key not in repeated:
                repeated.append(key)
            seen.add(key)
        result.duplicates = tuple(repeated)
    return result


def _number(text: str) -> Decimal | int:
    if len(text) > _MAX_NUMBER_CHARACTERS:
        raise ValidationError(
            "$", text, f"has a number longer than {_MAX_NUMBER_CHARACTERS} characters"
        )
    return Decimal(text) if any(c in text for c in ".eE") else int(text)


def _constant(text: str) -> Any:
    raise ValidationError(
        "$", text, "is not allowed in JSON read by medbill (NaN and Infinity are refused)"
    )


def _duplicate_keys(value: Any, path: str) -> Iterator[ValidationError]:
    stack: list[tuple[Any, str]] = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, dict):
            for key in getattr(item, "duplicates", ()):
                yield ValidationError(
                    _join(where, key), key, "appears more than once in its object"
                )
            stack.extend((v, _join(where, k)) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, f"{where}[{i}]") for i, v in enumerate(item))


def from_json(cls: type[T], text: str | bytes) -> T:
    """Read a ``cls`` from a JSON document (numbers in amounts are read exactly).

    The document's text is never quoted in an error (it may hold PHI); errors give the
    position. Duplicate keys, NaN/Infinity, numbers longer than 40 characters, invalid
    UTF-8, nesting too deep and documents over :data:`MAX_JSON_CHARACTERS` are refused.

    >>> from medbill import ClaimLine
    >>> from medbill.serialize import from_json
    >>> from_json(ClaimLine, "{")
    Traceback (most recent call last):
    ...
    medbill.ValidationError: $: is not valid JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1) (got '<JSON text of 1 characters>')
    >>> from_json(ClaimLine, '{"schema_version": 1, "charge": "1.00", "charge": "2.00"}')
    Traceback (most recent call last):
    ...
    medbill.ValidationError: charge: appears more than once in its object (got 'charge')
    """
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as error:
            raise ValidationError(
                "$", f"<{len(text)} bytes>", f"is not UTF-8 (byte {error.start})"
            ) from None
    if not isinstance(text, str):
        raise ValidationError("$", type(text).__name__, "must be JSON text (str or bytes)")
    shown = f"<JSON text of {len(text)} characters>"
    if len(text) > MAX_JSON_CHARACTERS:
        raise ValidationError("$", shown, f"is larger than {MAX_JSON_CHARACTERS} characters")
    repeated: list[_Object] = []

    def hook(pairs: list[tuple[str, Any]]) -> _Object:
        result = _object(pairs)
        if result.duplicates:
            repeated.append(result)
        return result

    try:
        data = json.loads(
            text,
            parse_float=_number,
            parse_int=_number,
            parse_constant=_constant,
            object_pairs_hook=hook,
        )
    except json.JSONDecodeError as error:
        detail = f"{error.msg}: line {error.lineno} column {error.colno} (char {error.pos})"
        raise ValidationError("$", shown, f"is not valid JSON: {detail}") from None
    except RecursionError:
        raise ValidationError("$", shown, "is nested too deeply") from None
    if repeated:  # walk the tree for the paths only when some object repeated a key
        duplicates = list(_duplicate_keys(data, ""))
        if duplicates:
            raise ValidationError.combine(duplicates)
    return from_dict(cls, data)
