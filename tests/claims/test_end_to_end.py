"""End to end: encounter → claim → scrub → submit → remittance → posting → check.

Amounts are worked out by hand from the contract (99214 $120.00, 99213 $90.00, 36415
$3.00) and the plan's 20% coinsurance. The ledger's trial balance is checked after every
step.
"""

from __future__ import annotations

from decimal import Decimal

import pendulum
import pytest

from medbill import (
    Adjustment,
    Benefits,
    Claim,
    ClaimId,
    ClaimPayment,
    Coverage,
    LinePayment,
    PatientId,
    PatientPayment,
    Period,
    Remittance,
    UnbalancedRemittanceError,
)
from medbill.claims import (
    ClaimStatus,
    ClaimWorkflow,
    ExceptionReason,
    Verdict,
    build_claim,
    build_secondary_claim,
    check_payment,
    post_remittance,
    scrub,
)
from medbill.fees import Contract, FixedRate
from medbill.ledger import (
    Account,
    Ledger,
    claim_balance,
    patient_balance,
    post_charges,
    post_patient_payment,
)
from medbill.testing import (
    make_coverage,
    make_encounter,
    make_patient,
    make_payer,
    make_service_line,
)

DOS = pendulum.date(2025, 3, 4)
PRICES = {"99214": Decimal("210.00"), "99213": Decimal("150.00"), "36415": Decimal("12.00")}
CONTRACT = Contract(
    payer_id="acme",
    name="Acme PPO 2025",
    effective=Period(pendulum.date(2025, 1, 1), pendulum.date(2025, 12, 31)),
    terms=[
        FixedRate(codes=["99214"], amount="120.00"),
        FixedRate(codes=["99213"], amount="90.00"),
        FixedRate(codes=["36415"], amount="3.00"),
    ],
)
T0 = pendulum.datetime(2025, 3, 5, 9)
PAYDAY = pendulum.date(2025, 4, 1)
ZERO = Decimal("0.00")


def D(text: str) -> Decimal:
    return Decimal(text)


def co(reason: str, amount: str) -> Adjustment:
    return Adjustment(group="CO", reason=reason, amount=D(amount))


def pr(reason: str, amount: str) -> Adjustment:
    return Adjustment(group="PR", reason=reason, amount=D(amount))


def paid_line(
    line_id: str, code: str, charge: str, paid: str, *adjustments: Adjustment
) -> LinePayment:
    return LinePayment(
        line_id=line_id,
        procedure=code,
        charge=D(charge),
        paid=D(paid),
        adjustments=adjustments,
        service_date=DOS,
    )


def claim_paid(
    claim_id: str, status: str, *lines: LinePayment, adjustments: tuple[Adjustment, ...] = ()
) -> ClaimPayment:
    charge = sum((x.charge for x in lines), ZERO) if lines else D("210.00")
    paid = sum((x.paid for x in lines), ZERO)
    every = [a for x in lines for a in x.adjustments] + list(adjustments)
    return ClaimPayment(
        claim_id=claim_id,
        status=status,
        charge=charge,
        paid=paid,
        patient_responsibility=sum((a.amount for a in every if a.group.value == "PR"), ZERO),
        lines=lines,
        adjustments=adjustments,
        payer_claim_control_number=f"ICN-{claim_id}",
    )


def era(
    trace: str,
    *payments: ClaimPayment,
    payer: str = "Acme Health",
    day: pendulum.Date = PAYDAY,
) -> Remittance:
    return Remittance(
        id=trace,
        payer_name=payer,
        paid_on=day,
        payment_amount=sum((p.paid for p in payments), ZERO),
        claim_payments=payments,
    )


class Practice:
    """The billing office: its ledger and the claims' workflows."""

    def __init__(self) -> None:
        self.ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 6, 1))
        self.flows: dict[str, ClaimWorkflow] = {}

    def bill(
        self, claim_id: str, patient_id: str, codes: list[str], coverages: list[Coverage]
    ) -> Claim:
        encounter = make_encounter(
            id=f"enc-{claim_id}",
            patient_id=patient_id,
            lines=[make_service_line(procedure=code, diagnosis_pointers=[1]) for code in codes],
        )
        claim = build_claim(
            encounter, make_patient(id=patient_id), coverages, PRICES, claim_id=ClaimId(claim_id)
        )
        findings = scrub(claim, as_of=T0.date())
        assert findings == []
        flow = ClaimWorkflow.start(claim, recorded_at=T0).validate(
            recorded_at=T0, findings=findings
        )
        self.flows[claim_id] = flow.submit(recorded_at=T0.add(hours=1)).accept(
            recorded_at=T0.add(hours=2)
        )
        post_charges(self.ledger, claim)
        self.ledger.check_invariants()
        return claim


@pytest.fixture
def world() -> tuple[Practice, dict[str, Coverage]]:
    acme = make_payer(id="acme", name="Acme Health")
    bcbs = make_payer(id="bcbs", name="Blue Cross", x12_payer_id="00560")
    coverages = {
        "MRN-1": make_coverage(id="cov-1", patient_id="MRN-1", payer=acme),
        "MRN-2": make_coverage(id="cov-2", patient_id="MRN-2", payer=acme),
        "MRN-2/secondary": make_coverage(
            id="cov-3", patient_id="MRN-2", payer=bcbs, priority="secondary"
        ),
    }
    return Practice(), coverages


