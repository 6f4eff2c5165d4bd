"""The store contract: what every LedgerStore must do, run against MemoryStore and SqliteStore.

Expected balances are worked out by hand in each test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pendulum
import pytest

from medbill import DuplicateEntryError, LedgerError, Priority, UnbalancedEntryError
from medbill.ledger import (
    Account,
    EntryKind,
    JournalEntry,
    Ledger,
    LedgerStore,
    Posting,
    References,
)

D = Decimal
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


DAY1 = pendulum.date(2025, 3, 1)
DAY2 = pendulum.date(2025, 3, 15)
DAY3 = pendulum.date(2025, 4, 1)
RECORDED = pendulum.datetime(2025, 4, 2, 9, 30)

CASH = Account.cash()
AR_ACME = Account.insurance_receivable("acme", "primary", "P1", "C1")
AR_P1 = Account.patient_receivable("P1", "C1")
CHARGES = Account.gross_charges("P1", "C1")
CREDIT = Account.patient_credit("P1")


def charge(
    key: str = "charge-C1", amount: str = "100.00", day: pendulum.Date = DAY1
) -> JournalEntry:
    return JournalEntry(
        key=key,
        effective=day,
        kind=EntryKind.CHARGE,
        references=References(patient="P1", claim="C1"),
        postings=[Posting.debit(AR_ACME, D(amount)), Posting.credit(CHARGES, D(amount))],
    )


def payment(key: str = "pay-C1", day: pendulum.Date = DAY2) -> JournalEntry:
    # paid 60, contractual 25, patient owes 15: 60 + 25 + 15 = 100
    return JournalEntry(
        key=key,
        effective=day,
        kind=EntryKind.CLAIM_PAYMENT,
        references=References(patient="P1", claim="C1", payer="acme", trace="EFT-1"),
        postings=[
            Posting.debit(CASH, D("60.00")),
            Posting.debit(
                Account(code="contractual_adjustment", payer="acme", claim="C1"), D("25.00")
            ),
            Posting.debit(AR_P1, D("15.00")),
            Posting.credit(AR_ACME, D("100.00")),
        ],
    )


def snapshot(ledger: Ledger) -> tuple[int, dict[str, Decimal]]:
    accounts = {str(a): ledger.balance(a) for a in ledger.accounts()}
    return len(ledger), accounts


def test_the_store_is_a_ledger_store(ledger: Ledger) -> None:
    assert isinstance(ledger.store, LedgerStore)


def test_post_updates_balances_and_the_trial_balance_stays_zero(ledger: Ledger) -> None:
    ledger.post_batch([charge(), payment()])
    assert ledger.balance(AR_ACME) == D("0.00")
    assert ledger.balance(AR_P1) == D("15.00")
    assert ledger.balance(CASH) == D("60.00")
    assert ledger.balance(CHARGES) == D("100.00")  # revenue: credit balance, shown positive
    assert ledger.total("patient_receivable", patient="P1") == D("15.00")
    assert ledger.total("insurance_receivable", payer="acme") == D("0.00")
    assert ledger.total("insurance_receivable", payer="acme", as_of=DAY1) == D("100.00")
    ledger.check_invariants()


def test_balances_as_of_an_effective_date(ledger: Ledger) -> None:
    ledger.post_batch([charge(), payment()])
    assert ledger.balance(AR_ACME, as_of=DAY1 - pendulum.duration(days=1)) == D("0.00")
    assert ledger.balance(AR_ACME, as_of=DAY1) == D("100.00")
    assert ledger.balance(AR_ACME, as_of=DAY2) == D("0.00")
    assert ledger.total("patient_receivable", claim="C1", as_of=DAY1) == D("0.00")
    assert ledger.total("patient_receivable", claim="C1", as_of=DAY2) == D("15.00")


def test_total_over_a_dimension_set_without_a_rollup_scans_the_code(ledger: Ledger) -> None:
    ledger.post(charge())
    other = Account.insurance_receivable("acme", "secondary", "P1", "C1")
    ledger.post(
        JournalEntry(
            key="to-secondary",
            effective=DAY2,
            postings=[Posting.debit(other, D("30.00")), Posting.credit(AR_ACME, D("30.00"))],
        )
    )
    # patient + payer is not a maintained roll-up: 70 primary + 30 secondary
    assert ledger.total("insurance_receivable", patient="P1", payer="acme") == D("100.00")
    assert ledger.total("insurance_receivable", payer="acme", level="secondary") == D("30.00")
    assert ledger.total("insurance_receivable", payer="acme", level="primary", claim="C1") == D(
        "70.00"
    )


def test_entries_record_the_clock_or_the_callers_instant(ledger: Ledger) -> None:
    first = ledger.post(charge())
    assert first.recorded_at == pendulum.datetime(2025, 4, 1, 12)
    second = ledger.post(
        JournalEntry(
            key="given",
            effective=DAY1,
            recorded_at=pendulum.datetime(2025, 4, 2, 4, 30, tz="America/Chicago"),
            postings=[Posting.debit(CASH, D("1.00")), Posting.credit(CREDIT, D("1.00"))],
        )
    )
    assert second.recorded_at == RECORDED
    assert ledger.get("given") == second


def test_a_ledger_without_a_clock_needs_recorded_at() -> None:
    ledger = Ledger.in_memory()
    with pytest.raises(LedgerError, match="no recorded_at"):
        ledger.post(charge())
    assert len(ledger) == 0


def test_same_key_same_content_returns_the_original(ledger: Ledger) -> None:
    original = ledger.post(charge())
    again = ledger.post(charge().with_recorded_at(RECORDED))
    assert again == original
    assert again.recorded_at == original.recorded_at
    assert len(ledger) == 1
    assert ledger.balance(AR_ACME) == D("100.00")


def test_same_key_different_content_raises_and_changes_nothing(ledger: Ledger) -> None:
    ledger.post(charge())
    before = snapshot(ledger)
    with pytest.raises(DuplicateEntryError, match="charge-C1"):
        ledger.post(charge(amount="100.01"))
    assert snapshot(ledger) == before


def test_an_unbalanced_entry_cannot_be_built() -> None:
    with pytest.raises(UnbalancedEntryError, match=r"debits 100.00, credits 99.99"):
        JournalEntry(
            key="bad",
            effective=DAY1,
            postings=[Posting.debit(AR_ACME, D("100.00")), Posting.credit(CHARGES, D("99.99"))],
        )


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (D("0.001"), "whole cents"),
        (D("0"), "not be zero"),
        (1.5, "Decimal, not float"),
        (D("NaN"), "finite"),
    ],
)
def test_bad_amounts_are_refused(amount: object, message: str) -> None:
    with pytest.raises(LedgerError, match=message):
        Posting(CASH, amount)  # type: ignore[arg-type]


def test_unknown_accounts_and_dimensions_are_refused() -> None:
    with pytest.raises(LedgerError, match="unknown account code 'suspense'"):
        Account(code="suspense")
    with pytest.raises(LedgerError, match="needs the dimension payer"):
        Account(code="insurance_receivable", patient="P1", level=Priority.PRIMARY)
    with pytest.raises(LedgerError, match="has no dimension claim"):
        Account(code="refunds_payable", patient="P1", claim="C1")
    with pytest.raises(LedgerError, match="level"):
        Account.insurance_receivable("acme", "quaternary", "P1")


def test_a_batch_posts_all_or_nothing(ledger: Ledger) -> None:
    ledger.post(charge())
    before = snapshot(ledger)
    batch = [
        payment(),
        charge(key="charge-2", amount="10.00"),
        charge(amount="5.00"),  # reuses "charge-C1" with other content
    ]
    with pytest.raises(DuplicateEntryError):
        ledger.post_batch(batch)
    assert snapshot(ledger) == before
    assert "pay-C1" not in ledger


def test_duplicate_keys_inside_one_batch(ledger: Ledger) -> None:
    posted = ledger.post_batch([charge(), charge()])
    assert posted[0] is posted[1]
    assert len(ledger) == 1
    with pytest.raises(DuplicateEntryError):
        ledger.post_batch([charge(key="x"), charge(key="x", amount="1.00")])
    assert len(ledger) == 1


def test_a_closed_account_refuses_postings(ledger: Ledger) -> None:
    ledger.post(charge())
    ledger.close_account(AR_P1)
    before = snapshot(ledger)
    with pytest.raises(LedgerError, match=r"patient_receivable\[P1/C1\] is closed"):
        ledger.post(payment())
    assert snapshot(ledger) == before
    assert ledger.is_closed(AR_P1)
    assert not ledger.is_closed(AR_ACME)


def test_a_claim_belongs_to_one_patient(ledger: Ledger) -> None:
    ledger.post(charge())
    with pytest.raises(LedgerError, match="belongs to another patient"):
        ledger.post(
            JournalEntry(
                key="wrong",
                effective=DAY1,
                postings=[
                    Posting.debit(Account.patient_receivable("P2", "C1"), D("1.00")),
                    Posting.credit(Account.gross_charges("P2", "C1"), D("1.00")),
                ],
            )
        )
    assert len(ledger) == 1


def test_reverse_restores_every_balance(ledger: Ledger) -> None:
    ledger.post(charge())
    before = snapshot(ledger)[1]
    ledger.post(payment())
    reversal = ledger.reverse("pay-C1", effective=DAY3)
    assert reversal.reverses == "pay-C1"
    assert reversal.kind is EntryKind.REVERSAL
    after = {k: v for k, v in snapshot(ledger)[1].items() if k in before or v}
    assert after == before
    assert ledger.reversal_of("pay-C1") == "pay-C1/reversal"
    # as of a date between the payment and its reversal, the payment still counts
    assert ledger.balance(CASH, as_of=DAY2) == D("60.00")
    assert ledger.balance(CASH, as_of=DAY3) == D("0.00")
    ledger.check_invariants()


def test_reversing_twice_or_unknown_entries_is_refused(ledger: Ledger) -> None:
    ledger.post_batch([charge(), payment()])
    first = ledger.reverse("pay-C1")
    assert ledger.reverse("pay-C1") == first  # the same reversal key: idempotent
    count = len(ledger)
    with pytest.raises(LedgerError, match="already reversed"):
        ledger.reverse("pay-C1", reversal_key="second")
    with pytest.raises(LedgerError, match="unknown entry 'nope'"):
        ledger.reverse("nope")
    assert len(ledger) == count


def test_a_hand_made_reversal_must_mirror_its_target(ledger: Ledger) -> None:
    ledger.post(charge())
    with pytest.raises(LedgerError, match="does not mirror"):
        ledger.post(
            JournalEntry(
                key="fake",
                effective=DAY1,
                reverses="charge-C1",
                postings=[Posting.debit(CASH, D("1.00")), Posting.credit(CREDIT, D("1.00"))],
            )
        )
    with pytest.raises(LedgerError, match="unknown entry 'ghost'"):
        ledger.post(
            JournalEntry(
                key="fake2",
                effective=DAY1,
                reverses="ghost",
                postings=[Posting.debit(CASH, D("1.00")), Posting.credit(CREDIT, D("1.00"))],
            )
        )
    assert len(ledger) == 1


def test_entries_by_claim_and_patient_in_posting_order(ledger: Ledger) -> None:
    other = JournalEntry(
        key="other-patient",
        effective=DAY1,
        references=References(patient="P2"),
        postings=[
            Posting.debit(CASH, D("5.00")),
            Posting.credit(Account.patient_credit("P2"), D("5.00")),
        ],
    )
    ledger.post_batch([charge(), other, payment()])
    assert [e.key for e in ledger.entries(claim="C1")] == ["charge-C1", "pay-C1"]
    assert [e.key for e in ledger.entries(patient="P2")] == ["other-patient"]
    assert [e.key for e in ledger.entries()] == ["charge-C1", "other-patient", "pay-C1"]
    assert list(ledger.entries(claim="C1", patient="P2")) == []


def test_entries_round_trip_through_the_store(ledger: Ledger) -> None:
    entry = JournalEntry(
        key="full",
        effective=DAY2,
        kind=EntryKind.PATIENT_PAYMENT,
        memo="card ending 4242",
        references=References(
            patient="P1",
            claim="C1",
            line="1",
            payer="acme",
            remittance="ERA-1",
            trace="TRN-9",
            service_date=DAY1,
        ),
        recorded_at=RECORDED,
        postings=[Posting.debit(CASH, D("12.34")), Posting.credit(AR_P1, D("12.34"))],
    )
    ledger.post(entry)
    assert ledger.get("full") == entry
    with pytest.raises(LedgerError, match="unknown entry"):
        ledger.get("missing")


def test_an_event_entry_moves_nothing(ledger: Ledger) -> None:
    denial = ledger.post(
        JournalEntry(
            key="denied",
            effective=DAY2,
            kind=EntryKind.DENIAL,
            postings=[],
            references=References(claim="C1", patient="P1"),
        )
    )
    assert denial.postings == ()
    assert [e.key for e in ledger.entries(claim="C1")] == ["denied"]
    ledger.check_invariants()
