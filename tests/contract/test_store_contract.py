"""The store contract: what every LedgerStore must do, run against MemoryStore and SqliteStore.

Expected balances are worked out by hand in each test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pendulum
import pytest

from medbill import DuplicateEntryError, LedgerError, Period, Priority, UnbalancedEntryError
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


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def make_ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], Ledger]]:
    """A factory of ledgers over one store kind; SQL ledgers reopen the same database."""
    opened: list[Ledger] = []
    where: str | Path = tmp_path / "ledger.sqlite"
    if request.param == "postgres":
        where = request.getfixturevalue("postgres_database")

    def make() -> Ledger:
        if request.param == "memory":
            ledger = Ledger.in_memory(clock=_clock)
        else:
            ledger = Ledger.open(where, clock=_clock)
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


def test_a_batch_that_gives_a_claim_two_patients_names_the_first_dissenting_entry(
    ledger: Ledger,
) -> None:
    def to(patient: str, key: str, claim: str = "C9") -> JournalEntry:
        return JournalEntry(
            key=key,
            effective=DAY1,
            postings=[
                Posting.debit(Account.patient_receivable(patient, claim), D("1.00")),
                Posting.credit(Account.gross_charges(patient, claim), D("1.00")),
            ],
        )

    ledger.post(charge())
    with pytest.raises(LedgerError, match=r"^entry 'b': claim 'C9' belongs to another patient$"):
        ledger.post_batch([to("P2", "a"), to("P3", "b"), to("P2", "c")])
    with pytest.raises(LedgerError, match=r"^entry 'd': claim 'C1' belongs to another patient$"):
        ledger.post_batch([to("P2", "c"), to("P2", "d", claim="C1")])  # C1 is P1's
    assert len(ledger) == 1
    ledger.post_batch([to("P2", "a"), to("P2", "c")])  # one owner: accepted
    assert ledger.claim_patient("C9") == "P2"


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
            provider="1234567893",
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


# -- amounts, audit trail, month-end (issue 11) --------------------------------------------


def test_amounts_are_bounded_the_same_on_every_store(make_ledger: Callable[[], Ledger]) -> None:
    with pytest.raises(LedgerError, match=r"at most 9999999999\.99"):
        Posting(CASH, D("10000000000.00"))
    ledger = make_ledger()
    biggest = D("9999999999.99")
    for key in ("big-1", "big-2"):
        ledger.post(
            JournalEntry(
                key=key,
                effective=DAY1,
                postings=[Posting.debit(CASH, biggest), Posting.credit(CREDIT, biggest)],
            )
        )
    again = make_ledger()  # SQL stores reopen the same database
    if isinstance(again.store, type(ledger.store)) and len(again):
        assert again.balance(CASH) == D("19999999999.98")
    assert ledger.balance(CREDIT) == D("19999999999.98")


def test_actor_and_source_are_recorded_and_listed_oldest_first(ledger: Ledger) -> None:
    ledger.post_batch([charge(), payment()])
    stamped = JournalEntry(
        key="copay",
        effective=DAY3,
        actor="desk-7",
        source="receipt R-1009",
        postings=[Posting.debit(CASH, D("15.00")), Posting.credit(AR_P1, D("15.00"))],
    )
    ledger.post(stamped)
    page = ledger.history(patient="P1")
    assert [(e.key, e.actor, e.source) for e in page] == [
        ("charge-C1", None, None),
        ("pay-C1", None, None),
        ("copay", "desk-7", "receipt R-1009"),
    ]
    assert [e.key for e in ledger.history(account=AR_P1)] == ["pay-C1", "copay"]
    assert [e.key for e in ledger.history(claim="C1", offset=1, limit=1)] == ["pay-C1"]
    with pytest.raises(LedgerError, match="exactly one"):
        ledger.history(claim="C1", patient="P1")
    with pytest.raises(LedgerError, match="limit out of range"):
        ledger.history(claim="C1", limit=0)


def test_a_closed_period_refuses_entries_on_or_before_its_end(ledger: Ledger) -> None:
    ledger.post(charge())
    close = ledger.close_period(through=DAY2, actor="manager")
    assert (close.kind, close.actor, close.effective) == (EntryKind.PERIOD_CLOSE, "manager", DAY2)
    assert ledger.closed_through == DAY2
    assert ledger.close_period(through=DAY2, actor="manager") == close  # again: the same
    before = snapshot(ledger)
    from medbill import PeriodClosedError

    with pytest.raises(PeriodClosedError, match="on or before 2025-03-15") as caught:
        ledger.post(payment(day=DAY2))
    assert caught.value.closed_through == DAY2
    assert snapshot(ledger) == before
    ledger.post(payment(day=DAY3))  # the correction posts in the open period
    with pytest.raises(PeriodClosedError):
        ledger.close_period(through=DAY1, actor="manager")  # periods only move forward
    assert [e.key for e in ledger.history(patient="P1")][-1] == "pay-C1"


def test_deposits_reconcile_by_trace_and_amount_and_by_batch_day(ledger: Ledger) -> None:
    """EFT-1 brought 60.00 of cash (the payment entry); a 60.00 deposit with trace EFT-1
    matches it (835 TR3 1.10.2.3, reassociation by TRN02). A 15.00 copay received on
    2025-04-01 matches that day's patient-payment batch. A 99.00 deposit explains nothing."""
    from medbill import Period
    from medbill.ledger import Deposit

    copay = JournalEntry(
        key="copay",
        effective=DAY3,
        kind=EntryKind.PATIENT_PAYMENT,
        references=References(patient="P1"),
        postings=[Posting.debit(CASH, D("15.00")), Posting.credit(AR_P1, D("15.00"))],
    )
    ledger.post_batch([charge(), payment(), copay])
    eft = Deposit(id="dep-1", amount=D("60.00"), received_on=DAY3, trace="EFT-1")
    desk = Deposit(id="dep-2", amount=D("15.00"), received_on=DAY3, batch=DAY3)
    stray = Deposit(id="dep-3", amount=D("99.00"), received_on=DAY3, trace="EFT-9")
    for deposit in (eft, desk, stray):
        assert ledger.record_deposit(deposit) == deposit
    assert ledger.record_deposit(eft) == eft  # idempotent by id
    with pytest.raises(DuplicateEntryError):
        ledger.record_deposit(Deposit(id="dep-1", amount=D("61.00"), received_on=DAY3, trace="x"))
    march = ledger.reconcile_deposits(Period(DAY1, pendulum.date(2025, 4, 30)))
    assert [(m.deposit.id, m.receipts.entries) for m in march.matched] == [
        ("dep-1", ("pay-C1",)),
        ("dep-2", ("copay",)),
    ]
    assert march.unmatched_deposits == (stray,)
    assert march.unmatched_remittances == ()
    assert not march.is_reconciled
    # the remittance of March with no deposit in March
    only_march = ledger.reconcile_deposits(Period(DAY1, pendulum.date(2025, 3, 31)))
    assert [r.trace for r in only_march.unmatched_remittances] == ["EFT-1"]
    with pytest.raises(LedgerError, match="give a trace"):
        Deposit(id="dep-4", amount=D("1.00"), received_on=DAY3)


