"""``to_fhir``, ``from_fhir``, ``to_fhir_bundle`` and ``from_fhir_bundle``."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, overload

import attrs
import pendulum

from medbill._encounter import Claim, Encounter
from medbill._errors import ValidationError
from medbill._parties import Coverage, Patient, Payer, Provider
from medbill._payment import ClaimPayment, Remittance
from medbill._validation import to_optional_date
from medbill.fhir import _systems as sys_
from medbill.fhir._claims import (
    claim_from,
    claim_to,
    coverage_resource,
    encounter_bundle_from,
    encounter_to,
)
from medbill.fhir._parties import (
    code_in_quiet,
    coverage_from,
    patient_from,
    patient_to,
    payer_from,
    payer_to,
    provider_from,
    provider_to,
)
from medbill.fhir._reader import Context, Node, Unmapped, fail
from medbill.fhir._references import Resolver
from medbill.fhir._remittance import (
    claim_payment_from,
    claim_payment_to,
    remittance_from,
    remittance_to,
)

if TYPE_CHECKING:
    from fhir.resources.R4B import bundle as _bundle_model
    from fhir.resources.R4B import claim as _claim_model
    from fhir.resources.R4B import claimresponse as _claimresponse_model
    from fhir.resources.R4B import coverage as _coverage_model
    from fhir.resources.R4B import explanationofbenefit as _eob_model
    from fhir.resources.R4B import organization as _organization_model
    from fhir.resources.R4B import patient as _patient_model
    from fhir.resources.R4B import practitioner as _practitioner_model
    from fhir.resources.R4B import practitionerrole as _role_model
    from fhir.resources.R4B.resource import Resource

__all__ = [
    "FhirBundleResult",
    "FhirResult",
    "from_fhir",
    "from_fhir_bundle",
    "to_fhir",
    "to_fhir_bundle",
]

# Resources medbill has no entity for, with the reason it says so.
_NOT_MODELLED = {
    "Account": "medbill keeps patient accounts in its double-entry ledger, not as FHIR Accounts",
    "ChargeItem": "a ChargeItem is read as a service line of its Encounter: pass the Bundle",
    "ChargeItemDefinition": "fee schedules are medbill.fees schedules and contracts",
    "Condition": "a Condition is read as a diagnosis of its Encounter or Claim: pass the Bundle",
    "CoverageEligibilityRequest": "eligibility inquiries (X12 270) are not modelled",
    "CoverageEligibilityResponse": "eligibility responses (X12 271) are not modelled",
    "Encounter": "an Encounter is read with its ChargeItems and Conditions: pass the Bundle",
    "Invoice": "patient statements are built from the ledger, not read from Invoices",
    "PaymentNotice": "payment notices are not modelled; medbill reads the remittance itself",
}


@attrs.frozen
class FhirResult:
    """A medbill entity read from FHIR, and what of the input medbill does not model.

    Unpacks as a pair: ``entity, unmapped = from_fhir(resource)``.
    """

    entity: Any
    unmapped: tuple[Unmapped, ...] = ()

    def __iter__(self) -> Iterator[Any]:
        return iter((self.entity, self.unmapped))


@attrs.frozen
class FhirBundleResult:
    """The entities a Bundle holds (its resources no other resource refers to, in entry
    order), and what of the Bundle medbill does not model."""

    entities: tuple[Any, ...]
    unmapped: tuple[Unmapped, ...] = ()

    def __iter__(self) -> Iterator[Any]:
        return iter((self.entities, self.unmapped))

    def of_type(self, kind: type[Any]) -> tuple[Any, ...]:
        """The entities of one type, e.g. ``result.of_type(Claim)``."""
        return tuple(e for e in self.entities if isinstance(e, kind))


# --- models ------------------------------------------------------------------------------


def _models() -> Any:
    try:
        from fhir.resources import R4B
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise ImportError(
            "medbill.fhir needs the fhir extra: pip install 'medbill[fhir]'"
        ) from None
    return R4B


def _path(root: str, location: tuple[int | str, ...]) -> str:
    path = root
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _validated(data: dict[str, Any]) -> Resource:
    kind = data.get("resourceType")
    if not isinstance(kind, str):
        raise fail("resourceType", kind, "a FHIR resource names its resourceType")
    import pydantic

    try:
        model = _models().get_fhir_model_class(kind)
    except ValueError:
        raise fail("resourceType", kind, "is not a FHIR R4 resource type") from None
    try:
        return model.model_validate(data)  # type: ignore[no-any-return]
    except pydantic.ValidationError as error:
        problems = [
            fail(_path(kind, tuple(e["loc"])), None, f"is not valid FHIR: {e['msg']}")
            for e in error.errors()[:20]
        ]
        raise ValidationError.combine(problems) from None


def _as_dict(resource: Any) -> dict[str, Any]:
    if isinstance(resource, Mapping):
        data = dict(resource)
        _validated(data)
        return data
    if hasattr(resource, "model_dump_json"):
        found = json.loads(resource.model_dump_json(), parse_float=Decimal)
        if isinstance(found, dict):
            return found
    raise fail(
        "resource",
        type(resource).__name__,
        "must be a FHIR resource (a fhir.resources model or a dict)",
    )


# --- writing -----------------------------------------------------------------------------


def _resource_dict(
    entity: Any,
    resource_type: str | None,
    adjudicated_on: pendulum.Date | None,
    created: pendulum.Date | None,
) -> dict[str, Any]:
    if isinstance(entity, Patient):
        return patient_to(entity)
    if isinstance(entity, Payer):
        return payer_to(entity)
    if isinstance(entity, Provider):
        return provider_to(entity, resource_type)
    if isinstance(entity, Coverage):
        patient_ref = {
            "identifier": {"system": sys_.medbill_system("patient-id"), "value": entity.patient_id}
        }
        return coverage_resource(entity, patient_ref)
    if isinstance(entity, Claim):
        return claim_to(entity, created)
    if isinstance(entity, Encounter):
        return _bundle(encounter_to(entity))
    if isinstance(entity, ClaimPayment):
        return claim_payment_to(
            entity,
            resource_type=resource_type or "ExplanationOfBenefit",
            adjudicated_on=adjudicated_on,
        )
    if isinstance(entity, Remittance):
        return _bundle(remittance_to(entity))
    raise fail(
        "entity",
        type(entity).__name__,
        "medbill.fhir converts Patient, Payer, Provider, Coverage, Claim, Encounter, ClaimPayment and Remittance",
    )


@overload
def to_fhir(entity: Patient) -> _patient_model.Patient: ...
@overload
def to_fhir(entity: Payer) -> _organization_model.Organization: ...
@overload
def to_fhir(
    entity: Provider, *, resource_type: str | None = None
) -> (
    _practitioner_model.Practitioner
    | _role_model.PractitionerRole
    | _organization_model.Organization
): ...
@overload
def to_fhir(entity: Coverage) -> _coverage_model.Coverage: ...
@overload
def to_fhir(entity: Claim, *, created: Any = None) -> _claim_model.Claim: ...
@overload
def to_fhir(entity: Encounter | Remittance) -> _bundle_model.Bundle: ...
@overload
def to_fhir(
    entity: ClaimPayment, *, resource_type: str | None = None, adjudicated_on: Any = None
) -> _eob_model.ExplanationOfBenefit | _claimresponse_model.ClaimResponse: ...
@overload
def to_fhir(
    entity: object,
    *,
    resource_type: str | None = None,
    adjudicated_on: Any = None,
    created: Any = None,
) -> Resource: ...
def to_fhir(
    entity: object,
    *,
    resource_type: str | None = None,
    adjudicated_on: Any = None,
    created: Any = None,
) -> Resource:
    """The FHIR R4 resource (a ``fhir.resources`` model) for a medbill entity.

    ``Patient`` → Patient, ``Payer`` → Organization, ``Provider`` → Practitioner or
    Organization (``resource_type="PractitionerRole"`` for a role), ``Coverage`` →
    Coverage, ``Claim`` → Claim, ``Encounter`` → a Bundle (Encounter, Condition,
    ChargeItem, Location, providers), ``ClaimPayment`` → ExplanationOfBenefit
    (``resource_type="ClaimResponse"`` for a ClaimResponse; ``adjudicated_on`` fills
    ``created``), ``Remittance`` → a Bundle (PaymentReconciliation and one
    ExplanationOfBenefit per claim payment). Parties a resource refers to are contained
    in it, so it stands alone; :func:`to_fhir_bundle` lays them out as Bundle entries.
    ``created`` dates a Claim (default: its last date of service).

    >>> from medbill.fhir import to_fhir
    >>> from medbill.testing import make_claim
    >>> claim = to_fhir(make_claim())
    >>> claim.item[0].productOrService.coding[0].system, claim.item[0].net.value
    ('http://www.ama-assn.org/go/cpt', Decimal('150.00'))
    """
    data = _resource_dict(entity, resource_type, to_optional_date(adjudicated_on),
                          to_optional_date(created))  # fmt: skip
    return _validated(data)


def _bundle(resources: list[dict[str, Any]]) -> dict[str, Any]:
    urls = {
        f"{r['resourceType']}/{r['id']}": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, sys_.MEDBILL + '/' + r['resourceType'] + '/' + r['id'])}"
        for r in resources
    }
    entries = [
        {"fullUrl": urls[f"{r['resourceType']}/{r['id']}"], "resource": _rewrite(r, urls)}
        for r in resources
    ]
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def _rewrite(value: Any, urls: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {
            k: (urls.get(v, v) if k == "reference" and isinstance(v, str) else _rewrite(v, urls))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_rewrite(v, urls) for v in value]
    return value


def _lift(resource: dict[str, Any]) -> list[dict[str, Any]]:
    """The resource and its contained resources as separate resources (``#x`` → ``Type/x``)."""
    contained = resource.get("contained") or []
    base = resource.get("id") or resource["resourceType"].lower()
    names = {f"#{c['id']}": f"{c['resourceType']}/{base}-{c['id']}" for c in contained}

    def fix(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: (names.get(v, v) if k == "reference" and isinstance(v, str) else fix(v))
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [fix(v) for v in value]
        return value

    top = {k: fix(v) for k, v in resource.items() if k != "contained"}
    top.setdefault("id", base)
    inner = [{**fix(c), "id": f"{base}-{c['id']}"} for c in contained]
    return [top, *inner]


def to_fhir_bundle(
    entity: object, *, adjudicated_on: Any = None, created: Any = None
) -> _bundle_model.Bundle:
    """A FHIR ``collection`` Bundle of the entity and every party it refers to, each its
    own entry (``urn:uuid`` full URLs), for servers that want resources, not contained ones.

    >>> from medbill.fhir import to_fhir_bundle
    >>> from medbill.testing import make_claim
    >>> [e.resource.get_resource_type() for e in to_fhir_bundle(make_claim()).entry]
    ['Claim', 'Patient', 'Organization', 'Coverage', 'Practitioner', 'Practitioner']
    """
    data = _resource_dict(entity, None, to_optional_date(adjudicated_on), to_optional_date(created))
    if data["resourceType"] != "Bundle":
        data = _bundle(_lift(data))
    return _validated(data)  # type: ignore[return-value]


# --- reading -----------------------------------------------------------------------------


def _read(node: Node, resolver: Resolver) -> Any:
    kind = node.data.get("resourceType")
    if kind == "Patient":
        return patient_from(node)
    if kind == "Organization":
        if _is_provider(node.data):
            return provider_from(node, resolver)
        return payer_from(node)
    if kind in ("Practitioner", "PractitionerRole"):
        return provider_from(node, resolver)
    if kind == "Coverage":
        coverage = coverage_from(node, resolver)
        if coverage is None:
            raise fail(
                node.at("type"),
                "pay",
                "a self-pay coverage is no medbill Coverage (a claim without one)",
            )
        return coverage
    if kind == "Claim":
        return claim_from(node, resolver)
    if kind in ("ExplanationOfBenefit", "ClaimResponse"):
        return claim_payment_from(node, resolver)
    if kind == "PaymentReconciliation":
        return remittance_from(node, resolver)
    reason = _NOT_MODELLED.get(str(kind), "medbill has no entity for this resource type")
    raise fail(node.at("resourceType"), kind, reason)


def _is_provider(data: dict[str, Any]) -> bool:
    """An Organization typed ``pay``/``ins`` is a payer; one with an NPI, or typed ``prov``,
    a provider; any other a payer."""
    types = [code_in_quiet(t, sys_.ORGANIZATION_TYPE) for t in data.get("type") or []]
    if "pay" in types or "ins" in types:
        return False
    for item in data.get("identifier") or []:
        if isinstance(item, dict) and (
            item.get("system") == sys_.NPI
            or code_in_quiet(item.get("type"), sys_.V2_IDENTIFIER_TYPE) == "NPI"
        ):
            return True
    return any(code_in_quiet(t, sys_.ORGANIZATION_TYPE) == "prov" for t in data.get("type") or [])


def _add_references(resolver: Resolver, references: Mapping[str, Any] | None) -> None:
    for key, value in (references or {}).items():
        data = _as_dict(value)
        resolver.add_resource(data, f"references[{key!r}]", key)


def from_fhir(resource: Any, *, references: Mapping[str, Any] | None = None) -> FhirResult:
    """The medbill entity for a FHIR R4 resource (a ``fhir.resources`` model or its JSON
    as a dict), with the elements medbill does not model.

    References resolve to contained resources, to the entries of a Bundle (a Bundle
    holding one entity reads as that entity) and to ``references`` (``{"Patient/1":
    patient_json}``). A code outside medbill's code types is refused with a
    :class:`~medbill.ValidationError` naming the FHIR path.

    >>> from medbill.fhir import from_fhir, to_fhir
    >>> from medbill.testing import make_patient
    >>> patient, unmapped = from_fhir(to_fhir(make_patient()))
    >>> patient == make_patient(), unmapped
    (True, ())
    >>> from_fhir({"resourceType": "Patient", "name": [{"family": "Doe", "given": ["Jo"]}],
    ...            "gender": "other", "birthDate": "1990-01-01", "id": "p1"})
    Traceback (most recent call last):
    ...
    medbill.ValidationError: Patient.gender: has no X12 administrative sex code; medbill keeps female, male and unknown (got 'other')
    """
    data = _as_dict(resource)
    kind = str(data.get("resourceType"))
    if kind == "Bundle":
        found = from_fhir_bundle(data, references=references)
        if len(found.entities) != 1:
            raise fail(
                "Bundle.entry",
                len(found.entities),
                "holds several entities: read it with from_fhir_bundle",
            )
        return FhirResult(found.entities[0], found.unmapped)
    context = Context(data, kind)
    resolver = Resolver(context, strict=False)
    resolver.add_resource(data, kind)
    _add_references(resolver, references)
    entity = _read(Node(data, kind, context), resolver)
    return FhirResult(entity, context.unmapped())


# The order in which a Bundle's resources are read: each reads what it refers to, so a
# resource read through a reference is not an entity of its own.
_ORDER = (
    "PaymentReconciliation",
    "Claim",
    "Encounter",
    "ExplanationOfBenefit",
    "ClaimResponse",
    "Coverage",
    "Patient",
    "PractitionerRole",
    "Practitioner",
    "Organization",
)


def from_fhir_bundle(
    bundle: Any, *, references: Mapping[str, Any] | None = None
) -> FhirBundleResult:
    """The medbill entities of a FHIR Bundle, with references resolved between its entries.

    A Claim brings its Patient, Coverage (with its payer) and providers; an Encounter its
    Conditions, ChargeItems and Location; a PaymentReconciliation its ExplanationOfBenefits.
    A reference that points at no entry is an error naming it.

    >>> from medbill.fhir import from_fhir_bundle, to_fhir_bundle
    >>> from medbill.testing import make_claim
    >>> result = from_fhir_bundle(to_fhir_bundle(make_claim()))
    >>> result.entities == (make_claim(),), result.unmapped[0].path
    (True, 'Bundle.entry[0].resource.created')
    """
    data = _as_dict(bundle)
    if data.get("resourceType") != "Bundle":
        raise fail("resourceType", data.get("resourceType"), "must be a Bundle")
    context = Context(data, "Bundle")
    root = Node(data, "Bundle", context)
    root.use("resourceType", "type", "id")
    resolver = Resolver(context, strict=True)
    entries: list[Node] = []
    for entry in root.nodes("entry"):
        entry.use("fullUrl")
        resource = entry.node("resource")
        if resource is None:
            continue
        resolver.add_resource(resource.data, resource.path, str(entry.data.get("fullUrl") or ""))
        entries.append(resource)
    _add_references(resolver, references)
    roots: list[tuple[int, Any]] = []
    for kind in _ORDER:
        for index, node in enumerate(entries):
            if node.data.get("resourceType") != kind or node.path in resolver.reached:
                continue
            if kind == "Encounter":
                entity = resolver.entity(
                    node,
                    lambda n: encounter_bundle_from(n, resolver, _charges(n, entries, resolver)),
                )
            else:
                entity = resolver.entity(node, lambda n: _read(n, resolver))
            roots.append((index, entity))
    roots.sort(key=lambda pair: pair[0])
    return FhirBundleResult(tuple(entity for _, entity in roots), context.unmapped())


def _charges(encounter: Node, entries: list[Node], resolver: Resolver) -> list[Node]:
    found = []
    for node in entries:
        if node.data.get("resourceType") != "ChargeItem":
            continue
        context = node.node("context")
        target = None if context is None else context.data.get("reference")
        if (
            isinstance(target, str)
            and (hit := resolver.lookup(target, node.path))
            and hit[1] == encounter.path
        ):
            context.use("reference", "display") if context else None
            resolver.reached.add(node.path)
            found.append(node)
    return found
