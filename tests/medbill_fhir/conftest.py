"""The CARIN Blue Button examples compiled once per session with SUSHI (see carin.py)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import pytest

from .carin import compile_examples

_ROOT = Path(__file__).resolve().parents[2]
_CORE = Path(".fhir") / "packages" / "hl7.fhir.r4b.core#4.3.0" / "package" / "package.json"


@pytest.fixture(scope="session")
def carin_examples(
    reference_dir: Path,
    service_unavailable: Callable[[str], NoReturn],
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, dict[str, Any]]:
    """The CARIN BB example instances as FHIR JSON, by ``Type/id``."""
    examples = reference_dir / "hl7-carin-bb-fsh" / "input" / "fsh" / "examples"
    if not examples.is_dir():
        pytest.skip(f"the CARIN BB examples are absent ({examples})")
    local = _ROOT / ".cache" / "sushi" / "node_modules" / ".bin" / "sushi"
    sushi = os.environ.get("MEDBILL_SUSHI") or (
        str(local) if local.exists() else shutil.which("sushi")
    )
    home = Path(os.environ.get("MEDBILL_FHIR_HOME") or _ROOT / ".cache" / "fhir-home")
    if shutil.which("node") is None or sushi is None:
        service_unavailable(
            "Node.js and SUSHI (npm fsh-sushi) are needed: run .ci/services/30-sushi.sh"
        )
    if not (home / _CORE).is_file():
        service_unavailable(
            f"the FHIR core package hl7.fhir.r4b.core is not in {home}: run .ci/services/30-sushi.sh"
        )
    return compile_examples(sushi, home, examples, tmp_path_factory.mktemp("carin"))
