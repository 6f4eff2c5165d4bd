"""Patient responsibility, coordination of benefits, Medicare adjudication, GFE, anesthesia."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medbill import (
    Accumulators,
    Benefits,
    CobMethod,
    Copay,
    Coverage,
    CoverageId,
    PatientId,
    Payer,
    PayerId,
    Period,
    PricingError,
    ServiceCategory,
    ValidationError,
)
from medbill.fees import (
    AnesthesiaSchedule,
    GfeItem,
    GoodFaithEstimate,
    Locality,
    MedicareFeeSchedule,
    PricedClaim,
    PricedLine,
    estimate_responsibility,
    medicare_payment,
    medicare_secondary_payment,
    secondary_payment,
)

from .builders import DOS, claim, line

D = Decimal
OFFICE_COPAY = Copay(category=ServiceCategory.OFFICE_VISIT, amount=D("25.00"))


def coverage(benefits: Benefits, accumulators: Accumulators | None = None) -> Coverage:
    return Coverage(
        id=CoverageId("cov-1"),
        patient_id=PatientId("MRN-1"),
        member_id="W1234567",
        payer=Payer(id=PayerId("acme"), name="Acme", kind="commercial"),
        priority="primary",
        effective=Period(pendulum.date(2025, 1, 1)),
        benefits=benefits,
        accumulators=accumulators or Accumulators(),
    )


def priced(*amounts: str) -> PricedClaim:
    return PricedClaim(
        claim_id="c-1",
        lines=tuple(
            PricedLine(
                code="99213", allowed=D(a), unit_fee=D(a), service_date=DOS, line_id=str(i + 1)
            )
            for i, a in enumerate(amounts)
        ),
    )


def test_copay_then_deductible_then_coinsurance() -> None:
    plan = Benefits(
        deductible=D("300.00"),
        coinsurance=D("0.20"),
        copays=[OFFICE_COPAY],
        out_of_pocket_max=D("5000.00"),
    )
    result = estimate_responsibility(
        priced("200.00", "400.00"), coverage(plan, Accumulators(deductible_met=D("100.00")))
    )
    first, second = result.lines
    # line 1: copay 25; deductible min(200 open, 175) = 175; coinsurance 20% of 0 = 0
    assert (first.copay, first.deductible, first.coinsurance) == (D("25.00"), D("175.00"), D(0))
    # line 2: copay already taken; deductible 25 left; 20% of 375 = 75
    assert (second.copay, second.deductible, second.coinsurance) == (D(0), D("25.00"), D("75.00"))
    assert second.plan == D("300.00")
    assert result.patient_total == D("300.00")
    assert result.plan_total == D("300.00")
    assert result.accumulators == Accumulators(
        deductible_met=D("300.00"), out_of_pocket_met=D("300.00")
    )


def test_out_of_pocket_maximum_caps_the_patient_share() -> None:
    plan = Benefits(deductible=D("1000.00"), coinsurance=D("0.30"), out_of_pocket_max=D("1200.00"))
    result = estimate_responsibility(
        priced("2000.00"), coverage(plan, Accumulators(out_of_pocket_met=D("900.00")))
    )
    share = result.lines[0]
    # 300 left before the maximum: the deductible takes all of it, coinsurance nothing
    assert (share.deductible, share.coinsurance) == (D("300.00"), D("0.00"))
    assert share.plan == D("1700.00")
    assert result.accumulators.out_of_pocket_met == D("1200.00")


def test_coinsurance_rounds_half_up_per_line() -> None:
    plan = Benefits(coinsurance=D("0.15"))
    # 15% of 10.10 = 1.515 -> 1.52
    assert estimate_responsibility(priced("10.10"), coverage(plan)).lines[0].coinsurance == D(
        "1.52"
    )


def test_category_per_line() -> None:
    copays: list[Copay] = [
        Copay(category=ServiceCategory.SPECIALIST, amount=D("50.00")),
        Copay(category=ServiceCategory.LAB, amount=D("10.00")),
    ]
    plan = Benefits(copays=copays)
    result = estimate_responsibility(
        priced("120.00", "8.00"),
        coverage(plan),
        categories={"1": ServiceCategory.SPECIALIST, "2": ServiceCategory.LAB},
    )
    assert [s.copay for s in result.lines] == [D("50.00"), D("8.00")]  # copay <= allowed


@settings(max_examples=60, deadline=None)
@given(
    amounts=st.lists(st.decimals(min_value=0, max_value=5000, places=2), min_size=1, max_size=5),
    deductible=st.decimals(min_value=0, max_value=3000, places=2),
    coins=st.decimals(min_value=0, max_value=1, places=2),
    oop=st.decimals(min_value=0, max_value=8000, places=2),
)
def test_shares_add_up_and_stay_within_limits(
    amounts: list[Decimal], deductible: Decimal, coins: Decimal, oop: Decimal
) -> None:
    plan = Benefits(deductible=deductible, coinsurance=coins, out_of_pocket_max=oop)
    result = estimate_responsibility(priced(*(str(a) for a in amounts)), coverage(plan))
    for share, amount in zip(result.lines, amounts, strict=True):
        assert share.patient_share + share.plan == amount
        assert 0 <= share.patient_share <= amount
    assert result.patient_total <= oop
    assert result.accumulators.deductible_met <= deductible


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        # allowable = higher of 100 and 90 = 100; balance = 100 - 80 = 20
        (CobMethod.STANDARD, D("20.00")),  # lesser of normal benefit 72 and balance 20
        (CobMethod.NON_DUPLICATION, D("0.00")),  # 72 - 80 < 0
        (CobMethod.MAINTENANCE_OF_BENEFITS, D("2.00")),  # 20 - (90 - 72)
    ],
)
def test_secondary_payment_methods(method: CobMethod, expected: Decimal) -> None:
    result = secondary_payment(
        method,
        primary_allowed=D("100.00"),
        primary_paid=D("80.00"),
        secondary_allowed=D("90.00"),
        secondary_normal_benefit=D("72.00"),
    )
    assert result.amount == expected
    assert method.value in str(result.trace)


def test_non_duplication_pays_the_difference_when_primary_paid_less() -> None:
    result = secondary_payment(
        CobMethod.NON_DUPLICATION,
        primary_allowed=D("100.00"),
        primary_paid=D("50.00"),
        secondary_allowed=D("100.00"),
        secondary_normal_benefit=D("80.00"),
    )
    assert result.amount == D("30.00")  # 80 - 50, within the balance of 50


@pytest.mark.parametrize(
    ("charge", "primary_paid", "primary_allowed", "medicare_allowed", "medicare_pays", "expected"),
    [
        # (1) 175-120=55, (2) 100, (3) max(150,125)-120=30 -> 30
        ("175.00", "120.00", "150.00", "125.00", "100.00", "30.00"),
        # (1) 200-50=150, (2) 80, (3) max(100,100)-50=50 -> 50
        ("200.00", "50.00", "100.00", "100.00", "80.00", "50.00"),
        # (1) 110-60=50, (2) 40, (3) max(90,100)-60=40 -> 40
        ("110.00", "60.00", "90.00", "100.00", "40.00", "40.00"),
        # primary paid more than Medicare would allow: nothing
        ("300.00", "260.00", "260.00", "200.00", "160.00", "0.00"),
    ],
)
def test_medicare_secondary_payer_42_cfr_411_33(
    charge: str,
    primary_paid: str,
    primary_allowed: str,
    medicare_allowed: str,
    medicare_pays: str,
    expected: str,
) -> None:
    result = medicare_secondary_payment(
        actual_charge=D(charge),
        primary_paid=D(primary_paid),
        primary_allowed=D(primary_allowed),
        medicare_allowed=D(medicare_allowed),
        medicare_payment=D(medicare_pays),
    )
    assert result.amount == D(expected)


def test_medicare_payment_with_sequestration() -> None:
    # 99213 Alabama CY2025 allowed 81.86; deductible met.
    # 20% coinsurance: 16.372 -> 16.37; payment 81.86 - 16.37 = 65.49;
    # sequestration 2% of 65.49 = 1.3098 -> 1.31; paid 64.18
    estimate = medicare_payment(D("81.86"))
    assert (estimate.coinsurance, estimate.before_sequestration) == (D("16.37"), D("65.49"))
    assert (estimate.sequestration, estimate.payment) == (D("1.31"), D("64.18"))
    assert estimate.patient_share == D("16.37")
    no_cut = medicare_payment(D("81.86"), sequestration=False)
    assert no_cut.payment == D("65.49")


def test_medicare_payment_deductible_larger_than_allowed() -> None:
    estimate = medicare_payment(D("81.86"), deductible_remaining=D("257.00"))  # CY2025 Part B
    assert (estimate.deductible, estimate.payment) == (D("81.86"), D("0.00"))


def test_good_faith_estimate_dispute_threshold() -> None:
    gfe = GoodFaithEstimate(
        issued_on=pendulum.date(2025, 3, 1),
        items=[
            GfeItem(provider="A", code="99213", expected_charge=D("150.00")),
            GfeItem(provider="A", code="97110", expected_charge=D("40.00"), quantity=2),
            GfeItem(provider="B", code="71046", expected_charge=D("90.00")),
        ],
    )
    assert gfe.by_provider == {"A": D("230.00"), "B": D("90.00")}
    assert gfe.total == D("320.00")
    # A: 630.00 - 230.00 = 400.00 (at least $400: eligible); B: 489.99 - 90 = 399.99
    assert gfe.dispute_eligible({"A": D("630.00"), "B": D("489.99"), "C": D("400.00")}) == {
        "A": True,
        "B": False,
        "C": True,
    }
    with pytest.raises(ValidationError):
        GfeItem(provider="A", code="99213", expected_charge=150.0)


def test_anesthesia_base_and_time_units(reference_dir: Path, tmp_path: Path) -> None:
    factors = reference_dir / "arkrvu-cms-pfs" / "rvu_source_2024" / "anes_rvu24c.csv"
    if not factors.is_file():
        pytest.skip(f"{factors} absent")
    base = tmp_path / "base.csv"
    base.write_text("code,base_units\n00142,4\n01402,7\n")  # ASA base units (published)
    schedule = AnesthesiaSchedule.from_files(base, factors)
    alabama = Locality.parse("10112-00")  # CY2024 anesthesia CF 19.77 (ANES file)
    day = pendulum.date(2024, 8, 1)
    # 01402, 95 minutes: 95 / 15 = 6.333 -> 6.3 time units; (7 + 6.3) x 19.77 = 262.941
    line = schedule.price("01402", locality=alabama, minutes=95, service_date=day)
    assert line.allowed == D("262.94")
    # QX (CRNA with medical direction): 50% of 262.94 = 131.47
    directed = schedule.price(
        "01402", locality=alabama, minutes=95, service_date=day, modifiers=["QX"]
    )
    assert directed.allowed == D("131.47")
    with pytest.raises(PricingError):
        schedule.price(
            "01402", locality=alabama, minutes=95, service_date=day, modifiers=["QK", "QZ"]
        )
    with pytest.raises(PricingError):
        schedule.price("00100", locality=alabama, minutes=95, service_date=day)


def test_price_claim_routes_anesthesia_codes() -> None:
    alabama = Locality.parse("10112-00")
    anesthesia = AnesthesiaSchedule({"00142": D(4)}, {alabama: D("20.00")})
    schedule = MedicareFeeSchedule(
        {("99213", ""): MedicareFeeSchedule.demo().row("99213")},
        {alabama: MedicareFeeSchedule.demo().gpci(alabama)},
        anesthesia=anesthesia,
    )
    # 30 minutes = 2.0 time units; (4 + 2.0) x 20.00 = 120.00
    result = schedule.price_claim(
        claim(line("1", "00142", minutes=30), place_of_service="24"), locality=alabama
    )
    assert result.line("1").allowed == D("120.00")
    with pytest.raises(PricingError, match="minutes"):
        schedule.price_claim(claim(line("1", "00142")), locality=alabama)


def test_medicare_coverage_applies_sequestration_to_the_payment() -> None:
    part_b = Benefits(deductible=D("257.00"), coinsurance=D("0.20"))  # CY2025 Part B
    medicare = Coverage(
        id=CoverageId("cov-mc"),
        patient_id=PatientId("MRN-1"),
        member_id="1EG4TE5MK73",
        payer=Payer(id=PayerId("medicare"), name="Medicare Part B", kind="medicare"),
        priority="primary",
        effective=Period(pendulum.date(2025, 1, 1)),
        benefits=part_b,
        accumulators=Accumulators(deductible_met=D("257.00")),
    )
    result = estimate_responsibility(priced("81.86", "57.21"), medicare)
    first, second = result.lines
    # 81.86: coinsurance 16.372 -> 16.37, plan 65.49, 2% = 1.3098 -> 1.31, paid 64.18
    assert (first.coinsurance, first.plan, first.sequestration, first.payment) == (
        D("16.37"),
        D("65.49"),
        D("1.31"),
        D("64.18"),
    )
    # 57.21: coinsurance 11.442 -> 11.44, plan 45.77, 2% = 0.9154 -> 0.92, paid 44.85
    assert (second.sequestration, second.payment) == (D("0.92"), D("44.85"))
    assert result.payment_total == D("109.03")
    assert estimate_responsibility(priced("81.86"), medicare, sequestration=False).lines[
        0
    ].payment == D("65.49")
