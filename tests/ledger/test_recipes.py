"""Scenario tests of the posting recipes; every expected amount is worked out by hand."""

from __future__ import annotations

from decimal import Decimal

import pendulum
import pytest

from medbill import (
    Adjustment,
    ClaimId,
    ClaimPayment,
    DuplicateEntryError,
    LedgerError,
    PatientId,
    PatientPayment,
    PayerId,
    Priority,
    ProviderAdjustment,
    Remittance,
)
from medbill.ledger import (
    Account,
    EntryKind,
    JournalEntry,
    Ledger,
    Posting,
    apply_patient_credit,
    pay_refund,
    post_charges,
    post_claim_payment,
    post_patient_payment,
    post_provider_adjustments,
    recognize_payer_overpayment,
    refund_credit,
    transfer_responsibility,
    write_off,
    write_off_small_balances,
)
from medbill.ledger._examples import example_claim, example_coverage, example_remittance

D = Decimal
PAID_ON = pendulum.date(2025, 4, 1)


@pytest.fixture
def ledger() -> Ledger:
    return Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 4, 2, 9))


def remittance(payment: ClaimPayment, trace: str = "EFT-9") -> Remittance:
    return Remittance(
        id=trace,
        payer_name="Payer",
        payment_amount=max(payment.paid, D("0.00")),
        paid_on=PAID_ON,
        claim_payments=(payment,),
    )


def claim_payment(
    status: str, paid: str, *adjustments: tuple[str, str, str], charge: str = "200.00"
) -> ClaimPayment:
    adjs = tuple(Adjustment(group=g, reason=r, amount=D(a)) for g, r, a in adjustments)
    pr = sum((a.amount for a in adjs if a.group.value == "PR"), D("0.00"))
    return ClaimPayment(
        claim_id=ClaimId("C-1"),
        status=status,
        charge=D(charge),
        paid=D(paid),
        patient_responsibility=pr,
        adjustments=adjs,
    )


def test_charges_go_to_the_primary_payer(ledger: Ledger) -> None:
    entry = post_charges(ledger, example_claim())
    assert entry.kind is EntryKind.CHARGE
    assert entry.effective == pendulum.date(2025, 3, 4)
    assert entry.references.service_date == pendulum.date(2025, 3, 4)
    assert ledger.total("insurance_receivable", claim="C-1") == D("200.00")
    assert ledger.total("insurance_receivable", payer="acme", level="primary") == D("200.00")
    assert ledger.total("gross_charges", claim="C-1") == D("200.00")
    assert ledger.total("patient_receivable", claim="C-1") == D("0.00")


def test_self_pay_charges_go_to_the_patient(ledger: Ledger) -> None:
    post_charges(ledger, example_claim(coverage=None))
    assert ledger.total("patient_receivable", patient="MRN-1") == D("200.00")
    assert ledger.total("insurance_receivable", claim="C-1") == D("0.00")


def test_primary_payment_line_by_line(ledger: Ledger) -> None:
    claim = example_claim()
    post_charges(ledger, claim)
    era = example_remittance()
    post_claim_payment(ledger, claim, era.claim_payments[0], remittance=era)
    # line 1: 150 = 100 paid + 30 CO + 20 PR; line 2: 50 = 20 + 20 + 10
    assert ledger.balance(Account.cash("acme")) == D("120.00")
    assert ledger.total("contractual_adjustment", claim="C-1") == D("50.00")
    assert ledger.balance(Account.patient_receivable("MRN-1", "C-1", "1")) == D("20.00")
    assert ledger.balance(Account.patient_receivable("MRN-1", "C-1", "2")) == D("10.00")
    assert ledger.total("insurance_receivable", claim="C-1") == D("0.00")
    ledger.check_invariants()


