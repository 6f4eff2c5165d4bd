"""Estimates across all of a patient's coverages, each secondary under its COB method.

Expected figures are worked by hand from the definitions in ``CobMethod`` (NAIC MDL-120
for standard COB; non-duplication; maintenance of benefits; Medigap per SSA 1882 / CMS
"Choosing a Medigap Policy") and 42 CFR 410.152 (Part B pays 80 %), with the 2 %
sequestration on Medicare's payment.
"""

from __future__ import annotations

from decimal import Decimal

import pendulum
import pytest

from medbill import (
    Accumulators,
    Benefits,
    CobMethod,
    Copay,
    Coverage,
    Payer,
    Period,
    ValidationError,
)
from medbill.fees import (
    GfeItem,
    GoodFaithEstimate,
    PricedClaim,
    PricedLine,
    estimate_responsibility,
    secondary_payment,
)

D = Decimal
YEAR = Period(pendulum.date(2025, 1, 1))


def coverage(
    payer: str, kind: str, priority: str, benefits: Benefits, met: str = "0", **more: object
) -> Coverage:
    return Coverage(
        id=f"cov-{payer}", patient_id="MRN-1", member_id="W1234567",
        payer=Payer(id=payer, name=payer.title(), kind=kind), priority=priority,
        effective=YEAR, benefits=benefits, accumulators=Accumulators(deductible_met=D(met)),
        **more,  # type: ignore[arg-type]
    )  # fmt: skip


def priced(*allowed: str) -> PricedClaim:
    return PricedClaim(
        claim_id="c-1",
        lines=tuple(
            PricedLine(code="99213", allowed=D(a), unit_fee=D(a), line_id=str(n),
                       service_date=pendulum.date(2025, 3, 4))
            for n, a in enumerate(allowed, start=1)
        ),
    )  # fmt: skip


PRIMARY = Benefits(
    deductible=D("500.00"),
    coinsurance=D("0.20"),
    copays=[Copay(category="office-visit", amount=D("25.00"))],
)


def commercial_primary() -> Coverage:
    # Deductible 500.00 with 400.00 met: on 250.00 allowed the patient pays 25.00 copay,
    # 100.00 deductible, 20% of 125.00 = 25.00 coinsurance: 150.00; the plan 100.00.
    return coverage("acme", "commercial", "primary", PRIMARY, met="400.00")


def test_a_single_coverage_is_unchanged() -> None:
    result = estimate_responsibility(priced("250.00"), commercial_primary())
    assert (result.patient_total, result.plan_total, result.coordination) == (
        D("150.00"),
        D("100.00"),
        (),
    )


@pytest.mark.parametrize(
    ("method", "secondary_pays", "patient"),
    [
        # Secondary (10% coinsurance, deductible met) as primary would pay 90% of 250.00 =
        # 225.00 (its normal benefit). Allowable 250.00 - primary paid 100.00 = 150.00.
        # standard: lesser of 225.00 and 150.00 = 150.00: the patient owes 0.00.
        ("standard", "150.00", "0.00"),
        # non-duplication: 225.00 - 100.00 = 125.00; the patient keeps 25.00.
        ("non-duplication", "125.00", "25.00"),
        # maintenance of benefits: balance 150.00 - the secondary's own cost sharing
        # (250.00 - 225.00 = 25.00) = 125.00; the patient keeps 25.00.
        ("maintenance-of-benefits", "125.00", "25.00"),
    ],
)
def test_a_commercial_secondary_under_each_cob_method(
    method: str, secondary_pays: str, patient: str
) -> None:
    secondary = coverage(
        "prairie", "commercial", "secondary", Benefits(coinsurance=D("0.10")), cob_method=method
    )
    result = estimate_responsibility(priced("250.00"), [secondary, commercial_primary()])
    assert result.primary_patient_total == D("150.00")
    [coordinated] = result.coordination
    assert (coordinated.payer_id, coordinated.method) == ("prairie", CobMethod(method))
    assert coordinated.paid == D(secondary_pays)
    assert result.patient_total == D(patient)


