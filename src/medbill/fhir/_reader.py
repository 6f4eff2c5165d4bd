"""Reading FHIR JSON while recording which elements were used.

A :class:`Node` wraps one JSON object with its FHIR path (``Claim.item[2]``). Every value
the mapping reads is marked as used; what is left over is reported as
:class:`~medbill.fhir.Unmapped`, so nothing in the input is dropped silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any, TypeVar

import attrs
import pendulum

from medbill._errors import ValidationError
from medbill.fhir import _systems as sys_

__all__ = ["Context", "Node", "Unmapped", "build", "fail"]

T = TypeVar("T")
_CENT = Decimal("0.01")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@attrs.frozen
class Unmapped:
    """An element of the FHIR input that medbill does not model, with its path and JSON value.

    ``repr()`` shows the path only: the value may hold protected health information.

    >>> Unmapped("Patient.maritalStatus", {"text": "M"})
    Unmapped(path='Patient.maritalStatus')
    """

    path: str
    value: Any = attrs.field(repr=False)


def fail(path: str, value: Any, reason: str, *, phi: bool = False) -> ValidationError:
    """A :class:`~medbill.ValidationError` naming the FHIR path."""
    return ValidationError(path, value, reason, phi=phi)


class Context:
    """The state of one read: used paths, contained resources and the Bundle's resources."""

    def __init__(self, root: Any, root_path: str) -> None:
        self.root = root
        self.root_path = root_path
        self.used: set[str] = set()
        self.by_reference: dict[str, tuple[dict[str, Any], str]] = {}
        self.contained: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
        self.cache: dict[tuple[str, str], Any] = {}

    def unmapped(self) -> tuple[Unmapped, ...]:
        """Every element of the input not used, at its highest unused path."""
        touched: set[str] = set()
        for path in self.used:
            touched.update(_prefixes(path))
        found: list[Unmapped] = []
        _walk(self.root, self.root_path, self.used, touched, found)
        return tuple(found)


def _prefixes(path: str) -> Iterator[str]:
    for index, char in enumerate(path):
        if char in ".[" and index:
            yield path[:index]
    yield path


