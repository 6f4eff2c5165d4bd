"""The console script works from a fresh virtual environment: ``pip install 'medbill[cli]'``
then ``medbill demo`` as a real subprocess.

It needs a package index (the build backend and the dependencies are installed from it):
marked ``network``, it skips with the reason when no index answers, and fails instead under
``CI=true`` (the ``service_unavailable`` fixture). Deselect it with ``-m "not network"``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import pytest

PROJECT = Path(__file__).resolve().parents[2]


def _index_problem(python: Path, environment: dict[str, str], where: Path) -> str | None:
    """Why no package index can serve the build backend, or ``None`` when one can."""
    try:
        probe = subprocess.run(
            [str(python), "-m", "pip", "download", "--quiet", "--no-deps", "--dest", str(where),
             "hatchling>=1.21"],
            capture_output=True, text=True, env=environment, timeout=300, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return "no package index answered within 300 s"
    if probe.returncode != 0:
        return f"no package index reachable: {probe.stderr.strip().splitlines()[-1:]}"
    return None


@pytest.mark.network
def test_medbill_demo_runs_from_a_fresh_virtual_environment(
    tmp_path: Path, service_unavailable: Callable[[str], NoReturn]
) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    bin_dir = env_dir / ("Scripts" if sys.platform == "win32" else "bin")
    environment = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    problem = _index_problem(bin_dir / "python", environment, tmp_path / "probe")
    if problem is not None:
        service_unavailable(problem)
    subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "--quiet", f"{PROJECT}[cli]"],
        check=True,
        env=environment,
        cwd=tmp_path,
        timeout=600,
    )
    out = tmp_path / "demo-out"
    done = subprocess.run(
        [str(bin_dir / "medbill"), "demo", "--out", str(out)],
        capture_output=True,
        text=True,
        env=environment,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "Files written" in done.stdout
    assert (out / "contracts" / "acme.toml").is_file()
    failed = subprocess.run(
        [str(bin_dir / "medbill"), "price", "missing.json", "--medicare", "--locality", "06102-99"],
        capture_output=True,
        text=True,
        env=environment,
        cwd=tmp_path,
        timeout=120,
    )
    assert failed.returncode == 1
    assert failed.stderr.strip() == "medbill: error: file not found: missing.json"
