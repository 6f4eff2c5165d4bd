"""The A/R follow-up worklist: the claims and balances that need a person, and by when.

One pure function, :func:`worklist`, reads the ledger and the claims' workflows and says,
for each thing to work: the reason, the amount at stake, its age (days since the first
date of service, or since the balance appeared), the next action and the deadline where
one applies:

- a claim not sent or rejected (999/277CA) must reach the payer within its timely filing
  limit (Medicare: one calendar year from the date of service, 42 CFR 424.44);
- a claim without an answer gets a 276 status inquiry when ``no_response_days`` have
  passed since it was sent or since the payer's last answer;
- a denial can be appealed within the payer's window (the :class:`DenialTable`'s, or the
  policy's for the payer; Medicare: 120 days, 42 CFR 405.942), counted from the day the
  claim was denied; its next action is :func:`classify_denial`'s;
- a request for information (277 P3/P4/R*) must be answered (Medicare additional
  documentation requests: 45 days, Medicare Program Integrity Manual, ch. 3, 3.2.3.2);
- a payment below the contract (:func:`check_payment`), a secondary never billed, a
  patient balance past due and payer money not applied to any claim complete the list.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal

import attrs
import pendulum

from medbill._claim_status import ClaimStatusReport, StatusOutcome
from medbill._common import ClaimId, PayerId
from medbill._enums import MedbillEnum
from medbill._errors import ValidationError
from medbill._money import ZERO
from medbill._parties import Priority
from medbill._payment import ClaimPayment
from medbill._validation import to_date
from medbill.claims._appeals import Appeal, AppealStatus
from medbill.claims._check import PaymentCheck
from medbill.claims._denials import DEFAULT_DENIAL_TABLE, DenialTable, classify_denial
from medbill.claims._scrub import TimelyFilingLimit
from medbill.claims._workflow import ClaimStatus, ClaimWorkflow
from medbill.ledger import CHART_OF_ACCOUNTS, Ledger

__all__ = ["WorkItem", "WorkPolicy", "WorkReason", "Worklist", "worklist"]


class WorkReason(MedbillEnum):
    """Why an item is on the worklist.

    >>> from medbill.claims import WorkReason
    >>> WorkReason("no-response").name
    'NO_RESPONSE'
    """

    NOT_SUBMITTED = "not-submitted"
    NO_RESPONSE = "no-response"
    REJECTED = "rejected"
    DENIED = "denied"
    PENDED = "pended-for-information"
    APPEAL_PENDING = "appeal-pending"
    UNDERPAID = "underpaid"
    SECONDARY_NOT_BILLED = "secondary-not-billed"
    PATIENT_BALANCE_PAST_DUE = "patient-balance-past-due"
    UNAPPLIED_CASH = "unapplied-insurance-cash"


# Liabilities that hold payer money not applied to a claim (or owed back to a payer).
UNAPPLIED_ACCOUNTS = (
    "unapplied_insurance_cash",
    "payer_adjustment_suspense",
    "payer_forward_balance",
    "payer_overpayment",
)


def _limits(
    value: Mapping[PayerId, TimelyFilingLimit] | None,
) -> Mapping[PayerId, TimelyFilingLimit]:
    return dict(value or {})


def _days(value: Mapping[PayerId, int] | None) -> Mapping[PayerId, int]:
    return dict(value or {})


@attrs.frozen(kw_only=True)
class WorkPolicy:
    """The practice's follow-up rules.

    ``no_response_days``: when a 276 is due after the claim was sent or last answered;
    ``information_days``: to answer a request for information; ``appeal_decision_days``:
    when to chase a filed appeal (Medicare decides within 60 days, 42 CFR 405.950);
    ``patient_due_days``: when a patient balance is past due; ``timely_filing`` and
    ``appeal_days``: per payer, overriding the default limit and the denial table's
    window.

    >>> from medbill.claims import WorkPolicy
    >>> WorkPolicy().no_response_days
    30
    """

    no_response_days: int = 30
    information_days: int = 45
    appeal_decision_days: int = 60
    patient_due_days: int = 30
    timely_filing: Mapping[PayerId, TimelyFilingLimit] = attrs.field(
        factory=dict, converter=_limits
    )
    default_timely_filing: TimelyFilingLimit = attrs.field(factory=TimelyFilingLimit)
    appeal_days: Mapping[PayerId, int] = attrs.field(factory=dict, converter=_days)
    denial_table: DenialTable = DEFAULT_DENIAL_TABLE

    def filing_deadline(
        self, payer_id: PayerId | None, service_date: pendulum.Date
    ) -> pendulum.Date:
        """The last day a claim for ``service_date`` may reach the payer."""
        limit = self.timely_filing.get(PayerId(payer_id or ""), self.default_timely_filing)
        return limit.deadline(service_date)

    def appeal_window(self, payer_id: PayerId | None) -> int:
        """Days to file an appeal with the payer."""
        return self.appeal_days.get(PayerId(payer_id or ""), self.denial_table.appeal_days)


@attrs.frozen(kw_only=True)
class WorkItem:
    """One thing to work: why, how much, how old, what to do, by when.

    >>> import pendulum
    >>> from decimal import Decimal
    >>> from medbill.claims import WorkReason
    >>> item = WorkItem(reason=WorkReason.REJECTED, amount=Decimal("150.00"), age=12,
    ...                 next_action="correct and resubmit", claim_id="CLM-0001",
    ...                 deadline=pendulum.date(2026, 3, 4))
    >>> str(item)
    'rejected CLM-0001 150.00 (12 days): correct and resubmit, by 2026-03-04'
    """

    reason: WorkReason
    amount: Decimal
    age: int
    next_action: str
    claim_id: ClaimId | None = None
    patient_id: str | None = None
    payer_id: str | None = None
    provider: str | None = None
    deadline: pendulum.Date | None = None
    detail: str = ""

    def __str__(self) -> str:
        who = self.claim_id or self.patient_id or self.payer_id or "-"
        by = f", by {self.deadline}" if self.deadline else ""
        return f"{self.reason.value} {who} {self.amount} ({self.age} days): {self.next_action}{by}"


_SORTS = {
    "amount": lambda i: (-i.amount, i.deadline or pendulum.date(9999, 12, 31)),
    "age": lambda i: (-i.age, -i.amount),
    "deadline": lambda i: (i.deadline or pendulum.date(9999, 12, 31), -i.amount),
}


@attrs.frozen
class Worklist:
    """The items to work, as of a day; sort and filter return new worklists.

    >>> import pendulum
    >>> Worklist(as_of=pendulum.date(2025, 5, 1), items=()).sorted_by("amount").items
    ()
    """

    as_of: pendulum.Date
    items: tuple[WorkItem, ...]

    def __iter__(self) -> Iterator[WorkItem]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def sorted_by(self, key: str) -> Worklist:
        """Sorted by ``"amount"`` (largest first), ``"age"`` (oldest first) or
        ``"deadline"`` (soonest first, items without one last)."""
        if key not in _SORTS:
            raise ValidationError("key", key, f"must be one of {', '.join(sorted(_SORTS))}")
        return Worklist(self.as_of, tuple(sorted(self.items, key=_SORTS[key])))

    def filter(
        self,
        *,
        payer: str | None = None,
        provider: str | None = None,
        reason: WorkReason | str | None = None,
    ) -> Worklist:
        """Only the items of ``payer`` (id), ``provider`` (NPI) and ``reason``."""
        wanted = None if reason is None else WorkReason(reason)
        return Worklist(
            self.as_of,
            tuple(
                item
                for item in self.items
                if (payer is None or item.payer_id == payer)
                and (provider is None or item.provider == provider)
                and (wanted is None or item.reason is wanted)
            ),
        )

    def render_text(self) -> str:
        """One line per item."""
        return "\n".join(str(item) for item in self.items)


class _Context:
    """What :func:`worklist` reads, gathered once."""

    def __init__(
        self,
        ledger: Ledger,
        day: pendulum.Date,
        policy: WorkPolicy,
        payments: Mapping[str, ClaimPayment],
        appeals: Mapping[str, list[Appeal]],
    ) -> None:
        self.ledger = ledger
        self.day = day
        self.policy = policy
        self.payments = payments
        self.appeals = appeals
        self.items: list[WorkItem] = []

    def insurance(self, claim_id: str) -> Decimal:
        return self.ledger.total("insurance_receivable", claim=claim_id, as_of=self.day)

    def add(self, flow: ClaimWorkflow, reason: WorkReason, amount: Decimal, action: str,
            deadline: pendulum.Date | None, detail: str = "") -> None:  # fmt: skip
        claim = flow.claim
        self.items.append(
            WorkItem(
                reason=reason,
                amount=amount,
                age=(self.day - claim.service_dates[0]).days,
                next_action=action,
                claim_id=claim.id,
                patient_id=claim.patient.id,
                payer_id=claim.coverage.payer.id if claim.coverage else None,
                provider=str(claim.billing_provider.npi),
                deadline=deadline,
                detail=detail,
            )
        )


def worklist(
    ledger: Ledger,
    claims: Iterable[ClaimWorkflow],
    as_of: pendulum.Date,
    policy: WorkPolicy | None = None,
    *,
    payments: Iterable[ClaimPayment] = (),
    checks: Iterable[PaymentCheck] = (),
    appeals: Iterable[Appeal] = (),
) -> Worklist:
    """What needs a person on ``as_of``, sorted by deadline (soonest first).

    ``claims`` are the claims' workflows (their state and the answers received);
    ``payments`` the 835 adjudications (for the denial reasons), ``checks`` the
    contractual checks of payments (:func:`check_payment`; pass the check of each claim's
    last adjudication, not of a payment later reversed), ``appeals`` the appeals filed or
    drafted. An underpaid item goes to the workflow of the claim billed to the check's
    payer (a primary and a secondary claim may share the claim id). Reads only; posts
    nothing.

    >>> import pendulum
    >>> from medbill.claims import ClaimWorkflow, worklist
    >>> from medbill.ledger import Ledger, post_charges
    >>> from medbill.testing import make_claim
    >>> ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 3, 4, 18))
    >>> claim = make_claim()
    >>> _ = post_charges(ledger, claim)
    >>> t = pendulum.datetime(2025, 3, 5, 9)
    >>> flow = ClaimWorkflow.start(claim, recorded_at=t).validate(recorded_at=t, findings=[]).submit(recorded_at=t)
    >>> [str(item) for item in worklist(ledger, [flow], pendulum.date(2025, 4, 10))]
    ['no-response CLM-0001 150.00 (37 days): send a 276 claim status inquiry, by 2025-04-04']
    """
    day = to_date(as_of)
    rules = policy or WorkPolicy()
    flows = list(claims)
    by_appeal: dict[str, list[Appeal]] = {}
    for appeal in appeals:
        by_appeal.setdefault(appeal.claim_id, []).append(appeal)
    context = _Context(ledger, day, rules, {p.claim_id: p for p in payments}, by_appeal)
    for flow in flows:
        _claim_items(context, flow)
    _underpaid(context, flows, checks)
    _secondary(context, flows)
    _patient_balances(context)
    _unapplied(context)
    return Worklist(day, tuple(context.items)).sorted_by("deadline")


def _last_contact(flow: ClaimWorkflow) -> pendulum.Date | None:
    """The day of the last sending or answer: a 276 is due N days after it."""
    days = [event.recorded_at.date() for event in flow.responses]
    if flow.submitted_on is not None:
        days.append(flow.submitted_on)
    return max(days) if days else None


def _entered(flow: ClaimWorkflow, status: ClaimStatus) -> pendulum.Date:
    for step in reversed(flow.history):
        if step.target is status:
            return step.recorded_at.date()
    return flow.updated_at.date()


def _claim_items(context: _Context, flow: ClaimWorkflow) -> None:
    claim, status, rules = flow.claim, flow.status, context.policy
    payer = claim.coverage.payer.id if claim.coverage else None
    charge = claim.total_charge
    open_amount = context.insurance(claim.id)
    filing = rules.filing_deadline(payer, claim.service_dates[0])
    _rejected_lines(context, flow, filing)
    if status in (ClaimStatus.DRAFT, ClaimStatus.VALIDATED):
        context.add(flow, WorkReason.NOT_SUBMITTED, charge, "scrub and submit the claim", filing)
    elif status is ClaimStatus.REJECTED:
        reason = flow.history[-1].reason
        context.add(flow, WorkReason.REJECTED, charge, "correct and resubmit", filing, reason)
    elif status in (ClaimStatus.SUBMITTED, ClaimStatus.ACCEPTED):
        last = _last_contact(flow) or _day_of(flow)
        due = last.add(days=rules.no_response_days)
        if context.day >= due:
            context.add(flow, WorkReason.NO_RESPONSE, open_amount or charge,
                        "send a 276 claim status inquiry", due)  # fmt: skip
    elif status is ClaimStatus.PENDED:
        since = _entered(flow, ClaimStatus.PENDED)
        context.add(flow, WorkReason.PENDED, open_amount or charge,
                    "send the information the payer requested",
                    since.add(days=rules.information_days), flow.history[-1].reason)  # fmt: skip
    elif status in (ClaimStatus.DENIED, ClaimStatus.PARTIALLY_PAID):
        _denial(context, flow, open_amount or charge)
    elif status is ClaimStatus.APPEALED:
        _appealed(context, flow, open_amount or charge)


def _rejected_lines(context: _Context, flow: ClaimWorkflow, filing: pendulum.Date) -> None:
    """Lines a 277CA rejected while accepting the rest of the claim (loop 2220D STC)."""
    if flow.status not in (ClaimStatus.SUBMITTED, ClaimStatus.ACCEPTED, ClaimStatus.PENDED):
        return
    sent = max(
        (t.recorded_at for t in flow.history if t.target is ClaimStatus.SUBMITTED), default=None
    )
    for event in reversed(flow.responses):
        report = event.response
        if not isinstance(report, ClaimStatusReport) or not report.is_acknowledgement:
            continue
        if sent is not None and event.recorded_at < sent:
            return  # the claim was sent again since
        rejected = [line for line in report.lines if line.outcome is StatusOutcome.REJECTED]
        if rejected:
            amount = sum((line.charge or ZERO for line in rejected), ZERO)
            codes = "; ".join(code.explain() for line in rejected for code in line.statuses)
            context.add(flow, WorkReason.REJECTED, amount, "correct and resubmit the rejected lines",
                        filing, codes)  # fmt: skip
        return


def _day_of(flow: ClaimWorkflow) -> pendulum.Date:
    """The day of the workflow's last transition."""
    return flow.updated_at.date()


