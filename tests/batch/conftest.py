"""Fixtures for the batch tests: the real CMS Medicare files, and the batch extra."""

from __future__ import annotations

from pathlib import Path

import pytest

from fees.conftest import _arkrvu, cy2025  # noqa: F401  # the CY2025 schedule
from medbill.fees import MedicareFeeSchedule

pytest.importorskip("polars", reason="the batch extra (polars, pyarrow) is not installed")


@pytest.fixture(scope="session")
def releases(reference_dir: Path) -> MedicareFeeSchedule:
    """CY2024's releases A, AR (from 2024-03-09), B and C, and CY2025 A: each line is
    priced with the release in force on its date of service."""
    folder = reference_dir / "cms-pfs-2025"
    if not (folder / "PPRRVU25_JAN.csv").is_file():
        pytest.skip(f"CY2025 PFS files absent from {folder}")
    pairs = [*_arkrvu(reference_dir, 2024), (folder / "PPRRVU25_JAN.csv", folder / "GPCI2025.csv")]
    return MedicareFeeSchedule.from_cms_files(pairs)
