"""parse_interchange reads any X12 file: every sample of ../shared/reference/ (270 to 999)."""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path

import pendulum
import pytest

from medbill import ParseError
from medbill.x12 import SAMPLE_835, parse_interchange

# the same folder as the reference_dir fixture (tests/conftest.py), needed at collection
REFERENCE = Path(
    os.environ.get(
        "MEDBILL_REFERENCE", Path(__file__).resolve().parents[3] / "shared" / "reference"
    )
)

# Damaged on purpose or truncated by their authors: reading them must fail, even leniently.
BROKEN = {
    "pyx12/test_x12testdata/837miss.x12.txt": "ends without an SE",
    "pyx12/test_x12testdata/fail_no_IEA.x12.txt": "ends without an IEA",
    "oopfactory-x12parser/tests/OopFactory.X12.Tests.Unit/Parsing/_SampleEdiFiles/INS/_277/"
    "_5010/FromBogeyone.txt": "ends without an SE",
    "tigershark/tests/837I-Examples.txt": "expected SE closing transaction set '30001' before ISA",
    "badx12/tests/files/errors/unknown_segment_error.edi": "segment HL outside a transaction",
}


def _x12_samples(reference: Path) -> list[str]:
    manifest = reference / "MANIFEST.md"
    if not manifest.exists():
        return []
    names = []
    for line in manifest.read_text().splitlines():
        cells = line.split("|")
        if line.startswith("|") and len(cells) > 4 and re.search(r"X12 \d{3}", line):
            name = cells[1].strip()
            if not name.endswith((".xml", ".csv")):
                names.append(name)
    return names


SAMPLES = _x12_samples(REFERENCE)


def _count_transaction_sets(text: str) -> int:
    """ST segments counted by splitting on any terminator or line break: a second method."""
    pieces = re.split(r"[~\r\n]", text)
    return sum(1 for piece in pieces if re.match(r"\s*ST[^A-Za-z0-9]\d{3}", piece))


@pytest.mark.parametrize("name", SAMPLES)
def test_every_x12_sample_parses(reference_dir: Path, name: str) -> None:
    path = reference_dir / name
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if name in BROKEN:
            with pytest.raises(ParseError, match=BROKEN[name]):
                parse_interchange(path, strict=False)
            return
        interchanges = parse_interchange(path, strict=False)
    found = sum(len(g.transactions) for i in interchanges for g in i.groups)
    assert found == _count_transaction_sets(path.read_text(encoding="utf-8-sig"))


def test_tree_of_an_interchange() -> None:
    [interchange] = parse_interchange(SAMPLE_835)
    assert (interchange.sender_id, interchange.receiver_id) == ("ACMEHEALTH", "SPRINGFIELDFM")
    assert interchange.date == pendulum.date(2025, 4, 1)
    assert (interchange.control_number, interchange.usage) == ("000000001", "P")
    [group] = interchange.groups
    assert (group.functional_id, group.version, group.date) == (
        "HP",
        "005010X221A1",
        pendulum.date(2025, 4, 1),
    )
    [transaction] = group.transactions
    assert (transaction.id, transaction.control_number) == ("835", "0001")
    clp = next(s for s in transaction.segments if s.id == "CLP")
    assert (clp.number, clp.element(1), clp.element(4)) == (14, "C-1", "210.00")


def test_empty_groups_and_acknowledgments_are_kept() -> None:
    isa = SAMPLE_835.split("~")[0] + "~"
    text = (
        isa
        + "TA1*000000001*250401*1200*A*000~GS*HP*A*B*20250401*1200*5*X*005010X221A1~GE*0*5~IEA*1*000000001~"
    )
    [interchange] = parse_interchange(text)
    assert [(g.control_number, g.transactions) for g in interchange.groups] == [("5", ())]


def test_repetition_separator_clashing_with_the_component_separator() -> None:
    clashing = SAMPLE_835.replace("*^*00501*", "*:*00501*", 1)
    with pytest.raises(
        ParseError, match=r"segment 1 \(ISA\), element 11: the repetition separator"
    ):
        parse_interchange(clashing)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        [interchange] = parse_interchange(clashing, strict=False)
    assert interchange.delimiters.repetition == ""
    assert len(caught) == 1