def _denial(context: _Context, flow: ClaimWorkflow, amount: Decimal) -> None:
    claim, rules = flow.claim, context.policy
    payer = claim.coverage.payer.id if claim.coverage else None
    denied_on = _entered(flow, flow.status)
    payment = context.payments.get(claim.id)
    action, detail = "appeal or correct the claim", ""
    if payment is not None:
        adjustments = list(payment.adjustments) + [
            a for line in payment.lines for a in line.adjustments
        ]
        remarks = list(payment.remarks) + [r for line in payment.lines for r in line.remarks]
        found = classify_denial(adjustments, remarks, table=rules.denial_table)
        if found is not None:
            action = found.action.value.replace("-", " ")
            detail = f"{found.category.value}: " + ", ".join(label for label, _ in found.reasons)
    open_appeals = [a for a in context.appeals.get(claim.id, []) if a.status.is_open]
    deadline = denied_on.add(days=rules.appeal_window(payer))
    if open_appeals:
        appeal = open_appeals[-1]
        if appeal.status is AppealStatus.DRAFT:
            context.add(flow, WorkReason.DENIED, amount, "file the drafted appeal",
                        min(appeal.deadline, deadline), appeal.reason)  # fmt: skip
            return
    if amount <= ZERO:
        return
    context.add(flow, WorkReason.DENIED, amount, action, deadline, detail)


