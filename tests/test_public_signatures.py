"""Every medbill type a public signature names is itself public (issue 19).

A user who reads ``estimate_responsibility(priced: ...)`` or ``Ledger(clock: ...)`` must be
able to import the type to annotate their own code. This walks the annotations of every
exported function, class (its fields and public methods) and checks that each medbill class
or typed id they mention is exported by some public module (``tests/api/medbill*.txt``).

The one documented exception is a *receive-only* type: a record medbill builds and hands
back (a report row, a match, a plan), which users read but never construct. Each is listed,
with the public module it is reached from, in ``tests/api/receive_only.txt``; it is out of
``__all__``, provisional (docs/api.md lists it as such), imported there under
``TYPE_CHECKING`` so that mypy still types it, and at run time its old path warns. The
tests below check the list both ways: every entry is really returned by a public function
(directly or inside what one returns) and exported nowhere, and nothing else is excused.
"""

from __future__ import annotations

import ast
import datetime
import enum
import functools
import importlib
import inspect
import sys
import typing
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

API_DIR = Path(__file__).parent / "api"
MODULES = sorted(p.stem for p in API_DIR.glob("medbill*.txt"))
RECEIVE_ONLY_LIST = API_DIR / "receive_only.txt"


def receive_only_entries() -> list[tuple[str, str]]:
    """``(public module, name)`` for each line of ``tests/api/receive_only.txt``."""
    entries = []
    for line in RECEIVE_ONLY_LIST.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            module, name = line.split()
            entries.append((module, name))
    return entries


@functools.cache
def receive_only() -> dict[int, tuple[str, Any]]:
    """``id(type) -> (where, type)`` for the listed receive-only types (importable from their module, no warning)."""
    found: dict[int, tuple[str, Any]] = {}
    for module_name, name in receive_only_entries():
        module = importlib.import_module(module_name)
        tp = getattr(module, name)
        found[id(tp)] = (f"{module_name}.{name}", tp)
    return found


def _public_objects() -> dict[int, str]:
    exported: dict[int, str] = {}
    for name in MODULES:
        module = importlib.import_module(name)
        for attribute in module.__all__:
            exported.setdefault(id(getattr(module, attribute)), f"{name}.{attribute}")
    return exported


def _type_checking_imports(module: Any) -> dict[str, Any]:
    """The names a module imports under ``if TYPE_CHECKING:`` (for its annotations only)."""
    names: dict[str, Any] = {}
    try:
        tree = ast.parse(inspect.getsource(module))
    except (OSError, TypeError):
        return names
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for statement in node.body:
                if isinstance(statement, ast.Import | ast.ImportFrom):
                    try:
                        exec(compile(ast.Module([statement], []), "<annotations>", "exec"), names)
                    except ImportError:
                        continue
    return names


@functools.cache
def _namespace() -> dict[str, Any]:
    """Every name of every loaded medbill module, ``TYPE_CHECKING``-only imports included."""
    names: dict[str, Any] = {"dt": datetime, "datetime": datetime, **vars(typing)}
    for module_name, module in list(sys.modules.items()):
        if module_name.split(".")[0] == "medbill" and module is not None:
            names.update({k: v for k, v in vars(module).items() if not k.startswith("__")})
            names.update(_type_checking_imports(module))
    return names


def _hints(target: Any) -> dict[str, Any]:
    try:
        return typing.get_type_hints(target)
    except NameError:
        return typing.get_type_hints(target, localns=_namespace())


def _exported_and_received() -> Iterator[tuple[str, Any]]:
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            yield f"{module_name}.{name}", getattr(module, name)
    yield from receive_only().values()


def _annotated() -> Iterator[tuple[str, Any]]:
    """(where, annotated object) for each public function, attrs class and public method.

    The receive-only types count: users read their fields and call their methods.
    """
    seen: set[int] = set()
    for where, obj in _exported_and_received():
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if inspect.isfunction(obj):
            yield where, obj
        elif inspect.isclass(obj) and not issubclass(obj, enum.Enum | BaseException):
            if attrs.has(obj):
                yield where, obj
            for attribute, value in vars(obj).items():
                if attribute.startswith("_") and attribute != "__init__":
                    continue
                if attrs.has(obj) and attribute == "__init__":
                    continue  # the fields, above
                if isinstance(value, staticmethod | classmethod):
                    value = value.__func__
                if isinstance(value, property):
                    value = value.fget
                if inspect.isfunction(value):
                    yield f"{where}.{attribute}", value


