"""Shared fixtures: the read-only third-party reference data in ../shared/reference/."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

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


def _service_unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI=true requires it (.ci/services/ should provide it)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def service_unavailable() -> Callable[[str], NoReturn]:
    """Call with the reason when a server, browser or runtime a test needs is missing.

    Locally the test skips with that reason; under ``CI=true`` it fails, because
    ``.ci/run`` must have started the service.
    """
    return _service_unavailable