def _appealed(context: _Context, flow: ClaimWorkflow, amount: Decimal) -> None:
    appeals = [a for a in context.appeals.get(flow.claim.id, []) if a.status is AppealStatus.FILED]
    filed = (
        appeals[-1].filed_on
        if appeals and appeals[-1].filed_on
        else _entered(flow, ClaimStatus.APPEALED)
    )
    due = filed.add(days=context.policy.appeal_decision_days)
    if context.day >= due:
        context.add(flow, WorkReason.APPEAL_PENDING, amount,
                    "ask the payer for the appeal decision", due,
                    appeals[-1].reason if appeals else "")  # fmt: skip


def _underpaid(
    context: _Context, flows: list[ClaimWorkflow], checks: Iterable[PaymentCheck]
) -> None:
    by_id: dict[ClaimId, list[ClaimWorkflow]] = {}
    for each in flows:
        by_id.setdefault(each.claim.id, []).append(each)
    for check in checks:
        owed = check.underpayment
        flow = _flow_of(by_id.get(ClaimId(check.claim_id), []), check.payer_id)
        if owed <= ZERO or flow is None:
            continue
        payer = check.payer_id
        deadline = _entered(flow, flow.status).add(
            days=context.policy.appeal_window(PayerId(payer))
        )
        lines = ", ".join(c.line_id for c in check.lines if c.underpayment > ZERO)
        context.add(flow, WorkReason.UNDERPAID, owed,
                    "ask the payer to reprocess at the contracted rate", deadline,
                    f"{check.contract}: lines {lines}")  # fmt: skip


