"""Building the primary claim from an encounter and the secondary claim after adjudication."""

from __future__ import annotations

from decimal import Decimal

import attrs
import pendulum
import pytest

from medbill import (
    ClaimId,
    ClaimPayment,
    LinePayment,
    PatientId,
    ServiceLine,
    ValidationError,
)
from medbill.claims import build_claim, build_secondary_claim
from medbill.codes import Modifier, ProcedureCode
from medbill.testing import make_claim_payment, make_line_payment

from .examples import (
    example_claim,
    example_coverage,
    example_encounter,
    example_patient,
)

PRICES = {"99214": Decimal("210.00"), "36415": Decimal("12.00")}


def test_claim_bills_the_first_coverage_with_chargemaster_prices() -> None:
    primary, secondary = example_coverage(), example_coverage(priority="secondary", payer_id="bcbs")
    claim = build_claim(
        example_encounter(),
        example_patient(),
        [primary, secondary],
        PRICES,
        claim_id=ClaimId("C-1"),
    )
    assert claim.coverage == primary
    assert [line.line_id for line in claim.lines] == ["1", "2"]
    assert [line.charge for line in claim.lines] == [Decimal("210.00"), Decimal("12.00")]
    assert claim.total_charge == Decimal("222.00")  # 210 + 12
    assert all(line.service_date == pendulum.date(2025, 3, 4) for line in claim.lines)
    assert claim.encounter_id == "enc-1"
    assert claim.diagnoses == example_encounter().diagnoses


def test_charge_is_unit_price_times_units_from_a_callable() -> None:
    encounter = attrs.evolve(
        example_encounter(),
        lines=[
            ServiceLine(
                procedure="J1100",
                charge=Decimal("1.00"),
                units=Decimal("3"),
                modifiers=["JZ"],
                diagnosis_pointers=[1],
            )
        ],
    )
    seen = []

    def chargemaster(
        code: ProcedureCode, modifiers: tuple[Modifier, ...], day: pendulum.Date
    ) -> Decimal:
        seen.append((str(code), [str(m) for m in modifiers], day))
        return Decimal("4.15")

    claim = build_claim(
        encounter, example_patient(), [example_coverage()], chargemaster, claim_id=ClaimId("C-2")
    )
    assert claim.lines[0].charge == Decimal("12.45")  # 3 units x 4.15
    assert seen == [("J1100", ["JZ"], pendulum.date(2025, 3, 4))]


def test_without_a_chargemaster_the_encounter_charges_are_billed() -> None:
    claim = build_claim(
        example_encounter(), example_patient(), [example_coverage()], claim_id=ClaimId("C")
    )
    assert [line.charge for line in claim.lines] == [Decimal("200.00"), Decimal("10.00")]


def test_no_coverage_makes_a_self_pay_claim() -> None:
    claim = build_claim(example_encounter(), example_patient(), [], PRICES, claim_id=ClaimId("C-3"))
    assert claim.coverage is None


def test_missing_price_and_wrong_patient_are_all_reported() -> None:
    other = attrs.evolve(example_coverage(), patient_id=PatientId("MRN-9"))
    with pytest.raises(ValidationError) as caught:
        build_claim(
            example_encounter(),
            example_patient(),
            [other],
            {"99214": Decimal("1.00")},
            claim_id=ClaimId("C-4"),
        )
    fields = [p.field for p in caught.value.problems]
    assert fields == ["coverages[0].patient_id", "lines[1].procedure"]
    assert "36415" in str(caught.value)


def test_float_price_is_refused() -> None:
    with pytest.raises(ValidationError, match="float"):
        build_claim(
            example_encounter(),
            example_patient(),
            [example_coverage()],
            {"99214": 210.0, "36415": 12.0},  # type: ignore[dict-item]
            claim_id=ClaimId("C-5"),
        )


def _primary_payment() -> ClaimPayment:
    # Line 1: billed 210.00, allowed 120.00: CO-45 90.00, coinsurance 20% = 24.00, paid 96.00.
    # Line 2: billed 12.00, allowed 3.00: CO-45 9.00, paid 3.00.
    # The factories derive the CAS adjustments and the claim totals from these amounts.
    return make_claim_payment(
        claim_id="C-1001",
        payer_claim_control_number="ICN-77",
        lines=[
            make_line_payment(
                procedure="99214", charge=Decimal("210.00"), allowed=Decimal("120.00"),
                paid=Decimal("96.00"), service_date=None,
            ),
            # this payer echoes no line id: matched by code and date
            make_line_payment(
                line_id=None, procedure="36415", charge=Decimal("12.00"), paid=Decimal("3.00"),
                allowed=None,
            ),
        ],
    )  # fmt: skip


def test_secondary_claim_carries_the_primary_adjudication() -> None:
    primary = example_claim(codes=["99214", "36415"], charges=[Decimal("210.00"), Decimal("12.00")])
    bcbs = example_coverage(priority="secondary", payer_id="bcbs")
    secondary = build_secondary_claim(
        primary,
        _primary_payment(),
        bcbs,
        claim_id=ClaimId("C-1001-S"),
        adjudicated_on=pendulum.date(2025, 4, 1),
    )
    assert secondary.claim.id == "C-1001-S"
    assert secondary.claim.coverage == bcbs
    assert secondary.claim.lines == primary.lines
    (prior,) = secondary.prior_payers
    assert prior.payer.id == "aetna"
    assert prior.paid == Decimal("99.00")
    assert prior.remaining_patient_liability == Decimal("24.00")
    assert prior.payer_claim_control_number == "ICN-77"
    assert [(line.line_id, line.paid) for line in prior.lines] == [
        ("1", Decimal("96.00")),
        ("2", Decimal("3.00")),
    ]
    assert prior.lines[0].patient_responsibility == Decimal("24.00")
    assert [a.amount for a in prior.lines[1].adjustments] == [Decimal("9.00")]


def test_secondary_needs_a_later_coverage_and_matching_payment() -> None:
    primary = example_claim(codes=["99214", "36415"], charges=[Decimal("210.00"), Decimal("12.00")])
    day = pendulum.date(2025, 4, 1)
    with pytest.raises(ValidationError, match=r"coverage\.priority"):
        build_secondary_claim(
            primary,
            _primary_payment(),
            example_coverage(payer_id="x"),
            claim_id=ClaimId("S"),
            adjudicated_on=day,
        )
    wrong = attrs.evolve(_primary_payment(), claim_id=ClaimId("C-9"))
    with pytest.raises(ValidationError, match="does not pay claim"):
        build_secondary_claim(
            primary,
            wrong,
            example_coverage(priority="secondary"),
            claim_id=ClaimId("S"),
            adjudicated_on=day,
        )
    stray = attrs.evolve(
        _primary_payment(),
        lines=[
            *_primary_payment().lines,
            LinePayment(procedure="81002", charge=Decimal("0.00"), paid=Decimal("0.00")),
        ],
    )
    with pytest.raises(ValidationError, match="match no line"):
        build_secondary_claim(
            primary,
            stray,
            example_coverage(priority="secondary"),
            claim_id=ClaimId("S"),
            adjudicated_on=day,
        )


def test_secondary_claim_keeps_the_patient_control_number_by_default() -> None:
    primary = example_claim(codes=["99214", "36415"], charges=[Decimal("210.00"), Decimal("12.00")])
    secondary = build_secondary_claim(
        primary,
        _primary_payment(),
        example_coverage(priority="secondary", payer_id="bcbs"),
        adjudicated_on=pendulum.date(2025, 4, 1),
    )
    assert secondary.claim.id == primary.id