def _walk(value: Any, path: str, used: set[str], touched: set[str], found: list[Unmapped]) -> None:
    if path in used:
        return
    if path not in touched:
        found.append(Unmapped(path, value))
        return
    if isinstance(value, dict):
        for key, item in value.items():
            _walk(item, f"{path}.{key}", used, touched, found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk(item, f"{path}[{index}]", used, touched, found)


class Node:
    """One JSON object of the input, at ``path``; reading a key marks it used."""

    __slots__ = ("context", "data", "path")

    def __init__(self, data: dict[str, Any], path: str, context: Context) -> None:
        self.data = data
        self.path = path
        self.context = context

    def at(self, key: str) -> str:
        """The path of ``key`` below this node."""
        return f"{self.path}.{key}"

    def has(self, key: str) -> bool:
        """Whether the element is present (reading nothing)."""
        return self.data.get(key) not in (None, [], {})

    def use(self, *keys: str) -> None:
        """Mark elements as used without reading them (their meaning is implied)."""
        for key in keys:
            if key in self.data:
                self.context.used.add(self.at(key))

    def use_all(self) -> None:
        """Mark the whole node as used."""
        self.context.used.add(self.path)

    def value(self, key: str) -> Any:
        """The raw value of ``key`` (``None`` when absent), marked used."""
        if key not in self.data:
            return None
        self.context.used.add(self.at(key))
        return self.data[key]

    def string(self, key: str) -> str | None:
        """A string element."""
        found = self.value(key)
        if found is not None and not isinstance(found, str):
            raise fail(self.at(key), found, "must be a string")
        return found

    def required(self, key: str, why: str) -> Any:
        """The value of ``key``; an error naming the path when it is absent."""
        found = self.value(key)
        if found in (None, "", [], {}):
            raise fail(self.at(key), None, f"is required by medbill ({why})")
        return found

    def node(self, key: str) -> Node | None:
        """The child object at ``key``."""
        found = self.data.get(key)
        if found is None:
            return None
        if not isinstance(found, dict):
            raise fail(self.at(key), found, "must be a JSON object")
        return Node(found, self.at(key), self.context)

    def required_node(self, key: str, why: str) -> Node:
        """The child object at ``key``; an error naming the path when it is absent."""
        found = self.node(key)
        if found is None:
            raise fail(self.at(key), None, f"is required by medbill ({why})")
        return found

    def nodes(self, key: str) -> list[Node]:
        """The child objects of the array at ``key``."""
        found = self.data.get(key)
        if found is None:
            return []
        if not isinstance(found, list):
            raise fail(self.at(key), found, "must be a JSON array")
        if not found:
            self.use(key)
        return [
            Node(item, f"{self.path}.{key}[{index}]", self.context)
            for index, item in enumerate(found)
            if isinstance(item, dict)
        ]

    def strings(self, key: str) -> list[str]:
        """The strings of the array at ``key``, marked used."""
        found = self.value(key)
        if found is None:
            return []
        if not isinstance(found, list) or not all(isinstance(s, str) for s in found):
            raise fail(self.at(key), found, "must be an array of strings")
        return list(found)

    def date(self, key: str) -> pendulum.Date | None:
        """A FHIR date or dateTime, as its calendar date."""
        found = self.value(key)
        if found is None:
            return None
        return parse_date(self.at(key), found)

    def money(self, key: str) -> Decimal | None:
        """A Money element in US dollars, exact to the cent when it is."""
        money = self.node(key)
        if money is None:
            return None
        return money.amount()

    def amount(self) -> Decimal:
        """This node read as a Money (value and currency)."""
        currency = self.string("currency")
        if currency not in (None, "USD"):
            raise fail(self.at("currency"), currency, "medbill keeps US dollars only")
        value = self.value("value")
        if value is None:
            raise fail(self.at("value"), None, "is required by medbill (an amount)")
        return to_cents(decimal_value(self.at("value"), value))

    def decimal(self, key: str) -> Decimal | None:
        """A decimal element, exactly."""
        found = self.value(key)
        return None if found is None else decimal_value(self.at(key), found)

    def extensions(self, url: str) -> list[Node]:
        """The extensions of this node with ``url``, marked used."""
        found = [e for e in self.nodes("extension") if e.data.get("url") == url]
        for extension in found:
            extension.use("url")
        return found

    def extension(self, url: str) -> Node | None:
        """The single extension with ``url``."""
        found = self.extensions(url)
        return found[0] if found else None

    def extension_value(self, name: str, kind: str) -> Any:
        """The ``value[kind]`` of medbill's extension ``name``, marked used."""
        found = self.extension(sys_.extension_url(name))
        return None if found is None else found.value(f"value{kind}")


def decimal_value(path: str, value: Any) -> Decimal:
    """An exact Decimal from a JSON number (a float is read through its shortest repr)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise fail(path, value, "must be a number")
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except ArithmeticError:
        raise fail(path, value, "is not a number") from None
    if not number.is_finite():
        raise fail(path, value, "must be finite")
    return number


def to_cents(number: Decimal) -> Decimal:
    """``number`` with two places when that is exact (``75.5`` is ``75.50``)."""
    cents = number.quantize(_CENT)
    return cents if cents == number else number


def parse_date(path: str, value: Any) -> pendulum.Date:
    """The calendar date of a FHIR ``date`` or ``dateTime``."""
    if not isinstance(value, str) or not _DATE.match(value):
        raise fail(path, value, "medbill needs a full date (YYYY-MM-DD)")
    try:
        return pendulum.date(int(value[:4]), int(value[5:7]), int(value[8:10]))
    except ValueError:
        raise fail(path, value, "is not a calendar date") from None


def build(entity_type: Callable[..., T], paths: Mapping[str, str], /, **fields: Any) -> T:
    """``entity_type(**fields)``, with every problem renamed to the FHIR path of its field.

    ``paths`` maps a field name (the first part of a problem's field) to its FHIR path.
    """
    try:
        return entity_type(**fields)
    except ValidationError as error:
        raise ValidationError.combine(
            [_renamed(p, paths) for p in error.problems],
            more=error.problem_count - len(error.problems),
        ) from None


def _renamed(problem: ValidationError, paths: Mapping[str, str]) -> ValidationError:
    head = re.split(r"[.\[]", problem.field, maxsplit=1)[0]
    target = paths.get(head)
    if target is None:
        return problem
    return problem.renamed(target + problem.field[len(head) :])


# --- codings -----------------------------------------------------------------------------


def codings(concept: Node | None) -> list[Node]:
    """The codings of a CodeableConcept."""
    return [] if concept is None else concept.nodes("coding")


def coding_in(concept: Node | None, systems: frozenset[str] | set[str]) -> Node | None:
    """The first coding of ``concept`` in one of ``systems``; it is marked used."""
    for coding in codings(concept):
        if coding.data.get("system") in systems:
            coding.use("system", "code", "display", "version", "userSelected")
            return coding
    return None


def code_in(concept: Node | None, system: str) -> str | None:
    """The code of the first coding of ``concept`` in ``system``."""
    coding = coding_in(concept, {system})
    return None if coding is None else coding.data.get("code")


def single_code(concept: Node, systems: Mapping[str, Callable[[str], T]], what: str) -> T:
    """The code of ``concept`` in one of ``systems``, converted; an error naming the path
    of the coding otherwise (a code in a system medbill does not keep is refused)."""
    found = codings(concept)
    for coding in found:
        system = coding.data.get("system")
        if system in systems:
            code = coding.data.get("code")
            coding.use("system", "code", "display", "version", "userSelected")
            try:
                return systems[str(system)](code if isinstance(code, str) else "")
            except ValidationError as error:
                raise fail(coding.at("code"), code, f"{error.reason} ({what})") from None
    if not found:
        raise fail(concept.at("coding"), None, f"is required by medbill ({what})")
    names = ", ".join(systems)
    first = found[0]
    raise fail(
        first.path,
        f"{first.data.get('system')}|{first.data.get('code')}",
        f"is outside medbill's {what}: medbill keeps codes of {names}",
    )


def coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    """A Coding."""
    found: dict[str, Any] = {"system": system, "code": code}
    if display is not None:
        found["display"] = display
    return found


def concept(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    """A CodeableConcept with one coding."""
    return {"coding": [coding(system, code, display)]}


def money(amount: Decimal) -> dict[str, Any]:
    """A Money in US dollars."""
    return {"value": amount, "currency": "USD"}


def extension(name: str, kind: str, value: Any) -> dict[str, Any]:
    """medbill's extension ``name`` with ``value[kind]``."""
    return {"url": sys_.extension_url(name), f"value{kind}": value}


def absent_reference() -> dict[str, Any]:
    """A Reference medbill cannot fill: data-absent-reason ``unknown``."""
    return {"extension": [{"url": sys_.DATA_ABSENT_REASON, "valueCode": "unknown"}]}


_FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")


def fhir_id(value: str) -> str | None:
    """``value`` when it is a valid FHIR resource id, else ``None``."""
    return value if _FHIR_ID.fullmatch(value) else None
