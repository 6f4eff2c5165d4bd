"""Code value types: canonical forms, kinds, and a clear CodeError for bad input."""

from __future__ import annotations

import csv
import pickle
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medbill import CodeError, ValidationError
from medbill.codes import (
    AdjustmentGroup,
    Carc,
    Icd10Cm,
    Modifier,
    Npi,
    PlaceOfService,
    ProcedureCode,
    ProcedureKind,
    Rarc,
    RevenueCode,
)


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("e119", "E11.9"),
        ("E11.9", "E11.9"),
        ("I10", "I10"),
        ("s72001a", "S72.001A"),
        (" z00.00 ", "Z00.00"),
    ],
)
def test_icd10_canonical_form(raw: str, canonical: str) -> None:
    assert str(Icd10Cm(raw)) == canonical


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("11.9", "must start with a letter"),
        ("EE1.9", "the second character must be a digit"),
        ("E1", "must have 3 to 7 characters, not 2"),
        ("E11.99999", "must have 3 to 7 characters, not 8"),
        ("E1.19", "the dot belongs after the third character"),
        ("E11-9", "may hold only letters and digits"),
        ("E11.", "a 3-character category has no dot"),
    ],
)
def test_icd10_rejects_with_reason(raw: str, reason: str) -> None:
    with pytest.raises(CodeError) as caught:
        Icd10Cm(raw)
    assert caught.value.field == "icd10cm"
    assert caught.value.value == raw
    assert reason in str(caught.value)
    assert repr(raw) in str(caught.value)


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ("99213", ProcedureKind.CPT_CATEGORY_I),
        ("0001U", ProcedureKind.CPT_CATEGORY_I),
        ("3074F", ProcedureKind.CPT_CATEGORY_II),
        ("0042T", ProcedureKind.CPT_CATEGORY_III),
        ("g0439", ProcedureKind.HCPCS_LEVEL_II),
        ("J3420", ProcedureKind.HCPCS_LEVEL_II),
    ],
)
def test_procedure_kinds(raw: str, kind: ProcedureKind) -> None:
    code = ProcedureCode(raw)
    assert code.kind is kind
    assert str(code) == raw.upper()


@pytest.mark.parametrize("raw", ["9921", "992134", "9921X", "GG439", "99-13", "", 99213])
def test_procedure_rejects(raw: object) -> None:
    with pytest.raises(CodeError) as caught:
        ProcedureCode(raw)
    assert caught.value.field == "procedure_code"
    assert caught.value.value == raw


def test_modifier() -> None:
    assert str(Modifier("tc")) == "TC"
    for bad in ("T", "TCX", "T-", "  "):
        with pytest.raises(CodeError, match="modifier: must be 2 letters or digits"):
            Modifier(bad)


def _npi_check_digit_by_full_luhn(nine: str) -> int:
    """Independent method: plain Luhn over the 15-digit string 80840 + 9 digits + check."""
    for candidate in range(10):
        digits = [int(c) for c in "80840" + nine + str(candidate)]
        total = 0
        for position, digit in enumerate(reversed(digits)):
            if position % 2 == 1:
                digit *= 2
                if digit > 9:
                    digit -= 9
            total += digit
        if total % 10 == 0:
            return candidate
    raise AssertionError("no check digit found")


def test_npi_published_example() -> None:
    # CMS "Requirements for NPI check digit" uses 123456789 -> check digit 3.
    assert str(Npi("1234567893")) == "1234567893"
    with pytest.raises(CodeError, match="check digit is 0, expected 3"):
        Npi("1234567890")


@given(st.text("0123456789", min_size=8, max_size=8), st.sampled_from("12"))
def test_npi_check_digit_matches_full_luhn(rest: str, first: str) -> None:
    nine = first + rest
    expected = _npi_check_digit_by_full_luhn(nine)
    assert Npi.with_check_digit(nine) == nine + str(expected)
    wrong = (expected + 1) % 10
    with pytest.raises(CodeError):
        Npi(nine + str(wrong))


