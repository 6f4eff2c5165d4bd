"""Clean-claim scrubbing against the real CMS and CDC tables, read in place.

Every expected finding was worked out by hand from the table row cited next to it:
- PPRRVU: CY2020-2023 October (D) releases, CY2024 January/April/July, CY2025 January
  (``arkrvu-cms-pfs`` and ``cms-pfs-2025``); columns STATUS CODE, PCTC IND, GLOB DAYS,
  NON-FAC NA;
- HCPCS Level II July 2024 (``northstar-cms-codes/hcpcs_lvl2.csv``: date_added, date_term);
- NCCI practitioner PTP and MUE tables of 2024-07-01 and the add-on code edits of
  2024-06-03 (``northstar-cms-codes``);
- ICD-10-CM Tabular List FY2026 (April 1, 2026, shipped by simple-icd-10-cm 1.5.0) and
  FY2025 (April 1, 2025; ``MEDBILL_ICD10CM_FY2025_XML``, see .ci/services/);
- the modifier lists ``modifiers.csv`` and ``mod_addition.csv``.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import NoReturn

import attrs
import pendulum
import pytest

from medbill import Claim, ClaimLine, Sex
from medbill.claims import CodeSets, Finding, NcciEdits, read_aoc, read_mue, read_ptp, scrub
from medbill.codes import Icd10CodeSet

from .conftest import clean_claim, line, payer_coverage
from .test_ncci import _northstar_ptp_as_cms_rows

JULY_2024 = pendulum.date(2024, 7, 15)
MARCH_2025 = pendulum.date(2025, 3, 4)


def _fy2026_xml() -> Path:
    pytest.importorskip("simple_icd_10_cm", reason="needs the dev extra (simple-icd-10-cm)")
    folder = resources.files("simple_icd_10_cm") / "data"
    return Path(str(next(p for p in folder.iterdir() if p.name.endswith(".xml"))))


@pytest.fixture(scope="session")
def code_sets(reference_dir: Path) -> CodeSets:
    rvu = reference_dir / "arkrvu-cms-pfs"
    sets = CodeSets()
    for year in (2020, 2021, 2022, 2023):
        # only the October (D) release of these years is at hand: it stands for the year
        path = rvu / f"rvu_source_{year}" / f"pprrvu_rvu{year - 2000}d_oct.csv"
        sets = sets.with_pprrvu(path, effective=pendulum.date(year, 1, 1))
    for release in ("a_jan", "b_apr", "c_jul"):
        sets = sets.with_pprrvu(rvu / "rvu_source_2024" / f"pprrvu_rvu24{release}.csv")
    sets = sets.with_pprrvu(reference_dir / "cms-pfs-2025" / "PPRRVU25_JAN.csv")
    codes = reference_dir / "northstar-cms-codes"
    sets = sets.with_hcpcs(codes / "hcpcs_lvl2.csv", effective=pendulum.date(2024, 7, 1))
    sets = sets.with_modifier_file(codes / "modifiers.csv")
    sets = sets.with_modifier_file(codes / "mod_addition.csv")
    return sets.with_icd10(Icd10CodeSet.from_tabular_xml(_fy2026_xml()), fiscal_year=2026)


@pytest.fixture(scope="session")
def fy2025(service_unavailable: Callable[[str], NoReturn]) -> Icd10CodeSet:
    path = os.environ.get("MEDBILL_ICD10CM_FY2025_XML")
    if not path or not Path(path).is_file():
        service_unavailable("MEDBILL_ICD10CM_FY2025_XML names no ICD-10-CM FY2025 Tabular List XML")
    return Icd10CodeSet.from_tabular_xml(path)


@pytest.fixture(scope="session")
def ncci(reference_dir: Path) -> NcciEdits:
    folder = reference_dir / "northstar-cms-codes"
    ptp = read_ptp(_northstar_ptp_as_cms_rows(folder / "ncci_ptp_prac.csv.gz", {"93000", "11042"}))
    with (folder / "ncci_aoc.csv").open() as aoc:
        edits = NcciEdits.from_rows(ptp=ptp, aoc=read_aoc(aoc), source="NCCI practitioner 2024Q3")
    with (folder / "ncci_mue_prac.csv").open() as mue:
        return edits.with_mue(read_mue(mue), effective=pendulum.date(2024, 7, 1),
                              label="practitioner MUE 2024-07-01")  # fmt: skip


def found(claim: Claim, *, as_of: pendulum.Date, **tables: object) -> list[tuple[str, str, str]]:
    findings: list[Finding] = scrub(claim, as_of=as_of, **tables)  # type: ignore[arg-type]
    return [(f.severity.value, f.rule, f.path) for f in findings]


def on(*lines: ClaimLine, diagnoses: Sequence[str] = ("E11.9", "I10")) -> Claim:
    coverage = payer_coverage(start=pendulum.date(2020, 1, 1))
    return clean_claim(*lines, coverage=coverage, diagnoses=diagnoses)


# -- code sets by date -----------------------------------------------------------------


def test_hcpcs_add_and_termination_dates(code_sets: CodeSets) -> None:
    # hcpcs_lvl2.csv: G2211 date_added 2021-01-01; A4397 date_term 2021-12-31. G2211 was
    # status B (bundled) in the CY2021 PPRRVU and A (payable) from CY2024.
    assert not code_sets.on(pendulum.date(2020, 12, 31)).procedure("G2211").valid
    assert code_sets.on(pendulum.date(2021, 1, 1)).procedure("G2211").valid
    assert not code_sets.on(pendulum.date(2021, 1, 1)).procedure("G2211").billable
    assert code_sets.on(MARCH_2025).procedure("G2211").billable
    assert code_sets.on(pendulum.date(2021, 12, 31)).procedure("A4397").valid
    status = code_sets.on(pendulum.date(2022, 1, 1)).procedure("A4397")
    assert not status.valid
    assert "terminated 2021-12-31" in status.reason
    assert "hcpcs_lvl2.csv" in status.source


def test_cpt_from_the_pprrvu_release_in_force(code_sets: CodeSets) -> None:
    # 99417 is absent from the 2020 file (created for 2021) and status I in 2025 (Medicare
    # uses G2212); 99213 is status A in both.
    in_2020 = code_sets.on(pendulum.date(2020, 5, 1)).procedure("99417")
    assert (in_2020.valid, in_2020.reason) == (False, "not in the relative value file in force")
    assert "pprrvu_rvu20d_oct.csv" in in_2020.source
    in_2025 = code_sets.on(MARCH_2025).procedure("99417")
    assert not in_2025.valid
    assert "status I" in in_2025.reason
    assert code_sets.on(MARCH_2025).procedure("99213").billable
    # anesthesia and PLA codes are not in the PPRRVU file: not judged by it
    assert not code_sets.on(MARCH_2025).procedure("00100").known
    assert not code_sets.on(MARCH_2025).procedure("0001U").known


def test_scrub_stops_a_code_not_in_force(code_sets: CodeSets) -> None:
    claim = on(line("1", "99213"), line("2", "99417"))
    assert found(claim, as_of=MARCH_2025.add(days=5), code_sets=code_sets) == [
        ("error", "code-not-in-force", "lines[1].procedure")
    ]


def test_icd10_fiscal_years(code_sets: CodeSets, fy2025: Icd10CodeSet) -> None:
    sets = code_sets.with_icd10(fy2025, fiscal_year=2025)
    last_fy2025, first_fy2026 = pendulum.date(2025, 9, 30), pendulum.date(2025, 10, 1)
    # E11.A (type 2 diabetes in remission) is new in FY2026; G35 (multiple sclerosis) is
    # billable in FY2025 and a header in FY2026 (expanded to G35.A-G35.D).
    assert not sets.on(last_fy2025).diagnosis("E11.A").valid
    assert sets.on(first_fy2026).diagnosis("E11.A").billable
    assert sets.on(last_fy2025).diagnosis("G35").billable
    header = sets.on(first_fy2026).diagnosis("G35")
    assert (header.valid, header.billable) == (True, False)
    claim = on(line("1", "99213", day=last_fy2025), diagnoses=["E11.A"])
    assert found(claim, as_of=first_fy2026, code_sets=sets, rules=None) == [
        ("error", "code-not-in-force", "diagnoses[0]"),
        ("error", "diagnosis-required", "lines[0].diagnosis_pointers"),
    ]
    later = on(line("1", "99213", day=first_fy2026), diagnoses=["E11.A"])
    assert found(later, as_of=first_fy2026.add(days=3), code_sets=sets) == []


def test_modifiers_against_the_modifier_list(code_sets: CodeSets) -> None:
    # "ZZ" is in neither modifiers.csv nor mod_addition.csv; "GP" is
    claim = on(line("1", "97110", modifiers=["GP", "ZZ"]))
    assert found(claim, as_of=MARCH_2025.add(days=5), code_sets=code_sets) == [
        ("error", "modifier-invalid", "lines[0].modifiers[1]")
    ]


# -- NCCI ----------------------------------------------------------------------------


def test_add_on_type_1_needs_a_listed_primary(ncci: NcciEdits) -> None:
    # ncci_aoc.csv: "11000","11001",1 (11001 debridement, each additional 10%)
    alone = on(line("1", "11001", day=JULY_2024))
    findings = scrub(alone, as_of=JULY_2024.add(days=5), ncci=ncci)
    assert [(f.severity.value, f.rule, f.path) for f in findings] == [
        ("error", "ncci-aoc", "lines[0].procedure")
    ]
    assert "type 1" in findings[0].message
    assert "11000" in findings[0].hint
    paired = on(line("1", "11000", day=JULY_2024), line("2", "11001", day=JULY_2024))
    assert found(paired, as_of=JULY_2024.add(days=5), ncci=ncci) == []
    # the primary on another day does not count
    other_day = on(line("1", "11000", day=JULY_2024.add(days=1)),
                   line("2", "11001", day=JULY_2024))  # fmt: skip
    assert found(other_day, as_of=JULY_2024.add(days=5), ncci=ncci) == [
        ("error", "ncci-aoc", "lines[1].procedure")
    ]


def test_add_on_type_2_and_type_3(ncci: NcciEdits) -> None:
    # "CCCCC","0054T",2: no primary list; an error only when billed alone
    assert found(on(line("1", "0054T", day=JULY_2024)), as_of=JULY_2024, ncci=ncci) == [
        ("error", "ncci-aoc", "lines[0].procedure")
    ]
    with_any = on(line("1", "27447", day=JULY_2024), line("2", "0054T", day=JULY_2024))
    assert found(with_any, as_of=JULY_2024, ncci=ncci) == []
    # "11010","20701",3 (and 11011, 11012, 11043, 11044, ...): listed primary -> clean;
    # another procedure -> warning (the contractor may accept it); alone -> error
    listed = on(line("1", "11010", day=JULY_2024), line("2", "20701", day=JULY_2024))
    assert found(listed, as_of=JULY_2024, ncci=ncci) == []
    other = on(line("1", "27447", day=JULY_2024), line("2", "20701", day=JULY_2024))
    assert found(other, as_of=JULY_2024, ncci=ncci) == [
        ("warning", "ncci-aoc", "lines[1].procedure")
    ]
    alone = on(line("1", "20701", day=JULY_2024))
    assert found(alone, as_of=JULY_2024, ncci=ncci) == [("error", "ncci-aoc", "lines[0].procedure")]


def _ptp_only(ncci: NcciEdits, *lines: ClaimLine) -> list[str]:
    claim = on(*lines)
    from medbill.claims._rules import ncci_ptp

    return [f.hint for f in scrub(claim, as_of=JULY_2024, ncci=ncci, rules=[ncci_ptp])]


def test_ptp_anatomic_modifiers_bypass_only_when_they_differ(ncci: NcciEdits) -> None:
    # ncci_ptp_prac: 11042 | 11010 (9999-12-31, modifier indicator 1, "Mutually exclusive")
    def day(code: str, *mods: str, n: str = "1") -> ClaimLine:
        return line(n, code, modifiers=mods, day=JULY_2024)

    assert _ptp_only(ncci, day("11042", "RT"), day("11010", "LT", n="2")) == []
    [same] = _ptp_only(ncci, day("11042", "RT"), day("11010", "RT", n="2"))
    assert "same anatomic modifier RT" in same
    assert len(_ptp_only(ncci, day("11042"), day("11010", "RT", n="2"))) == 1
    assert _ptp_only(ncci, day("11042", "F1"), day("11010", "F2", n="2")) == []


def test_ptp_59_belongs_on_the_column_2_code(ncci: NcciEdits) -> None:
    # ncci_ptp_prac: 93000 | 93010 (indicator 1): 59 or XS on 93010 bypasses; on 93000 not
    def day(code: str, *mods: str, n: str = "1") -> ClaimLine:
        return line(n, code, modifiers=mods, day=JULY_2024)

    assert _ptp_only(ncci, day("93000"), day("93010", "59", n="2")) == []
    assert _ptp_only(ncci, day("93000"), day("93010", "XS", n="2")) == []
    [hint] = _ptp_only(ncci, day("93000", "59"), day("93010", n="2"))
    assert "59 is on the column-1 code" in hint
    assert "column-2 code 93010" in hint
    # indicator 0: 11042 | 69990 ("Misuse of Column Two code", 0): nothing bypasses
    [never] = _ptp_only(ncci, day("11042"), day("69990", "59", n="2"))
    assert "indicator 0" in never
    # global-surgery and other NCCI modifiers bypass on either code (25 on the E/M)
    assert _ptp_only(ncci, day("11042", "XS"), day("11010", "59", n="2")) == []


def test_mue_by_date(ncci: NcciEdits) -> None:
    # ncci_mue_prac (2024-07-01): "36415",2,3 -> 3 units on one day is over; the table is not
    # in force for a June 2024 service (no earlier quarter loaded), so nothing is said then
    july = on(line("1", "36415", units="3", day=JULY_2024))
    findings = scrub(july, as_of=JULY_2024, ncci=ncci)
    assert [(f.rule, f.path) for f in findings] == [("ncci-mue", "lines[0].units")]
    assert "practitioner MUE 2024-07-01" in findings[0].message
    june = pendulum.date(2024, 6, 14)
    assert scrub(on(line("1", "36415", units="3", day=june)), as_of=JULY_2024, ncci=ncci) == []


# -- PPRRVU indicators ------------------------------------------------------------------


def test_pctc_indicator_against_26_and_tc(code_sets: CodeSets) -> None:
    # PPRRVU25_JAN: 99213 PCTC 0, 71046 PCTC 1, 93010 PCTC 2
    claim = on(line("1", "99213", modifiers=["26"]), line("2", "71046", modifiers=["26"]),
               line("3", "93010", modifiers=["TC"]))  # fmt: skip
    assert found(claim, as_of=MARCH_2025, code_sets=code_sets) == [
        ("error", "pctc-modifier", "lines[0].modifiers[0]"),
        ("error", "pctc-modifier", "lines[2].modifiers[0]"),
    ]


def test_global_surgery_needs_24_25_or_57(code_sets: CodeSets) -> None:
    # PPRRVU25_JAN: 10060 (incision and drainage) GLOB DAYS 10
    same_day = on(line("1", "10060"), line("2", "99213"))
    findings = scrub(same_day, as_of=MARCH_2025, code_sets=code_sets)
    assert [(f.rule, f.path) for f in findings] == [("global-surgery", "lines[1].modifiers")]
    assert "010-day global period of 10060 on 2025-03-04" in findings[0].message
    assert findings[0].hint.startswith("append 25")
    with_25 = on(line("1", "10060"), line("2", "99213", modifiers=["25"]))
    assert scrub(with_25, as_of=MARCH_2025, code_sets=code_sets) == []
    # a visit 10 days later is still inside (day of + 10 days); 11 days later is not
    surgery = on(line("1", "10060"))
    for offset, expected in ((10, ["global-surgery"]), (11, [])):
        visit_day = MARCH_2025.add(days=offset)
        visit = on(line("1", "99213", day=visit_day))
        rules = [
            f.rule for f in scrub(visit, as_of=visit_day, code_sets=code_sets, history=[surgery])
        ]
        assert rules == expected


def test_facility_only_code_in_an_office(code_sets: CodeSets) -> None:
    # PPRRVU25_JAN: 99221 (initial hospital care) NON-FAC NA
    office = on(line("1", "99221"))
    assert found(office, as_of=MARCH_2025, code_sets=code_sets) == [
        ("error", "place-of-service", "place_of_service")
    ]
    hospital = attrs.evolve(office, place_of_service="21")
    assert found(hospital, as_of=MARCH_2025, code_sets=code_sets) == []


# -- ICD-10-CM notes --------------------------------------------------------------------


def _patient(claim: Claim, *, sex: str, born: pendulum.Date) -> Claim:
    patient = attrs.evolve(claim.patient, sex=Sex(sex), birth_date=born)
    return attrs.evolve(claim, patient=patient)


def test_sex_conflicts_from_the_tabular_list(code_sets: CodeSets) -> None:
    # FY2026 Tabular List: N40.0 in section N40-N53 "Diseases of male genital organs";
    # O80 in chapter 15 "FOR USE ONLY ON MATERNAL RECORDS"
    day = pendulum.date(2025, 11, 3)
    bph = _patient(on(line("1", "99213", day=day), diagnoses=["N40.0"]), sex="F",
                   born=pendulum.date(1950, 1, 1))  # fmt: skip
    findings = scrub(bph, as_of=day, code_sets=code_sets)
    assert [(f.rule, f.path) for f in findings] == [("diagnosis-sex", "diagnoses[0]")]
    assert "section N40-N53" in findings[0].message
    assert "Diseases of male genital organs" in findings[0].message
    delivery = _patient(on(line("1", "99213", day=day), diagnoses=["O80"]), sex="M",
                        born=pendulum.date(1990, 1, 1))  # fmt: skip
    assert [f.rule for f in scrub(delivery, as_of=day, code_sets=code_sets)] == ["diagnosis-sex"]


def test_age_conflicts_from_the_tabular_list(code_sets: CodeSets) -> None:
    day = pendulum.date(2025, 11, 3)
    adult = pendulum.date(1985, 6, 1)
    # Z38.00: "for use ... on the initial record of a newborn baby ... initial birth record only"
    liveborn = _patient(on(line("1", "99213", day=day), diagnoses=["Z38.00"]), sex="F", born=adult)
    assert found(liveborn, as_of=day, code_sets=code_sets) == [
        ("error", "diagnosis-age", "diagnoses[0]")
    ]
    # P07.30 (chapter 16, "for use on newborn records only"; "even if morbidity occurs later")
    preterm = _patient(on(line("1", "99213", day=day), diagnoses=["P07.30"]), sex="F", born=adult)
    assert found(preterm, as_of=day, code_sets=code_sets) == [
        ("warning", "diagnosis-age", "diagnoses[0]")
    ]
    # the same codes on a 3-day-old are fine
    newborn = _patient(liveborn, sex="F", born=day.subtract(days=3))
    assert found(newborn, as_of=day, code_sets=code_sets) == []


def test_clean_claim_with_everything_loaded(code_sets: CodeSets, ncci: NcciEdits) -> None:
    claim = on(line("1", "99214", modifiers=["25"]), line("2", "20610", modifiers=["RT"]),
               line("3", "36415"))  # fmt: skip
    assert scrub(claim, as_of=MARCH_2025.add(days=2), code_sets=code_sets, ncci=ncci) == []


def test_reading_the_real_aoc_file(reference_dir: Path) -> None:
    with (reference_dir / "northstar-cms-codes" / "ncci_aoc.csv").open() as handle:
        rows = list(csv.reader(handle))
    with (reference_dir / "northstar-cms-codes" / "ncci_aoc.csv").open() as handle:
        edits = list(read_aoc(handle))
    assert len(edits) == len(rows) - 1 == 7465
    assert {e.type.value for e in edits} == {"1", "2", "3"}
