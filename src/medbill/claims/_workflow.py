"""The claim lifecycle as an explicit state machine.

::

    draft ─► validated ─► submitted ─► accepted ─► paid | partially paid | denied
      ▲          │            │                        │
      └──────────┘            └─► rejected ─► draft    ├─► appealed ─► (adjudicated again)
                                                       ├─► corrected (frequency 7) ─► closed
                                                       ├─► voided (frequency 8) ─► closed
                                                       └─► closed

"Rejected" is the clearinghouse's or payer's front-end refusal (999/277CA): the claim
never reached adjudication, so it is fixed and sent again as an original. "Denied" is an
adjudication (835 CLP02 = 4, or nothing paid and nothing left to the patient). A payer's
reversal (CLP02 = 22) takes an adjudicated claim back to "accepted" until the corrected
payment arrives. Each transition records when (an instant passed in) and why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs
import pendulum

from medbill._common import ClaimId
from medbill._encounter import Claim, ClaimFrequency
from medbill._enums import MedbillEnum
from medbill._errors import ClaimStateError, ValidationError
from medbill._money import ZERO
from medbill._payment import ClaimPayment

__all__ = ["ClaimStatus", "ClaimWorkflow", "Transition"]


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
    ClaimStatus.ACCEPTED: _ADJUDICATED,
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
        raise ValidationError("at", value, "must be a pendulum.DateTime (an instant, in UTC)")
    if value.tzinfo is None:
        raise ValidationError("at", value, "must carry a time zone (UTC)")
    return value.in_timezone("UTC")


@attrs.frozen(kw_only=True)
class Transition:
    """One recorded move of a claim: from, to, when and why.

    >>> from medbill.claims import ClaimStatus, Transition
    >>> step = Transition(source=ClaimStatus.DRAFT, target=ClaimStatus.VALIDATED,
    ...                   at=pendulum.datetime(2025, 3, 5, 9), reason="scrubbed clean")
    >>> str(step)
    '2025-03-05T09:00:00+00:00 draft -> validated: scrubbed clean'
    """

    source: ClaimStatus | None
    target: ClaimStatus
    at: pendulum.DateTime
    reason: str

    def __str__(self) -> str:
        source = self.source.value if self.source else "(new)"
        return f"{self.at.isoformat()} {source} -> {self.target.value}: {self.reason}"


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

    Immutable: each transition returns a new workflow. Time is passed in (``at``, a UTC
    ``pendulum.DateTime``) and may not go backwards.

    >>> from medbill.claims import ClaimWorkflow
    >>> from medbill.testing import make_claim
    >>> t0 = pendulum.datetime(2025, 3, 5, 9)
    >>> flow = ClaimWorkflow.start(make_claim(), at=t0)
    >>> flow = flow.validate(at=t0.add(minutes=1), findings=[])
    >>> flow = flow.submit(at=t0.add(hours=1), reason="batch 17 to the clearinghouse")
    >>> flow.status.value, len(flow.history)
    ('submitted', 3)
    >>> flow.close(at=t0.add(hours=2), reason="no")
    Traceback (most recent call last):
    ...
    medbill._errors.ClaimStateError: cannot move a claim from 'submitted' to 'closed': allowed ...
    """

    claim: Claim
    status: ClaimStatus
    history: tuple[Transition, ...]

    @classmethod
    def start(
        cls, claim: Claim, *, at: pendulum.DateTime, reason: str = "created"
    ) -> ClaimWorkflow:
        """A new claim in draft."""
        when = _instant(at)
        return cls(
            claim=claim,
            status=ClaimStatus.DRAFT,
            history=(Transition(source=None, target=ClaimStatus.DRAFT, at=when, reason=reason),),
        )

    @property
    def updated_at(self) -> pendulum.DateTime:
        """When the last transition happened."""
        return self.history[-1].at

    def can(self, target: ClaimStatus) -> bool:
        """Whether moving to ``target`` is allowed now."""
        return target in self.status.allowed_next()

    def transition(
        self,
        target: ClaimStatus,
        *,
        at: pendulum.DateTime,
        reason: str,
        claim: Claim | None = None,
    ) -> ClaimWorkflow:
        """Move to ``target``; :class:`~medbill.ClaimStateError` if that is not allowed.

        >>> from medbill.claims import ClaimStatus, ClaimWorkflow
        >>> from medbill.testing import make_claim
        >>> flow = ClaimWorkflow.start(make_claim(), at=pendulum.datetime(2025, 3, 5))
        >>> flow.transition(ClaimStatus.PAID, at=pendulum.datetime(2025, 3, 6), reason="?")
        Traceback (most recent call last):
        ...
        medbill._errors.ClaimStateError: cannot move a claim from 'draft' to 'paid': ...next: ...
        """
        if not isinstance(target, ClaimStatus):
            raise ValidationError("target", target, "must be a ClaimStatus")
        if not self.can(target):
            allowed = ", ".join(sorted(s.value for s in self.status.allowed_next())) or "none"
            raise ClaimStateError(self.status.value, target.value, f"allowed next: {allowed}")
        when = _instant(at)
        if when < self.updated_at:
            raise ValidationError(
                "at", when, f"is before the last transition at {self.updated_at.isoformat()}"
            )
        if not isinstance(reason, str) or not reason.strip():
            raise ValidationError("reason", reason, "must say why the claim moves")
        step = Transition(source=self.status, target=target, at=when, reason=reason)
        return attrs.evolve(
            self,
            claim=self.claim if claim is None else claim,
            status=target,
            history=(*self.history, step),
        )

    def validate(
        self, *, at: pendulum.DateTime, findings: Iterable[object], reason: str = "scrubbed"
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
        return self.transition(ClaimStatus.VALIDATED, at=at, reason=reason)

    def edit(self, claim: Claim, *, at: pendulum.DateTime, reason: str) -> ClaimWorkflow:
        """Replace the claim's content; back to draft (from validated or rejected)."""
        if self.status is ClaimStatus.DRAFT:
            return attrs.evolve(self, claim=claim)
        return self.transition(ClaimStatus.DRAFT, at=at, reason=reason, claim=claim)

    def submit(self, *, at: pendulum.DateTime, reason: str = "submitted") -> ClaimWorkflow:
        """Sent to the clearinghouse or payer."""
        return self.transition(ClaimStatus.SUBMITTED, at=at, reason=reason)

    def accept(self, *, at: pendulum.DateTime, reason: str = "accepted") -> ClaimWorkflow:
        """Acknowledged as accepted for adjudication (999 / 277CA)."""
        return self.transition(ClaimStatus.ACCEPTED, at=at, reason=reason)

    def reject(self, *, at: pendulum.DateTime, reason: str) -> ClaimWorkflow:
        """Rejected by the clearinghouse or the payer's front end."""
        return self.transition(ClaimStatus.REJECTED, at=at, reason=reason)

    def adjudicate(self, payment: ClaimPayment, *, at: pendulum.DateTime) -> ClaimWorkflow:
        """Apply the payer's adjudication: paid, partially paid, denied or (reversal) accepted.

        >>> from decimal import Decimal
        >>> from medbill import ClaimPayment
        >>> from medbill.claims import ClaimWorkflow
        >>> from medbill.testing import make_claim
        >>> t = pendulum.datetime(2025, 3, 5)
        >>> flow = ClaimWorkflow.start(make_claim(), at=t).validate(at=t, findings=[])
        >>> flow = flow.submit(at=t).accept(at=t)
        >>> denial = ClaimPayment(claim_id="CLM-0001", status="4", charge=Decimal("210.00"),
        ...                       paid=Decimal("0.00"))
        >>> flow.adjudicate(denial, at=t.add(days=20)).status.value
        'denied'
        """
        if payment.claim_id != self.claim.id:
            raise ValidationError(
                "payment.claim_id", payment.claim_id, f"does not pay claim {self.claim.id!r}"
            )
        if payment.status.is_reversal:
            return self.transition(
                ClaimStatus.ACCEPTED, at=at, reason="payer reversed its adjudication (CLP02 22)"
            )
        target = adjudication_status(payment)
        reason = (
            f"adjudicated: paid {payment.paid} of {payment.charge} (CLP02 {payment.status.value})"
        )
        return self.transition(target, at=at, reason=reason)

    def appeal(self, *, at: pendulum.DateTime, reason: str) -> ClaimWorkflow:
        """An appeal of the adjudication was filed."""
        return self.transition(ClaimStatus.APPEALED, at=at, reason=reason)

    def correct(
        self,
        *,
        at: pendulum.DateTime,
        reason: str,
        payer_claim_control_number: str,
        claim_id: str | None = None,
        claim: Claim | None = None,
    ) -> tuple[ClaimWorkflow, ClaimWorkflow]:
        """Mark this claim corrected and start its replacement (frequency 7) in draft.

        Returns (this workflow, now corrected; the replacement's workflow). The replacement
        is ``claim`` (or this claim) with frequency 7 and the payer's claim control number
        as ``original_claim_reference``.
        """
        corrected = self.transition(ClaimStatus.CORRECTED, at=at, reason=reason)
        base = claim or self.claim
        replacement = attrs.evolve(
            base,
            id=ClaimId(claim_id) if claim_id else base.id,
            frequency=ClaimFrequency.REPLACEMENT,
            original_claim_reference=payer_claim_control_number,
        )
        return corrected, ClaimWorkflow.start(
            replacement, at=at, reason=f"replaces {self.claim.id} ({payer_claim_control_number})"
        )

    def void(
        self, *, at: pendulum.DateTime, reason: str, payer_claim_control_number: str
    ) -> tuple[ClaimWorkflow, Claim]:
        """Mark this claim voided; return it and the void claim (frequency 8) to send."""
        voided = self.transition(ClaimStatus.VOIDED, at=at, reason=reason)
        void_claim = attrs.evolve(
            self.claim,
            frequency=ClaimFrequency.VOID,
            original_claim_reference=payer_claim_control_number,
        )
        return voided, void_claim

    def close(self, *, at: pendulum.DateTime, reason: str) -> ClaimWorkflow:
        """Nothing more to do on the claim."""
        return self.transition(ClaimStatus.CLOSED, at=at, reason=reason)