def medicare() -> Coverage:
    return coverage(
        "medicare", "medicare", "primary", Benefits(deductible=D("257.00"), coinsurance=D("0.20")),
        met="257.00",
    )  # fmt: skip


def test_medigap_plan_g_pays_the_part_b_coinsurance_the_issue_case() -> None:
    # Part B, deductible met: 20% of 86.34, 13.47 and 30.72 = 17.27 + 2.69 + 6.14 = 26.10
    # (half-up per line). Plan G's own deductible is the Part B deductible, met: it pays
    # all 26.10 and the patient owes 0.00, not 26.10.
    plan_g = coverage(
        "medigap", "commercial", "secondary", Benefits(deductible=D("257.00")), met="257.00",
        cob_method="medicare-supplement",
    )  # fmt: skip
    result = estimate_responsibility(priced("86.34", "13.47", "30.72"), [medicare(), plan_g])
    assert result.primary_patient_total == D("26.10")
    assert result.secondary_total == D("26.10")
    assert result.patient_total == D("0.00")


def test_medigap_plan_g_before_the_part_b_deductible_is_met() -> None:
    # Nothing of the 257.00 met: on 300.00 allowed Medicare leaves 257.00 deductible + 20%
    # of 43.00 (8.60) = 265.60 to the patient. Plan G applies its own 257.00 deductible to
    # that share first: it pays 8.60; the patient owes 257.00.
    part_b = coverage(
        "medicare", "medicare", "primary", Benefits(deductible=D("257.00"), coinsurance=D("0.20"))
    )
    plan_g = coverage(
        "medigap", "commercial", "secondary", Benefits(deductible=D("257.00")),
        cob_method="medicare-supplement",
    )  # fmt: skip
    result = estimate_responsibility(priced("300.00"), [part_b, plan_g])
    assert result.primary_patient_total == D("265.60")
    assert result.secondary_total == D("8.60")
    assert result.patient_total == D("257.00")


def test_medigap_plan_k_pays_half_of_the_coinsurance() -> None:
    # Plan K: 50% of Part B coinsurance. 20% of 100.00 = 20.00; plan K pays 10.00.
    plan_k = coverage(
        "medigap", "commercial", "secondary", Benefits(coinsurance=D("0.50")),
        cob_method="medicare-supplement",
    )  # fmt: skip
    result = estimate_responsibility(priced("100.00"), [medicare(), plan_k])
    assert (result.secondary_total, result.patient_total) == (D("10.00"), D("10.00"))


def test_no_coverage_is_refused_and_secondary_payment_refuses_a_supplement() -> None:
    with pytest.raises(ValidationError, match="coverage"):
        estimate_responsibility(priced("10.00"), [])
    with pytest.raises(ValidationError, match="method"):
        secondary_payment(
            CobMethod.MEDICARE_SUPPLEMENT, primary_allowed=D("1"), primary_paid=D("1"),
            secondary_allowed=D("1"), secondary_normal_benefit=D("1"),
        )  # fmt: skip


def test_good_faith_estimate_carries_npi_and_tin_of_every_provider() -> None:
    gfe = GoodFaithEstimate(
        issued_on=pendulum.date(2025, 3, 1),
        items=[
            GfeItem(provider="Clinic", code="99213", expected_charge=D("150.00"),
                    npi="1234567893", tax_id="12-3456789"),
            GfeItem(provider="Imaging", code="71046", expected_charge=D("90.00"),
                    npi="1245319599"),
        ],
    )  # fmt: skip
    assert gfe.items[0].tax_id == "123456789"
    assert gfe.missing_identifiers == ("Imaging",)  # 45 CFR 149.610(c)(1)(v): TIN missing
    with pytest.raises(ValidationError, match="tax_id"):
        GfeItem(provider="X", code="99213", expected_charge=D("1.00"), tax_id="123")
