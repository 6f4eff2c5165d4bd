"""Reports and payment plans, with expected figures worked out by hand."""

from __future__ import annotations

from decimal import Decimal

import pendulum
import pytest

from medbill import (
    ClaimId,
    LedgerError,
    PatientId,
    PatientPayment,
    Period,
    Priority,
    ValidationError,
)
from medbill.ledger import (
    AgingBasis,
    Ledger,
    PaymentPlan,
    aging,
    claim_balance,
    claim_history,
    patient_balance,
    plan_status,
    post_charges,
    post_claim_payment,
    post_patient_payment,
    statement,
    transfer_responsibility,
    trial_balance,
    write_off,
)
from medbill.ledger._examples import example_claim, example_coverage, example_remittance
from medbill.ledger._plans import InstallmentState

D = Decimal


@pytest.fixture
def ledger() -> Ledger:
    return Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 6, 1, 9))


def pay(
    ledger: Ledger, payment_id: str, amount: str, day: pendulum.Date, plan_id: str | None = None
) -> PatientPayment:
    payment = PatientPayment(
        id=payment_id,
        patient_id=PatientId("MRN-1"),
        amount=D(amount),
        received_on=day,
        plan_id=plan_id,
    )
    post_patient_payment(ledger, payment)
    return payment


def test_patient_and_claim_balances_keep_insurance_and_patient_apart(ledger: Ledger) -> None:
    claim = example_claim()
    post_charges(ledger, claim)
    era = example_remittance()
    post_claim_payment(ledger, claim, era.claim_payments[0], remittance=era)
    pay(ledger, "pp-1", "50.00", pendulum.date(2025, 4, 10))  # 30 owed → 20 credit
    balance = patient_balance(ledger, PatientId("MRN-1"))
    assert (balance.patient_due, balance.insurance_pending, balance.credit) == (
        D("0.00"),
        D("0.00"),
        D("20.00"),
    )
    assert balance.amount_due == D("-20.00")
    before_payment = patient_balance(ledger, PatientId("MRN-1"), as_of=pendulum.date(2025, 3, 31))
    assert before_payment.insurance_pending == D("200.00")
    assert claim_balance(ledger, ClaimId("C-1")).total == D("0.00")
    assert claim_balance(
        ledger, ClaimId("C-1"), as_of=pendulum.date(2025, 4, 1)
    ).patient_share == D("30.00")


def test_aging_buckets_by_service_and_by_billing_date(ledger: Ledger) -> None:
    # C-1 served 2025-03-04: acme pays 2025-04-01 and bills 30.00 to the patient
    claim = example_claim()
    post_charges(ledger, claim)
    era = example_remittance()
    post_claim_payment(ledger, claim, era.claim_payments[0], remittance=era)
    # C-2 served 2025-01-10, still with acme; C-3 self-pay served 2025-05-20
    post_charges(
        ledger, example_claim("C-2", charges=(D("80.00"),), day=pendulum.date(2025, 1, 10))
    )
    post_charges(
        ledger,
        example_claim("C-3", coverage=None, charges=(D("40.00"),), day=pendulum.date(2025, 5, 20)),
    )
    as_of = pendulum.date(2025, 6, 1)
    by_service = aging(ledger, as_of=as_of)
    # C-1: 89 days → 61-90; C-2: 142 days → 120+; C-3: 12 days → 0-30
    rows = {(r.responsibility, r.payer): r.buckets for r in by_service.rows}
    zero = D("0.00")
    assert rows[("insurance", "acme")] == (zero, zero, zero, zero, D("80.00"))
    assert rows[("patient", None)] == (D("40.00"), zero, D("30.00"), zero, zero)
    by_billing = aging(ledger, as_of=as_of, basis=AgingBasis.BILLING)
    # billed to the patient on 2025-04-01 (the remittance): 61 days → 61-90
    rows = {(r.responsibility, r.payer): r.buckets for r in by_billing.rows}
    assert rows[("patient", None)] == (D("40.00"), zero, D("30.00"), zero, zero)
    assert by_billing.totals("insurance") == (zero, zero, zero, zero, D("80.00"))
    assert "acme" in by_service.render_text()


def test_aging_by_billing_date_follows_a_transfer(ledger: Ledger) -> None:
    claim = example_claim(charges=(D("100.00"),), day=pendulum.date(2025, 1, 2))
    post_charges(ledger, claim)
    transfer_responsibility(
        ledger,
        ClaimId("C-1"),
        source=claim.coverage,
        target=example_coverage(payer_id="beta", priority=Priority.SECONDARY),
        effective=pendulum.date(2025, 5, 15),
    )
    report = aging(ledger, as_of=pendulum.date(2025, 6, 1), basis="billing")
    # 2025-05-15 to 2025-06-01 is 17 days; by service it would be 150 days
    assert [(r.payer, r.buckets[0]) for r in report.rows] == [("beta", D("100.00"))]
    assert aging(ledger, as_of=pendulum.date(2025, 6, 1)).rows[0].buckets[4] == D("100.00")


