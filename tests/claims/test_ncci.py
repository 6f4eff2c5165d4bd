"""NCCI PTP and MUE tables in the CMS layouts, and the scrubbing rules that use them."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pendulum
import pytest

from medbill import ParseError
from medbill.claims import NcciEdits, read_mue, read_ptp, scrub
from medbill.claims._ncci import MueIndicator
from medbill.claims._rules import ncci_mue, ncci_ptp

from .conftest import clean_claim, line

SOON = pendulum.date(2025, 3, 10)

# Small rows in the CMS practitioner PTP layout (tab-delimited, with the preamble and the
# two header rows CMS puts above the data).
PTP_FILE = [
    "CPT codes, descriptions and other data only are copyright 2023 American Medical Association.",
    "Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\tDeletion Date"
    "\tModifier\tPTP Edit Rationale",
    "\t\t\t\t*=no data\t0=not allowed 1=allowed 9=not applicable\t",
    "93000\t93010\t\t20010101\t*\t1\tHCPCS/CPT procedure code definition",
    "93000\t36591\t\t20130101\t*\t0\tCPT Manual or CMS manual coding instruction",
    "93000\t99211\t\t20150101\t*\t9\tMisuse of Column Two code with Column One code",
    "93000\t93040\t\t20010101\t20231231\t1\tMore extensive procedure",
    "93000\t93041\t\t20250401\t*\t1\tMore extensive procedure",
]
MUE_FILE = [
    '"HCPCS/CPT Code","Practitioner Services MUE Values","MUE Adjudication Indicator",'
    '"MUE Rationale"',
    '"36415","2","3 Date of Service Edit: Clinical","CMS Policy"',
    '"97110","6","3 Date of Service Edit: Clinical","Clinical: Data"',
    '"J1100","120","2 Date of Service Edit: Policy","Code Descriptor / CPT Instruction"',
    '"20610","1","1 Line Edit","Anatomic Consideration"',
]
EDITS = NcciEdits.from_rows(ptp=read_ptp(PTP_FILE), mue=read_mue(MUE_FILE))


def test_reading_the_cms_layouts() -> None:
    assert len(EDITS.ptp) == 5
    (edit,) = EDITS.ptp[("93000", "93040")]
    assert edit.effective == pendulum.date(2001, 1, 1)
    assert edit.deletion == pendulum.date(2023, 12, 31)
    assert edit.rationale == "More extensive procedure"
    assert EDITS.mue["20610"].indicator is MueIndicator.LINE
    assert EDITS.mue["J1100"].units == 120
    comma = read_ptp(["93000,93010,,20010101,*,1,HCPCS/CPT procedure code definition"])
    assert [(e.column1, e.column2, e.modifier_indicator) for e in comma] == [
        ("93000", "93010", "1")
    ]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("93000\t93010\t\t20010101\t*\t2\tx", "line 1: modifier indicator must be 0, 1 or 9"),
        ("93000\t9301\t\t20010101\t*\t1\tx", "line 1: column 2 '9301' is not a procedure code"),
        ("93000\t93010\t\t2001-01-01\t*\t1\tx", "line 1: effective date must be YYYYMMDD"),
        ("93000\t93010\t\t20011301\t*\t1\tx", "line 1: effective date '20011301' is not a date"),
    ],
)
def test_malformed_ptp_rows_name_the_line(row: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        list(read_ptp([row]))


def test_malformed_mue_rows_name_the_line() -> None:
    with pytest.raises(ParseError, match="line 2: MUE adjudication indicator"):
        list(read_mue(["header", "36415,2,7 Something,x"]))
    with pytest.raises(ParseError, match="line 1: MUE value"):
        list(read_mue(["36415,two,3,x"]))


def ptp_findings(*lines: object) -> list[tuple[str, str]]:
    claim = clean_claim(*lines)  # type: ignore[arg-type]
    return [(f.rule, f.path) for f in scrub(claim, as_of=SOON, ncci=EDITS)]


def test_ptp_indicator_1_without_a_modifier_is_an_error() -> None:
    assert ptp_findings(line("1", "93000"), line("2", "93010")) == [
        ("ncci-ptp", "lines[1].procedure")
    ]


def test_ptp_indicator_1_is_bypassed_by_an_ncci_modifier() -> None:
    assert ptp_findings(line("1", "93000"), line("2", "93010", modifiers=["59"])) == []
    assert ptp_findings(line("1", "93000"), line("2", "93010", modifiers=["XU"])) == []
    # GT is not an NCCI-associated modifier
    assert ptp_findings(line("1", "93000"), line("2", "93010", modifiers=["GT"])) == [
        ("ncci-ptp", "lines[1].procedure")
    ]


def test_ptp_indicator_0_is_never_bypassed() -> None:
    findings = scrub(
        clean_claim(line("1", "93000"), line("2", "36591", modifiers=["59"])),
        as_of=SOON,
        ncci=EDITS,
    )
    assert [(f.rule, f.path) for f in findings] == [("ncci-ptp", "lines[1].procedure")]
    assert "modifier indicator 0" in findings[0].message
    assert "no modifier bypasses" in findings[0].hint


def test_ptp_indicator_9_deleted_and_future_edits_do_not_apply() -> None:
    assert ptp_findings(line("1", "93000"), line("2", "99211")) == []
    assert ptp_findings(line("1", "93000"), line("2", "93040")) == []  # deleted 2023-12-31
    assert ptp_findings(line("1", "93000"), line("2", "93041")) == []  # from 2025-04-01


def test_ptp_needs_the_same_date_of_service() -> None:
    other_day = pendulum.date(2025, 3, 5)
    assert ptp_findings(line("1", "93000"), line("2", "93010", day=other_day)) == []


def test_mue_per_line_and_per_date_of_service() -> None:
    # MAI 1: each line on its own; two lines of one unit each pass, a 2-unit line does not
    assert (
        ptp_findings(line("1", "20610", modifiers=["RT"]), line("2", "20610", modifiers=["LT"]))
        == []
    )
    assert ptp_findings(line("1", "20610", units="2")) == [("ncci-mue", "lines[0].units")]
    # MAI 3: 36415 units add up over the day: 1 + 2 = 3 > 2
    assert ptp_findings(line("1", "36415"), line("2", "36415", units="2", modifiers=["91"])) == [
        ("ncci-mue", "lines[0].units")
    ]
    assert ptp_findings(line("1", "36415"), line("2", "36415", modifiers=["91"])) == []
    assert (
        ptp_findings(
            line("1", "36415", units="2"),
            line("2", "36415", units="2", day=pendulum.date(2025, 3, 5)),
        )
        == []
    )


def test_without_tables_the_ncci_rules_are_silent() -> None:
    claim = clean_claim(line("1", "93000"), line("2", "93010"))
    assert scrub(claim, as_of=SOON) == []


def _northstar_ptp_as_cms_rows(path: Path, column1: set[str]) -> list[str]:
    # The northstar package stores the CMS practitioner PTP table nested (one row per
    # column-1 code, deletion date and indicator, with "|"-joined column-2 codes) and
    # without the effective date; unnest it back into CMS layout rows.
    rows = []
    with gzip.open(path, "rt", newline="") as handle:
        for record in csv.DictReader(handle):
            if record["hcpcs_code"] not in column1:
                continue
            deleted = record["ptp_deleted"].replace("-", "")
            deletion = "*" if deleted == "99991231" else deleted
            for column2 in record["ptp_complements"].split("|"):
                rows.append(
                    f"{record['hcpcs_code']}\t{column2}\t\t19960101\t{deletion}"
                    f"\t{record['ptp_mod']}\t{record['ptp_rationale']}"
                )
    return rows


def test_real_2024_practitioner_tables(reference_dir: Path) -> None:
    folder = reference_dir / "northstar-cms-codes"
    if not folder.is_dir():
        pytest.skip("northstar-cms-codes reference tables are absent")
    ptp = read_ptp(_northstar_ptp_as_cms_rows(folder / "ncci_ptp_prac.csv.gz", {"93000"}))
    with (folder / "ncci_mue_prac.csv").open() as handle:
        edits = NcciEdits.from_rows(ptp=ptp, mue=read_mue(handle))
    assert len(edits.mue) > 14_000
    july = pendulum.date(2024, 7, 15)
    ecg = clean_claim(
        line("1", "93000", day=july),
        line("2", "93010", day=july),
        line("3", "36415", units="3", day=july),
        coverage=None,
    )
    findings = scrub(
        ecg,
        as_of=pendulum.date(2024, 8, 1),
        ncci=edits,
        rules=[ncci_mue, ncci_ptp],
    )
    # 93000 (ECG with interpretation) includes 93010 (interpretation only), indicator 1;
    # 36415 (venipuncture) has an MUE of 2 per date of service (MAI 3) in July 2024.
    assert [(f.rule, f.path) for f in findings] == [
        ("ncci-mue", "lines[2].units"),
        ("ncci-ptp", "lines[1].procedure"),
    ]


def test_vaccine_administration_maaa_and_pla_rows_are_read_not_skipped() -> None:
    # CPT Category I shapes 0001A (vaccine administration), 0002M (MAAA) and 0001U (PLA)
    # used to be refused by ProcedureCode, so these rows were taken for headers and dropped.
    ptp = list(read_ptp(["0001A\t96372\t\t20210101\t*\t1\tStandards of medical practice"]))
    assert [(e.column1, e.column2) for e in ptp] == [("0001A", "96372")]
    mue = list(read_mue(["0002M,1,3 Date of Service Edit: Clinical,x", "0001U,1,2 x,y"]))
    assert [(m.code, m.units) for m in mue] == [("0002M", 1), ("0001U", 1)]