def test_patient_responsibility_goes_to_the_secondary_then_the_patient(ledger: Ledger) -> None:
    secondary = example_coverage(payer_id="beta", priority=Priority.SECONDARY)
    claim = example_claim()
    post_charges(ledger, claim)
    primary_pays = claim_payment("19", "120.00", ("CO", "45", "50.00"), ("PR", "2", "30.00"))
    post_claim_payment(
        ledger, claim, primary_pays, remittance=remittance(primary_pays), next_coverage=secondary
    )
    assert ledger.total("insurance_receivable", payer="beta", level="secondary") == D("30.00")
    assert ledger.total("patient_receivable", claim="C-1") == D("0.00")
    # the secondary pays 25, leaves 5 coinsurance; OA-23 repeats the primary's 170
    secondary_pays = claim_payment("2", "25.00", ("OA", "23", "170.00"), ("PR", "2", "5.00"))
    post_claim_payment(
        ledger,
        claim,
        secondary_pays,
        remittance=remittance(secondary_pays, "EFT-10"),
        coverage=secondary,
    )
    assert ledger.total("insurance_receivable", claim="C-1") == D("0.00")
    assert ledger.total("patient_receivable", claim="C-1") == D("5.00")
    assert ledger.total("cash") == D("145.00")
    assert ledger.total("other_adjustment") == D("0.00")
    ledger.check_invariants()


def test_pi_is_contractual_and_other_oa_is_held(ledger: Ledger) -> None:
    claim = example_claim()
    post_charges(ledger, claim)
    payment = claim_payment("1", "150.00", ("PI", "45", "30.00"), ("OA", "94", "20.00"))
    post_claim_payment(ledger, claim, payment, remittance=remittance(payment))
    assert ledger.total("contractual_adjustment", claim="C-1") == D("30.00")
    assert ledger.total("other_adjustment", claim="C-1") == D("20.00")
    assert ledger.total("insurance_receivable", claim="C-1") == D("0.00")


def test_a_denial_records_the_event_and_moves_nothing(ledger: Ledger) -> None:
    claim = example_claim()
    post_charges(ledger, claim)
    denial = claim_payment("4", "0.00", ("CO", "50", "200.00"))
    entry = post_claim_payment(ledger, claim, denial, remittance=remittance(denial))
    assert entry.kind is EntryKind.DENIAL
    assert entry.postings == ()
    assert "CO-50 200.00" in entry.memo
    assert ledger.total("insurance_receivable", claim="C-1") == D("200.00")
    assert [e.kind for e in ledger.entries(claim="C-1")] == [EntryKind.CHARGE, EntryKind.DENIAL]


def test_a_reversal_undoes_the_earlier_payment(ledger: Ledger) -> None:
    claim = example_claim()
    post_charges(ledger, claim)
    era = example_remittance()
    paid = post_claim_payment(ledger, claim, era.claim_payments[0], remittance=era)
    reversal = claim_payment("22", "-120.00", ("CO", "45", "-50.00"), ("PR", "2", "-30.00"))
    undone = post_claim_payment(ledger, claim, reversal, remittance=remittance(reversal, "EFT-11"))
    assert undone.reverses == paid.key
    assert ledger.total("insurance_receivable", claim="C-1") == D("200.00")
    assert ledger.total("patient_receivable", claim="C-1") == D("0.00")
    assert ledger.total("cash") == D("0.00")
    # replaying the same reversal changes nothing; another has nothing left to undo
    again = post_claim_payment(ledger, claim, reversal, remittance=remittance(reversal, "EFT-11"))
    assert again == undone
    with pytest.raises(LedgerError, match="no payment of it is left to reverse"):
        post_claim_payment(ledger, claim, reversal, remittance=remittance(reversal, "EFT-12"))


def test_bad_claim_payments_are_refused(ledger: Ledger) -> None:
    claim = example_claim()
    post_charges(ledger, claim)
    unbalanced = claim_payment("1", "100.00", ("CO", "45", "50.00"))
    with pytest.raises(LedgerError, match=r"off by 50\.00"):
        post_claim_payment(ledger, claim, unbalanced, remittance=remittance(unbalanced))
    other = ClaimPayment(claim_id=ClaimId("C-2"), status="1", charge=D("1.00"), paid=D("1.00"))
    with pytest.raises(LedgerError, match="cannot be posted to claim 'C-1'"):
        post_claim_payment(ledger, claim, other, remittance=remittance(other))
    self_pay = example_claim(claim_id="C-9", coverage=None)
    with pytest.raises(LedgerError, match="self-pay"):
        post_claim_payment(ledger, self_pay, other, remittance=remittance(other))
    assert len(ledger) == 1


