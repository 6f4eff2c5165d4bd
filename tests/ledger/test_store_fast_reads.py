"""The SQL stores' fast read paths give exactly the answers of the general ones.

* ``history(patient=...)`` / ``history(claim=...)`` walk one subject's index range: every
  page equals the same page cut from ``entries()`` filtered by hand.
* Entries read back (``stored_entry``) equal what was posted and what the validating
  constructor (``entry_from_row``) builds from the same row.
* PostgreSQL ages as of today from the accounts' balances: equal, on both bases, to the
  query that sums the days, and to it as of earlier dates.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pendulum
import pytest

from medbill.ledger import (
    Account,
    AgingBasis,
    EntryKind,
    JournalEntry,
    Ledger,
    Posting,
    References,
    aging,
)

DAY = pendulum.date(2025, 3, 1)
AT = pendulum.datetime(2025, 3, 1, 9)


def journal() -> list[JournalEntry]:
    """Charges, payments and a refund over 12 claims of 5 patients and 2 payers, some
    entries naming a date of service, one about a patient without a claim."""
    entries = []
    for n in range(60):
        claim, patient, payer = f"C{n % 12}", f"P{n % 12 % 5}", ("acme", "beta")[n % 2]
        amount = Decimal(10 + n % 7) + Decimal("0.25")
        receivable = Account.insurance_receivable(payer, "primary", patient, claim)
        if n % 3 == 0:
            postings = (
                Posting.debit(receivable, amount),
                Posting.credit(Account.gross_charges(patient, claim), amount),
            )
            kind = EntryKind.CHARGE
        elif n % 3 == 1:
            postings = (
                Posting.debit(Account.cash(payer=payer), amount),
                Posting.credit(receivable, amount),
            )
            kind = EntryKind.CLAIM_PAYMENT
        else:
            postings = (
                Posting.debit(Account.patient_receivable(patient, claim), amount),
                Posting.credit(Account.patient_receivable(patient), amount),
            )
            kind = EntryKind.TRANSFER
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
                    claim=claim if n % 10 else None,
                    service_date=DAY.subtract(days=n % 40) if n % 4 == 0 else None,
                ),
                actor="desk-1" if n % 2 else None,
                source=f"receipt R-{n}" if n % 5 == 0 else None,
            )
        )
    return entries


@contextlib.contextmanager
def sqlite_ledger() -> Iterator[Ledger]:
    with (
        tempfile.TemporaryDirectory() as folder,
        Ledger.open(Path(folder) / "ledger.sqlite", synchronous="NORMAL") as ledger,
    ):
        yield ledger


def check_history_pages(ledger: Ledger) -> None:
    everything = list(ledger.entries())
    for patient in ("P0", "P3", "P9"):
        about = [e for e in everything if patient in _patients(e)]
        for offset, limit in ((0, 100), (0, 3), (2, 5), (len(about), 4), (1, 1)):
            page = ledger.history(patient=patient, offset=offset, limit=limit)
            assert list(page) == about[offset : offset + limit], (patient, offset, limit)
    for claim in ("C0", "C5", "C99"):
        about = [e for e in everything if claim in _claims(e)]
        for offset, limit in ((0, 100), (3, 4)):
            page = ledger.history(claim=claim, offset=offset, limit=limit)
            assert list(page) == about[offset : offset + limit], (claim, offset, limit)


def _patients(entry: JournalEntry) -> set[str]:
    found = {p.account.patient for p in entry.postings if p.account.patient is not None}
    return found | ({entry.references.patient} if entry.references.patient else set())


def _claims(entry: JournalEntry) -> set[str]:
    found = {p.account.claim for p in entry.postings if p.account.claim is not None}
    return found | ({entry.references.claim} if entry.references.claim else set())


def test_sqlite_history_pages_and_entries_read_back() -> None:
    from medbill.ledger._stores._sql import entry_from_row

    posted = journal()
    with sqlite_ledger() as ledger:
        ledger.post_batch(posted)
        read = list(ledger.entries())
        assert read == posted
        assert [e.recorded_at for e in read] == [e.recorded_at for e in posted]
        store = ledger.store
        rows = store._query(  # type: ignore[attr-defined]
            "SELECT seq, key, kind, effective, recorded_at, memo, patient, payer, claim, "
            "line, remittance, trace, service_date, reverses, actor, source, provider "
            "FROM entries ORDER BY seq"
        )
        rebuilt = [entry_from_row(row, list(e.postings)) for row, e in zip(rows, read, strict=True)]
        assert rebuilt == read
        check_history_pages(ledger)


def test_postgres_history_and_aging_from_balances(postgres_database: str) -> None:
    pytest.importorskip("psycopg")
    posted = journal()
    with Ledger.open(postgres_database) as ledger:
        ledger.post_batch(posted)
        assert list(ledger.entries()) == posted
        check_history_pages(ledger)
        store = ledger.store
        assert store._aging_from_balances  # type: ignore[attr-defined]
        last = max(e.effective for e in posted)
        for as_of in (last, last.add(days=200), DAY.add(days=30), DAY.subtract(days=1)):
            for basis in AgingBasis:
                fast = aging(ledger, as_of=as_of, basis=basis)
                store._aging_from_balances = False  # type: ignore[attr-defined]
                try:
                    summed = aging(ledger, as_of=as_of, basis=basis)
                finally:
                    store._aging_from_balances = True  # type: ignore[attr-defined]
                assert fast == summed, (as_of, basis)
        with sqlite_ledger() as other:
            other.post_batch(posted)
            for basis in AgingBasis:
                as_of = last.add(days=10)
                assert aging(ledger, as_of=as_of, basis=basis) == aging(
                    other, as_of=as_of, basis=basis
                )
