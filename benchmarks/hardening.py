"""Loaders stay linear and big errors stay cheap (issue 14).

Prints, for growing inputs, the time to build a fee schedule whose rows all belong to one
code (the worst case of the overlap check) next to a naive pairwise overlap check of the
same rows; then, for a claim JSON with n bad lines, the time to refuse it and the message
size, next to two baselines measured in the same run: ``json.loads`` of the same document
(the floor: parsing only) and medbill reading the same claim with n good lines (building
the entities). Times are the best of ``REPEAT`` runs, CPU (``time.process_time``) and
wall; the garbage collector's collections during the run are counted.
``MEDBILL_BASELINE_REF=<commit>`` also times the refusal on that commit's tree (in a child
process, same run), e.g. the commit issue 14's last part started from.

    .venv/bin/python benchmarks/hardening.py
    MEDBILL_BASELINE_REF=dd0f31a .venv/bin/python benchmarks/hardening.py
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pendulum

from medbill import Claim, ValidationError
from medbill.fees import FeeSchedule
from medbill.serialize import from_json, to_dict
from medbill.testing import make_claim


def _rows(n: int) -> list[tuple[pendulum.Date, pendulum.Date]]:
    start = pendulum.date(2000, 1, 1)
    return [(start.add(days=i), start.add(days=i)) for i in range(n)]


def _csv(n: int) -> str:
    lines = ["code,modifier,amount,valid_from,valid_to"]
    lines += [f"99213,,95.00,{a},{b}" for a, b in _rows(n)]
    return "\n".join(lines)


def _naive_pairwise(rows: list[tuple[pendulum.Date, pendulum.Date]]) -> None:
    for i, (a_from, a_to) in enumerate(rows):
        for b_from, b_to in rows[:i]:
            if a_from <= b_to and b_from <= a_to:
                raise ValueError("overlap")


REPEAT = 3


def _best(function: Callable[[], Any]) -> tuple[float, float, int]:
    """Best CPU and wall seconds of ``REPEAT`` runs, and the GC collections of the last."""
    cpu = wall = float("inf")
    collections = 0
    for _ in range(REPEAT):
        gc.collect()
        before = sum(s["collections"] for s in gc.get_stats())
        started, started_cpu = time.perf_counter(), time.process_time()
        function()
        cpu = min(cpu, time.process_time() - started_cpu)
        wall = min(wall, time.perf_counter() - started)
        collections = sum(s["collections"] for s in gc.get_stats()) - before
    return cpu, wall, collections


def _claim_documents(n: int) -> tuple[str, str]:
    data = to_dict(make_claim())
    line = data["lines"][0]
    lines = [{**line, "line_id": str(i + 1)} for i in range(n)]
    total = f"{Decimal(line['charge']) * n:.2f}"
    bad = json.dumps({**data, "lines": [{**each, "charge": "x"} for each in lines]})
    return bad, json.dumps({**data, "lines": lines, "total_charge": total})


def _refuse(text: str) -> int:
    try:
        from_json(Claim, text)
    except ValidationError as error:
        return len(str(error))
    raise AssertionError("the bad claim was read")


def _refusal_figures() -> dict[str, list[float]]:
    figures: dict[str, list[float]] = {}
    for n in (1_000, 5_000, 20_000):
        bad, _ = _claim_documents(n)
        cpu, wall, _collections = _best(lambda bad=bad: _refuse(bad))
        figures[str(n)] = [cpu, wall]
    return figures


def main() -> None:
    if os.environ.get("MEDBILL_BENCH_CHILD") == "1":
        print(json.dumps(_refusal_figures()))
        return
    print("fee schedule, one code, n rows: medbill build vs naive pairwise overlap check")
    for n in (2_000, 4_000, 8_000, 16_000):
        text = _csv(n)
        started = time.perf_counter()
        FeeSchedule.from_csv_text(text)
        ours = time.perf_counter() - started
        started = time.perf_counter()
        _naive_pairwise(_rows(n))
        naive = time.perf_counter() - started
        print(f"  {n:>6} rows: medbill {ours:6.3f} s   naive pairwise {naive:6.3f} s")
    before: dict[str, list[float]] | None = None
    if os.environ.get("MEDBILL_BASELINE_REF"):
        sys.path.insert(0, str(Path(__file__).parent))
        from _baseline import baseline

        before = baseline(__file__)
    print(
        f"claim JSON with n bad lines: refuse it; baselines: json.loads of the same text, "
        f"medbill reading n good lines (best of {REPEAT}; CPU s / wall s; GC collections)"
    )
    for n in (1_000, 5_000, 20_000):
        bad, good = _claim_documents(n)
        size = _refuse(bad)
        cpu, wall, collections = _best(lambda bad=bad: _refuse(bad))
        parse_cpu, parse_wall, _ = _best(lambda bad=bad: json.loads(bad))
        read_cpu, read_wall, _ = _best(lambda good=good: from_json(Claim, good))
        was = ""
        if before is not None:
            old_cpu, old_wall = before[str(n)]
            was = f"   pre-change {old_cpu:6.3f} / {old_wall:6.3f}"
        print(
            f"  {n:>6} lines: refuse {cpu:6.3f} / {wall:6.3f} ({collections} GC), message "
            f"{size} chars   json.loads {parse_cpu:6.3f} / {parse_wall:6.3f}   "
            f"{n} good lines {read_cpu:6.3f} / {read_wall:6.3f}{was}"
        )


if __name__ == "__main__":
    main()
