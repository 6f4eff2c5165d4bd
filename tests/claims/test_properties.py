"""Invariants over generated claims, encounters and payments."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pendulum
from hypothesis import given, settings
from hypothesis import strategies as st

from medbill import Claim, ClaimId, Encounter
from medbill.claims import ClaimWorkflow, Finding, Severity, build_claim, scrub
from medbill.testing import make_coverage, make_patient
from medbill.testing.strategies import claims

AS_OF = pendulum.date(2030, 1, 1)


@settings(max_examples=60)
@given(claims())
def test_scrub_never_raises_and_orders_errors_first(claim: Claim) -> None:
    findings = scrub(claim, as_of=AS_OF)
    assert all(isinstance(f, Finding) for f in findings)
    severities = [f.severity for f in findings]
    assert severities == sorted(severities, key=lambda s: s is Severity.WARNING)
    assert all(f.path and f.message for f in findings)
    blocking = any(f.blocks_submission for f in findings)
    flow = ClaimWorkflow.start(claim, recorded_at=pendulum.datetime(2030, 1, 1))
    if not blocking:
        assert flow.validate(
            recorded_at=pendulum.datetime(2030, 1, 1), findings=findings
        ).status.value == ("validated")


@settings(max_examples=60)
@given(st.from_type(Encounter))
def test_build_claim_keeps_every_service_and_its_charge(encounter: Encounter) -> None:
    patient = make_patient(id=encounter.patient_id)
    coverage = make_coverage(patient_id=encounter.patient_id)
    claim = build_claim(encounter, patient, [coverage], claim_id=ClaimId("C-1"))
    assert len(claim.lines) == len(encounter.lines)
    assert claim.total_charge == encounter.total_charge
    for service, line in zip(encounter.lines, claim.lines, strict=True):
        assert (line.procedure, line.modifiers, line.units) == (
            service.procedure,
            service.modifiers,
            service.units,
        )
        assert line.service_date == encounter.service_date
    doubled = build_claim(
        encounter,
        patient,
        [coverage],
        lambda code, modifiers, day: Decimal("2.00"),
        claim_id=ClaimId("C-2"),
    )
    assert all(
        line.charge == (Decimal("2.00") * line.units).quantize(Decimal("0.01"), ROUND_HALF_UP)
        for line in doubled.lines
    )
