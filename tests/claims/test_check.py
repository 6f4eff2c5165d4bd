"""The contractual-discount check, with every expected amount worked out by hand."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medbill import (
    Accumulators,
    Adjustment,
    Benefits,
    ClaimPayment,
    Copay,
    LinePayment,
    PayerId,
    Period,
    PricingError,
    ValidationError,
)
from medbill.claims import NextAction, Tolerance, Verdict, check_payment
from medbill.claims._check import PatientShare
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
# 20% coinsurance, deductible 500.00 already met this year
MET = Accumulators(deductible_met=Decimal("500.00"), out_of_pocket_met=Decimal("500.00"))


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


def test_correct_underpaid_overpaid_not_checked_in_payment_terms() -> None:
    # No cost sharing (the coverage's benefits are all zero): expected paid = expected allowed.
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
        (c.line_id, c.verdict, c.expected_allowed, c.payer_allowed, c.expected_paid, c.paid)
        for c in check.lines
    ]
    d = Decimal
    assert got == [
        ("1", Verdict.CORRECT, d("120.00"), d("120.00"), d("120.00"), d("120.00")),
        ("2", Verdict.UNDERPAID, d("3.00"), d("2.50"), d("3.00"), d("2.50")),
        ("3", Verdict.OVERPAID, d("85.00"), d("90.00"), d("85.00"), d("90.00")),
        ("4", Verdict.NOT_CHECKED, None, d("4.00"), None, d("4.00")),
    ]
    assert [c.payment_variance for c in check.lines] == [d("0.00"), d("-0.50"), d("5.00"), d(0)]
    # -0.50 / 3.00 = -0.16666.. -> -0.1667 (a fraction, as every rate); 5 / 85 = 0.0588
    assert [c.allowed_variance_rate for c in check.lines] == [
        d("0.0000"),
        d("-0.1667"),
        d("0.0588"),
        None,
    ]
    assert check.underpayment == d("0.50")
    assert check.overpayment == d("5.00")
    assert check.expected_allowed == d("208.00")  # 120 + 3 + 85
    assert check.paid == d("216.50")  # 120 + 2.50 + 90 + 4
    assert [c.line_id for c in check.problems] == ["2", "3", "4"]
    assert [c.line_id for c in check.not_checked] == ["4"]
    assert "no contract term" in check.lines[3].reason
    assert check.lines[0].trace is not None
    assert "99214" in str(check.lines[0].trace)


def test_the_underpayment_is_what_the_payer_owes_not_the_allowed_difference() -> None:
    # Contract 120.00; the payer allowed 115.00 and took 20% coinsurance of it, 23.00, so it
    # paid 92.00. Expected: 20% of 120.00 = 24.00, paid 120.00 - 24.00 = 96.00. The payer
    # owes 96.00 - 92.00 = 4.00, not the 5.00 of allowed terms (the patient owes 1.00 less).
    payment = claim_payment(
        pay("1", "99214", "210.00", "92.00", adj("CO", "45", "95.00"), adj("PR", "2", "23.00"))
    )
    (checked,) = check_payment(
        CLAIM, payment, CONTRACT, benefits=BENEFITS_20, accumulators=MET
    ).lines
    assert checked.verdict is Verdict.UNDERPAID
    assert checked.allowed_variance == Decimal("-5.00")
    assert checked.expected_patient_share == PatientShare(coinsurance=Decimal("24.00"))
    assert checked.payer_patient_share == PatientShare(coinsurance=Decimal("23.00"))
    assert checked.patient_share_variance == Decimal("-1.00")
    assert (checked.expected_paid, checked.paid) == (Decimal("96.00"), Decimal("92.00"))
    assert checked.payment_variance == Decimal("-4.00")
    assert checked.underpayment == Decimal("4.00")


def test_reported_allowed_wins_over_the_adjustments() -> None:
    # The payer reports allowed 118.00 (AMT*B6); coinsurance 20% of it is 23.60, paid 94.40.
    # Expected: coinsurance 24.00, paid 96.00: the payer owes 1.60.
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
    (checked,) = check_payment(
        CLAIM, payment, CONTRACT, benefits=BENEFITS_20, accumulators=MET
    ).lines
    assert checked.payer_allowed == Decimal("118.00")
    assert checked.verdict is Verdict.UNDERPAID
    assert checked.allowed_variance == Decimal("-2.00")
    assert checked.underpayment == Decimal("1.60")


def test_copay_deductible_coinsurance_and_the_out_of_pocket_cap() -> None:
    # Benefits: 25.00 office-visit copay, 500.00 deductible of which 450.00 met, 20%
    # coinsurance, out-of-pocket maximum 1,000.00 of which 960.00 met (40.00 left).
    plan = Benefits(
        deductible=Decimal("500.00"),
        coinsurance=Decimal("0.20"),
        copays=[Copay(category="office-visit", amount=Decimal("25.00"))],
        out_of_pocket_max=Decimal("1000.00"),
    )
    so_far = Accumulators(deductible_met=Decimal("450.00"), out_of_pocket_met=Decimal("960.00"))
    # Line 1, 99214 at 120.00: copay 25.00, then deductible min(50.00, 95.00) = 50.00 would
    # be 75.00 but only 40.00 is left to the cap: copay 25.00 + deductible 15.00. Coinsurance
    # (20% of 45.00 = 9.00) is capped to 0.00. Expected paid 120.00 - 40.00 = 80.00.
    # Line 2, 36415 at 3.00: the cap is reached, the patient owes nothing: paid 3.00.
    right = claim_payment(
        pay("1", "99214", "210.00", "80.00", adj("CO", "45", "90.00"), adj("PR", "3", "25.00"),
            adj("PR", "1", "15.00")),
        pay("2", "36415", "12.00", "3.00", adj("CO", "45", "9.00")),
    )  # fmt: skip
    check = check_payment(CLAIM, right, CONTRACT, benefits=plan, accumulators=so_far)
    assert [c.verdict for c in check.lines] == [Verdict.CORRECT, Verdict.CORRECT]
    assert check.lines[0].expected_patient_share == PatientShare(
        copay=Decimal("25.00"), deductible=Decimal("15.00")
    )
    assert check.lines[1].expected_paid == Decimal("3.00")
    # The payer ignored the cap on line 1: deductible 50.00 and coinsurance 9.00, paid 36.00.
    # It moved 84.00 - 40.00 = 44.00 too much to the patient and owes 80.00 - 36.00 = 44.00.
    wrong = claim_payment(
        pay("1", "99214", "210.00", "36.00", adj("CO", "45", "90.00"), adj("PR", "3", "25.00"),
            adj("PR", "1", "50.00"), adj("PR", "2", "9.00")),
        pay("2", "36415", "12.00", "3.00", adj("CO", "45", "9.00")),
    )  # fmt: skip
    check = check_payment(CLAIM, wrong, CONTRACT, benefits=plan, accumulators=so_far)
    first = check.lines[0]
    assert first.verdict is Verdict.PATIENT_SHARE_TOO_HIGH
    assert first.patient_share_variance == Decimal("44.00")
    assert first.underpayment == Decimal("44.00")
    assert "deductible 50.00" in first.reason
    assert check.underpayment == Decimal("44.00")


def test_too_little_moved_to_the_patient() -> None:
    # 20% coinsurance expected (24.00) but the payer took none and paid the full 120.00.
    payment = claim_payment(pay("1", "99214", "210.00", "120.00", adj("CO", "45", "90.00")))
    (checked,) = check_payment(
        CLAIM, payment, CONTRACT, benefits=BENEFITS_20, accumulators=MET
    ).lines
    assert checked.verdict is Verdict.PATIENT_SHARE_TOO_LOW
    assert checked.overpayment == Decimal("24.00")
    assert checked.underpayment == Decimal("0.00")


def test_tolerance_in_dollars_and_or_rate() -> None:
    payment = claim_payment(pay("1", "99214", "210.00", "119.50", adj("CO", "45", "90.50")))

    def verdict(tolerance: Tolerance | None) -> Verdict:
        return check_payment(CLAIM, payment, CONTRACT, tolerance=tolerance).lines[0].verdict

    assert verdict(None) is Verdict.UNDERPAID
    assert verdict(Tolerance(amount=Decimal("0.50"))) is Verdict.CORRECT
    # 0.50 of 120.00 is 0.4167 %: within a rate of 0.005, not within 0.004
    assert verdict(Tolerance(rate=Decimal("0.005"))) is Verdict.CORRECT
    assert verdict(Tolerance(rate=Decimal("0.004"))) is Verdict.UNDERPAID
    # both: OR (the default) forgives within either; AND only within both
    either = Tolerance(amount=Decimal("0.10"), rate=Decimal("0.005"))
    both = Tolerance(amount=Decimal("0.10"), rate=Decimal("0.005"), combine="and")
    assert verdict(either) is Verdict.CORRECT
    assert verdict(both) is Verdict.UNDERPAID


def test_the_old_percent_unit_still_works_with_a_deprecation_warning() -> None:
    with pytest.warns(DeprecationWarning, match="rate="):
        old = Tolerance(percent=Decimal("0.5"))
    assert old.rate == Decimal("0.005")
    assert old == Tolerance(rate=Decimal("0.005"))
    with pytest.raises(ValidationError, match="combine"):
        Tolerance(combine="xor")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="rate"):
        Tolerance(rate=Decimal("-0.01"))


@pytest.mark.parametrize(
    ("group", "carc", "outcome", "action"),
    [
        ("CO", "18", "duplicate", NextAction.WRITE_OFF),
        ("CO", "27", "eligibility", NextAction.CORRECT_AND_RESUBMIT),
        ("CO", "31", "eligibility", NextAction.CORRECT_AND_RESUBMIT),
        ("CO", "29", "timely-filing", NextAction.WRITE_OFF),
        ("CO", "16", "missing-information", NextAction.CORRECT_AND_RESUBMIT),
        ("CO", "197", "authorization", NextAction.APPEAL),
        ("CO", "50", "medical-necessity", NextAction.APPEAL),
        ("CO", "97", "bundling", NextAction.WRITE_OFF),
        ("CO", "24", "capitation", NextAction.WRITE_OFF),
        ("PR", "96", "patient-responsibility", NextAction.BILL_PATIENT),
    ],
)
def test_denials_are_reported_apart_from_contract_variance(
    group: str, carc: str, outcome: str, action: NextAction
) -> None:
    # Nothing paid, the whole 210.00 adjusted with the denial's CARC (X12 CARC list).
    payment = claim_payment(pay("1", "99214", "210.00", "0.00", adj(group, carc, "210.00")))
    check = check_payment(CLAIM, payment, CONTRACT)
    (checked,) = check.lines
    assert checked.verdict is Verdict.DENIED
    assert checked.outcome == outcome
    assert checked.denial is not None
    assert checked.denial.action is action
    # the contract still prices the line: 120.00 would be paid were the denial overturned
    assert (checked.expected_paid, checked.at_stake) == (Decimal("120.00"), Decimal("120.00"))
    assert (checked.underpayment, checked.overpayment) == (Decimal(0), Decimal(0))
    assert check.underpayment == check.overpayment == Decimal(0)
    assert check.at_stake == Decimal("120.00")
    assert check.denials == (checked,)


def test_a_denied_line_does_not_take_the_deductible_from_the_paid_ones() -> None:
    # 100.00 of deductible left, 20% coinsurance. Line 1 (99214, 120.00) is denied CO-50;
    # line 2 (20610, 85.00) is paid: deductible 85.00, nothing paid. Were line 1 counted
    # first it would take the whole deductible and line 2 would be expected at 68.00.
    plan = Benefits(deductible=Decimal("500.00"), coinsurance=Decimal("0.20"))
    so_far = Accumulators(deductible_met=Decimal("400.00"))
    claim = clean_claim(line("1", "99214", "210.00"), line("3", "20610", "150.00"))
    payment = claim_payment(
        pay("1", "99214", "210.00", "0.00", adj("CO", "50", "210.00")),
        pay("3", "20610", "150.00", "0.00", adj("CO", "45", "65.00"), adj("PR", "1", "85.00")),
    )
    denied, paid = check_payment(claim, payment, CONTRACT, benefits=plan, accumulators=so_far).lines
    assert paid.verdict is Verdict.CORRECT
    assert paid.expected_patient_share == PatientShare(deductible=Decimal("85.00"))
    # after line 3, 15.00 of deductible is left: 15.00 + 20% x 105.00 = 21.00 -> 84.00
    assert denied.verdict is Verdict.DENIED
    assert denied.expected_paid == Decimal("84.00")


def test_a_line_wholly_to_the_deductible_is_checked_not_denied() -> None:
    # Nothing paid because the 120.00 went to the deductible (PR-1): cost sharing, checked.
    payment = claim_payment(
        pay("1", "99214", "210.00", "0.00", adj("CO", "45", "90.00"), adj("PR", "1", "120.00"))
    )
    (checked,) = check_payment(CLAIM, payment, CONTRACT, benefits=BENEFITS_20).lines
    assert checked.verdict is Verdict.CORRECT
    assert checked.expected_patient_share == PatientShare(deductible=Decimal("120.00"))


def test_a_medicare_remittance_against_a_commercial_contract_is_refused() -> None:
    medicare = clean_claim(
        line("1", "99214", "210.00"), coverage=payer_coverage("medicare", kind="medicare")
    )
    payment = claim_payment(pay("1", "99214", "210.00", "90.00", adj("CO", "45", "120.00")))
    with pytest.raises(PricingError, match=r"'aetna'.*'medicare'"):
        check_payment(medicare, payment, CONTRACT)
    with pytest.raises(PricingError, match=r"'aetna'.*'bcbs'"):
        check_payment(CLAIM, payment, CONTRACT, payer_id=PayerId("bcbs"))


def test_a_secondary_is_checked_against_its_own_contract_after_the_primary() -> None:
    # Primary (Aetna) allowed 120.00, coinsurance 24.00, paid 96.00. The secondary (BCBS)
    # contract allows 110.00 and its plan leaves the patient nothing: expected paid
    # 110.00 - 0.00 - 96.00 = 14.00. BCBS paid 14.00: correct; paid 24.00: overpaid 10.00.
    primary = claim_payment(
        pay("1", "99214", "210.00", "96.00", adj("CO", "45", "90.00"), adj("PR", "2", "24.00"))
    )
    bcbs = Contract(
        payer_id="bcbs",
        name="BCBS secondary 2025",
        effective=Period(pendulum.date(2025, 1, 1)),
        terms=[FixedRate(codes=["99214"], amount="110.00")],
    )
    secondary_claim = clean_claim(
        line("1", "99214", "210.00"), coverage=payer_coverage("bcbs", priority="secondary")
    )
    paid = claim_payment(
        pay("1", "99214", "210.00", "14.00", adj("CO", "45", "100.00"), adj("OA", "23", "96.00")),
        status="2",
    )
    (checked,) = check_payment(secondary_claim, paid, bcbs, prior_payments=[primary]).lines
    assert (checked.prior_paid, checked.expected_paid) == (Decimal("96.00"), Decimal("14.00"))
    assert checked.verdict is Verdict.CORRECT
    generous = claim_payment(
        pay("1", "99214", "210.00", "24.00", adj("CO", "45", "90.00"), adj("OA", "23", "96.00")),
        status="2",
    )
    (checked,) = check_payment(secondary_claim, generous, bcbs, prior_payments=[primary]).lines
    assert checked.verdict is Verdict.OVERPAID
    assert checked.overpayment == Decimal("10.00")


def test_sequestration_reduces_payment_not_allowed() -> None:
    # Medicare: allowed 120.00, PR-2 24.00, sequestration 2% of 96.00 = 1.92, paid 94.08
    medicare_contract = Contract(
        payer_id="medicare",
        name="Medicare Part B",
        effective=Period(pendulum.date(2025, 1, 1)),
        terms=[FixedRate(codes=["99214"], amount="120.00")],
    )
    claim = clean_claim(
        line("1", "99214", "210.00"), coverage=payer_coverage("medicare", kind="medicare")
    )
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
    (checked,) = check_payment(
        claim, payment, medicare_contract, benefits=BENEFITS_20, accumulators=MET
    ).lines
    assert checked.payer_allowed == Decimal("120.00")
    assert checked.expected_paid == Decimal("94.08")
    assert checked.verdict is Verdict.CORRECT


def test_percent_of_billed_contract_and_unmatched_lines() -> None:
    contract = Contract(
        payer_id="aetna",
        name="Acme 60% of billed",
        effective=Period(pendulum.date(2025, 1, 1)),
        terms=[PercentOfBilled(rate="0.60")],
    )
    payment = claim_payment(
        # 60% of 210.00 = 126.00
        pay("1", "99214", "210.00", "126.00", adj("CO", "45", "84.00")),
        pay("9", "93000", "40.00", "20.00", adj("CO", "45", "20.00")),
    )
    check = check_payment(CLAIM, payment, contract)
    assert [(c.line_id, c.verdict) for c in check.lines] == [("1", Verdict.CORRECT)]
    assert [str(u.procedure) for u in check.unmatched] == ["93000"]


def test_a_contract_not_in_force_checks_nothing() -> None:
    old = clean_claim(
        line("1", "99214", "210.00", day=pendulum.date(2024, 12, 30)),
        coverage=payer_coverage(start=pendulum.date(2024, 1, 1)),
    )
    payment = claim_payment(pay("1", "99214", "210.00", "120.00", adj("CO", "45", "90.00")))
    (checked,) = check_payment(old, payment, CONTRACT).lines
    assert checked.verdict is Verdict.NOT_CHECKED
    assert Verdict["NOT_COVERED_BY_CONTRACT"] is Verdict.NOT_CHECKED  # deprecated alias
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


@settings(max_examples=80, deadline=None)
@given(
    rate=st.decimals(min_value=1, max_value=500, places=2),
    charge_extra=st.decimals(min_value=0, max_value=300, places=2),
    deductible_left=st.decimals(min_value=0, max_value=600, places=2),
    coinsurance=st.sampled_from([Decimal("0"), Decimal("0.10"), Decimal("0.20"), Decimal("0.3")]),
    copay=st.sampled_from([Decimal("0"), Decimal("25.00")]),
    short=st.decimals(min_value=0, max_value=50, places=2),
)
def test_paying_as_expected_is_correct_and_every_cent_short_is_owed(
    rate: Decimal,
    charge_extra: Decimal,
    deductible_left: Decimal,
    coinsurance: Decimal,
    copay: Decimal,
    short: Decimal,
) -> None:
    # An 835 built from the benefits (copay, then deductible, then coinsurance) on the
    # contracted amount is correct; paying `short` less with the same patient share is
    # underpaid by exactly `short` (payment terms).
    plan = Benefits(
        deductible=Decimal("1000.00"),
        coinsurance=coinsurance,
        copays=[Copay(category="office-visit", amount=copay)] if copay else [],
    )
    so_far = Accumulators(deductible_met=Decimal("1000.00") - deductible_left)
    contract = Contract(
        payer_id="aetna",
        name="Aetna",
        effective=Period(pendulum.date(2025, 1, 1)),
        terms=[FixedRate(codes=["99214"], amount=rate)],
    )
    charge = rate + charge_extra
    claim = clean_claim(line("1", "99214", str(charge)))
    cp = min(copay, rate)
    ded = min(deductible_left, rate - cp)
    coins = ((rate - cp - ded) * coinsurance).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    owed = rate - cp - ded - coins
    shares = [adj("PR", c, str(a)) for c, a in (("3", cp), ("1", ded), ("2", coins)) if a]
    contractual = [adj("CO", "45", str(charge - rate))] if charge > rate else []

    def paying(amount: Decimal) -> ClaimPayment:
        extra = [adj("CO", "45", str(owed - amount))] if owed > amount else []
        return claim_payment(
            pay("1", "99214", str(charge), str(amount), *contractual, *shares, *extra,
                allowed=str(rate))
        )  # fmt: skip

    (right,) = check_payment(
        claim, paying(owed), contract, benefits=plan, accumulators=so_far
    ).lines
    assert right.verdict is Verdict.CORRECT
    assert right.expected_paid == owed
    less = min(short, owed)
    (low,) = check_payment(claim, paying(owed - less), contract, benefits=plan,
                           accumulators=so_far).lines  # fmt: skip
    assert low.payment_variance == -less
    assert low.underpayment == (less if less else Decimal(0))
    assert low.verdict is (Verdict.UNDERPAID if less else Verdict.CORRECT)
