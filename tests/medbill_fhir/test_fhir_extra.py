"""``pip install medbill`` stays free of pydantic: importing medbill (and its CLI) loads
neither pydantic nor fhir.resources; only ``medbill.fhir`` calls do."""

from __future__ import annotations

import subprocess
import sys


def _loaded_after(statement: str) -> set[str]:
    code = (
        f"{statement}\nimport sys\n"
        "print(' '.join(m for m in ('pydantic', 'fhir.resources', 'fhir_core') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_importing_medbill_loads_no_pydantic() -> None:
    assert _loaded_after("import medbill, medbill.claims, medbill.fees, medbill.x12") == set()


def test_importing_the_cli_and_medbill_fhir_loads_no_pydantic() -> None:
    assert _loaded_after("import medbill.cli, medbill.fhir") == set()


def test_converting_loads_fhir_resources() -> None:
    found = _loaded_after(
        "from medbill.fhir import to_fhir\nfrom medbill.testing import make_patient\nto_fhir(make_patient())"
    )
    assert {"pydantic", "fhir.resources"} <= found
