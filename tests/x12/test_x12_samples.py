"""Every public sample 835 of ../shared/reference/ parses, with its totals checked.

EXPECTED lists, per file and per 835 transaction set: BPR02 (the payment), the number of
CLP claims, the sum of CLP04 (claim payments) and the sum of the PLB amounts. The figures
were worked out outside medbill: by splitting each file on its delimiters by hand and, for
every file pyx12 4.0.0 can read, confirmed with pyx12's reader (the comment says which);
``test_figures_agree_with_pyx12`` re-derives them with pyx12 whenever it is installed.

Many of these samples bend the standard (wrong SE counts, made-up NPIs, files without an
ISA envelope, template placeholders), so they are read with ``strict=False`` and the
departures come back as warnings; the files that are clean also read with ``strict=True``.
"""

from __future__ import annotations

import io
import warnings
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

from medbill import ParseError, Remittance, serialize
from medbill.x12 import SAMPLE_835, X12Warning, read_835

Figures = list[tuple[str, int, str, str]]

# fmt: off
EXPECTED: list[tuple[str, Figures]] = [
    ("linuxforhealth-x12/demo-file/demo.835", [('150000.00', 2, '149998.73', '-1.27')]),  # pyx12 agrees
    ("linuxforhealth-x12/src/tests/resources/835_005010X221A1/cob-contractural-adjustment.835", [('34.00', 1, '34.00', '0')]),  # pyx12 agrees
    ("linuxforhealth-x12/src/tests/resources/835_005010X221A1/managed-care.835", [('945.00', 2, '945.00', '0')]),  # pyx12 agrees
    ("linuxforhealth-x12/src/tests/resources/835_005010X221A1/medicare-part-a.835", [('150000.00', 2, '149998.73', '-1.27')]),  # pyx12 agrees
    ("linuxforhealth-x12/src/tests/resources/835_005010X221A1/secondary-payment.835", [('1222.00', 2, '1222.00', '0')]),  # pyx12 agrees
    ("linuxforhealth-x12/src/tests/resources/835_005010X221A1/tertiary-payment.835", [('187.50', 1, '187.50', '0')]),  # pyx12 agrees
    ("pyx12/test_x12testdata/835id.x12.txt", [('5950.21', 3, '-510.25', '-977.94')]),  # pyx12 agrees
    ("pyx12/test_x12testdata/bad_header_looping.x12.txt", [('0', 2, '0', '0')]),  # pyx12 agrees
    ("pyx12/test_x12testdata/mult_isa.x12.txt", []),  # pyx12 agrees
    ("pyx12/test_x12testdata/multiple_trn.x12.txt", []),  # pyx12 agrees
    ("pyx12/tests/835_mult_loops.txt", [('0', 1, '0', '0')]),  # pyx12 agrees
    ("oopfactory-x12parser/tests/OopFactory.X12.Tests.Unit/Parsing/_SampleEdiFiles/INS/_835/_4010/Example1_GripElements.txt", [('5.75', 9, '5.75', '-1.27')]),  # pyx12 agrees
    ("oopfactory-x12parser/tests/OopFactory.X12.Tests.Unit/Parsing/_SampleEdiFiles/INS/_835/_4010/FromNth/835_DeIdent_01.dat", [('99999.99', 96, '66417.62', '0')]),  # pyx12 cannot read it; figures by hand
    ("oopfactory-x12parser/tests/OopFactory.X12.Tests.Unit/Parsing/_SampleEdiFiles/INS/_835/_4010/FromNth/835_DeIdent_02.dat", [('0', 1, '0', '0'), ('99999.99', 162, '263025.24', '0'), ('99.99', 2, '199.98', '0'), ('0', 2, '0', '0'), ('99999.99', 196, '266364.76', '99.99'), ('99.99', 12, '59.94', '0')]),  # pyx12 cannot read it; figures by hand
    ("oopfactory-x12parser/tests/OopFactory.X12.Tests.Unit/Parsing/_SampleEdiFiles/INS/_835/_5010/Example1.txt", [('5.75', 10, '5.75', '-1.27')]),  # pyx12 agrees
    ("oopfactory-x12parser/tests/OopFactory.X12.Tests.Unit/Parsing/_SampleEdiFiles/INS/_835/_5010/ExampleFromNth.txt", [('999.99', 19, '776.06', '0'), ('9999.99', 23, '3111.09', '0'), ('482.13', 14, '3439.89', '0')]),  # pyx12 agrees
    ("oopfactory-x12parser/tests/OopFactory.X12.Tests.Unit/Parsing/_SampleEdiFiles/INS/_835/_5010/FromNth/835_WithMultipleInterchanges.txt", [('999.99', 19, '776.06', '0'), ('9999.99', 23, '3111.09', '0'), ('482.13', 14, '3439.89', '0')]),  # pyx12 agrees
    ("tigershark/tests/835-example-2.txt", [('12345.67', 1, '200.02', '0'), ('12000.65', 1, '12000.65', '0')]),  # pyx12 reads no 835 in it; figures by hand
    ("tigershark/tests/835-example.txt", [('12345.67', 2, '12200.67', '-361.19')]),  # pyx12 reads no 835 in it; figures by hand
    ("badx12/tests/files/edi/X221-dollars-and-data-sent-separate.edi", [('945', 2, '945', '0')]),  # pyx12 agrees
    ("badx12/tests/files/edi/X221-dollars-and-data-sent-together.edi", [('150000', 2, '149998.73', '-1.27')]),  # pyx12 agrees
    ("badx12/tests/files/edi/X221-era-sample.edi", [('132', 1, '132', '0')]),  # pyx12 agrees
    ("badx12/tests/files/edi/X221-multiple-claims-single-check.edi", [('810.8', 9, '810.8', '0')]),  # pyx12 agrees
    ("badx12/tests/files/edi/X221-secondary-payment-with-higher-fee-schedule.edi", [('34.00', 1, '34', '0')]),  # pyx12 agrees
    ("badx12/tests/files/edi/X221-secondary-payments.edi", [('1222', 2, '1222', '0')]),  # pyx12 agrees
    ("badx12/tests/files/edi/X221-tertiary-payments.edi", [('187.50', 1, '187.50', '0')]),  # pyx12 agrees
    ("badx12/tests/files/errors/error_validation.edi", [('945', 2, '945', '0')]),  # pyx12 agrees
    ("edi-835-parser/tests/test_edi_835_files/blue_cross_nc_sample.txt", [('1922.86', 1, '1922.86', '0')]),  # pyx12 cannot read it; figures by hand
    ("edi-835-parser/tests/test_edi_835_files/emedny_sample.txt", [('45.75', 3, '45.75', '0')]),  # pyx12 agrees
    ("edi-835-parser/tests/test_edi_835_files/united_healthcare_legacy_sample.txt", [('349.99', 2, '349.99', '0')]),  # pyx12 agrees
    ("edi-835-parser-affect-fork/tests/test_edi_835_files/blue_cross_nc_sample.txt", [('1922.86', 1, '1922.86', '0')]),  # pyx12 cannot read it; figures by hand
    ("edi-835-parser-affect-fork/tests/test_edi_835_files/emedny_sample.txt", [('45.75', 3, '45.75', '0')]),  # pyx12 agrees
    ("edi-835-parser-affect-fork/tests/test_edi_835_files/exhaustive_sample.txt", [('00', 1, '0', '0')]),  # pyx12 cannot read it; figures by hand
    ("edi-835-parser-affect-fork/tests/test_edi_835_files/nevada_medicaid.txt", [('0', 1, '0', '0'), ('0', 2, '0', '0'), ('1812.27', 0, '0', '-1812.27')]),  # pyx12 cannot read it; figures by hand
    ("edi-835-parser-affect-fork/tests/test_edi_835_files/sample_835.txt", [('1.78', 2, '1.78', '5'), ('141.13', 4, '141.13', '0')]),  # pyx12 agrees
    ("edi-835-parser-affect-fork/tests/test_edi_835_files/sample_835_with_interests.txt", [('1.78', 2, '1.78', '5'), ('141.13', 4, '141.13', '-10.3')]),  # pyx12 agrees
    ("edi-835-parser-affect-fork/tests/test_edi_835_files/united_healthcare_legacy_sample.txt", [('349.99', 2, '349.99', '0')]),  # pyx12 agrees
    ("edi-835-parser-chs-fork/tests/test_edi_835_files/test.835", [('1500.50', 1, '1500.50', '0')]),  # pyx12 agrees
    ("opendental/UnitTests/Resources/JustinSmithERA.txt", [('353', 3, '353', '0')]),  # pyx12 agrees
    ("opendental/UnitTests/Resources/JustinSmithERA_NoAutoProcessCARCs.txt", [('353', 3, '353', '0')]),  # pyx12 agrees
    ("opendental/UnitTests/Resources/x835MassHealth.txt", [('3067', 25, '2451', '0')]),  # pyx12 agrees
    ("opendental/UnitTests/Resources/x835PayerControlNumber.txt", [('534.17', 1, '858.65', '0'), ('211', 3, '647', '0'), ('07', 2, '129', '0'), ('141.47', 4, '763.87', '0'), ('876.68', 5, '1356.46', '0')]),  # pyx12 agrees
]
# fmt: on