def test_provider_level_adjustments(ledger: Ledger) -> None:
    def plb(reason: str, amount: str) -> ProviderAdjustment:
        return ProviderAdjustment(
            provider_id="1234567893",
            fiscal_period_end=pendulum.date(2025, 12, 31),
            reason=reason,
            amount=D(amount),
        )

    era = Remittance(
        id="EFT-3",
        payer_name="Acme",
        payment_amount=D("0.00"),
        paid_on=PAID_ON,
        provider_adjustments=(
            plb("L6", "-2.50"),
            plb("WO", "40.00"),
            plb("FB", "10.00"),
            plb("CS", "1.00"),
        ),
    )
    entry = post_provider_adjustments(ledger, era, payer_id=PayerId("acme"))
    assert entry is not None
    # interest adds 2.50; recoupment, forward balance and the other take 51.00 → cash -48.50
    assert ledger.balance(Account.cash("acme")) == D("-48.50")
    assert ledger.balance(Account(code="interest_income", payer="acme")) == D("2.50")
    assert ledger.balance(Account(code="payer_overpayment", payer="acme")) == D("-40.00")
    assert ledger.balance(Account(code="payer_forward_balance", payer="acme")) == D("-10.00")
    assert ledger.balance(Account(code="payer_adjustment_suspense", payer="acme")) == D("-1.00")
    empty = Remittance(id="E", payer_name="A", payment_amount=D("0"), paid_on=PAID_ON)
    assert post_provider_adjustments(ledger, empty, payer_id=PayerId("acme")) is None


def self_pay_claims(ledger: Ledger) -> None:
    post_charges(
        ledger,
        example_claim("C-OLD", coverage=None, charges=(D("40.00"),), day=pendulum.date(2025, 1, 5)),
    )
    post_charges(
        ledger,
        example_claim("C-NEW", coverage=None, charges=(D("70.00"),), day=pendulum.date(2025, 2, 5)),
    )


def patient_payment(
    amount: str, payment_id: str = "pp-1", claim: str | None = None
) -> PatientPayment:
    return PatientPayment(
        id=payment_id,
        patient_id=PatientId("MRN-1"),
        amount=D(amount),
        received_on=pendulum.date(2025, 4, 2),
        claim_id=None if claim is None else ClaimId(claim),
    )


def test_patient_payment_pays_the_oldest_balance_first(ledger: Ledger) -> None:
    self_pay_claims(ledger)
    post_patient_payment(ledger, patient_payment("50.00"))
    assert ledger.total("patient_receivable", claim="C-OLD") == D("0.00")  # 40 paid
    assert ledger.total("patient_receivable", claim="C-NEW") == D("60.00")  # 10 of 70 paid
    post_patient_payment(ledger, patient_payment("100.00", "pp-2"))
    assert ledger.total("patient_receivable", patient="MRN-1") == D("0.00")
    assert ledger.balance(Account.patient_credit("MRN-1")) == D("40.00")  # 100 - 60
    assert ledger.total("cash") == D("150.00")


def test_patient_payment_aimed_at_a_claim(ledger: Ledger) -> None:
    self_pay_claims(ledger)
    post_patient_payment(ledger, patient_payment("80.00", claim="C-NEW"))
    assert ledger.total("patient_receivable", claim="C-OLD") == D("40.00")
    assert ledger.total("patient_receivable", claim="C-NEW") == D("0.00")
    assert ledger.balance(Account.patient_credit("MRN-1")) == D("10.00")
    post_patient_payment(ledger, patient_payment("5.00", "pp-2"), apply_to=[ClaimId("C-OLD")])
    assert ledger.total("patient_receivable", claim="C-OLD") == D("35.00")
    post_charges(ledger, example_claim("C-X", patient_id="MRN-2", coverage=None))
    with pytest.raises(LedgerError, match="does not belong"):
        post_patient_payment(ledger, patient_payment("5.00", "pp-3", claim="C-X"))