def test_activity_rolls_a_r_forward_and_ties_to_the_trial_balance(ledger: Ledger) -> None:
    """March: charge 100.00 to acme (2025-03-01); acme pays 60.00, writes off 25.00 and
    moves 15.00 to the patient (2025-03-15). April: the patient pays 15.00. For April alone
    A/R opens at 15.00 (0 acme + 15 patient) and closes at 0.00."""
    from medbill.ledger import activity

    copay = JournalEntry(
        key="copay",
        effective=DAY3,
        kind=EntryKind.PATIENT_PAYMENT,
        references=References(patient="P1"),
        postings=[Posting.debit(CASH, D("15.00")), Posting.credit(AR_P1, D("15.00"))],
    )
    ledger.post_batch([charge(), payment(), copay])
    march = activity(ledger, period=Period(DAY1, pendulum.date(2025, 3, 31)))
    rows = {r.party: r for r in march.rows}
    assert (rows["acme"].charges, rows["acme"].payments) == (D("100.00"), D("60.00"))
    assert rows["acme"].adjustments == (("contractual_adjustment", D("25.00")),)
    assert (rows["acme"].closing_ar, rows["patient"].closing_ar) == (D("0.00"), D("15.00"))
    assert (march.opening_ar, march.ar_change, march.closing_ar) == (
        D("0.00"),
        D("15.00"),
        D("15.00"),
    )
    april = activity(ledger, period=Period(DAY3, pendulum.date(2025, 4, 30)))
    assert (april.opening_ar, april.ar_change, april.closing_ar) == (
        D("15.00"),
        D("-15.00"),
        D("0.00"),
    )
    assert {r.party: r.payments for r in april.rows}["patient"] == D("15.00")


