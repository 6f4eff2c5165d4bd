"""Patient statements, cycles and dunning: scenarios with figures worked out by hand.

The remittance rules are the 835's (X12 005010X221A1): CAS group CO is the contractual
discount ("insurance discount" on the statement), group PR the patient's share, split by
CARC 1 (deductible), 2 (coinsurance) and 3 (co-payment); CLP02 22 reverses a payment and
CLP02 4 denies the claim.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import attrs
import pendulum
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medbill import (
    Address,
    Adjustment,
    ClaimId,
    ClaimPayment,
    Guarantor,
    LedgerError,
    LinePayment,
    PatientId,
    PatientPayment,
    PersonName,
    Practice,
    Remittance,
)
from medbill.ledger import (
    Ledger,
    PaymentPlan,
    StatementPolicy,
    build_statement,
    plan_status,
    post_charges,
    post_claim_payment,
    post_patient_payment,
    statements_due,
    write_off_small_statement_balances,
)
from medbill.ledger._examples import example_claim, example_patient, example_remittance
from medbill.ledger._statements import Statement

D = Decimal
AS_OF = pendulum.date(2025, 4, 15)


def practice() -> Practice:
    return Practice(
        name="Springfield Clinic",
        address=Address(line1="1 Main St", city="Springfield", state="IL", postal_code="62701"),
        phone="217-555-0100",
        npi="1234567893",
        tax_id="12-3456789",
        remit_to=Address(line1="PO Box 9", city="Springfield", state="IL", postal_code="62705"),
    )


@pytest.fixture
def ledger() -> Ledger:
    return Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 6, 1, 9))


def remittance(
    era_id: str, day: pendulum.Date, status: str, lines: list[tuple[str, str, list[Adjustment]]]
) -> Remittance:
    """One CLP loop for claim C-1 (lines: line id, paid, adjustments)."""
    charges = {"1": D("150.00"), "2": D("50.00")}
    paid = sum((D(p) for _, p, _ in lines), D("0.00"))
    sign = -1 if status == "22" else 1
    return Remittance(
        id=era_id,
        payer_name="Acme Health",
        payment_amount=max(paid, D("0.00")),
        paid_on=day,
        claim_payments=(
            ClaimPayment(
                claim_id=ClaimId("C-1"),
                status=status,
                charge=sign * sum((charges[line] for line, _, _ in lines), D("0.00")),
                paid=paid,
                lines=tuple(
                    LinePayment(
                        line_id=line,
                        procedure="99213" if line == "1" else "36415",
                        charge=sign * charges[line],
                        paid=D(amount),
                        adjustments=tuple(adjustments),
                    )
                    for line, amount, adjustments in lines
                ),
            ),
        ),
    )


def adj(group: str, reason: str, amount: str) -> Adjustment:
    return Adjustment(group=group, reason=reason, amount=D(amount))


def make(ledger: Ledger, **kwargs: Any) -> Statement:
    claim = kwargs.pop("claim", example_claim())
    options: dict[str, Any] = {
        "guarantor": Guarantor.of_patient(example_patient()),
        "patients": [example_patient()],
        "claims": [claim],
        "practice": practice(),
        "as_of": AS_OF,
    }
    options.update(kwargs)
    return build_statement(ledger, **options)


def test_a_processed_claim_shows_charge_insurance_discount_and_the_split_share(
    ledger: Ledger,
) -> None:
    # Line 1: charge 150.00 - CO-45 30.00 - PR-2 20.00 = Acme paid 100.00.
    # Line 2: charge 50.00 - CO-45 20.00 - PR-2 10.00 = Acme paid 20.00. Patient owes 30.00.
    claim = example_claim()
    post_charges(ledger, claim)
    era = example_remittance()
    post_claim_payment(ledger, claim, era.claim_payments[0], remittance=era)
    found = build_statement(
        ledger, guarantor=Guarantor.of_patient(claim.patient), patients=[claim.patient],
        claims=[claim], practice=practice(), as_of=AS_OF, remittances=[era],
    )  # fmt: skip
    [day] = found.days
    assert day.service_date == pendulum.date(2025, 3, 4)
    first, second = day.lines
    assert (first.code, first.description) == ("99213", "Office visit, established patient")
    assert first.charge == D("150.00")
    assert first.insurance_paid == (("Acme Health", D("100.00")),)
    assert first.insurance_discount == D("30.00")
    assert first.share_split == (("coinsurance", D("20.00")),)
    assert (second.insurance_paid, second.patient_share) == (
        (("Acme Health", D("20.00")),),
        D("10.00"),
    )
    assert (first.status, first.note) == ("yours", "Your share")
    assert found.account_balance == found.amount_due == D("30.00")
    assert found.new_charges == D("30.00")
    assert found.due_date == pendulum.date(2025, 5, 10)  # 25 days after 04-15
    # The balance became the patient's on 04-01 (the remittance), 14 days before as_of.
    assert found.aging == (D("30.00"), D("0.00"), D("0.00"), D("0.00"), D("0.00"))
    assert found.dunning_level == 1


def test_a_reversed_payment_nets_out_instead_of_adding_charges(ledger: Ledger) -> None:
    # The case: Acme pays (PR-2 38.00), reverses (CLP02 22), pays again (PR-3
    # 25.00 copay + PR-2 14.00). Statement "charges" are the net patient share 39.00, not
    # 38.00 + 39.00 = 77.00 of transfers. Acme's payment nets to 56.00 on 150.00.
    claim = example_claim(charges=(D("150.00"),))
    post_charges(ledger, claim)
    first = remittance(
        "E1",
        pendulum.date(2025, 3, 11),
        "1",
        [("1", "57.00", [adj("CO", "45", "55.00"), adj("PR", "2", "38.00")])],
    )
    back = remittance(
        "E2",
        pendulum.date(2025, 4, 1),
        "22",
        [("1", "-57.00", [adj("CO", "45", "-55.00"), adj("PR", "2", "-38.00")])],
    )
    again = remittance(
        "E3",
        pendulum.date(2025, 4, 1),
        "1",
        [
            (
                "1",
                "56.00",
                [adj("CO", "45", "55.00"), adj("PR", "3", "25.00"), adj("PR", "2", "14.00")],
            )
        ],
    )
    for era in (first, back, again):
        post_claim_payment(ledger, claim, era.claim_payments[0], remittance=era)
    found = make(ledger, claim=claim, remittances=[first, back, again])
    [line] = found.days[0].lines
    assert line.insurance_paid == (("Acme Health", D("56.00")),)  # 57 - 57 + 56
    assert line.insurance_discount == D("55.00")
    assert line.patient_share == D("39.00")
    assert line.share_split == (("copay", D("25.00")), ("coinsurance", D("14.00")))
    assert found.new_charges == found.account_balance == D("39.00")


def test_pending_only_while_pending_and_a_denial_is_shown_as_denied(ledger: Ledger) -> None:
    claim = example_claim()
    post_charges(ledger, claim)
    pending = make(ledger, claim=claim)
    assert {line.status for line in pending.days[0].lines} == {"pending"}
    assert pending.days[0].lines[0].note == "Pending with Acme Health"
    assert pending.amount_due == D("0.00")
    assert pending.insurance_pending == D("200.00")
    denial = remittance("E3", pendulum.date(2025, 4, 2), "4",
                        [("1", "0", [adj("CO", "197", "150.00")]),
                         ("2", "0", [adj("CO", "197", "50.00")])])  # fmt: skip
    post_claim_payment(ledger, claim, denial.claim_payments[0], remittance=denial)
    denied = make(ledger, claim=claim)
    lines = denied.days[0].lines
    assert {line.status for line in lines} == {"denied"}
    assert lines[0].note.startswith("Denied by Acme Health")
    assert "pending" not in denied.render_text().lower()
    assert denied.amount_due == D("0.00")


def test_check_in_copay_is_shown_as_paid_at_the_visit(ledger: Ledger) -> None:
    claim = example_claim()
    post_charges(ledger, claim)
    era = example_remittance()
    post_claim_payment(ledger, claim, era.claim_payments[0], remittance=era)
    # 20.00 paid at check-in on the day of service, aimed at the claim; 5.00 by card later.
    post_patient_payment(
        ledger,
        PatientPayment(
            id="copay",
            patient_id=PatientId("MRN-1"),
            amount=D("20.00"),
            received_on=pendulum.date(2025, 3, 4),
            claim_id=ClaimId("C-1"),
            method="cash",
        ),
    )
    post_patient_payment(ledger, PatientPayment(
        id="later", patient_id=PatientId("MRN-1"), amount=D("5.00"),
        received_on=pendulum.date(2025, 4, 10), method="card"))  # fmt: skip
    found = make(ledger, claim=claim, last_statement=pendulum.date(2025, 4, 5))
    first = found.days[0].lines[0]
    assert first.paid_at_visit == D("20.00")
    assert "Paid at the visit" in found.render_text()
    # Balance forward on 04-05: 30.00 share - 20.00 copay = 10.00; then 5.00 paid.
    assert found.balance_forward == D("10.00")
    assert found.payments_received == D("5.00")
    assert [p.description for p in found.payments] == ["Payment by card, thank you"]
    assert found.new_charges == D("0.00")
    assert found.account_balance == D("5.00")


def test_patient_aging_runs_from_the_transfer_not_the_visit(ledger: Ledger) -> None:
    # Served 2025-01-10; Acme's remittance of 2025-03-01 makes 30.00 the patient's.
    # On 2025-04-15: 45 days since the transfer (31-60), though 95 since the visit.
    claim = example_claim(day=pendulum.date(2025, 1, 10))
    post_charges(ledger, claim)
    era = attrs.evolve(example_remittance(), paid_on=pendulum.date(2025, 3, 1))
    post_claim_payment(ledger, claim, era.claim_payments[0], remittance=era)
    found = make(ledger, claim=claim, last_statement=pendulum.date(2025, 3, 15))
    assert found.aging == (D("0.00"), D("30.00"), D("0.00"), D("0.00"), D("0.00"))
    assert found.dunning_level == 2
    assert "past due" in found.message


def test_a_payment_plan_statement_asks_for_the_next_installment(ledger: Ledger) -> None:
    claim = example_claim(coverage=None, charges=(D("300.00"),))
    post_charges(ledger, claim)
    plan = PaymentPlan(id="plan-1", patient_id="MRN-1", amount=D("300.00"), installments=3,
                       start=pendulum.date(2025, 3, 20), frequency="monthly")  # fmt: skip
    paid = PatientPayment(id="p1", patient_id=PatientId("MRN-1"), amount=D("100.00"),
                          received_on=pendulum.date(2025, 3, 20), plan_id="plan-1")  # fmt: skip
    post_patient_payment(ledger, paid)
    status = plan_status(ledger, plan, as_of=AS_OF, payments=[paid])
    found = make(ledger, claim=claim, plan=status)
    # Balance 200.00; installment 2 of 100.00 due 04-20 is next: the coupon asks 100.00.
    assert found.account_balance == D("200.00")
    assert found.amount_due == D("100.00")
    assert found.due_date == pendulum.date(2025, 4, 20)
    assert "Installment due" in found.render_text()


HOSTILE = 'Acme <script>alert(1)</script> & "Co"\nAmount due                      $0.00'


def test_every_data_value_is_escaped_in_html_and_cannot_forge_a_text_line(
    ledger: Ledger,
) -> None:
    claim = example_claim()
    post_charges(ledger, claim)
    guarantor = Guarantor(id="G-1\r\nAmount due $0.00", name=PersonName(family="O'Neil<b>",
                          given="Ann\x1b[2J"))  # fmt: skip
    found = make(ledger, claim=claim, guarantor=guarantor, payer_names={"acme": HOSTILE})
    markup = found.render_html()
    assert "<script>" not in markup
    assert "<b>" not in markup
    assert "&lt;script&gt;" in markup
    text = found.render_text()
    lines = text.splitlines()
    assert sum(line.startswith("Amount due") for line in lines) == 2  # the real two
    assert "\x1b" not in text
    assert "\r" not in text
    assert all(len(line) <= 78 or " " not in line.strip() for line in lines)
    assert json.loads(json.dumps(found.to_dict()))["account_number"] == guarantor.id


def test_text_wraps_at_words_never_mid_word(ledger: Ledger) -> None:
    claim = example_claim()
    post_charges(ledger, claim)
    long = "Extraordinarily comprehensive evaluation and management with counselling " * 3
    found = make(ledger, claim=claim, descriptions={"99213": long})
    lines = found.render_text(width=60).splitlines()
    assert all(len(line) <= 60 for line in lines)
    start = next(n for n, line in enumerate(lines) if line.startswith("  99213"))
    end = next(n for n in range(start, len(lines)) if "Charge" in lines[n])
    assert all(line.startswith("  ") for line in lines[start:end])  # wrapped lines indented
    words = " ".join(lines[start:end]).split()
    assert words == ["99213", *long.split(), "(Springfield", "Clinic)"]  # no word cut


def test_to_dict_signs_follow_the_documented_convention(ledger: Ledger) -> None:
    claim = example_claim()
    post_charges(ledger, claim)
    era = example_remittance()
    post_claim_payment(ledger, claim, era.claim_payments[0], remittance=era)
    pay = PatientPayment(id="p", patient_id=PatientId("MRN-1"), amount=D("50.00"),
                         received_on=pendulum.date(2025, 4, 10))  # fmt: skip
    post_patient_payment(ledger, pay)  # 30.00 owed: 20.00 becomes credit
    data = make(ledger, claim=claim).to_dict()
    assert data["payments_received"] == "50.00"  # a payment is positive, as labelled
    assert data["account_balance"] == "-20.00"  # a balance: negative is a credit
    assert data["amount_due"] == "0.00"
    assert data["days"][0]["lines"][0]["insurance_discount"] == "30.00"


def test_last_statement_after_as_of_is_refused(ledger: Ledger) -> None:
    with pytest.raises(LedgerError, match="last_statement"):
        make(ledger, last_statement=pendulum.date(2025, 5, 1))


# -- cycles and dunning ------------------------------------------------------------------


def self_pay(ledger: Ledger, patient_id: str, charge: str, day: pendulum.Date) -> None:
    claim = example_claim(
        claim_id=f"C-{patient_id}", patient_id=patient_id, coverage=None, charges=(D(charge),),
        day=day,
    )  # fmt: skip
    post_charges(ledger, claim)


def test_statements_due_levels_minimum_small_balances_and_cycles(ledger: Ledger) -> None:
    # Self-pay balances become the patient's on the day of service (the charge posting).
    self_pay(ledger, "P-1", "80.00", pendulum.date(2025, 4, 1))  # 14 days: level 1
    self_pay(ledger, "P-2", "80.00", pendulum.date(2025, 2, 1))  # 73 days: 61-90, level 3
    self_pay(ledger, "P-3", "80.00", pendulum.date(2024, 12, 1))  # 135 days: level 4
    self_pay(ledger, "P-4", "3.00", pendulum.date(2025, 4, 1))  # at most 4.00: written off
    self_pay(ledger, "P-5", "80.00", pendulum.date(2025, 4, 1))  # sent 04-01: not this cycle
    patients = [example_patient(p) for p in ("P-1", "P-2", "P-3", "P-4", "P-5")]
    policy = StatementPolicy(small_balance_threshold=D("4.00"))
    sent = {p: pendulum.date(2025, 3, 1) for p in ("P-2", "P-3")}
    sent["P-5"] = pendulum.date(2025, 4, 1)
    run = statements_due(ledger, AS_OF, policy, patients=patients, last_sent=sent)
    assert [(d.guarantor.id, d.level.number) for d in run.due] == [
        ("P-1", 1),
        ("P-2", 3),
        ("P-3", 4),
    ]
    assert [d.guarantor.id for d in run.collections_worklist] == ["P-3"]
    assert [(s.guarantor.id, s.balance) for s in run.small_balances] == [("P-4", D("3.00"))]
    assert run.skipped == (("P-5", "statement sent 2025-04-01, cycle not over"),)
    [entry] = write_off_small_statement_balances(ledger, run, policy)
    assert entry.memo == "small balance write-off of 3.00 (threshold 4.00)"
    assert ledger.total("patient_receivable", patient="P-4") == D("0.00")
    # 30 days after 04-01 P-5 is due again; a second run the same day sends nobody twice.
    again = statements_due(ledger, pendulum.date(2025, 5, 1), policy, patients=patients,
                           last_sent={**sent, **{d.guarantor.id: AS_OF for d in run.due}})  # fmt: skip
    assert [d.guarantor.id for d in again.due] == ["P-5"]


def test_one_statement_for_a_parent_with_two_children(ledger: Ledger) -> None:
    parent = Guarantor(id="G-7", name=PersonName(family="Doe", given="Pat"))
    kids = [attrs.evolve(example_patient(p), guarantor=parent) for p in ("K-1", "K-2")]
    self_pay(ledger, "K-1", "40.00", pendulum.date(2025, 4, 1))
    self_pay(ledger, "K-2", "60.00", pendulum.date(2025, 4, 2))
    run = statements_due(ledger, AS_OF, StatementPolicy(), patients=kids)
    [due] = run.due
    assert (due.guarantor.id, due.balance, len(due.patients)) == ("G-7", D("100.00"), 2)


def test_policy_validation() -> None:
    with pytest.raises(LedgerError, match="cycle_days"):
        StatementPolicy(cycle_days=0)
    with pytest.raises(LedgerError, match="minimum_balance"):
        StatementPolicy(minimum_balance=D("-1"))


def test_a_copay_taken_at_check_in_before_adjudication_is_paid_at_the_visit(
    ledger: Ledger,
) -> None:
    # 20.00 at check-in on 03-04 while Acme has the claim: held as the claim's credit, then
    # applied when Acme's remittance (04-01) makes 30.00 the patient's: 10.00 left to pay.
    claim = example_claim()
    post_charges(ledger, claim)
    post_patient_payment(ledger, PatientPayment(
        id="copay", patient_id=PatientId("MRN-1"), amount=D("20.00"),
        received_on=pendulum.date(2025, 3, 4), claim_id=ClaimId("C-1"), method="card"))  # fmt: skip
    era = example_remittance()
    post_claim_payment(ledger, claim, era.claim_payments[0], remittance=era)
    found = make(ledger, claim=claim, remittances=[era])
    assert sum((line.paid_at_visit for line in found.days[0].lines), D("0.00")) == D("20.00")
    assert found.account_balance == found.amount_due == D("10.00")
    assert "Paid at the visit" in found.render_text()


def test_a_long_statement_runs_over_pages_and_keeps_every_service_in_the_pdf(
    ledger: Ledger,
) -> None:
    pypdf = pytest.importorskip("pypdf")
    import io

    days = [pendulum.date(2025, 1, 2).add(days=3 * n) for n in range(30)]
    claims = [
        example_claim(claim_id=f"C-{n}", coverage=None, charges=(D("40.00"),), day=day)
        for n, day in enumerate(days)
    ]
    for claim in claims:
        post_charges(ledger, claim)
    found = make(ledger, claims=claims)
    assert found.account_balance == D("1200.00")  # 30 self-pay visits of 40.00
    reader = pypdf.PdfReader(io.BytesIO(found.render_pdf()))
    assert len(reader.pages) >= 2
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert all(f"{day:%m/%d/%Y}" in text for day in days)
    assert "Please detach and return" in reader.pages[-1].extract_text()  # coupon last


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=st.text(min_size=1, max_size=80), memo=st.text(min_size=1, max_size=80))
def test_no_data_value_forges_a_line_or_markup(ledger: Ledger, name: str, memo: str) -> None:
    # Whatever a payer name or a guarantor id holds, the text has exactly the lines a benign
    # value gives (two "Amount due" lines, no control character) and the HTML has no tag
    # the data opened.
    claim = example_claim()
    if not len(ledger):
        post_charges(ledger, claim)
    guarantor = Guarantor(id=f"G{memo}", name=PersonName(family="Doe", given="Jane"))
    found = make(ledger, claim=claim, guarantor=guarantor, payer_names={"acme": name})
    text = found.render_text()
    assert sum(line.startswith("Amount due") for line in text.splitlines()) == 2
    assert not any(ord(ch) < 32 and ch != "\n" for ch in text)
    benign = make(ledger, claim=claim, guarantor=attrs.evolve(guarantor, id="G1"),
                  payer_names={"acme": "Acme"})  # fmt: skip
    markup = found.render_html()
    assert markup.count("<") == benign.render_html().count("<")  # no tag from the data
    assert markup.count('"') == benign.render_html().count('"')  # no attribute either
