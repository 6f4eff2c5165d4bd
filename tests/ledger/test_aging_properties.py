"""Aging answered by the stores (one grouped SQL query on SQLite) equals a naive re-sum.

Random entries over receivables of two claims (and one with no claim) are posted, some
naming a claim's date of service; the aging of every store is compared, on both bases
and as of several dates, with aging worked out from ``ledger.entries()`` by hand: each
claim's balance per responsible party (insurance: per payer), dated from the claim's first
recorded date of service (service basis), else from the first day one of its accounts grew
(its net change that day was positive), else as of the day itself; buckets 0-30, 31-60,
61-90, 91-120 and 120+ days; zero balances left out.
"""

from __future__ import annotations

import contextlib
import tempfile
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medbill.ledger import Account, AgingBasis, JournalEntry, Ledger, Posting, References, aging

START = pendulum.date(2025, 1, 1)
ACCOUNTS = [
    Account.patient_receivable("P1", "C1"),
    Account.patient_receivable("P1", "C1", "1"),
    Account.patient_receivable("P2", "C2"),
    Account.patient_receivable("P3"),
    Account.insurance_receivable("acme", "primary", "P1", "C1", "1"),
    Account.insurance_receivable("acme", "secondary", "P1", "C1"),
    Account.insurance_receivable("beta", "primary", "P2", "C2"),
    Account.insurance_receivable("acme", "primary", "P2", "C2"),
    Account.gross_charges("P1", "C1", "1"),
    Account.cash(),
]
OWNER = {"C1": "P1", "C2": "P2"}
Journal = list[tuple[int, list[tuple[int, int]], str | None, int | None]]


@st.composite
def journals(draw: st.DrawFn) -> Journal:
    """(day offset, [(account index, cents)], referenced claim, service day offset)."""
    found: Journal = []
    for _ in range(draw(st.integers(1, 20))):
        legs = draw(
            st.lists(
                st.tuples(st.integers(0, len(ACCOUNTS) - 1), st.integers(-40_000, 40_000)),
                min_size=1,
                max_size=4,
            )
        )
        legs = [(a, c) for a, c in legs if c]
        balancing = -sum(c for _, c in legs)
        if balancing:
            legs.append((draw(st.integers(0, len(ACCOUNTS) - 1)), balancing))
        if not legs:
            continue
        claim = draw(st.sampled_from([None, "C1", "C2"]))
        served = None if claim is None else draw(st.one_of(st.none(), st.integers(0, 200)))
        found.append((draw(st.integers(0, 200)), legs, claim, served))
    return found


def naive_aging(
    ledger: Ledger, as_of: pendulum.Date, from_service: bool
) -> dict[tuple[str, str | None, int], Decimal]:
    served: dict[str, int] = {}
    daily: dict[tuple[Account, int], int] = {}
    held: dict[Account, int] = {}
    for entry in ledger.entries():
        refs = entry.references
        if refs.claim is not None and refs.service_date is not None:
            served.setdefault(refs.claim, refs.service_date.toordinal())
        day = entry.effective.toordinal()
        for posting in entry.postings:
            if posting.account.code not in ("insurance_receivable", "patient_receivable"):
                continue
            on_day = (posting.account, day)
            daily[on_day] = daily.get(on_day, 0) + posting.cents
            if entry.effective <= as_of:
                held[posting.account] = held.get(posting.account, 0) + posting.cents
    groups: dict[tuple[str, str | None, str], list[int | None]] = {}
    for (account, day), cents in daily.items():
        insured = account.code == "insurance_receivable"
        key = ("insurance" if insured else "patient", account.payer if insured else None,
               account.claim or "")  # fmt: skip
        group = groups.setdefault(key, [0, None])
        if cents > 0 and (group[1] is None or day < group[1]):
            group[1] = day
    for account, cents in held.items():
        insured = account.code == "insurance_receivable"
        key = ("insurance" if insured else "patient", account.payer if insured else None,
               account.claim or "")  # fmt: skip
        groups[key][0] = (groups[key][0] or 0) + cents
    today = as_of.toordinal()
    found: dict[tuple[str, str | None, int], Decimal] = {}
    for (responsibility, payer, claim), (total, first) in groups.items():
        if not total:
            continue
        start = served.get(claim) if from_service and claim else None
        if start is None:
            start = today if first is None else first
        age = today - start
        bucket = next((n for n, limit in enumerate((30, 60, 90, 120)) if age <= limit), 4)
        row = (responsibility, payer, bucket)
        found[row] = found.get(row, Decimal("0.00")) + Decimal(total).scaleb(-2)
    return found


