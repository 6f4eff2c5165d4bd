"""The 837P details of a Claim that payers ask for, in FHIR: referring and ordering
providers (``careTeam``), the service facility (``facility``), the referral number
(``referral``), the note and onset date (``supportingInfo`` ``info`` and ``onset``), the
accident (``accident``), the patient's payment (an extension) and a drug line's NDC
(``item.detail`` with the NDC as ``productOrService``)."""

from __future__ import annotations

from typing import Any

from medbill._claim_details import Accident, AccidentCause, DrugIdentification, ServiceFacility
from medbill._encounter import Claim
from medbill._parties import Provider
from medbill.fhir import _systems as sys_
from medbill.fhir._parties import (
    address_from,
    address_to,
    code_in_quiet,
    identifier,
    identifier_value,
    provider_to,
)
from medbill.fhir._reader import Node, build, code_in, concept, extension, fail, money, single_code
from medbill.fhir._references import Resolver

__all__ = ["details_from", "details_to"]

_INFO = "http://terminology.hl7.org/CodeSystem/claiminformationcategory"
_NDC = "http://hl7.org/fhir/sid/ndc"
_DRUG_UNIT = sys_.medbill_system("x12-drug-unit")
_ROLE = sys_.medbill_system("care-team-role")
_CAUSE = {AccidentCause.AUTO: "MVA", AccidentCause.EMPLOYMENT: "WPA"}  # v3-ActCode
_CAUSE_BY_CODE = {code: cause for cause, code in _CAUSE.items()}


def _member(sequence: int, reference: str, system: str, role: str) -> dict[str, Any]:
    return {
        "sequence": sequence,
        "provider": {"reference": reference},
        "role": concept(system, role),
    }


def details_to(claim: Claim, resource: dict[str, Any]) -> None:
    """Add the claim's details to the Claim ``resource`` written by ``claim_to``."""
    contained: list[dict[str, Any]] = resource["contained"]
    team: list[dict[str, Any]] = resource.setdefault("careTeam", [])

    def add(provider: Provider, name: str, system: str, role: str) -> int:
        found = provider_to(provider)
        found["id"] = name
        contained.append(found)
        team.append(_member(len(team) + 1, f"#{name}", system, role))
        return len(team)

    if claim.referring_provider is not None:
        add(claim.referring_provider, "referring", sys_.C4BB_CARE_TEAM_ROLE, "referring")
    for index, line in enumerate(claim.lines):
        item = resource["item"][index]
        for provider, role, system in (
            (line.referring_provider, "referring", sys_.C4BB_CARE_TEAM_ROLE),
            (line.ordering_provider, "ordering", _ROLE),
        ):
            if provider is not None:
                sequence = add(provider, f"line{index + 1}-{role}", system, role)
                item.setdefault("careTeamSequence", []).append(sequence)
        if line.drug is not None:
            item["detail"] = [_drug_to(line.drug)]
    if not team:
        del resource["careTeam"]
    if claim.service_facility is not None:
        facility = claim.service_facility
        location: dict[str, Any] = {
            "resourceType": "Location",
            "id": "facility",
            "name": facility.name,
        }
        if facility.npi is not None:
            location["identifier"] = [identifier(sys_.NPI, str(facility.npi), "NPI")]
        location["address"] = address_to(facility.address)
        contained.append(location)
        resource["facility"] = {"reference": "#facility"}
    if claim.referral_number is not None:
        resource["referral"] = {"identifier": {"value": claim.referral_number}}
    info: list[dict[str, Any]] = []
    if claim.note is not None:
        info.append(
            {
                "sequence": len(info) + 1,
                "category": concept(_INFO, "info"),
                "valueString": claim.note,
            }
        )
    if claim.onset_date is not None:
        info.append({"sequence": len(info) + 1, "category": concept(_INFO, "onset"),
                     "timingDate": claim.onset_date.to_date_string()})  # fmt: skip
    if info:
        resource["supportingInfo"] = info
    if claim.accident is not None:
        accident: dict[str, Any] = {"date": claim.accident.date.to_date_string()}
        if claim.accident.cause in _CAUSE:
            accident["type"] = concept(sys_.ACT_CODE, _CAUSE[claim.accident.cause])
        if claim.accident.state is not None:
            accident["locationAddress"] = {"state": claim.accident.state}
        resource["accident"] = accident
    if claim.patient_paid is not None:
        resource["extension"].append(extension("patient-paid", "Money", money(claim.patient_paid)))


def _drug_to(drug: DrugIdentification) -> dict[str, Any]:
    return {
        "sequence": 1,
        "productOrService": concept(_NDC, drug.ndc),
        "quantity": {"value": drug.quantity, "unit": drug.unit.value, "system": _DRUG_UNIT,
                     "code": drug.unit.value},
    }  # fmt: skip