def test_credit_applied_refunded_and_paid_out(ledger: Ledger) -> None:
    self_pay_claims(ledger)
    post_patient_payment(ledger, patient_payment("150.00"))  # 110 owed → 40 credit
    post_charges(
        ledger,
        example_claim("C-3", coverage=None, charges=(D("25.00"),), day=pendulum.date(2025, 3, 2)),
    )
    applied = apply_patient_credit(ledger, PatientId("MRN-1"), effective=pendulum.date(2025, 3, 3))
    assert applied is not None
    assert ledger.total("patient_receivable", claim="C-3") == D("0.00")
    assert ledger.balance(Account.patient_credit("MRN-1")) == D("15.00")
    with pytest.raises(LedgerError, match=r"exceeds the patient's credit of 15\.00"):
        refund_credit(
            ledger, PatientId("MRN-1"), effective=pendulum.date(2025, 3, 4), amount=D("15.01")
        )
    refund_credit(ledger, PatientId("MRN-1"), effective=pendulum.date(2025, 3, 4), amount=D("5.00"))
    assert ledger.balance(Account.refunds_payable("MRN-1")) == D("5.00")
    pay_refund(ledger, PatientId("MRN-1"), effective=pendulum.date(2025, 3, 9))
    assert ledger.balance(Account.refunds_payable("MRN-1")) == D("0.00")
    refund_credit(ledger, PatientId("MRN-1"), effective=pendulum.date(2025, 3, 9), paid=True)
    assert ledger.balance(Account.patient_credit("MRN-1")) == D("0.00")
    assert ledger.total("cash") == D("135.00")  # 150 in, 5 + 10 out
    ledger.check_invariants()


def test_write_offs(ledger: Ledger) -> None:
    claim = example_claim()
    post_charges(ledger, claim)
    write_off(
        ledger,
        ClaimId("C-1"),
        reason="timely_filing",
        coverage=claim.coverage,
        effective=pendulum.date(2025, 9, 1),
    )
    assert ledger.total("insurance_receivable", claim="C-1") == D("0.00")
    assert ledger.total("write_off.timely_filing", claim="C-1") == D("200.00")
    with pytest.raises(LedgerError, match="exceeds the open balance of patient"):
        write_off(ledger, ClaimId("C-1"), reason="bad_debt", effective=pendulum.date(2025, 9, 2))
    with pytest.raises(LedgerError, match="unknown claim"):
        write_off(ledger, ClaimId("C-404"), reason="bad_debt", effective=pendulum.date(2025, 9, 2))


def test_small_balances_are_written_off_up_to_the_threshold(ledger: Ledger) -> None:
    self_pay_claims(ledger)
    post_patient_payment(ledger, patient_payment("36.00", claim="C-OLD"))  # leaves 4.00
    post_patient_payment(ledger, patient_payment("64.00", "pp-2", claim="C-NEW"))  # leaves 6.00
    entries = write_off_small_balances(
        ledger, threshold=D("5.00"), effective=pendulum.date(2025, 6, 30)
    )
    assert [e.references.claim for e in entries] == ["C-OLD"]
    assert ledger.total("write_off.small_balance") == D("4.00")
    assert ledger.total("patient_receivable", patient="MRN-1") == D("6.00")


def test_transfer_of_responsibility(ledger: Ledger) -> None:
    claim = example_claim(coverage=None)
    post_charges(ledger, claim)
    found_later = example_coverage(payer_id="beta")
    transfer_responsibility(
        ledger,
        ClaimId("C-1"),
        source=None,
        target=found_later,
        amount=D("120.00"),
        effective=pendulum.date(2025, 5, 1),
    )
    assert ledger.total("insurance_receivable", payer="beta", claim="C-1", level="primary") == D(
        "120.00"
    )
    assert ledger.total("patient_receivable", claim="C-1") == D("80.00")
    with pytest.raises(LedgerError, match="both patient"):
        transfer_responsibility(
            ledger, ClaimId("C-1"), source=None, target=None, effective=pendulum.date(2025, 5, 1)
        )