def _medbill_types(annotation: Any) -> Iterator[Any]:
    stack, seen = [annotation], set()
    while stack:
        tp = stack.pop()
        if id(tp) in seen:
            continue
        seen.add(id(tp))
        module = getattr(tp, "__module__", None) or ""
        named = isinstance(tp, type) or hasattr(tp, "__supertype__")  # a class or a NewType
        if named and module.split(".")[0] == "medbill":
            yield tp
        stack.extend(typing.get_args(tp))


def unexported_types() -> dict[str, list[str]]:
    """Each medbill type a public signature names that no ``__all__`` exports, with its uses.

    The receive-only types are left out: they are excused by their list, checked below.
    """
    exported = _public_objects()
    excused = receive_only()
    found: dict[str, list[str]] = {}
    for where, target in _annotated():
        for parameter, annotation in _hints(target).items():
            for tp in _medbill_types(annotation):
                if id(tp) not in exported and id(tp) not in excused:
                    name = f"{tp.__module__}.{getattr(tp, '__qualname__', tp.__name__)}"
                    found.setdefault(name, []).append(f"{where} ({parameter})")
    return found


# A type a user never names: the class around it is made by medbill, not by its users.
NOT_FOR_USERS = {
    # RemittanceStream is what iter_835 returns; its constructor is internal (issue 15)
    "medbill.x12._reader835._TransactionReader",
}


def test_every_type_in_a_public_signature_is_exported() -> None:
    found = {k: v for k, v in unexported_types().items() if k not in NOT_FOR_USERS}
    assert not found, "\n".join(f"{name}: {', '.join(uses)}" for name, uses in found.items())


def returned_types() -> set[int]:
    """Every medbill type a public function or method returns, and what those hold.

    From the return annotations of the exported functions and methods (and the receive-only
    types' own methods), following the fields and the method results of each type reached.
    """
    reached: dict[int, Any] = {}
    stack: list[Any] = []
    for _, target in _annotated():
        if not inspect.isclass(target):
            stack.extend(_medbill_types(_hints(target).get("return")))
    while stack:
        tp = stack.pop()
        if id(tp) in reached:
            continue
        reached[id(tp)] = tp
        if not inspect.isclass(tp):
            continue
        if attrs.has(tp):
            for annotation in _hints(tp).values():
                stack.extend(_medbill_types(annotation))
        for attribute, value in vars(tp).items():
            if attribute.startswith("_"):
                continue
            if isinstance(value, staticmethod | classmethod):
                value = value.__func__
            if isinstance(value, property):
                value = value.fget
            if inspect.isfunction(value):
                stack.extend(_medbill_types(_hints(value).get("return")))
    return set(reached)


def test_each_receive_only_type_is_returned_and_exported_nowhere() -> None:
    exported = _public_objects()
    returned = returned_types()
    entries = receive_only_entries()
    assert len(entries) == len(set(entries)) == len(receive_only()), "one line per type"
    for key, (where, _) in receive_only().items():
        module_name, name = where.rsplit(".", 1)
        assert name not in importlib.import_module(module_name).__all__, where
        assert key not in exported, f"{where} is exported as {exported.get(key)}: not excused"
        assert key in returned, f"{where} is not returned by any public function"


def test_each_receive_only_type_imports_from_its_module_without_a_warning() -> None:
    # provisional, not deprecated: importing it at run time must not warn (nor fail
    # under -W error), and it is the class its home module defines
    for module_name, name in receive_only_entries():
        module = importlib.import_module(module_name)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            tp = getattr(module, name)
        assert name not in module.__all__, f"{module_name}.{name}"
        assert tp.__module__.startswith("medbill."), f"{module_name}.{name}"
        assert getattr(importlib.import_module(tp.__module__), name) is tp


def test_the_walk_finds_an_unexported_type(monkeypatch: pytest.MonkeyPatch) -> None:
    # the check can fail: hide one exported type and it must be reported
    import medbill.fees

    hidden = [n for n in medbill.fees.__all__ if n != "PricedLine"]
    monkeypatch.setattr(medbill.fees, "__all__", hidden)
    found = unexported_types()
    assert "medbill.fees._priced.PricedLine" in found


def test_the_clock_type_is_exported() -> None:
    import medbill
    import medbill.ledger

    # one home (medbill); the 0.1 path still gives the same type, warning
    assert "Clock" not in medbill.ledger.__all__
    with pytest.warns(DeprecationWarning, match=r"medbill\.ledger: Clock .* medbill\.Clock"):
        assert medbill.Clock is medbill.ledger.Clock
    hints = typing.get_type_hints(medbill.ledger.Ledger.in_memory)
    assert hints["clock"] == medbill.Clock | None
