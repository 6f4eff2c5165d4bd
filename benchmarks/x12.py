"""Parse throughput and memory of the 835 reader on generated files of the kind payers send.

Each claim has NM1*QC and DTM*050, each of its 1-4 service lines SVC, DTM*472, CAS,
REF*6R and AMT*B6. Every parser runs in a fresh process; the figures are claims/s,
MB/s and peak RSS, printed next to the baselines of the same run (issue 15):

1. a 20,000-claim file read by medbill (``iter_835``, validated ``Remittance`` objects;
   and ``stream_835_file``, claim by claim),
   by a naive loop (split on ``~`` and ``*``, ``Decimal`` of CLP03/04 and SVC02/03 only)
   and by pyx12's loop reader (``--pyx12-claims`` limits it to a slice: it is slow);
2. peak RSS for 100,000 claims in 1,000 transaction sets and in one, read claim by claim
   (``stream_835`` from the path, and from ``bytes`` held in memory) and, for 1,000
   sets, per transaction set (``iter_835``).

Times are the best of ``--repeat`` runs, CPU time (``time.process_time``) and wall time;
the ratios are given for both (the machine may be shared).

    .venv/bin/python benchmarks/x12.py                  # the figures above
    .venv/bin/python benchmarks/x12.py --compare        # plus pyx12 segments, linuxforhealth
    .venv/bin/python benchmarks/x12.py --compare --other-python /path/to/lfh-venv/bin/python
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

CLAIMS_PER_SET = 100
PROCEDURES = ["99213", "99214", "99203", "80053", "85025", "93000", "71046", "20610", "J1030"]


def generate(
    path: Path,
    claims: int,
    seed: int = 7,
    *,
    payer_contact: bool = True,
    claims_per_set: int = CLAIMS_PER_SET,
) -> None:
    """Write a balanced, valid 005010X221A1 835 with ``claims`` claims.

    ``payer_contact=False`` leaves out the payer's PER segment (required by the guide),
    which linuxforhealth-x12 0.57 cannot read.
    """
    rng = random.Random(seed)
    out: list[str] = [
        "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PROVIDER       "
        "*250401*1200*^*00501*000000001*0*P*:~",
        "GS*HP*PAYER*PROVIDER*20250401*1200*1*X*005010X221A1~",
    ]
    sets = 0
    for first in range(0, claims, claims_per_set):
        sets += 1
        body: list[str] = []
        total = 0
        for number in range(first, min(first + claims_per_set, claims)):
            lines = []
            claim_charge = claim_paid = claim_pr = 0
            for line_no in range(1, rng.randint(1, 4) + 1):
                charge = rng.randint(5_000, 40_000)
                contractual = rng.randint(0, charge // 3)
                pr = rng.randint(0, (charge - contractual) // 4)
                paid = charge - contractual - pr
                claim_charge += charge
                claim_paid += paid
                claim_pr += pr
                procedure = rng.choice(PROCEDURES)
                lines += [
                    f"SVC*HC:{procedure}:25*{charge / 100:.2f}*{paid / 100:.2f}**1~",
                    "DTM*472*20250304~",
                    f"CAS*CO*45*{contractual / 100:.2f}~" if contractual else "",
                    f"CAS*PR*2*{pr / 100:.2f}~" if pr else "",
                    f"REF*6R*{line_no}~",
                    f"AMT*B6*{(charge - contractual) / 100:.2f}~",
                ]
            total += claim_paid
            body.append(
                f"CLP*C{number:07d}*1*{claim_charge / 100:.2f}*{claim_paid / 100:.2f}"
                f"*{claim_pr / 100:.2f}*12*PCN{number:09d}*11*1~"
            )
            body.append(f"NM1*QC*1*PATIENT*TEST****MI*M{number:09d}~")
            body.append("DTM*050*20250320~")
            body.extend(line for line in lines if line)
        header = [
            f"ST*835*{sets:04d}~",
            f"BPR*I*{total / 100:.2f}*C*CHK************20250401~",
            f"TRN*1*CHK{sets:06d}*1512345678~",
            "DTM*405*20250331~",
            "N1*PR*ACME HEALTH~",
            "N3*PO BOX 1~",
            "N4*CHICAGO*IL*60601~",
            "REF*2U*60054~",
            *(["PER*BL**TE*8005550100~"] if payer_contact else []),
            "N1*PE*SPRINGFIELD FAMILY MEDICINE*XX*1234567893~",
            "LX*1~",
        ]
        out.extend(header)
        out.extend(body)
        out.append(f"SE*{len(header) + len(body) + 1}*{sets:04d}~")
    out.append(f"GE*{sets}*1~")
    out.append("IEA*1*000000001~")
    path.write_text("\n".join(out) + "\n")


def run_medbill(path: Path) -> Callable[[], int]:
    from medbill.x12 import iter_835

    return lambda: sum(len(era.claim_payments) for era in iter_835(path))


def run_medbill_stream(path: Path) -> Callable[[], int]:
    # Claim by claim (stream_835), from the path: flat memory inside a transaction set.
    from medbill.x12._reader835 import stream_835_file

    return lambda: sum(sum(1 for _ in stream) for stream in stream_835_file(path))


def run_medbill_stream_bytes(path: Path) -> Callable[[], int]:
    # The same from bytes held in memory (the input itself counts in the peak RSS).
    from medbill.x12 import stream_835

    def work() -> int:
        data = path.read_bytes()
        return sum(sum(1 for _ in stream) for stream in stream_835(data))

    return work


def run_naive(path: Path) -> Callable[[], int]:
    # The floor: split the text and sum CLP and SVC amounts as Decimals, checking nothing.
    from decimal import Decimal

    def work() -> int:
        claims = 0
        charged = paid = Decimal(0)
        for raw in path.read_text().split("~"):
            elements = raw.strip().split("*")
            if elements[0] == "CLP":
                claims += 1
                charged += Decimal(elements[3])
                paid += Decimal(elements[4])
            elif elements[0] == "SVC":
                charged -= Decimal(elements[2])
                paid -= Decimal(elements[3])
        return claims

    return work


def run_pyx12(path: Path) -> Callable[[], int]:
    # pyx12's map-driven reader: one loop-2100 tree (a claim with its lines) at a time.
    import pyx12.error_handler
    import pyx12.params
    import pyx12.x12context

    def work() -> int:
        reader = pyx12.x12context.X12ContextReader(
            pyx12.params.params(), pyx12.error_handler.errh_null(), str(path)
        )
        return sum(1 for node in reader.iter_segments("2100") if node.id == "2100")

    return work


def run_pyx12_segments(path: Path) -> Callable[[], int]:
    # pyx12's bare segment reader: tokenizing only, no objects, no loops.
    import pyx12.x12file

    return lambda: sum(1 for s in pyx12.x12file.X12Reader(str(path)) if s.get_seg_id() == "CLP")


def run_linuxforhealth(path: Path) -> Callable[[], int]:
    # Needs pydantic 1: run with --other-python pointing at a virtualenv that has it.
    from linuxforhealth.x12.io import X12ModelReader

    def work() -> int:
        claims = 0
        with X12ModelReader(str(path)) as reader:
            for model in reader.models():
                claims += sum(len(header.loop_2100) for header in model.loop_2000 or [])
        return claims

    return work


RUNNERS = {
    "medbill": run_medbill,
    "medbill stream_835 (path)": run_medbill_stream,
    "medbill stream_835 (bytes)": run_medbill_stream_bytes,
    "naive split+Decimal": run_naive,
    "pyx12 (loops)": run_pyx12,
    "pyx12 (segments)": run_pyx12_segments,
    "linuxforhealth-x12": run_linuxforhealth,
}


def peak_rss_mb() -> float:
    """The process's peak resident set (VmHWM; ru_maxrss would include the parent's)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(name: str, path: Path) -> None:
    work = RUNNERS[name](path)  # imports happen here, outside the timing
    start, cpu = time.perf_counter(), time.process_time()
    claims = work()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(json.dumps({"claims": claims, "seconds": seconds, "cpu": cpu, "peak_mb": peak_rss_mb()}))


