"""The claim state machine: allowed and refused transitions, history, adjudication."""

from __future__ import annotations

from decimal import Decimal

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medbill import (
    Adjustment,
    ClaimFrequency,
    ClaimId,
    ClaimPayment,
    ClaimStateError,
    LinePayment,
    ValidationError,
)
from medbill.claims import ClaimStatus, ClaimWorkflow

from .examples import example_claim

T0 = pendulum.datetime(2025, 3, 5, 9)

# The lifecycle of issue 5, written out edge by edge (independently of the module's table).
EDGES = {
    ("draft", "validated"),
    ("validated", "submitted"),
    ("validated", "draft"),
    ("submitted", "accepted"),
    ("submitted", "rejected"),
    ("rejected", "draft"),
    ("rejected", "closed"),
    ("accepted", "paid"),
    ("accepted", "partially-paid"),
    ("accepted", "denied"),
    # issue 16: 277 requests for information pend a claim; a 277CA may reject after a 999
    ("accepted", "pended"),
    ("accepted", "rejected"),
    ("pended", "accepted"),
    ("pended", "rejected"),
    ("pended", "paid"),
    ("pended", "partially-paid"),
    ("pended", "denied"),
    *{
        (adjudicated, after)
        for adjudicated in ("paid", "partially-paid", "denied")
        for after in ("appealed", "corrected", "voided", "closed", "accepted")
    },
    ("appealed", "paid"),
    ("appealed", "partially-paid"),
    ("appealed", "denied"),
    ("appealed", "closed"),
    ("corrected", "closed"),
    ("voided", "closed"),
}


def _accepted() -> ClaimWorkflow:
    flow = ClaimWorkflow.start(example_claim(), recorded_at=T0)
    flow = flow.validate(recorded_at=T0.add(minutes=1), findings=[])
    return flow.submit(recorded_at=T0.add(minutes=2)).accept(recorded_at=T0.add(hours=1))


def test_transition_table_is_the_documented_lifecycle() -> None:
    actual = {(s.value, t.value) for s in ClaimStatus for t in s.allowed_next()}
    assert actual == EDGES


@settings(max_examples=60)
@given(st.sampled_from(list(ClaimStatus)), st.sampled_from(list(ClaimStatus)))
def test_invalid_transition_names_both_states(source: ClaimStatus, target: ClaimStatus) -> None:
    flow = ClaimWorkflow(claim=example_claim(), status=source, history=_accepted().history)
    if (source.value, target.value) in EDGES:
        moved = flow.transition(target, recorded_at=T0.add(days=1), reason="test")
        assert moved.status is target
        assert moved.history[-1].source is source
    else:
        with pytest.raises(ClaimStateError) as caught:
            flow.transition(target, recorded_at=T0.add(days=1), reason="test")
        assert caught.value.current == source.value
        assert caught.value.requested == target.value
        assert repr(source.value) in str(caught.value)
        assert repr(target.value) in str(caught.value)


def test_history_records_when_and_why() -> None:
    flow = _accepted()
    assert [t.target.value for t in flow.history] == ["draft", "validated", "submitted", "accepted"]
    assert flow.history[0].source is None
    assert flow.history[2].recorded_at == T0.add(minutes=2)
    assert flow.history[2].reason == "submitted"
    assert flow.updated_at == T0.add(hours=1)


def test_time_must_be_an_aware_instant_that_does_not_go_back() -> None:
    flow = ClaimWorkflow.start(example_claim(), recorded_at=T0)
    with pytest.raises(ValidationError, match="is before the last transition"):
        flow.validate(recorded_at=T0.subtract(seconds=1), findings=[])
    with pytest.raises(ValidationError, match=r"^recorded_at: must be a pendulum.DateTime"):
        flow.validate(recorded_at=pendulum.date(2025, 3, 6), findings=[])  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="time zone"):
        flow.validate(recorded_at=pendulum.naive(2025, 3, 6), findings=[])
    with pytest.raises(ValidationError, match="reason"):
        flow.transition(ClaimStatus.VALIDATED, recorded_at=T0, reason=" ")


def test_instants_are_kept_in_utc() -> None:
    local = pendulum.datetime(2025, 3, 5, 10, tz="America/Chicago")
    flow = ClaimWorkflow.start(example_claim(), recorded_at=local)
    assert flow.updated_at.timezone_name == "UTC"
    assert flow.updated_at.hour == 16  # 10:00 CST is 16:00 UTC


class _Blocking:
    rule = "MB-NPI"
    blocks_submission = True


def test_validation_is_refused_while_findings_block() -> None:
    flow = ClaimWorkflow.start(example_claim(), recorded_at=T0)
    with pytest.raises(ClaimStateError, match="1 blocking finding"):
        flow.validate(recorded_at=T0, findings=[_Blocking()])


def test_rejected_claim_is_edited_and_sent_again() -> None:
    flow = ClaimWorkflow.start(example_claim(), recorded_at=T0).validate(
        recorded_at=T0, findings=[]
    )
    flow = flow.submit(recorded_at=T0).reject(
        recorded_at=T0.add(hours=2), reason="277CA A7:562 bad NPI"
    )
    fixed = example_claim(claim_id="C-1001")
    flow = flow.edit(fixed, recorded_at=T0.add(hours=3), reason="NPI fixed")
    assert flow.status is ClaimStatus.DRAFT
    assert flow.history[-2].reason == "277CA A7:562 bad NPI"


