"""Planning a remittance: every entry it would post, per CLP loop, before anything is posted.

:func:`plan_remittance` is pure: it reads the ledger's balances and returns a
:class:`RemittancePlan`. :meth:`RemittancePlan.post` posts the whole plan as one atomic
batch and re-checks the balances it was planned from (``Ledger.post_batch(expect=...)``).

The rules (see ``docs/claims.md``):

* **Cash always equals the check.** BPR02 reaches cash; a CLP loop that cannot be applied
  (unknown claim, unmatched line, no coverage at its level, a reversal that matches nothing,
  a claim without charges, an entry dated before the charge) posts its cash to
  ``unapplied_insurance_cash`` with an exception naming the loop, the reason and the next
  action. :func:`apply_unapplied_cash` applies it once the claim is found.
* **Identity.** Each loop is keyed by payer, TRN02, CLP07 and its position
  (:func:`medbill.ledger.claim_payment_key`): split claims post every loop, and posting the
  same remittance again is a no-op reported as ``already_posted``.
* **Levels.** CLP02 1/19 primary, 2/20 secondary, 3/21 tertiary: the loop posts against
  that level's coverage (the claim's, else one of ``coverages``); 19/20/21 are crossovers,
  so the next level was billed by the payer and needs no secondary claim from us.
* **Reversals** (CLP02 22) are planned before the other loops, matched to the payment they
  negate by CLP07 and amounts (005010X221A1 1.10.2.8), so the order in the file does not
  matter.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs
import pendulum

from medbill._adjustment_outcomes import AdjustmentOutcome, adjustment_outcome
from medbill._common import ClaimId, PayerId
from medbill._encounter import Claim, ClaimLine
from medbill._enums import MedbillEnum
from medbill._errors import LedgerError
from medbill._parties import Coverage, Priority
from medbill._payment import Adjustment, ClaimPayment, LinePayment, PayerClaimStatus, Remittance
from medbill._trusted import trusted_positional
from medbill.claims._build import SecondaryClaim
from medbill.claims._denials import DenialClassification, classify_denial
from medbill.claims._lean import lean_claim_payment
from medbill.claims._matching import match_lines
from medbill.claims._remittance import (
    ClaimMatch,
    ExceptionReason,
    RemittanceException,
    check_balanced,
)
from medbill.ledger import (
    Account,
    EntryKind,
    JournalEntry,
    Ledger,
    References,
    claim_payment_key,
)
from medbill.ledger._recipes._common import ZERO, BalanceView, trim_shared_accounts
from medbill.ledger._recipes.charges import charge_entry
from medbill.ledger._recipes.payer_payments import (
    CROSSOVERS,
    claim_payment_entries,
    payer_key,
    provider_adjustment_entry,
    status_level,
    suspense_entry,
)
from medbill.ledger._recipes.reversals import find_payment_to_reverse, reversal_entries

__all__ = [
    "ClaimPlan",
    "LineDenial",
    "PlanOutcome",
    "RemittanceFilePlan",
    "RemittancePlan",
    "apply_unapplied_cash",
    "plan_remittance",
    "plan_remittances",
]

LEAN_PLANNING = True
"""Whether the common CLP loop is planned by the lean planner (``medbill.claims._lean``);
the tests turn it off to compare with the reference planner, which plans everything else."""


class PlanOutcome(MedbillEnum):
    """What the plan does with one CLP loop.

    >>> PlanOutcome("suspense").name
    'SUSPENSE'
    """

    PAID = "paid"
    DENIED = "denied"
    REVERSED = "reversed"
    DUPLICATE = "duplicate"
    INFORMATIONAL = "informational"
    SUSPENSE = "suspense"


@attrs.frozen(kw_only=True)
class LineDenial:
    """A denied amount of one adjudicated line, left in insurance A/R to be worked.

    >>> [f.name for f in attrs.fields(LineDenial)]
    ['line_payment', 'claim_line', 'amount', 'classification']
    """

    line_payment: LinePayment | None
    claim_line: ClaimLine | None
    amount: Decimal
    classification: DenialClassification


def _tuple(values: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(values)


@attrs.frozen(kw_only=True)
class ClaimPlan:
    """The plan for one CLP loop: the claim and coverage level it matched, the entries it
    would post with their explanation, the denials it leaves open and its exceptions.

    >>> [f.name for f in attrs.fields(ClaimPlan)][:4]
    ['position', 'key', 'claim_payment', 'claim']
    """

    position: int
    key: str
    claim_payment: ClaimPayment
    claim: Claim | None
    coverage: Coverage | None
    next_coverage: Coverage | None
    outcome: PlanOutcome
    entries: tuple[JournalEntry, ...] = attrs.field(converter=_tuple)
    explanation: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    denials: tuple[LineDenial, ...] = attrs.field(default=(), converter=_tuple)
    exceptions: tuple[RemittanceException, ...] = attrs.field(default=(), converter=_tuple)
    match: ClaimMatch | None = None
    already_posted: bool = False

    @property
    def level(self) -> Priority | None:
        """The coverage level the loop posts against (``None`` when in suspense)."""
        return None if self.coverage is None else self.coverage.priority

    @property
    def crossed_over(self) -> bool:
        """Whether the payer forwarded the claim to the next payer (CLP02 19, 20, 21)."""
        return self.claim_payment.status in CROSSOVERS and self.next_coverage is not None

    def render(self) -> str:
        """The loop as text: what matched, why, and the entries."""
        payment = self.claim_payment
        level = "-" if self.coverage is None else f"{self.coverage.payer.id}/{self.level.value}"  # type: ignore[union-attr]
        lines = [
            f"#{self.position} claim {payment.claim_id} CLP02 {payment.status.value} "
            f"paid {payment.paid}: {self.outcome.value} ({level})"
            + (" [already posted]" if self.already_posted else "")
        ]
        lines.extend(f"  - {note}" for note in self.explanation)
        lines.extend(
            f"  - denied {d.amount}: {d.classification.category.value}, "
            f"next: {d.classification.action.value}"
            for d in self.denials
        )
        lines.extend(f"  ! {e.reason.value}: {e.message}" for e in self.exceptions)
        for entry in self.entries:
            lines.extend("  " + text for text in entry.render().splitlines())
        return "\n".join(lines)


# A loop's plan from values the planner made itself (tuples already): the object the
# constructor builds, without its converters (a plan of a large file makes thousands).
_CLAIM_PLAN = trusted_positional(
    ClaimPlan,
    "position",
    "key",
    "claim_payment",
    "claim",
    "coverage",
    "next_coverage",
    "outcome",
    "entries",
    "explanation",
    "denials",
    "exceptions",
    "match",
    "already_posted",
)


@attrs.frozen(kw_only=True)
class RemittancePlan:
    """Everything :func:`plan_remittance` would post for one remittance, not yet posted.

    ``claims`` are the CLP loops in file order; ``entries`` every entry in posting order;
    ``expect`` the balances the plan was computed from, re-checked by :meth:`post`.

    >>> RemittancePlan.__doc__.split(",")[0]
    'Everything :func:`plan_remittance` would post for one remittance'
    """

    remittance: Remittance
    payer: str
    claims: tuple[ClaimPlan, ...] = attrs.field(converter=_tuple)
    entries: tuple[JournalEntry, ...] = attrs.field(converter=_tuple)
    expect: Mapping[Account, Decimal] = attrs.field(factory=dict, repr=False)
    already_posted: bool = False
    part_of_file: bool = False

    @property
    def exceptions(self) -> tuple[RemittanceException, ...]:
        """Every loop's exceptions, in file order."""
        return tuple(e for item in self.claims for e in item.exceptions)

    @property
    def cash(self) -> Decimal:
        """The payer cash the plan posts: BPR02 (signed by BPR03)."""
        return self.remittance.signed_payment

    @property
    def secondary_claims_due(self) -> tuple[ClaimId, ...]:
        """Claims whose patient share moved to a next payer we must bill (not crossovers)."""
        return tuple(
            item.claim.id
            for item in self.claims
            if item.claim is not None
            and item.next_coverage is not None
            and not item.crossed_over
            and item.outcome is PlanOutcome.PAID
        )

    def post(self, ledger: Ledger) -> PostingResult:
        """Post the plan as one atomic batch; a re-post of a posted remittance is a no-op.

        Raises :class:`~medbill.StaleBalanceError` (and posts nothing) when a balance the
        plan was computed from changed since: plan again.
        """
        if self.part_of_file and not self.already_posted:
            raise LedgerError(
                f"remittance {self.remittance.id!r} was planned after others of its file and "
                "depends on them: post the file's plan (RemittanceFilePlan.post)"
            )
        if self.already_posted:
            entries: Sequence[JournalEntry] = self.entries
        else:
            with paused_gc():
                entries = ledger.post_batch(self.entries, expect=self.expect)
        return self.result(entries)

    def result(self, entries: Sequence[JournalEntry]) -> PostingResult:
        """The :class:`PostingResult` of this plan once ``entries`` (its own) are posted."""
        return PostingResult(
            remittance_id=self.remittance.id,
            entries=entries,
            matched=[c.match for c in self.claims if c.match is not None],
            exceptions=self.exceptions,
            already_posted=self.already_posted,
            plan=self,
        )

    def render(self) -> str:
        """The plan as text, loop by loop.

        >>> from medbill.claims import plan_remittance
        >>> from medbill.ledger import Ledger, post_charges
        >>> from medbill.testing import make_claim, make_remittance
        >>> ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 4, 1, 18))
        >>> _ = post_charges(ledger, make_claim())
        >>> print(plan_remittance(ledger, make_remittance(), [make_claim()]).render())
        remittance EFT-0001 from 60054: 80.00 on 2025-04-01, 1 claim payment(s)
        #1 claim CLM-0001 CLP02 1 paid 80.00: paid (acme/primary)
          - line 1: patient's share is 20.00 (PR)
          2025-04-01 claim-payment:60054:EFT-0001:PCN-0001:1 (claim_payment)
            ; acme/primary paid 80.00 of charge 150.00 on claim CLM-0001
            Dr cash[acme]                               80.00
            Dr patient_receivable[MRN-0001/CLM-0001/1]     20.00
            Dr contractual_adjustment[MRN-0001/acme/primary/CLM-0001/1]     50.00
            Cr insurance_receivable[MRN-0001/acme/primary/CLM-0001/1]    150.00
        """
        era = self.remittance
        head = (
            f"remittance {era.id} from {self.payer}: {era.signed_payment} on "
            f"{era.paid_on}, {len(era.claim_payments)} claim payment(s)"
            + (" [already posted]" if self.already_posted else "")
        )
        return "\n".join([head, *(item.render() for item in self.claims)])

    def to_json(self) -> dict[str, Any]:
        """The plan as JSON-ready data (amounts as strings)."""
        return {
            "remittance": self.remittance.id,
            "payer": self.payer,
            "cash": str(self.cash),
            "already_posted": self.already_posted,
            "claims": [
                {
                    "position": item.position,
                    "key": item.key,
                    "claim": str(item.claim_payment.claim_id),
                    "status": item.claim_payment.status.value,
                    "outcome": item.outcome.value,
                    "level": None if item.level is None else item.level.value,
                    "explanation": list(item.explanation),
                    "denials": [
                        {"amount": str(d.amount), "category": d.classification.category.value,
                         "next_action": d.classification.action.value}
                        for d in item.denials
                    ],
                    "exceptions": [
                        {"reason": e.reason.value, "message": e.message,
                         "next_action": e.next_action}
                        for e in item.exceptions
                    ],
                    "entries": [
                        {"key": e.key, "postings": [[str(p.account), str(p.amount)]
                                                   for p in e.postings]}
                        for e in item.entries
                    ],
                }
                for item in self.claims
            ],
        }  # fmt: skip