def measure(
    name: str, path: Path, python: str = sys.executable, repeat: int = 1
) -> dict[str, float] | None:
    """Run ``name`` on ``path`` ``repeat`` times, each in a fresh process; the best times."""
    runs: list[dict[str, float]] = []
    for _ in range(repeat):
        result = subprocess.run(
            [python, __file__, "--child", name, str(path)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            print(f"{name:26s} failed: {result.stderr.strip().splitlines()[-1:]}")
            return None
        runs.append(json.loads(result.stdout))
    figures = {
        "claims": runs[0]["claims"],
        "seconds": min(run["seconds"] for run in runs),
        "cpu": min(run.get("cpu", run["seconds"]) for run in runs),
        "peak_mb": max(run["peak_mb"] for run in runs),
    }
    size_mb = path.stat().st_size / 1e6
    print(
        f"{name:26s} {figures['claims']:>8,d} claims  CPU {figures['cpu']:6.2f} s "
        f"{figures['claims'] / figures['cpu']:>8,.0f} claims/s  wall {figures['seconds']:6.2f} s "
        f"{figures['claims'] / figures['seconds']:>8,.0f} claims/s "
        f"{size_mb / figures['cpu']:5.2f} MB/s  peak RSS {figures['peak_mb']:6.1f} MB"
    )
    return figures


def _rate(figures: dict[str, float] | None, key: str = "cpu") -> float:
    return figures["claims"] / figures[key] if figures else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--claims", type=int, default=20_000)
    parser.add_argument("--memory-claims", type=int, default=100_000)
    parser.add_argument("--pyx12-claims", type=int, default=2_000)
    parser.add_argument("--compare", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="runs per parser (best taken)")
    parser.add_argument("--child", nargs=2, metavar=("PARSER", "PATH"))
    parser.add_argument(
        "--other-python",
        default=sys.executable,
        help="interpreter for linuxforhealth-x12 (it needs pydantic 1, so its own virtualenv)",
    )
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "realistic.835"
        generate(path, args.claims)
        print(f"1. file: {args.claims:,d} claims, {path.stat().st_size / 1e6:.1f} MB")
        ours = measure("medbill", path, repeat=args.repeat)
        measure("medbill stream_835 (path)", path, repeat=args.repeat)
        naive = measure("naive split+Decimal", path, repeat=args.repeat)
        small = Path(folder) / "slice.835"
        generate(small, args.pyx12_claims)
        print(f"   pyx12 on a {args.pyx12_claims:,d}-claim slice of the same kind")
        pyx12 = measure("pyx12 (loops)", small, repeat=max(1, args.repeat - 1))
        for key, label in (("cpu", "CPU"), ("seconds", "wall")):
            print(
                f"   {label}: medbill is {_rate(naive, key) / _rate(ours, key):.1f}x slower than "
                f"the naive loop (goal <= 3x) and {_rate(ours, key) / _rate(pyx12, key):.0f}x "
                "faster than pyx12 (goal >= 40x)"
            )
        for sets in (1_000, 1):
            big = Path(folder) / f"memory-{sets}.835"
            generate(big, args.memory_claims, claims_per_set=args.memory_claims // sets)
            print(
                f"2. {args.memory_claims:,d} claims in {sets:,d} transaction set(s), "
                f"{big.stat().st_size / 1e6:.1f} MB"
            )
            measure("medbill", big)  # iter_835 holds one transaction set's remittance whole
            measure("medbill stream_835 (path)", big)
            measure("medbill stream_835 (bytes)", big)
            big.unlink()
        if args.compare:
            lean = Path(folder) / "lean.835"
            generate(lean, args.pyx12_claims, payer_contact=False)
            print(
                f"slice: {args.pyx12_claims:,d} claims without PER "
                "(which linuxforhealth-x12 cannot read)"
            )
            for name in ("pyx12 (segments)", "linuxforhealth-x12"):
                python = args.other_python if name == "linuxforhealth-x12" else sys.executable
                measure(name, lean, python)


if __name__ == "__main__":
    main()
