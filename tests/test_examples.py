"""The quickstart example runs end to end and prints a claim that reads back."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest

from medbill import Claim
from medbill.serialize import from_json

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "quickstart.py"


def test_quickstart_prints_a_valid_claim(capsys: pytest.CaptureFixture[str]) -> None:
    sys.argv = [str(EXAMPLE)]
    with pytest.raises(SystemExit) as finished:
        runpy.run_path(str(EXAMPLE), run_name="__main__")
    assert finished.value.code == 0
    out = capsys.readouterr()
    claim = from_json(Claim, out.out)
    assert claim.id == "CLM-5001"
    assert str(claim.total_charge) == "255.00"  # 210.00 + 45.00
    assert "Rivera" not in out.err  # the readable summary masks the patient's name
    assert "procedure: must be 5 characters" in out.err
