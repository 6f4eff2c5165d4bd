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


@pytest.fixture(scope="session")
def releases(reference_dir: Path) -> MedicareFeeSchedule:
    """CY2024's releases A, AR (from 2024-03-09), B and C, and CY2025 A: each line is
    priced with the release in force on its date of service."""
    folder = reference_dir / "cms-pfs-2025"
    older = reference_dir / "arkrvu-cms-pfs" / "rvu_source_2024"
    if not (folder / "PPRRVU25_JAN.csv").is_file() or not older.is_dir():
        pytest.skip(f"CY2024/CY2025 PFS files absent from {reference_dir}")
    pairs = [
        (rvu, older / f"gpci_{rvu.stem.split('_')[1]}.csv")
        for rvu in sorted(older.glob("pprrvu_rvu*.csv"))
    ]
    pairs.append((folder / "PPRRVU25_JAN.csv", folder / "GPCI2025.csv"))
    return MedicareFeeSchedule.from_cms_files(pairs)