def _flow_of(flows: list[ClaimWorkflow], payer_id: str) -> ClaimWorkflow | None:
    """The workflow of the claim billed to ``payer_id``: a primary and a secondary claim
    may share the claim id (the payer's check names its payer)."""
    for flow in flows:
        coverage = flow.claim.coverage
        if coverage is not None and coverage.payer.id == payer_id:
            return flow
    return flows[0] if flows else None


def _billing_keys(flow: ClaimWorkflow) -> set[tuple[str, str]]:
    """What identifies a claim's service across payers: its id and its encounter."""
    claim = flow.claim
    payer = claim.coverage.payer.id if claim.coverage else ""
    keys = {(payer, str(claim.id))}
    if claim.encounter_id is not None:
        keys.add((payer, f"encounter:{claim.encounter_id}"))
    return keys


def _secondary(context: _Context, flows: list[ClaimWorkflow]) -> None:
    billed: set[tuple[str, str]] = set()
    for flow in flows:
        coverage = flow.claim.coverage
        sent = flow.status not in (ClaimStatus.DRAFT, ClaimStatus.VALIDATED)
        if coverage is not None and coverage.priority is not Priority.PRIMARY and sent:
            billed |= _billing_keys(flow)
    for flow in flows:
        claim = flow.claim
        if claim.coverage is None or claim.coverage.priority is not Priority.PRIMARY:
            continue
        if not flow.status.is_adjudicated:
            continue
        for account in context.ledger.accounts("insurance_receivable", claim=claim.id):
            if account.level is None or account.level is Priority.PRIMARY or not account.payer:
                continue
            keys = {(account.payer, key) for _, key in _billing_keys(flow)}
            if keys & billed:
                continue
            amount = context.ledger.total("insurance_receivable", claim=claim.id,
                                          payer=account.payer, level=account.level,
                                          as_of=context.day)  # fmt: skip
            if amount <= ZERO:
                continue
            billed |= keys
            filing = context.policy.filing_deadline(PayerId(account.payer), claim.service_dates[0])
            context.add(flow, WorkReason.SECONDARY_NOT_BILLED, amount,
                        f"bill the {account.level.value} payer {account.payer}", filing)  # fmt: skip


