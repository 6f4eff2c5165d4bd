"""Small builders for pricing tests: claims, lines, and the cent rounding written out."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pendulum

from medbill import (
    Claim,
    ClaimId,
    ClaimLine,
    Patient,
    PatientId,
    PersonName,
    Provider,
    ProviderKind,
    Sex,
)

DOS = pendulum.date(2025, 3, 4)


def cents(amount: Decimal) -> Decimal:
    """Round half-up to the cent, written here independently of medbill._money."""
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def provider(kind: ProviderKind = ProviderKind.PHYSICIAN) -> Provider:
    if kind is ProviderKind.ORGANIZATION:
        return Provider(npi="1234567893", name="Lakeside Clinic", kind=kind)
    return Provider(npi="1234567893", name="Osler", first_name="William", kind=kind)


def line(
    line_id: str,
    code: str,
    *,
    charge: str = "9999.00",  # above every fee: Medicare's lesser-of picks the fee
    modifiers: Sequence[str] = (),
    units: int | str = 1,
    day: pendulum.Date = DOS,
    **extra: Any,
) -> ClaimLine:
    return ClaimLine(
        line_id=line_id,
        procedure=code,
        charge=Decimal(charge),
        diagnosis_pointers=(1,),
        service_date=day,
        modifiers=tuple(modifiers),
        units=Decimal(units),
        **extra,
    )


def claim(
    *lines: ClaimLine,
    place_of_service: str = "11",
    kind: ProviderKind = ProviderKind.PHYSICIAN,
    claim_id: str = "c-1",
) -> Claim:
    patient = Patient(
        id=PatientId("MRN-1"),
        name=PersonName(family="Doe", given="Jane"),
        birth_date=pendulum.date(1950, 1, 2),
        sex=Sex.FEMALE,
    )
    return Claim(
        id=ClaimId(claim_id),
        patient=patient,
        coverage=None,
        billing_provider=provider(),
        rendering_provider=provider(kind),
        place_of_service=place_of_service,
        diagnoses=["M17.11"],
        lines=lines,
    )
