"""The public surface is deliberate: each public module's ``__all__`` matches a checked-in list.

Each list lives in ``tests/api/<module>.txt``, one name per line. A change to what medbill
exports fails here until the list is updated on purpose (and CHANGELOG.md says so).
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

API_DIR = Path(__file__).parent / "api"
MODULES = sorted(p.stem for p in API_DIR.glob("medbill*.txt"))


@pytest.mark.parametrize("module_name", MODULES)
def test_all_matches_checked_in_list(module_name: str) -> None:
    module = importlib.import_module(module_name)
    expected = sorted(
        line.strip()
        for line in (API_DIR / f"{module_name}.txt").read_text().splitlines()
        if line.strip()
    )
    assert sorted(module.__all__) == expected


@pytest.mark.parametrize("module_name", MODULES)
def test_every_exported_name_exists_and_is_documented(module_name: str) -> None:
    module = importlib.import_module(module_name)
    for name in module.__all__:
        obj = getattr(module, name)
        if name.startswith("__") or not callable(obj):
            continue
        assert obj.__doc__, f"{module_name}.{name} has no docstring"


def test_every_public_package_has_a_list() -> None:
    package = Path(importlib.import_module("medbill").__file__ or "").parent
    public = (
        {"medbill"}
        | {
            "medbill." + p.parent.name
            for p in package.glob("*/__init__.py")
            if not p.parent.name.startswith("_")
        }
        | {"medbill." + p.stem for p in package.glob("*.py") if not p.stem.startswith("_")}
    )
    assert public <= set(MODULES), f"public modules without a list: {public - set(MODULES)}"
