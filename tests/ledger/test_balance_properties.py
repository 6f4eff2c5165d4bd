"""Incrementally maintained balances equal a naive re-summation of the journal.

Random entries over a small chart are posted (some reversed); every account, every roll-up
and a few dimension combinations without a roll-up are then compared, now and as of several
dates, with a second method: summing the postings of ``ledger.entries()`` by hand.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medbill.ledger import Account, JournalEntry, Ledger, Posting

START = pendulum.date(2025, 1, 1)
ACCOUNTS = [
    Account.cash(),
    Account.cash("acme"),
    Account.patient_receivable("P1", "C1"),
    Account.patient_receivable("P1", "C1", "1"),
    Account.patient_receivable("P2", "C2"),
    Account.insurance_receivable("acme", "primary", "P1", "C1", "1"),
    Account.insurance_receivable("acme", "secondary", "P1", "C1"),
    Account.insurance_receivable("beta", "primary", "P2", "C2"),
    Account.gross_charges("P1", "C1", "1"),
    Account.patient_credit("P1"),
]
QUERIES: list[dict[str, str]] = [
    {},
    {"patient": "P1"},
    {"payer": "acme"},
    {"payer": "acme", "level": "primary"},
    {"claim": "C1"},
    {"claim": "C1", "line": "1"},
    {"payer": "acme", "level": "secondary", "claim": "C1"},
    {"patient": "P1", "payer": "acme"},  # no roll-up: answered by a scan
    {"level": "primary"},  # no roll-up either
]


@st.composite
def entries(draw: st.DrawFn) -> list[tuple[int, list[tuple[int, int]]]]:
    """(day offset, [(account index, cents)]) balanced lists."""
    found = []
    for _ in range(draw(st.integers(1, 25))):
        legs = draw(
            st.lists(
                st.tuples(st.integers(0, len(ACCOUNTS) - 1), st.integers(-50_000, 50_000)),
                min_size=1,
                max_size=4,
            )
        )
        legs = [(a, c) for a, c in legs if c]
        balancing = -sum(c for _, c in legs)
        if balancing:
            legs.append((draw(st.integers(0, len(ACCOUNTS) - 1)), balancing))
        if legs:
            found.append((draw(st.integers(0, 60)), legs))
    return found


def money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def naive(ledger: Ledger, code: str, dims: dict[str, str], as_of: pendulum.Date | None) -> int:
    total = 0
    for entry in ledger.entries():
        if as_of is not None and entry.effective > as_of:
            continue
        for posting in entry.postings:
            account = posting.account
            if account.code != code:
                continue
            values = {**account.dimensions}
            if all(values.get(name) == value for name, value in dims.items()):
                total += posting.cents
    return total


def ledgers(kind: str) -> Iterator[Ledger]:
    if kind == "memory":
        yield Ledger.in_memory()
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ledger.sqlite"
        with Ledger.open(path, synchronous="NORMAL") as ledger:
            yield ledger
        with Ledger.open(path) as reopened:  # balances rebuilt from the file
            yield reopened


@pytest.mark.parametrize("store_kind", ["memory", "sqlite"])
@settings(max_examples=25, deadline=None)
@given(journal=entries(), reverse_every=st.integers(2, 5))
def test_balances_match_a_naive_sum(
    store_kind: str, journal: list[tuple[int, list[tuple[int, int]]]], reverse_every: int
) -> None:
    at = pendulum.datetime(2025, 6, 1)
    for ledger in ledgers(store_kind):
        if len(ledger) == 0:
            for number, (offset, legs) in enumerate(journal):
                key = f"e{number}"
                ledger.post(
                    JournalEntry(
                        key=key,
                        effective=START.add(days=offset),
                        recorded_at=at,
                        postings=[Posting(ACCOUNTS[a], money(c)) for a, c in legs],
                    )
                )
                if number % reverse_every == 0:
                    ledger.reverse(key, effective=START.add(days=offset + 7), recorded_at=at)
        days: list[pendulum.Date | None] = [None, START, START.add(days=20), START.add(days=61)]
        for as_of in days:
            for account in ACCOUNTS:
                expected = sum(
                    p.cents
                    for e in ledger.entries()
                    if as_of is None or e.effective <= as_of
                    for p in e.postings
                    if p.account == account
                )
                shown = ledger.balance(account, as_of=as_of) * account.kind.sign
                assert shown == money(expected), (account, as_of)
            for code in ("cash", "patient_receivable", "insurance_receivable", "gross_charges"):
                sign = -1 if code == "gross_charges" else 1  # revenue is shown credit-positive
                for dims in QUERIES:
                    if code == "cash" and set(dims) - {"payer"}:
                        continue
                    expected = naive(ledger, code, dims, as_of)
                    shown = ledger.total(code, as_of=as_of, **dims)
                    assert shown * sign == money(expected), (code, dims, as_of)
        ledger.check_invariants()