def test_every_recipe_is_idempotent(ledger: Ledger) -> None:
    claim = example_claim()
    era = example_remittance()
    first = [
        post_charges(ledger, claim),
        post_claim_payment(ledger, claim, era.claim_payments[0], remittance=era),
        post_patient_payment(ledger, patient_payment("50.00")),
    ]
    count = len(ledger)
    again = [
        post_charges(ledger, claim),
        post_claim_payment(ledger, claim, era.claim_payments[0], remittance=era),
        post_patient_payment(ledger, patient_payment("50.00")),
    ]
    assert again == first
    assert len(ledger) == count
    assert ledger.balance(Account.patient_credit("MRN-1")) == D("20.00")  # 50 - 30 owed


def test_a_replay_with_other_content_is_a_duplicate(ledger: Ledger) -> None:
    self_pay_claims(ledger)
    post_patient_payment(ledger, patient_payment("50.00"))
    with pytest.raises(DuplicateEntryError, match="patient-payment:MRN-1:pp-1"):
        post_patient_payment(ledger, patient_payment("51.00"))
    day = pendulum.date(2025, 9, 1)
    write_off(ledger, ClaimId("C-NEW"), reason="charity", effective=day, amount=D("10.00"))
    assert write_off(ledger, ClaimId("C-NEW"), reason="charity", effective=day, amount=D("10.00"))
    with pytest.raises(DuplicateEntryError):
        write_off(ledger, ClaimId("C-NEW"), reason="charity", effective=day, amount=D("11.00"))
    assert ledger.total("write_off.charity") == D("10.00")


@pytest.mark.parametrize("amount", [D("-5.00"), D("0.00"), D("1.001")])
def test_amounts_that_must_be_positive(ledger: Ledger, amount: Decimal) -> None:
    self_pay_claims(ledger)
    count = len(ledger)
    day = pendulum.date(2025, 9, 1)
    with pytest.raises(LedgerError, match="amount"):
        write_off(ledger, ClaimId("C-NEW"), reason="charity", effective=day, amount=amount)
    with pytest.raises(LedgerError, match="amount"):
        transfer_responsibility(
            ledger,
            ClaimId("C-NEW"),
            source=None,
            target=example_coverage(),
            effective=day,
            amount=amount,
        )
    with pytest.raises(LedgerError, match="amount"):
        refund_credit(ledger, PatientId("MRN-1"), effective=day, amount=amount)
    assert len(ledger) == count


def test_a_payer_overpayment_becomes_a_liability_then_is_recouped(ledger: Ledger) -> None:
    claim = example_claim()
    post_charges(ledger, claim)
    # acme pays 160.00 (CO 40.00), then pays the same claim again in a later remittance
    paid = claim_payment("1", "160.00", ("CO", "45", "40.00"))
    post_claim_payment(ledger, claim, paid, remittance=remittance(paid, "EFT-1"))
    second = post_claim_payment(ledger, claim, paid, remittance=remittance(paid, "EFT-2"))
    # it owed nothing the second time: only the extra cash (160.00) is owed back, and the
    # contractual adjustment is not booked twice (CARC 18 duplicate: the original carries it)
    assert "duplicate payment: 160.00 owed back" in second.memo
    assert ledger.total("insurance_receivable", claim="C-1") == D("0.00")
    assert ledger.balance(Account(code="payer_overpayment", payer="acme")) == D("160.00")
    assert ledger.total("contractual_adjustment", claim="C-1") == D("40.00")  # once
    assert (
        recognize_payer_overpayment(
            ledger,
            ClaimId("C-1"),
            coverage=example_coverage(),
            effective=pendulum.date(2025, 4, 15),
        )
        is None
    )
    # a later remittance withholds the 160.00 (PLB WO): the liability is settled
    recoup = Remittance(
        id="EFT-77",
        payer_name="Acme",
        payment_amount=D("0.00"),
        paid_on=pendulum.date(2025, 5, 1),
        provider_adjustments=(
            ProviderAdjustment(
                provider_id="1234567893",
                fiscal_period_end=pendulum.date(2025, 12, 31),
                reason="WO",
                amount=D("160.00"),
            ),
        ),
    )
    post_provider_adjustments(ledger, recoup, payer_id=PayerId("acme"))
    assert ledger.balance(Account(code="payer_overpayment", payer="acme")) == D("0.00")
    assert ledger.total("cash") == D("160.00")  # 320 received, 160 withheld later


