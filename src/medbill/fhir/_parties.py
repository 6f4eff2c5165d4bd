"""Patient, Payer (Organization), Provider (Practitioner, PractitionerRole, Organization) and
Coverage, both ways."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from medbill._common import Address, PersonName, Sex
from medbill._parties import (
    Accumulators,
    Benefits,
    Copay,
    Coverage,
    Patient,
    Payer,
    PayerKind,
    Priority,
    Provider,
    ProviderKind,
    Relationship,
    ServiceCategory,
    Subscriber,
)
from medbill.fhir import _systems as sys_
from medbill.fhir._reader import (
    Node,
    build,
    code_in,
    coding_in,
    concept,
    extension,
    fail,
    fhir_id,
    money,
)
from medbill.fhir._references import Resolver

__all__ = [
    "coverage_from",
    "coverage_to",
    "patient_from",
    "patient_to",
    "payer_from",
    "payer_to",
    "provider_from",
    "provider_to",
]

_GENDER = {Sex.FEMALE: "female", Sex.MALE: "male", Sex.UNKNOWN: "unknown"}
_SEX = {value: key for key, value in _GENDER.items()}

# PHDSC Source of Payment Typology (version 9): 1 Medicare, 11 Medicare managed care,
# 2 Medicaid, 311 TRICARE, 5 private health insurance, 81 self-pay, 95 workers'
# compensation, 96 auto insurance, 9 miscellaneous/other.
_TYPOLOGY = {
    PayerKind.MEDICARE: "1",
    PayerKind.MEDICARE_ADVANTAGE: "11",
    PayerKind.MEDICAID: "2",
    PayerKind.TRICARE: "311",
    PayerKind.COMMERCIAL: "5",
    PayerKind.SELF_PAY: "81",
    PayerKind.WORKERS_COMP: "95",
    PayerKind.AUTO: "96",
    PayerKind.OTHER: "9",
}
_KIND_BY_TYPOLOGY = sorted(((v, k) for k, v in _TYPOLOGY.items()), key=lambda p: -len(p[0]))

_RELATIONSHIP = {
    Relationship.SELF: "self",
    Relationship.SPOUSE: "spouse",
    Relationship.CHILD: "child",
    Relationship.OTHER: "other",
}
_RELATIONSHIP_BY_CODE = {value: key for key, value in _RELATIONSHIP.items()}

# HL7 coverage-copay-type codes for medbill's copay categories; the others use medbill's
# own service-category system.
_COPAY_TYPE = {
    ServiceCategory.OFFICE_VISIT: "gpvisit",
    ServiceCategory.SPECIALIST: "spvisit",
    ServiceCategory.EMERGENCY: "emergency",
    ServiceCategory.URGENT_CARE: "urgentcare",
    ServiceCategory.TELEHEALTH: "televisit",
}
_CATEGORY_BY_COPAY_TYPE = {value: key for key, value in _COPAY_TYPE.items()}
_SERVICE_CATEGORY = sys_.medbill_system("service-category")
_PAYER_ID = sys_.medbill_system("payer-id")
_X12_PAYER_ID = sys_.medbill_system("x12-payer-id")
_COVERAGE_ID = sys_.medbill_system("coverage-id")


# --- shared pieces -----------------------------------------------------------------------


def human_name(name: PersonName) -> dict[str, Any]:
    """A HumanName: given, then the middle name as a second given name."""
    found: dict[str, Any] = {"family": name.family, "given": [name.given]}
    if name.middle is not None:
        found["given"].append(name.middle)
    if name.suffix is not None:
        found["suffix"] = [name.suffix]
    return found


def _pick_name(node: Node) -> Node | None:
    names = node.nodes("name")
    for candidate in names:
        if candidate.data.get("use") in ("official", "usual"):
            return candidate
    usable = [n for n in names if n.data.get("use") not in ("old", "maiden", "nickname")]
    return usable[0] if usable else None


def person_name_from(name: Node) -> PersonName:
    """A PersonName from a HumanName (given[0] is the given name, the rest the middle)."""
    name.use("use")
    given = name.strings("given")
    suffix = name.strings("suffix")
    if len(suffix) > 1:
        raise fail(name.at("suffix"), suffix, "medbill keeps one suffix")
    return build(
        PersonName,
        {"family": name.at("family"), "given": name.at("given"), "suffix": name.at("suffix")},
        family=name.string("family") or "",
        given=given[0] if given else "",
        middle=" ".join(given[1:]) or None,
        suffix=suffix[0] if suffix else None,
    )


def address_to(address: Address) -> dict[str, Any]:
    """A FHIR Address (US)."""
    lines = [address.line1] + ([address.line2] if address.line2 else [])
    return {
        "line": lines,
        "city": address.city,
        "state": address.state,
        "postalCode": address.postal_code,
    }


def address_from(node: Node) -> Address:
    """An Address from a FHIR Address (US only, at most two lines)."""
    node.use("use", "type")
    lines = node.strings("line")
    if len(lines) > 2:
        raise fail(node.at("line"), lines, "medbill keeps two address lines", phi=True)
    country = node.string("country")
    if country not in (None, "US", "USA", "United States"):
        raise fail(node.at("country"), country, "medbill keeps US addresses only")
    return build(
        Address,
        {
            "line1": node.at("line[0]"),
            "line2": node.at("line[1]"),
            "city": node.at("city"),
            "state": node.at("state"),
            "postal_code": node.at("postalCode"),
        },
        line1=lines[0] if lines else "",
        line2=lines[1] if len(lines) > 1 else None,
        city=node.string("city") or "",
        state=node.string("state") or "",
        postal_code=node.string("postalCode") or "",
    )


def _first_address(node: Node) -> Address | None:
    found = [a for a in node.nodes("address") if a.data.get("use") in (None, "home", "work")]
    return address_from(found[0]) if found else None


def identifier_value(
    node: Node, system: str | None = None, type_code: str | None = None
) -> str | None:
    """The value of the first identifier with ``system`` or of type ``type_code``; used."""
    for identifier in node.nodes("identifier"):
        kind = code_in_quiet(identifier.data.get("type"), sys_.V2_IDENTIFIER_TYPE)
        if (system is not None and identifier.data.get("system") == system) or (
            type_code is not None and kind == type_code
        ):
            identifier.use_all()
            value = identifier.data.get("value")
            if not isinstance(value, str) or not value:
                raise fail(identifier.at("value"), value, "must be a non-empty string")
            return value
    return None


def _identifier_path(node: Node, system: str, type_code: str) -> str:
    for index, item in enumerate(node.data.get("identifier") or []):
        if isinstance(item, dict) and (
            item.get("system") == system
            or code_in_quiet(item.get("type"), sys_.V2_IDENTIFIER_TYPE) == type_code
        ):
            return node.at(f"identifier[{index}].value")
    return node.at("identifier")


def code_in_quiet(concept_json: Any, system: str) -> str | None:
    """The code in ``system`` of a raw CodeableConcept, without marking anything."""
    if not isinstance(concept_json, dict):
        return None
    for item in concept_json.get("coding") or []:
        if isinstance(item, dict) and item.get("system") == system:
            code = item.get("code")
            return code if isinstance(code, str) else None
    return None


def identifier(system: str, value: str, type_code: str | None = None) -> dict[str, Any]:
    """An Identifier, optionally typed with a v2-0203 code."""
    found: dict[str, Any] = {"system": system, "value": value}
    if type_code is not None:
        found["type"] = concept(sys_.V2_IDENTIFIER_TYPE, type_code)
    return found


def resource_id(node: Node, system: str | None, type_code: str | None = None) -> str | None:
    """The medbill id: the identifier in ``system`` (or of ``type_code``), else the resource id."""
    found = identifier_value(node, system, type_code)
    node.use("id")
    if found is not None:
        return found
    value = node.data.get("id")
    return value if isinstance(value, str) else None


def with_id(resource: dict[str, Any], value: str) -> dict[str, Any]:
    """``resource`` with ``id`` set when ``value`` is a valid FHIR id."""
    fid = fhir_id(value)
    if fid is not None:
        resource["id"] = fid
    return resource


# --- Patient -----------------------------------------------------------------------------


def patient_to(patient: Patient) -> dict[str, Any]:
    """A FHIR Patient: the medbill id as the MR identifier (and resource id when valid)."""
    resource: dict[str, Any] = with_id({"resourceType": "Patient"}, patient.id)
    resource["identifier"] = [identifier(sys_.medbill_system("patient-id"), patient.id, "MR")]
    resource["name"] = [human_name(patient.name)]
    telecom = []
    if patient.phone is not None:
        telecom.append({"system": "phone", "value": patient.phone})
    if patient.email is not None:
        telecom.append({"system": "email", "value": patient.email})
    if telecom:
        resource["telecom"] = telecom
    resource["gender"] = _GENDER[patient.sex]
    resource["birthDate"] = patient.birth_date.to_date_string()
    if patient.address is not None:
        resource["address"] = [address_to(patient.address)]
    return resource


def _telecom(node: Node, system: str) -> str | None:
    for contact in node.nodes("telecom"):
        if contact.data.get("system") == system:
            contact.use("system", "use", "rank")
            return contact.string("value")
    return None


def sex_from(node: Node) -> Sex | None:
    """Administrative gender as X12 DMG03 keeps it (female, male, unknown)."""
    gender = node.string("gender")
    if gender is None:
        return None
    if gender not in _SEX:
        raise fail(
            node.at("gender"),
            gender,
            "has no X12 administrative sex code; medbill keeps female, male and unknown",
        )
    return _SEX[gender]


def patient_from(node: Node) -> Patient:
    """A medbill Patient from a FHIR Patient."""
    node.use("resourceType", "active")
    patient_id = resource_id(node, None, "MR")
    name = _pick_name(node)
    if name is None:
        raise fail(node.at("name"), None, "is required by medbill (the patient's name)")
    sex = sex_from(node)
    if sex is None:
        raise fail(
            node.at("gender"), None, "is required by medbill (X12 DMG03; 'unknown' is accepted)"
        )
    return build(
        Patient,
        {"id": node.at("id"), "birth_date": node.at("birthDate"), "phone": node.at("telecom"),
         "email": node.at("telecom")},
        id=patient_id or "",
        name=person_name_from(name),
        birth_date=node.date("birthDate") or _missing(node, "birthDate", "the birth date"),
        sex=sex,
        address=_first_address(node),
        phone=_telecom(node, "phone"),
        email=_telecom(node, "email"),
    )  # fmt: skip


def _missing(node: Node, key: str, what: str) -> Any:
    raise fail(node.at(key), None, f"is required by medbill ({what})")


# --- Payer -------------------------------------------------------------------------------


def payer_to(payer: Payer) -> dict[str, Any]:
    """A FHIR Organization of type payer, with its Source of Payment Typology code."""
    resource: dict[str, Any] = with_id({"resourceType": "Organization"}, payer.id)
    identifiers = [identifier(_PAYER_ID, payer.id)]
    if payer.x12_payer_id is not None:
        identifiers.append(identifier(_X12_PAYER_ID, payer.x12_payer_id, "NIIP"))
    resource["identifier"] = identifiers
    resource["active"] = True
    resource["type"] = [
        concept(sys_.ORGANIZATION_TYPE, "pay", "Payer"),
        concept(sys_.PAYER_TYPOLOGY, _TYPOLOGY[payer.kind]),
    ]
    resource["name"] = payer.name
    return resource


def payer_from(node: Node) -> Payer:
    """A medbill Payer from a FHIR Organization (kind from its payment typology code)."""
    node.use("resourceType", "active")
    payer_id = resource_id(node, _PAYER_ID)
    x12 = identifier_value(node, _X12_PAYER_ID, "NIIP")
    kind = PayerKind.OTHER
    for org_type in node.nodes("type"):
        if code_in_quiet(org_type.data, sys_.ORGANIZATION_TYPE) in ("pay", "ins"):
            coding_in(org_type, {sys_.ORGANIZATION_TYPE})
            org_type.use("text")
        typology = code_in(org_type, sys_.PAYER_TYPOLOGY)
        if typology is not None:
            matched = [k for prefix, k in _KIND_BY_TYPOLOGY if typology.startswith(prefix)]
            if not matched:
                raise fail(
                    org_type.path, typology, "is a payment typology medbill has no payer kind for"
                )
            kind = matched[0]
    return build(
        Payer,
        {"id": node.at("id"), "name": node.at("name"), "x12_payer_id": node.at("identifier")},
        id=payer_id or "",
        name=node.string("name") or "",
        kind=kind,
        x12_payer_id=x12,
    )


# --- Provider ----------------------------------------------------------------------------


def provider_to(provider: Provider, resource_type: str | None = None) -> dict[str, Any]:
    """A Practitioner (a person), an Organization, or a PractitionerRole holding the
    Practitioner (contained) with the taxonomy as its specialty."""
    chosen = resource_type or ("Practitioner" if provider.kind.is_person else "Organization")
    if chosen == "PractitionerRole":
        if not provider.kind.is_person:
            raise fail("resource_type", chosen, "an organization is not a PractitionerRole")
        practitioner = provider_to(provider, "Practitioner")
        practitioner["id"] = "practitioner"
        role: dict[str, Any] = {
            "resourceType": "PractitionerRole",
            "contained": [practitioner],
            "identifier": [identifier(sys_.NPI, str(provider.npi), "NPI")],
            "practitioner": {"reference": "#practitioner"},
        }
        return role
    if chosen not in ("Practitioner", "Organization"):
        raise fail(
            "resource_type",
            chosen,
            "a Provider is a Practitioner, PractitionerRole or Organization",
        )
    if (chosen == "Practitioner") != provider.kind.is_person:
        raise fail(
            "resource_type", chosen, f"does not fit a provider of kind {provider.kind.value}"
        )
    resource: dict[str, Any] = {"resourceType": chosen}
    identifiers = [identifier(sys_.NPI, str(provider.npi), "NPI")]
    if provider.tax_id is not None:
        identifiers.append(identifier(sys_.EIN, provider.tax_id, "TAX"))
    resource["identifier"] = identifiers
    if chosen == "Practitioner":
        if provider.kind is not ProviderKind.PHYSICIAN:
            resource["extension"] = [extension("provider-kind", "Code", provider.kind.value)]
        resource["name"] = [{"family": provider.name, "given": [provider.first_name]}]
        if provider.taxonomy is not None:
            resource["qualification"] = [{"code": concept(sys_.NUCC_TAXONOMY, provider.taxonomy)}]
    else:
        resource["type"] = [concept(sys_.ORGANIZATION_TYPE, "prov", "Healthcare Provider")]
        if provider.taxonomy is not None:
            resource["type"].append(concept(sys_.NUCC_TAXONOMY, provider.taxonomy))
        resource["name"] = provider.name
    if provider.address is not None:
        resource["address"] = [address_to(provider.address)]
    return resource


def provider_from(node: Node, resolver: Resolver) -> Provider:
    """A medbill Provider from a Practitioner, a PractitionerRole or an Organization."""
    kind = node.data.get("resourceType")
    node.use("resourceType", "id", "active")
    if kind == "PractitionerRole":
        return _role_from(node, resolver)
    npi_path = _identifier_path(node, sys_.NPI, "NPI")
    npi = identifier_value(node, sys_.NPI, "NPI")
    if npi is None:
        raise fail(node.at("identifier"), None, f"medbill needs the NPI (system {sys_.NPI})")
    tax_id = identifier_value(node, sys_.EIN, "TAX")
    taxonomy = None
    if kind == "Practitioner":
        for qualification in node.nodes("qualification"):
            code = code_in(qualification.node("code"), sys_.NUCC_TAXONOMY)
            if code is not None:
                taxonomy = code
                qualification.use_all()
        name = _pick_name(node)
        if name is None:
            raise fail(node.at("name"), None, "is required by medbill (the practitioner's name)")
        name.use("use")
        given = name.strings("given")
        provider_kind = node.extension_value("provider-kind", "Code") or ProviderKind.PHYSICIAN
        last, first = name.string("family") or "", (given[0] if given else None)
        if len(given) > 1:
            raise fail(
                name.at("given"), given, "medbill keeps one given name for a provider", phi=False
            )
    elif kind == "Organization":
        for org_type in node.nodes("type"):
            code = code_in(org_type, sys_.NUCC_TAXONOMY)
            if code is not None:
                taxonomy = code
            elif code_in_quiet(org_type.data, sys_.ORGANIZATION_TYPE) == "prov":
                org_type.use_all()
        provider_kind, last, first = ProviderKind.ORGANIZATION, node.string("name") or "", None
    else:
        raise fail(
            node.at("resourceType"),
            kind,
            "a provider is a Practitioner, PractitionerRole or Organization",
        )
    return build(
        Provider,
        {"npi": npi_path, "name": node.at("name"), "first_name": node.at("name"),
         "kind": node.at("extension"), "taxonomy": node.at("qualification"),
         "tax_id": node.at("identifier")},
        npi=npi, name=last, first_name=first, kind=provider_kind, taxonomy=taxonomy,
        tax_id=tax_id, address=_first_address(node),
    )  # fmt: skip


def _role_from(node: Node, resolver: Resolver) -> Provider:
    reference = node.required_node("practitioner", "the practitioner of the role")
    target = resolver.resolve(reference, {"Practitioner"})
    if target is None:
        raise resolver.dangling(reference)
    provider = provider_from(target, resolver)
    npi = identifier_value(node, sys_.NPI)
    if npi is not None and npi != provider.npi:
        raise fail(
            node.at("identifier"), npi, f"differs from the practitioner's NPI {provider.npi}"
        )
    for specialty in node.nodes("specialty"):
        code = code_in(specialty, sys_.NUCC_TAXONOMY)
        if code is not None and provider.taxonomy is None:
            provider = build(
                Provider, {"taxonomy": specialty.path}, **{**_fields(provider), "taxonomy": code}
            )
    return provider


def _fields(provider: Provider) -> dict[str, Any]:
    return {
        "npi": provider.npi,
        "name": provider.name,
        "first_name": provider.first_name,
        "kind": provider.kind,
        "taxonomy": provider.taxonomy,
        "tax_id": provider.tax_id,
        "address": provider.address,
    }


# --- Coverage ----------------------------------------------------------------------------


def coverage_to(
    coverage: Coverage,
    payer_reference: str,
    patient_reference: dict[str, Any],
    subscriber: dict[str, Any] | None,
) -> dict[str, Any]:
    """A FHIR Coverage; the payer, beneficiary and subscriber come as references."""
    resource: dict[str, Any] = with_id({"resourceType": "Coverage"}, coverage.id)
    extensions = _accumulators_to(coverage.accumulators)
    if extensions:
        resource["extension"] = extensions
    resource["identifier"] = [
        identifier(_COVERAGE_ID, coverage.id),
        identifier(sys_.medbill_system("member-id"), coverage.member_id, "MB"),
    ]
    resource["status"] = "active"
    if subscriber is not None:
        resource["subscriber"] = subscriber
    resource["subscriberId"] = coverage.member_id
    resource["beneficiary"] = patient_reference
    resource["relationship"] = concept(
        sys_.SUBSCRIBER_RELATIONSHIP, _RELATIONSHIP[coverage.relationship]
    )
    period: dict[str, Any] = {"start": coverage.effective.start.to_date_string()}
    if coverage.effective.end is not None:
        period["end"] = coverage.effective.end.to_date_string()
    resource["period"] = period
    resource["payor"] = [{"reference": payer_reference, "display": coverage.payer.name}]
    classes = []
    if coverage.group_number is not None:
        classes.append(
            {"type": concept(sys_.COVERAGE_CLASS, "group"), "value": coverage.group_number}
        )
    if coverage.plan_name is not None:
        classes.append({"type": concept(sys_.COVERAGE_CLASS, "plan"), "value": coverage.plan_name,
                        "name": coverage.plan_name})  # fmt: skip
    if classes:
        resource["class"] = classes
    resource["order"] = coverage.priority.rank
    costs = _benefits_to(coverage.benefits)
    if costs:
        resource["costToBeneficiary"] = costs
    return resource


def _accumulators_to(accumulators: Accumulators) -> list[dict[str, Any]]:
    if accumulators == Accumulators():
        return []
    return [
        {
            "url": sys_.extension_url("accumulators"),
            "extension": [
                {"url": "deductible-met", "valueMoney": money(accumulators.deductible_met)},
                {"url": "out-of-pocket-met", "valueMoney": money(accumulators.out_of_pocket_met)},
            ],
        }
    ]


def _benefits_to(benefits: Benefits) -> list[dict[str, Any]]:
    costs: list[dict[str, Any]] = []
    if benefits == Benefits():
        return costs
    costs.append(
        {"type": concept(sys_.COPAY_TYPE, "deductible"), "valueMoney": money(benefits.deductible)}
    )
    costs.append(
        {
            "type": concept(sys_.COPAY_TYPE, "copaypct"),
            "valueQuantity": {"value": benefits.coinsurance * 100, "unit": "%",
                              "system": "http://unitsofmeasure.org", "code": "%"},
        }
    )  # fmt: skip
    if benefits.out_of_pocket_max is not None:
        costs.append({"type": concept(sys_.COPAY_TYPE, "maxoutofpocket"),
                      "valueMoney": money(benefits.out_of_pocket_max)})  # fmt: skip
    for copay in benefits.copays:
        code = _COPAY_TYPE.get(copay.category)
        kind = (
            concept(sys_.COPAY_TYPE, code)
            if code is not None
            else concept(_SERVICE_CATEGORY, copay.category.value)
        )
        costs.append({"type": kind, "valueMoney": money(copay.amount)})
    return costs


def coverage_from(node: Node, resolver: Resolver, patient_id: str | None = None) -> Coverage | None:
    """A medbill Coverage from a FHIR Coverage; ``None`` for a self-pay coverage."""
    node.use("resourceType")
    if code_in_quiet(node.data.get("type"), sys_.SELF_PAY) == "pay":
        node.use_all()
        return None
    status = node.string("status")
    if status not in (None, "active"):
        raise fail(node.at("status"), status, "medbill keeps coverages in force (status active)")
    coverage_id = resource_id(node, _COVERAGE_ID)
    # The member id: the identifier of type MB (CARIN, US Core), else subscriberId, else the
    # coverage's first identifier (R4: "the identifier of the coverage as issued by the insurer").
    member_id = identifier_value(node, None, "MB") or node.string("subscriberId")
    if member_id is not None and node.data.get("subscriberId") == member_id:
        node.use("subscriberId")
    if member_id is None:
        plain = [i for i in node.nodes("identifier") if i.data.get("system") != _COVERAGE_ID]
        if plain:
            plain[0].use_all()
            member_id = plain[0].data.get("value")
    beneficiary = node.required_node("beneficiary", "the patient")
    beneficiary_id = resolver.patient_id(beneficiary)
    relationship = _relationship_from(node)
    subscriber = None
    reference = node.node("subscriber")
    if reference is not None:
        if relationship is Relationship.SELF:
            reference.use_all()
            node.use("policyHolder")
        else:
            subscriber = _subscriber_from(reference, resolver)
    payers = node.nodes("payor")
    if not payers:
        raise fail(node.at("payor"), None, "is required by medbill (the payer)")
    if len(payers) > 1:
        raise fail(payers[1].path, None, "medbill keeps one payer per coverage")
    payer = resolver.payer(payers[0])
    period = node.required_node("period", "the dates the coverage is in force")
    group, plan = _classes_from(node)
    order = node.value("order")
    if order is None:
        raise fail(
            node.at("order"), None, "is required by medbill (1 primary, 2 secondary, 3 tertiary)"
        )
    if order not in (1, 2, 3):
        raise fail(
            node.at("order"), order, "medbill keeps primary (1), secondary (2) and tertiary (3)"
        )
    from medbill._common import Period

    start = period.date("start")
    if start is None:
        raise fail(period.at("start"), None, "is required by medbill (the first day in force)")
    effective = build(Period, {"end": period.at("end")}, start=start, end=period.date("end"))
    return build(
        Coverage,
        {"id": node.at("id"), "member_id": node.at("identifier"), "subscriber": node.at("subscriber"),
         "patient_id": node.at("beneficiary"), "benefits": node.at("costToBeneficiary")},
        id=coverage_id or "",
        patient_id=patient_id if patient_id is not None else beneficiary_id,
        payer=payer,
        member_id=member_id or "",
        priority=[Priority.PRIMARY, Priority.SECONDARY, Priority.TERTIARY][order - 1],
        effective=effective,
        plan_name=plan,
        group_number=group,
        relationship=relationship,
        subscriber=subscriber,
        benefits=_benefits_from(node),
        accumulators=_accumulators_from(node),
    )  # fmt: skip


def _relationship_from(node: Node) -> Relationship:
    relation = node.node("relationship")
    if relation is None:
        return Relationship.SELF
    code = code_in(relation, sys_.SUBSCRIBER_RELATIONSHIP)
    if code is None:  # the R4 examples send the code without its system
        bare = [c for c in relation.nodes("coding") if "system" not in c.data]
        if bare:
            bare[0].use("code", "display")
            code = bare[0].data.get("code")
    relation.use("text")
    if code not in _RELATIONSHIP_BY_CODE:
        raise fail(
            relation.path, code, "medbill keeps self, spouse, child and other (X12 18, 01, 19, G8)"
        )
    return _RELATIONSHIP_BY_CODE[code]


def _subscriber_from(reference: Node, resolver: Resolver) -> Subscriber:
    target = resolver.resolve(reference, {"RelatedPerson", "Patient"})
    if target is None:
        raise resolver.dangling(reference)
    target.use("resourceType", "id", "patient", "relationship", "active")
    name = _pick_name(target)
    if name is None:
        raise fail(target.at("name"), None, "is required by medbill (the subscriber's name)")
    return Subscriber(
        name=person_name_from(name),
        birth_date=target.date("birthDate"),
        sex=sex_from(target),
        address=_first_address(target),
    )


def _classes_from(node: Node) -> tuple[str | None, str | None]:
    group = plan = None
    for item in node.nodes("class"):
        kind = code_in(item.node("type"), sys_.COVERAGE_CLASS)
        if kind == "group" and group is None:
            item.use("type")
            group = item.string("value")
        elif kind == "plan" and plan is None:
            item.use("type")
            value, name = item.string("value"), item.string("name")
            plan = name or value
    return group, plan


def _benefits_from(node: Node) -> Benefits:
    deductible, coinsurance, maximum = Decimal("0.00"), Decimal("0"), None
    copays: list[Copay] = []
    seen = False
    for cost in node.nodes("costToBeneficiary"):
        kind = cost.required_node("type", "the kind of cost")
        code = code_in(kind, sys_.COPAY_TYPE)
        own = code_in(kind, _SERVICE_CATEGORY) if code is None else None
        kind.use("text")
        if code == "deductible":
            deductible = cost.money("valueMoney") or deductible
        elif code == "copaypct":
            quantity = cost.required_node("valueQuantity", "the coinsurance percentage")
            quantity.use("unit", "system", "code")
            coinsurance = (quantity.decimal("value") or Decimal(0)) / 100
        elif code == "maxoutofpocket":
            maximum = cost.money("valueMoney")
        elif code in _CATEGORY_BY_COPAY_TYPE or own is not None:
            category = _CATEGORY_BY_COPAY_TYPE.get(code or "") or ServiceCategory(own)
            copays.append(
                Copay(category=category, amount=cost.money("valueMoney") or Decimal("0.00"))
            )
        else:
            raise fail(kind.path, code, "is a cost to the beneficiary medbill does not model")
        seen = True
    if not seen:
        return Benefits()
    return build(Benefits, {"deductible": node.at("costToBeneficiary"), "coinsurance": node.at("costToBeneficiary"),
                            "copays": node.at("costToBeneficiary")},
                 deductible=deductible, coinsurance=coinsurance, copays=copays, out_of_pocket_max=maximum)  # fmt: skip


def _accumulators_from(node: Node) -> Accumulators:
    found = node.extension(sys_.extension_url("accumulators"))
    if found is None:
        return Accumulators()
    values = {}
    for part in found.nodes("extension"):
        part.use("url")
        values[part.data.get("url")] = part.money("valueMoney")
    return Accumulators(
        deductible_met=values.get("deductible-met") or Decimal("0.00"),
        out_of_pocket_met=values.get("out-of-pocket-met") or Decimal("0.00"),
    )