def test_statement_balances_and_renders(ledger: Ledger) -> None:
    post_charges(
        ledger,
        example_claim("C-OLD", coverage=None, charges=(D("90.00"),), day=pendulum.date(2025, 2, 3)),
    )
    claim = example_claim()
    post_charges(ledger, claim)
    era = example_remittance()
    post_claim_payment(ledger, claim, era.claim_payments[0], remittance=era)
    pay(ledger, "pp-1", "25.00", pendulum.date(2025, 4, 5))
    write_off(
        ledger,
        ClaimId("C-OLD"),
        reason="administrative",
        amount=D("5.00"),
        effective=pendulum.date(2025, 4, 20),
    )
    april = statement(
        ledger,
        PatientId("MRN-1"),
        period=Period(pendulum.date(2025, 4, 1), pendulum.date(2025, 4, 30)),
    )
    # previous 90.00 (C-OLD); charges 30.00 (patient share of C-1); payment 25.00; write-off 5.00
    assert april.previous_balance == D("90.00")
    assert april.charges == D("30.00")
    assert april.payments == D("25.00")
    assert april.adjustments == D("5.00")
    assert april.new_balance == D("90.00")
    assert (
        april.previous_balance + april.charges - april.payments - april.adjustments
        == april.new_balance
    )
    assert [line.category for line in april.lines] == ["charge", "payment", "adjustment"]
    assert april.insurance_pending == D("0.00")
    text = april.render_text()
    assert "New balance" in text
    assert "90.00" in text
    markup = april.render_html()
    assert markup.startswith('<table class="medbill-statement">')
    assert "<td>New balance</td><td>90.00</td>" in markup
    with pytest.raises(ValidationError, match="end: must not be before start"):
        statement(
            ledger,
            PatientId("MRN-1"),
            period=Period(pendulum.date(2025, 5, 1), pendulum.date(2025, 4, 1)),
        )


def test_claim_history_tells_the_whole_story(ledger: Ledger) -> None:
    claim = example_claim()
    post_charges(ledger, claim)
    era = example_remittance()
    post_claim_payment(ledger, claim, era.claim_payments[0], remittance=era)
    pay(ledger, "pp-1", "30.00", pendulum.date(2025, 4, 5))
    history = claim_history(ledger, ClaimId("C-1"))
    assert [e.kind.value for e in history.entries] == ["charge", "claim_payment", "patient_payment"]
    assert history.balance.total == D("0.00")
    assert history.render().endswith("open: insurance 0.00; patient 0.00")


def test_trial_balance_is_zero_and_as_of(ledger: Ledger) -> None:
    claim = example_claim()
    post_charges(ledger, claim)
    era = example_remittance()
    post_claim_payment(ledger, claim, era.claim_payments[0], remittance=era)
    report = trial_balance(ledger)
    assert report.is_balanced
    # debits: cash 120 + contractual 50 + patient receivable 30 = 200 = gross charges
    assert report.total_debits == D("200.00")
    rows = {row.code: (row.debit, row.credit) for row in report.rows}
    assert rows["cash"] == (D("120.00"), D("0.00"))
    assert rows["gross_charges"] == (D("0.00"), D("200.00"))
    assert rows["insurance_receivable"] == (D("0.00"), D("0.00"))
    before = trial_balance(ledger, as_of=pendulum.date(2025, 3, 31))
    assert {r.code: r.debit for r in before.rows}["insurance_receivable"] == D("200.00")


def test_payment_plan_schedule_and_status(ledger: Ledger) -> None:
    plan = PaymentPlan(
        id="plan-1",
        patient_id="MRN-1",
        amount=D("100.00"),
        installments=4,
        start=pendulum.date(2025, 3, 1),
        frequency="biweekly",
    )
    schedule = plan.schedule()
    assert [str(i.due) for i in schedule] == [
        "2025-03-01",
        "2025-03-15",
        "2025-03-29",
        "2025-04-12",
    ]
    assert [i.amount for i in schedule] == [D("25.00")] * 4
    payments = [
        pay(ledger, "pp-0", "99.00", pendulum.date(2025, 2, 1), "plan-1"),  # before the plan
        pay(ledger, "pp-1", "25.00", pendulum.date(2025, 3, 1), "plan-1"),
        pay(ledger, "pp-x", "40.00", pendulum.date(2025, 3, 5)),  # a copay: not to the plan
        pay(ledger, "pp-2", "10.00", pendulum.date(2025, 3, 20), "plan-1"),
        pay(ledger, "pp-y", "30.00", pendulum.date(2025, 3, 20), "plan-2"),  # another plan
    ]
    status = plan_status(ledger, plan, as_of=pendulum.date(2025, 3, 29), payments=payments)
    assert status.paid == D("35.00")  # 25 + 10: only plan-1's payments since its start
    assert [(str(paid), state) for _, paid, state in status.installments] == [
        ("25.00", InstallmentState.PAID),
        ("10.00", InstallmentState.LATE),
        ("0.00", InstallmentState.DUE),
        ("0.00", InstallmentState.UPCOMING),
    ]
    assert status.remaining == D("65.00")
    assert [i.number for i in status.late] == [2]
    # Installment 2 (due 03-15, 15.00 short) is late; the grace period is 15 days, so the
    # plan is delinquent only from 03-31 (16 days after the due date).
    assert not status.is_delinquent
    later = plan_status(ledger, plan, as_of=pendulum.date(2025, 3, 31), payments=payments)
    assert later.is_delinquent
    ledger.reverse("patient-payment:MRN-1:pp-1", effective=pendulum.date(2025, 3, 21))  # bounced
    after = plan_status(ledger, plan, as_of=pendulum.date(2025, 3, 29), payments=payments)
    assert after.paid == D("10.00")
    before_bounce = plan_status(ledger, plan, as_of=pendulum.date(2025, 3, 20), payments=payments)
    assert before_bounce.paid == D("35.00")  # the reversal takes effect on 03-21


def test_payment_plan_validation() -> None:
    with pytest.raises(LedgerError, match="installments"):
        PaymentPlan(
            id="p",
            patient_id="MRN-1",
            amount=D("10.00"),
            installments=0,
            start=pendulum.date(2025, 1, 1),
            frequency="weekly",
        )
    with pytest.raises(LedgerError, match="too small"):
        PaymentPlan(
            id="p",
            patient_id="MRN-1",
            amount=D("0.02"),
            installments=3,
            start=pendulum.date(2025, 1, 1),
            frequency="weekly",
        )