def test_recognize_a_payer_credit_left_by_a_hand_posted_check(ledger: Ledger) -> None:
    claim = example_claim()
    post_charges(ledger, claim)
    era = example_remittance()  # acme settles its 200.00: nothing left owed
    post_claim_payment(ledger, claim, era.claim_payments[0], remittance=era)
    # a paper check of 25.00 from acme is applied to the claim by hand
    ledger.post(
        JournalEntry(
            key="check-881",
            effective=pendulum.date(2025, 4, 20),
            postings=[
                Posting.debit(Account.cash("acme"), D("25.00")),
                Posting.credit(
                    Account.insurance_receivable("acme", "primary", "MRN-1", "C-1"), D("25.00")
                ),
            ],
        )
    )
    assert ledger.total("insurance_receivable", claim="C-1") == D("-25.00")
    entry = recognize_payer_overpayment(
        ledger, ClaimId("C-1"), coverage=example_coverage(), effective=pendulum.date(2025, 4, 21)
    )
    assert entry is not None
    assert ledger.total("insurance_receivable", claim="C-1") == D("0.00")
    assert ledger.balance(Account(code="payer_overpayment", payer="acme")) == D("25.00")
    assert (
        recognize_payer_overpayment(
            ledger,
            ClaimId("C-1"),
            coverage=example_coverage(),
            effective=pendulum.date(2025, 4, 22),
        )
        is None
    )


def test_open_balances_are_net_over_line_and_claim_level_accounts(ledger: Ledger) -> None:
    claim = example_claim()  # lines 150.00 and 50.00 to acme
    post_charges(ledger, claim)
    payment = claim_payment("1", "120.00", ("CO", "45", "50.00"), ("PR", "2", "30.00"))
    post_claim_payment(ledger, claim, payment, remittance=remittance(payment))
    # acme's line accounts still show 150 and 50, its claim-level account -200: net zero
    assert ledger.total("insurance_receivable", claim="C-1") == D("0.00")
    with pytest.raises(LedgerError, match=r"open balance of acme/primary \(0\.00\)"):
        transfer_responsibility(
            ledger, ClaimId("C-1"), source=claim.coverage, target=None, effective=PAID_ON
        )
    post_patient_payment(ledger, patient_payment("30.00"))
    reversal = claim_payment("22", "-120.00", ("CO", "45", "-50.00"), ("PR", "2", "-30.00"))
    post_claim_payment(ledger, claim, reversal, remittance=remittance(reversal, "EFT-R"))
    # the patient paid 30.00 that is no longer theirs to pay: it becomes credit
    assert ledger.total("patient_receivable", claim="C-1") == D("0.00")
    assert ledger.balance(Account.patient_credit("MRN-1")) == D("30.00")
    assert ledger.total("insurance_receivable", claim="C-1") == D("200.00")
    post_patient_payment(ledger, patient_payment("10.00", "pp-2"))
    assert ledger.balance(Account.patient_credit("MRN-1")) == D("40.00")
    ledger.check_invariants()


def test_replaying_a_negative_claim_payment_changes_nothing(ledger: Ledger) -> None:
    claim = example_claim()
    post_charges(ledger, claim)
    era = example_remittance()
    post_claim_payment(ledger, claim, era.claim_payments[0], remittance=era)
    # a later correction takes 10.00 back and hands it to the patient (status 1, paid < 0)
    take_back = claim_payment("1", "-10.00", ("PR", "2", "10.00"), charge="0.00")
    first = post_claim_payment(ledger, claim, take_back, remittance=remittance(take_back))
    count = len(ledger)
    assert post_claim_payment(ledger, claim, take_back, remittance=remittance(take_back)) == first
    assert len(ledger) == count
    assert ledger.total("cash") == D("110.00")
    assert ledger.total("patient_receivable", claim="C-1") == D("40.00")
