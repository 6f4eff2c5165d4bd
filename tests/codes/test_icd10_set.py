"""ICD-10-CM code-list membership."""

from __future__ import annotations

from pathlib import Path

import pytest

from medbill import CodeError, ParseError
from medbill.codes import Icd10CodeSet, Icd10Status


def test_order_file_layout(tmp_path: Path) -> None:
    # Two lines in the CMS order-file layout: order number, code, header flag, descriptions.
    order = tmp_path / "icd10cm_order.txt"
    order.write_text(
        "00001 E11     0 Type 2 diabetes mellitus short     Type 2 diabetes mellitus\n"
        "00002 E119    1 Type 2 diabetes w/o complications  Type 2 diabetes without\n"
    )
    codes = Icd10CodeSet.from_order_file(order)
    assert len(codes) == 2
    assert codes.status("E11") is Icd10Status.HEADER
    assert codes.status("E11.9") is Icd10Status.BILLABLE
    assert codes.status("E11.8") is Icd10Status.UNKNOWN
    with pytest.raises(CodeError, match="not in the ICD-10-CM code list"):
        codes.require_billable("E11.8")


def test_order_file_errors_name_the_line(tmp_path: Path) -> None:
    order = tmp_path / "bad.txt"
    order.write_text("00001 E11     0 ok\n00002 E119    X broken\n")
    with pytest.raises(ParseError, match=r"bad.txt, line 2: column 15 must be 0 or 1"):
        Icd10CodeSet.from_order_file(order)


def test_simple_icd_10_cm_package() -> None:
    pytest.importorskip("simple_icd_10_cm", reason="needs the medbill[icd10] extra")
    codes = Icd10CodeSet.from_simple_icd_10_cm()
    assert codes.is_billable("E11.9")
    assert codes.status("E11") is Icd10Status.HEADER
    assert codes.status("E11.99") is Icd10Status.UNKNOWN
    assert codes.is_billable("S72.001A")
    assert len(codes) > 90_000
    # The FY2026 list holds a few "QA0x" codes whose second character is a letter; they
    # are reported rather than dropped silently.
    assert all(not code[1].isdigit() for code in codes.outside_format)