def _payment(
    status: str, paid: str, lines: list[LinePayment] | None = None, pr: str = "0.00"
) -> ClaimPayment:
    return ClaimPayment(
        claim_id="C-1001",
        status=status,
        charge=Decimal("210.00"),
        paid=Decimal(paid),
        patient_responsibility=Decimal(pr),
        lines=lines or [],
    )


@pytest.mark.parametrize(
    ("payment", "expected"),
    [
        (_payment("1", "96.00"), ClaimStatus.PAID),
        (_payment("4", "0.00"), ClaimStatus.DENIED),
        (_payment("1", "0.00"), ClaimStatus.DENIED),  # nothing paid, nothing left to patient
        # all of it went to the deductible: adjudicated and paid (at $0)
        (
            _payment(
                "1",
                "0.00",
                [
                    LinePayment(
                        procedure="99214",
                        charge=Decimal("210.00"),
                        paid=Decimal("0.00"),
                        adjustments=[
                            Adjustment(group="CO", reason="45", amount=Decimal("90.00")),
                            Adjustment(group="PR", reason="1", amount=Decimal("120.00")),
                        ],
                    )
                ],
                pr="120.00",
            ),
            ClaimStatus.PAID,
        ),
        (
            _payment(
                "1",
                "50.00",
                [
                    LinePayment(
                        procedure="99214",
                        charge=Decimal("150.00"),
                        paid=Decimal("50.00"),
                        adjustments=[Adjustment(group="CO", reason="45", amount=Decimal("100.00"))],
                    ),
                    LinePayment(
                        procedure="36415",
                        charge=Decimal("60.00"),
                        paid=Decimal("0.00"),
                        adjustments=[Adjustment(group="CO", reason="97", amount=Decimal("60.00"))],
                    ),
                ],
            ),
            ClaimStatus.PARTIALLY_PAID,
        ),
    ],
)
def test_adjudication_picks_the_state(payment: ClaimPayment, expected: ClaimStatus) -> None:
    assert _accepted().adjudicate(payment, recorded_at=T0.add(days=20)).status is expected


def test_reversal_returns_to_accepted_then_corrected_payment() -> None:
    flow = _accepted().adjudicate(_payment("1", "96.00"), recorded_at=T0.add(days=20))
    flow = flow.adjudicate(_payment("22", "-96.00"), recorded_at=T0.add(days=30))
    assert flow.status is ClaimStatus.ACCEPTED
    assert "reversed" in flow.history[-1].reason
    flow = flow.adjudicate(_payment("1", "110.00"), recorded_at=T0.add(days=30))
    assert flow.status is ClaimStatus.PAID


def test_adjudication_of_another_claim_is_refused() -> None:
    other = ClaimPayment(claim_id="C-9", status="1", charge=Decimal("1.00"), paid=Decimal("1.00"))
    with pytest.raises(ValidationError, match="does not pay claim"):
        _accepted().adjudicate(other, recorded_at=T0.add(days=1))


def test_correction_starts_a_replacement_claim() -> None:
    flow = _accepted().adjudicate(_payment("4", "0.00"), recorded_at=T0.add(days=20))
    corrected, replacement = flow.correct(
        recorded_at=T0.add(days=21),
        reason="wrong diagnosis",
        payer_claim_control_number="ICN-77",
        claim_id=ClaimId("C-1001-R"),
    )
    assert corrected.status is ClaimStatus.CORRECTED
    assert replacement.status is ClaimStatus.DRAFT
    assert replacement.claim.frequency is ClaimFrequency.REPLACEMENT
    assert replacement.claim.original_claim_reference == "ICN-77"
    assert replacement.claim.id == "C-1001-R"
    assert corrected.close(recorded_at=T0.add(days=21), reason="replaced").status.is_final


def test_void_produces_a_frequency_8_claim() -> None:
    flow = _accepted().adjudicate(_payment("1", "96.00"), recorded_at=T0.add(days=20))
    voided, void_claim = flow.void(
        recorded_at=T0.add(days=25),
        reason="billed wrong patient",
        payer_claim_control_number="ICN-77",
    )
    assert voided.status is ClaimStatus.VOIDED
    assert void_claim.frequency is ClaimFrequency.VOID
    assert void_claim.original_claim_reference == "ICN-77"
    with pytest.raises(ClaimStateError, match="'voided' to 'paid'"):
        voided.transition(ClaimStatus.PAID, recorded_at=T0.add(days=26), reason="x")


def test_appeal_then_readjudication() -> None:
    flow = _accepted().adjudicate(_payment("4", "0.00"), recorded_at=T0.add(days=20))
    flow = flow.appeal(recorded_at=T0.add(days=22), reason="medical records attached")
    flow = flow.adjudicate(_payment("1", "96.00"), recorded_at=T0.add(days=60))
    assert flow.status is ClaimStatus.PAID
    assert [t.target for t in flow.history][-3:] == [
        ClaimStatus.DENIED,
        ClaimStatus.APPEALED,
        ClaimStatus.PAID,
    ]
