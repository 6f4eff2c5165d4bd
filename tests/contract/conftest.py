"""Fixtures for the ledger store contract: every test runs against every store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pendulum
import pytest

from medbill.ledger import Ledger

AT = pendulum.datetime(2025, 4, 1, 12)


def _clock() -> pendulum.DateTime:
    return AT


@pytest.fixture(params=["memory", "sqlite"])
def make_ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], Ledger]]:
    """A factory of ledgers over one store kind; SQLite ledgers reopen the same file."""
    opened: list[Ledger] = []

    def make() -> Ledger:
        if request.param == "memory":
            ledger = Ledger.in_memory(clock=_clock)
        else:
            ledger = Ledger.open(tmp_path / "ledger.sqlite", clock=_clock)
        opened.append(ledger)
        return ledger

    yield make
    for ledger in opened:
        ledger.close()


@pytest.fixture
def ledger(make_ledger: Callable[[], Ledger]) -> Ledger:
    """A fresh ledger over the store under test."""
    return make_ledger()
