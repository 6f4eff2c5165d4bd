"""The Spark example of the Scale guide runs and agrees with the batch path."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "spark_repricing.py"


def test_spark_example_agrees_with_batch(
    spark: SparkSession, capsys: pytest.CaptureFixture[str]
) -> None:
    # the example builds its own session; getOrCreate hands it the tests' one
    sys.argv = [str(EXAMPLE)]
    with pytest.raises(SystemExit) as finished:
        runpy.run_path(str(EXAMPLE), run_name="__main__")
    out = capsys.readouterr().out
    assert finished.value.code == 0, out
    assert "Spark and medbill.batch agree" in out
    assert "not in the Medicare relative value file" in out  # the bad line is kept