@pytest.mark.parametrize("raw", ["123456789", "12345678931", "3234567893", "12345A7893"])
def test_npi_shape_errors(raw: str) -> None:
    with pytest.raises(CodeError) as caught:
        Npi(raw)
    assert caught.value.field == "npi"


def test_place_of_service() -> None:
    assert PlaceOfService("11").name == "Office"
    assert PlaceOfService("11").is_facility is False
    assert PlaceOfService("21").is_facility is True
    assert PlaceOfService("02").is_facility is True  # telehealth other than home: facility
    assert PlaceOfService("10").is_facility is False  # telehealth in the home: non-facility
    for bad in ("1", "011", "30", "AA"):
        with pytest.raises(CodeError) as caught:
            PlaceOfService(bad)
        assert caught.value.field == "place_of_service"


def test_place_of_service_agrees_with_cms_list(reference_dir: Path) -> None:
    rows = list(
        csv.DictReader(
            (reference_dir / "northstar-cms-codes/pos_codes.csv").read_text().splitlines()
        )
    )
    assigned = {r["pos_code"]: r["pos_type"] for r in rows if r["pos_type"] != "Unassigned"}
    from medbill.codes import CodeList

    assert set(CodeList.PLACE_OF_SERVICE.meanings) == set(assigned)
    for code, kind in assigned.items():
        assert PlaceOfService(code).is_facility is (kind == "Facility"), code


def test_adjustment_groups() -> None:
    assert AdjustmentGroup.parse("pr") is AdjustmentGroup.PATIENT_RESPONSIBILITY
    assert AdjustmentGroup.parse(AdjustmentGroup.CONTRACTUAL_OBLIGATION).value == "CO"
    with pytest.raises(CodeError, match="must be one of CO, PR, OA, PI"):
        AdjustmentGroup.parse("XX")


def test_carc_and_rarc() -> None:
    assert Carc("45").description is not None
    assert Carc("B7").description is not None
    assert Carc("299").description is None  # well-formed, not in the built-in summaries
    assert Rarc("MA130").description is not None
    for bad in ("045", "0", "ABC", "4500"):
        with pytest.raises(CodeError):
            Carc(bad)
    for bad in ("M", "X1", "N12345", "MB1"):
        with pytest.raises(CodeError):
            Rarc(bad)


def test_carc_rarc_summaries_cover_real_codes(reference_dir: Path) -> None:
    from medbill.codes import CodeList

    rows = list(
        csv.DictReader(
            (reference_dir / "northstar-cms-codes/adj_codes.csv").read_text().splitlines()
        )
    )
    carcs = {r["adj_code"] for r in rows if r["adj_type"].lower().startswith("carc")}
    rarcs = {r["adj_code"] for r in rows if r["adj_type"].lower().startswith("rarc")}
    assert carcs
    assert rarcs
    assert set(CodeList.CARC.meanings) <= carcs
    assert set(CodeList.RARC.meanings) <= rarcs
    for code in carcs:
        Carc(code)  # every published CARC is accepted by the format check
    for code in rarcs:
        Rarc(code)


def test_revenue_code() -> None:
    assert str(RevenueCode("0450")) == "0450"
    with pytest.raises(CodeError, match="revenue_code"):
        RevenueCode("450")


@pytest.mark.parametrize(
    "code",
    [
        Icd10Cm("E11.9"),
        ProcedureCode("99213"),
        Modifier("26"),
        Npi("1234567893"),
        PlaceOfService("11"),
        Carc("45"),
        Rarc("N130"),
        RevenueCode("0450"),
    ],
)
def test_codes_are_hashable_immutable_strings(code: str) -> None:
    assert isinstance(code, str)
    assert {code: 1}[type(code)(str(code))] == 1
    assert pickle.loads(pickle.dumps(code)) == code
    assert type(pickle.loads(pickle.dumps(code))) is type(code)
    assert repr(code).startswith(type(code).__name__ + "(")
    with pytest.raises(AttributeError):
        code.extra = 1  # type: ignore[attr-defined]


def test_code_error_is_a_validation_error() -> None:
    with pytest.raises(ValidationError):
        Modifier(26)
