"""The console script works from a fresh virtual environment: ``pip install 'medbill[cli]'``
then ``medbill demo`` as a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def test_medbill_demo_runs_from_a_fresh_virtual_environment(tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    bin_dir = env_dir / ("Scripts" if sys.platform == "win32" else "bin")
    environment = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
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
