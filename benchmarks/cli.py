"""How long ``medbill demo`` takes, in process and as the console script.

Run: ``.venv/bin/python benchmarks/cli.py``. Prints figures; asserts nothing.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from click.testing import CliRunner

from medbill.cli._app import cli


def main() -> None:
    runs = 5
    in_process: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        for number in range(runs):
            out = Path(folder) / f"run{number}"
            start = time.perf_counter()
            result = CliRunner().invoke(cli, ["demo", "--out", str(out), "--json"])
            in_process.append(time.perf_counter() - start)
            if result.exit_code != 0:
                raise SystemExit(result.stderr)
        script = Path(sys.executable).with_name("medbill")
        start = time.perf_counter()
        subprocess.run([str(script), "demo", "--out", str(Path(folder) / "script")],
                       check=True, capture_output=True)  # fmt: skip
        console = time.perf_counter() - start
    print(f"medbill demo in process: median {statistics.median(in_process):.3f} s over {runs} runs")
    print(f"medbill demo as a console script (with interpreter start-up): {console:.3f} s")


if __name__ == "__main__":
    main()
