"""Loaders stay linear and big errors stay cheap (issue 14).

Prints, for growing inputs, the time to build a fee schedule whose rows all belong to one
code (the worst case of the overlap check) next to a naive pairwise overlap check of the
same rows, and the time and message size of reading a claim with many bad lines.

    .venv/bin/python benchmarks/hardening.py
"""

from __future__ import annotations

import json
import time

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


def main() -> None:
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
    print("claim JSON with n bad lines: time to refuse, message size")
    data = to_dict(make_claim())
    for n in (1_000, 5_000, 20_000):
        data["lines"] = [{**data["lines"][0], "charge": "x"}] * n
        text = json.dumps(data)
        started = time.perf_counter()
        try:
            from_json(Claim, text)
        except ValidationError as error:
            size = len(str(error))
        print(f"  {n:>6} lines: {time.perf_counter() - started:6.3f} s, message {size} characters")


if __name__ == "__main__":
    main()
