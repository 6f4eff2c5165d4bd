"""Claim <-> FHIR Claim, and Encounter <-> a Bundle of Encounter, Condition and ChargeItem.

Element choices follow the 837P: ``productOrService`` carries SV101-2 (CPT or HCPCS),
``modifier`` SV101-3..6, ``quantity`` SV104, ``net`` SV102, ``diagnosisSequence`` the
SV107 pointers, ``locationCodeableConcept`` SV105 (CLM05-1 at claim level, kept in an
extension), ``related`` with relationship ``prior`` CLM05-3 frequency 7 and 8 with the
payer's claim control number (REF*F8), and ``insurance.preAuthRef`` REF*G1.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pendulum

from medbill._common import Period
from medbill._encounter import Claim, ClaimFrequency, ClaimLine, Encounter, ServiceLine
from medbill._errors import ValidationError
from medbill._parties import Coverage, Patient, Provider, Subscriber
from medbill.codes import Icd10Cm, Modifier, PlaceOfService, ProcedureCode, ProcedureKind
from medbill.fhir import _systems as sys_
from medbill.fhir._claim_details import details_from, details_to
from medbill.fhir._parties import (
    address_to,
    code_in_quiet,
    coverage_from,
    coverage_to,
    human_name,
    identifier,
    patient_to,
    payer_to,
    provider_to,
    resource_id,
    with_id,
)
from medbill.fhir._reader import (
    Node,
    build,
    code_in,
    concept,
    extension,
    fail,
    fhir_id,
    money,
    single_code,
)
from medbill.fhir._references import Resolver

__all__ = [
    "claim_from",
    "claim_to",
    "coverage_resource",
    "encounter_bundle_from",
    "encounter_to",
    "procedure_concept",
    "procedure_from",
    "modifier_concept",
    "modifier_from",
]

_PCN = sys_.medbill_system("patient-control-number")
_ENCOUNTER_ID = sys_.medbill_system("encounter-id")
_GENDER = {"F": "female", "M": "male", "U": "unknown"}
_CENT = Decimal("0.01")


# --- codes -------------------------------------------------------------------------------


def procedure_concept(code: ProcedureCode) -> dict[str, Any]:
    """``productOrService``: CPT for CPT codes, HCPCS for HCPCS Level II."""
    system = sys_.HCPCS if code.kind is ProcedureKind.HCPCS_LEVEL_II else sys_.CPT
    return concept(system, str(code))


def _cpt(value: str) -> ProcedureCode:
    code = ProcedureCode(value)
    if code.kind is ProcedureKind.HCPCS_LEVEL_II:
        raise ValidationError("code", value, "is a HCPCS Level II code under the CPT system")
    return code


def _hcpcs(value: str) -> ProcedureCode:
    code = ProcedureCode(value)
    if code.kind is not ProcedureKind.HCPCS_LEVEL_II:
        raise ValidationError("code", value, "is a CPT code under the HCPCS system")
    return code


_PROCEDURE_SYSTEMS = {sys_.CPT: _cpt, **dict.fromkeys(sys_.HCPCS_ALIASES, _hcpcs)}
_MODIFIER_SYSTEMS = {sys_.CPT: Modifier, **dict.fromkeys(sys_.HCPCS_ALIASES, Modifier)}


def procedure_from(concept_node: Node) -> ProcedureCode:
    """A CPT or HCPCS code from ``productOrService``; anything else is refused."""
    concept_node.use("text")
    return single_code(concept_node, _PROCEDURE_SYSTEMS, "CPT/HCPCS procedure codes")


def modifier_concept(modifier: Modifier) -> dict[str, Any]:
    """A modifier: CPT for the two-digit ones, HCPCS Level II for the others."""
    system = sys_.CPT if str(modifier).isdigit() else sys_.HCPCS
    return concept(system, str(modifier))


def modifier_from(concept_node: Node) -> Modifier:
    """A CPT or HCPCS modifier; anything else is refused."""
    concept_node.use("text")
    return single_code(concept_node, _MODIFIER_SYSTEMS, "CPT/HCPCS modifiers")


def _pos_concept(pos: PlaceOfService) -> dict[str, Any]:
    return concept(sys_.PLACE_OF_SERVICE, str(pos), pos.name)


def _pos_from(concept_node: Node) -> PlaceOfService:
    concept_node.use("text")
    return single_code(
        concept_node, {sys_.PLACE_OF_SERVICE: PlaceOfService}, "CMS places of service"
    )


def _diagnosis_from(concept_node: Node) -> Icd10Cm:
    concept_node.use("text")
    return single_code(concept_node, {sys_.ICD10CM: Icd10Cm}, "ICD-10-CM diagnoses")


def _reference(kind: str, value: str, system: str) -> dict[str, Any]:
    fid = fhir_id(value)
    if fid is not None:
        return {"reference": f"{kind}/{fid}"}
    return {"identifier": {"system": system, "value": value}}


def _reference_id(node: Node, kind: str, system: str) -> str:
    node.use("display", "type")
    logical = node.node("identifier")
    if logical is not None and logical.data.get("system") == system:
        logical.use_all()
        return str(logical.data.get("value"))
    text = node.string("reference")
    if text is not None and text.startswith(f"{kind}/"):
        return text.split("/")[-1]
    raise fail(node.path, text, f"medbill needs a reference to an {kind}")


# --- contained parties -------------------------------------------------------------------


def subscriber_to(subscriber: Subscriber, patient_ref: dict[str, Any]) -> dict[str, Any]:
    """The subscriber as a RelatedPerson of the patient."""
    resource: dict[str, Any] = {
        "resourceType": "RelatedPerson",
        "id": "subscriber",
        "patient": patient_ref,
    }
    resource["name"] = [human_name(subscriber.name)]
    if subscriber.sex is not None:
        resource["gender"] = _GENDER[subscriber.sex.value]
    if subscriber.birth_date is not None:
        resource["birthDate"] = subscriber.birth_date.to_date_string()
    if subscriber.address is not None:
        resource["address"] = [address_to(subscriber.address)]
    return resource


def coverage_resource(coverage: Coverage, patient_ref: dict[str, Any]) -> dict[str, Any]:
    """A Coverage with its payer (and subscriber) contained: stands alone."""
    payer = payer_to(coverage.payer)
    payer["id"] = "payer"
    contained = [payer]
    subscriber = None
    if coverage.subscriber is not None:
        contained.append(subscriber_to(coverage.subscriber, patient_ref))
        subscriber = {"reference": "#subscriber"}
    resource = coverage_to(coverage, "#payer", patient_ref, subscriber)
    resource["contained"] = contained
    return resource


def _self_pay(patient_ref: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Coverage",
        "id": "coverage",
        "status": "active",
        "type": concept(sys_.SELF_PAY, "pay", "PAY"),
        "beneficiary": patient_ref,
        "payor": [patient_ref],
    }


# --- Claim -------------------------------------------------------------------------------


def claim_to(claim: Claim, created: pendulum.Date | None = None) -> dict[str, Any]:
    """A FHIR Claim holding its patient, coverage, payer and providers as contained resources."""
    patient_ref = {"reference": "#patient"}
    patient = patient_to(claim.patient)
    patient["id"] = "patient"
    contained: list[dict[str, Any]] = [patient]
    if claim.coverage is not None:
        payer = payer_to(claim.coverage.payer)
        payer["id"] = "payer"
        contained.append(payer)
        subscriber = None
        if claim.coverage.subscriber is not None:
            contained.append(subscriber_to(claim.coverage.subscriber, patient_ref))
            subscriber = {"reference": "#subscriber"}
        coverage = coverage_to(claim.coverage, "#payer", patient_ref, subscriber)
        coverage["id"] = "coverage"
        contained.append(coverage)
    else:
        contained.append(_self_pay(patient_ref))
    billing = provider_to(claim.billing_provider)
    billing["id"] = "billing"
    contained.append(billing)
    if claim.rendering_provider is not None:
        rendering = provider_to(claim.rendering_provider)
        rendering["id"] = "rendering"
        contained.append(rendering)
    first, last = claim.service_dates
    resource: dict[str, Any] = with_id({"resourceType": "Claim"}, claim.id)
    resource["contained"] = contained
    resource["extension"] = [
        extension("place-of-service", "CodeableConcept", _pos_concept(claim.place_of_service))
    ]
    resource["identifier"] = [identifier(_PCN, claim.id)]
    resource["status"] = "cancelled" if claim.frequency is ClaimFrequency.VOID else "active"
    resource["type"] = concept(sys_.CLAIM_TYPE, "professional", "Professional")
    resource["use"] = "claim"
    resource["patient"] = patient_ref
    resource["billablePeriod"] = {"start": first.to_date_string(), "end": last.to_date_string()}
    resource["created"] = (created or last).to_date_string()
    if claim.coverage is not None:
        resource["insurer"] = {"reference": "#payer"}
    resource["provider"] = {"reference": "#billing"}
    resource["priority"] = concept(sys_.PROCESS_PRIORITY, "normal")
    if claim.frequency is not ClaimFrequency.ORIGINAL and claim.original_claim_reference:
        resource["related"] = [
            {
                "relationship": concept(sys_.RELATED_CLAIM, "prior"),
                "reference": {"value": claim.original_claim_reference},
            }
        ]
    if claim.rendering_provider is not None:
        resource["careTeam"] = [
            {
                "sequence": 1,
                "provider": {"reference": "#rendering"},
                "role": concept(sys_.C4BB_CARE_TEAM_ROLE, "performing"),
            }
        ]
    resource["diagnosis"] = [
        {"sequence": n, "diagnosisCodeableConcept": concept(sys_.ICD10CM, str(code))}
        for n, code in enumerate(claim.diagnoses, start=1)
    ]
    insurance: dict[str, Any] = {
        "sequence": 1,
        "focal": True,
        "coverage": {"reference": "#coverage"},
    }
    if claim.prior_authorization is not None:
        insurance["preAuthRef"] = [claim.prior_authorization]
    resource["insurance"] = [insurance]
    resource["item"] = [_item_to(claim, line, n) for n, line in enumerate(claim.lines, start=1)]
    resource["total"] = money(claim.total_charge)
    details_to(claim, resource)
    return resource


def _unit_price(charge: Decimal, units: Decimal) -> Decimal | None:
    unit = (charge / units).quantize(_CENT)
    return unit if unit * units == charge else None


def _item_to(claim: Claim, line: ClaimLine, sequence: int) -> dict[str, Any]:
    item: dict[str, Any] = {}
    extensions = []
    if line.line_id != str(sequence):
        extensions.append(extension("line-item-control-number", "String", line.line_id))
    if line.minutes is not None:
        extensions.append(extension("minutes", "Integer", line.minutes))
    if extensions:
        item["extension"] = extensions
    item["sequence"] = sequence
    if claim.rendering_provider is not None:
        item["careTeamSequence"] = [1]
    item["diagnosisSequence"] = list(line.diagnosis_pointers)
    item["productOrService"] = procedure_concept(line.procedure)
    if line.modifiers:
        item["modifier"] = [modifier_concept(m) for m in line.modifiers]
    if line.service_period is None:
        item["servicedDate"] = line.service_date.to_date_string()
    else:
        item["servicedPeriod"] = {"start": line.service_date.to_date_string(),
                                  "end": line.last_service_date.to_date_string()}  # fmt: skip
    item["locationCodeableConcept"] = _pos_concept(line.place_of_service or claim.place_of_service)
    item["quantity"] = {"value": line.units}
    unit = _unit_price(line.charge, line.units)
    if unit is not None:
        item["unitPrice"] = money(unit)
    item["net"] = money(line.charge)
    if claim.encounter_id is not None:
        item["encounter"] = [_reference("Encounter", claim.encounter_id, _ENCOUNTER_ID)]
    return item


def claim_from(node: Node, resolver: Resolver) -> Claim:
    """A medbill Claim from a FHIR Claim (a professional claim, use ``claim``)."""
    node.use("resourceType", "contained", "billablePeriod")
    kind = node.required_node("type", "the claim type")
    claim_type = code_in(kind, sys_.CLAIM_TYPE)
    kind.use("text")
    if claim_type != "professional":
        raise fail(kind.path, claim_type, "medbill models professional claims (837P) only")
    use = node.string("use")
    if use not in (None, "claim"):
        raise fail(
            node.at("use"), use, "medbill models claims, not preauthorizations or predeterminations"
        )
    status = node.string("status")
    if status == "entered-in-error":
        raise fail(node.at("status"), status, "a claim entered in error is not a claim")
    claim_id = resource_id(node, _PCN)
    patient = resolver.patient(node.required_node("patient", "the patient"))
    coverage, prior_auth = _insurance_from(node, resolver, patient)
    if coverage is not None:
        node.use("insurer")
    billing = resolver.provider(node.required_node("provider", "the billing provider"))
    rendering, rendering_sequence = _rendering_from(node, resolver)
    frequency, original = _frequency_from(node, status)
    diagnoses, positions = _diagnoses_from(node, resolver)
    items = node.nodes("item")
    if not items:
        raise fail(node.at("item"), None, "is required by medbill (at least one service line)")
    claim_pos = _claim_pos(node, items)
    details, line_details = details_from(node, resolver, items, rendering_sequence)
    lines, encounters = [], set()
    for item, more in zip(items, line_details, strict=True):
        line, encounter = _item_from(item, claim_pos, positions, more)
        lines.append(line)
        if encounter is not None:
            encounters.add(encounter)
    if len(encounters) > 1:
        raise fail(node.at("item"), sorted(encounters), "medbill keeps one encounter per claim")
    total = node.money("total")
    fields = {
        "id": claim_id or "", "patient": patient, "coverage": coverage, "billing_provider": billing,
        "rendering_provider": rendering, "place_of_service": claim_pos, "diagnoses": diagnoses,
        "lines": lines, "frequency": frequency, "original_claim_reference": original,
        "encounter_id": next(iter(encounters), None), "prior_authorization": prior_auth,
        **details,
    }  # fmt: skip
    if total is not None:
        fields["total_charge"] = total
    return build(
        Claim,
        {"id": node.at("id"), "total_charge": node.at("total"), "diagnoses": node.at("diagnosis"),
         "lines": node.at("item"), "original_claim_reference": node.at("related"),
         "coverage": node.at("insurance")},
        **fields,
    )  # fmt: skip


def _insurance_from(
    node: Node, resolver: Resolver, patient: Patient
) -> tuple[Coverage | None, str | None]:
    insurances = node.nodes("insurance")
    if not insurances:
        raise fail(node.at("insurance"), None, "is required by medbill (the coverage billed)")
    focal = [i for i in insurances if i.data.get("focal") is True] or insurances[:1]
    if len(focal) > 1:
        raise fail(focal[1].at("focal"), True, "medbill bills one coverage per claim")
    chosen = focal[0]
    chosen.use("sequence", "focal")
    reference = chosen.required_node("coverage", "the coverage billed")
    target = resolver.resolve(reference, {"Coverage"})
    if target is None:
        raise resolver.dangling(reference)
    same = target.data.get("beneficiary") == node.data.get("patient")
    coverage = resolver.entity(
        target, lambda n: coverage_from(n, resolver, patient.id if same else None)
    )
    refs = chosen.strings("preAuthRef")
    if len(refs) > 1:
        raise fail(chosen.at("preAuthRef"), refs, "medbill keeps one prior authorization per claim")
    return coverage, (refs[0] if refs else None)


def _rendering_from(node: Node, resolver: Resolver) -> tuple[Provider | None, int | None]:
    for member in node.nodes("careTeam"):
        role = member.node("role")
        code = code_in_quiet(
            role.data if role else None, sys_.C4BB_CARE_TEAM_ROLE
        ) or code_in_quiet(role.data if role else None, sys_.CARE_TEAM_ROLE)
        if code in ("performing", "rendering", "primary"):
            member.use("sequence", "role", "responsible")
            provider = resolver.provider(member.required_node("provider", "the rendering provider"))
            return provider, member.data.get("sequence")
    return None, None


def _frequency_from(node: Node, status: str | None) -> tuple[ClaimFrequency, str | None]:
    related = [
        r for r in node.nodes("related")
        if code_in_quiet(r.data.get("relationship"), sys_.RELATED_CLAIM) == "prior"
    ]  # fmt: skip
    if not related:
        if status == "cancelled":
            raise fail(
                node.at("related"), None, "a cancelled (void) claim must name the prior claim"
            )
        return ClaimFrequency.ORIGINAL, None
    prior = related[0]
    prior.use("relationship")
    reference = prior.node("reference")
    original = None if reference is None else reference.string("value")
    if reference is not None:
        reference.use("system", "type")
    if original is None:
        raise fail(
            prior.at("reference.value"),
            None,
            "medbill needs the payer's claim number of the prior claim",
        )
    return (ClaimFrequency.VOID if status == "cancelled" else ClaimFrequency.REPLACEMENT), original


def _diagnoses_from(node: Node, resolver: Resolver) -> tuple[list[Icd10Cm], dict[int, int]]:
    entries = node.nodes("diagnosis")
    if not entries:
        raise fail(node.at("diagnosis"), None, "is required by medbill (at least one diagnosis)")
    ordered = sorted(entries, key=lambda e: e.data.get("sequence") or 0)
    codes: list[Icd10Cm] = []
    positions: dict[int, int] = {}
    for position, entry in enumerate(ordered, start=1):
        sequence = entry.value("sequence")
        positions[sequence] = position
        cc = entry.node("diagnosisCodeableConcept")
        if cc is not None:
            codes.append(_diagnosis_from(cc))
            continue
        reference = entry.required_node("diagnosisReference", "the diagnosis code")
        codes.append(_condition_code(reference, resolver))
    return codes, positions


def _condition_code(reference: Node, resolver: Resolver) -> Icd10Cm:
    """The ICD-10-CM code of the Condition a diagnosis reference points at."""
    condition = resolver.resolve(reference, {"Condition"})
    if condition is None:
        raise resolver.dangling(reference)
    condition.use("resourceType", "id", "subject", "encounter", "category")
    return _diagnosis_from(condition.required_node("code", "the diagnosis code"))


def _claim_pos(node: Node, items: list[Node]) -> PlaceOfService:
    found = node.extension(sys_.extension_url("place-of-service"))
    if found is not None:
        return _pos_from(found.required_node("valueCodeableConcept", "the place of service"))
    first = items[0].node("locationCodeableConcept")
    if first is None:
        raise fail(
            items[0].at("locationCodeableConcept"),
            None,
            "is required by medbill (the place of service)",
        )
    return _pos_from(first)


def _item_from(
    item: Node, claim_pos: PlaceOfService, positions: dict[int, int], more: dict[str, Any]
) -> tuple[ClaimLine, str | None]:
    sequence = item.value("sequence")
    line_id = item.extension_value("line-item-control-number", "String") or str(sequence)
    minutes = item.extension_value("minutes", "Integer")
    procedure = procedure_from(item.required_node("productOrService", "the procedure code"))
    modifiers = [modifier_from(m) for m in item.nodes("modifier")]
    units = Decimal(1)
    quantity = item.node("quantity")
    if quantity is not None:
        quantity.use("unit", "system", "code")
        units = quantity.decimal("value") or units
    charge = _charge(item, units)
    start, end = _serviced(item)
    period = None if end is None else build(
        Period, {"start": item.at("servicedPeriod.start"), "end": item.at("servicedPeriod.end")},
        start=start, end=end,
    )  # fmt: skip
    pos = None
    location = item.node("locationCodeableConcept")
    if location is not None:
        found = _pos_from(location)
        pos = None if found == claim_pos else found
    pointers = []
    for pointer in item.value("diagnosisSequence") or []:
        if pointer not in positions:
            raise fail(
                item.at("diagnosisSequence"), pointer, "points at no Claim.diagnosis sequence"
            )
        pointers.append(positions[pointer])
    encounter = None
    references = item.nodes("encounter")
    if references:
        found_ids = {_reference_id(r, "Encounter", _ENCOUNTER_ID) for r in references}
        if len(found_ids) > 1:
            raise fail(
                item.at("encounter"), sorted(found_ids), "medbill keeps one encounter per line"
            )
        encounter = found_ids.pop()
    line = build(
        ClaimLine,
        {"line_id": item.at("sequence"), "procedure": item.at("productOrService"),
         "charge": item.at("net"), "diagnosis_pointers": item.at("diagnosisSequence"),
         "service_date": item.at("servicedDate"), "service_period": item.at("servicedPeriod"),
         "modifiers": item.at("modifier"), "units": item.at("quantity.value"),
         "minutes": item.at("extension"), "place_of_service": item.at("locationCodeableConcept")},
        line_id=line_id, procedure=procedure, charge=charge, diagnosis_pointers=pointers,
        service_date=start, service_period=period, modifiers=modifiers, units=units,
        minutes=minutes, place_of_service=pos, **more,
    )  # fmt: skip
    return line, encounter


def _charge(item: Node, units: Decimal) -> Decimal:
    net = item.money("net")
    unit_price = item.money("unitPrice")
    factor = item.decimal("factor")
    if unit_price is not None:
        expected = unit_price * units * (factor if factor is not None else 1)
        if net is None:
            net = expected
        elif expected != net:
            raise fail(item.at("net"), net, f"is not quantity × unitPrice × factor ({expected})")
    elif factor is not None and net is None:
        raise fail(item.at("unitPrice"), None, "is required with factor")
    if net is None:
        raise fail(item.at("net"), None, "is required by medbill (the line charge)")
    return net


def _serviced(item: Node) -> tuple[pendulum.Date, pendulum.Date | None]:
    day = item.date("servicedDate")
    if day is not None:
        return day, None
    period = item.node("servicedPeriod")
    if period is None:
        raise fail(item.at("servicedDate"), None, "is required by medbill (the date of service)")
    start = period.date("start")
    if start is None:
        raise fail(period.at("start"), None, "is required by medbill (the first date of service)")
    end = period.date("end")
    return start, (None if end == start else end)


# --- Encounter ---------------------------------------------------------------------------


def encounter_to(encounter: Encounter) -> list[dict[str, Any]]:
    """The Encounter with its Conditions, ChargeItems, Location and providers (in order,
    Encounter first), referring to each other by ``Type/id``."""
    base = fhir_id(encounter.id) or "encounter"
    subject = {
        "identifier": {"system": sys_.medbill_system("patient-id"), "value": encounter.patient_id}
    }
    encounter_ref = {"reference": f"Encounter/{base}"}
    rendering = provider_to(encounter.rendering_provider)
    rendering["id"] = f"{base}-rendering"
    billing = provider_to(encounter.billing_provider)
    billing["id"] = f"{base}-billing"
    location = {
        "resourceType": "Location",
        "id": f"{base}-location",
        "type": [_pos_concept(encounter.place_of_service)],
    }
    conditions = [
        {
            "resourceType": "Condition",
            "id": f"{base}-dx{n}",
            "category": [concept(sys_.CONDITION_CATEGORY, "encounter-diagnosis")],
            "code": concept(sys_.ICD10CM, str(code)),
            "subject": subject,
            "encounter": encounter_ref,
        }
        for n, code in enumerate(encounter.diagnoses, start=1)
    ]
    day = encounter.service_date.to_date_string()
    charges = []
    for n, line in enumerate(encounter.lines, start=1):
        charge: dict[str, Any] = {"resourceType": "ChargeItem", "id": f"{base}-line{n}"}
        extensions = [
            extension("modifier", "CodeableConcept", modifier_concept(m)) for m in line.modifiers
        ]
        if line.minutes is not None:
            extensions.append(extension("minutes", "Integer", line.minutes))
        if extensions:
            charge["extension"] = extensions
        charge.update(
            {
                "status": "billable",
                "code": procedure_concept(line.procedure),
                "subject": subject,
                "context": encounter_ref,
                "occurrenceDateTime": day,
                "quantity": {"value": line.units},
                "priceOverride": money(line.charge),
                "reason": [
                    concept(sys_.ICD10CM, str(encounter.diagnoses[p - 1]))
                    for p in line.diagnosis_pointers
                ],
            }
        )
        charges.append(charge)
    resource: dict[str, Any] = {
        "resourceType": "Encounter",
        "id": base,
        "identifier": [identifier(_ENCOUNTER_ID, encounter.id)],
        "status": "finished",
        "class": {"system": sys_.ACT_CODE, "code": "AMB", "display": "ambulatory"},
        "subject": subject,
        "participant": [
            {"type": [concept(sys_.PARTICIPATION_TYPE, "PPRF", "primary performer")],
             "individual": {"reference": f"{rendering['resourceType']}/{rendering['id']}"}},
            {"type": [concept(sys_.medbill_system("participant-type"), "billing")],
             "individual": {"reference": f"{billing['resourceType']}/{billing['id']}"}},
        ],
        "period": {"start": day, "end": day},
        "diagnosis": [
            {"condition": {"reference": f"Condition/{c['id']}"}, "rank": n}
            for n, c in enumerate(conditions, start=1)
        ],
        "location": [{"location": {"reference": f"Location/{location['id']}"}}],
    }  # fmt: skip
    return [resource, *conditions, *charges, location, rendering, billing]


def encounter_bundle_from(node: Node, resolver: Resolver, entries: list[Node]) -> Encounter:
    """A medbill Encounter from a FHIR Encounter and the Bundle's ChargeItems for it."""
    node.use("resourceType", "status", "class")
    encounter_id = resource_id(node, _ENCOUNTER_ID)
    patient_id = resolver.patient_id(node.required_node("subject", "the patient"))
    rendering = billing = None
    for participant in node.nodes("participant"):
        types = participant.nodes("type")
        codes = {code_in_quiet(t.data, sys_.PARTICIPATION_TYPE) for t in types} | {
            code_in_quiet(t.data, sys_.medbill_system("participant-type")) for t in types
        }
        reference = participant.node("individual")
        if reference is None:
            continue
        if "billing" in codes and billing is None:
            participant.use("type")
            billing = resolver.provider(reference)
        elif ("PPRF" in codes or "ATND" in codes) and rendering is None:
            participant.use("type")
            rendering = resolver.provider(reference)
    if rendering is None:
        raise fail(node.at("participant"), None, "medbill needs the rendering provider (type PPRF)")
    if billing is None:
        provider = node.node("serviceProvider")
        if provider is None:
            raise fail(node.at("serviceProvider"), None, "medbill needs the billing provider")
        billing = resolver.provider(provider)
    period = node.required_node("period", "the date of service")
    day = period.date("start")
    if day is None:
        raise fail(period.at("start"), None, "is required by medbill (the date of service)")
    period.use("end")
    pos = _encounter_pos(node, resolver)
    diagnoses = []
    for entry in sorted(node.nodes("diagnosis"), key=lambda d: d.data.get("rank") or 0):
        entry.use("rank", "use")
        diagnoses.append(
            _condition_code(entry.required_node("condition", "the diagnosis"), resolver)
        )
    lines = [_charge_item_from(c, diagnoses) for c in entries]
    if not lines:
        raise fail(
            "Bundle.entry", None, "medbill needs the encounter's ChargeItems (its service lines)"
        )
    return build(
        Encounter,
        {"id": node.at("id"), "diagnoses": node.at("diagnosis"), "lines": "Bundle.entry"},
        id=encounter_id or "", patient_id=patient_id, service_date=day, place_of_service=pos,
        rendering_provider=rendering, billing_provider=billing, diagnoses=diagnoses, lines=lines,
    )  # fmt: skip


