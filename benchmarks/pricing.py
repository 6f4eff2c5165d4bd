"""Pricing benchmark (not a test): prints figures next to the pre-change code's, asserts
nothing.

    MEDBILL_REFERENCE=/work/shared/reference .venv/bin/python benchmarks/pricing.py

1. Load the CY2025 PPRRVU and GPCI files, and every release CY2020-CY2025 of the
   reference folder (2020-2023 D, 2024 A/AR/B/C, 2025 A; goal: under 2 s). The pre-change
   code cannot hold several releases: its figure is the sum of loading each file alone.
2. Price 100,000 lines in 10-line claims, single-threaded, over a realistic mix of office
   visits, imaging with components, therapy units, surgery with modifiers and several
   localities and places of service: on CY2025 alone, and with every release loaded and
   dates of service spread over CY2024 and CY2025 (goal: at least 150,000 lines/s).
3. Contract.expected_allowed and price_line on the same lines.

Figures are CPU seconds of this process (the machine may be shared; wall-clock time is
printed too). The pre-change figures come from the same script run on the commit named
by MEDBILL_BASELINE_REF (see benchmarks/_baseline.py), in the same run: the commit
issue 12 started from (before any of its work) by default; MEDBILL_BASELINE_REF=dd0f31a
compares with the code before the speed work (several releases loaded there too).
"""

from __future__ import annotations

import gc
import json
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pendulum
from _baseline import baseline, is_child, show

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


DAYS_2025 = [pendulum.date(2025, 4, 1)]
# one day in each CY2024 release (A, AR, B, C) and in CY2025
DAYS_SPREAD = [
    pendulum.date(2024, 2, 6),
    pendulum.date(2024, 3, 19),
    pendulum.date(2024, 5, 7),
    pendulum.date(2024, 9, 10),
    pendulum.date(2025, 4, 1),
]


def releases() -> list[tuple[Path, Path]]:
    """Every (PPRRVU, GPCI) pair of the reference folder, CY2020 to CY2025."""
    pairs = []
    for year in range(2020, 2025):
        folder = REFERENCE / "arkrvu-cms-pfs" / f"rvu_source_{year}"
        for rvu in sorted(folder.glob("pprrvu_rvu*.csv")):
            pairs.append((rvu, folder / f"gpci_{rvu.stem.split('_')[1]}.csv"))
    folder = REFERENCE / "cms-pfs-2025"
    pairs.append((folder / "PPRRVU25_JAN.csv", folder / "GPCI2025.csv"))
    return pairs


def timed(work: Any) -> tuple[float, float, Any]:
    """(CPU seconds, wall seconds, result) of ``work()``.

    The garbage of building the inputs (100,000 claim lines just made) is collected
    first, in both trees: otherwise a full collection it triggers lands inside the timed
    pass, which measures the set-up rather than pricing (``timeit`` turns GC off for the
    same reason; here it stays on during the pass).
    """
    gc.collect()
    start, cpu = time.perf_counter(), time.process_time()
    result = work()
    return time.process_time() - cpu, time.perf_counter() - start, result