STRICT_CLEAN = [
    "pyx12/tests/835_mult_loops.txt",
    "badx12/tests/files/edi/X221-era-sample.edi",
    "badx12/tests/files/edi/X221-multiple-claims-single-check.edi",
    "badx12/tests/files/edi/X221-secondary-payment-with-higher-fee-schedule.edi",
    "badx12/tests/files/edi/X221-secondary-payments.edi",
    "badx12/tests/files/edi/X221-tertiary-payments.edi",
    "edi-835-parser/tests/test_edi_835_files/united_healthcare_legacy_sample.txt",
    "opendental/UnitTests/Resources/JustinSmithERA.txt",
]


def _read_lenient(path: Path) -> tuple[list[Any], list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        remittances = read_835(path, strict=False)
    return list(remittances), [w for w in caught if issubclass(w.category, X12Warning)]


@pytest.mark.parametrize(("name", "figures"), EXPECTED, ids=[n for n, _ in EXPECTED])
def test_sample_totals_match_bpr02(reference_dir: Path, name: str, figures: Figures) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        remittances = read_835(reference_dir / name, strict=False)
    departures = [w for w in caught if issubclass(w.category, X12Warning)]
    assert len(remittances) == len(figures)
    for era, (bpr02, claims, paid, plb) in zip(remittances, figures, strict=True):
        assert era.payment_amount == Decimal(bpr02)
        assert len(era.claim_payments) == claims
        assert sum((c.paid for c in era.claim_payments), Decimal(0)) == Decimal(paid)
        if not departures:  # lenient reading may skip a malformed PLB entry (with a warning)
            assert sum((p.amount for p in era.provider_adjustments), Decimal(0)) == Decimal(plb)
            balanced = Decimal(bpr02) == Decimal(paid) - Decimal(plb)
            off = [i for i in era.imbalances() if i.where.startswith("remittance")]
            assert (not off) == balanced
            if off:
                assert off[0].difference == Decimal(paid) - Decimal(plb) - Decimal(bpr02)


@pytest.mark.parametrize("name", STRICT_CLEAN)
def test_clean_samples_read_strictly(reference_dir: Path, name: str) -> None:
    lenient, _ = _read_lenient(reference_dir / name)
    assert read_835(reference_dir / name) == lenient


def test_004010_correction_group_is_read(reference_dir: Path) -> None:
    # CAS01 "CR" (correction and reversal) exists in 004010X091A1 only (005010 has CO, OA,
    # PI, PR); pyx12 accepts this file. The reversal CLP*...*22*-310*-210 has a line
    # SVC*HC:T1017*-310*-210 with CAS*CR*45*-100: -310 - (-100) = -210, balanced.
    path = reference_dir / "pyx12/test_x12testdata/835id.x12.txt"
    [era] = read_835(path)
    reversal = era.claim_payments[0]
    [line] = reversal.lines
    assert [(a.group.value, str(a.reason), a.amount) for a in line.adjustments] == [
        ("CR", "45", Decimal("-100"))
    ]
    assert line.imbalance == 0
    assert era.payer_address is not None
    assert era.payer_address.city == "Nowhere"


def test_correction_group_is_refused_in_005010() -> None:
    text = SAMPLE_835.replace("CAS*CO*45*50.00", "CAS*CR*45*50.00")
    with pytest.raises(ParseError, match=r"segment 19 \(CAS\), element 1: unknown adjustment"):
        read_835(text)


def test_malformed_sample_is_refused_when_strict(reference_dir: Path) -> None:
    path = reference_dir / "badx12/tests/files/errors/error_validation.edi"
    # The set streams: its payee NPI (failing its check digit, read in both modes) is
    # reported as it is read, before the SE that ends the set is checked.
    with (
        pytest.warns(X12Warning, match="payee_npi_as_sent"),
        pytest.raises(ParseError, match=r"segment 29 \(SE\), element 1: SE01 says 30"),
    ):
        read_835(path)
    _, departures = _read_lenient(path)
    assert any("SE01 says 30 segments" in str(w.message) for w in departures)


def _pyx12_figures(text: str) -> Figures:
    x12file = pytest.importorskip("pyx12.x12file")
    sets: list[dict[str, list[str]]] = []
    current: dict[str, list[str]] | None = None
    for segment in x12file.X12Reader(io.StringIO(text.lstrip("\ufeff"))):
        segment_id = segment.get_seg_id()
        if segment_id == "ST":
            current = {"st": [segment.get_value("ST01")], "bpr": [], "clp": [], "plb": []}
            sets.append(current)
        elif current is None:
            continue
        elif segment_id == "BPR":
            current["bpr"].append(segment.get_value("BPR02"))
        elif segment_id == "CLP":
            current["clp"].append(segment.get_value("CLP04") or "0")
        elif segment_id == "PLB":
            for position in range(4, 15, 2):
                value = segment.get_value(f"PLB{position:02d}")
                if value:
                    current["plb"].append(value)
    return [
        (
            s["bpr"][0],
            len(s["clp"]),
            str(sum((Decimal(v) for v in s["clp"]), Decimal(0))),
            str(sum((Decimal(v) for v in s["plb"]), Decimal(0))),
        )
        for s in sets
        if s["st"] == ["835"] and s["bpr"]
    ]


@pytest.mark.parametrize(("name", "figures"), EXPECTED, ids=[n for n, _ in EXPECTED])
def test_figures_agree_with_pyx12(reference_dir: Path, name: str, figures: Figures) -> None:
    text = (reference_dir / name).read_text(encoding="utf-8")
    try:
        found = _pyx12_figures(text)
    except Exception as error:  # pyx12 refuses some samples (no ISA, version 99999)
        pytest.skip(f"pyx12 cannot read {name}: {type(error).__name__}")
    if not found and figures:
        pytest.skip(f"pyx12 finds no 835 in {name}")
    assert [(Decimal(b), n, Decimal(p), Decimal(q)) for b, n, p, q in found] == [
        (Decimal(b), n, Decimal(p), Decimal(q)) for b, n, p, q in figures
    ]


def _rebuilt(obj: Any) -> Any:
    """``obj`` rebuilt through its validating constructor, children first."""
    changes: dict[str, Any] = {}
    for field in attrs.fields(type(obj)):
        value = getattr(obj, field.name)
        if attrs.has(type(value)):
            changes[field.name] = _rebuilt(value)
        elif isinstance(value, tuple) and value and attrs.has(type(value[0])):
            changes[field.name] = tuple(_rebuilt(item) for item in value)
    return attrs.evolve(obj, **changes)


@pytest.mark.parametrize(("name", "figures"), EXPECTED, ids=[n for n, _ in EXPECTED])
def test_read_objects_pass_the_validating_constructors(
    reference_dir: Path, name: str, figures: Figures
) -> None:
    # The reader builds entities without re-running their validation (for speed); each
    # one must be exactly what the validating constructor makes of the same values.
    remittances, _ = _read_lenient(reference_dir / name)
    for era in remittances:
        assert _rebuilt(era) == era


@pytest.mark.parametrize(("name", "figures"), EXPECTED, ids=[n for n, _ in EXPECTED])
def test_read_remittances_survive_serialization(
    reference_dir: Path, name: str, figures: Figures
) -> None:
    remittances, _ = _read_lenient(reference_dir / name)
    for era in remittances:
        assert serialize.from_json(Remittance, serialize.to_json(era)) == era


class _NeverCached(dict[str, Any]):
    """A code cache that never finds anything: every CAS goes through the general path."""

    def get(self, key: str, default: Any = None) -> Any:
        return default


@pytest.mark.parametrize(("name", "figures"), EXPECTED, ids=[n for n, _ in EXPECTED])
def test_cas_fast_path_reads_as_the_general_path(
    reference_dir: Path, name: str, figures: Figures, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The reader's loop reads a one-triplet CAS whose group and CARC it has met before
    # itself; every other CAS goes through _adjustments, which checks everything. With a
    # CARC cache that never hits, every CAS takes the general path: the same result.
    from medbill.x12 import _reader835

    fast, fast_warnings = _read_lenient(reference_dir / name)
    original = _reader835._Codes.__init__

    def patched(self: Any) -> None:
        original(self)
        self.carc = _NeverCached()

    monkeypatch.setattr(_reader835._Codes, "__init__", patched)
    general, general_warnings = _read_lenient(reference_dir / name)
    assert general == fast
    assert [str(w.message) for w in general_warnings] == [str(w.message) for w in fast_warnings]
