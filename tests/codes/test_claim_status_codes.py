"""The claim status code lists (X12 external code sources 507 and 508) as data.

Every code value of pyx12's ``map/codes.xml`` (code sets ``claim_status_cat`` and
``claim_status``, which hold the values without meanings) must be in medbill's table with
its published meaning, or be marked there as not published in our source; the counts below
are the coverage, checked against the file.
"""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path

import pytest

from medbill import ClaimStatusCode, StatusOutcome
from medbill.codes import CodeList
from medbill.codes._x12_lists import CLAIM_STATUS_RETIRED, CLAIM_STATUS_UNPUBLISHED

CODES_XML = "pyx12/pypi-pyx12-4.0.0/map/codes.xml"


def _pyx12_codes(reference_dir: Path, codeset: str) -> list[str]:
    root = ET.parse(reference_dir / CODES_XML).getroot()
    for element in root.iter("codeset"):
        if element.findtext("id") == codeset:
            return [code.text or "" for code in element.iter("code")]
    raise LookupError(codeset)


def _rows() -> list[dict[str, str]]:
    text = resources.files("medbill.codes").joinpath("claim_status_codes.csv").read_text("utf-8")
    return list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))


def test_every_category_code_of_pyx12_has_its_meaning_or_is_marked(reference_dir: Path) -> None:
    codes = _pyx12_codes(reference_dir, "claim_status_cat")
    assert len(codes) == 48
    with_meaning = [code for code in codes if code in CodeList.CLAIM_STATUS_CATEGORY.meanings]
    marked = [code for code in codes if f"507:{code}" in CLAIM_STATUS_UNPUBLISHED]
    assert (len(with_meaning), marked) == (47, ["X0"])
    assert set(with_meaning) | set(marked) == set(codes)


def test_every_status_code_of_pyx12_has_its_meaning(reference_dir: Path) -> None:
    codes = _pyx12_codes(reference_dir, "claim_status")
    assert len(codes) == 759
    missing = [code for code in codes if code not in CodeList.CLAIM_STATUS.meanings]
    unpublished = [code for code in codes if f"508:{code}" in CLAIM_STATUS_UNPUBLISHED]
    assert (missing, unpublished) == ([], [])
    # 104 of pyx12's codes were retired from the list: they keep the meaning they had.
    assert len([code for code in codes if code in CLAIM_STATUS_RETIRED]) == 104


def test_the_table_is_well_formed() -> None:
    rows = _rows()
    keys = [(row["list"], row["code"]) for row in rows]
    assert len(keys) == len(set(keys)), "a code listed twice"
    assert {row["list"] for row in rows} == {"507", "508"}
    assert {row["edition"] for row in rows} == {"current", "earlier", "none"}
    for row in rows:
        # a meaning is there exactly when the code is not marked unpublished
        assert bool(row["meaning"]) is (row["edition"] != "none"), row
        assert row["meaning"] == row["meaning"].strip()
        assert "Usage:" not in row["meaning"], row  # the usage note has its own column
    assert all(row["code"].isdigit() for row in rows if row["list"] == "508")
    assert len([row for row in rows if row["list"] == "508"]) == len(CodeList.CLAIM_STATUS.meanings)


@pytest.mark.parametrize(
    ("status", "meaning"),
    [
        # X12 code source 508, as published (https://x12.org/codes/claim-status-codes)
        ("0", "Cannot provide further status electronically."),
        ("317", "Patient's medical records."),  # retired: the meaning it had
        ("454", "Procedure code for services rendered."),
        ("562", "Entity's National Provider Identifier (NPI)."),
        ("718", "Claim/service not submitted within the required timeframe (timely filing)."),
        ("771", "Claim submitted prematurely. Please resubmit after crossover/payer to payer "
         "COB allotted waiting period."),
    ],
)  # fmt: skip
def test_published_meanings(status: str, meaning: str) -> None:
    assert CodeList.CLAIM_STATUS.meanings[status] == meaning
    assert ClaimStatusCode(category="A7", status=status).status_description == meaning


def test_usage_notes_and_other_code_sources() -> None:
    code = ClaimStatusCode(category="A7", status="562", entity="85")
    assert code.status_usage == "This code requires use of an Entity Code."
    assert CodeList.CLAIM_STATUS.usage_note("21") == (
        "At least one other status code is required to identify the missing or invalid information."
    )
    assert ClaimStatusCode(category="A1", status="20").status_usage is None
    # STC01-4 names another list (RX: NCPDP reject codes): 508's meaning does not apply
    ncpdp = ClaimStatusCode(category="F2", status="0", code_source="RX")
    assert (ncpdp.status_description, ncpdp.status_usage) == (None, None)


def test_category_codes_new_in_the_table() -> None:
    # D0: Data Search Unsuccessful, the payer cannot find the claim(s) searched for
    assert ClaimStatusCode(category="D0").outcome is StatusOutcome.NOT_FOUND
    assert CodeList.CLAIM_STATUS_CATEGORY.meanings["D0"].startswith("Data Search Unsuccessful")
    unknown = ClaimStatusCode(category="X0")
    assert (unknown.category_description, unknown.outcome) == (None, StatusOutcome.UNKNOWN)
    assert "does not publish" in unknown.explain()
    assert ClaimStatusCode(category="ZZ").explain() == "ZZ (unknown code)"
