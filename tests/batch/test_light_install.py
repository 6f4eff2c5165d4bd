"""``pip install medbill`` stays light: the core never imports Polars, PyArrow or PySpark."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("polars", "pyarrow", "pyspark", "pandas")


def test_core_modules_do_not_import_the_batch_libraries() -> None:
    code = (
        "import sys\n"
        "import medbill, medbill.fees, medbill.claims, medbill.x12, medbill.ledger, "
        "medbill.codes, medbill.serialize, medbill.testing\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]", result.stdout


def test_batch_imports_them() -> None:
    code = "import sys, medbill.batch\nprint('polars' in sys.modules, 'pyspark' in sys.modules)\n"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "True False"
