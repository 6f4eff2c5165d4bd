"""Fixtures for the batch tests: the real CY2025 Medicare files, and the batch extra."""

from __future__ import annotations

from pathlib import Path

import pytest

from medbill.fees import MedicareFeeSchedule

pytest.importorskip("polars", reason="the batch extra (polars, pyarrow) is not installed")


@pytest.fixture(scope="session")
def cy2025(reference_dir: Path) -> MedicareFeeSchedule:
    folder = reference_dir / "cms-pfs-2025"
    if not (folder / "PPRRVU25_JAN.csv").is_file():
        pytest.skip(f"CY2025 PFS files absent from {folder}")
    return MedicareFeeSchedule.from_cms_files(folder / "PPRRVU25_JAN.csv", folder / "GPCI2025.csv")
