"""Pricing benchmark (not a test): prints figures, asserts nothing.

    MEDBILL_REFERENCE=/work/shared/reference .venv/bin/python benchmarks/pricing.py

1. Load the full CY2025 PPRRVU and GPCI files (goal: under 1 s).
2. Price 100,000 lines in 10-line claims, single-threaded, over a realistic mix of office
   visits, imaging with components, therapy units, surgery with modifiers and several
   localities and places of service (goal: at least 100,000 lines/s).
"""

from __future__ import annotations

import os
import random
import time
from decimal import Decimal
from pathlib import Path

import pendulum

from medbill import (
    Claim,
    ClaimId,
    ClaimLine,
    Patient,
    PatientId,
    Period,
    PersonName,
    Provider,
    Sex,
)
from medbill.fees import (
    CarveOut,
    Contract,
    FixedRate,
    Locality,
    MedicareFeeSchedule,
    PercentOfBilled,
    PercentOfMedicare,
)

REFERENCE = Path(os.environ.get("MEDBILL_REFERENCE", "../shared/reference"))
MIX: list[tuple[str, tuple[str, ...], int]] = [
    ("99213", (), 1),
    ("99214", (), 1),
    ("99215", (), 1),
    ("99203", (), 1),
    ("36415", (), 1),
    ("93000", (), 1),
    ("71046", (), 1),
    ("71046", ("26",), 1),
    ("70450", (), 1),
    ("74177", ("26",), 1),
    ("97110", (), 2),
    ("97140", (), 1),
    ("97530", (), 2),
    ("20610", (), 1),
    ("20610", ("50",), 1),
    ("11042", (), 1),
    ("64483", (), 1),
    ("G0439", (), 1),
    ("99232", (), 1),
    ("J1100", (), 1),
]
LOCALITIES = ["10112-00", "13202-01", "01112-75", "06102-99", "02102-01"]


def build_claims(count: int, rng: random.Random) -> list[Claim]:
    patient = Patient(
        id=PatientId("MRN-1"),
        name=PersonName(family="Doe", given="Jane"),
        birth_date=pendulum.date(1950, 1, 2),
        sex=Sex.FEMALE,
    )
    doctor = Provider(npi="1234567893", name="Osler", first_name="William")
    day = pendulum.date(2025, 4, 1)
    claims = []
    for number in range(count):
        lines = []
        for index in range(10):
            code, mods, units = rng.choice(MIX)
            lines.append(
                ClaimLine(
                    line_id=str(index + 1),
                    procedure=code,
                    charge=Decimal("100.00"),
                    diagnosis_pointers=(1,),
                    service_date=day,
                    modifiers=mods,
                    units=Decimal(units),
                )
            )
        claims.append(
            Claim(
                id=ClaimId(f"c-{number}"),
                patient=patient,
                coverage=None,
                billing_provider=doctor,
                place_of_service=rng.choice(["11", "11", "11", "22"]),
                diagnoses=["M17.11"],
                lines=lines,
            )
        )
    return claims


def main() -> None:
    folder = REFERENCE / "cms-pfs-2025"
    start = time.perf_counter()
    schedule = MedicareFeeSchedule.from_cms_files(
        folder / "PPRRVU25_JAN.csv", folder / "GPCI2025.csv"
    )
    load = time.perf_counter() - start
    print(f"load PPRRVU25_JAN + GPCI2025: {load:.3f} s ({schedule!r})")

    rng = random.Random(2025)
    claims = build_claims(10_000, rng)
    localities = [Locality.parse(x) for x in LOCALITIES]
    plan = [(claim, rng.choice(localities)) for claim in claims]
    start = time.perf_counter()
    total = Decimal(0)
    for claim, locality in plan:
        total += schedule.price_claim(claim, locality=locality).total
    elapsed = time.perf_counter() - start
    lines = 10 * len(claims)
    print(
        f"price_claim: {lines:,} lines in {len(claims):,} claims: {elapsed:.3f} s "
        f"= {lines / elapsed:,.0f} lines/s (total allowed {total})"
    )

    contract = Contract(
        payer_id="acme",
        name="Acme PPO 2025",
        effective=Period(pendulum.date(2025, 1, 1), pendulum.date(2025, 12, 31)),
        terms=[
            CarveOut(codes=["J0000-J9999"], percent_of_billed="0.60"),
            FixedRate(codes=["99213"], amount="95.00"),
            PercentOfMedicare(schedule=schedule, percent="1.40", locality=localities[0]),
            PercentOfBilled(percent="0.50"),
        ],
        lesser_of_billed=True,
    )
    start = time.perf_counter()
    for claim, _ in plan:
        contract.expected_allowed(claim)
    elapsed = time.perf_counter() - start
    print(
        f"Contract.expected_allowed: {lines:,} lines: {elapsed:.3f} s "
        f"= {lines / elapsed:,.0f} lines/s"
    )

    start = time.perf_counter()
    day = pendulum.date(2025, 4, 1)
    for index in range(lines):
        code, mods, units = MIX[index % len(MIX)]
        schedule.price_line(
            code,
            locality=localities[index % 5],
            place_of_service="11",
            date_of_service=day,
            modifiers=mods,
            units=units,
        )
    elapsed = time.perf_counter() - start
    print(f"price_line: {lines:,} lines: {elapsed:.3f} s = {lines / elapsed:,.0f} lines/s")


if __name__ == "__main__":
    main()