def build_claims(
    count: int, rng: random.Random, days: list[pendulum.Date] = DAYS_2025
) -> list[Claim]:
    patient = Patient(
        id=PatientId("MRN-1"),
        name=PersonName(family="Doe", given="Jane"),
        birth_date=pendulum.date(1950, 1, 2),
        sex=Sex.FEMALE,
    )
    doctor = Provider(npi="1234567893", name="Osler", first_name="William")
    claims = []
    for number in range(count):
        day = days[number % len(days)]
        lines = []
        for index in range(10):
            code, mods, units = rng.choice(MIX)
            lines.append(
                ClaimLine(
                    line_id=str(index + 1),
                    procedure=code,
                    charge=Decimal("900.00"),
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


def measure() -> dict[str, Any]:
    """Every figure this script reports, as CPU seconds or lines per CPU second."""
    figures: dict[str, Any] = {}
    folder = REFERENCE / "cms-pfs-2025"
    cpu, wall, schedule = timed(
        lambda: MedicareFeeSchedule.from_cms_files(
            folder / "PPRRVU25_JAN.csv", folder / "GPCI2025.csv"
        )
    )
    figures["load_2025"] = (cpu, wall)
    pairs = releases()
    several: MedicareFeeSchedule | None
    try:
        cpu, wall, several = timed(lambda: MedicareFeeSchedule.from_cms_files(pairs))
    except Exception:  # code before issue 12 cannot hold several: one schedule per file
        cpu, wall, _ = timed(lambda: [MedicareFeeSchedule.from_cms_files(r, g) for r, g in pairs])
        several = None
    figures["load_all"] = (cpu, wall)

    rng = random.Random(2025)
    localities = [Locality.parse(x) for x in LOCALITIES]

    def price_all(target: MedicareFeeSchedule, plan: list[tuple[Claim, Locality]]) -> Decimal:
        total = Decimal(0)
        for claim, locality in plan:
            total += target.price_claim(claim, locality=locality).total
        return total

    plan = [(claim, rng.choice(localities)) for claim in build_claims(10_000, rng)]
    lines = 10 * len(plan)
    cpu, wall, _ = timed(lambda: price_all(schedule, plan))
    figures["price_claim_2025"] = (lines / cpu, lines / wall)
    if several is not None:
        spread = [(c, rng.choice(localities)) for c in build_claims(10_000, rng, DAYS_SPREAD)]
        cpu, wall, _ = timed(lambda: price_all(several, spread))
        figures["price_claim_years"] = (lines / cpu, lines / wall)

    contract = Contract(
        payer_id="acme",
        name="Acme PPO 2025",
        effective=Period(pendulum.date(2025, 1, 1), pendulum.date(2025, 12, 31)),
        terms=[
            CarveOut(codes=["J0000-J9999"], billed_rate="0.60"),
            FixedRate(codes=["99213"], amount="95.00"),
            PercentOfMedicare(schedule=schedule, rate="1.40", locality=localities[0]),
            PercentOfBilled(rate="0.50"),
        ],
        lesser_of_billed=True,
    )
    cpu, wall, _ = timed(lambda: [contract.expected_allowed(claim) for claim, _ in plan])
    figures["expected_allowed"] = (lines / cpu, lines / wall)

    day = pendulum.date(2025, 4, 1)

    def each_line() -> None:
        for index in range(lines):
            code, mods, units = MIX[index % len(MIX)]
            schedule.price_line(
                code,
                locality=localities[index % 5],
                place_of_service="11",
                service_date=day,
                modifiers=mods,
                units=units,
            )

    cpu, wall, _ = timed(each_line)
    figures["price_line"] = (lines / cpu, lines / wall)
    return figures


def main() -> None:
    if is_child():
        print(json.dumps(measure()))
        return
    before = baseline(__file__) or {}
    now = measure()

    def was(name: str) -> float | None:
        value = before.get(name)
        return None if value is None else float(value[0])

    print(f"(CPU figures; wall-clock in brackets. Baseline: {'found' if before else 'absent'})")
    for name, label, unit, goal in [
        ("load_2025", "load PPRRVU25_JAN + GPCI2025", "s", "< 1 s"),
        ("load_all", "load CY2020-CY2025 (9 releases)", "s", "< 2 s"),
        ("price_claim_2025", "price_claim, CY2025 only", "lines/s", ">= 150,000"),
        ("price_claim_years", "price_claim, 9 releases, 5 release periods", "lines/s",
         ">= 150,000; before issue 12: CY2025 only, it cannot load several"),
        ("expected_allowed", "Contract.expected_allowed", "lines/s", "-"),
        ("price_line", "price_line", "lines/s", "-"),
    ]:  # fmt: skip
        cpu, wall = now[name]
        previous = was(name)
        if name == "price_claim_years" and previous is None:
            previous = was("price_claim_2025")
        show(f"{label} [{wall:,.3f} wall]" if unit == "s" else f"{label} [{wall:,.0f} wall]",
             cpu, previous, unit, goal)  # fmt: skip


if __name__ == "__main__":
    main()
