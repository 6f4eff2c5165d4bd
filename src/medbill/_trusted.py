"""Build entities from values already validated, without re-validating.

The entity constructors validate every field (converters, money checks, a combined
error); the 835 reader performs the same checks element by element while reading, with
errors that point at the segment and element, so running them again would only halve
the throughput. :func:`trusted_builder` makes a builder that fills every attrs field of a
class (defaults included, so fields added later still get their default) and skips
``__init__``. It is used only for values that passed the reader's checks; the tests
rebuild read objects through the validating constructors and compare. The fee schedule's
``price_claim`` builds its :class:`~medbill.fees.PricedLine` results the same way: every
value comes from the schedule's own validated cells (a ``PricedLine`` has no converters
or validators, so the object is the one its constructor would build, minus the cost of
the deprecation wrapper and the frozen ``__setattr__`` per field).
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any, TypeVar

import attrs

__all__ = ["positional_source", "trusted_builder", "trusted_positional", "trusted_setters"]

T = TypeVar("T")
_MISSING = object()


def trusted_builder(cls: type[T]) -> Callable[[dict[str, Any]], T]:
    """A function building ``cls`` from a dict of already-valid field values."""
    plain: list[tuple[str, Any]] = []
    factories: list[tuple[str, Callable[..., Any], bool]] = []
    required: list[str] = []
    for field in attrs.fields(cls):  # type: ignore[arg-type]
        default = field.default
        if default is attrs.NOTHING:
            required.append(field.name)
        elif isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            factories.append((field.name, default.factory, default.takes_self))
        else:
            plain.append((field.name, default))
    # One straight-line function per class: no loop or lookup per field when building.
    # Each field is stored through its slot descriptor (what object.__setattr__ would
    # find after a lookup), or object.__setattr__ for a class without slots.
    names: dict[str, Any] = {"new": object.__new__, "cls": cls, "missing": _MISSING}

    def store(name: str) -> str:
        key = f"set_{len(names)}"
        names[key] = _setter(cls, name)
        return key

    lines = ["def build(values):", "    obj = new(cls)", "    get = values.get"]
    for name in required:
        lines.append(f"    {store(name)}(obj, values[{name!r}])")
    for index, (name, default) in enumerate(plain):
        names[f"default_{index}"] = default
        lines.append(f"    {store(name)}(obj, get({name!r}, default_{index}))")
    for index, (name, factory, takes_self) in enumerate(factories):
        names[f"factory_{index}"] = factory
        made = f"factory_{index}(obj)" if takes_self else f"factory_{index}()"
        lines.append(f"    value = get({name!r}, missing)")
        lines.append(f"    {store(name)}(obj, {made} if value is missing else value)")
    lines.append("    return obj")
    exec("\n".join(lines), names)
    built: Callable[[dict[str, Any]], T] = names["build"]
    return built


def _setter(cls: type, name: str) -> Callable[[Any, Any], None]:
    for klass in cls.__mro__:
        descriptor = klass.__dict__.get(name)
        if isinstance(descriptor, types.MemberDescriptorType):
            setter: Callable[[Any, Any], None] = descriptor.__set__
            return setter
    return lambda obj, value: object.__setattr__(obj, name, value)


def trusted_positional(cls: type[T], *fields: str) -> Callable[..., T]:
    """Like :func:`trusted_builder`, taking ``fields`` positionally (no dict to build).

    Every other field of ``cls`` must have a plain default.
    """
    names: dict[str, Any] = {"new": object.__new__, "cls": cls}

    def store(name: str, value: str) -> str:
        key = f"set_{name}"
        names[key] = _setter(cls, name)
        return f"{key}(obj, {value})"

    built: Callable[..., T] = positional_source(cls, fields, names, "cls", store)
    return built


def positional_source(
    cls: type[Any],
    fields: tuple[str, ...],
    names: dict[str, Any],
    made: str,
    store: Callable[[str, str], str],
) -> Callable[..., Any]:
    """Compile ``build(v0, v1, ...)``: a ``new(<made>)`` object whose ``fields`` take the
    arguments in order and whose other fields take their plain default, each field
    stored by the statement ``store(field name, value expression)`` gives. ``names`` is
    the generated function's namespace (it must hold ``new`` and ``made``)."""
    arguments = ", ".join(f"v{i}" for i in range(len(fields)))
    lines = [f"def build({arguments}):", f"    obj = new({made})"]
    for field in attrs.fields(cls):
        if field.name in fields:
            value = f"v{fields.index(field.name)}"
        elif field.default is attrs.NOTHING or isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
            raise TypeError(f"{cls.__name__}.{field.name} needs a value or a plain default")
        else:
            value = f"default_{field.name}"
            names[value] = field.default
        lines.append(f"    {store(field.name, value)}")
    lines.append("    return obj")
    exec("\n".join(lines), names)
    built: Callable[..., Any] = names["build"]
    return built


def trusted_setters(cls: type[Any]) -> dict[str, Callable[[Any, Any], None]]:
    """A setter for each attrs field of ``cls``, for an object still being built.

    A builder may fill an object made by :func:`trusted_positional` field by field as
    it reads, before the object is handed to anyone (its fields are then what the
    constructor would have stored); a frozen object is never changed once handed out.
    """
    return {field.name: _setter(cls, field.name) for field in attrs.fields(cls)}
