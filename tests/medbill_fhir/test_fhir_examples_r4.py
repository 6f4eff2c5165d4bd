"""Every example of the HL7 FHIR R4 package (financial module, Patient, Encounter) is read:
each maps, with its values checked by hand against the JSON, or is refused with a reason
naming the element medbill does not support.

The examples refer to resources the package does not hold (``Patient/1``,
``Organization/2``, ``Coverage/9876B1``); ``examples_r4.STUBS`` stands in for them.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pendulum
import pytest

from medbill import Coverage, Patient, Priority, Relationship, ServiceCategory, Sex, ValidationError
from medbill.fhir import from_fhir

from .examples_r4 import STUBS

pytest.importorskip("fhir.resources")

_NOT_PROFESSIONAL = "medbill models professional claims (837P) only"
_NOT_PROFESSIONAL_PAYMENT = "medbill models professional claim payments (835 for an 837P) only"
_ENCOUNTER = "an Encounter is read with its ChargeItems and Conditions: pass the Bundle"
_ELIGIBILITY_REQUEST = "eligibility inquiries (X12 270) are not modelled"
_ELIGIBILITY_RESPONSE = "eligibility responses (X12 271) are not modelled"
_EMPTY = "must be a non-empty string"

# file -> (FHIR path of the first problem, words of the reason)
REFUSED: dict[str, tuple[str, str]] = {
    "Account-ewg.json": ("Account.resourceType", "double-entry ledger"),
    "Account-example.json": ("Account.resourceType", "double-entry ledger"),
    "ChargeItem-example.json": ("ChargeItem.resourceType", "service line of its Encounter"),
    "ChargeItemDefinition-device.json": ("ChargeItemDefinition.resourceType", "fee schedules"),
    "ChargeItemDefinition-ebm.json": ("ChargeItemDefinition.resourceType", "fee schedules"),
    **{f"Claim-{n}.json": ("Claim.type", _NOT_PROFESSIONAL)
       for n in ("100150", "100151", "100152", "100153", "100154", "100155", "100156",
                 "660150", "660151", "660152", "760150", "760151", "760152", "960150",
                 "960151", "MED-00050")},
    # The one professional claim codes its diagnosis "654456" without a system.
    "Claim-860150.json": ("Claim.diagnosis[0].diagnosisCodeableConcept.coding[0]",
                          "outside medbill's ICD-10-CM diagnoses"),
    **{f"ClaimResponse-{n}.json": ("ClaimResponse.type", _NOT_PROFESSIONAL_PAYMENT)
       for n in ("R3500", "R3501", "R3502", "R3503", "UR3503")},
    "Coverage-7547E.json": ("Coverage.payor[0]", "names no resource"),
    "Coverage-9876B1.json": ("Coverage.order", "1 primary, 2 secondary, 3 tertiary"),
    "Coverage-SP1234.json": ("Coverage.type", "self-pay coverage is no medbill Coverage"),
    "CoverageEligibilityRequest-52345.json": ("CoverageEligibilityRequest.resourceType", _ELIGIBILITY_REQUEST),
    "CoverageEligibilityRequest-52346.json": ("CoverageEligibilityRequest.resourceType", _ELIGIBILITY_REQUEST),
    **{f"CoverageEligibilityResponse-{n}.json": ("CoverageEligibilityResponse.resourceType", _ELIGIBILITY_RESPONSE)
       for n in ("E2500", "E2501", "E2502", "E2503")},
    **{f"Encounter-{n}.json": ("Encounter.resourceType", _ENCOUNTER)
       for n in ("emerg", "example", "f001", "f002", "f003", "f201", "f202", "f203", "home", "xcda")},
    "ExplanationOfBenefit-EB3500.json": ("ExplanationOfBenefit.type", _NOT_PROFESSIONAL_PAYMENT),
    "ExplanationOfBenefit-EB3501.json": ("ExplanationOfBenefit.type", _NOT_PROFESSIONAL_PAYMENT),
    "Invoice-example.json": ("Invoice.resourceType", "built from the ledger"),
    "Patient-animal.json": ("Patient.name[0].family", _EMPTY),
    "Patient-ch-example.json": ("Patient.name[0].family", _EMPTY),
    "Patient-dicom.json": ("Patient.name[0].given", _EMPTY),
    "Patient-example.json": ("Patient.address[0].state", "2-letter state code"),  # Victoria, AU
    "Patient-f001.json": ("Patient.address[0].country", "US addresses only"),
    "Patient-f201.json": ("Patient.address[0].country", "US addresses only"),
    "Patient-genetics-example1.json": ("Patient.address[0].city", _EMPTY),
    "Patient-ihe-pcd.json": ("Patient.gender", "required by medbill"),
    "Patient-infant-fetal.json": ("Patient.name", "required by medbill"),
    "Patient-mom.json": ("Patient.address[0].city", _EMPTY),
    "Patient-newborn.json": ("Patient.name", "required by medbill"),
    "Patient-pat1.json": ("Patient.birthDate", "required by medbill"),
    "Patient-pat2.json": ("Patient.gender", "no X12 administrative sex code"),  # "other"
    "Patient-proband.json": ("Patient.name", "required by medbill"),
    "PaymentNotice-77654.json": ("PaymentNotice.resourceType", "not modelled"),
    # Its details name their ClaimResponses by identifier only.
    "PaymentReconciliation-ER2500.json": ("PaymentReconciliation.detail[0].response", "names no resource"),
}  # fmt: skip


def _patient(
    pid: str, family: str, given: str, sex: Sex, born: tuple[int, int, int], **more: Any
) -> Patient:
    from medbill import PersonName

    name = PersonName(family=family, given=given, suffix=more.pop("suffix", None))
    return Patient(id=pid, name=name, sex=sex, birth_date=pendulum.date(*born), **more)


# file -> (the entity worked out by hand from the JSON, the unmapped paths)
MAPPED: dict[str, tuple[Any, list[str]]] = {
    # MR identifier 123456 is the id; suffix "The 7th"; the trials extension, the GP and the
    # managing organization are not modelled.
    "Patient-glossy.json": (
        _patient("123456", "Levin", "Henry", Sex.MALE, (1932, 9, 24), suffix="The 7th"),
        ["Patient.meta", "Patient.text", "Patient.extension", "Patient.generalPractitioner",
         "Patient.managingOrganization"],
    ),
    # No identifier: the resource id. The maiden name is name[1] and is reported.
    "Patient-infant-mom.json": (
        _patient("infant-mom", "Solo", "Leia", Sex.FEMALE, (1995, 10, 12)),
        ["Patient.text", "Patient.name[1]", "Patient.maritalStatus", "Patient.generalPractitioner"],
    ),
    "Patient-infant-twin-1.json": (
        _patient("MRN7465737865", "Solo", "Jaina", Sex.FEMALE, (2017, 5, 15)),
        ["Patient.text", "Patient.extension", "Patient.identifier[1]", "Patient._birthDate",
         "Patient.multipleBirthInteger", "Patient.contact"],
    ),
    "Patient-infant-twin-2.json": (
        _patient("MRN7465676978", "Solo", "Jacen", Sex.MALE, (2017, 5, 15)),
        ["Patient.text", "Patient.extension", "Patient.identifier[1]", "Patient._birthDate",
         "Patient.multipleBirthInteger", "Patient.contact"],
    ),
    "Patient-pat3.json": (
        _patient("123457", "Notsowell", "Simon", Sex.MALE, (1982, 1, 23)),
        ["Patient.text", "Patient.deceasedDateTime", "Patient.managingOrganization"],
    ),
    "Patient-pat4.json": (
        _patient("123458", "Notsowell", "Sandy", Sex.FEMALE, (1982, 8, 2)),
        ["Patient.text", "Patient.deceasedBoolean", "Patient.managingOrganization"],
    ),
    "Patient-xcda.json": (
        _patient("12345", "Levin", "Henry", Sex.MALE, (1932, 9, 24)),
        ["Patient.text", "Patient.managingOrganization"],
    ),
    "Patient-xds.json": (
        _patient("89765a87b", "Doe", "John", Sex.MALE, (1956, 5, 27),
                 address=__import__("medbill").Address(line1="100 Main St", city="Metropolis",
                                                       state="IL", postal_code="44130")),
        ["Patient.text", "Patient.managingOrganization"],
    ),
}  # fmt: skip


def _load(reference_dir: Path, name: str) -> dict[str, Any]:
    text = (reference_dir / "hl7-fhir-r4-examples" / "package" / name).read_text(encoding="utf-8")
    data = json.loads(text, parse_float=Decimal)
    assert isinstance(data, dict)
    return data


def test_every_example_is_mapped_or_refused(reference_dir: Path) -> None:
    folder = reference_dir / "hl7-fhir-r4-examples" / "package"
    files = {p.name for p in folder.glob("*.json")} - {"package.json"}
    assert files == set(REFUSED) | set(MAPPED) | {"Coverage-7546D.json"}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_example_is_refused_naming_the_element(reference_dir: Path, name: str) -> None:
    path, reason = REFUSED[name]
    with pytest.raises(ValidationError) as caught:
        from_fhir(_load(reference_dir, name), references=STUBS)
    first = caught.value.problems[0]
    assert first.field == path
    assert reason in first.reason


@pytest.mark.parametrize("name", sorted(MAPPED))
def test_example_patient_maps_by_hand(reference_dir: Path, name: str) -> None:
    expected, unmapped = MAPPED[name]
    result = from_fhir(_load(reference_dir, name))
    assert result.entity == expected
    assert [u.path for u in result.unmapped] == unmapped


def test_coverage_7546D_maps_by_hand(reference_dir: Path) -> None:
    coverage, unmapped = from_fhir(_load(reference_dir, "Coverage-7546D.json"), references=STUBS)
    assert isinstance(coverage, Coverage)
    assert coverage.id == "7546D"
    assert coverage.patient_id == "5"  # beneficiary Patient/5
    assert coverage.member_id == "AB9876"  # subscriberId; identifier AB98761 is reported
    assert coverage.priority is Priority.SECONDARY  # order 2
    assert (coverage.effective.start, coverage.effective.end) == (
        pendulum.date(2011, 3, 17),
        pendulum.date(2012, 3, 17),
    )
    assert coverage.group_number == "WESTAIR"
    assert coverage.plan_name == "Full Coverage: Medical, Dental, Pharmacy, Vision, EHC"
    assert coverage.relationship is Relationship.SELF
    assert coverage.subscriber is None
    assert coverage.payer.name == "Benefits Inc."
    # costToBeneficiary gpvisit $20.00: the office-visit copay; nothing else.
    assert coverage.benefits.copay_for(ServiceCategory.OFFICE_VISIT) == Decimal("20.00")
    assert coverage.benefits.deductible == Decimal("0.00")
    assert [u.path for u in unmapped] == [
        "Coverage.text", "Coverage.identifier", "Coverage.type", "Coverage.dependent",
        "Coverage.class[0].name", "Coverage.class[2].value", "Coverage.class[2].name",
        "Coverage.network", "Coverage.costToBeneficiary[0].exception", "Coverage.contract",
    ]  # fmt: skip


def test_claim_860150_with_billing_codes_prices_the_75_dollar_exam(reference_dir: Path) -> None:
    # The same professional claim with its placeholder codes replaced by CPT 99213,
    # ICD-10-CM Z00.00, place of service 11 and a pointer to the diagnosis: unitPrice 75.00 x quantity 1 = net 75.00.
    data = _load(reference_dir, "Claim-860150.json")
    data["diagnosis"][0]["diagnosisCodeableConcept"] = {
        "coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "Z00.00"}]
    }
    item = data["item"][0]
    item["productOrService"] = {
        "coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "99213"}]
    }
    item["diagnosisSequence"] = [1]  # the example points at no diagnosis
    item["locationCodeableConcept"] = {"coding": [{
        "system": "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set",
        "code": "11"}]}  # fmt: skip
    claim, unmapped = from_fhir(data, references=STUBS)
    assert claim.id == "860150"  # no medbill identifier: the resource id
    assert str(claim.lines[0].procedure) == "99213"
    assert claim.lines[0].charge == Decimal("75.00")
    assert claim.lines[0].service_date == pendulum.date(2014, 8, 16)
    assert claim.total_charge == Decimal("75.00")
    assert str(claim.place_of_service) == "11"
    assert claim.coverage is not None
    assert claim.coverage.member_id == "12345"
    assert claim.billing_provider.name == "Happy Valley Clinic"
    # the careTeam member has no role, so it is not the rendering provider, and is reported.
    assert claim.rendering_provider is None
    paths = [u.path for u in unmapped]
    assert "Claim.careTeam" in paths
    assert "Claim.item[0].careTeamSequence" in paths
    assert "Claim.identifier" in paths
    assert "Claim.payee" in paths
