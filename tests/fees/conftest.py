"""Fixtures for the pricing tests: the real CY2025 Medicare files."""

from __future__ import annotations

from pathlib import Path

import pytest

from medbill.fees import MedicareFeeSchedule


@pytest.fixture(scope="session")
def cy2025(reference_dir: Path) -> MedicareFeeSchedule:
    folder = reference_dir / "cms-pfs-2025"
    if not (folder / "PPRRVU25_JAN.csv").is_file():
        pytest.skip(f"CY2025 PFS files absent from {folder}")
    return MedicareFeeSchedule.from_cms_files(folder / "PPRRVU25_JAN.csv", folder / "GPCI2025.csv")


def _arkrvu(reference_dir: Path, year: int) -> list[tuple[Path, Path]]:
    folder = reference_dir / "arkrvu-cms-pfs" / f"rvu_source_{year}"
    if not folder.is_dir():
        pytest.skip(f"{folder} absent")
    pairs = []
    for rvu in sorted(folder.glob("pprrvu_rvu*.csv")):
        release = rvu.stem.split("_")[1]  # rvu24b
        pairs.append((rvu, folder / f"gpci_{release}.csv"))
    return pairs


@pytest.fixture(scope="session")
def cy2024(reference_dir: Path) -> MedicareFeeSchedule:
    """CY2024's four releases: A (January), AR (from 2024-03-09), B (April), C (July)."""
    return MedicareFeeSchedule.from_cms_files(_arkrvu(reference_dir, 2024))


@pytest.fixture(scope="session")
def cy2020_to_2025(reference_dir: Path) -> MedicareFeeSchedule:
    """Every release in the reference folder: 2020-2023 D, 2024 A/AR/B/C, 2025 A."""
    folder = reference_dir / "cms-pfs-2025"
    if not (folder / "PPRRVU25_JAN.csv").is_file():
        pytest.skip(f"CY2025 PFS files absent from {folder}")
    pairs = [p for year in range(2020, 2025) for p in _arkrvu(reference_dir, year)]
    pairs.append((folder / "PPRRVU25_JAN.csv", folder / "GPCI2025.csv"))
    return MedicareFeeSchedule.from_cms_files(pairs)
