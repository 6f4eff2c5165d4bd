"""Throughput of the 271 and 277 readers and of the follow-up worklist.

Generates a 271 with N subscribers and a 277 with N claims (default 20,000 each), reads
them with medbill, and prints segments per CPU second (best of ``--repeat`` runs, wall and CPU time) next to a baseline in the same run: the bare
split of the text into segments and elements (what any reader must at least do). Then it
builds N claim workflows on an in-memory ledger and times ``worklist`` against a baseline
loop that only reads each claim's insurance balance.

    .venv/bin/python benchmarks/follow_up.py [--count 20000]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import pendulum

from medbill.claims import ClaimWorkflow, worklist
from medbill.ledger import Ledger, post_charges
from medbill.testing import make_claim
from medbill.x12 import read_271, read_277


def _envelope(kind: str, guide: str, fid: str, body: list[str]) -> str:
    head = (
        "ISA*00*          *00*          *ZZ*PAYER          *ZZ*CLINIC         *250401*1200*^*"
        f"00501*000000001*0*P*:~GS*{fid}*PAYER*CLINIC*20250401*1200*1*X*{guide}~"
        f"ST*{kind}*0001*{guide}~"
    )
    return head + "~".join(body) + f"~SE*{len(body) + 2}*0001~GE*1*1~IEA*1*000000001~"


def make_271(count: int) -> str:
    body = ["BHT*0022*11*R*20250401*1200", "HL*1**20*1", "NM1*PR*2*ACME*****PI*60054",
            "HL*2*1*21*1", "NM1*1P*2*CLINIC*****XX*1234567893"]  # fmt: skip
    for n in range(count):
        body += [
            f"HL*{n + 3}*2*22*0", f"TRN*2*T{n}*9123456789", f"NM1*IL*1*DOE*JANE****MI*M{n}",
            "DMG*D8*19800517*F", "DTP*346*D8*20250101", "EB*1**30**GOLD PPO",
            "EB*B*IND*98***27*25.00*****Y", "EB*C*IND*30***23*1500.00*****Y",
            "EB*C*IND*30***29*1200.00*****Y", "EB*G*IND*30***23*6000.00*****Y",
        ]  # fmt: skip
    return _envelope("271", "005010X279A1", "HB", body)


def make_277(count: int) -> str:
    body = ["BHT*0010*08*R*20250401*1200*DG", "HL*1**20*1", "NM1*PR*2*ACME*****PI*60054",
            "HL*2*1*21*1", "NM1*41*2*CLINIC*****46*C1", "HL*3*2*19*1",
            "NM1*1P*2*CLINIC*****XX*1234567893"]  # fmt: skip
    for n in range(count):
        body += [
            f"HL*{n + 4}*3*22*0", f"NM1*IL*1*DOE*JANE****MI*M{n}", f"TRN*2*CLM-{n}",
            "STC*F1:65*20250401**150.00*100.00*20250330**20250401*EFT1", f"REF*1K*P{n}",
            "DTP*472*D8*20250304",
        ]  # fmt: skip
    return _envelope("277", "005010X212", "HN", body)


REPEAT = 3


def _time(label: str, run: Callable[[], object], units: int, unit: str) -> float:
    """Best of ``REPEAT`` runs: wall time and CPU time (the machine is shared)."""
    walls, cpus = [], []
    for _ in range(REPEAT):
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    seconds, cpu_seconds = min(walls), min(cpus)
    print(
        f"  {label:<40} wall {seconds:8.3f} s  cpu {cpu_seconds:8.3f} s"
        f"  {units / max(cpu_seconds, 1e-9):12,.0f} {unit}/cpu-s"
    )
    return seconds


def _split(text: str) -> int:
    return sum(len(s.split("*")) for s in text.split("~"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best counts")
    args = parser.parse_args()
    count = args.count
    global REPEAT
    REPEAT = args.repeat
    for name, text, reader in (
        ("271", make_271(count), read_271),
        ("277", make_277(count), read_277),
    ):
        segments = text.count("~")
        print(f"{name}: {count:,} loops, {segments:,} segments, {len(text) / 1e6:.1f} MB")
        _time("baseline: split into segments/elements", lambda t=text: _split(t), segments, "seg")
        _time(f"medbill read_{name}", lambda t=text, r=reader: r(t), segments, "seg")
    ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 3, 4, 18))
    t = pendulum.datetime(2025, 3, 5, 9)
    flows = []
    for n in range(count // 10):
        claim = make_claim(id=f"CLM-{n}")
        post_charges(ledger, claim)
        flows.append(ClaimWorkflow.start(claim, at=t).validate(at=t, findings=[]).submit(at=t))
    day = pendulum.date(2025, 4, 15)
    print(f"worklist: {len(flows):,} submitted claims on an in-memory ledger")
    _time("baseline: read each claim's balance",
          lambda: [ledger.total("insurance_receivable", claim=f.claim.id) for f in flows],
          len(flows), "claims")  # fmt: skip
    _time("medbill worklist", lambda: worklist(ledger, flows, day), len(flows), "claims")


if __name__ == "__main__":
    main()