def _patient_balances(context: _Context) -> None:
    ledger, day = context.ledger, context.day
    by_claim: dict[tuple[str, str | None], list[object]] = {}
    for account in ledger.accounts("patient_receivable"):
        by_claim.setdefault((account.patient or "", account.claim), []).append(account)
    for (patient, claim), accounts in sorted(by_claim.items(), key=lambda kv: str(kv[0])):
        amount = ledger.total("patient_receivable", patient=patient, claim=claim, as_of=day)
        if claim is None:
            amount = sum((ledger.balance(a, as_of=day) for a in accounts), ZERO)  # type: ignore[arg-type]
        if amount <= ZERO:
            continue
        since = min(
            (d for a in accounts if (d := ledger.first_debit(a)) is not None),  # type: ignore[arg-type]
            default=day,
        )
        due = since.add(days=context.policy.patient_due_days)
        if day < due:
            continue
        context.items.append(
            WorkItem(
                reason=WorkReason.PATIENT_BALANCE_PAST_DUE,
                amount=amount,
                age=(day - since).days,
                next_action="send a statement or call the patient",
                claim_id=None if claim is None else ClaimId(claim),
                patient_id=patient,
                deadline=None,
            )
        )


def _unapplied(context: _Context) -> None:
    ledger, day = context.ledger, context.day
    for code in UNAPPLIED_ACCOUNTS:
        if code not in CHART_OF_ACCOUNTS:
            continue
        for account in ledger.accounts(code):
            amount = ledger.balance(account, as_of=day)
            if amount == ZERO:
                continue
            since = ledger.first_debit(account) or day
            action = (
                "refund or let the payer recoup" if code == "payer_overpayment"
                else "apply the payer's money to its claims"
            )  # fmt: skip
            context.items.append(
                WorkItem(
                    reason=WorkReason.UNAPPLIED_CASH,
                    amount=amount,
                    age=max((day - since).days, 0),
                    next_action=action,
                    payer_id=account.payer,
                    detail=code,
                )
            )
