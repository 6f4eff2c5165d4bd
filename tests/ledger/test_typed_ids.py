"""Ledger recipes and records take typed ids, or the entity callers hold (issue 19).

A ``Claim`` where a claim id is wanted is accepted (its own id); a ``Patient`` there (or any
other object) is a ``ValidationError`` naming the parameter, never an empty posting. The
0.1 keywords (``claim=``, ``patient=``) still work, warning.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pendulum
import pytest

from medbill import ClaimId, PatientId, ValidationError
from medbill.ledger import (
    Ledger,
    apply_patient_credit,
    pay_refund,
    post_charges,
    post_patient_payment,
    recognize_payer_overpayment,
    refund_credit,
    transfer_responsibility,
    write_off,
    write_off_small_balances,
)
from medbill.ledger._reports import ClaimBalance, PatientBalance
from medbill.testing import make_claim, make_patient_payment

DAY = pendulum.date(2025, 3, 20)
CLAIM = make_claim()
COVERAGE = CLAIM.coverage


def charged() -> Ledger:
    ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 3, 20, 18))
    post_charges(ledger, CLAIM)
    return ledger


CLAIM_RECIPES: list[tuple[str, Callable[..., Any], dict[str, Any]]] = [
    ("write_off", write_off, {"reason": "charity", "effective": DAY, "amount": Decimal("1.00")}),
    (
        "transfer_responsibility",
        transfer_responsibility,
        {"source": COVERAGE, "target": None, "effective": DAY, "amount": Decimal("1.00")},
    ),
    (
        "recognize_payer_overpayment",
        recognize_payer_overpayment,
        {"coverage": COVERAGE, "effective": DAY},
    ),
]
PATIENT_RECIPES: list[tuple[str, Callable[..., Any], dict[str, Any]]] = [
    ("refund_credit", refund_credit, {"effective": DAY}),
    ("pay_refund", pay_refund, {"effective": DAY}),
    ("apply_patient_credit", apply_patient_credit, {"effective": DAY}),
]


def outcome(call: Callable[[], Any]) -> Any:
    """The entry, or the error's type and message (a recipe may refuse for its own reason)."""
    try:
        return call()
    except Exception as error:
        return type(error), str(error)


@pytest.mark.parametrize(
    ("name", "recipe", "kwargs"), CLAIM_RECIPES, ids=[r[0] for r in CLAIM_RECIPES]
)
def test_a_claim_recipe_takes_the_claim_id_or_the_claim(
    name: str, recipe: Callable[..., Any], kwargs: dict[str, Any]
) -> None:
    by_id = outcome(lambda: recipe(charged(), CLAIM.id, **kwargs))
    assert outcome(lambda: recipe(charged(), CLAIM, **kwargs)) == by_id
    with pytest.warns(DeprecationWarning, match=rf"{name}: claim= is deprecated .* claim_id="):
        assert outcome(lambda: recipe(charged(), claim=CLAIM.id, **kwargs)) == by_id
    for wrong in (CLAIM.patient, 42, None):
        with pytest.raises(ValidationError, match=r"^claim_id: must be a ClaimId or a Claim"):
            recipe(charged(), wrong, **kwargs)


@pytest.mark.parametrize(
    ("name", "recipe", "kwargs"), PATIENT_RECIPES, ids=[r[0] for r in PATIENT_RECIPES]
)
def test_a_patient_recipe_takes_the_patient_id_or_the_patient(
    name: str, recipe: Callable[..., Any], kwargs: dict[str, Any]
) -> None:
    by_id = outcome(lambda: recipe(charged(), CLAIM.patient.id, **kwargs))
    assert outcome(lambda: recipe(charged(), CLAIM.patient, **kwargs)) == by_id
    with pytest.warns(DeprecationWarning, match=rf"{name}: patient= is deprecated .* patient_id="):
        assert outcome(lambda: recipe(charged(), patient=CLAIM.patient.id, **kwargs)) == by_id
    for wrong in (CLAIM, 42):
        with pytest.raises(ValidationError, match=r"^patient_id: must be a PatientId or a Patient"):
            recipe(charged(), wrong, **kwargs)


