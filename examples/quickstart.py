"""End-to-end quickstart: a patient, coverage, encounter and claim, validated, as JSON.

Run it with ``make demo`` (creates the virtual environment when missing).
"""

from __future__ import annotations

import sys
from decimal import Decimal

import pendulum

from medbill import (
    Address,
    Benefits,
    Claim,
    ClaimLine,
    Copay,
    Coverage,
    Encounter,
    Patient,
    Payer,
    PayerKind,
    Period,
    PersonName,
    Priority,
    Provider,
    ProviderKind,
    ServiceCategory,
    ServiceLine,
    Sex,
    ValidationError,
)
from medbill.codes import Npi
from medbill.serialize import from_json, to_json


def build_claim() -> Claim:
    """Register a patient and her insurance, capture a visit, and turn it into a claim."""
    patient = Patient(
        id="MRN-1001",
        name=PersonName(family="Rivera", given="Maria"),
        birth_date=pendulum.date(1978, 11, 2),
        sex=Sex.FEMALE,
        address=Address(line1="48 Oak Ave", city="Springfield", state="IL", postal_code="62704"),
    )
    payer = Payer(
        id="bcbs-il",
        name="Blue Cross Blue Shield of Illinois",
        kind=PayerKind.COMMERCIAL,
        x12_payer_id="00621",
    )
    coverage = Coverage(
        id="COV-1001-1",
        patient_id=patient.id,
        payer=payer,
        member_id="XOF884512370",
        group_number="087654",
        priority=Priority.PRIMARY,
        effective=Period(pendulum.date(2025, 1, 1), pendulum.date(2025, 12, 31)),
        benefits=Benefits(
            deductible=Decimal("1500.00"),
            coinsurance=Decimal("0.20"),
            copays=[Copay(category=ServiceCategory.OFFICE_VISIT, amount=Decimal("30.00"))],
            out_of_pocket_max=Decimal("6000.00"),
        ),
    )
    doctor = Provider(
        npi=Npi("1234567893"),
        name="Okafor",
        first_name="Chidi",
        kind=ProviderKind.PHYSICIAN,
        taxonomy="207Q00000X",
        tax_id="371234567",
    )
    visit = Encounter(
        id="ENC-5001",
        patient_id=patient.id,
        service_date=pendulum.date(2025, 3, 4),
        place_of_service="11",
        rendering_provider=doctor,
        billing_provider=doctor,
        diagnoses=["E11.9", "I10"],
        lines=[
            ServiceLine(procedure="99214", charge=Decimal("210.00"), diagnosis_pointers=[1, 2]),
            ServiceLine(procedure="83036", charge=Decimal("45.00"), diagnosis_pointers=[1]),
        ],
    )
    return Claim(
        id="CLM-5001",
        patient=patient,
        coverage=coverage,
        billing_provider=visit.billing_provider,
        rendering_provider=visit.rendering_provider,
        place_of_service=visit.place_of_service,
        diagnoses=visit.diagnoses,
        encounter_id=visit.id,
        lines=[
            ClaimLine(
                line_id=str(n),
                procedure=line.procedure,
                modifiers=line.modifiers,
                units=line.units,
                charge=line.charge,
                diagnosis_pointers=line.diagnosis_pointers,
                service_date=visit.service_date,
            )
            for n, line in enumerate(visit.lines, start=1)
        ],
    )


def main() -> int:
    claim = build_claim()
    text = to_json(claim)
    if from_json(Claim, text) != claim:  # the JSON round trip is lossless
        print("round trip lost information", file=sys.stderr)
        return 1
    print(text)
    print(f"\n{claim!r}"[:160] + " ...", file=sys.stderr)
    print(
        f"claim {claim.id}: {len(claim.lines)} lines, total charge {claim.total_charge}",
        file=sys.stderr,
    )
    try:
        ServiceLine(procedure="9921", charge=Decimal("1.005"), diagnosis_pointers=[0])
    except ValidationError as error:
        print(f"and a bad line is refused with every problem named:\n{error}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
