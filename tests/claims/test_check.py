"""The contractual-discount check, with every expected amount worked out by hand."""

from __future__ import annotations

from decimal import Decimal

import pendulum
import pytest

from medbill import (
    Adjustment,
    Benefits,
    ClaimPayment,
    LinePayment,
    Period,
    ValidationError,
)
from medbill.claims import DenialCategory, Tolerance, Verdict, check_payment
from medbill.fees import Contract, FixedRate, PercentOfBilled

from .conftest import clean_claim, line, payer_coverage

# Acme's 2025 contract: 99214 at $120.00, 36415 at $3.00, 20610 at $85.00, nothing else.
CONTRACT = Contract(
    payer_id="aetna",
    name="Acme PPO 2025",
    effective=Period(pendulum.date(2025, 1, 1), pendulum.date(2025, 12, 31)),
    terms=[
        FixedRate(codes=["99214"], amount="120.00"),
        FixedRate(codes=["36415"], amount="3.00"),
        FixedRate(codes=["20610"], amount="85.00"),
    ],
)
COVERAGE = payer_coverage()  # benefits: no deductible, 0% coinsurance by default
BENEFITS_20 = Benefits(deductible=Decimal("500.00"), coinsurance=Decimal("0.20"))


def adj(group: str, reason: str, amount: str) -> Adjustment:
    return Adjustment(group=group, reason=reason, amount=Decimal(amount))


def pay(
    line_id: str,
    code: str,
    charge: str,
    paid: str,
    *adjustments: Adjustment,
    allowed: str | None = None,
    remarks: tuple[str, ...] = (),
) -> LinePayment:
    return LinePayment(
        line_id=line_id,
        procedure=code,
        charge=Decimal(charge),
        paid=Decimal(paid),
        adjustments=adjustments,
        allowed=None if allowed is None else Decimal(allowed),
        remarks=remarks,
    )


def claim_payment(*lines: LinePayment, status: str = "1", claim_id: str = "C-1001") -> ClaimPayment:
    charge = sum((x.charge for x in lines), Decimal("0.00"))
    paid = sum((x.paid for x in lines), Decimal("0.00"))
    responsibility = sum((x.patient_responsibility for x in lines), Decimal("0.00"))
    return ClaimPayment(
        claim_id=claim_id,
        status=status,
        charge=charge,
        paid=paid,
        patient_responsibility=responsibility,
        lines=lines,
    )


CLAIM = clean_claim(
    line("1", "99214", "210.00"),
    line("2", "36415", "12.00"),
    line("3", "20610", "150.00"),
    line("4", "81002", "15.00"),
    coverage=COVERAGE,
)


def test_correct_underpaid_overpaid_not_covered() -> None:
    payment = claim_payment(
        # 210.00 billed, contract 120.00: CO-45 90.00, paid 120.00 -> correct
        pay("1", "99214", "210.00", "120.00", adj("CO", "45", "90.00")),
        # 12.00 billed, contract 3.00, payer allowed 2.50 (CO-45 9.50) -> underpaid by 0.50
        pay("2", "36415", "12.00", "2.50", adj("CO", "45", "9.50")),
        # 150.00 billed, contract 85.00, payer allowed 90.00 (CO-45 60.00) -> overpaid by 5.00
        pay("3", "20610", "150.00", "90.00", adj("CO", "45", "60.00")),
        # 81002 is not in the contract
        pay("4", "81002", "15.00", "4.00", adj("CO", "45", "11.00")),
    )
    check = check_payment(CLAIM, payment, CONTRACT)
    got = [
        (c.line_id, c.verdict, c.expected_allowed, c.payer_allowed, c.variance) for c in check.lines
    ]
    assert got == [
        ("1", Verdict.CORRECT, Decimal("120.00"), Decimal("120.00"), Decimal("0.00")),
        ("2", Verdict.UNDERPAID, Decimal("3.00"), Decimal("2.50"), Decimal("-0.50")),
        ("3", Verdict.OVERPAID, Decimal("85.00"), Decimal("90.00"), Decimal("5.00")),
        ("4", Verdict.NOT_COVERED_BY_CONTRACT, None, Decimal("4.00"), Decimal("0.00")),
    ]
    # -0.50 / 3.00 = -16.666..% -> -16.67; 5.00 / 85.00 = 5.882..% -> 5.88
    assert [c.variance_percent for c in check.lines] == [
        Decimal("0.00"),
        Decimal("-16.67"),
        Decimal("5.88"),
        None,
    ]
    assert check.underpayment == Decimal("0.50")
    assert check.expected_allowed == Decimal("208.00")  # 120 + 3 + 85
    assert check.paid == Decimal("216.50")  # 120 + 2.50 + 90 + 4
    assert [c.line_id for c in check.problems] == ["2", "3", "4"]
    assert check.lines[0].trace is not None
    assert "99214" in str(check.lines[0].trace)


def test_reported_allowed_wins_over_the_adjustments() -> None:
    # The payer reports allowed 118.00 (AMT*B6); coinsurance 20% of it is 23.60, paid 94.40.
    payment = claim_payment(
        pay(
            "1",
            "99214",
            "210.00",
            "94.40",
            adj("CO", "45", "92.00"),
            adj("PR", "2", "23.60"),
            allowed="118.00",
        ),
    )
    (checked,) = check_payment(CLAIM, payment, CONTRACT, benefits=BENEFITS_20).lines
    assert checked.payer_allowed == Decimal("118.00")
    assert checked.verdict is Verdict.UNDERPAID
    assert checked.variance == Decimal("-2.00")
    assert checked.underpayment == Decimal("2.00")


