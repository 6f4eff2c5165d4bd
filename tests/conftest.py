"""Shared fixtures: the read-only third-party reference data in ../shared/reference/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REFERENCE = Path(
    os.environ.get(
        "MEDBILL_REFERENCE", Path(__file__).resolve().parents[2] / "shared" / "reference"
    )
)


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """The shared reference folder; tests that need it skip when it is absent."""
    if not REFERENCE.is_dir():
        pytest.skip(f"reference data folder {REFERENCE} is absent (set MEDBILL_REFERENCE)")
    return REFERENCE
