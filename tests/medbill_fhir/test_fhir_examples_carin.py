"""The CARIN Blue Button IG examples (FHIR Shorthand compiled with SUSHI) are each mapped,
with values checked by hand against the .fsh source, or refused with the element named."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pendulum
import pytest

from medbill import ClaimPayment, Patient, Payer, Sex, ValidationError
from medbill.codes import AdjustmentGroup
from medbill.fhir import from_fhir

pytest.importorskip("fhir.resources")

_INSTITUTIONAL_ORAL_PHARMACY = "medbill models professional claim payments (835 for an 837P) only"
_NPI = "must start with 1 or 2"  # the IG's NPIs (9941339100, ...) are not NPIs

REFUSED: dict[str, tuple[str, str]] = {
    **{f"Coverage/{n}": ("Coverage.order", "1 primary, 2 secondary, 3 tertiary")
       for n in ("Coverage1", "Coverage2", "Coverage3", "CoverageDental1")},
    **{f"ExplanationOfBenefit/{n}": ("ExplanationOfBenefit.type", _INSTITUTIONAL_ORAL_PHARMACY)
       for n in ("EOBInpatient1", "EOBInpatient2", "EOBOutpatient1", "EOBOutpatient2", "EOBOral1",
                 "EOBOral2", "EOBPharmacy1", "BB-EOBInpatient1-nonfinancial",
                 "BB-EOBInpatient2-nonfinancial", "BB-EOBOutpatient1-nonfinancial",
                 "BB-EOBOutpatient2-nonfinancial", "BB-EOBOral1-nonfinancial",
                 "BB-EOBOral2-nonfinancial", "BB-EOBPharmacy1-nonfinancial")},
    # The non-financial ("Basis") EOBs carry no amounts: medbill needs what was billed.
    **{f"ExplanationOfBenefit/{n}": ("ExplanationOfBenefit.item[0].adjudication", "submitted amount")
       for n in ("BB-EOBProfessional1-nonfinancial", "BB-EOBProfessional2-nonfinancial",
                 "BB-EOBProfessionalTransportation1-nonfinancial")},
    **{f"Organization/{n}": ("Organization.identifier[0].value", _NPI)
       for n in ("DentalPayer1", "Payer1", "ProviderOrganization1", "ProviderOrganization2",
                 "ProviderOrganization3", "ProviderOrganization4", "ProviderOrganization5",
                 "ProviderOrganization6", "ProviderTransportationOrganization1")},
    **{f"Practitioner/{n}": ("Practitioner.identifier[0].value", _NPI)
       for n in ("Practitioner1", "Practitioner2", "Practitioner3", "Practitioner4",
                 "PractitionerDentalProvider1")},
    "RelatedPerson/RelatedPerson1": ("RelatedPerson.resourceType", "no entity for this resource type"),
}  # fmt: skip
MAPPED = {
    "ExplanationOfBenefit/EOBProfessional1",
    "ExplanationOfBenefit/EOBProfessional2",
    "ExplanationOfBenefit/EOBProfessionalTransportation1",
    "Organization/Payer2",
    "Patient/Patient1",
    "Patient/Patient2",
}


def test_every_carin_example_is_mapped_or_refused(carin_examples: dict[str, Any]) -> None:
    assert set(carin_examples) == set(REFUSED) | MAPPED


@pytest.mark.parametrize("key", sorted(REFUSED))
def test_carin_example_is_refused_naming_the_element(
    carin_examples: dict[str, Any], key: str
) -> None:
    path, reason = REFUSED[key]
    with pytest.raises(ValidationError) as caught:
        from_fhir(carin_examples[key], references=carin_examples)
    assert caught.value.problems[0].field == path
    assert reason in caught.value.problems[0].reason


def test_eob_professional_1(carin_examples: dict[str, Any]) -> None:
    # EOBProfessional1.fsh: one 97110 line on 2019-07-02, submitted 250.00, benefit 200.00,
    # payment 200.00 with payment.adjustment -50.00 (no CARC: reported, not guessed).
    payment, unmapped = from_fhir(carin_examples["ExplanationOfBenefit/EOBProfessional1"],
                                  references=carin_examples)  # fmt: skip
    assert isinstance(payment, ClaimPayment)
    assert payment.claim_id == "1234-234-1243-12345678901a"  # supportingInfo patientaccountnumber
    assert payment.payer_claim_control_number == "AW123412341234123412341234123413"  # identifier uc
    assert (payment.charge, payment.paid) == (Decimal("250.00"), Decimal("200.00"))
    assert payment.received_on == pendulum.date(2011, 5, 30)  # clmrecvddate
    assert (payment.statement_start, payment.statement_end) == (
        pendulum.date(2019, 1, 1),
        pendulum.date(2019, 10, 31),
    )
    assert payment.patient_name is not None
    assert payment.patient_name.formatted == "Member 01 Test"
    (line,) = payment.lines
    assert (str(line.procedure), line.charge, line.paid) == (
        "97110",
        Decimal("250.00"),
        Decimal("200.00"),
    )
    assert line.service_date == pendulum.date(2019, 7, 2)
    # 250.00 billed - 200.00 paid with no adjustment given: the 835 balance is off by 50.00.
    assert payment.imbalance == Decimal("50.00")
    paths = [u.path for u in unmapped]
    assert "ExplanationOfBenefit.payment.adjustment" in paths
    assert "ExplanationOfBenefit.item[0].locationCodeableConcept" in paths
    assert "ExplanationOfBenefit.total[3]" in paths  # paidbypatient 0.00


def test_eob_professional_2_first_line(carin_examples: dict[str, Any]) -> None:
    # EOBProfessional2.fsh, item 1: 75710 submitted 68.80, eligible 34.80, benefit 34.80,
    # copay 0 and deductible 0 (PR-3 and PR-1 of 0.00); the claim's submitted total is 820.00.
    payment, unmapped = from_fhir(carin_examples["ExplanationOfBenefit/EOBProfessional2"],
                                  references=carin_examples)  # fmt: skip
    assert payment.charge == Decimal("820.00")
    first = payment.lines[0]
    assert (str(first.procedure), first.charge, first.allowed, first.paid) == (
        "75710", Decimal("68.80"), Decimal("34.80"), Decimal("34.80"))  # fmt: skip
    assert [(a.group, str(a.reason), a.amount) for a in first.adjustments] == [
        (AdjustmentGroup.PATIENT_RESPONSIBILITY, "3", Decimal("0.00")),
        (AdjustmentGroup.PATIENT_RESPONSIBILITY, "1", Decimal("0.00")),
    ]
    # item 2 reverses item 1 (submitted -68.80).
    assert payment.lines[1].charge == Decimal("-68.80")
    # SUSHI lays the benefitpaymentstatus slice first: [0] status, [1..5] the amounts, [6] noncovered.
    assert "ExplanationOfBenefit.item[0].adjudication[6]" in [u.path for u in unmapped]


def test_eob_professional_transportation(carin_examples: dict[str, Any]) -> None:
    payment, _ = from_fhir(carin_examples["ExplanationOfBenefit/EOBProfessionalTransportation1"],
                           references=carin_examples)  # fmt: skip
    assert [(str(line.procedure), line.charge) for line in payment.lines] == [
        ("A0428", Decimal("40.35")),
        ("A0428", Decimal("42.62")),
    ]
    assert payment.charge == Decimal("82.97")  # 40.35 + 42.62


def test_patients_and_payer(carin_examples: dict[str, Any]) -> None:
    patient, _ = from_fhir(carin_examples["Patient/Patient1"])
    assert isinstance(patient, Patient)
    assert (patient.id, patient.name.formatted, patient.sex, patient.birth_date) == (
        "Patient1", "Johnny Example1", Sex.MALE, pendulum.date(1986, 1, 1))  # fmt: skip
    assert patient.address is not None
    assert patient.address.state == "PA"
    payer, _ = from_fhir(carin_examples["Organization/Payer2"])
    assert isinstance(payer, Payer)
    assert payer.name == "UPMC Health Plan"
