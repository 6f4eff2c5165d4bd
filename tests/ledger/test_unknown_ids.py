"""A ledger question about an id it has never seen raises, never answers 0.00 (issue 19).

NAMING.md: "never answer 0.00 for an object you did not recognise". A mistyped claim id
on a phone call must not read as "paid in full".
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pendulum
import pytest

from medbill import (
    ClaimId,
    LedgerError,
    PatientId,
    Period,
    UnknownAccountError,
    ValidationError,
)
from medbill.ledger import (
    Ledger,
    claim_balance,
    claim_history,
    patient_balance,
    post_charges,
    statement,
)
from medbill.testing import make_claim

START, END = pendulum.date(2025, 3, 1), pendulum.date(2025, 3, 31)
MARCH = {"period": Period(START, END)}
CLAIM = make_claim()


@pytest.fixture
def ledger() -> Ledger:
    books = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 3, 5, 18))
    post_charges(books, CLAIM)
    return books


QUESTIONS: list[tuple[str, Callable[..., Any], str, dict[str, Any]]] = [
    ("patient_balance", patient_balance, "patient", {}),
    ("statement", statement, "patient", MARCH),
    ("claim_balance", claim_balance, "claim", {}),
    ("claim_history", claim_history, "claim", {}),
]
IDS = [q[0] for q in QUESTIONS]


@pytest.mark.parametrize(("name", "ask", "kind", "extra"), QUESTIONS, ids=IDS)
def test_an_unknown_id_raises_unknown_account_error(
    ledger: Ledger, name: str, ask: Callable[..., Any], kind: str, extra: dict[str, Any]
) -> None:
    with pytest.raises(UnknownAccountError, match=f"the ledger has no {kind}") as caught:
        ask(ledger, "NOPE-4040", **extra)
    assert isinstance(caught.value, LedgerError)
    assert caught.value.kind == kind
    assert caught.value.identifier == "NOPE-4040"


@pytest.mark.parametrize(("name", "ask", "kind", "extra"), QUESTIONS, ids=IDS)
def test_missing_ok_answers_zero_for_an_unknown_id(
    ledger: Ledger, name: str, ask: Callable[..., Any], kind: str, extra: dict[str, Any]
) -> None:
    answer = ask(ledger, "NOPE-4040", missing_ok=True, **extra)
    if name == "patient_balance":
        assert (answer.patient_due, answer.insurance_pending, answer.credit) == (
            Decimal("0.00"),
            Decimal("0.00"),
            Decimal("0.00"),
        )
    elif name == "statement":
        assert answer.new_balance == Decimal("0.00")
        assert answer.lines == ()
    elif name == "claim_balance":
        assert answer.total == Decimal("0.00")
    else:
        assert answer.entries == ()


@pytest.mark.parametrize(("name", "ask", "kind", "extra"), QUESTIONS, ids=IDS)
def test_the_entity_answers_as_its_id(
    ledger: Ledger, name: str, ask: Callable[..., Any], kind: str, extra: dict[str, Any]
) -> None:
    entity, identifier = (
        (CLAIM.patient, CLAIM.patient.id) if kind == "patient" else (CLAIM, CLAIM.id)
    )
    assert ask(ledger, entity, **extra) == ask(ledger, identifier, **extra)


@pytest.mark.parametrize(("name", "ask", "kind", "extra"), QUESTIONS, ids=IDS)
def test_neither_an_id_nor_the_entity_names_the_parameter(
    ledger: Ledger, name: str, ask: Callable[..., Any], kind: str, extra: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError, match=f"^{kind}_id: must be a") as caught:
        ask(ledger, 1001, **extra)
    assert caught.value.field == f"{kind}_id"
    other = CLAIM if kind == "patient" else CLAIM.patient  # the reverse entity
    with pytest.raises(ValidationError, match=f"^{kind}_id: must be a"):
        ask(ledger, other, **extra)


def test_the_known_answers_are_the_ledger_s(ledger: Ledger) -> None:
    # make_claim: one 99213 line at 150.00, billed to the primary payer
    assert claim_balance(ledger, CLAIM.id).total == CLAIM.total_charge
    assert patient_balance(ledger, CLAIM.patient.id).insurance_pending == CLAIM.total_charge


@pytest.mark.parametrize(
    ("ask", "old", "new", "identifier"),
    [
        (claim_balance, "claim", "claim_id", CLAIM.id),
        (claim_history, "claim", "claim_id", CLAIM.id),
        (patient_balance, "patient", "patient_id", CLAIM.patient.id),
    ],
)
def test_the_old_keyword_is_deprecated(
    ledger: Ledger, ask: Callable[..., Any], old: str, new: str, identifier: str
) -> None:
    with pytest.warns(DeprecationWarning, match=f"{old}= is deprecated .* use {new}="):
        answer = ask(ledger, **{old: identifier})
    assert answer == ask(ledger, **{new: identifier})


def test_statement_old_keyword_is_deprecated(ledger: Ledger) -> None:
    with pytest.warns(DeprecationWarning, match="statement: patient= .* use patient_id="):
        old = statement(ledger, patient=CLAIM.patient.id, period=Period(START, END))  # type: ignore[call-arg]
    assert old == statement(ledger, patient_id=CLAIM.patient.id, period=Period(START, END))


def test_a_patient_id_is_masked_in_the_message_and_after_pickling(ledger: Ledger) -> None:
    with pytest.raises(UnknownAccountError) as caught:
        patient_balance(ledger, PatientId("MRN-77431"))
    assert "MRN-77431" not in str(caught.value)
    assert "*****7431" in str(caught.value)
    copy = pickle.loads(pickle.dumps(caught.value))
    assert str(copy) == str(caught.value)
    assert copy.identifier == "MRN-77431"
    with pytest.raises(UnknownAccountError, match="'C-404'"):
        claim_balance(ledger, ClaimId("C-404"))
