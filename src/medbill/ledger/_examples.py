"""Small example entities for the ledger's docstrings, tests and benchmark.

Not public API: the documentation page builds the same objects step by step.
"""

from __future__ import annotations

from decimal import Decimal

import pendulum

from medbill._common import ClaimId, Period, PersonName, Sex
from medbill._encounter import Claim, ClaimLine
from medbill._parties import Coverage, Patient, Payer, PayerKind, Priority, Provider, ProviderKind
from medbill._payment import Adjustment, ClaimPayment, LinePayment, Remittance
from medbill.codes import Npi

__all__ = [
    "example_claim",
    "example_coverage",
    "example_patient",
    "example_remittance",
]

DAY_OF_SERVICE = pendulum.date(2025, 3, 4)


def example_patient(patient_id: str = "MRN-1") -> Patient:
    """A patient with made-up identifiers."""
    return Patient(
        id=patient_id,
        name=PersonName(family="Doe", given="Jane"),
        birth_date=pendulum.date(1980, 1, 1),
        sex=Sex.FEMALE,
    )


def example_coverage(
    patient_id: str = "MRN-1",
    payer_id: str = "acme",
    priority: Priority = Priority.PRIMARY,
    coverage_id: str | None = None,
) -> Coverage:
    """A commercial coverage of ``patient_id`` with ``payer_id`` at ``priority``."""
    return Coverage(
        id=coverage_id or f"{patient_id}-{payer_id}-{priority.value}",
        patient_id=patient_id,
        payer=Payer(id=payer_id, name=f"{payer_id.title()} Health", kind=PayerKind.COMMERCIAL),
        member_id="XYZ123456789",
        priority=priority,
        effective=Period(pendulum.date(2025, 1, 1)),
    )


_DEFAULT = object()


def example_claim(
    claim_id: str = "C-1",
    patient_id: str = "MRN-1",
    coverage: Coverage | object | None = _DEFAULT,
    charges: tuple[Decimal, ...] = (Decimal("150.00"), Decimal("50.00")),
    day: pendulum.Date = DAY_OF_SERVICE,
) -> Claim:
    """A claim with one line per charge (99213, then 36415, 99214, ...) on ``day``."""
    procedures = ("99213", "36415", "99214", "80053")
    return Claim(
        id=claim_id,
        patient=example_patient(patient_id),
        coverage=example_coverage(patient_id) if coverage is _DEFAULT else coverage,  # type: ignore[arg-type]
        billing_provider=Provider(
            npi=Npi("1234567893"), name="Springfield Clinic", kind=ProviderKind.ORGANIZATION
        ),
        place_of_service="11",
        diagnoses=["E11.9"],
        lines=(
            ClaimLine(
                line_id=str(number),
                procedure=procedures[(number - 1) % len(procedures)],
                charge=charge,
                diagnosis_pointers=[1],
                service_date=day,
            )
            for number, charge in enumerate(charges, start=1)
        ),
    )


def example_remittance() -> Remittance:
    """Acme pays claim C-1: line 1 100.00 (CO-45 30.00, PR-2 20.00), line 2 20.00
    (CO-45 20.00, PR-2 10.00)."""
    co, pr = "CO", "PR"
    return Remittance(
        id="EFT-0001",
        payer_name="Acme Health",
        payment_amount=Decimal("120.00"),
        paid_on=pendulum.date(2025, 4, 1),
        method="ACH",
        claim_payments=(
            ClaimPayment(
                claim_id=ClaimId("C-1"),
                status="1",
                charge=Decimal("200.00"),
                paid=Decimal("120.00"),
                patient_responsibility=Decimal("30.00"),
                lines=(
                    LinePayment(
                        line_id="1",
                        procedure="99213",
                        charge=Decimal("150.00"),
                        paid=Decimal("100.00"),
                        adjustments=(
                            Adjustment(group=co, reason="45", amount=Decimal("30.00")),
                            Adjustment(group=pr, reason="2", amount=Decimal("20.00")),
                        ),
                    ),
                    LinePayment(
                        line_id="2",
                        procedure="36415",
                        charge=Decimal("50.00"),
                        paid=Decimal("20.00"),
                        adjustments=(
                            Adjustment(group=co, reason="45", amount=Decimal("20.00")),
                            Adjustment(group=pr, reason="2", amount=Decimal("10.00")),
                        ),
                    ),
                ),
            ),
        ),
    )
