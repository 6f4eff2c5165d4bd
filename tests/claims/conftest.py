"""Helpers for the claims tests: complete (submittable) claims and forced invalid ones."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, TypeVar

import attrs
import pendulum

from medbill import Address, Claim, ClaimLine, Coverage, Payer

from .examples import example_coverage, example_patient, example_provider

T = TypeVar("T")

DOS = pendulum.date(2025, 3, 4)
YEAR_START = pendulum.date(2025, 1, 1)
OFFICE = Address(line1="1 Main St", city="Springfield", state="IL", postal_code="62704")


def forced(instance: T, **fields: Any) -> T:
    """A copy of a frozen entity with fields set past its validation (a lenient import)."""
    clone = copy.copy(instance)
    for name, value in fields.items():
        object.__setattr__(clone, name, value)
    return clone


def payer_coverage(
    payer_id: str = "aetna",
    *,
    priority: str = "primary",
    kind: str = "commercial",
    start: pendulum.Date = YEAR_START,
    end: pendulum.Date | None = None,
) -> Coverage:
    coverage = example_coverage(
        priority=priority, payer_id=payer_id, kind=kind, start=start, end=end
    )
    payer: Payer = attrs.evolve(coverage.payer, x12_payer_id=f"X{payer_id.upper()}")
    result: Coverage = attrs.evolve(coverage, payer=payer)
    return result


def line(
    line_id: str,
    code: str,
    charge: str = "100.00",
    *,
    modifiers: Sequence[str] = (),
    units: str = "1",
    day: pendulum.Date = DOS,
    pointers: Sequence[int] = (1,),
) -> ClaimLine:
    return ClaimLine(
        line_id=line_id,
        procedure=code,
        charge=Decimal(charge),
        modifiers=list(modifiers),
        units=Decimal(units),
        diagnosis_pointers=list(pointers),
        service_date=day,
    )


def clean_claim(
    *lines: ClaimLine,
    claim_id: str = "C-1001",
    coverage: Coverage | None = None,
    diagnoses: Sequence[str] = ("E11.9", "I10"),
) -> Claim:
    """A claim with every field an 837P needs."""
    provider = attrs.evolve(example_provider(), address=OFFICE)
    patient = attrs.evolve(example_patient(), address=OFFICE)
    return Claim(
        id=claim_id,
        patient=patient,
        coverage=coverage or payer_coverage(),
        billing_provider=provider,
        rendering_provider=provider,
        place_of_service="11",
        diagnoses=list(diagnoses),
        lines=list(lines) or [line("1", "99214", "210.00")],
    )
