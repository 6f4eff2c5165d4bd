"""Entities validate at construction, report every problem, and keep PHI out of messages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
import pendulum
import pytest

from medbill import (
    Address,
    Benefits,
    ClaimPayment,
    CodeError,
    Copay,
    Coverage,
    Encounter,
    Patient,
    Period,
    PersonName,
    Relationship,
    ServiceCategory,
    ServiceLine,
    ValidationError,
)
from medbill.testing import (
    make_adjustment,
    make_claim,
    make_claim_line,
    make_claim_payment,
    make_coverage,
    make_encounter,
    make_line_payment,
    make_patient,
    make_patient_payment,
    make_provider,
    make_provider_adjustment,
    make_remittance,
    make_service_line,
)


def test_entities_are_frozen() -> None:
    claim = make_claim()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        claim.id = "other"  # type: ignore[misc, assignment]
    changed = attrs.evolve(claim, id="CLM-2")
    assert changed.id == "CLM-2"
    assert claim.id == "CLM-0001"


def test_period_order() -> None:
    with pytest.raises(ValidationError) as caught:
        Period(pendulum.date(2025, 2, 1), pendulum.date(2025, 1, 31))
    assert caught.value.field == "end"


def test_dates_must_be_dates_not_strings() -> None:
    with pytest.raises(ValidationError, match="birth_date: must be a date") as caught:
        make_patient(birth_date="1980-05-17")
    assert "1980-05-17" not in str(caught.value)  # PHI: masked in the message
    assert "19**-**-**" in str(caught.value)
    # A standard-library date is accepted and becomes a pendulum.Date.
    assert isinstance(make_patient(birth_date=dt.date(1980, 5, 17)).birth_date, pendulum.Date)
    with pytest.raises(ValidationError, match="not a date and time"):
        make_claim_line(service_date=dt.datetime(2025, 3, 4, 10, 0))


@pytest.mark.parametrize(
    ("charge", "reason"),
    [
        (150.0, "must be a Decimal, not float"),
        (Decimal("1.005"), "at most 2 decimal places"),
        (Decimal("-1.00"), "must not be negative"),
        (Decimal("NaN"), "finite"),
        ("abc", "is not a number"),
    ],
)
def test_charges_are_exact_cents(charge: object, reason: str) -> None:
    with pytest.raises(ValidationError) as caught:
        make_service_line(charge=charge)
    assert caught.value.field == "charge"
    assert reason in str(caught.value)


def test_amounts_with_trailing_zeros_are_accepted() -> None:
    assert make_service_line(charge=Decimal("150.000")).charge == Decimal("150.000")
    assert make_service_line(charge=150).charge == Decimal(150)


@pytest.mark.parametrize("units", [Decimal(0), Decimal(-1)])
def test_units_positive(units: Decimal) -> None:
    with pytest.raises(ValidationError, match="units: must be positive"):
        make_service_line(units=units)


def test_pointers_must_point_at_diagnoses() -> None:
    with pytest.raises(ValidationError) as caught:
        make_encounter(lines=[make_service_line(diagnosis_pointers=[1, 3])])
    assert caught.value.field == "lines[0].diagnosis_pointers"
    assert "pointer 3 refers to no diagnosis (the claim has 2)" in str(caught.value)


def test_pointer_limits() -> None:
    with pytest.raises(ValidationError, match="must point at 1 to 4 diagnoses"):
        make_service_line(diagnosis_pointers=[1, 2, 3, 4, 5])
    with pytest.raises(ValidationError, match="must point at 1 to 4 diagnoses"):
        make_service_line(diagnosis_pointers=[])
    with pytest.raises(ValidationError, match="1-based"):
        make_service_line(diagnosis_pointers=[0])


def test_at_most_twelve_diagnoses() -> None:
    thirteen = [f"A{n:02d}" for n in range(13)]
    with pytest.raises(ValidationError, match="must hold 1 to 12 diagnoses"):
        make_claim(diagnoses=thirteen)
    assert len(make_claim(diagnoses=thirteen[:12]).diagnoses) == 12


def test_at_most_four_modifiers() -> None:
    with pytest.raises(ValidationError, match="at most 4 modifiers"):
        make_claim_line(modifiers=["25", "59", "GT", "95", "XU"])
    with pytest.raises(ValidationError, match="a modifier appears twice"):
        make_claim_line(modifiers=["59", "59"])


def test_replacement_and_void_need_the_original() -> None:
    for frequency in ("7", "8"):
        with pytest.raises(ValidationError) as caught:
            make_claim(frequency=frequency)
        assert caught.value.field == "original_claim_reference"
    assert make_claim(frequency="7", original_claim_reference="PCN-1").frequency.value == "7"


def test_given_total_must_match_lines() -> None:
    with pytest.raises(ValidationError) as caught:
        make_claim(total_charge=Decimal("149.99"))
    assert caught.value.field == "total_charge"
    assert "150.00" in str(caught.value)
    assert make_claim(total_charge=Decimal("150.00")).total_charge == Decimal("150.00")


def test_claim_line_ids_unique_and_dates_ordered() -> None:
    with pytest.raises(ValidationError, match="line ids must be unique"):
        make_claim(lines=[make_claim_line(), make_claim_line()])
    day = make_claim_line().service_date
    with pytest.raises(ValidationError, match="end"):
        make_claim_line(service_period=Period(day, day.subtract(days=3)))
    with pytest.raises(ValidationError, match="service_period: must be a closed Period starting"):
        make_claim_line(service_period=Period(day.add(days=1), day.add(days=3)))
    with pytest.raises(ValidationError, match="service_period: must be a closed Period starting"):
        make_claim_line(service_period=Period(day))


def test_claim_coverage_must_belong_to_patient() -> None:
    with pytest.raises(ValidationError) as caught:
        make_claim(coverage=make_coverage(patient_id="MRN-9999"))
    assert caught.value.field == "coverage.patient_id"


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ValidationError) as caught:
        ServiceLine(
            procedure="9921",
            charge=1.5,  # type: ignore[arg-type]
            diagnosis_pointers=[0],
            modifiers=["TCX"],
            units=Decimal(-1),
        )
    fields = [p.field for p in caught.value.problems]
    assert fields == ["procedure", "charge", "modifiers[0]", "units", "diagnosis_pointers"]
    assert str(caught.value).startswith("5 problems:")
    assert isinstance(caught.value.problems[0], CodeError)


def test_coverage_needs_subscriber_unless_self() -> None:
    with pytest.raises(ValidationError) as caught:
        make_coverage(relationship=Relationship.CHILD)
    assert caught.value.field == "subscriber"


def test_benefits_validation() -> None:
    with pytest.raises(ValidationError, match="coinsurance: must be between 0 and 1"):
        Benefits(coinsurance=Decimal("1.2"))
    duplicate = [
        Copay(category=ServiceCategory.LAB, amount=Decimal("5.00")),
        Copay(category=ServiceCategory.LAB, amount=Decimal("10.00")),
    ]
    with pytest.raises(ValidationError, match="appears twice"):
        Benefits(copays=duplicate)


def test_coverage_active_dates() -> None:
    coverage = make_coverage(
        effective=Period(pendulum.date(2025, 1, 1), pendulum.date(2025, 6, 30))
    )
    assert coverage.is_active_on(pendulum.date(2025, 6, 30))
    assert not coverage.is_active_on(pendulum.date(2025, 7, 1))
    assert not coverage.is_active_on(pendulum.date(2024, 12, 31))


def test_provider_rules() -> None:
    with pytest.raises(ValidationError, match="taxonomy"):
        make_provider(taxonomy="207Q0000")
    with pytest.raises(ValidationError, match="tax_id: must be 9 digits"):
        make_provider(tax_id="12-34")
    assert make_provider(tax_id="12-3456789").tax_id == "123456789"
    with pytest.raises(ValidationError, match="first_name"):
        make_provider(kind="organization")
    with pytest.raises(CodeError):
        make_provider(npi="1234567890")


def test_patient_contact_validation() -> None:
    with pytest.raises(ValidationError) as caught:
        make_patient(email="not-an-email", phone="12")
    assert [p.field for p in caught.value.problems] == ["phone", "email"]
    assert "not-an-email" not in str(caught.value)


def test_address_validation() -> None:
    with pytest.raises(ValidationError) as caught:
        Address(line1="1 Main St", city="X", state="Illinois", postal_code="6270")
    assert [p.field for p in caught.value.problems] == ["state", "postal_code"]


def test_age_on() -> None:
    patient = make_patient(birth_date=pendulum.date(2000, 2, 29))
    assert patient.age_on(pendulum.date(2025, 2, 28)) == 24
    assert patient.age_on(pendulum.date(2025, 3, 1)) == 25


def test_encounter_total() -> None:
    encounter = make_encounter(
        lines=[
            make_service_line(charge=Decimal("10.10")),
            make_service_line(charge=Decimal("0.20")),
        ]
    )
    assert encounter.total_charge == Decimal("10.30")
    assert isinstance(encounter, Encounter)


def test_claim_line_lookup_and_service_dates() -> None:
    claim = make_claim(
        lines=[
            make_claim_line(),
            make_claim_line(
                line_id="2",
                service_date=pendulum.date(2025, 3, 6),
                service_period=Period(pendulum.date(2025, 3, 6), pendulum.date(2025, 3, 8)),
            ),
        ]
    )
    assert claim.line("2").service_date == pendulum.date(2025, 3, 6)
    assert claim.service_dates == (pendulum.date(2025, 3, 4), pendulum.date(2025, 3, 8))
    with pytest.raises(ValidationError, match="no such line"):
        claim.line("3")


# --- payments and the 835 balancing rules -------------------------------------------------


def test_balanced_remittance_has_no_imbalance() -> None:
    assert make_remittance().imbalances() == ()


def test_line_imbalance_named_with_difference() -> None:
    # adjustments given explicitly: the factory derives them only when they are not
    co45, pr2 = make_adjustment(), make_adjustment(group="PR", reason="2", amount=Decimal("20.00"))
    line = make_line_payment(paid=Decimal("79.90"), adjustments=[co45, pr2])
    payment = make_claim_payment(lines=[line])
    era = make_remittance(claim_payments=[payment])
    problems = [str(i) for i in era.imbalances()]
    # 150.00 - (50.00 + 20.00) - 79.90 = 0.10 on the line; the claim inherits it.
    assert "claim CLM-0001 line 1: charge - adjustments - paid is off by 0.10" in problems
    assert "claim CLM-0001: charge - adjustments - paid is off by 0.10" in problems


def test_patient_responsibility_must_match_pr() -> None:
    payment = make_claim_payment(patient_responsibility=Decimal("25.00"))
    era = make_remittance(claim_payments=[payment])
    assert [str(i) for i in era.imbalances()] == [
        "claim CLM-0001: patient responsibility - PR adjustments is off by 5.00"
    ]


def test_remittance_total_rule_with_provider_adjustments() -> None:
    interest = make_provider_adjustment()  # -1.27 increases the payment
    era = make_remittance(provider_adjustments=[interest])
    assert era.payment_amount == Decimal("81.27")
    assert era.imbalances() == ()
    wrong = make_remittance(provider_adjustments=[interest], payment_amount=Decimal("80.00"))
    assert [i.difference for i in wrong.imbalances()] == [Decimal("1.27")]


def test_claim_payment_totals() -> None:
    payment = ClaimPayment(
        claim_id="C-1",
        status="1",
        charge=Decimal("200.00"),
        paid=Decimal("100.00"),
        patient_responsibility=Decimal("30.00"),
        adjustments=[make_adjustment(group="OA", reason="23", amount=Decimal("10.00"))],
        lines=[
            make_line_payment(
                charge=Decimal("200.00"),
                paid=Decimal("100.00"),
                adjustments=[
                    make_adjustment(amount=Decimal("60.00")),
                    make_adjustment(group="PR", reason="1", amount=Decimal("30.00")),
                ],
            )
        ],
    )
    assert payment.adjustment_total == Decimal("100.00")
    assert payment.patient_responsibility_adjustments == Decimal("30.00")
    # 200 - 100 adjustments - 100 paid = 0, but the line alone is 200 - 90 - 100 = 10.
    assert payment.imbalance == Decimal("0.00")
    assert payment.lines[0].imbalance == Decimal("10.00")


def test_payment_validation() -> None:
    with pytest.raises(ValidationError) as caught:
        make_claim_payment(status="99", charge=1.0)
    assert [p.field for p in caught.value.problems] == ["status", "charge"]
    with pytest.raises(ValidationError, match="procedure code or a revenue code"):
        make_line_payment(procedure=None)
    assert make_line_payment(procedure=None, revenue_code="0450").revenue_code == "0450"
    with pytest.raises(ValidationError, match="amount: must be positive"):
        make_patient_payment(amount=Decimal("0.00"))
    with pytest.raises(ValidationError, match="reason"):
        make_provider_adjustment(reason="L")


def test_debit_remittance_signs_the_payment() -> None:
    reversal = make_claim_payment(
        status="22",
        charge=Decimal("-150.00"),
        paid=Decimal("-80.00"),
        patient_responsibility=Decimal("-20.00"),
        lines=[
            make_line_payment(
                charge=Decimal("-150.00"),
                paid=Decimal("-80.00"),
                adjustments=[
                    make_adjustment(amount=Decimal("-50.00")),
                    make_adjustment(group="PR", reason="2", amount=Decimal("-20.00")),
                ],
            )
        ],
    )
    era = make_remittance(claim_payments=[reversal], payment_amount=Decimal("80.00"), credit=False)
    assert era.signed_payment == Decimal("-80.00")
    assert era.imbalances() == ()


def test_patient_can_be_built_directly() -> None:
    patient = Patient(
        id="MRN-7",
        name=PersonName(family="Roe", given="Richard"),
        birth_date=pendulum.date(1975, 1, 2),
        sex="M",
    )
    assert patient.sex.value == "M"
    coverage = Coverage(
        id="c",
        patient_id="MRN-7",
        payer=make_coverage().payer,
        member_id="XYZ12345",
        priority="secondary",
        effective=Period(pendulum.date(2025, 1, 1)),
    )
    assert coverage.priority.rank == 2
