"""The one demo dataset's Medicare numbers equal the rows of the CMS files they were copied from.

The CMS files are read here with the csv module alone (a second reading, independent of
medbill's readers): every built-in cell must equal the file's cell, number for number.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from medbill.fees import MedicareFeeSchedule
from medbill.fees._demo_rows import CONVERSION_FACTOR_2025, GPCI_ROWS, PPRRVU_ROWS
from medbill.testing import DEMO_LOCALITY, demo_medicare_schedule

# The PPRRVU columns the built-in rows copy, in their order (see medbill/fees/_demo_rows.py).
PPRRVU_COLUMNS = (0, 1, 3, 5, 6, 7, 8, 9, 10, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 27)
NUMERIC = {5, 6, 8, 10, 15, 16, 17}


def _same(built_in: str, published: str, numeric: bool) -> bool:
    if numeric:
        return Decimal(built_in) == Decimal(published or "0")
    return built_in == published.strip()


def test_rvu_rows_equal_the_pprrvu_file(reference_dir: Path) -> None:
    path = reference_dir / "cms-pfs-2025" / "PPRRVU25_JAN.csv"
    with path.open(newline="", encoding="latin-1") as handle:
        rows = {(r[0], r[1]): r for r in csv.reader(handle) if r and r[0] and r[0] != "HCPCS"}
    for built_in in PPRRVU_ROWS:
        published = rows[(built_in[0], built_in[1])]
        for cell, column in zip(built_in, PPRRVU_COLUMNS, strict=True):
            assert _same(cell, published[column], column in NUMERIC), (built_in[:2], column)
        assert Decimal(published[24]) == CONVERSION_FACTOR_2025


def test_gpci_rows_equal_the_gpci_file(reference_dir: Path) -> None:
    path = reference_dir / "cms-pfs-2025" / "GPCI2025.csv"
    with path.open(newline="", encoding="latin-1") as handle:
        rows = {(r[0], r[2]): r for r in csv.reader(handle) if r and r[0].isdigit()}
    for mac, state, number, name, work, pe, mp in GPCI_ROWS:
        published = rows[(mac, number)]
        assert published[1] == state
        assert published[3].rstrip("*") == name
        assert [Decimal(x) for x in published[4:7]] == [Decimal(work), Decimal(pe), Decimal(mp)]


def test_no_descriptor_is_shipped() -> None:
    # the built-in rows hold codes, indicators and numbers only: no AMA descriptor text
    for row in PPRRVU_ROWS:
        for cell in row[2:]:
            assert len(cell) <= 4, cell


def test_every_demo_schedule_is_built_from_the_checked_rows() -> None:
    # One dataset: the testing kit, MedicareFeeSchedule.demo() and the CLI demo share the
    # rows checked above (the old hand copy in fees had drifted: 20610 global days '000').
    from medbill.cli._demo_data import medicare_schedule

    for schedule in (demo_medicare_schedule(), MedicareFeeSchedule.demo(), medicare_schedule()):
        for cells in PPRRVU_ROWS:
            row = schedule.row(cells[0], cells[1])
            assert row.global_days == cells[10], cells[:2]
            assert row.work == Decimal(cells[3]), cells[:2]
        assert {str(x) for x in schedule.releases[0].gpcis} == {
            f"{int(mac):05d}-{int(number):02d}" for mac, _, number, *_ in GPCI_ROWS
        }
    assert str(DEMO_LOCALITY) == "06102-99"