def test_the_revenue_cycle(world: tuple[Practice, dict[str, Coverage]]) -> None:
    practice, cov = world
    ledger = practice.ledger
    a = practice.bill("C-A", "MRN-1", ["99214", "36415"], [cov["MRN-1"]])
    b = practice.bill("C-B", "MRN-1", ["99213"], [cov["MRN-1"]])
    c = practice.bill("C-C", "MRN-1", ["99214"], [cov["MRN-1"]])
    d = practice.bill("C-D", "MRN-1", ["99213"], [cov["MRN-1"]])
    e = practice.bill("C-E", "MRN-2", ["99214"], [cov["MRN-2"], cov["MRN-2/secondary"]])
    assert patient_balance(ledger, PatientId("MRN-1")).insurance_pending == D(
        "732.00"
    )  # 222+150+210+150

    first = era(
        "EFT-1",
        # A, correct: 99214 allowed 120.00 (CO-45 90.00), 20% = 24.00, paid 96.00;
        #             36415 allowed 3.00 (CO-45 9.00), 20% = 0.60, paid 2.40
        claim_paid(
            "C-A",
            "1",
            paid_line("1", "99214", "210.00", "96.00", co("45", "90.00"), pr("2", "24.00")),
            paid_line("2", "36415", "12.00", "2.40", co("45", "9.00"), pr("2", "0.60")),
        ),
        # B, underpaid: allowed 85.00 instead of 90.00 (CO-45 65.00), 20% = 17.00, paid 68.00
        claim_paid(
            "C-B",
            "1",
            paid_line("1", "99213", "150.00", "68.00", co("45", "65.00"), pr("2", "17.00")),
        ),
        # C, denied as not medically necessary
        claim_paid("C-C", "4", paid_line("1", "99214", "210.00", "0.00", co("50", "210.00"))),
        # D, first paid on allowed 80.00: CO-45 70.00, 20% = 16.00, paid 64.00
        claim_paid(
            "C-D",
            "1",
            paid_line("1", "99213", "150.00", "64.00", co("45", "70.00"), pr("2", "16.00")),
        ),
        # E, primary: allowed 120.00, 20% = 24.00 goes to the secondary, paid 96.00
        claim_paid(
            "C-E",
            "1",
            paid_line("1", "99214", "210.00", "96.00", co("45", "90.00"), pr("2", "24.00")),
        ),
    )
    claims = [a, b, c, d, e]
    result = post_remittance(ledger, first, claims, coverages=list(cov.values()))
    ledger.check_invariants()
    assert result.exceptions == ()
    assert len(result.entries) == 5 + 1  # five claim payments and the remittance record
    size = len(ledger)
    again = post_remittance(ledger, first, claims, coverages=list(cov.values()))
    assert len(ledger) == size  # the same remittance posted twice posts once
    assert [x.key for x in again.entries] == [x.key for x in result.entries]
    ledger.check_invariants()

    # cash 96.00 + 2.40 + 68.00 + 64.00 + 96.00 = 326.40
    assert ledger.total("cash") == D("326.40")
    assert claim_balance(ledger, ClaimId("C-A")).insurance == ()
    assert claim_balance(ledger, ClaimId("C-A")).patient_share == D("24.60")
    assert claim_balance(ledger, ClaimId("C-C")).insurance == (("acme", "primary", D("210.00")),)
    assert claim_balance(ledger, ClaimId("C-E")).insurance == (("bcbs", "secondary", D("24.00")),)
    assert claim_balance(ledger, ClaimId("C-E")).patient_share == ZERO

    checks = {
        # the 835s above take 20% coinsurance only (no copay, deductible met)
        str(p.claim_id): check_payment(claim, p, CONTRACT, benefits=Benefits(coinsurance=D("0.20")))
        for claim, p in zip(claims, first.claim_payments, strict=True)
    }
    verdicts = {k: [line.verdict for line in v.lines] for k, v in checks.items()}
    assert verdicts == {
        "C-A": [Verdict.CORRECT, Verdict.CORRECT],
        "C-B": [Verdict.UNDERPAID],
        "C-C": [Verdict.DENIED],
        "C-D": [Verdict.UNDERPAID],
        "C-E": [Verdict.CORRECT],
    }
    # in payment terms: allowed 5.00 short of 90.00 at 80% is 4.00 owed; the denial owes
    # nothing in contract terms (worked as a denial); D: 10.00 short at 80% is 8.00
    assert checks["C-B"].underpayment == D("4.00")
    assert checks["C-C"].underpayment == D("0.00")
    assert checks["C-C"].denials[0].denial is not None
    assert checks["C-D"].underpayment == D("8.00")

    for claim, payment in zip(claims, first.claim_payments, strict=True):
        practice.flows[claim.id] = practice.flows[claim.id].adjudicate(
            payment, recorded_at=T0.add(days=27)
        )
    assert practice.flows["C-C"].status is ClaimStatus.DENIED
    assert practice.flows["C-A"].status is ClaimStatus.PAID

    # D: the payer reverses its payment and pays again on the contracted 90.00:
    # CO-45 60.00, 20% = 18.00, paid 72.00. The remittance pays 72.00 - 64.00 = 8.00.
    reversal = ClaimPayment(
        claim_id="C-D",
        status="22",
        charge=D("-150.00"),
        paid=D("-64.00"),
        patient_responsibility=D("-16.00"),
        lines=[paid_line("1", "99213", "-150.00", "-64.00", co("45", "-70.00"), pr("2", "-16.00"))],
    )
    corrected = claim_paid(
        "C-D", "1", paid_line("1", "99213", "150.00", "72.00", co("45", "60.00"), pr("2", "18.00"))
    )
    second = era("EFT-2", reversal, corrected, day=pendulum.date(2025, 4, 15))
    assert second.payment_amount == D("8.00")
    result = post_remittance(ledger, second, claims)
    ledger.check_invariants()
    assert len(result.entries) == 2 + 1  # reversal, correction, the remittance record
    assert claim_balance(ledger, ClaimId("C-D")).insurance == ()
    assert claim_balance(ledger, ClaimId("C-D")).patient_share == D("18.00")
    coinsurance_only = Benefits(coinsurance=D("0.20"))
    assert (
        check_payment(d, corrected, CONTRACT, benefits=coinsurance_only).lines[0].verdict
        is Verdict.CORRECT
    )
    flow = practice.flows["C-D"].adjudicate(reversal, recorded_at=T0.add(days=41))
    assert flow.status is ClaimStatus.ACCEPTED
    assert flow.adjudicate(corrected, recorded_at=T0.add(days=41)).status is ClaimStatus.PAID

    # E: the secondary claim to Blue Cross carries Acme's payment; Blue Cross pays the 24.00
    # left (CLP02 2), with OA-23 186.00 for the prior payer's adjudication.
    secondary = build_secondary_claim(
        e,
        first.claim_payments[4],
        cov["MRN-2/secondary"],
        adjudicated_on=pendulum.date(2025, 4, 1),
    )
    assert scrub(secondary.claim, as_of=pendulum.date(2025, 4, 2)) == []
    assert secondary.prior_paid == D("96.00")
    bcbs_paid = ClaimPayment(
        claim_id="C-E",
        status="2",
        charge=D("210.00"),
        paid=D("24.00"),
        adjustments=[Adjustment(group="OA", reason="23", amount=D("186.00"))],
    )
    third = era("EFT-3", bcbs_paid, payer="Blue Cross", day=pendulum.date(2025, 4, 20))
    post_remittance(ledger, third, [e, secondary])
    ledger.check_invariants()
    assert claim_balance(ledger, ClaimId("C-E")).total == ZERO

    # The patient pays what the remittances left to her on claim A; its balance is zero.
    patient_money = PatientPayment(
        id="pp-1",
        patient_id="MRN-1",
        amount=D("24.60"),
        received_on=pendulum.date(2025, 4, 25),
        method="card",
        claim_id="C-A",
    )
    post_patient_payment(ledger, patient_money)
    ledger.check_invariants()
    assert claim_balance(ledger, ClaimId("C-A")).total == ZERO
    # MRN-1 still owes B 17.00 + D 18.00; C (denied, 210.00) waits on Acme
    balance = patient_balance(ledger, PatientId("MRN-1"))
    assert balance.patient_due == D("35.00")
    assert balance.insurance_pending == D("210.00")