def _encounter_pos(node: Node, resolver: Resolver) -> PlaceOfService:
    for place in node.nodes("location"):
        reference = place.node("location")
        if reference is None:
            continue
        location = resolver.resolve(reference, {"Location"})
        if location is None:
            continue
        for kind in location.nodes("type"):
            if code_in_quiet(kind.data, sys_.PLACE_OF_SERVICE) is not None:
                location.use("resourceType", "id")
                return _pos_from(kind)
    raise fail(
        node.at("location"),
        None,
        "medbill needs the place of service (a Location typed with a CMS POS code)",
    )


def _charge_item_from(node: Node, diagnoses: list[Icd10Cm]) -> ServiceLine:
    node.use("resourceType", "id", "status", "subject", "context", "occurrenceDateTime")
    procedure = procedure_from(node.required_node("code", "the procedure code"))
    modifiers = [modifier_from(e.required_node("valueCodeableConcept", "the modifier"))
                 for e in node.extensions(sys_.extension_url("modifier"))]  # fmt: skip
    minutes = node.extension_value("minutes", "Integer")
    units = Decimal(1)
    quantity = node.node("quantity")
    if quantity is not None:
        quantity.use("unit", "system", "code")
        units = quantity.decimal("value") or units
    charge = node.money("priceOverride")
    if charge is None:
        raise fail(node.at("priceOverride"), None, "is required by medbill (the line charge)")
    pointers = []
    for reason in node.nodes("reason"):
        code = _diagnosis_from(reason)
        if code not in diagnoses:
            raise fail(reason.path, str(code), "is not one of the encounter's diagnoses")
        pointers.append(diagnoses.index(code) + 1)
    return build(
        ServiceLine,
        {"procedure": node.at("code"), "charge": node.at("priceOverride"),
         "diagnosis_pointers": node.at("reason"), "units": node.at("quantity"),
         "modifiers": node.at("extension")},
        procedure=procedure, charge=charge, diagnosis_pointers=pointers, modifiers=modifiers,
        units=units, minutes=minutes,
    )  # fmt: skip
