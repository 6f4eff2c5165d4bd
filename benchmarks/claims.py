"""Claims benchmark (not a test): prints figures, asserts nothing.

    .venv/bin/python benchmarks/claims.py

1. Check 100,000 paid lines (10,000 claims of 10 lines) against a payer contract
   (fixed rates for the common codes, a percentage of billed for the rest) with
   check_payment, in payment terms with the coverage's benefits (20 % coinsurance; goal:
   at least 100,000 lines/s). The pre-change figure comes from the same script run on
   the commit named by MEDBILL_BASELINE_REF (benchmarks/_baseline.py), in the same run.
2. Scrub 10,000 claims (1 to 6 lines) with every built-in rule and small NCCI tables
   loaded (goal: at least 5,000 claims/s).
Single-threaded; building the inputs is not timed. Each figure is given against wall-clock
time and against the process's CPU time (the machine may be shared: the CPU figure is
what the code costs, the wall figure what it cost on this run).
"""

from __future__ import annotations

import json
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

import pendulum

from medbill import Adjustment, Benefits, Claim, ClaimLine, ClaimPayment, LinePayment, Period
from medbill.claims import NcciEdits, check_payment, read_mue, read_ptp, scrub
from medbill.fees import Contract, FixedRate, PercentOfBilled
from medbill.testing import make_claim, make_coverage

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _baseline import baseline, is_child

CODES = ["99213", "99214", "36415", "93000", "71046", "97110", "20610", "81002", "G0439", "J1100"]
RATES = {
    "99213": "92.00",
    "99214": "130.00",
    "36415": "3.00",
    "93000": "17.00",
    "71046": "31.00",
    "97110": "29.00",
    "20610": "60.00",
}
CONTRACT = Contract(
    payer_id="acme",
    name="Acme PPO 2025",
    effective=Period(pendulum.date(2025, 1, 1)),
    terms=[
        *(FixedRate(codes=[code], amount=amount) for code, amount in RATES.items()),
        PercentOfBilled(percent="0.55"),
    ],
)
PTP = [
    f"{a}\t{b}\t\t20010101\t*\t1\tMisuse"
    for a, b in [("93000", "93010"), ("20610", "20611"), ("99214", "99211"), ("97110", "97530")]
]
MUE = [
    "36415,2,3 Date of Service Edit: Clinical,CMS Policy",
    "97110,6,3 Date of Service Edit,x",
    "20610,1,1 Line Edit,x",
    "99214,2,3 Date of Service Edit: Clinical,x",
]
DAY = pendulum.date(2025, 3, 4)


def claim_lines(rng: random.Random, count: int) -> list[ClaimLine]:
    lines = []
    for number in range(1, count + 1):
        code = rng.choice(CODES)
        lines.append(
            ClaimLine(
                line_id=str(number),
                procedure=code,
                charge=Decimal(rng.randint(20, 400)),
                diagnosis_pointers=(1,),
                service_date=DAY,
            )
        )
    return lines


def paid(rng: random.Random, claim: Claim) -> ClaimPayment:
    lines = []
    for line in claim.lines:
        rate = RATES.get(str(line.procedure))
        allowed = (
            Decimal(rate) if rate else (line.charge * Decimal("0.55")).quantize(Decimal("0.01"))
        )
        allowed = min(allowed, line.charge)
        if rng.random() < 0.1:
            allowed -= Decimal("1.00")  # an underpayment now and then
        coinsurance = (allowed * Decimal("0.20")).quantize(Decimal("0.01"))
        lines.append(
            LinePayment(
                line_id=line.line_id,
                procedure=line.procedure,
                charge=line.charge,
                paid=allowed - coinsurance,
                service_date=line.service_date,
                adjustments=(
                    Adjustment(group="CO", reason="45", amount=line.charge - allowed),
                    Adjustment(group="PR", reason="2", amount=coinsurance),
                ),
            )
        )
    return ClaimPayment(
        claim_id=claim.id,
        status="1",
        charge=claim.total_charge,
        paid=sum((x.paid for x in lines), Decimal("0.00")),
        patient_responsibility=sum((x.patient_responsibility for x in lines), Decimal("0.00")),
        lines=lines,
    )


def bench_check(rng: random.Random) -> dict[str, float]:
    # the 835s take 20% coinsurance and nothing else: a coverage with those benefits
    coverage = make_coverage(benefits=Benefits(coinsurance=Decimal("0.20")))
    claims = [
        make_claim(id=f"C-{n}", lines=claim_lines(rng, 10), coverage=coverage)
        for n in range(10_000)
    ]
    payments = [paid(rng, claim) for claim in claims]
    start, cpu = time.perf_counter(), time.process_time()
    problems = 0
    for claim, payment in zip(claims, payments, strict=True):
        problems += len(check_payment(claim, payment, CONTRACT).problems)
    elapsed, used = time.perf_counter() - start, time.process_time() - cpu
    lines = sum(len(c.lines) for c in claims)
    return {"wall": lines / elapsed, "cpu": lines / used, "problems": problems}


def show_check(now: dict[str, float], before: dict[str, float] | None) -> None:
    was = "n/a" if before is None else f"{before['cpu']:,.0f}"
    print(
        f"check_payment: 100,000 lines: {now['cpu']:,.0f} lines/s CPU "
        f"[{now['wall']:,.0f} wall] (pre-change {was} lines/s CPU; "
        f"{now['problems']:,.0f} problem lines; goal >= 100,000 lines/s)"
    )


def bench_scrub(rng: random.Random) -> None:
    ncci = NcciEdits.from_rows(ptp=read_ptp(PTP), mue=read_mue(MUE))
    claims = [
        make_claim(id=f"S-{n}", lines=claim_lines(rng, rng.randint(1, 6))) for n in range(10_000)
    ]
    as_of = pendulum.date(2025, 3, 20)
    start, cpu = time.perf_counter(), time.process_time()
    findings = 0
    for claim in claims:
        findings += len(scrub(claim, as_of=as_of, ncci=ncci))
    elapsed, used = time.perf_counter() - start, time.process_time() - cpu
    count = len(claims)
    print(
        f"scrub: {count:,} claims in {elapsed:.2f} s wall = {count / elapsed:,.0f} claims/s;"
        f" {used:.2f} s CPU = {count / used:,.0f} claims/s"
        f" ({findings:,} findings; goal >= 5,000 claims/s)"
    )


if __name__ == "__main__":
    if is_child():
        print(json.dumps(bench_check(random.Random(5))))
    else:
        previous = baseline(__file__)
        show_check(bench_check(random.Random(5)), previous)
        bench_scrub(random.Random(6))
