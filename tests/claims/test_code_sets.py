"""CodeSets: releases by date, file-name dates, errors naming what is wrong."""

from __future__ import annotations

from pathlib import Path

import pendulum
import pytest

from medbill import ParseError, ValidationError
from medbill.claims import CodeSets, HcpcsCode, read_hcpcs
from medbill.codes import Icd10CodeSet

HEADER = "HCPCS,MOD,DESCRIPTION,CODE,PAYMENT,RVU,PE RVU,INDICATOR,PE RVU,INDICATOR,RVU,TOTAL,TOTAL,IND,DAYS,OP,OP,OP,PROC,SURG,SURG,SURG,SURG,BASE,FACTOR"


def _pprrvu(folder: Path, name: str, *rows: str) -> Path:
    path = folder / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="latin-1")
    return path


def _row(code: str, status: str, pctc: str = "0", glob: str = "XXX") -> str:
    return f"{code},,,{status},,1,1,,1,,0.1,2,2,{pctc},{glob},0,0,0,0,0,0,0,0,,32.3465"


def test_releases_follow_each_other_and_the_file_name_dates_them(tmp_path: Path) -> None:
    jan = _pprrvu(tmp_path, "PPRRVU25_JAN.csv", _row("99213", "A"), _row("99999", "A"))
    apr = _pprrvu(tmp_path, "PPRRVU25_APR.csv", _row("99213", "A"), _row("99999", "D"))
    sets = CodeSets().with_pprrvu(jan).with_pprrvu(apr)
    assert sets.on(pendulum.date(2025, 3, 31)).procedure("99999").billable
    april = sets.on(pendulum.date(2025, 4, 1)).procedure("99999")
    assert (april.valid, april.reason) == (False, "deleted code (PPRRVU status D)")
    assert "PPRRVU25_APR.csv" in april.source
    # nothing loaded covers 2026: not judged
    assert not sets.on(pendulum.date(2026, 1, 2)).procedure("99999").known
    with pytest.raises(ValidationError, match="cannot tell the release date"):
        CodeSets().with_pprrvu(_pprrvu(tmp_path, "rvu.csv", _row("99213", "A")))


def test_icd10_needs_a_fiscal_year_or_a_date() -> None:
    codes = Icd10CodeSet(billable=["E11.9"])
    with pytest.raises(ValidationError, match="fiscal_year"):
        CodeSets().with_icd10(codes)
    april = CodeSets().with_icd10(codes, effective=pendulum.date(2025, 4, 1))
    assert april.on(pendulum.date(2025, 9, 30)).diagnosis("E11.9").billable
    assert not april.on(pendulum.date(2025, 10, 1)).diagnosis("E11.9").known
    assert not april.on(pendulum.date(2025, 3, 31)).diagnosis("E11.9").known


def test_hcpcs_file_layouts_and_errors(tmp_path: Path) -> None:
    cms = tmp_path / "HCPC2025_APR_ANWEB.csv"
    cms.write_text("HCPC,SEQNUM,RECID,ADD DT,TERM DT,ACTION CD\nG2211,00100,3,20210101,,N\n"
                   "G2211,00200,4,,,\nK0552,00100,3,20030701,20161231,D\n")  # fmt: skip
    table = read_hcpcs(cms)
    assert table["G2211"] == HcpcsCode("G2211", pendulum.date(2021, 1, 1), None, "N")
    assert table["K0552"].terminated == pendulum.date(2016, 12, 31)
    bad = tmp_path / "bad.csv"
    bad.write_text("HCPC,ADD DT\nG2211,2021-1-1\n")
    with pytest.raises(ParseError, match=r"bad.csv, line 2: date '2021-1-1' must be YYYYMMDD"):
        read_hcpcs(bad)
    none = tmp_path / "none.csv"
    none.write_text("code,when\n")
    with pytest.raises(ParseError, match="no header row"):
        read_hcpcs(none)


def test_modifier_file_needs_a_modifier_column(tmp_path: Path) -> None:
    path = tmp_path / "mods.csv"
    path.write_text("code,text\n25,x\n")
    with pytest.raises(ParseError, match="no mod_code, modifier or MOD column"):
        CodeSets().with_modifier_file(path)
    sets = CodeSets().with_modifiers(["25"], label="a").with_modifiers(["59"], label="b")
    day = sets.on(pendulum.date(2025, 1, 2))
    assert day.modifier("59").valid
    assert day.modifier("25").valid
    assert day.modifier("59").source == "a; b"