def _role(member: Node) -> str | None:
    raw = member.data.get("role")
    return (
        code_in_quiet(raw, sys_.C4BB_CARE_TEAM_ROLE)
        or code_in_quiet(raw, sys_.CARE_TEAM_ROLE)
        or code_in_quiet(raw, _ROLE)
    )


def details_from(
    node: Node, resolver: Resolver, items: list[Node], rendering_sequence: int | None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The claim's and each line's detail fields read from a FHIR Claim."""
    referenced = {s for item in items for s in item.data.get("careTeamSequence") or []}
    team: dict[int, tuple[str, Provider]] = {}
    claim: dict[str, Any] = {}
    for member in node.nodes("careTeam"):
        role, sequence = _role(member), member.data.get("sequence")
        if role not in ("referring", "ordering") or not isinstance(sequence, int):
            continue
        member.use("sequence", "role")
        provider = resolver.provider(member.required_node("provider", f"the {role} provider"))
        if sequence in referenced:
            team[sequence] = (role, provider)
        elif role == "referring" and "referring_provider" not in claim:
            claim["referring_provider"] = provider
        else:
            raise fail(
                member.path, role, "an ordering provider belongs to a line (item.careTeamSequence)"
            )
    lines: list[dict[str, Any]] = []
    for item in items:
        fields: dict[str, Any] = {}
        sequences = item.data.get("careTeamSequence") or []
        known = all(s == rendering_sequence or s in team for s in sequences)
        if sequences and known:
            item.use("careTeamSequence")
            for sequence in sequences:
                if sequence in team:
                    role, provider = team[sequence]
                    fields[f"{role}_provider"] = provider
        details = item.nodes("detail")
        if details:
            fields["drug"] = _drug_from(details[0])
        lines.append(fields)
    facility = node.node("facility")
    if facility is not None:
        claim["service_facility"] = _facility_from(facility, resolver)
    referral = node.node("referral")
    if referral is not None and referral.node("identifier") is not None:
        logical = referral.required_node("identifier", "the referral number")
        logical.use("system")
        claim["referral_number"] = logical.string("value")
    for info in node.nodes("supportingInfo"):
        category = code_in_quiet(info.data.get("category"), _INFO)
        if category == "info" and "note" not in claim:
            info.use("sequence", "category")
            claim["note"] = info.string("valueString")
        elif category == "onset" and "onset_date" not in claim:
            info.use("sequence", "category")
            claim["onset_date"] = info.date("timingDate")
    accident = node.node("accident")
    if accident is not None:
        claim["accident"] = _accident_from(accident)
    paid = node.extension(sys_.extension_url("patient-paid"))
    if paid is not None:
        claim["patient_paid"] = paid.money("valueMoney")
    return claim, lines


def _drug_from(detail: Node) -> DrugIdentification:
    detail.use("sequence")
    product = detail.required_node("productOrService", "the NDC")
    product.use("text")
    ndc = single_code(product, {_NDC: str}, "National Drug Codes")
    quantity = detail.required_node("quantity", "the drug quantity")
    quantity.use("unit", "system")
    return build(
        DrugIdentification,
        {"ndc": product.path, "quantity": quantity.at("value"), "unit": quantity.at("code")},
        ndc=ndc, quantity=quantity.decimal("value"), unit=quantity.string("code"),
    )  # fmt: skip


def _facility_from(reference: Node, resolver: Resolver) -> ServiceFacility:
    target = resolver.resolve(reference, {"Location"})
    if target is None:
        raise resolver.dangling(reference)
    target.use("resourceType", "id")
    address = target.required_node("address", "the service facility's address")
    return build(
        ServiceFacility,
        {"name": target.at("name"), "npi": target.at("identifier")},
        name=target.string("name") or "",
        address=address_from(address),
        npi=identifier_value(target, sys_.NPI, "NPI"),
    )


def _accident_from(node: Node) -> Accident:
    kind = node.node("type")
    cause = AccidentCause.OTHER
    if kind is not None:
        code = code_in(kind, sys_.ACT_CODE)
        kind.use("text")
        cause = _CAUSE_BY_CODE.get(code or "", AccidentCause.OTHER)
    place = node.node("locationAddress")
    state = None if place is None else place.string("state")
    day = node.date("date")
    if day is None:
        raise fail(node.at("date"), None, "is required by medbill (the accident date, DTP*439)")
    return build(
        Accident, {"state": node.at("locationAddress.state")}, cause=cause, date=day, state=state
    )
