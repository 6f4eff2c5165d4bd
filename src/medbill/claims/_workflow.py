"""The claim lifecycle as an explicit state machine.

::

    draft ─► validated ─► submitted ─► accepted ─► paid | partially paid | denied
      ▲          │            │          │  ▲          │
      └──────────┘            │          ▼  │          │
                              │        pended (277 request for information)
                              └─► rejected ─► draft    ├─► appealed ─► (adjudicated again)
                                                       ├─► corrected (frequency 7) ─► closed
                                                       ├─► voided (frequency 8) ─► closed
                                                       └─► closed

"Rejected" is the clearinghouse's or payer's front-end refusal (999/277CA): the claim
never reached adjudication, so it is fixed and sent again as an original. "Denied" is an
adjudication (835 CLP02 = 4, or nothing paid and nothing left to the patient). A payer's
reversal (CLP02 = 22) takes an adjudicated claim back to "accepted" until the corrected
payment arrives. Each transition records when (an instant passed in), why and, for one
caused by a document, which (``Transition.document``).

:meth:`ClaimWorkflow.receive` takes the clearinghouse's and payer's answers as events: a
999 (:class:`~medbill.TransactionAcknowledgement`) or a 277CA/277
(:class:`~medbill.ClaimStatusReport`). Every answer is kept in ``responses``, with its
codes as sent (unknown codes too), whether or not it moves the claim.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs
import pendulum

from medbill._claim_status import ClaimStatusReport, StatusOutcome, TransactionAcknowledgement
from medbill._common import ClaimId
from medbill._deprecation import renamed_fields, renamed_parameters
from medbill._encounter import Claim
from medbill._enums import MedbillEnum
from medbill._errors import ClaimStateError, ValidationError
from medbill._money import ZERO
from medbill._payment import ClaimPayment
from medbill.claims._corrections import build_corrected_claim, build_void_claim

__all__ = ["ClaimStatus", "ClaimWorkflow", "ResponseEvent", "Transition"]


class ClaimStatus(MedbillEnum):
    """Where a claim is in its lifecycle.

    >>> from medbill.claims import ClaimStatus
    >>> sorted(s.value for s in ClaimStatus.DRAFT.allowed_next())
    ['validated']
    >>> ClaimStatus.PAID.is_adjudicated, ClaimStatus.CLOSED.is_final
    (True, True)
    """

    DRAFT = "draft"
    VALIDATED = "validated"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    PENDED = "pended"
    REJECTED = "rejected"
    PAID = "paid"
    PARTIALLY_PAID = "partially-paid"
    DENIED = "denied"
    APPEALED = "appealed"
    CORRECTED = "corrected"
    VOIDED = "voided"
    CLOSED = "closed"

    def allowed_next(self) -> frozenset[ClaimStatus]:
        """The states a claim in this state may move to."""
        return _TRANSITIONS[self]

    @property
    def is_adjudicated(self) -> bool:
        """Paid, partially paid or denied."""
        return self in _ADJUDICATED

    @property
    def is_final(self) -> bool:
        """Closed: nothing more happens to the claim."""
        return self is ClaimStatus.CLOSED


_ADJUDICATED = frozenset({ClaimStatus.PAID, ClaimStatus.PARTIALLY_PAID, ClaimStatus.DENIED})
_AFTER_ADJUDICATION = frozenset(
    {
        ClaimStatus.APPEALED,
        ClaimStatus.CORRECTED,
        ClaimStatus.VOIDED,
        ClaimStatus.CLOSED,
        ClaimStatus.ACCEPTED,  # the payer reversed its adjudication (CLP02 = 22)
    }
)
_TRANSITIONS: Mapping[ClaimStatus, frozenset[ClaimStatus]] = {
    ClaimStatus.DRAFT: frozenset({ClaimStatus.VALIDATED}),
    ClaimStatus.VALIDATED: frozenset({ClaimStatus.SUBMITTED, ClaimStatus.DRAFT}),
    ClaimStatus.SUBMITTED: frozenset({ClaimStatus.ACCEPTED, ClaimStatus.REJECTED}),
    ClaimStatus.REJECTED: frozenset({ClaimStatus.DRAFT, ClaimStatus.CLOSED}),
    # a payer's front end may reject (277CA) after the clearinghouse accepted (999)
    ClaimStatus.ACCEPTED: _ADJUDICATED | {ClaimStatus.PENDED, ClaimStatus.REJECTED},
    ClaimStatus.PENDED: _ADJUDICATED | {ClaimStatus.ACCEPTED, ClaimStatus.REJECTED},
    ClaimStatus.PAID: _AFTER_ADJUDICATION,
    ClaimStatus.PARTIALLY_PAID: _AFTER_ADJUDICATION,
    ClaimStatus.DENIED: _AFTER_ADJUDICATION,
    ClaimStatus.APPEALED: _ADJUDICATED | {ClaimStatus.CLOSED},
    ClaimStatus.CORRECTED: frozenset({ClaimStatus.CLOSED}),
    ClaimStatus.VOIDED: frozenset({ClaimStatus.CLOSED}),
    ClaimStatus.CLOSED: frozenset(),
}


def _instant(value: object) -> pendulum.DateTime:
    if not isinstance(value, pendulum.DateTime):
        raise ValidationError(
            "recorded_at", value, "must be a pendulum.DateTime (an instant, in UTC)"
        )
    if value.tzinfo is None:
        raise ValidationError("recorded_at", value, "must carry a time zone (UTC)")
    return value.in_timezone("UTC")


@renamed_fields(at="recorded_at")
@attrs.frozen(kw_only=True)
class Transition:
    """One recorded move of a claim: from, to, when and why.

    >>> from medbill.claims import ClaimStatus
    >>> step = Transition(source=ClaimStatus.DRAFT, target=ClaimStatus.VALIDATED,
    ...                   recorded_at=pendulum.datetime(2025, 3, 5, 9), reason="scrubbed clean")
    >>> str(step)
    '2025-03-05T09:00:00+00:00 draft -> validated: scrubbed clean'
    """

    source: ClaimStatus | None
    target: ClaimStatus
    recorded_at: pendulum.DateTime
    reason: str
    document: str | None = None

    def __str__(self) -> str:
        source = self.source.value if self.source else "(new)"
        where = f" [{self.document}]" if self.document else ""
        return (
            f"{self.recorded_at.isoformat()} {source} -> {self.target.value}: {self.reason}{where}"
        )


Response = ClaimStatusReport | TransactionAcknowledgement
"""An answer about a submitted claim: a 277CA or 277 status, or a 999 acknowledgement."""


@renamed_fields(at="recorded_at")
@attrs.frozen(kw_only=True)
class ResponseEvent:
    """An answer received about the claim, when, and the state it moved the claim to.

    ``moved_to`` is ``None`` when the answer did not change the state (a 999 acceptance,
    a 277 "pending" for a claim already accepted, a code medbill does not know).

    >>> import pendulum
    >>> from medbill import AckStatus, TransactionAcknowledgement
    >>> ack = TransactionAcknowledgement(transaction_set_id="837", control_number="0001",
    ...                                  status=AckStatus.ACCEPTED)
    >>> ResponseEvent(recorded_at=pendulum.datetime(2025, 3, 5), response=ack, moved_to=None).kind
    '999'
    """

    recorded_at: pendulum.DateTime
    response: Response
    moved_to: ClaimStatus | None

    @property
    def kind(self) -> str:
        """``999``, ``277CA`` or ``277``."""
        if isinstance(self.response, TransactionAcknowledgement):
            return "999"
        return "277CA" if self.response.is_acknowledgement else "277"

    @property
    def outcome(self) -> StatusOutcome:
        """What the answer says, in :class:`~medbill.StatusOutcome` terms."""
        if isinstance(self.response, TransactionAcknowledgement):
            return (
                StatusOutcome.REJECTED
                if self.response.status.is_rejected
                else (StatusOutcome.RECEIVED)
            )
        return self.response.outcome


def adjudication_status(payment: ClaimPayment) -> ClaimStatus:
    """The state an adjudication puts a claim in (for a non-reversal payment).

    Denied: CLP02 = 4, or nothing paid and nothing left to the patient. Partially paid:
    some lines paid and some denied (a line with a charge, no payment and no patient
    responsibility). Paid otherwise: a $0 payment applied to the deductible is paid.
    """
    if payment.status.is_denial:
        return ClaimStatus.DENIED
    owed = payment.patient_responsibility_adjustments
    if payment.paid == ZERO and owed == ZERO:
        return ClaimStatus.DENIED
    if any(
        line.charge > ZERO and line.paid == ZERO and line.patient_responsibility == ZERO
        for line in payment.lines
    ):
        return ClaimStatus.PARTIALLY_PAID
    return ClaimStatus.PAID


@attrs.frozen(kw_only=True)
class ClaimWorkflow:
    """A claim with its lifecycle state and the history of every transition.

    Immutable: each transition returns a new workflow. Time is passed in (``recorded_at``, a UTC
    ``pendulum.DateTime``) and may not go backwards.

    >>> from medbill.claims import ClaimWorkflow
    >>> from medbill.testing import make_claim
    >>> t0 = pendulum.datetime(2025, 3, 5, 9)
    >>> flow = ClaimWorkflow.start(make_claim(), recorded_at=t0)
    >>> flow = flow.validate(recorded_at=t0.add(minutes=1), findings=[])
    >>> flow = flow.submit(recorded_at=t0.add(hours=1), reason="batch 17 to the clearinghouse")
    >>> flow.status.value, len(flow.history)
    ('submitted', 3)
    >>> flow.close(recorded_at=t0.add(hours=2), reason="no")
    Traceback (most recent call last):
    ...
    medbill.ClaimStateError: cannot move a claim from 'submitted' to 'closed': allowed ...
    """

    claim: Claim
    status: ClaimStatus
    history: tuple[Transition, ...]
    responses: tuple[ResponseEvent, ...] = ()

    @classmethod
    @renamed_parameters("ClaimWorkflow.start", at="recorded_at")
    def start(
        cls, claim: Claim, *, recorded_at: pendulum.DateTime, reason: str = "created"
    ) -> ClaimWorkflow:
        """A new claim in draft."""
        when = _instant(recorded_at)
        return cls(
            claim=claim,
            status=ClaimStatus.DRAFT,
            history=(
                Transition(source=None, target=ClaimStatus.DRAFT, recorded_at=when, reason=reason),
            ),
        )

    @property
    def updated_at(self) -> pendulum.DateTime:
        """When the last transition happened."""
        return self.history[-1].recorded_at

    def can(self, target: ClaimStatus) -> bool:
        """Whether moving to ``target`` is allowed now."""
        return target in self.status.allowed_next()

    @renamed_parameters("ClaimWorkflow.transition", at="recorded_at")
    def transition(
        self,
        target: ClaimStatus,
        *,
        recorded_at: pendulum.DateTime,
        reason: str,
        claim: Claim | None = None,
        document: str | None = None,
    ) -> ClaimWorkflow:
        """Move to ``target``; :class:`~medbill.ClaimStateError` if that is not allowed.

        >>> from medbill.claims import ClaimStatus, ClaimWorkflow
        >>> from medbill.testing import make_claim
        >>> flow = ClaimWorkflow.start(make_claim(), recorded_at=pendulum.datetime(2025, 3, 5))
        >>> flow.transition(ClaimStatus.PAID, recorded_at=pendulum.datetime(2025, 3, 6), reason="?")
        Traceback (most recent call last):
        ...
        medbill.ClaimStateError: cannot move a claim from 'draft' to 'paid': ...next: ...
        """
        if not isinstance(target, ClaimStatus):
            raise ValidationError("target", target, "must be a ClaimStatus")
        if not self.can(target):
            allowed = ", ".join(sorted(s.value for s in self.status.allowed_next())) or "none"
            raise ClaimStateError(self.status.value, target.value, f"allowed next: {allowed}")
        when = _instant(recorded_at)
        if when < self.updated_at:
            raise ValidationError(
                "recorded_at",
                when,
                f"is before the last transition at {self.updated_at.isoformat()}",
            )
        if not isinstance(reason, str) or not reason.strip():
            raise ValidationError("reason", reason, "must say why the claim moves")
        step = Transition(
            source=self.status, target=target, recorded_at=when, reason=reason, document=document
        )
        return attrs.evolve(
            self,
            claim=self.claim if claim is None else claim,
            status=target,
            history=(*self.history, step),
        )

    @renamed_parameters("ClaimWorkflow.validate", at="recorded_at")
    def validate(
        self,
        *,
        recorded_at: pendulum.DateTime,
        findings: Iterable[object],
        reason: str = "scrubbed",
    ) -> ClaimWorkflow:
        """Mark the claim validated; refused while ``findings`` hold a blocking error.

        ``findings`` is what :func:`~medbill.claims.scrub` returned for the claim.
        """
        blocking = [f for f in findings if getattr(f, "blocks_submission", False)]
        if blocking:
            codes = ", ".join(sorted({str(getattr(f, "rule", "?")) for f in blocking}))
            raise ClaimStateError(
                self.status.value,
                ClaimStatus.VALIDATED.value,
                f"{len(blocking)} blocking finding(s): {codes}",
            )
        return self.transition(ClaimStatus.VALIDATED, recorded_at=recorded_at, reason=reason)

    @renamed_parameters("ClaimWorkflow.edit", at="recorded_at")
    def edit(self, claim: Claim, *, recorded_at: pendulum.DateTime, reason: str) -> ClaimWorkflow:
        """Replace the claim's content; back to draft (from validated or rejected)."""
        if self.status is ClaimStatus.DRAFT:
            return attrs.evolve(self, claim=claim)
        return self.transition(
            ClaimStatus.DRAFT, recorded_at=recorded_at, reason=reason, claim=claim
        )

    @renamed_parameters("ClaimWorkflow.submit", at="recorded_at")
    def submit(self, *, recorded_at: pendulum.DateTime, reason: str = "submitted") -> ClaimWorkflow:
        """Sent to the clearinghouse or payer."""
        return self.transition(ClaimStatus.SUBMITTED, recorded_at=recorded_at, reason=reason)

    @renamed_parameters("ClaimWorkflow.accept", at="recorded_at")
    def accept(self, *, recorded_at: pendulum.DateTime, reason: str = "accepted") -> ClaimWorkflow:
        """Acknowledged as accepted for adjudication (999 / 277CA)."""
        return self.transition(ClaimStatus.ACCEPTED, recorded_at=recorded_at, reason=reason)

    @renamed_parameters("ClaimWorkflow.reject", at="recorded_at")
    def reject(self, *, recorded_at: pendulum.DateTime, reason: str) -> ClaimWorkflow:
        """Rejected by the clearinghouse or the payer's front end."""
        return self.transition(ClaimStatus.REJECTED, recorded_at=recorded_at, reason=reason)

    @renamed_parameters("ClaimWorkflow.adjudicate", at="recorded_at")
    def adjudicate(self, payment: ClaimPayment, *, recorded_at: pendulum.DateTime) -> ClaimWorkflow:
        """Apply the payer's adjudication: paid, partially paid, denied or (reversal) accepted.

        >>> from decimal import Decimal
        >>> from medbill import ClaimPayment
        >>> from medbill.claims import ClaimWorkflow
        >>> from medbill.testing import make_claim
        >>> t = pendulum.datetime(2025, 3, 5)
        >>> flow = ClaimWorkflow.start(make_claim(), recorded_at=t).validate(recorded_at=t, findings=[])
        >>> flow = flow.submit(recorded_at=t).accept(recorded_at=t)
        >>> denial = ClaimPayment(claim_id="CLM-0001", status="4", charge=Decimal("210.00"),
        ...                       paid=Decimal("0.00"))
        >>> flow.adjudicate(denial, recorded_at=t.add(days=20)).status.value
        'denied'
        """
        if payment.claim_id != self.claim.id:
            raise ValidationError(
                "payment.claim_id", payment.claim_id, f"does not pay claim {self.claim.id!r}"
            )
        if payment.status.is_reversal:
            return self.transition(
                ClaimStatus.ACCEPTED,
                recorded_at=recorded_at,
                reason="payer reversed its adjudication (CLP02 22)",
            )
        target = adjudication_status(payment)
        reason = (
            f"adjudicated: paid {payment.paid} of {payment.charge} (CLP02 {payment.status.value})"
        )
        return self.transition(target, recorded_at=recorded_at, reason=reason)

    @renamed_parameters("ClaimWorkflow.appeal", at="recorded_at")
    def appeal(self, *, recorded_at: pendulum.DateTime, reason: str) -> ClaimWorkflow:
        """An appeal of the adjudication was filed."""
        return self.transition(ClaimStatus.APPEALED, recorded_at=recorded_at, reason=reason)

    @renamed_parameters("ClaimWorkflow.correct", at="recorded_at")
    def correct(
        self,
        *,
        recorded_at: pendulum.DateTime,
        reason: str,
        payer_claim_control_number: str,
        claim_id: ClaimId | None = None,
        claim: Claim | None = None,
    ) -> tuple[ClaimWorkflow, ClaimWorkflow]:
        """Mark this claim corrected and start its replacement (frequency 7) in draft.

        Returns (this workflow, now corrected; the replacement's workflow). The replacement
        is ``claim`` (or this claim) with frequency 7 and the payer's claim control number
        as ``original_claim_reference``.
        """
        corrected = self.transition(ClaimStatus.CORRECTED, recorded_at=recorded_at, reason=reason)
        base = claim or self.claim
        replacement = build_corrected_claim(
            base, payer_claim_control_number, claim_id=claim_id or None
        )
        return corrected, ClaimWorkflow.start(
            replacement,
            recorded_at=recorded_at,
            reason=f"replaces {self.claim.id} ({payer_claim_control_number})",
        )

    @renamed_parameters("ClaimWorkflow.void", at="recorded_at")
    def void(
        self, *, recorded_at: pendulum.DateTime, reason: str, payer_claim_control_number: str
    ) -> tuple[ClaimWorkflow, Claim]:
        """Mark this claim voided; return it and the void claim (frequency 8) to send."""
        voided = self.transition(ClaimStatus.VOIDED, recorded_at=recorded_at, reason=reason)
        void_claim = build_void_claim(self.claim, payer_claim_control_number)
        return voided, void_claim

    @renamed_parameters("ClaimWorkflow.close", at="recorded_at")
    def close(self, *, recorded_at: pendulum.DateTime, reason: str) -> ClaimWorkflow:
        """Nothing more to do on the claim."""
        return self.transition(ClaimStatus.CLOSED, recorded_at=recorded_at, reason=reason)

    @property
    def submitted_on(self) -> pendulum.Date | None:
        """The day the claim was last submitted (the last move to ``submitted``)."""
        for step in reversed(self.history):
            if step.target is ClaimStatus.SUBMITTED:
                return step.recorded_at.date()
        return None

    @property
    def payer_claim_number(self) -> str | None:
        """The payer's claim control number from the latest 277/277CA that gave one."""
        for event in reversed(self.responses):
            response = event.response
            if isinstance(response, ClaimStatusReport) and response.payer_claim_number:
                return response.payer_claim_number
        return None

    @renamed_parameters("ClaimWorkflow.receive", at="recorded_at")
    def receive(self, response: Response, *, recorded_at: pendulum.DateTime) -> ClaimWorkflow:
        """Take a 999, 277CA or 277 answer about this claim as an event.

        - a 999 rejection (IK5 R, M, W, X) or a 277CA/277 rejection (A3, A6-A8, E3, E4)
          moves a submitted, accepted or pended claim to ``rejected``, with the reasons;
        - a 277CA acceptance (A2, A5) or a 277 "pending" (P0-P2, P5) moves a submitted
          claim to ``accepted`` (accepted by the payer); "pending" also ends ``pended``;
        - a 277 request for information (P3, P4, R0-R17) moves it to ``pended``;
        - a 277 finalized/paid (F1, F3F, F3N; or F0-F4 with a payment) to ``paid``,
          finalized/denied (F2; or F4 with nothing paid) to ``denied``.

        A 999 acknowledges a transaction set, not a claim: pass the acknowledgement of the
        set the claim was sent in (``FunctionalAcknowledgement.for_transaction(ST02)``).
        Each transition names its source document (``Transition.document``). An answer
        that moves nothing (a 999 acceptance, a 277CA "received", a late "pending", a
        code medbill does not know) is still kept in ``responses`` with its codes.
        Moves that need an intermediate step (a 277 request for information for a claim
        still ``submitted``) record both.

        >>> import pendulum
        >>> from medbill import ClaimStatusCode, ClaimStatusReport
        >>> from medbill.claims import ClaimWorkflow
        >>> from medbill.testing import make_claim
        >>> t = pendulum.datetime(2025, 3, 5)
        >>> flow = ClaimWorkflow.start(make_claim(), recorded_at=t).validate(recorded_at=t, findings=[])
        >>> flow = flow.submit(recorded_at=t)
        >>> rejected = ClaimStatusReport(implementation="005010X214", level="claim",
        ...     claim_id="CLM-0001", statuses=(ClaimStatusCode(category="A7", status="562",
        ...     entity="85"),), action="U")
        >>> flow = flow.receive(rejected, recorded_at=t.add(days=1))
        >>> flow.status.value, flow.history[-1].document
        ('rejected', '277CA A7:562:85')
        """
        if isinstance(response, TransactionAcknowledgement):
            return self._acknowledged(response, recorded_at)
        if not isinstance(response, ClaimStatusReport):
            raise ValidationError(
                "response", response, "must be a ClaimStatusReport or TransactionAcknowledgement"
            )
        if response.claim_id is not None and response.claim_id != self.claim.id:
            raise ValidationError(
                "response.claim_id", response.claim_id, f"is not claim {self.claim.id!r}"
            )
        flow = self
        targets = _targets(response, self.status)
        document = response.document
        for target, reason in targets:
            if flow.can(target):
                flow = flow.transition(
                    target, recorded_at=recorded_at, reason=reason, document=document
                )
        moved = flow.status if flow.status is not self.status else None
        return flow._record(response, recorded_at, moved)

    def _acknowledged(
        self, ack: TransactionAcknowledgement, recorded_at: pendulum.DateTime
    ) -> ClaimWorkflow:
        flow = self
        if ack.status.is_rejected and self.can(ClaimStatus.REJECTED):
            reasons = "; ".join(ack.reasons) or ack.status.description
            flow = self.transition(
                ClaimStatus.REJECTED,
                recorded_at=recorded_at,
                reason=f"rejected by the clearinghouse (999): {reasons}",
                document=ack.document,
            )
        moved = flow.status if flow.status is not self.status else None
        return flow._record(ack, recorded_at, moved)

    def _record(
        self, response: Response, recorded_at: pendulum.DateTime, moved: ClaimStatus | None
    ) -> ClaimWorkflow:
        when = _instant(recorded_at)
        if when < self.updated_at:
            raise ValidationError(
                "recorded_at",
                when,
                f"is before the last transition at {self.updated_at.isoformat()}",
            )
        event = ResponseEvent(recorded_at=when, response=response, moved_to=moved)
        return attrs.evolve(self, responses=(*self.responses, event))