def test_the_entity_is_the_same_as_its_id_where_a_recipe_posts() -> None:
    kwargs: dict[str, Any] = {"reason": "charity", "effective": DAY, "coverage": COVERAGE}
    entry = write_off(charged(), ClaimId(CLAIM.id), amount=Decimal("5.00"), **kwargs)
    assert write_off(charged(), CLAIM, amount=Decimal("5.00"), **kwargs) == entry


def test_write_off_small_balances_takes_the_patient_id_or_the_patient() -> None:
    kwargs: dict[str, Any] = {"threshold": Decimal("5.00"), "effective": DAY}
    assert write_off_small_balances(charged(), patient_id=CLAIM.patient, **kwargs) == ()
    with pytest.warns(
        DeprecationWarning, match=r"write_off_small_balances: patient= .* patient_id="
    ):
        assert write_off_small_balances(charged(), patient=CLAIM.patient.id, **kwargs) == ()  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match=r"^patient_id: must be a PatientId"):
        write_off_small_balances(charged(), patient_id=CLAIM, **kwargs)  # type: ignore[arg-type]


def test_post_patient_payment_apply_to_takes_ids_or_claims() -> None:
    payment = make_patient_payment(amount=Decimal("5.00"))
    by_id = post_patient_payment(charged(), payment, apply_to=[CLAIM.id])
    assert post_patient_payment(charged(), payment, apply_to=[CLAIM]) == by_id
    with pytest.raises(ValidationError, match=r"^apply_to: must be a ClaimId or a Claim"):
        post_patient_payment(charged(), payment, apply_to=[CLAIM.patient])  # type: ignore[list-item]
    with pytest.raises(ValidationError, match=r"^apply_to: must be a list"):
        post_patient_payment(charged(), payment, apply_to=CLAIM.id)  # type: ignore[arg-type]


def test_records_refuse_an_entity_where_their_id_belongs() -> None:
    zero = Decimal("0.00")
    with pytest.raises(ValidationError, match=r"^claim_id: must be an id"):
        ClaimBalance(claim_id=CLAIM, insurance=(), patient_share=zero)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match=r"^patient_id: must be an id"):
        PatientBalance(patient_id=CLAIM.patient, patient_due=zero,  # type: ignore[arg-type]
                       insurance_pending=zero, credit=zero)  # fmt: skip
    balance = ClaimBalance(claim_id="C-1", insurance=(), patient_share=zero)
    assert balance.claim_id == ClaimId("C-1")
    with pytest.raises(ValidationError, match=r"^claim_id: must be a ClaimId"):
        make_patient_payment(claim_id=CLAIM)
    assert PatientId("MRN-1") == "MRN-1"


def test_post_provider_adjustments_takes_the_payer_id_or_the_payer() -> None:
    from medbill.ledger import post_provider_adjustments
    from medbill.testing import make_payer, make_provider_adjustment, make_remittance

    plb = make_remittance(
        id="EFT-9",
        payment_amount=Decimal("0.00"),
        claim_payments=[],
        provider_adjustments=[make_provider_adjustment(reason="L6", amount=Decimal("-3.10"))],
    )
    payer = make_payer()

    def books() -> Ledger:
        return Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 4, 30, 18))

    by_id = post_provider_adjustments(books(), plb, payer_id=payer.id)
    assert by_id is not None
    assert post_provider_adjustments(books(), plb, payer_id=payer) == by_id
    with pytest.warns(DeprecationWarning, match=r"post_provider_adjustments: payer= .* payer_id="):
        assert post_provider_adjustments(books(), plb, payer=payer.id) == by_id  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match=r"^payer_id: must be a PayerId or a Payer"):
        post_provider_adjustments(books(), plb, payer_id=CLAIM)  # type: ignore[arg-type]
