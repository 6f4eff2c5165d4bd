"""The 270 and 276 writers against the guides' structure rules (tests/x12/guide_structure.py).

pyx12 4.0 has no 5010 map for the 270 or the 276: these rules, written from the TR3s
(005010X279A1, 005010X212), stand in for it. The guides' own examples pass them; broken
copies of them fail; the writers' output passes for subscribers, dependents, many service
types, and many claims across payers, providers and patients.
"""

from __future__ import annotations

from pathlib import Path

import attrs
import pendulum
import pytest
from guide_structure import StructureError, check_270, check_276
from hypothesis import given, settings
from hypothesis import strategies as st

from medbill import Coverage, PersonName, Relationship, Subscriber, ValidationError
from medbill.testing import make_claim, make_coverage, make_patient, make_payer, make_provider
from medbill.x12 import Party, write_270, write_276

SENDER = Party(name="SPRINGFIELD FAMILY MEDICINE", id="SFM001")
RECEIVER = Party(name="ACME HEALTH", id="ACME")
LFH = "linuxforhealth-x12/src/tests/resources/"
EXAMPLES_270 = ["subscriber-health-benefit-check.270", "dependent-health-benefit-check.270"]
EXAMPLES_276 = [
    "claim-level-status.276",
    "claim-level-status-ncpdp.276",
    "information-receiver-level-status.276",
    "provider-level-status.276",
]
NOW = pendulum.datetime(2025, 3, 4, 8)


@pytest.mark.parametrize("name", EXAMPLES_270)
def test_the_guides_270_examples_pass(reference_dir: Path, name: str) -> None:
    check_270((reference_dir / LFH / "270_005010X279A1" / name).read_text())


@pytest.mark.parametrize("name", EXAMPLES_276)
def test_the_guides_276_examples_pass(reference_dir: Path, name: str) -> None:
    check_276((reference_dir / LFH / "276_005010X212" / name).read_text())


INS_5010 = "oopfactory-x12parser/tests/OopFactory.X12.Tests.Unit/Parsing/_SampleEdiFiles/INS/"
# every other public 5010 270 and 276 sample (MANIFEST.md), beside the guide's examples
SAMPLES_270 = [
    "badx12/tests/files/edi/X279-generic-request-by-clinic-for-patient-(subscriber)-eligibility.edi",
    "badx12/tests/files/edi/X279-generic-request-by-physician-for-patient-(dependent)-eligibility.edi",
    "linuxforhealth-x12/demo-file/demo-single-line.270",
    "linuxforhealth-x12/demo-file/demo.270",
]


@pytest.mark.parametrize("name", SAMPLES_270)
def test_every_public_5010_270_passes(reference_dir: Path, name: str) -> None:
    check_270((reference_dir / name).read_text())


@pytest.mark.parametrize("name", ["_270/_5010/Example1_IG.txt", "_270/_5010/Example1_IG_0x1D.txt"])
def test_the_pre_addenda_270_samples_pass_but_for_their_version(
    reference_dir: Path, name: str
) -> None:
    # stamped 005010X279 (the guide before its addenda A1), indented, a byte order mark;
    # the same loops and segments
    text = (reference_dir / INS_5010 / name).read_text(encoding="utf-8")
    with pytest.raises(StructureError, match=r"^GS08 must be 005010X279A1$"):
        check_270(text)
    check_270(text, versions=("005010X279A1", "005010X279"))


def test_public_276_samples(reference_dir: Path) -> None:
    check_276((reference_dir / "linuxforhealth-x12/demo-file/demo.276").read_text())
    # this sample's GS08 names the 270's guide (005010X279) over a 276 (ST03 005010X212):
    # the check says so, and nothing else
    text = (reference_dir / INS_5010 / "_276/_5010/Example1_IG.txt").read_text(encoding="utf-8")
    with pytest.raises(StructureError) as raised:
        check_276(text)
    assert str(raised.value).splitlines() == [
        "GS08 must be 005010X212",
        "ST03 005010X212 must be the GS08 version 005010X279",
    ]


def _broken(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        # the dependent's TRN after its name: 2000D's TRN comes before loop 2100D
        (
            "TRN*1*93175-012547*9877281234~NM1*03*1*SMITH*MARY~",
            "NM1*03*1*SMITH*MARY~TRN*1*93175-012547*9877281234~",
            "out of place",
        ),
        ("NM1*03*1*SMITH*MARY~", "", "required loop 2100D"),
        ("HL*4*3*23*0", "HL*4*2*23*0", "needs a parent of level 22"),
        ("HL*3*2*22*1", "HL*3*2*22*0", "HL04 '0' but it has 1 children"),
        ("DMG*D8*19781014~", "DMG*D8*19781014~DMG*D8*19781014~", "DMG 2 times, at most 1"),
        (
            "DTP*291*D8*20060501~",
            "DTP*291*D8*20060501~DTP*102*D8*20060101~DTP*291*D8*20060501~",
            "DTP 3 times, at most 2",
        ),
        ("DMG*D8*19781014~", "DMG*D8*19781014~INS*N*G8~", "INS02 'G8' is not allowed"),
        ("NM1*03*1*SMITH*MARY~", "NM1*03*1*SMITH*MARY****MI*1~", "NM108 is not used"),
        ("SE*15*1234", "SE*14*1234", "SE01 14 but the transaction has 15"),
        ("BHT*0022*13", "BHT*0010*13", "BHT01 '0010' is not allowed"),
    ],
)
def test_broken_270s_fail(reference_dir: Path, old: str, new: str, message: str) -> None:
    text = (reference_dir / LFH / "270_005010X279A1" / EXAMPLES_270[1]).read_text()
    text = text.replace("\n", "")
    with pytest.raises(StructureError, match=message):
        check_270(_broken(text, old, new))