@attrs.frozen(kw_only=True)
class PostingResult:
    """What posting a remittance did: entries posted (or found already posted), the
    claims matched, the exceptions left for a person, and whether it was a re-post.

    >>> PostingResult(remittance_id="EFT-1", entries=[], matched=[], exceptions=[]).entries
    ()
    """

    remittance_id: str
    entries: tuple[JournalEntry, ...] = attrs.field(converter=_tuple)
    matched: tuple[ClaimMatch, ...] = attrs.field(converter=_tuple)
    exceptions: tuple[RemittanceException, ...] = attrs.field(converter=_tuple)
    already_posted: bool = False
    plan: RemittancePlan | None = attrs.field(default=None, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class RemittanceFilePlan:
    """The plans of every remittance (ST/SE transaction set) of one 835 file, computed
    together and posted as **one** atomic batch: the file is posted whole or not at all.

    ``plans`` are the remittances in file order (each planned against the balances the
    earlier ones leave); ``entries`` every new entry in posting order (charges first when
    asked for); ``expect`` the balances they were computed from, re-checked by
    :meth:`post`.

    >>> [f.name for f in attrs.fields(RemittanceFilePlan)]
    ['plans', 'entries', 'expect']
    """

    plans: tuple[RemittancePlan, ...] = attrs.field(converter=_tuple)
    entries: tuple[JournalEntry, ...] = attrs.field(converter=_tuple)
    expect: Mapping[Account, Decimal] = attrs.field(factory=dict, repr=False)

    @property
    def already_posted(self) -> bool:
        """Whether every remittance of the file was posted before (nothing new to post)."""
        return not self.entries

    @property
    def exceptions(self) -> tuple[RemittanceException, ...]:
        """Every remittance's exceptions, in file order."""
        return tuple(e for plan in self.plans for e in plan.exceptions)

    def with_source(self, sha256: str) -> RemittanceFilePlan:
        """This plan with each remittance's entries naming their source document: the
        remittance's trace (TRN02, 835 TR3 section 2.3.1.1, the reassociation key) and the
        SHA-256 of the file's bytes, as ``"835 TRN02=<trace> sha256=<hex>"`` (the audit trail
        :meth:`~medbill.ledger.Ledger.history` lists). Charges the plan posts for claims the
        ledger has not seen come from the claims, not the 835: they keep their source.

        >>> import hashlib
        >>> from medbill.claims import plan_remittances
        >>> from medbill.ledger import Ledger, post_charges
        >>> from medbill.testing import make_claim, make_remittance
        >>> ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 4, 1, 18))
        >>> claim = make_claim()
        >>> _ = post_charges(ledger, claim)
        >>> digest = hashlib.sha256(b"ISA*00*...~").hexdigest()
        >>> plan = plan_remittances(ledger, [make_remittance()], [claim]).with_source(digest)
        >>> plan.entries[0].source == f"835 TRN02=EFT-0001 sha256={digest}"
        True
        """
        if type(sha256) is not str or len(sha256) != 64 or sha256.strip("0123456789abcdef"):
            raise LedgerError(f"sha256 must be 64 lowercase hex digits (got {sha256!r})")
        trace_of = {
            entry.key: plan.remittance.id
            for plan in self.plans
            for entry in plan.entries
            if entry.kind is not EntryKind.CHARGE
        }
        entries = tuple(
            attrs.evolve(entry, source=f"835 TRN02={trace_of[entry.key]} sha256={sha256}")
            if entry.key in trace_of
            else entry
            for entry in self.entries
        )
        return attrs.evolve(self, entries=entries)

    def post(self, ledger: Ledger) -> tuple[PostingResult, ...]:
        """Post the whole file as one atomic batch; one :class:`PostingResult` per
        remittance. Nothing is posted when any entry is refused, and
        :class:`~medbill.StaleBalanceError` when a balance changed since planning."""
        stored: dict[str, JournalEntry] = {}
        if self.entries:
            with paused_gc():
                posted = ledger.post_batch(self.entries, expect=self.expect)
            stored = {entry.key: entry for entry in posted}
        return tuple(
            plan.result([stored.get(e.key, e) for e in plan.entries]) for plan in self.plans
        )

    def render(self) -> str:
        """The file's plan as text, remittance by remittance."""
        return "\n".join(plan.render() for plan in self.plans)

    def to_json(self) -> list[dict[str, Any]]:
        """The file's plan as JSON-ready data, one object per remittance."""
        return [plan.to_json() for plan in self.plans]


# -- planning ---------------------------------------------------------------------------


def _claim_of(item: Claim | SecondaryClaim) -> Claim:
    return item.claim if isinstance(item, SecondaryClaim) else item


def _candidates(
    claims: Iterable[Claim | SecondaryClaim] | Mapping[ClaimId, Claim | SecondaryClaim],
) -> dict[str, list[Claim]]:
    items = claims.values() if isinstance(claims, Mapping) else claims
    found: dict[str, list[Claim]] = {}
    for item in items:
        claim = _claim_of(item)
        found.setdefault(str(claim.id), []).append(claim)
    return found


class _Coverages:
    """The patients' coverages by patient, for finding a level's and the next level's."""

    def __init__(self, coverages: Sequence[Coverage]) -> None:
        self._by_patient: dict[str, list[Coverage]] = {}
        self._of: dict[int, tuple[Claim, list[Coverage]]] = {}
        for coverage in coverages:
            self._by_patient.setdefault(str(coverage.patient_id), []).append(coverage)

    def of(self, claim: Claim) -> list[Coverage]:
        known = self._of.get(id(claim))
        if known is not None and known[0] is claim:
            return known[1]
        day = claim.service_dates[0]  # a pendulum.Date (a claim line's): as is_active_on takes it
        found = [
            c for c in self._by_patient.get(str(claim.patient.id), ()) if c.effective.contains(day)
        ]
        if claim.coverage is not None and claim.coverage not in found:
            found.insert(0, claim.coverage)
        self._of[id(claim)] = (claim, found)  # the claim is kept: its id is not reused
        return found

    def at(self, claim: Claim, level: Priority | None, payer: str | None) -> Coverage | None:
        """The coverage the remittance's payer answers for at ``level``; ``None`` when the
        payer's ids are known and none of the patient's coverages at that level is its."""
        options = self.of(claim)
        leveled = options if level is None else [c for c in options if c.priority is level]
        if payer:
            named = [c for c in leveled if payer in (str(c.payer.id), c.payer.x12_payer_id)]
            if named:
                return named[0]
            if any(c.payer.x12_payer_id for c in options):
                return None
        return leveled[0] if leveled else None

    def after(self, claim: Claim, coverage: Coverage) -> Coverage | None:
        wanted = _NEXT_LEVEL.get(coverage.priority)  # the level of rank + 1 (none after tertiary)
        for option in self.of(claim):
            if option.priority is wanted:
                return option
        return None


# ``Priority.rank + 1`` as the level itself: the next payer's level.
_NEXT_LEVEL = {Priority.PRIMARY: Priority.SECONDARY, Priority.SECONDARY: Priority.TERTIARY}


_NEXT_ACTIONS = {
    ExceptionReason.UNKNOWN_CLAIM: "find the claim, then apply the unapplied cash to it",
    ExceptionReason.UNMATCHED_LINE: "match the line by hand, then apply the unapplied cash",
    ExceptionReason.NO_COVERAGE: "add the patient's coverage at this level, then apply",
    ExceptionReason.UNMATCHED_REVERSAL: "find the payment the payer reversed; call the payer",
    ExceptionReason.NOT_CHARGED: "post the claim's charges, then apply the unapplied cash",
    ExceptionReason.UNPOSTABLE: "correct what the message names, then apply the cash",
}


class _Planner:
    def __init__(
        self,
        ledger: Ledger,
        remittance: Remittance,
        claims: dict[str, list[Claim]],
        coverages: _Coverages,
        recorded_at: pendulum.DateTime | None,
        view: BalanceView | None = None,
    ) -> None:
        self.view = BalanceView(ledger) if view is None else view
        self.ledger = ledger
        self.remittance = remittance
        self.claims = claims
        self.coverages = coverages
        self.recorded_at = recorded_at
        self.payer = payer_key(remittance)
        self.cash_payers: list[str] = []
        self.cash_account: Account | None = None  # unapplied cash when applying suspense
        self.key_suffix = ""

    def prefetch(self) -> None:
        """Read every claim the remittance names in a few batched reads."""
        wanted: list[str] = []
        later: list[str] = []  # paid at a later level: the patient's money on them is read
        for payment in self.remittance.claim_payments:
            level = status_level(payment.status)
            for claim in self.claims.get(str(payment.claim_id), ()):
                wanted.append(str(claim.id))
                if level is not None and level is not Priority.PRIMARY:
                    later.append(str(claim.id))
                if claim.encounter_id is not None:
                    wanted.append(f"encounter:{claim.encounter_id}")
        self.view.prefetch(wanted)
        self.view.prefetch_patient_money(later)

    def suspense(
        self,
        position: int,
        key: str,
        payment: ClaimPayment,
        reason: ExceptionReason,
        message: str,
        *,
        claim: Claim | None = None,
        line: LinePayment | None = None,
        extra: Sequence[RemittanceException] = (),
    ) -> ClaimPlan:
        exceptions = [
            *extra,
            RemittanceException(
                reason=reason,
                claim_payment=payment,
                line_payment=line,
                message=f"CLP loop {position} (claim {payment.claim_id}): {message}",
                position=position,
                next_action=_NEXT_ACTIONS[reason],
            ),
        ]
        entries: list[JournalEntry] = []
        if payment.paid:
            entries.append(
                self.view.add(
                    suspense_entry(
                        self.remittance,
                        payment.paid,
                        key=key,
                        memo=f"unapplied: CLP loop {position}, claim {payment.claim_id}, "
                        f"{reason.value}",
                        recorded_at=self.recorded_at,
                    )
                )
            )
        return ClaimPlan(
            position=position, key=key, claim_payment=payment, claim=claim, coverage=None,
            next_coverage=None, outcome=PlanOutcome.SUSPENSE, entries=entries,
            explanation=[f"{payment.paid} to unapplied insurance cash"], exceptions=exceptions,
        )  # fmt: skip

    def loop(
        self, position: int, payment: ClaimPayment, *, last_try: bool, key: str | None = None
    ) -> ClaimPlan | None:
        if key is None:
            key = claim_payment_key(self.remittance, payment, position)
        key += self.key_suffix
        candidates = self.claims.get(str(payment.claim_id))
        if not candidates:
            return self.suspense(position, key, payment, ExceptionReason.UNKNOWN_CLAIM,
                                 f"no claim {payment.claim_id!r} among the claims given")  # fmt: skip
        level = status_level(payment.status)
        claim = next(
            (c for c in candidates if c.coverage is not None and c.coverage.priority is level),
            candidates[0],
        )
        if self.view.claim_patient(str(claim.id)) is None:
            return self.suspense(position, key, payment, ExceptionReason.NOT_CHARGED,
                                 f"claim {claim.id!r} has no charges in the ledger", claim=claim)  # fmt: skip
        coverage = self.coverages.at(claim, level, self.remittance.payer_id)
        if coverage is None:
            what = "any" if level is None else f"the {level.value}"
            return self.suspense(position, key, payment, ExceptionReason.NO_COVERAGE,
                                 f"patient has no coverage at {what} level for this payer",
                                 claim=claim)  # fmt: skip
        if payment.status.is_reversal:
            return self.reversal(position, key, payment, claim, coverage, last_try=last_try)
        lines, unmatched = match_lines(claim, payment.lines)
        if unmatched:
            extra = [
                RemittanceException(
                    reason=ExceptionReason.UNMATCHED_LINE, claim_payment=payment, line_payment=u,
                    message=f"no line of claim {claim.id!r} matches "
                    f"{u.procedure or u.revenue_code}", position=position,
                    next_action=_NEXT_ACTIONS[ExceptionReason.UNMATCHED_LINE],
                )
                for u in unmatched
            ]  # fmt: skip
            return self.suspense(position, key, payment, ExceptionReason.UNMATCHED_LINE,
                                 f"{len(unmatched)} line(s) match no line of the claim",
                                 claim=claim, extra=extra[:-1])  # fmt: skip
        match = ClaimMatch(claim=claim, payment=payment, lines=lines)
        if level is None and not payment.status.is_denial:
            return ClaimPlan(
                position=position, key=key, claim_payment=payment, claim=claim,
                coverage=coverage, next_coverage=None, outcome=PlanOutcome.INFORMATIONAL,
                entries=[self.view.add(self._informational(key, payment, claim, coverage))],
                explanation=[f"CLP02 {payment.status.value}: recorded, nothing moves"],
                match=match,
            )  # fmt: skip
        next_coverage = self.coverages.after(claim, coverage)
        before = len(self.view.entries)
        line_ids = [m.claim_line.line_id for m in lines] if payment.lines else None
        try:
            explanation = None
            if LEAN_PLANNING and line_ids and self.cash_account is None:
                explanation = lean_claim_payment(
                    self.view, claim, payment, remittance=self.remittance, coverage=coverage,
                    next_coverage=next_coverage, key=key, line_ids=line_ids,
                    recorded_at=self.recorded_at,
                )  # fmt: skip
                if explanation is not None:  # the common case: no duplicate, no denial
                    self.cash_payers.append(str(coverage.payer.id))
                    return _CLAIM_PLAN(
                        position, key, payment, claim, coverage, next_coverage,
                        PlanOutcome.PAID, tuple(self.view.entries[before:]), tuple(explanation),
                        (), (), match, False,
                    )  # fmt: skip
            explanation = claim_payment_entries(
                self.view, claim, payment, remittance=self.remittance, coverage=coverage,
                next_coverage=next_coverage, key=key, line_ids=line_ids,
                recorded_at=self.recorded_at, cash_account=self.cash_account,
            )  # fmt: skip
        except LedgerError as error:
            return self.suspense(position, key, payment, ExceptionReason.UNPOSTABLE, str(error),
                                 claim=claim)  # fmt: skip
        self.cash_payers.append(str(coverage.payer.id))
        duplicate = any("duplicate payment" in note for note in explanation)
        outcome = PlanOutcome.DENIED if payment.status.is_denial else PlanOutcome.PAID
        return _CLAIM_PLAN(
            position, key, payment, claim, coverage, next_coverage,
            PlanOutcome.DUPLICATE if duplicate else outcome,
            tuple(self.view.entries[before:]), tuple(explanation),
            () if duplicate else tuple(_denials(payment, match)), (), match, False,
        )  # fmt: skip

    def _informational(
        self, key: str, payment: ClaimPayment, claim: Claim, coverage: Coverage
    ) -> JournalEntry:
        return JournalEntry(
            key=key, effective=self.remittance.paid_on, kind=EntryKind.DENIAL,
            memo=f"{coverage.payer.id}/{coverage.priority.value} "
            f"{payment.status.name.lower()} claim {claim.id}",
            references=References(patient=claim.patient.id, claim=claim.id,
                                  payer=coverage.payer.id, remittance=self.remittance.id,
                                  trace=self.remittance.id),
            recorded_at=self.recorded_at, postings=[],
        )  # fmt: skip

    def reversal(
        self,
        position: int,
        key: str,
        payment: ClaimPayment,
        claim: Claim,
        coverage: Coverage,
        *,
        last_try: bool,
    ) -> ClaimPlan | None:
        payers = {str(c.payer.id) for c in self.coverages.of(claim)}
        target = None
        for payer in [str(coverage.payer.id), *sorted(payers - {str(coverage.payer.id)})]:
            target = find_payment_to_reverse(self.view, str(claim.id), payer, payment)
            if target is not None:
                break
        if target is None:
            if not last_try:
                return None  # its payment may be later in this very file: try again after
            return self.suspense(position, key, payment, ExceptionReason.UNMATCHED_REVERSAL,
                                 "no payment of the claim matches the reversal's CLP07 "
                                 f"{payment.payer_claim_control_number or '(none)'} or amounts "
                                 f"(charge {payment.charge}, paid {payment.paid})",
                                 claim=claim)  # fmt: skip
        before = len(self.view.entries)
        reversal_entries(self.view, claim, target, key=key,
                         effective=self.remittance.paid_on, coverage=coverage,
                         recorded_at=self.recorded_at)  # fmt: skip
        self.cash_payers.append(str(coverage.payer.id))
        return ClaimPlan(
            position=position, key=key, claim_payment=payment, claim=claim, coverage=coverage,
            next_coverage=None, outcome=PlanOutcome.REVERSED,
            entries=self.view.entries[before:],
            explanation=[f"reverses {target.key} (matched by CLP07, then charge and paid)"],
        )  # fmt: skip


_LEFT: dict[tuple[str, str], bool] = {}  # (group, CARC) -> whether it is left in A/R


def _left_in_ar(adjustment: Adjustment) -> bool:
    """Whether ``adjustment``'s outcome is :attr:`AdjustmentOutcome.LEFT_IN_AR` (memoized)."""
    key = (adjustment.group._value_, adjustment.reason)
    found = _LEFT.get(key)
    if found is None:
        outcome = adjustment_outcome(adjustment.group, adjustment.reason)
        found = outcome is AdjustmentOutcome.LEFT_IN_AR
        if len(_LEFT) < 4096:
            _LEFT[key] = found
    return found


def _denials(payment: ClaimPayment, match: ClaimMatch) -> list[LineDenial]:
    """The amounts each line leaves in A/R as a denial, classified with their next action."""
    found: list[LineDenial] = []
    by_payment: dict[int, Any] | None = None  # built only when a line is denied
    units: list[tuple[LinePayment | None, Any]] = [
        (line, line.adjustments) for line in payment.lines
    ]
    units.append((None, payment.adjustments))
    for line, adjustments in units:
        denied = [a for a in adjustments if _left_in_ar(a)]
        if not denied:
            continue
        amount = sum((a.amount for a in denied), ZERO)
        if amount <= 0:
            continue
        remarks = line.remarks if line is not None else payment.remarks
        classification = classify_denial(denied, remarks)
        if classification is None:
            continue
        if by_payment is None:
            by_payment = {id(m.line_payment): m.claim_line for m in match.lines}
        found.append(
            LineDenial(
                line_payment=line,
                claim_line=None if line is None else by_payment.get(id(line)),
                amount=amount,
                classification=classification,
            )
        )
    return found


def _companions(view: BalanceView, key: str) -> list[JournalEntry]:
    """The entries posted (or planned) under a CLP loop's key and its companions' keys."""
    found = (view.planned(k) for k in (key, f"{key}/copay", f"{key}/patient-credit"))
    return [entry for entry in found if entry is not None]


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while a plan is computed and posted.

    A plan of a large file allocates hundreds of thousands of small acyclic objects
    (accounts, postings, entries); each allocation burst triggers collections that walk
    the whole heap, which cost a third of the time. Reference counting still frees
    everything; collection resumes (if it was on) when the block ends.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        # What the block allocated is still in the youngest generation: the first
        # collection after enabling would walk all of it (a tenth of a plan's time). When
        # nothing else is frozen, freeze and unfreeze move it straight to the oldest
        # generation instead, where a later full collection still finds any garbage.
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        gc.enable()


def plan_remittance(
    ledger: Ledger,
    remittance: Remittance,
    claims: Iterable[Claim | SecondaryClaim] | Mapping[ClaimId, Claim | SecondaryClaim],
    *,
    coverages: Sequence[Coverage] = (),
    as_of: pendulum.Date | None = None,
    payer_id: PayerId | None = None,
    recorded_at: pendulum.DateTime | None = None,
) -> RemittancePlan:
    """Plan ``remittance`` against the ledger: every entry, per CLP loop, nothing posted.

    ``claims`` are the claims the remittance may pay (a primary claim and its secondary
    claim may share an id: CLP02 picks the level). ``coverages`` are the patients'
    coverages: the paying level's coverage when the claim given is another level's, and the
    next payer, which then receives the patient's share instead of the patient. ``as_of``
    is the day the entries take effect (default: the payment date, BPR16); ``payer_id``
    names the payer for the provider-level adjustments (PLB). An unbalanced remittance is
    refused whole (:class:`~medbill.UnbalancedRemittanceError`).

    >>> from medbill.claims import plan_remittance
    >>> from medbill.ledger import Ledger, post_charges
    >>> from medbill.testing import make_claim, make_remittance
    >>> ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 4, 1, 18))
    >>> claim = make_claim()
    >>> _ = post_charges(ledger, claim)
    >>> plan = plan_remittance(ledger, make_remittance(), [claim])
    >>> [(c.outcome.value, c.level.value) for c in plan.claims], len(ledger)
    ([('paid', 'primary')], 1)
    >>> result = plan.post(ledger)
    >>> len(ledger), plan_remittance(ledger, make_remittance(), [claim]).already_posted
    (3, True)
    """
    check_balanced(remittance)
    with paused_gc():
        try:
            view = BalanceView(ledger)
            return _plan_one(
                ledger, view, remittance, _candidates(claims), _Coverages(coverages),
                as_of=as_of, payer_id=payer_id, recorded_at=recorded_at,
            )  # fmt: skip
        finally:
            trim_shared_accounts()


def _plan_one(
    ledger: Ledger,
    view: BalanceView,
    remittance: Remittance,
    claims: dict[str, list[Claim]],
    coverages: _Coverages,
    *,
    as_of: pendulum.Date | None,
    payer_id: str | None,
    recorded_at: pendulum.DateTime | None,
) -> RemittancePlan:
    """Plan one remittance into ``view`` (shared by the remittances of one file)."""
    era = remittance if as_of is None else attrs.evolve(remittance, paid_on=as_of)
    planner = _Planner(ledger, era, claims, coverages, recorded_at, view)
    payments = list(enumerate(era.claim_payments, start=1))
    keys = [claim_payment_key(era, p, n) for n, p in payments]
    marker = _marker_key(era)
    if view.planned(marker) is not None:
        return _posted(view, era, planner.payer, payments, keys, marker)
    planner.prefetch()
    before = len(view.entries)
    planned: dict[int, ClaimPlan] = {}
    waiting: list[tuple[int, ClaimPayment]] = []
    reversal = PayerClaimStatus.REVERSAL
    ordered = [x for x in payments if x[1].status is reversal]
    ordered += [x for x in payments if x[1].status is not reversal]
    for position, payment in ordered:
        item = planner.loop(position, payment, last_try=False, key=keys[position - 1])
        if item is None:
            waiting.append((position, payment))
        else:
            planned[position] = item
    for position, payment in waiting:
        item = planner.loop(position, payment, last_try=True, key=keys[position - 1])
        if item is None:  # pragma: no cover - a last try always plans the loop
            raise LedgerError(f"CLP loop {position} could not be planned")
        planned[position] = item
    plb_payer = payer_id or (planner.cash_payers[0] if planner.cash_payers else planner.payer)
    plb = provider_adjustment_entry(era, payer=plb_payer, recorded_at=recorded_at)
    if plb is not None:
        view.add(plb)
    view.add(
        JournalEntry(
            key=marker,
            effective=era.paid_on,
            memo=f"remittance {era.id} from {era.payer_name}: {era.signed_payment}, "
            f"{len(payments)} claim payment(s)",
            references=References(payer=planner.payer, remittance=era.id, trace=era.id),
            recorded_at=recorded_at,
            postings=[],
        )
    )
    return RemittancePlan(
        remittance=era,
        payer=planner.payer,
        claims=[planned[n] for n, _ in payments],
        entries=view.entries[before:],
        expect=dict(view.expect) if before == 0 else {},
        part_of_file=before > 0,
    )


def plan_remittances(
    ledger: Ledger,
    remittances: Sequence[Remittance],
    claims: Iterable[Claim | SecondaryClaim] | Mapping[ClaimId, Claim | SecondaryClaim],
    *,
    coverages: Sequence[Coverage] = (),
    charges: Sequence[Claim] = (),
    as_of: pendulum.Date | None = None,
    recorded_at: pendulum.DateTime | None = None,
) -> RemittanceFilePlan:
    """Plan every remittance of one 835 file together: nothing posted.

    Each remittance is planned as :func:`plan_remittance` would, against the balances the
    file's earlier remittances leave (a reversal in the second transaction set finds the
    payment of the first); :meth:`RemittanceFilePlan.post` posts them all in one atomic
    batch. Every remittance must balance, else the whole file is refused
    (:class:`~medbill.UnbalancedRemittanceError`). ``charges`` are claims whose
    charges (:func:`medbill.ledger.post_charges`) are posted in the same batch, first: a
    file posted to a new ledger then leaves nothing behind when it is refused. A
    remittance already posted, or repeated in the file, posts nothing and is reported
    ``already_posted``.

    >>> from medbill.claims import plan_remittances
    >>> from medbill.ledger import Ledger
    >>> from medbill.testing import make_claim, make_remittance
    >>> ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 4, 1, 18))
    >>> claim = make_claim()
    >>> eras = [make_remittance(), make_remittance(id="EFT-0002")]  # both pay CLM-0001
    >>> plan = plan_remittances(ledger, eras, [claim], charges=[claim])
    >>> [[c.outcome.value for c in p.claims] for p in plan.plans], len(ledger)
    ([['paid'], ['duplicate']], 0)
    >>> results = plan.post(ledger)  # the charge, then each remittance: one batch
    >>> len(ledger), [len(r.entries) for r in results]
    (5, [2, 2])
    >>> again = plan_remittances(ledger, eras, [claim])
    >>> again.already_posted, [r.already_posted for r in again.post(ledger)]
    (True, [True, True])
    """
    for remittance in remittances:
        check_balanced(remittance)
    with paused_gc():
        try:
            view = BalanceView(ledger)
            view.prefetch(str(claim.id) for claim in charges)
            for claim in charges:
                if view.claim_patient(str(claim.id)) is None:
                    view.add(charge_entry(claim, recorded_at=recorded_at))
            candidates = _candidates(claims)
            levels = _Coverages(coverages)
            plans = [
                _plan_one(
                    ledger,
                    view,
                    remittance,
                    candidates,
                    levels,
                    as_of=as_of,
                    payer_id=None,
                    recorded_at=recorded_at,
                )
                for remittance in remittances
            ]
            return RemittanceFilePlan(plans=plans, entries=view.entries, expect=dict(view.expect))
        finally:
            trim_shared_accounts()


def _marker_key(era: Remittance) -> str:
    """The key of the entry that records a remittance as posted (no postings)."""
    return f"remittance:{payer_key(era).replace(':', '_')}:{era.id}"


def _posted(
    view: BalanceView,
    era: Remittance,
    payer: str,
    payments: list[tuple[int, ClaimPayment]],
    keys: list[str],
    marker: str,
) -> RemittancePlan:
    """The plan of a remittance already posted: its entries as stored, nothing new."""
    items = []
    entries: list[JournalEntry] = []
    for (position, payment), key in zip(payments, keys, strict=True):
        found = _companions(view, key)
        entries.extend(found)
        applied = bool(found) and found[0].references.claim is not None
        items.append(
            ClaimPlan(
                position=position, key=key, claim_payment=payment, claim=None, coverage=None,
                next_coverage=None,
                outcome=PlanOutcome.INFORMATIONAL if applied else PlanOutcome.SUSPENSE,
                entries=found, explanation=["already posted"], already_posted=True,
            )
        )  # fmt: skip
    plb = view.planned(f"provider-adjustments:{payer.replace(':', '_')}:{era.id}")
    if plb is not None:
        entries.append(plb)
    entries.append(view.planned(marker))  # type: ignore[arg-type]  # found by the caller
    return RemittancePlan(
        remittance=era, payer=payer, claims=items, entries=entries, already_posted=True
    )


def apply_unapplied_cash(
    ledger: Ledger,
    remittance: Remittance,
    claims: Iterable[Claim | SecondaryClaim] | Mapping[ClaimId, Claim | SecondaryClaim],
    *,
    position: int,
    coverages: Sequence[Coverage] = (),
    recorded_at: pendulum.DateTime | None = None,
) -> PostingResult:
    """Apply the cash of CLP loop ``position`` that waits in unapplied insurance cash.

    Once the claim is found (its charges posted, the coverage added, the line matched),
    the loop is planned again as :func:`plan_remittance` would, with the payer's money
    taken from ``unapplied_insurance_cash`` instead of cash (cash already holds it), and
    posted atomically under the loop's key + ``"/applied"``. Applying it twice posts
    once; a loop still unpostable raises :class:`~medbill.LedgerError` with the reason.
    Reversals in suspense are worked by hand.

    >>> from decimal import Decimal
    >>> from medbill.claims import apply_unapplied_cash, post_remittance
    >>> from medbill.ledger import Account, Ledger, post_charges
    >>> from medbill.testing import make_claim, make_remittance
    >>> ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 4, 1, 18))
    >>> era = make_remittance()  # pays CLM-0001, whose charges are not posted yet
    >>> post_remittance(ledger, era, [make_claim()]).exceptions[0].reason.value
    'not-charged'
    >>> _ = post_charges(ledger, make_claim())
    >>> result = apply_unapplied_cash(ledger, era, [make_claim()], position=1)
    >>> ledger.balance(Account.unapplied_insurance_cash("60054")), ledger.total("cash")
    (Decimal('0.00'), Decimal('80.00'))
    """
    if not 1 <= position <= len(remittance.claim_payments):
        raise LedgerError(f"position: remittance {remittance.id!r} has no CLP loop {position}")
    payment = remittance.claim_payments[position - 1]
    key = claim_payment_key(remittance, payment, position)
    parked = ledger.get(key) if key in ledger else None
    if parked is None or not any(
        p.account.code == "unapplied_insurance_cash" for p in parked.postings
    ):
        raise LedgerError(f"CLP loop {position} of {remittance.id!r} has no cash in suspense")
    if payment.status.is_reversal:
        raise LedgerError(f"CLP loop {position} is a reversal: work it by hand")
    planner = _Planner(ledger, remittance, _candidates(claims), _Coverages(coverages), recorded_at)
    planner.cash_account = Account.unapplied_insurance_cash(planner.payer)
    planner.key_suffix = "/applied"
    if key + "/applied" in ledger:
        entries = _companions(planner.view, key + "/applied")
        return PostingResult(remittance_id=remittance.id, entries=entries, matched=[],
                             exceptions=[], already_posted=True)  # fmt: skip
    item = planner.loop(position, payment, last_try=True)
    if item is None or item.outcome is PlanOutcome.SUSPENSE:
        reason = "" if item is None else item.exceptions[-1].message
        raise LedgerError(f"CLP loop {position} still cannot be applied: {reason}")
    posted = ledger.post_batch(planner.view.entries, expect=planner.view.expect)
    return PostingResult(
        remittance_id=remittance.id,
        entries=posted,
        matched=[] if item.match is None else [item.match],
        exceptions=[],
    )
