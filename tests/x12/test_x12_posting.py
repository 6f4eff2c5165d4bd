"""The whole cycle: 837P out, 835 back (payment, then a reversal and a correction), posted."""

from __future__ import annotations

from decimal import Decimal

import pendulum

from medbill import Adjustment, ClaimId, ClaimPayment, LinePayment, PersonName, Remittance
from medbill.ledger import Ledger, claim_balance, post_charges, post_claim_payment
from medbill.testing import make_claim, make_claim_line
from medbill.x12 import Party, parse_interchange, read_835, write_835, write_837p

DAY = pendulum.date(2025, 3, 4)


def _line(line_id: str, code: str, charge: str, paid: str, *adjustments: Adjustment) -> LinePayment:
    return LinePayment(
        procedure=code, charge=Decimal(charge), paid=Decimal(paid), line_id=line_id,
        service_date=DAY, adjustments=adjustments,
    )  # fmt: skip


def _adj(group: str, reason: str, amount: str) -> Adjustment:
    return Adjustment(group=group, reason=reason, amount=Decimal(amount))


def _negated(payment: ClaimPayment) -> ClaimPayment:
    lines = [
        _line(
            str(line.line_id),
            str(line.procedure),
            str(-line.charge),
            str(-line.paid),
            *(_adj(a.group.value, str(a.reason), str(-a.amount)) for a in line.adjustments),
        )
        for line in payment.lines
    ]
    return ClaimPayment(
        claim_id=payment.claim_id, status="22", charge=-payment.charge, paid=-payment.paid,
        patient_responsibility=-payment.patient_responsibility, lines=lines,
        payer_claim_control_number=payment.payer_claim_control_number,
        filing_indicator="12", patient_name=payment.patient_name, member_id=payment.member_id,
    )  # fmt: skip


def test_claim_out_remittances_back_and_posted() -> None:
    claim = make_claim(
        id="C-9",
        lines=[
            make_claim_line(line_id="1", procedure="99214", charge=Decimal("200.00"), service_date=DAY),
            make_claim_line(line_id="2", procedure="80053", charge=Decimal("100.00"), service_date=DAY),
        ],
    )  # fmt: skip
    sent = write_837p(
        claim,
        submitter=Party(
            name="Springfield FM", id="SFM01", contact_name="Billing", phone="2175550100"
        ),
        receiver=Party(name="Acme", id="ACME"),
        created=pendulum.datetime(2025, 3, 5, 9),
    )
    clm = next(
        s for s in parse_interchange(sent)[0].groups[0].transactions[0].segments if s.id == "CLM"
    )
    assert (clm.element(1), clm.element(2)) == ("C-9", "300.00")

    patient = PersonName(family="DOE", given="JANE")
    # line 1: 200 - 40 contractual - 20 coinsurance = 140; line 2: 100 - 30 - 10 deductible = 60
    first = ClaimPayment(
        claim_id="C-9", status="1", charge=Decimal("300.00"), paid=Decimal("200.00"),
        patient_responsibility=Decimal("30.00"), payer_claim_control_number="PCN-1",
        filing_indicator="12", patient_name=patient, member_id="ACM123456789",
        lines=[_line("1", "99214", "200.00", "140.00", _adj("CO", "45", "40.00"), _adj("PR", "2", "20.00")),
               _line("2", "80053", "100.00", "60.00", _adj("CO", "45", "30.00"), _adj("PR", "1", "10.00"))],
    )  # fmt: skip
    # the payer takes the deductible back on line 2: 100 - 30 = 70
    corrected = ClaimPayment(
        claim_id="C-9", status="1", charge=Decimal("300.00"), paid=Decimal("210.00"),
        patient_responsibility=Decimal("20.00"), payer_claim_control_number="PCN-2",
        filing_indicator="12", patient_name=patient, member_id="ACM123456789",
        lines=[_line("1", "99214", "200.00", "140.00", _adj("CO", "45", "40.00"), _adj("PR", "2", "20.00")),
               _line("2", "80053", "100.00", "70.00", _adj("CO", "45", "30.00"))],
    )  # fmt: skip
    eras = [
        Remittance(id="EFT-1", payer_name="Acme Health", payment_amount=Decimal("200.00"),
                   paid_on=pendulum.date(2025, 4, 1), method="ACH", payee_npi="1234567893",
                   claim_payments=[first]),
        # -200 for the reversal + 210 for the correction = 10
        Remittance(id="EFT-2", payer_name="Acme Health", payment_amount=Decimal("10.00"),
                   paid_on=pendulum.date(2025, 5, 1), method="ACH", payee_npi="1234567893",
                   claim_payments=[_negated(first), corrected]),
    ]  # fmt: skip

    received = read_835(write_835(eras), require_balanced=True)
    assert received == eras

    ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 5, 2, 9))
    post_charges(ledger, claim)
    for era in received:
        for payment in era.claim_payments:
            post_claim_payment(ledger, claim, payment, remittance=era)
    balance = claim_balance(ledger, ClaimId("C-9"))
    assert balance.patient_share == Decimal("20.00")  # the coinsurance on line 1 only
    assert balance.insurance == ()  # the payer's side is settled
    assert balance.total == Decimal("20.00")
