"""Small, fixed example entities for the claims tests.

Not public API: the testing kit (``medbill.testing``) is the supported way to build
entities in tests. These exist so each docstring example stays a few lines long.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pendulum

from medbill._common import ClaimId, CoverageId, EncounterId, PatientId, PayerId, Period, PersonName
from medbill._encounter import Claim, ClaimLine, Encounter, ServiceLine
from medbill._parties import Coverage, Patient, Payer, PayerKind, Priority, Provider, ProviderKind
from medbill.codes import Npi

__all__ = [
    "example_claim",
    "example_coverage",
    "example_encounter",
    "example_patient",
    "example_provider",
]

DATE_OF_SERVICE = pendulum.date(2025, 3, 4)
YEAR_START = pendulum.date(2025, 1, 1)


def example_patient() -> Patient:
    """A patient, MRN-1001."""
    return Patient(
        id=PatientId("MRN-1001"),
        name=PersonName(family="Doe", given="Jane"),
        birth_date=pendulum.date(1960, 5, 17),
        sex="F",
    )


def example_provider(npi: str = "1234567893") -> Provider:
    """A physician with a tax id (so it can bill)."""
    return Provider(
        npi=Npi(npi),
        name="Osler",
        first_name="William",
        kind=ProviderKind.PHYSICIAN,
        tax_id="123456789",
    )


def example_coverage(
    *,
    priority: str = "primary",
    payer_id: str = "aetna",
    kind: str = "commercial",
    start: pendulum.Date = YEAR_START,
    end: pendulum.Date | None = None,
) -> Coverage:
    """A coverage of MRN-1001."""
    return Coverage(
        id=CoverageId(f"cov-{payer_id}"),
        patient_id=PatientId("MRN-1001"),
        payer=Payer(id=PayerId(payer_id), name=payer_id.title(), kind=PayerKind(kind)),
        member_id="W123456789",
        priority=Priority(priority),
        effective=Period(start, end),
    )


def example_encounter() -> Encounter:
    """An office visit with a blood draw on 2025-03-04."""
    return Encounter(
        id=EncounterId("enc-1"),
        patient_id=PatientId("MRN-1001"),
        service_date=DATE_OF_SERVICE,
        place_of_service="11",
        rendering_provider=example_provider(),
        billing_provider=example_provider(),
        diagnoses=["E11.9", "I10"],
        lines=[
            ServiceLine(procedure="99214", charge=Decimal("200.00"), diagnosis_pointers=[1, 2]),
            ServiceLine(procedure="36415", charge=Decimal("10.00"), diagnosis_pointers=[1]),
        ],
    )


def example_claim(
    *,
    claim_id: str = "C-1001",
    modifiers: Sequence[str] = (),
    codes: Sequence[str] = ("99214",),
    charges: Sequence[Decimal] = (Decimal("210.00"),),
    coverage: Coverage | None = None,
    service_date: pendulum.Date = DATE_OF_SERVICE,
) -> Claim:
    """A claim of MRN-1001 to Aetna with one line per code."""
    return Claim(
        id=ClaimId(claim_id),
        patient=example_patient(),
        coverage=coverage or example_coverage(),
        billing_provider=example_provider(),
        rendering_provider=example_provider(),
        place_of_service="11",
        diagnoses=["E11.9"],
        lines=[
            ClaimLine(
                line_id=str(number),
                procedure=code,
                charge=charge,
                modifiers=list(modifiers),
                diagnosis_pointers=[1],
                service_date=service_date,
            )
            for number, (code, charge) in enumerate(zip(codes, charges, strict=True), start=1)
        ],
    )