def _targets(report: ClaimStatusReport, status: ClaimStatus) -> list[tuple[ClaimStatus, str]]:
    """The states a 277/277CA moves a claim through, from ``status``, with the reasons."""
    outcome = report.outcome
    kind = "277CA" if report.is_acknowledgement else "277"
    explained = report.explain()
    accept = (ClaimStatus.ACCEPTED, f"accepted by the payer ({kind}): {explained}")
    if outcome is StatusOutcome.REJECTED:
        return [(ClaimStatus.REJECTED, f"rejected by the payer ({kind}): {explained}")]
    if outcome is StatusOutcome.ACCEPTED:
        return [accept] if status is ClaimStatus.SUBMITTED else []
    if outcome is StatusOutcome.PENDING:
        if status in (ClaimStatus.SUBMITTED, ClaimStatus.PENDED):
            return [(ClaimStatus.ACCEPTED, f"pending at the payer ({kind}): {explained}")]
        return []
    if outcome is StatusOutcome.REQUEST_FOR_INFORMATION:
        pended = (ClaimStatus.PENDED, f"payer requests information ({kind}): {explained}")
        return [accept, pended] if status is ClaimStatus.SUBMITTED else [pended]
    paid = report.paid
    if outcome is StatusOutcome.FINALIZED and paid is not None:
        outcome = StatusOutcome.PAID if paid > ZERO else StatusOutcome.DENIED
        if paid == ZERO and report.statuses[0].category != "F4":
            outcome = StatusOutcome.FINALIZED
    if outcome in (StatusOutcome.PAID, StatusOutcome.DENIED):
        if status.is_adjudicated:
            return []  # the 835 said so first; the 277 only confirms it
        target = ClaimStatus.PAID if outcome is StatusOutcome.PAID else ClaimStatus.DENIED
        words = "finalized, paid" if target is ClaimStatus.PAID else "finalized, denied"
        step = (target, f"{words} ({kind}): {explained}")
        return [accept, step] if status is ClaimStatus.SUBMITTED else [step]
    return []
