"""Round trips: medbill -> FHIR -> medbill is lossless for every entity the strategies build,
and FHIR written by medbill -> medbill -> FHIR gives the same JSON (every modelled element
survives)."""

from __future__ import annotations

import json
import os
from decimal import Decimal
from typing import Any

import attrs
import pendulum
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medbill import Address, Claim, ClaimPayment, Encounter, Patient, Payer, Provider
from medbill.codes import Npi
from medbill.fhir import from_fhir, from_fhir_bundle, to_fhir, to_fhir_bundle
from medbill.testing import strategies as mst

pytest.importorskip("fhir.resources")

# Each example validates FHIR with pydantic (a few ms); MEDBILL_FUZZ_LONG=1 runs many more.
_SETTINGS = settings(
    max_examples=2_000 if os.environ.get("MEDBILL_FUZZ_LONG") else 25,
    suppress_health_check=[HealthCheck.too_slow],
)
_DAY = pendulum.date(2025, 4, 1)


def _json(resource: Any) -> Any:
    return json.loads(resource.model_dump_json(), parse_float=Decimal)


def _normalized(claim: Claim) -> Claim:
    # A line's place of service equal to the claim's is the claim's (837P SV105 is sent
    # only when it differs from CLM05-1), so it reads back as None.
    lines = [
        attrs.evolve(line, place_of_service=None)
        if line.place_of_service == claim.place_of_service
        else line
        for line in claim.lines
    ]
    return attrs.evolve(claim, lines=lines)


ENTITIES = st.one_of(
    st.from_type(Patient),
    st.from_type(Payer),
    st.from_type(Provider),
    mst.coverages(),
    st.from_type(Encounter),
    mst.remittances(),
)


@_SETTINGS
@given(ENTITIES)
def test_entity_to_fhir_and_back_is_lossless(entity: Any) -> None:
    back, unmapped = from_fhir(to_fhir(entity))
    assert back == entity
    assert unmapped == ()


@_SETTINGS
@given(mst.claims())
def test_claim_to_fhir_and_back_is_lossless(claim: Claim) -> None:
    back, unmapped = from_fhir(to_fhir(claim))
    assert back == _normalized(claim)
    # created and priority are FHIR's required elements medbill has no field for.
    assert [u.path for u in unmapped] == ["Claim.created", "Claim.priority"]


@_SETTINGS
@given(mst.claims())
def test_claim_through_a_bundle_is_lossless(claim: Claim) -> None:
    result = from_fhir_bundle(to_fhir_bundle(claim))
    assert result.entities == (_normalized(claim),)


@_SETTINGS
@given(mst.claim_payments(), st.sampled_from(["ExplanationOfBenefit", "ClaimResponse"]))
def test_claim_payment_to_fhir_and_back_is_lossless(payment: ClaimPayment, kind: str) -> None:
    resource = to_fhir(payment, resource_type=kind, adjudicated_on=_DAY)
    assert resource.get_resource_type() == kind
    back, unmapped = from_fhir(resource)
    assert back == payment
    assert [u.path for u in unmapped] == [f"{kind}.created"]


@_SETTINGS
@given(
    st.one_of(
        st.from_type(Patient),
        mst.coverages(),
        mst.claims(),
        st.from_type(Encounter),
        mst.remittances(),
    )
)
def test_fhir_to_medbill_to_fhir_keeps_every_element(entity: Any) -> None:
    first = _json(to_fhir(entity))
    again = _json(to_fhir(from_fhir(first).entity))
    if isinstance(entity, Claim):
        again = _json(to_fhir(from_fhir(again).entity))
        first = _json(to_fhir(_normalized(entity)))
    assert again == first


def test_a_dict_with_json_floats_reads_exact_cents() -> None:
    from medbill.testing import make_claim

    text = to_fhir(make_claim()).model_dump_json()
    claim = from_fhir(json.loads(text)).entity  # floats, as json.loads gives them
    assert claim.lines[0].charge == Decimal("150.00")
    assert str(claim.total_charge) == "150.00"


def _details() -> tuple[st.SearchStrategy[dict[str, Any]], st.SearchStrategy[Any]]:
    from medbill._claim_details import Accident, AccidentCause, DrugIdentification, ServiceFacility

    accidents = st.builds(
        lambda cause, day, state: Accident(
            cause=cause, date=day, state=state or ("IL" if cause is AccidentCause.AUTO else None)
        ),
        st.sampled_from(list(AccidentCause)),
        mst.dates(),
        st.none() | st.sampled_from(["IL", "NY"]),
    )
    facilities = st.builds(
        ServiceFacility,
        name=st.just("Main St Clinic"),
        address=st.from_type(Address),
        npi=st.none() | st.from_type(Npi),
    )
    claim_fields: st.SearchStrategy[dict[str, Any]] = st.fixed_dictionaries(
        {},
        optional={
            "referring_provider": st.from_type(Provider),
            "service_facility": facilities,
            "referral_number": st.text("ABC123", min_size=1, max_size=12),
            "note": st.text("abc XYZ.", min_size=1, max_size=80).filter(str.strip),
            "onset_date": mst.dates(),
            "accident": accidents,
            "patient_paid": mst.amounts(max_value=Decimal("500.00")),
        },
    )
    drugs = st.builds(
        DrugIdentification,
        ndc=st.text("0123456789", min_size=11, max_size=11),
        quantity=st.integers(1, 50).map(Decimal),
        unit=st.sampled_from(["F2", "GR", "ME", "ML", "UN"]),
    )
    return claim_fields, drugs


@_SETTINGS
@given(mst.claims(), st.data())
def test_claim_details_of_issue_20_round_trip(claim: Claim, data: st.DataObject) -> None:
    # Referring provider, service facility, referral, note, onset, accident, patient paid,
    # and per line the NDC and the ordering and referring providers.
    claim_fields, drugs = _details()
    lines = [
        attrs.evolve(
            line,
            drug=data.draw(st.none() | drugs),
            ordering_provider=data.draw(st.none() | st.from_type(Provider)),
            referring_provider=data.draw(st.none() | st.from_type(Provider)),
        )
        for line in claim.lines
    ]
    detailed = attrs.evolve(claim, lines=lines, **data.draw(claim_fields))
    back, _ = from_fhir(to_fhir(detailed))
    assert back == _normalized(detailed)