def test_activity_by_provider_follows_each_claims_charge(ledger: Ledger) -> None:
    """Two providers' claims for one patient, worked by hand.

    March: C1 (provider 1111111112) charged 100.00 to acme and paid as ``payment()``
    (60.00 cash, 25.00 contractual, 15.00 to the patient; the payment names no provider, so
    it counts for C1's); C2 (provider 2222222224) charged 80.00 to acme, 30.00 written off
    as a small balance; a provider-level adjustment of 5.00 cash about no claim counts as
    unassigned. Closing A/R: 15.00 (C1, the patient's) + 50.00 (C2) = 65.00, the report's
    total. April: the patient pays C1's 15.00; C2's 50.00 stays open.
    """
    from medbill.ledger import activity

    ar_c2 = Account.insurance_receivable("acme", "primary", "P1", "C2")
    c1 = JournalEntry(
        key="charge-C1",
        effective=DAY1,
        kind=EntryKind.CHARGE,
        references=References(patient="P1", claim="C1", provider="1111111112"),
        postings=[Posting.debit(AR_ACME, D("100.00")), Posting.credit(CHARGES, D("100.00"))],
    )
    c2 = JournalEntry(
        key="charge-C2",
        effective=DAY1,
        kind=EntryKind.CHARGE,
        references=References(patient="P1", claim="C2", provider="2222222224"),
        postings=[
            Posting.debit(ar_c2, D("80.00")),
            Posting.credit(Account.gross_charges("P1", "C2"), D("80.00")),
        ],
    )
    small = Account.write_off("small_balance", payer="acme", claim="C2")
    write_off = JournalEntry(
        key="wo-C2",
        effective=DAY2,
        kind=EntryKind.WRITE_OFF,
        references=References(patient="P1", claim="C2"),
        postings=[Posting.debit(small, D("30.00")), Posting.credit(ar_c2, D("30.00"))],
    )
    plb = JournalEntry(
        key="plb",
        effective=DAY2,
        kind=EntryKind.PROVIDER_ADJUSTMENT,
        references=References(payer="acme"),
        postings=[
            Posting.debit(CASH, D("5.00")),
            Posting.credit(Account(code="other_adjustment", payer="acme"), D("5.00")),
        ],
    )
    copay = JournalEntry(
        key="copay",
        effective=DAY3,
        kind=EntryKind.PATIENT_PAYMENT,
        references=References(patient="P1"),
        postings=[Posting.debit(CASH, D("15.00")), Posting.credit(AR_P1, D("15.00"))],
    )
    ledger.post_batch([c1, c2, payment(), write_off, plb, copay])
    march = activity(ledger, period=Period(DAY1, pendulum.date(2025, 3, 31)))
    rows = {r.party: r for r in march.providers}
    assert list(rows) == ["1111111112", "2222222224", "unassigned"]
    one, two, none = rows["1111111112"], rows["2222222224"], rows["unassigned"]
    assert (one.opening_ar, one.charges, one.payments, one.closing_ar) == (
        D("0.00"),
        D("100.00"),
        D("60.00"),
        D("15.00"),
    )
    assert one.adjustments == (("contractual_adjustment", D("25.00")),)
    assert (two.charges, two.payments, two.closing_ar) == (D("80.00"), D("0.00"), D("50.00"))
    assert two.write_offs == (("write_off.small_balance", D("30.00")),)
    assert (none.payments, none.adjustments, none.closing_ar) == (
        D("5.00"),
        (("other_adjustment", D("-5.00")),),
        D("0.00"),
    )
    assert march.closing_ar == D("65.00") == sum((r.closing_ar for r in march.providers), D(0))
    april = activity(ledger, period=Period(DAY3, pendulum.date(2025, 4, 30)))
    assert [(r.party, r.opening_ar, r.payments, r.closing_ar) for r in april.providers] == [
        ("1111111112", D("15.00"), D("15.00"), D("0.00")),
        ("2222222224", D("50.00"), D("0.00"), D("50.00")),
    ]
    assert "1111111112" in april.render_text(by="provider")
    with pytest.raises(LedgerError, match="by must be 'payer' or 'provider'"):
        april.render_text(by="clinic")