def test_tolerance_in_dollars_or_percent() -> None:
    payment = claim_payment(pay("1", "99214", "210.00", "119.50", adj("CO", "45", "90.50")))
    assert check_payment(CLAIM, payment, CONTRACT).lines[0].verdict is Verdict.UNDERPAID
    dollars = Tolerance(amount=Decimal("0.50"))
    assert check_payment(CLAIM, payment, CONTRACT, tolerance=dollars).lines[0].verdict is (
        Verdict.CORRECT
    )
    # 0.50 of 120.00 is 0.4167%: within 0.5%, not within 0.4%
    half = Tolerance(percent=Decimal("0.5"))
    assert check_payment(CLAIM, payment, CONTRACT, tolerance=half).lines[0].verdict is (
        Verdict.CORRECT
    )
    tight = Tolerance(percent=Decimal("0.4"))
    assert check_payment(CLAIM, payment, CONTRACT, tolerance=tight).lines[0].verdict is (
        Verdict.UNDERPAID
    )


def test_denied_but_contracted_with_the_denial_category() -> None:
    payment = claim_payment(
        pay("1", "99214", "210.00", "0.00", adj("CO", "50", "210.00"), remarks=("N115",))
    )
    (checked,) = check_payment(CLAIM, payment, CONTRACT).lines
    assert checked.verdict is Verdict.DENIED_BUT_CONTRACTED
    assert checked.denial is not None
    assert checked.denial.category is DenialCategory.MEDICAL_NECESSITY
    assert checked.underpayment == Decimal("120.00")
    assert "the contract allows 120.00" in checked.reason


def test_coinsurance_that_does_not_match_the_benefit() -> None:
    # allowed 120.00, deductible 20.00 (PR-1), coinsurance should be 20% x 100.00 = 20.00;
    # the payer took 24.00 (20% of the full 120.00) and paid 76.00.
    wrong = claim_payment(
        pay(
            "1",
            "99214",
            "210.00",
            "76.00",
            adj("CO", "45", "90.00"),
            adj("PR", "1", "20.00"),
            adj("PR", "2", "24.00"),
        ),
    )
    (checked,) = check_payment(CLAIM, wrong, CONTRACT, benefits=BENEFITS_20).lines
    assert checked.verdict is Verdict.PATIENT_RESPONSIBILITY_MISMATCH
    assert "20.00" in checked.reason
    right = claim_payment(
        pay(
            "1",
            "99214",
            "210.00",
            "80.00",
            adj("CO", "45", "90.00"),
            adj("PR", "1", "20.00"),
            adj("PR", "2", "20.00"),
        ),
    )
    assert check_payment(CLAIM, right, CONTRACT, benefits=BENEFITS_20).lines[0].verdict is (
        Verdict.CORRECT
    )


def test_sequestration_reduces_payment_not_allowed() -> None:
    # Medicare-style: allowed 120.00, PR-2 24.00, sequestration 2% of 96.00 = 1.92, paid 94.08
    payment = claim_payment(
        pay(
            "1",
            "99214",
            "210.00",
            "94.08",
            adj("CO", "45", "90.00"),
            adj("PR", "2", "24.00"),
            adj("CO", "253", "1.92"),
        ),
    )
    (checked,) = check_payment(CLAIM, payment, CONTRACT, benefits=BENEFITS_20).lines
    assert checked.payer_allowed == Decimal("120.00")
    assert checked.verdict is Verdict.CORRECT


def test_percent_of_billed_contract_and_unmatched_lines() -> None:
    contract = Contract(
        payer_id="aetna",
        name="Acme 60% of billed",
        effective=Period(pendulum.date(2025, 1, 1)),
        terms=[PercentOfBilled(percent="0.60")],
    )
    payment = claim_payment(
        # 60% of 210.00 = 126.00
        pay("1", "99214", "210.00", "126.00", adj("CO", "45", "84.00")),
        pay("9", "93000", "40.00", "20.00", adj("CO", "45", "20.00")),
    )
    check = check_payment(CLAIM, payment, contract)
    assert [(c.line_id, c.verdict) for c in check.lines] == [("1", Verdict.CORRECT)]
    assert [str(u.procedure) for u in check.unmatched] == ["93000"]


def test_a_contract_not_in_force_covers_nothing() -> None:
    old = clean_claim(
        line("1", "99214", "210.00", day=pendulum.date(2024, 12, 30)),
        coverage=payer_coverage(start=pendulum.date(2024, 1, 1)),
    )
    payment = claim_payment(pay("1", "99214", "210.00", "120.00", adj("CO", "45", "90.00")))
    (checked,) = check_payment(old, payment, CONTRACT).lines
    assert checked.verdict is Verdict.NOT_COVERED_BY_CONTRACT
    assert "not in force" in checked.reason


def test_wrong_claim_and_reversals_are_refused() -> None:
    payment = claim_payment(pay("1", "99214", "210.00", "120.00", adj("CO", "45", "90.00")))
    with pytest.raises(ValidationError, match="does not pay claim"):
        check_payment(clean_claim(claim_id="C-2"), payment, CONTRACT)
    reversal = claim_payment(
        pay("1", "99214", "-210.00", "-120.00", adj("CO", "45", "-90.00")), status="22"
    )
    with pytest.raises(ValidationError, match="reversal"):
        check_payment(CLAIM, reversal, CONTRACT)


def test_a_payment_without_service_lines_has_nothing_to_check() -> None:
    payment = ClaimPayment(
        claim_id="C-1001",
        status="1",
        charge=Decimal("387.00"),
        paid=Decimal("200.00"),
        adjustments=[adj("CO", "45", "187.00")],
    )
    check = check_payment(CLAIM, payment, CONTRACT)
    assert check.lines == ()
    assert check.unmatched == ()
    assert check.underpayment == Decimal("0.00")
