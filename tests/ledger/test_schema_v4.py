"""Schema version 4 (postings packed into the entry row, ``accounts.first_debit``) on both
SQL stores.

* A schema-3 ledger with real data (charges, payments, transfers, a reversal, a closed
  account, a closed period, deposits) migrates to version 4, and every answer read before
  equals the answer read after: entries, balances and totals (current and as of earlier
  days), each account's, claim's and patient's history, aging on both bases, the trial
  balance, the deposits' reconciliation. It then takes new entries.
* A migration that fails part-way leaves the schema-3 data exactly as it was; the next
  open migrates it.
* What version 4 keeps in the row equals what it replaces: ``first_debit`` is the first
  day whose net change is a debit (a day's ``daily`` rows), and an account's history is
  the journal filtered by hand, page by page.
* Aging as of today from the accounts' rows equals the query that sums the days.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pendulum
import pytest

from medbill import LedgerError, Period, Priority
from medbill.ledger import (
    Account,
    AgingBasis,
    Deposit,
    EntryKind,
    JournalEntry,
    Ledger,
    Posting,
    References,
    aging,
    trial_balance,
)

DAY = pendulum.date(2025, 3, 1)
AT = pendulum.datetime(2025, 3, 1, 9)
CODES = (
    "cash",
    "insurance_receivable",
    "patient_receivable",
    "gross_charges",
    "contractual_adjustment",
    "patient_credit",
)


def _clock() -> pendulum.DateTime:
    return AT


def journal(start: int = 0, count: int = 90) -> list[JournalEntry]:
    """Charges, payments, transfers and credits over 14 claims of 5 patients and 2 payers,
    some naming a date of service, some about a patient without a claim, some with
    postings on one day that cancel out (a day whose net is not a debit)."""
    entries = []
    for n in range(start, start + count):
        claim, patient, payer = f"C{n % 14}", f"P{n % 14 % 5}", ("acme", "beta")[n % 2]
        amount = Decimal(10 + n % 7) + Decimal("0.25")
        receivable = Account.insurance_receivable(payer, "primary", patient, claim)
        kind = EntryKind.GENERAL
        if n % 4 == 0:
            postings: tuple[Posting, ...] = (
                Posting.debit(receivable, amount),
                Posting.credit(Account.gross_charges(patient, claim), amount),
            )
            kind = EntryKind.CHARGE
        elif n % 4 == 1:
            postings = (
                Posting.debit(Account.cash(payer=payer), amount - 1),
                Posting.debit(
                    Account(
                        code="contractual_adjustment",
                        payer=payer,
                        level=Priority.PRIMARY,
                        patient=patient,
                        claim=claim,
                    ),
                    Decimal(1),
                ),
                Posting.credit(receivable, amount),
            )
            kind = EntryKind.CLAIM_PAYMENT
        elif n % 4 == 2:
            postings = (
                Posting.debit(Account.patient_receivable(patient, claim), amount),
                Posting.credit(Account.patient_receivable(patient), amount),
            )
            kind = EntryKind.TRANSFER
        else:
            postings = (
                Posting.debit(Account.cash(), amount),
                Posting.credit(Account.patient_credit(patient), amount),
            )
        entries.append(
            JournalEntry(
                key=f"e-{n}",
                effective=DAY.add(days=(n * 17) % 90),
                recorded_at=AT,
                postings=postings,
                kind=kind,
                memo=f"memo {n}",
                references=References(
                    patient=patient,
                    payer=payer,
                    claim=claim if n % 10 and n % 4 != 3 else None,
                    service_date=DAY.subtract(days=n % 40) if n % 4 == 0 else None,
                    trace=f"TRN-{n % 3}" if n % 4 == 1 else None,
                    provider="1234567893" if n % 8 == 0 else None,
                ),
                actor="desk-1" if n % 2 else None,
                source=f"receipt R-{n}" if n % 5 == 0 else None,
            )
        )
    return entries


def fill(ledger: Ledger) -> None:
    ledger.post_batch(journal())
    ledger.reverse("e-5", recorded_at=AT)
    ledger.reverse("e-8", effective=DAY.add(days=95), recorded_at=AT)
    ledger.close_account(Account.patient_credit("P4"))
    ledger.record_deposit(Deposit(id="D1", amount=Decimal("52.25"), received_on=DAY, trace="TRN-1"))
    ledger.record_deposit(
        Deposit(
            id="D2", amount=Decimal("10.00"), received_on=DAY.add(days=3), batch=DAY.add(days=3)
        )
    )
    cancelled = Account.insurance_receivable("acme", "primary", "P9", "C99")
    for key, day, cents in (
        ("wash-1", DAY, 500),
        ("wash-2", DAY, -500),
        ("wash-3", DAY.add(days=30), 700),
    ):
        # a day whose net is 0 comes first: the receivable's first debit is a later day
        amount = Decimal(cents).scaleb(-2)
        ledger.post(
            JournalEntry(
                key=key,
                effective=day,
                postings=[
                    Posting(cancelled, amount),
                    Posting(Account.gross_charges("P9", "C99"), -amount),
                ],
            )
        )
    ledger.close_period(through=DAY.add(days=20), actor="closer", recorded_at=AT)


def answers(ledger: Ledger) -> dict[str, Any]:
    """Every read a caller makes of the ledger, as plain values to compare."""
    entries = list(ledger.entries())
    accounts = sorted(ledger.accounts(), key=lambda a: repr(a.identity))
    days = [DAY.subtract(days=1), DAY.add(days=10), DAY.add(days=45), DAY.add(days=200)]
    found: dict[str, Any] = {
        "count": len(ledger),
        "entries": entries,
        "get": [ledger.get(e.key) for e in entries],
        "closed_through": ledger.closed_through,
        "accounts": accounts,
        "closed": [ledger.is_closed(a) for a in accounts],
        "balances": [ledger.balance(a) for a in accounts],
        "as_of": [[ledger.balance(a, as_of=day) for a in accounts] for day in days],
        "first_debit": [ledger.first_debit(a) for a in accounts],
        "history": [ledger.history(account=a, limit=1000) for a in accounts],
        "pages": [ledger.history(account=a, offset=2, limit=3) for a in accounts],
        "claims": [ledger.history(claim=f"C{n}", limit=1000) for n in range(15)],
        "patients": [ledger.history(patient=f"P{n}", offset=1, limit=7) for n in range(6)],
        "claim_patient": [ledger.claim_patient(f"C{n}") for n in range(15)],
        "service_date": [ledger.service_date(f"C{n}") for n in range(15)],
        "reversal_of": [ledger.reversal_of(e.key) for e in entries],
        "totals": [
            [ledger.total(code, as_of=day) for day in (None, *days)]
            + [ledger.total(code, patient=f"P{n}") for n in range(5)]
            + [ledger.total(code, payer=payer) for payer in ("acme", "beta")]
            + [ledger.total(code, claim=f"C{n}") for n in range(14)]
            for code in CODES
        ],
        "aging": [
            aging(ledger, as_of=day, basis=basis)
            for day in (*days, DAY.add(days=95))
            for basis in AgingBasis
        ],
        "trial_balance": [trial_balance(ledger), trial_balance(ledger, as_of=days[1])],
        "deposits": ledger.reconcile_deposits(Period(DAY, DAY.add(days=100))),
    }
    return found


def _where(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgres":
        pytest.importorskip("psycopg")
        return str(request.getfixturevalue("postgres_database"))
    return str(tmp_path / "ledger.sqlite")


@pytest.fixture(params=["sqlite", "postgres"])
def where(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return _where(request, tmp_path)


@contextlib.contextmanager
def _connection(where: str) -> Iterator[Any]:
    if where.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(where, autocommit=True) as pg:
            yield pg
    else:
        lite = sqlite3.connect(where)
        try:
            yield lite
        finally:
            lite.close()


def _raw(where: str, sql: str) -> list[tuple[Any, ...]]:
    with _connection(where) as conn:
        return list(conn.execute(sql).fetchall())


def _tables(where: str) -> set[str]:
    if where.startswith("postgresql://"):
        sql = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
    return {row[0] for row in _raw(where, sql)}


def _v3_rows(where: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of a schema-3 ledger, table by table, in a stable order."""
    return {
        table: sorted(_raw(where, f"SELECT * FROM {table}"), key=repr)
        for table in sorted(_tables(where) - {"medbill_schema"})
    }