def test_unbalanced_or_unmatched_remittances(world: tuple[Practice, dict[str, Coverage]]) -> None:
    practice, cov = world
    ledger = practice.ledger
    a = practice.bill("C-A", "MRN-1", ["99214"], [cov["MRN-1"]])
    before = len(ledger)
    off = claim_paid(
        "C-A", "1", paid_line("1", "99214", "210.00", "96.10", co("45", "90.00"), pr("2", "24.00"))
    )
    with pytest.raises(UnbalancedRemittanceError, match=r"claim C-A line 1: .* off by -0\.10"):
        post_remittance(ledger, era("EFT-9", off), [a])
    assert len(ledger) == before
    stray = claim_paid(
        "C-A", "1", paid_line("7", "93000", "210.00", "96.00", co("45", "90.00"), pr("2", "24.00"))
    )
    unknown = claim_paid(
        "C-Z", "1", paid_line("1", "99214", "210.00", "96.00", co("45", "90.00"), pr("2", "24.00"))
    )
    result = post_remittance(ledger, era("EFT-10", stray, unknown), [a])
    assert [x.reason for x in result.exceptions] == [
        ExceptionReason.UNMATCHED_LINE,
        ExceptionReason.UNKNOWN_CLAIM,
    ]
    # cash always equals the check: both loops' 96.00 wait in unapplied insurance cash
    assert len(ledger) == before + 3  # two suspense entries and the remittance record
    assert ledger.balance(Account.unapplied_insurance_cash("Acme Health")) == D("192.00")
    assert ledger.total("insurance_receivable", claim="C-A") == D("210.00")
    ledger.check_invariants()
