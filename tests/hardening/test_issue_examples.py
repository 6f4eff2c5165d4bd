"""The examples of issue 14's text that no other test named, one regression test each.

Each test quotes the example it keeps fixed. The other examples are tested next to their
surface: errors travelling (test_errors_travel.py), PHI and money (test_phi_and_money.py),
outputs (test_outputs.py), JSON (test_json_reading.py), the ledger file
(test_ledger_files.py), CLI numbers (test_cli_numbers.py) and the fuzz corpus
(test_fuzz.py).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pendulum
import pytest

from medbill import (
    MedbillError,
    ParseError,
    PersonName,
    ValidationError,
)
from medbill.claims import read_mue
from medbill.fees import Contract, MedicareFeeSchedule
from medbill.testing import make_claim, make_patient
from medbill.x12 import Party, write_837p

SECRET = "Quixotefield"


def test_claim_with_none_lines_or_a_string_coverage_is_a_validation_error() -> None:
    """Issue 14: "``None`` or an int for any sequence field; ``Claim(coverage="cov-1")``"."""
    cases: list[tuple[str, Any]] = [
        ("lines", None),
        ("lines", 5),
        ("diagnoses", None),
        ("coverage", "cov-1"),
    ]
    for field, value in cases:
        changes: dict[str, Any] = {field: value}
        with pytest.raises(ValidationError) as caught:
            attrs.evolve(make_claim(), **changes)
        assert any(p.field.startswith(field) for p in caught.value.problems), caught.value


def _contract(folder: Path, text: str) -> Contract:
    path = folder / "acme.toml"
    path.write_text('payer = "acme"\nname = "Acme"\neffective_from = 2025-01-01\n' + text)
    return Contract.from_toml(path)


def test_expected_line_refuses_a_float_billed(tmp_path: Path) -> None:
    """Issue 14: "``expected_line(billed=80.0)`` returns a float"."""
    contract = _contract(tmp_path, '[[fixed_rate]]\ncodes = ["99213"]\namount = "95.00"\n')
    with pytest.raises(ValidationError, match="billed: must be a Decimal amount, not float"):
        contract.expected_line(
            code="99213",
            billed=80.0,  # type: ignore[arg-type]
            date_of_service=pendulum.date(2025, 3, 4),
        )
    line = contract.expected_line(
        code="99213", billed=Decimal("80.00"), date_of_service=pendulum.date(2025, 3, 4)
    )
    assert line.allowed == Decimal("95.00")  # no lesser-of-billed clause: the rate stands


def test_toml_codes_of_the_wrong_type_is_a_medbill_error(tmp_path: Path) -> None:
    """Issue 14: "TOML ``codes = 5``"."""
    with pytest.raises(MedbillError, match="codes"):
        _contract(tmp_path, '[[fixed_rate]]\ncodes = 5\namount = "95.00"\n')


def test_an_mue_file_with_a_superscript_digit_is_a_parse_error() -> None:
    """Issue 14: "an MUE file with ``²``" (``int("²")`` raised a bare ValueError)."""
    lines = [
        '"HCPCS/CPT Code","Practitioner Services MUE Values","MUE Adjudication Indicator",'
        '"MUE Rationale"',
        '"36415","²","3 Date of Service Edit: Clinical","CMS Policy"',
    ]
    with pytest.raises(MedbillError):
        list(read_mue(lines))


def _gpci_lines(reference_dir: Path) -> list[str]:
    path = reference_dir / "cms-pfs-2025" / "GPCI2025.csv"
    return path.read_text(encoding="latin-1").splitlines()[:12]


def _rvu_head(reference_dir: Path) -> str:
    path = reference_dir / "cms-pfs-2025" / "PPRRVU25_JAN.csv"
    with path.open(encoding="latin-1") as handle:
        return "".join(next(handle) for _ in range(40))


def test_a_short_gpci_row_is_a_parse_error(reference_dir: Path, tmp_path: Path) -> None:
    """Issue 14: "a short GPCI row" (an IndexError)."""
    lines = _gpci_lines(reference_dir)
    lines[5] = ",".join(lines[5].split(",")[:3])  # MAC, state, locality: no GPCIs
    gpci = tmp_path / "GPCI2025.csv"
    gpci.write_text("\n".join(lines) + "\n", encoding="latin-1")
    rvu = tmp_path / "PPRRVU25_JAN.csv"
    rvu.write_text(_rvu_head(reference_dir), encoding="latin-1")
    with pytest.raises(ParseError):
        MedicareFeeSchedule.from_cms_files(rvu, gpci)


@pytest.mark.parametrize("bad", ["NaN", "-1.5", "Infinity"])
def test_nan_or_negative_cms_values_are_refused(
    reference_dir: Path, tmp_path: Path, bad: str
) -> None:
    """Issue 14: "NaN or negative CMS values price to NaN or negative amounts"."""
    lines = _gpci_lines(reference_dir)
    cells = lines[5].split(",")
    cells[4] = bad  # the work GPCI of one locality
    lines[5] = ",".join(cells)
    gpci = tmp_path / "GPCI2025.csv"
    gpci.write_text("\n".join(lines) + "\n", encoding="latin-1")
    rvu = tmp_path / "PPRRVU25_JAN.csv"
    rvu.write_text(_rvu_head(reference_dir), encoding="latin-1")
    with pytest.raises(MedbillError):
        MedicareFeeSchedule.from_cms_files(rvu, gpci)


def test_amounts_beyond_28_significant_digits_are_refused_not_rounded() -> None:
    """Issue 14: "Amounts beyond 28 significant digits are rounded"."""
    line = make_claim().lines[0]
    charges: list[Any] = [Decimal("1234567890123456789012345678.9"), Decimal("1E28"), "1E30"]
    for charge in charges:
        with pytest.raises(ValidationError, match="charge"):
            attrs.evolve(line, charge=charge)


@pytest.mark.parametrize("character", ["*", ":", "~", "^"])
def test_write_837p_refuses_a_delimiter_in_a_name_without_echoing_it(character: str) -> None:
    """Issue 14: "``write_837p`` refuses a name containing ``* : ~ ^`` but shows the raw
    value in the error"."""
    patient = make_patient(name=PersonName(family=f"{SECRET}{character}X", given="Zebediah"))
    claim = make_claim(patient=patient)
    with pytest.raises(ValidationError) as caught:
        write_837p(
            claim,
            submitter=Party(name="Springfield FM", id="SFM01", contact_name="Billing", phone="2175550100"),
            receiver=Party(name="Acme Clearinghouse", id="ACMECH"),
            created=pendulum.datetime(2025, 3, 5, 9, 30),
        )  # fmt: skip
    assert "delimiter" in str(caught.value)
    assert SECRET not in str(caught.value)
    assert SECRET not in repr(caught.value)
