"""Denial classification from CARC/RARC codes, and a user-extended table."""

from __future__ import annotations

from decimal import Decimal

import pytest

from medbill import Adjustment, ValidationError
from medbill.claims import (
    DEFAULT_DENIAL_TABLE,
    DenialCategory,
    DenialRule,
    NextAction,
    classify_denial,
)


def adj(group: str, reason: str, amount: str = "100.00") -> Adjustment:
    return Adjustment(group=group, reason=reason, amount=Decimal(amount))


C, A = DenialCategory, NextAction


@pytest.mark.parametrize(
    ("adjustments", "remarks", "category", "action"),
    [
        # CARC 27: expenses incurred after coverage terminated
        ([adj("CO", "27")], [], C.ELIGIBILITY, A.CORRECT_AND_RESUBMIT),
        # CARC 197: precertification/authorization absent
        ([adj("CO", "197")], [], C.AUTHORIZATION, A.APPEAL),
        # CARC 16 with M51 (missing/invalid procedure code)
        ([adj("CO", "16")], ["M51"], C.CODING, A.CORRECT_AND_RESUBMIT),
        # CARC 18: exact duplicate
        ([adj("CO", "18")], [], C.DUPLICATE, A.WRITE_OFF),
        # CARC 29: time limit for filing expired
        ([adj("CO", "29")], [], C.TIMELY_FILING, A.WRITE_OFF),
        # CARC 50: not medically necessary
        ([adj("CO", "50")], [], C.MEDICAL_NECESSITY, A.APPEAL),
        # CARC 97 with M15: bundled
        ([adj("CO", "97")], ["M15"], C.BUNDLING, A.WRITE_OFF),
        # CARC 236: NCCI pair, fixable with a distinct-service modifier
        ([adj("CO", "236")], [], C.BUNDLING, A.CORRECT_AND_RESUBMIT),
        # deductible and coinsurance
        ([adj("PR", "1"), adj("PR", "2")], [], C.PATIENT_RESPONSIBILITY, A.BILL_PATIENT),
        # non-covered: the patient's when grouped PR, a write-off when CO
        ([adj("PR", "96")], [], C.PATIENT_RESPONSIBILITY, A.BILL_PATIENT),
        ([adj("CO", "96")], [], C.OTHER, A.WRITE_OFF),
        # unknown CARC, CO group: other, appeal; PR group: bill the patient
        ([adj("CO", "288")], [], C.OTHER, A.APPEAL),
        ([adj("PR", "288")], [], C.PATIENT_RESPONSIBILITY, A.BILL_PATIENT),
    ],
)
def test_categories_and_actions(
    adjustments: list[Adjustment],
    remarks: list[str],
    category: DenialCategory,
    action: NextAction,
) -> None:
    result = classify_denial(adjustments, remarks)
    assert result is not None
    assert (result.category, result.action) == (category, action)


def test_contractual_adjustments_are_not_denials() -> None:
    assert classify_denial([adj("CO", "45"), adj("CO", "253", "1.20"), adj("OA", "23")]) is None
    assert classify_denial([], ["MA01"]) is None


def test_the_deciding_category_wins_and_every_reason_is_kept() -> None:
    result = classify_denial([adj("CO", "45"), adj("PR", "1"), adj("CO", "29")], ["N130"])
    assert result is not None
    assert result.category is C.TIMELY_FILING
    assert result.reasons == (("PR-1", C.PATIENT_RESPONSIBILITY), ("CO-29", C.TIMELY_FILING))


def test_remark_decides_over_a_generic_carc() -> None:
    result = classify_denial([adj("CO", "16")], ["MA04"])
    assert result is not None
    assert result.category is C.ELIGIBILITY  # MA04: primary payer's information missing


def test_negative_adjustments_undo_and_are_not_denials() -> None:
    assert classify_denial([adj("CO", "50", "-80.00")]) is None


def test_users_extend_the_table_without_changing_the_default() -> None:
    table = DEFAULT_DENIAL_TABLE.extended(
        carc={"CO-16": DenialRule(C.CODING, A.APPEAL), "P1": None},
        rarc={"N115": DenialRule(C.MEDICAL_NECESSITY, A.APPEAL)},
    )
    result = classify_denial([adj("CO", "16")], table=table)
    assert result is not None
    assert result.action is A.APPEAL
    assert classify_denial([adj("CO", "P1")], table=table) is None
    assert classify_denial([], ["N115"], table=table) is not None
    default = classify_denial([adj("CO", "16")])
    assert default is not None
    assert default.action is A.CORRECT_AND_RESUBMIT


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"adjustments\[0\]"):
        classify_denial(["CO-50"])  # type: ignore[list-item]
    with pytest.raises(ValidationError, match="carc"):
        DEFAULT_DENIAL_TABLE.extended(carc={"CO-050": None})
