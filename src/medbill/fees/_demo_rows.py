"""The one demo dataset: a few rows of the CY2025 Medicare physician fee schedule.

Copied, numbers only, from the CMS files of the CY2025 physician fee schedule:

* ``PPRRVU25_JAN.csv`` (RVU25A package, January 2025 release): for each code the status,
  work RVU, non-facility and facility practice-expense RVUs with their ``NA`` indicators,
  malpractice RVU, PC/TC indicator, global days, pre/intra/post-operative percentages,
  multiple procedure, bilateral, assistant, co-surgery and team surgery indicators,
  endoscopic base code and diagnostic imaging family. The CPT descriptors (copyright AMA)
  are not copied.
* ``GPCI2025.csv`` (Addendum E of the CY2025 PFS final rule, CMS-1807-F): the work (with
  the 1.0 floor), practice-expense and malpractice GPCIs of three localities.

The conversion factor, 32.3465 for CY2025, comes with the schedule (:attr:`medbill.fees.MedicareFeeSchedule.conversion_factors`).
``tests/testing/test_demo_dataset.py`` checks every number here against those files, cell for
cell. :meth:`medbill.fees.MedicareFeeSchedule.demo`, :func:`medbill.testing.demo_medicare_schedule`
and the ``medbill demo`` command all use these rows (there is no second copy).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

import pendulum

from medbill._common import Period
from medbill.fees._locality import Locality
from medbill.fees._rvu_row import Gpci, RvuRow, row_from_cells

__all__ = [
    "ALABAMA",
    "CONVERSION_FACTOR_2025",
    "GPCI_ROWS",
    "MANHATTAN",
    "PPRRVU_ROWS",
    "DEMO_LABEL",
    "DEMO_PERIOD",
    "SPRINGFIELD",
    "demo_rows",
]

CONVERSION_FACTOR_2025: Final = Decimal("32.3465")
"""The CY2025 Medicare PFS conversion factor (column CONV FACTOR of PPRRVU25_JAN.csv)."""

# One tuple per PPRRVU25_JAN.csv row, the file's text for the columns (0-based index):
# HCPCS (0), MOD (1), STATUS CODE (3), WORK RVU (5), NON-FAC PE RVU (6), NON-FAC NA
# INDICATOR (7), FACILITY PE RVU (8), FACILITY NA INDICATOR (9), MP RVU (10), PCTC IND (13),
# GLOB DAYS (14), PRE OP (15), INTRA OP (16), POST OP (17), MULT PROC (18), BILAT SURG (19),
# ASST SURG (20), CO-SURG (21), TEAM SURG (22), ENDO BASE (23), DIAGNOSTIC IMAGING FAMILY (27).
PPRRVU_ROWS: Final[tuple[tuple[str, ...], ...]] = (
    # office visits, new (99203) and established patients (99213, 99214)
    ("99203", "", "A", "1.6", "1.61", "", "0.69", "", "0.16", "0", "XXX",
     "0", "0", "0", "0", "0", "0", "0", "0", "", "99"),
    ("99213", "", "A", "1.3", "1.35", "", "0.57", "", "0.1", "0", "XXX",
     "0", "0", "0", "0", "0", "0", "0", "0", "", "99"),
    ("99214", "", "A", "1.92", "1.8", "", "0.83", "", "0.15", "0", "XXX",
     "0", "0", "0", "0", "0", "0", "0", "0", "", "99"),
    # arthrocentesis of a major joint (the file prints its global days as "0")
    ("20610", "", "A", "0.79", "1.04", "", "0.44", "", "0.13", "0", "0",
     "0", "0", "0", "2", "1", "1", "0", "0", "", "99"),
    # chest X-ray, 2 views: global, technical and professional components
    ("71046", "", "A", "0.22", "0.77", "", "0.77", "NA", "0.02", "1", "XXX",
     "0", "0", "0", "0", "0", "0", "0", "0", "", "99"),
    ("71046", "TC", "A", "0", "0.69", "", "0.69", "NA", "0.01", "1", "XXX",
     "0", "0", "0", "0", "0", "0", "0", "0", "", "99"),
    ("71046", "26", "A", "0.22", "0.08", "", "0.08", "", "0.01", "1", "XXX",
     "0", "0", "0", "0", "0", "0", "0", "0", "", "99"),
    # electrocardiogram, complete
    ("93000", "", "A", "0.17", "0.24", "", "0.24", "NA", "0.02", "4", "XXX",
     "0", "0", "0", "6", "0", "0", "0", "0", "", "99"),
)  # fmt: skip

# GPCI2025.csv rows: MAC, state, locality number, locality name, PW GPCI (1.0 floor), PE, MP.
GPCI_ROWS: Final[tuple[tuple[str, ...], ...]] = (
    ("6102", "IL", "99", "REST OF ILLINOIS", "1", "0.912", "1.381"),
    ("13202", "NY", "1", "MANHATTAN", "1.065", "1.166", "1.656"),
    ("10112", "AL", "0", "ALABAMA", "1", "0.869", "0.575"),
)

SPRINGFIELD: Final = Locality("6102", "99")
"""Rest of Illinois (06102-99), where the demo practice in Springfield, IL bills."""
MANHATTAN: Final = Locality("13202", "1")
"""Manhattan, NY (13202-01): a high-cost locality to compare."""
ALABAMA: Final = Locality("10112", "0")
"""Alabama (10112-00): a statewide locality."""

DEMO_PERIOD: Final = Period(pendulum.date(2025, 1, 1), pendulum.date(2025, 12, 31))
DEMO_LABEL: Final = "CY2025 (demo rows)"


def demo_rows() -> tuple[dict[tuple[str, str], RvuRow], dict[Locality, Gpci]]:
    """The rows (keyed by code and modifier) and GPCIs (by locality) of the demo dataset."""
    rows = {(cells[0], cells[1]): row_from_cells(cells) for cells in PPRRVU_ROWS}
    gpcis = {
        Locality(mac, number): Gpci(Decimal(work), Decimal(pe), Decimal(mp), name, state)
        for mac, state, number, name, work, pe, mp in GPCI_ROWS
    }
    return rows, gpcis
