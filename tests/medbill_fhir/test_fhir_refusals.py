"""Codes outside medbill's types, dangling references and foreign currencies are refused
with the FHIR path; replacement and void claims travel as ``related`` + ``status``."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medbill import ClaimFrequency, Provider, ValidationError
from medbill.fhir import Canonical, from_fhir, from_fhir_bundle, to_fhir, to_fhir_bundle
from medbill.testing import make_claim, make_claim_line

pytest.importorskip("fhir.resources")


def _claim_json(**overrides: Any) -> dict[str, Any]:
    lines = [make_claim_line(line_id=str(n)) for n in (1, 2, 3)]
    data = json.loads(
        to_fhir(make_claim(lines=lines, **overrides)).model_dump_json(), parse_float=Decimal
    )
    assert isinstance(data, dict)
    return data


def _refusal(data: dict[str, Any]) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        from_fhir(data)
    return caught.value.problems[0]


def test_a_modifier_outside_cpt_and_hcpcs_is_refused_at_its_path() -> None:
    data = _claim_json()
    data["item"][2]["modifier"] = [
        {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/modifiers", "code": "rooh"}]}
    ]
    problem = _refusal(data)
    assert problem.field == "Claim.item[2].modifier[0].coding[0]"
    assert "outside medbill's CPT/HCPCS modifiers" in problem.reason


def test_a_hcpcs_code_sent_as_cpt_is_refused() -> None:
    data = _claim_json()
    data["item"][1]["productOrService"] = {
        "coding": [{"system": Canonical.CPT.value, "code": "G0439"}]
    }
    problem = _refusal(data)
    assert problem.field == "Claim.item[1].productOrService.coding[0].code"
    assert "HCPCS Level II code under the CPT system" in problem.reason


def test_an_icd9_diagnosis_is_refused() -> None:
    data = _claim_json()
    data["diagnosis"][0]["diagnosisCodeableConcept"] = {
        "coding": [{"system": "http://hl7.org/fhir/sid/icd-9-cm", "code": "250.00"}]
    }
    assert _refusal(data).field == "Claim.diagnosis[0].diagnosisCodeableConcept.coding[0]"


def test_a_charge_in_another_currency_is_refused() -> None:
    data = _claim_json()
    data["item"][0]["net"]["currency"] = "EUR"
    assert _refusal(data).field == "Claim.item[0].net.currency"


def test_net_must_be_quantity_times_unit_price() -> None:
    data = _claim_json()
    data["item"][0]["net"]["value"] = Decimal("149.99")  # unitPrice 150.00 x 1
    assert _refusal(data).field == "Claim.item[0].net"


def test_a_dangling_reference_in_a_bundle_names_the_reference() -> None:
    bundle = json.loads(to_fhir_bundle(make_claim()).model_dump_json(), parse_float=Decimal)
    coverage = next(e for e in bundle["entry"] if e["resource"]["resourceType"] == "Coverage")
    bundle["entry"].remove(coverage)
    with pytest.raises(ValidationError) as caught:
        from_fhir_bundle(bundle)
    problem = caught.value.problems[0]
    assert problem.field == "Bundle.entry[0].resource.insurance[0].coverage.reference"
    assert problem.value == coverage["fullUrl"]


@pytest.mark.parametrize(("frequency", "status"), [("7", "active"), ("8", "cancelled")])
def test_replacement_and_void_claims(frequency: str, status: str) -> None:
    claim = make_claim(frequency=frequency, original_claim_reference="PAYER-ICN-77")
    resource = to_fhir(claim)
    data = json.loads(resource.model_dump_json())
    assert data["status"] == status
    assert data["related"][0]["reference"]["value"] == "PAYER-ICN-77"
    back = from_fhir(resource).entity
    assert back.frequency is ClaimFrequency(frequency)
    assert back.original_claim_reference == "PAYER-ICN-77"


def test_hcpcs_modifiers_and_codes_use_the_hcpcs_system() -> None:
    claim = make_claim(lines=[make_claim_line(procedure="G0439", modifiers=["GT", "25"])])
    item = json.loads(to_fhir(claim).model_dump_json())["item"][0]
    assert item["productOrService"]["coding"][0]["system"] == Canonical.HCPCS.value
    assert [m["coding"][0]["system"] for m in item["modifier"]] == [
        Canonical.HCPCS.value,
        Canonical.CPT.value,
    ]


@settings(max_examples=25)
@given(st.from_type(Provider).filter(lambda p: p.kind.is_person))
def test_a_practitioner_role_round_trips(provider: Provider) -> None:
    role = to_fhir(provider, resource_type="PractitionerRole")
    assert role.get_resource_type() == "PractitionerRole"
    assert from_fhir(role).entity == provider
