"""Run a benchmark's measurements against the pre-change code, in the same run.

The pre-change tree (``MEDBILL_BASELINE_REF``, default the commit issue 12 started from)
is exported with ``git archive`` into a temporary folder and the same script runs there
in a child process with ``MEDBILL_BENCH_CHILD=1``; the child prints its figures as JSON.
Nothing is written to the repository.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

BASELINE_REF = os.environ.get("MEDBILL_BASELINE_REF", "f2faf1f")
ROOT = Path(__file__).resolve().parent.parent


def is_child() -> bool:
    """Whether this process measures for a parent (print JSON, nothing else)."""
    return os.environ.get("MEDBILL_BENCH_CHILD") == "1"


def baseline(script: str) -> dict[str, Any] | None:
    """The child's figures on the baseline tree, or ``None`` when git cannot export it."""
    with tempfile.TemporaryDirectory() as folder:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", BASELINE_REF, "src"],
            capture_output=True,
            check=False,
        )
        if archive.returncode != 0:
            return None
        subprocess.run(["tar", "-x", "-C", folder], input=archive.stdout, check=True)
        env = {
            **os.environ,
            "PYTHONPATH": str(Path(folder) / "src"),
            "PYTHONDONTWRITEBYTECODE": "1",
            "MEDBILL_BENCH_CHILD": "1",
        }
        done = subprocess.run(
            [sys.executable, script], env=env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return None
        figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return figures


def term(kind: Any, new: str, old: str, value: str, **rest: Any) -> Any:
    """A contract term built with its current rate keyword (``new``), or with the
    keyword of older commits (``old``, before issue 19's renames) in a baseline child."""
    try:
        return kind(**{new: value}, **rest)
    except TypeError:
        return kind(**{old: value}, **rest)


def show(label: str, now: float, before: float | None, unit: str, goal: str) -> None:
    """One line: the figure, the baseline's and the goal."""
    was = "n/a" if before is None else f"{before:,.0f}" if before > 100 else f"{before:.3f}"
    value = f"{now:,.0f}" if now > 100 else f"{now:.3f}"
    print(f"{label}: {value} {unit} (pre-change {was} {unit}; goal {goal})")
