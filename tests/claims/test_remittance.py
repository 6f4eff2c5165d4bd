"""Remittance balancing (835 TR3 1.10.2) and matching payments to claims and lines."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medbill import (
    Adjustment,
    ClaimPayment,
    LinePayment,
    ProviderAdjustment,
    Remittance,
    UnbalancedRemittanceError,
)
from medbill.claims import ExceptionReason, check_balanced, match_remittance
from medbill.claims._matching import MatchMethod

from .conftest import DOS, clean_claim, line

PAID = pendulum.date(2025, 4, 1)


def co45(amount: str) -> Adjustment:
    return Adjustment(group="CO", reason="45", amount=Decimal(amount))


def pay_line(code: str, charge: str, paid: str, adjustment: str, **fields: Any) -> LinePayment:
    return LinePayment(
        procedure=code,
        charge=Decimal(charge),
        paid=Decimal(paid),
        adjustments=[co45(adjustment)],
        **fields,
    )


def claim_payment(claim_id: str, *lines: LinePayment, **fields: Any) -> ClaimPayment:
    charge = sum((x.charge for x in lines), Decimal("0.00"))
    paid = sum((x.paid for x in lines), Decimal("0.00"))
    values: dict[str, Any] = {
        "claim_id": claim_id,
        "status": "1",
        "charge": charge,
        "paid": paid,
        "lines": list(lines),
    }
    values.update(fields)
    return ClaimPayment(**values)


def remittance(
    *payments: ClaimPayment, amount: str | None = None, plb: list[ProviderAdjustment] | None = None
) -> Remittance:
    total = sum((p.paid for p in payments), Decimal("0.00"))
    return Remittance(
        id="EFT-1",
        payer_name="Aetna",
        paid_on=PAID,
        payment_amount=Decimal(amount) if amount else total,
        claim_payments=list(payments),
        provider_adjustments=plb or [],
    )


CLAIM = clean_claim(
    line("1", "99214", "210.00", modifiers=["25"]),
    line("2", "36415", "12.00"),
    line("3", "81002", "15.00"),
)


def test_a_balanced_remittance_passes() -> None:
    era = remittance(claim_payment("C-1001", pay_line("99214", "210.00", "96.00", "114.00")))
    check_balanced(era)


def test_unbalanced_line_names_the_line_and_difference() -> None:
    # 210.00 - 114.00 - 95.90 = 0.10
    bad = pay_line("99214", "210.00", "95.90", "114.00", line_id="1")
    payment = ClaimPayment(
        claim_id="C-1001",
        status="1",
        charge=Decimal("210.00"),
        paid=Decimal("95.90"),
        adjustments=[co45("0.10")],
        lines=[bad],
    )
    # the claim balances only thanks to a claim-level CO-45 of 0.10; the line does not
    with pytest.raises(UnbalancedRemittanceError) as caught:
        check_balanced(remittance(payment))
    assert "claim C-1001 line 1: charge - adjustments - paid is off by 0.10" in str(caught.value)
    assert caught.value.field == "remittance"
    assert caught.value.value == "EFT-1"


def test_patient_responsibility_must_equal_pr_adjustments() -> None:
    line_payment = LinePayment(
        procedure="99214",
        charge=Decimal("210.00"),
        paid=Decimal("72.00"),
        adjustments=[co45("114.00"), Adjustment(group="PR", reason="2", amount=Decimal("24.00"))],
    )
    payment = claim_payment("C-1001", line_payment, patient_responsibility=Decimal("20.00"))
    with pytest.raises(
        UnbalancedRemittanceError, match=r"patient responsibility - PR adjustments is off by -4\.00"
    ):
        check_balanced(remittance(payment))


def test_remittance_total_must_equal_claims_less_provider_adjustments() -> None:
    payment = claim_payment("C-1001", pay_line("99214", "210.00", "96.00", "114.00"))
    interest = ProviderAdjustment(
        provider_id="1234567893",
        fiscal_period_end=pendulum.date(2025, 12, 31),
        reason="L6",
        amount=Decimal("-1.27"),
    )
    check_balanced(remittance(payment, amount="97.27", plb=[interest]))  # 96.00 + 1.27
    with pytest.raises(UnbalancedRemittanceError, match=r"remittance EFT-1: .* off by 1\.27"):
        check_balanced(remittance(payment, amount="96.00", plb=[interest]))


def test_unbalanced_remittance_is_refused_before_matching() -> None:
    payment = claim_payment("C-1001", pay_line("99214", "210.00", "96.00", "114.00"))
    with pytest.raises(UnbalancedRemittanceError):
        match_remittance(remittance(payment, amount="90.00"), [CLAIM])


def test_lines_match_by_id_then_code_modifiers_date_then_code_date() -> None:
    payment = claim_payment(
        "C-1001",
        pay_line("81002", "15.00", "4.00", "11.00", line_id="3"),
        pay_line("36415", "12.00", "3.00", "9.00", service_date=DOS),
        # payer dropped modifier 25 and echoed no line id
        pay_line("99214", "210.00", "96.00", "114.00", service_date=DOS),
    )
    result = match_remittance(remittance(payment), [CLAIM])
    assert result.exceptions == ()
    (match,) = result.matched
    assert [(m.claim_line.line_id, m.method) for m in match.lines] == [
        ("3", MatchMethod.LINE_ID),
        ("2", MatchMethod.CODE_MODIFIERS_AND_DATE),
        ("1", MatchMethod.CODE_AND_DATE),
    ]


def test_a_recoded_line_matches_through_the_submitted_code() -> None:
    # SVC01 is the code paid (99213), SVC06 the code billed (99214-25)
    recoded = pay_line(
        "99213",
        "210.00",
        "70.00",
        "140.00",
        submitted_procedure="99214",
        submitted_modifiers=["25"],
    )
    result = match_remittance(remittance(claim_payment("C-1001", recoded)), [CLAIM])
    assert [m.claim_line.line_id for m in result.matched[0].lines] == ["1"]


def test_what_cannot_be_matched_goes_to_exceptions() -> None:
    stray = pay_line("93000", "40.00", "20.00", "20.00")
    wrong_day = pay_line("36415", "12.00", "3.00", "9.00", service_date=pendulum.date(2025, 3, 9))
    unknown = claim_payment("C-999", pay_line("99213", "100.00", "60.00", "40.00"))
    era = remittance(claim_payment("C-1001", stray, wrong_day), unknown)
    result = match_remittance(era, {CLAIM.id: CLAIM})
    assert [(e.reason, e.claim_payment.claim_id) for e in result.exceptions] == [
        (ExceptionReason.UNMATCHED_LINE, "C-1001"),
        (ExceptionReason.UNMATCHED_LINE, "C-1001"),
        (ExceptionReason.UNKNOWN_CLAIM, "C-999"),
    ]
    assert "93000" in result.exceptions[0].message
    assert result.matched[0].lines == ()


def test_two_candidate_lines_for_code_and_date_are_not_guessed() -> None:
    claim = clean_claim(
        line("1", "20610", "150.00", modifiers=["RT"]),
        line("2", "20610", "150.00", modifiers=["LT"]),
    )
    dropped = pay_line("20610", "150.00", "60.00", "90.00")
    result = match_remittance(remittance(claim_payment("C-1001", dropped)), [claim])
    assert [e.reason for e in result.exceptions] == [ExceptionReason.UNMATCHED_LINE]


CODES = ["99214", "36415", "81002", "93000"]


@settings(max_examples=60)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(CODES),
            st.sampled_from([None, "1", "2", "3", "9"]),
            st.sampled_from([(), ("25",), ("59",)]),
        ),
        max_size=6,
    )
)
def test_every_line_payment_is_matched_once_or_kept_as_an_exception(
    specs: list[tuple[str, str | None, tuple[str, ...]]],
) -> None:
    lines = [
        pay_line(code, "10.00", "4.00", "6.00", line_id=line_id, modifiers=list(mods))
        for code, line_id, mods in specs
    ]
    result = match_remittance(remittance(claim_payment("C-1001", *lines)), [CLAIM])
    matched = [m.line_payment for m in result.matched[0].lines]
    kept = [e.line_payment for e in result.exceptions]
    assert sorted(map(id, matched + kept)) == sorted(map(id, lines))
    claim_lines = [m.claim_line.line_id for m in result.matched[0].lines]
    assert len(claim_lines) == len(set(claim_lines))


def test_a_remittance_names_each_item_that_is_not_a_claim_payment_or_provider_adjustment() -> None:
    from medbill import ValidationError

    good = ClaimPayment(claim_id="C-1", status="1", charge=Decimal("80.00"), paid=Decimal("80.00"))
    plb = ProviderAdjustment(
        provider_id="1234567893", fiscal_period_end=PAID, reason="L6", amount=Decimal("1.00")
    )
    with pytest.raises(ValidationError) as caught:
        Remittance(
            id="EFT-1",
            payer_name="Acme",
            payment_amount=Decimal("79.00"),
            paid_on=PAID,
            claim_payments=[good, "C-2", good, 3],  # type: ignore[list-item]
            provider_adjustments=[plb, "L6"],  # type: ignore[list-item]
        )
    message = str(caught.value)
    for expected in (
        "claim_payments[1]",
        "claim_payments[3]",
        "provider_adjustments[1]",
        "must be a ClaimPayment",
        "must be a ProviderAdjustment",
    ):
        assert expected in message, message
    assert "claim_payments[0]" not in message
    assert "claim_payments[2]" not in message
    assert "provider_adjustments[0]" not in message
