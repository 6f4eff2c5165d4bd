"""write_837p output: structure checked by hand, validity by pyx12 (an independent TR3 validator)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
import pendulum
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyx12_support import pyx12_errors

from medbill import (
    Adjustment,
    Claim,
    ClaimPayment,
    LinePayment,
    Period,
    PersonName,
    Relationship,
    Sex,
    Subscriber,
    ValidationError,
)
from medbill.testing import (
    make_address,
    make_claim,
    make_claim_line,
    make_coverage,
    make_patient,
    make_payer,
    make_provider,
)
from medbill.testing import strategies as mst
from medbill.x12 import OtherPayer, Party, parse_interchange, write_837p

SUBMITTER = Party(
    name="Springfield FM", id="SFM01", contact_name="Billing Office", phone="2175550100"
)
RECEIVER = Party(name="Acme Clearinghouse", id="ACMECH")
CREATED = pendulum.datetime(2025, 3, 5, 9, 30)


def _write(claims: Any, **options: Any) -> str:
    return write_837p(claims, submitter=SUBMITTER, receiver=RECEIVER, created=CREATED, **options)


def _dependent_claim() -> Claim:
    parent = Subscriber(name=PersonName(family="Doe", given="John"), birth_date=pendulum.date(1975, 1, 2),
                        sex=Sex.MALE, address=make_address())  # fmt: skip
    child = make_patient(
        id="MRN-2",
        name=PersonName(family="Doe", given="Jim"),
        birth_date=pendulum.date(2015, 6, 1),
        sex="M",
    )
    coverage = make_coverage(
        id="cov-2", patient_id="MRN-2", relationship=Relationship.CHILD, subscriber=parent
    )
    return make_claim(id="CLM-DEP", patient=child, coverage=coverage)


def _varied_claims() -> list[Claim]:
    day = pendulum.date(2025, 3, 4)
    return [
        make_claim(),
        _dependent_claim(),
        make_claim(
            id="CLM-REPL", frequency="7", original_claim_reference="PCN-123", prior_authorization="AUTH-9",
            diagnoses=[f"E11.{i}" for i in (0, 1, 8, 9)] + ["I10", "J45.909", "M54.50", "R51.9",
                                                           "Z00.00", "K21.9", "E78.5", "N39.0"],
            lines=[
                make_claim_line(line_id="1", procedure="99214", modifiers=["25"], charge=Decimal("210.00"),
                                diagnosis_pointers=[1, 5, 12, 3], service_date=day),
                make_claim_line(line_id="2", procedure="20610", modifiers=["RT", "59"], units=Decimal(2),
                                charge=Decimal("300.00"), diagnosis_pointers=[2], service_date=day,
                                service_period=Period(day, day.add(days=2)), place_of_service="22"),
                make_claim_line(line_id="3", procedure="J1030", charge=Decimal("12.50"),
                                units=Decimal("4"), diagnosis_pointers=[2], service_date=day),
            ],
            rendering_provider=make_provider(npi="1245319599", name="Osler", first_name="William",
                                             taxonomy="207R00000X"),
            billing_provider=make_provider(kind="organization", first_name=None, name="Springfield FM LLC"),
        ),
        make_claim(id="CLM-MCR", coverage=make_coverage(payer=make_payer(id="mcr", name="Medicare Part B",
                                                                          kind="medicare", x12_payer_id="06102"))),
    ]  # fmt: skip


def _secondary() -> tuple[Claim, OtherPayer]:
    primary = make_coverage(id="cov-p")
    secondary = make_coverage(
        id="cov-s", priority="secondary", member_id="MCR1234567", insurance_type="12",
        payer=make_payer(id="mcr", name="Medicare Part B", kind="medicare", x12_payer_id="06102"),
    )  # fmt: skip
    claim = make_claim(id="CLM-2ND", coverage=secondary)
    paid = ClaimPayment(
        claim_id="CLM-2ND", status="1", charge=Decimal("150.00"), paid=Decimal("80.00"),
        patient_responsibility=Decimal("20.00"), payer_claim_control_number="ICN-0042",
        lines=[LinePayment(procedure="99213", charge=Decimal("150.00"), paid=Decimal("80.00"), line_id="1",
                           adjustments=[Adjustment(group="CO", reason="45", amount=Decimal("50.00")),
                                        Adjustment(group="PR", reason="2", amount=Decimal("20.00"))])],
    )  # fmt: skip
    return claim, OtherPayer(
        coverage=primary, payment=paid, adjudicated_on=pendulum.date(2025, 3, 20)
    )


def test_varied_claims_are_valid_for_pyx12() -> None:
    # one interchange (pyx12 takes seconds to load its map): self and dependent patients,
    # a replacement with 12 diagnoses, modifiers, units, a date range, a line place of
    # service, an organisation billing for a rendering physician, Medicare, a secondary.
    claim, other = _secondary()
    text = _write([*_varied_claims(), claim], control_number=17, other_payers={claim.id: [other]})
    assert pyx12_errors(text) == []


def test_structure_of_a_dependent_claim() -> None:
    text = _write(_dependent_claim())
    [interchange] = parse_interchange(text)
    ids = [s.id for s in interchange.groups[0].transactions[0].segments]
    # 2000A billing provider, 2000B subscriber, 2000C patient (HL 3 under HL 2), 2300, 2400
    assert ids == ["BHT", "NM1", "PER", "NM1", "HL", "PRV", "NM1", "N3", "N4", "REF", "HL", "SBR",
                   "NM1", "NM1", "HL", "PAT", "NM1", "N3", "N4", "DMG", "CLM", "HI", "LX", "SV1",
                   "DTP", "REF"]  # fmt: skip
    segments = interchange.groups[0].transactions[0].segments
    hl = [s.elements for s in segments if s.id == "HL"]
    assert hl == [("1", "", "20", "1"), ("2", "1", "22", "1"), ("3", "2", "23", "0")]
    assert next(s for s in segments if s.id == "PAT").elements == ("19",)


def test_claim_line_and_diagnosis_elements() -> None:
    text = _write(_varied_claims()[2])
    lines = text.splitlines()
    assert "CLM*CLM-REPL*522.50***11:B:7*Y*A*Y*Y~" in lines  # 210 + 300 + 12.50
    assert "REF*F8*PCN-123~" in lines
    assert "REF*G1*AUTH-9~" in lines
    hi = next(line for line in lines if line.startswith("HI*"))
    assert hi.startswith("HI*ABK:E110*ABF:E111*ABF:E118*ABF:E119*ABF:I10")
    assert hi.count("ABF:") == 11
    assert "SV1*HC:99214:25*210.00*UN*1***1:5:12:3~" in lines
    assert "SV1*HC:20610:RT:59*300.00*UN*2*22**2~" in lines
    assert "DTP*472*RD8*20250304-20250306~" in lines
    assert "NM1*82*1*Osler*William****XX*1245319599~" in lines
    assert "NM1*85*2*Springfield FM LLC*****XX*1234567893~" in lines
    assert "SBR*P*18*GRP-100******CI~" in lines


def test_secondary_claim_carries_the_primary_adjudication() -> None:
    claim, other = _secondary()
    text = _write(claim, other_payers={"CLM-2ND": [other]})
    lines = text.splitlines()
    # 2000B SBR05 = 12: Medicare is secondary to a working-aged group health plan
    assert "SBR*S*18*GRP-100**12****MB~" in lines
    assert "SBR*P*18*GRP-100******CI~" in lines  # 2320: the primary payer
    assert "AMT*D*80.00~" in lines
    assert "AMT*EAF*20.00~" in lines  # 2320: the patient's share the primary left
    assert "REF*F8*ICN-0042~" in lines  # 2330B: the primary's claim control number
    assert "SVD*60054*80.00*HC:99213**1~" in lines
    assert "CAS*CO*45*50.00~" in lines
    assert "CAS*PR*2*20.00~" in lines
    assert "DTP*573*D8*20250320~" in lines


def test_pyx12_is_not_vacuous() -> None:
    text = _write(make_claim()).replace(
        "CLM*CLM-0001*150.00***11:B:1*Y*A*Y*Y", "CLM*CLM-0001*150.00"
    )
    assert pyx12_errors(text) != []


def test_incomplete_input_is_refused() -> None:
    with pytest.raises(ValidationError, match="contact_name and phone"):
        write_837p(make_claim(), submitter=RECEIVER, receiver=RECEIVER, created=CREATED)
    with pytest.raises(ValidationError, match=r"billing_provider\.address"):
        _write(make_claim(billing_provider=make_provider(address=None)))
    with pytest.raises(ValidationError, match="has no coverage"):
        _write(make_claim(coverage=None))
    with pytest.raises(ValidationError, match=r"coverage\.payer\.x12_payer_id"):
        _write(make_claim(coverage=make_coverage(payer=make_payer(x12_payer_id=None))))


@st.composite
def billable_claims(draw: Any) -> Claim:
    """Generated claims to a payer, billed by a provider with an address and tax id."""
    claim: Claim = draw(mst.claims())
    coverage = claim.coverage
    if coverage is None or coverage.payer.kind.value == "self-pay":  # not billed in an 837
        coverage = make_coverage(patient_id=claim.patient.id)
    payer = attrs.evolve(coverage.payer, x12_payer_id=draw(st.sampled_from(["60054", "06102"])))
    provider = attrs.evolve(claim.billing_provider, address=make_address(), tax_id="123456789")
    patient = attrs.evolve(claim.patient, address=make_address())
    return attrs.evolve(
        claim,
        billing_provider=provider,
        patient=patient,
        # a secondary claim needs its other payers: see test_generated_secondary_claims
        coverage=attrs.evolve(coverage, payer=payer, priority="primary"),
    )


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(billable_claims(), min_size=1, max_size=3, unique_by=lambda c: c.id))
def test_generated_claims_are_valid_for_pyx12(claims: list[Claim]) -> None:
    assert pyx12_errors(_write(claims)) == []