def test_a_schema_3_ledger_migrates_to_4_with_every_answer_unchanged(
    where: str, schema_v3: Callable[[str], None]
) -> None:
    with Ledger.open(where, clock=_clock) as ledger:
        fill(ledger)
        before = answers(ledger)
    schema_v3(where)
    assert "postings" in _tables(where)
    assert _raw(where, "SELECT COUNT(*) FROM postings")[0][0] == sum(
        len(e.postings) for e in before["entries"]
    )
    with Ledger.open(where, clock=_clock) as ledger:
        assert ledger.store.schema_version == 4  # type: ignore[attr-defined]
        assert "postings" not in _tables(where)
        after = answers(ledger)
        assert after.keys() == before.keys()
        for name in before:
            assert after[name] == before[name], name
        ledger.check_invariants()
        more = journal(start=200, count=12)
        ledger.post_batch([e for e in more if e.effective > DAY.add(days=20)])
        ledger.check_invariants()
    with Ledger.open(where) as ledger:
        assert ledger.store.schema_version == 4  # type: ignore[attr-defined]
        assert answers(ledger)["balances"] != before["balances"]


def test_a_failed_migration_leaves_the_schema_3_ledger_as_it_was(
    where: str, schema_v3: Callable[[str], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    with Ledger.open(where, clock=_clock) as ledger:
        fill(ledger)
        before = answers(ledger)
    schema_v3(where)
    rows = _v3_rows(where)
    if where.startswith("postgresql://"):
        from medbill.ledger._stores import _postgres

        steps = _postgres._UPGRADES[3]
        failing = (*steps[:3], "SELECT 1 / 0", *steps[3:])  # after the postings are dropped
        monkeypatch.setitem(_postgres._UPGRADES, 3, failing)
        version = "SELECT MAX(version) FROM medbill_schema"
    else:
        from medbill.ledger._stores import _sqlite

        def failing_pack(flat: Any) -> str:
            raise RuntimeError("the disk is on fire")

        monkeypatch.setattr(_sqlite, "pack_postings", failing_pack)
        version = "PRAGMA user_version"
    with pytest.raises((RuntimeError, LedgerError)):
        Ledger.open(where, clock=_clock)
    assert _raw(where, version)[0][0] == 3
    assert _v3_rows(where) == rows  # the postings table, and every other row, as they were
    monkeypatch.undo()
    with Ledger.open(where, clock=_clock) as ledger:
        assert ledger.store.schema_version == 4  # type: ignore[attr-defined]
        after = answers(ledger)
        for name in before:
            assert after[name] == before[name], name


def test_packed_postings_and_first_debit_equal_what_they_replace(where: str) -> None:
    """Each row's packed postings are its postings, in order; each receivable's
    ``first_debit`` is the first day its ``daily`` rows show a net debit (a day whose
    debits and credits cancel does not count), and other accounts keep none."""
    with Ledger.open(where, clock=_clock) as ledger:
        fill(ledger)
        cancelled = Account.insurance_receivable("acme", "primary", "P9", "C99")
        entries = {e.key: e for e in ledger.entries()}
        accounts = {a: ledger.first_debit(a) for a in ledger.accounts()}
        assert accounts[cancelled] == DAY.add(days=30)
    ids = {}
    for account_id, code, patient, payer, level, claim, line in _raw(
        where, "SELECT id, code, patient, payer, level, claim, line FROM accounts"
    ):
        ids[account_id] = (code, patient, payer, level, claim, line)
    for key, packed in _raw(where, "SELECT key, postings FROM entries"):
        flat = json.loads(packed)
        assert [(ids[i], c) for i, c in zip(flat[0::2], flat[1::2], strict=True)] == [
            (p.account.identity, p.cents) for p in entries[key].postings
        ]
    for account_id, code, first, grew in _raw(
        where,
        "SELECT a.id, a.code, a.first_debit, (SELECT MIN(d.day) FROM daily d "
        "WHERE d.account_id = a.id AND d.cents > 0) FROM accounts a",
    ):
        receivable = code in ("insurance_receivable", "patient_receivable")
        assert first == (grew if receivable else None), ids[account_id]


def test_aging_from_the_accounts_equals_summing_the_days(where: str) -> None:
    with Ledger.open(where, clock=_clock) as ledger:
        fill(ledger)
        store: Any = ledger.store
        last = max(e.effective for e in ledger.entries())
        for as_of in (last, last.add(days=200), DAY.add(days=30), DAY.subtract(days=1)):
            for basis in AgingBasis:
                store._aging_from_balances = True
                fast = aging(ledger, as_of=as_of, basis=basis)
                store._aging_from_balances = False
                summed = aging(ledger, as_of=as_of, basis=basis)
                assert fast == summed, (as_of, basis)


def test_aging_buckets_at_their_edges_equal_the_memory_store(where: str) -> None:
    """Ages of exactly 30/31, 60/61, 90/91 and 120/121 days, 0 and negative (an as-of day
    before the growth) fall in the same buckets on the SQL stores (PostgreSQL's
    ``width_bucket``) as in memory, on both bases, current and as of earlier days."""
    entries = []
    for n, age in enumerate((-3, 0, 30, 31, 60, 61, 90, 91, 120, 121, 400)):
        claim, patient = f"A{n}", f"P{n % 3}"
        entries.append(
            JournalEntry(
                key=f"edge-{n}",
                effective=DAY.add(days=200 - age),
                recorded_at=AT,
                kind=EntryKind.CHARGE,
                references=References(
                    patient=patient,
                    claim=claim,
                    service_date=DAY.add(days=200 - age - n % 2),
                ),
                postings=[
                    Posting.debit(
                        Account.insurance_receivable("acme", "primary", patient, claim),
                        Decimal(n + 1),
                    ),
                    Posting.debit(Account.patient_receivable(patient, claim), Decimal("0.50")),
                    Posting.credit(
                        Account.gross_charges(patient, claim), Decimal(n) + Decimal("1.50")
                    ),
                ],
            )
        )
    memory = Ledger.in_memory()
    memory.post_batch(entries)
    with Ledger.open(where) as ledger:
        ledger.post_batch(entries)
        for as_of in (DAY.add(days=200), DAY.add(days=203), DAY.add(days=170), DAY.add(days=90)):
            for basis in AgingBasis:
                assert aging(ledger, as_of=as_of, basis=basis) == aging(
                    memory, as_of=as_of, basis=basis
                ), (as_of, basis)
