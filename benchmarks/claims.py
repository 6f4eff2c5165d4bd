"""Claims benchmark (not a test): prints figures, asserts nothing.

    .venv/bin/python benchmarks/claims.py

1. Check 100,000 paid lines (10,000 claims of 10 lines) against a payer contract
   (fixed rates for the common codes, a percentage of billed for the rest) with
   check_payment, in payment terms with the coverage's benefits (20 % coinsurance; goal:
   at least 100,000 lines/s). The pre-change figure comes from the same script run on
   the commit named by MEDBILL_BASELINE_REF (benchmarks/_baseline.py), in the same run.
2. Scrub 10,000 claims (1 to 6 lines) with every built-in rule and small NCCI tables
   loaded (goal: at least 5,000 claims/s).
3. Scrub the same claims with every code set and edit loaded (issue 20; goal: at least
   10,000 claims/s): the CY2025 PPRRVU, the HCPCS Level II file, the modifier lists, the
   ICD-10-CM FY2026 Tabular List, the NCCI add-on code edits, the practitioner MUE table and
   the practitioner PTP edits (the full table when MEDBILL_BENCH_FULL_PTP=1, else the edits
   of every column-1 code the claims bill: the lookups are by pair, so the rest of the
   table costs memory, not time). Baseline in the same run: the twelve rules scrub had
   before issue 20 (``PRE_ISSUE_20_RULES``) with the small tables of 2. The reference
   files are read in place from MEDBILL_REFERENCE (default ../shared/reference).
Single-threaded; building the inputs is not timed. Each figure is given against wall-clock
time and against the process's CPU time (the machine may be shared: the CPU figure is
what the code costs, the wall figure what it cost on this run).
"""

from __future__ import annotations

import csv
import gc
import gzip
import json
import os
import random
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pendulum

from medbill import Adjustment, Benefits, Claim, ClaimLine, ClaimPayment, LinePayment, Period
from medbill.claims import check_payment

try:  # the scrub figures' names; the pre-change tree a baseline child runs lacks some
    from medbill.claims import (
        DEFAULT_RULES,
        CodeSets,
        NcciEdits,
        read_aoc,
        read_mue,
        read_ptp,
        scrub,
    )
except ImportError:  # only the child, which measures check_payment alone, may go on
    if os.environ.get("MEDBILL_BENCH_CHILD") != "1":
        raise
    DEFAULT_RULES = ()
from medbill.codes import Icd10CodeSet
from medbill.fees import Contract, FixedRate, PercentOfBilled
from medbill.testing import make_claim, make_coverage

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _baseline import baseline, is_child, term

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
        term(PercentOfBilled, "rate", "percent", "0.55"),
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
    gc.collect()  # the inputs' first full collection is theirs, not check_payment's
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


PRE_ISSUE_20_RULES = DEFAULT_RULES[:12]  # issue 20 appended its rules after these twelve
REFERENCE = Path(
    os.environ.get(
        "MEDBILL_REFERENCE", Path(__file__).resolve().parents[2] / "shared" / "reference"
    )
)


def _ptp_rows(path: Path, column1: set[str] | None) -> Iterator[str]:
    # The reference copy of the CMS practitioner PTP table is nested (one row per column-1
    # code, deletion date and indicator); unnest it into CMS layout rows. Codes of a shape
    # ProcedureCode does not accept yet (0001A, 0002M) are left out.
    with gzip.open(path, "rt", newline="") as handle:
        for record in csv.DictReader(handle):
            first = record["hcpcs_code"]
            if (column1 is not None and first not in column1) or first[-1] in "AM":
                continue
            deleted = record["ptp_deleted"].replace("-", "")
            deletion = "*" if deleted == "99991231" else deleted
            for second in record["ptp_complements"].split("|"):
                if second[-1] not in "AM":
                    yield f"{first}\t{second}\t\t19960101\t{deletion}\t{record['ptp_mod']}\tx"


def everything_loaded() -> tuple[CodeSets, NcciEdits]:
    codes = REFERENCE / "northstar-cms-codes"
    xml = next(
        p
        for p in (resources.files("simple_icd_10_cm") / "data").iterdir()
        if p.name.endswith(".xml")
    )
    sets = (
        CodeSets()
        .with_pprrvu(REFERENCE / "cms-pfs-2025" / "PPRRVU25_JAN.csv")
        .with_hcpcs(codes / "hcpcs_lvl2.csv", effective=pendulum.date(2024, 7, 1))
        .with_modifier_file(codes / "modifiers.csv")
        .with_modifier_file(codes / "mod_addition.csv")
        .with_icd10(Icd10CodeSet.from_tabular_xml(str(xml)), effective=pendulum.date(2024, 10, 1),
                    through=pendulum.date(2025, 9, 30))
    )  # fmt: skip
    full = os.environ.get("MEDBILL_BENCH_FULL_PTP") == "1"
    ptp = read_ptp(_ptp_rows(codes / "ncci_ptp_prac.csv.gz", None if full else set(CODES)))
    with (codes / "ncci_aoc.csv").open() as aoc, (codes / "ncci_mue_prac.csv").open() as mue:
        ncci = NcciEdits.from_rows(ptp=ptp, aoc=read_aoc(aoc), mue=read_mue(mue))
    return sets, ncci


def _timed(label: str, claims: list[Claim], goal: str, **tables: object) -> None:
    as_of = pendulum.date(2025, 3, 20)
    start, cpu = time.perf_counter(), time.process_time()
    findings = 0
    for claim in claims:
        findings += len(scrub(claim, as_of=as_of, **tables))  # type: ignore[arg-type]
    elapsed, used = time.perf_counter() - start, time.process_time() - cpu
    count = len(claims)
    print(
        f"{label}: {count:,} claims in {elapsed:.2f} s wall = {count / elapsed:,.0f} claims/s;"
        f" {used:.2f} s CPU = {count / used:,.0f} claims/s ({findings:,} findings; {goal})"
    )


def bench_scrub_everything(rng: random.Random) -> None:
    if not REFERENCE.is_dir():
        print(f"scrub with every code set and edit: skipped, {REFERENCE} is absent")
        return
    start = time.perf_counter()
    sets, ncci = everything_loaded()
    pairs = sum(len(v) for v in ncci.ptp.values())
    print(
        f"loaded in {time.perf_counter() - start:.1f} s: {pairs:,} PTP edits, {len(ncci.aoc):,} "
        f"add-on codes, {len(ncci.mue):,} MUEs, PPRRVU/HCPCS/modifiers/ICD-10-CM FY2026"
    )
    claims = [
        make_claim(id=f"S-{n}", lines=claim_lines(rng, rng.randint(1, 6))) for n in range(10_000)
    ]
    small = NcciEdits.from_rows(ptp=read_ptp(PTP), mue=read_mue(MUE))
    _timed("baseline, the 12 pre-issue-20 rules, small tables", claims, "before: 8,265 claims/s CPU",
           ncci=small, rules=PRE_ISSUE_20_RULES)  # fmt: skip
    _timed("scrub, every rule, code set and edit loaded", claims, "goal >= 10,000 claims/s",
           ncci=ncci, code_sets=sets)  # fmt: skip


if __name__ == "__main__":
    if is_child():
        print(json.dumps(bench_check(random.Random(5))))
    else:
        previous = baseline(__file__)
        show_check(bench_check(random.Random(5)), previous)
        bench_scrub(random.Random(6))
        bench_scrub_everything(random.Random(6))