def shown(ledger: Ledger, as_of: pendulum.Date, basis: AgingBasis) -> dict[object, Decimal]:
    found: dict[object, Decimal] = {}
    for row in aging(ledger, as_of=as_of, basis=basis).rows:
        for bucket, amount in enumerate(row.buckets):
            if amount:
                found[(row.responsibility, row.payer, bucket)] = amount
    return found


@contextlib.contextmanager
def ledger_of(kind: str, dsn: str = "") -> Iterator[Ledger]:
    if kind == "memory":
        yield Ledger.in_memory()
    elif kind == "sqlite":
        with (
            tempfile.TemporaryDirectory() as folder,
            Ledger.open(Path(folder) / "ledger.sqlite", synchronous="NORMAL") as ledger,
        ):
            yield ledger
    else:  # a new database per example on the session's server
        import psycopg

        name = f"medbill_aging_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        base, _, query = dsn.partition("?")
        try:
            with Ledger.open(f"{base.rsplit('/', 1)[0]}/{name}?{query}") as ledger:
                yield ledger
        finally:
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def check(ledger: Ledger, journal: Journal) -> None:
    at = pendulum.datetime(2025, 9, 1)
    ledger.post_batch(
        [
            JournalEntry(
                key=f"e{number}",
                effective=START.add(days=offset),
                recorded_at=at,
                references=References(
                    claim=claim,
                    patient=None if claim is None else OWNER[claim],
                    service_date=None if served is None else START.add(days=served),
                ),
                postings=[Posting(ACCOUNTS[a], Decimal(c).scaleb(-2)) for a, c in legs],
            )
            for number, (offset, legs, claim, served) in enumerate(journal)
        ]
    )
    for as_of in (START, START.add(days=45), START.add(days=100), START.add(days=400)):
        for basis in AgingBasis:
            expected = naive_aging(ledger, as_of, basis is AgingBasis.SERVICE)
            assert shown(ledger, as_of, basis) == {k: v for k, v in expected.items() if v}, (
                as_of,
                basis,
            )


@pytest.mark.parametrize("store_kind", ["memory", "sqlite"])
@settings(max_examples=30, deadline=None)
@given(journal=journals())
def test_aging_matches_a_naive_re_sum(store_kind: str, journal: Journal) -> None:
    with ledger_of(store_kind) as ledger:
        check(ledger, journal)


@settings(max_examples=8, deadline=None)
@given(journal=journals())
def test_postgres_aging_matches_a_naive_re_sum(postgres_dsn: str, journal: Journal) -> None:
    with ledger_of("postgres", postgres_dsn) as ledger:
        check(ledger, journal)


def test_aging_of_a_claim_worked_by_hand() -> None:
    """C1 charged 100.00 to acme on 2025-01-01 (date of service 2024-12-20); 40.00 moved to
    the patient on 2025-02-10. As of 2025-03-01: acme's 60.00 is 71 days from the service
    date (61-90) and 59 days from the first growth (31-60); the patient's 40.00 is 71 days
    from service (61-90) and 19 days from 2025-02-10 (0-30)."""
    ar_acme = Account.insurance_receivable("acme", "primary", "P1", "C1")
    ar_patient = Account.patient_receivable("P1", "C1")
    for kind in ("memory", "sqlite"):
        with ledger_of(kind) as ledger:
            ledger.post_batch(
                [
                    JournalEntry(
                        key="charge",
                        effective=START,
                        recorded_at=pendulum.datetime(2025, 1, 1),
                        references=References(
                            patient="P1", claim="C1", service_date=pendulum.date(2024, 12, 20)
                        ),
                        postings=[
                            Posting.debit(ar_acme, Decimal("100.00")),
                            Posting.credit(Account.gross_charges("P1", "C1"), Decimal("100.00")),
                        ],
                    ),
                    JournalEntry(
                        key="to-patient",
                        effective=pendulum.date(2025, 2, 10),
                        recorded_at=pendulum.datetime(2025, 2, 10),
                        references=References(patient="P1", claim="C1"),
                        postings=[
                            Posting.debit(ar_patient, Decimal("40.00")),
                            Posting.credit(ar_acme, Decimal("40.00")),
                        ],
                    ),
                ]
            )
            march = pendulum.date(2025, 3, 1)
            assert shown(ledger, march, AgingBasis.SERVICE) == {
                ("insurance", "acme", 2): Decimal("60.00"),
                ("patient", None, 2): Decimal("40.00"),
            }
            assert shown(ledger, march, AgingBasis.BILLING) == {
                ("insurance", "acme", 1): Decimal("60.00"),
                ("patient", None, 0): Decimal("40.00"),
            }