def test_more_than_99_inquiries_fail(reference_dir: Path) -> None:
    text = (reference_dir / LFH / "270_005010X279A1" / EXAMPLES_270[0]).read_text()
    many = "".join(f"EQ*{n}~" for n in range(1, 101))
    text = text.replace("\n", "").replace("EQ*30~", many).replace("SE*13*", "SE*112*")
    with pytest.raises(StructureError, match="loop 2110C 100 times, at most 99"):
        check_270(text)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("TRN*1*ABCXYZ1~", "", "out of place"),  # REF without its TRN: no 2200D
        ("NM1*41*2*XYZ SERVICE*****46*X67E~", "", "required loop 2100B"),
        ("HL*3*2*19*1", "HL*3*1*19*1", "needs a parent of level 21"),
        ("AMT*T3*8513.88~", "AMT*T3*8513.88~AMT*T3*1.00~", "AMT 2 times, at most 1"),
        ("REF*BLT*111~", "REF*ZZ*111~", "REF01 'ZZ' is not allowed"),
        ("NM1*QC*1*MANN*JOSEPH~", "NM1*QC*2*MANN*JOSEPH~", "NM102 '2' is not allowed"),
        ("HL*1**20*1", "HL*1**20*0", "HL04 '0' is not allowed"),
    ],
)
def test_broken_276s_fail(reference_dir: Path, old: str, new: str, message: str) -> None:
    text = (reference_dir / LFH / "276_005010X212" / EXAMPLES_276[0]).read_text()
    with pytest.raises(StructureError, match=message):
        check_276(_broken(text.replace("\n", ""), old, new))


# -- the writers ----------------------------------------------------------------------------


def _dependent_coverage(relationship: Relationship = Relationship.CHILD) -> Coverage:
    return make_coverage(
        relationship=relationship,
        subscriber=Subscriber(
            name=PersonName(family="DOE", given="JOHN"), birth_date=pendulum.date(1975, 2, 1)
        ),
    )


SERVICE_TYPES = ["30", "1", "33", "35", "47", "86", "88", "98", "AL", "MH", "UC", "BZ", "PT"]


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    st.lists(st.sampled_from(SERVICE_TYPES), min_size=1, max_size=99),
    st.sampled_from([None, Relationship.SPOUSE, Relationship.CHILD, Relationship.OTHER]),
    st.booleans(),
    st.booleans(),
)
def test_write_270_follows_the_guide(
    types: list[str], relationship: Relationship | None, group: bool, dated: bool
) -> None:
    coverage = make_coverage() if relationship is None else _dependent_coverage(relationship)
    coverage = attrs.evolve(coverage, group_number="GRP-100" if group else None)
    text = write_270(make_patient(), coverage, make_provider(), types, sender=SENDER,
                     receiver=RECEIVER, control_number=7, created=NOW, trace="CHK-1",
                     service_date=pendulum.date(2025, 3, 4) if dated else None)  # fmt: skip
    check_270(text)


def test_write_270_refuses_more_inquiries_than_the_guide_allows() -> None:
    # 2110C repeats at most 99 times (one EQ each)
    with pytest.raises(ValidationError, match="at most 99"):
        write_270(make_patient(), make_coverage(), make_provider(), ["30"] * 100,
                  sender=SENDER, receiver=RECEIVER, control_number=7, created=NOW,
                  trace="CHK-1")  # fmt: skip


def test_write_270_other_relationship_is_an_other_adult() -> None:
    # 2100D INS02 allows 01 spouse, 19 child, 34 other adult: medbill's OTHER (G8) is 34
    text = write_270(make_patient(), _dependent_coverage(Relationship.OTHER), make_provider(),
                     sender=SENDER, receiver=RECEIVER, control_number=7, created=NOW,
                     trace="CHK-1")  # fmt: skip
    assert "INS*N*34~" in text
    check_270(text)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["acme", "prairie"]),
            st.sampled_from(["1234567893", "1987654328"]),
            st.sampled_from(["MRN-1", "MRN-2", "MRN-3"]),
            st.booleans(),  # the patient is a dependent
            st.booleans(),  # the payer's claim number is known
        ),
        min_size=1,
        max_size=12,
    )
)
def test_write_276_follows_the_guide(rows: list[tuple[str, str, str, bool, bool]]) -> None:
    claims, numbers = [], {}
    for index, (payer, npi, patient, dependent, known) in enumerate(rows):
        base = make_claim()
        coverage = _dependent_coverage() if dependent else make_coverage()
        coverage = attrs.evolve(coverage, payer=make_payer(id=payer), patient_id=patient)
        claim = attrs.evolve(base, id=f"CLM-{index:04d}", coverage=coverage,
                             patient=attrs.evolve(base.patient, id=patient),
                             billing_provider=make_provider(npi=npi))  # fmt: skip
        claims.append(claim)
        if known:
            numbers[claim.id] = f"PCN-{index}"
    text = write_276(claims, sender=SENDER, receiver=RECEIVER, control_number=9,
                     created=NOW, payer_claim_numbers=numbers)  # fmt: skip
    check_276(text)
    assert text.count("TRN*1*") == len(claims)