def test_a_payment_over_two_providers_claims_is_split_by_what_it_credited(
    ledger: Ledger,
) -> None:
    """Self-pay claims C1 (provider 1111111112, 100.00) and C2 (2222222224, 80.00) on
    2025-03-01; on 2025-03-15 the patient pays 55.00: 30.00 to C1, 20.00 to C2 and 5.00
    left as credit. Payments: 30.00, 20.00 and 5.00 unassigned; closing A/R 70.00 + 60.00 =
    130.00 = 180.00 - 50.00."""
    from medbill.ledger import activity

    def self_pay(claim: str, provider: str, amount: str) -> JournalEntry:
        return JournalEntry(
            key=f"charge-{claim}",
            effective=DAY1,
            kind=EntryKind.CHARGE,
            references=References(patient="P1", claim=claim, provider=provider),
            postings=[
                Posting.debit(Account.patient_receivable("P1", claim), D(amount)),
                Posting.credit(Account.gross_charges("P1", claim), D(amount)),
            ],
        )

    paid = JournalEntry(
        key="pp-55",
        effective=DAY2,
        kind=EntryKind.PATIENT_PAYMENT,
        references=References(patient="P1"),
        postings=[
            Posting.debit(CASH, D("55.00")),
            Posting.credit(Account.patient_receivable("P1", "C1"), D("30.00")),
            Posting.credit(Account.patient_receivable("P1", "C2"), D("20.00")),
            Posting.credit(CREDIT, D("5.00")),
        ],
    )
    ledger.post_batch(
        [self_pay("C1", "1111111112", "100.00"), self_pay("C2", "2222222224", "80.00"), paid]
    )
    march = activity(ledger, period=Period(DAY1, pendulum.date(2025, 3, 31)))
    assert [(r.party, r.charges, r.payments, r.closing_ar) for r in march.providers] == [
        ("1111111112", D("100.00"), D("30.00"), D("70.00")),
        ("2222222224", D("80.00"), D("20.00"), D("60.00")),
        ("unassigned", D("0.00"), D("5.00"), D("0.00")),
    ]
    assert march.closing_ar == D("130.00")


def test_aging_from_the_store_in_one_pass(ledger: Ledger) -> None:
    """As of 2025-04-01 the patient owes 15.00, first billed 2025-03-15 (17 days: 0-30);
    as of 2025-03-10 acme owes the whole 100.00 charged 2025-03-01 (9 days: 0-30)."""
    from medbill.ledger import aging

    ledger.post_batch([charge(), payment()])
    report = aging(ledger, as_of=DAY3)
    assert [(r.responsibility, r.payer, r.buckets[0]) for r in report.rows] == [
        ("patient", None, D("15.00"))
    ]
    early = aging(ledger, as_of=pendulum.date(2025, 3, 10))
    assert [(r.payer, r.buckets[0]) for r in early.rows] == [("acme", D("100.00"))]
