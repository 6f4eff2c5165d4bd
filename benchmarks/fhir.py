"""FHIR benchmark (not a test): prints figures, asserts nothing.

    .venv/bin/python benchmarks/fhir.py

Converts 2,000 claims (1 to 6 lines, with coverage and rendering provider) to FHIR and back:

1. ``to_fhir(claim)``: the mapping and the fhir.resources (pydantic) validation of the result;
2. ``from_fhir(dict)``: validation of the JSON with fhir.resources, then the mapping with
   every element tracked (for the list of unmapped elements);
3. the baseline in the same run: a naive hand-written mapping of the same claims to a dict
   (id, lines with code, modifiers, units, charge, pointers) and back to ``ClaimLine``
   objects, with no validation and no tracking - what an integrator writes by hand.

Building the inputs is not timed. Wall-clock and process CPU time are both given (the
machine may be shared).
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, and this file would shadow
# the fhir package (fhir.resources) it measures.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import json  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from decimal import Decimal  # noqa: E402
from typing import Any  # noqa: E402

import pendulum  # noqa: E402

from medbill import Claim, ClaimLine  # noqa: E402
from medbill.fhir import from_fhir, to_fhir  # noqa: E402
from medbill.testing import make_claim, make_claim_line, make_provider  # noqa: E402

CODES = ["99213", "99214", "36415", "93000", "71046", "97110", "20610", "G0439"]
COUNT = 2_000


def claims(count: int) -> list[Claim]:
    rng = random.Random(18)
    found = []
    for n in range(count):
        lines = [
            make_claim_line(
                line_id=str(i + 1),
                procedure=rng.choice(CODES),
                charge=Decimal(rng.randint(1_000, 40_000)).scaleb(-2),
                modifiers=rng.choice([(), ("25",), ("59", "RT")]),
                service_date=pendulum.date(2025, 3, 4),
            )
            for i in range(rng.randint(1, 6))
        ]
        found.append(make_claim(id=f"C-{n}", lines=lines, rendering_provider=make_provider()))
    return found


def naive_to_dict(claim: Claim) -> dict[str, Any]:
    return {
        "resourceType": "Claim",
        "id": claim.id,
        "item": [
            {
                "sequence": int(line.line_id),
                "productOrService": {"coding": [{"code": str(line.procedure)}]},
                "modifier": [{"coding": [{"code": str(m)}]} for m in line.modifiers],
                "quantity": {"value": str(line.units)},
                "net": {"value": str(line.charge)},
                "diagnosisSequence": list(line.diagnosis_pointers),
                "servicedDate": line.service_date.to_date_string(),
            }
            for line in claim.lines
        ],
    }


def naive_from_dict(data: dict[str, Any]) -> list[ClaimLine]:
    return [
        ClaimLine(
            line_id=str(item["sequence"]),
            procedure=item["productOrService"]["coding"][0]["code"],
            modifiers=[m["coding"][0]["code"] for m in item["modifier"]],
            units=Decimal(item["quantity"]["value"]),
            charge=Decimal(item["net"]["value"]),
            diagnosis_pointers=item["diagnosisSequence"],
            service_date=pendulum.parse(item["servicedDate"]).date(),  # type: ignore[union-attr]
        )
        for item in data["item"]
    ]


def timed(label: str, work: Callable[[], object], count: int) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{label:<52} {count / wall:>9,.0f} claims/s wall   {count / cpu:>9,.0f} claims/s CPU")


def main() -> None:
    batch = claims(COUNT)
    lines = sum(len(c.lines) for c in batch)
    print(f"{COUNT:,} claims, {lines:,} lines")
    resources = [to_fhir(c) for c in batch]
    documents = [json.loads(r.model_dump_json(), parse_float=Decimal) for r in resources]
    naive = [naive_to_dict(c) for c in batch]
    timed("to_fhir (map + fhir.resources validation)", lambda: [to_fhir(c) for c in batch], COUNT)
    timed(
        "from_fhir(dict) (validation + tracked mapping)",
        lambda: [from_fhir(d) for d in documents],
        COUNT,
    )
    timed(
        "from_fhir(model) (dump + tracked mapping)",
        lambda: [from_fhir(r) for r in resources],
        COUNT,
    )
    timed(
        "baseline: naive dict out (no validation)", lambda: [naive_to_dict(c) for c in batch], COUNT
    )
    timed(
        "baseline: naive dict in, ClaimLine objects",
        lambda: [naive_from_dict(d) for d in naive],
        COUNT,
    )


if __name__ == "__main__":
    main()
