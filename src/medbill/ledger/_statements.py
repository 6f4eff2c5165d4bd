"""Patient statements a practice can mail, built from the ledger as of a day.

A :class:`Statement` is computed, never posted: :func:`build_statement` reads the ledger's
entries and balances through the public :class:`~medbill.ledger.Ledger` API (entries by
claim and patient, balances by account) and the claims (codes, charges, providers, dates of
service); the remittances, when given, say how the patient's share splits into copay,
deductible and coinsurance (835 CAS group PR with CARC 3, 1 and 2).

Sign convention (one, everywhere: the model, ``to_dict()``, text, HTML and PDF): every
amount is a non-negative number read as its label says ("Payments received 25.00",
"Insurance discount 30.00"), except the balances (``balance_forward``,
``account_balance``), which are positive when the patient owes and negative for a credit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs
import pendulum

from medbill._common import ClaimId, id_text, to_claim_id
from medbill._encounter import Claim, ClaimLine
from medbill._errors import LedgerError
from medbill._parties import Coverage, Guarantor, Patient, Practice, Provider
from medbill._payment import PatientPaymentMethod, Remittance
from medbill.codes import AdjustmentGroup
from medbill.ledger._cycles import StatementPolicy, patient_aging
from medbill.ledger._entries import EntryKind, JournalEntry
from medbill.ledger._ledger import Ledger
from medbill.ledger._plans import InstallmentState, PlanStatus

__all__ = [
    "LAY_DESCRIPTIONS",
    "PlanSummary",
    "ServiceDay",
    "StatementService",
    "Statement",
    "StatementPayment",
    "build_statement",
]

ZERO = Decimal("0.00")

LAY_DESCRIPTIONS: Mapping[str, str] = {
    **{f"9920{n}": "Office visit, new patient" for n in range(2, 6)},
    **{f"9921{n}": "Office visit, established patient" for n in range(1, 6)},
    "99417": "Prolonged office visit (extra time)",
    "93000": "Heart tracing (electrocardiogram, ECG)",
    "71046": "Chest X-ray, two views",
    "20610": "Injection or drainage of a large joint",
    "36415": "Blood draw",
    "85025": "Complete blood count",
    "80053": "Blood chemistry panel",
    "81002": "Urine test",
    "90471": "Vaccine administration",
    "G0439": "Annual wellness visit, subsequent",
    "G0438": "Annual wellness visit, first",
}
"""Plain-language descriptions of common codes, written for patients (not the CPT
descriptors, which are the AMA's). Pass ``descriptions=`` to :func:`build_statement` for
others; a code without one reads "Medical service"."""

# 835 CAS group PR: CARC 1 deductible, 2 coinsurance, 3 co-payment (X12 CARC list).
_PR_SPLIT = {"1": "deductible", "2": "coinsurance", "3": "copay"}


@attrs.frozen(kw_only=True)
class StatementService:
    """One service on a statement: what it cost, what insurance did, what is the patient's.

    (Named ``ServiceLine`` before 0.2.0; that name is the encounter's service line,
    :class:`medbill.ServiceLine`, and still imports from here with a warning.)

    ``insurance_paid`` is ``(payer name, paid)`` per payer, reversals netted.
    ``share_split`` is ``(part, amount)`` with part ``copay``/``deductible``/
    ``coinsurance``/``other`` when the 835 says so, else empty. ``status`` is ``"yours"``,
    ``"pending"``, ``"denied"`` or ``"paid"``; ``note`` says it in words.
    """

    service_date: pendulum.Date
    patient_name: str
    claim_id: ClaimId = attrs.field(converter=to_claim_id, validator=id_text)
    line_id: str
    code: str
    description: str
    provider: str
    charge: Decimal
    insurance_paid: tuple[tuple[str, Decimal], ...]
    insurance_discount: Decimal
    adjustments: Decimal
    patient_share: Decimal
    share_split: tuple[tuple[str, Decimal], ...]
    paid_at_visit: Decimal
    patient_paid: Decimal
    insurance_pending: Decimal
    balance: Decimal
    status: str
    note: str


@attrs.frozen(kw_only=True)
class ServiceDay:
    """The services of one patient on one date of service."""

    service_date: pendulum.Date
    patient_name: str
    lines: tuple[StatementService, ...]


@attrs.frozen(kw_only=True)
class StatementPayment:
    """A payment or credit received since the last statement (amount positive)."""

    received_on: pendulum.Date
    description: str
    amount: Decimal


@attrs.frozen(kw_only=True)
class PlanSummary:
    """The payment plan on a statement: next installment instead of the full balance."""

    plan_id: str
    next_amount: Decimal
    next_due: pendulum.Date
    remaining: Decimal
    delinquent: bool


@attrs.frozen(kw_only=True)
class Statement:
    """A patient statement for one guarantor as of ``statement_date``.

    Summary equation (checked when built): ``balance_forward - payments_received -
    adjustments + new_charges = account_balance``. ``amount_due`` is what the coupon asks
    for: the account balance (never below zero), or the plan's next installment.
    See the module docstring for the sign convention and :mod:`medbill.ledger` docs.
    """

    practice: Practice
    statement_date: pendulum.Date
    account_number: str
    guarantor_name: str
    guarantor_address: tuple[str, ...]
    patient_names: tuple[str, ...]
    days: tuple[ServiceDay, ...]
    payments: tuple[StatementPayment, ...]
    last_statement: pendulum.Date | None
    balance_forward: Decimal
    payments_received: Decimal
    adjustments: Decimal
    new_charges: Decimal
    account_balance: Decimal
    insurance_pending: Decimal
    amount_due: Decimal
    due_date: pendulum.Date
    aging: tuple[Decimal, ...]
    dunning_level: int
    message: str
    collections: bool
    plan: PlanSummary | None = None

    def to_dict(self) -> dict[str, Any]:
        """The statement as JSON-ready data: amounts as strings, dates ISO 8601.

        Same sign convention as the model (see the module docstring).
        """
        data: dict[str, Any] = _jsonable(attrs.asdict(self, recurse=True))
        return data

    def render_text(self, width: int = 78) -> str:
        """Fixed-width text; long values wrap at word boundaries, control characters escaped."""
        from medbill.ledger._statement_render import render_text

        return render_text(self, width)

    def render_html(self) -> str:
        """One self-contained, print-ready HTML page (US letter) with a tear-off coupon."""
        from medbill.ledger._statement_render import render_html

        return render_html(self)

    def render_pdf(self) -> bytes:
        """The statement as PDF (US letter), through fpdf2: ``pip install medbill[pdf]``."""
        from medbill.ledger._statement_pdf import render_pdf

        return render_pdf(self)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, pendulum.Date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value


# -- building ---------------------------------------------------------------------------


@attrs.define
class _Figures:
    paid: dict[str, Decimal] = attrs.field(factory=dict)
    discount: Decimal = ZERO
    adjustments: Decimal = ZERO
    share: Decimal = ZERO
    patient_paid: Decimal = ZERO
    at_visit: Decimal = ZERO


def _provider_name(provider: Provider | None) -> str:
    if provider is None:
        return ""
    return f"{provider.first_name} {provider.name}" if provider.first_name else provider.name


def _is_payment(ledger: Ledger, entry: JournalEntry) -> bool:
    if entry.kind in (EntryKind.PATIENT_PAYMENT, EntryKind.CREDIT_APPLIED):
        return True
    return (
        entry.kind is EntryKind.REVERSAL
        and entry.reverses is not None
        and ledger.get(entry.reverses).kind is EntryKind.PATIENT_PAYMENT
    )


def _claim_figures(
    ledger: Ledger, claim: Claim, as_of: pendulum.Date, visit: pendulum.Date
) -> tuple[dict[str, _Figures], dict[str, str]]:
    """Per line: what each payer paid, discounts, the patient's share and payments;
    and per payer the latest event on the claim (``"denied"`` or ``"paid"``)."""
    first = claim.lines[0].line_id
    figures = {line.line_id: _Figures() for line in claim.lines}
    events: dict[str, str] = {}
    at_visit = ZERO
    for entry in ledger.entries(claim=str(claim.id)):
        if entry.effective > as_of:
            continue
        payer = entry.references.payer
        if entry.kind is EntryKind.DENIAL and payer is not None:
            events[payer] = "denied"
            continue
        payment = _is_payment(ledger, entry)
        payer_entry = payer is not None and entry.kind in (
            EntryKind.CLAIM_PAYMENT,
            EntryKind.REVERSAL,
        )
        if payer_entry and payer is not None and entry.kind is EntryKind.CLAIM_PAYMENT:
            events[payer] = "paid"
        line_sums: dict[str, Decimal] = {}
        for posting in entry.postings:
            account = posting.account
            if account.claim != str(claim.id):
                continue
            line = account.line if account.line in figures else first
            found = figures[line]
            amount = posting.amount
            line_sums[line] = line_sums.get(line, ZERO) + amount
            if account.code == "patient_credit" and entry.kind is EntryKind.PATIENT_PAYMENT:
                if entry.effective <= visit:  # collected at check-in, waiting for the claim
                    at_visit -= amount
            elif account.code == "patient_receivable":
                if payment:
                    found.patient_paid -= amount
                    if entry.kind is EntryKind.PATIENT_PAYMENT and entry.effective <= visit:
                        at_visit -= amount
                elif entry.kind is not EntryKind.WRITE_OFF:
                    found.share += amount
            elif account.code == "contractual_adjustment":
                found.discount += amount
            elif account.code == "other_adjustment" or account.code.startswith("write_off."):
                found.adjustments += amount
        if payer_entry and payer is not None:
            # The entry balances against cash (no claim dimension): what it took off the
            # claim's accounts, line by line, is what the payer paid on the line.
            for line, total in line_sums.items():
                paid = figures[line].paid
                paid[payer] = paid.get(payer, ZERO) - total
    # What was paid at the visit (applied then, or held as the claim's credit and applied
    # when it adjudicated) shows on the lines it paid, in claim order.
    for found in figures.values():
        found.at_visit = min(at_visit, found.patient_paid)
        at_visit -= found.at_visit
    return figures, events


def _share_split(claim: Claim, remittances: Sequence[Remittance]) -> dict[str, dict[str, Decimal]]:
    """PR amounts by line and part from the claim's latest processed payment."""
    latest = None
    for remittance in sorted(remittances, key=lambda r: r.paid_on):
        for payment in remittance.claim_payments:
            useful = payment.lines or payment.adjustments
            if payment.claim_id == claim.id and not payment.status.is_reversal and useful:
                latest = payment
    split: dict[str, dict[str, Decimal]] = {}
    if latest is None:
        return split
    for line in latest.lines:
        parts = split.setdefault(str(line.line_id), {})
        for adjustment in line.adjustments:
            if adjustment.group is AdjustmentGroup.PATIENT_RESPONSIBILITY:
                part = _PR_SPLIT.get(str(adjustment.reason), "other")
                parts[part] = parts.get(part, ZERO) + adjustment.amount
    return split


def _line_status(
    pending: dict[str, Decimal], events: dict[str, str], names: Mapping[str, str], balance: Decimal
) -> tuple[str, str]:
    open_payers = [payer for payer, amount in pending.items() if amount > 0]
    denied = [payer for payer in open_payers if events.get(payer) == "denied"]
    if denied:
        who = ", ".join(names.get(p, p) for p in denied)
        return "denied", f"Denied by {who}; we are reviewing it. Not billed to you."
    if open_payers:
        who = ", ".join(names.get(p, p) for p in open_payers)
        return "pending", f"Pending with {who}"
    if balance > 0:
        return "yours", "Your share"
    return "paid", "Paid in full"


def _service_line(
    ledger: Ledger,
    claim: Claim,
    line: ClaimLine,
    figures: _Figures,
    split: Mapping[str, Decimal],
    events: dict[str, str],
    names: Mapping[str, str],
    descriptions: Mapping[str, str],
    as_of: pendulum.Date,
) -> StatementService:
    pending: dict[str, Decimal] = {}
    for account in ledger.accounts("insurance_receivable", claim=str(claim.id)):
        if account.line == line.line_id and account.payer is not None:
            pending[account.payer] = pending.get(account.payer, ZERO) + ledger.balance(
                account, as_of=as_of
            )
    balance = sum(
        (
            ledger.balance(a, as_of=as_of)
            for a in ledger.accounts("patient_receivable", claim=str(claim.id))
            if a.line == line.line_id
        ),
        ZERO,
    )
    status, note = _line_status(pending, events, names, balance)
    code = str(line.procedure)
    parts = tuple((part, amount) for part, amount in split.items() if amount)
    if sum((a for _, a in parts), ZERO) != figures.share:
        parts = ()  # the 835's split no longer matches the ledger (a transfer, a reversal)
    return StatementService(
        service_date=line.service_date,
        patient_name=claim.patient.name.formatted,
        claim_id=str(claim.id),
        line_id=line.line_id,
        code=code,
        description=descriptions.get(code) or LAY_DESCRIPTIONS.get(code, "Medical service"),
        provider=_provider_name(claim.rendering_provider or claim.billing_provider),
        charge=line.charge,
        insurance_paid=tuple(
            (names.get(payer, payer), amount) for payer, amount in figures.paid.items() if amount
        ),
        insurance_discount=figures.discount,
        adjustments=figures.adjustments,
        patient_share=figures.share,
        share_split=parts,
        paid_at_visit=figures.at_visit,
        patient_paid=figures.patient_paid,
        insurance_pending=sum(pending.values(), ZERO),
        balance=balance,
        status=status,
        note=note,
    )


def _net_due(ledger: Ledger, patients: Iterable[str], as_of: pendulum.Date) -> Decimal:
    return sum(
        (
            ledger.total("patient_receivable", patient=p, as_of=as_of)
            - ledger.total("patient_credit", patient=p, as_of=as_of)
            for p in patients
        ),
        ZERO,
    )


def _payment_description(entry: JournalEntry) -> str:
    method = (entry.memo or "").split(" ", 1)[0]
    if method in {m.value for m in PatientPaymentMethod}:
        words = {"ach": "bank transfer", "card": "card", "check": "check", "cash": "cash"}
        return f"Payment by {words.get(method, 'other means')}, thank you"
    return "Payment, thank you"


def _activity(
    ledger: Ledger, patients: Sequence[str], since: pendulum.Date | None, as_of: pendulum.Date
) -> tuple[list[StatementPayment], Decimal, Decimal]:
    """Payments (listed) and adjustments received in ``(since, as_of]``."""
    payments: list[StatementPayment] = []
    adjustments = ZERO
    seen: set[str] = set()
    for patient in patients:
        for entry in ledger.entries(patient=patient):
            if entry.key in seen or entry.effective > as_of:
                continue
            if since is not None and entry.effective <= since:
                continue
            seen.add(entry.key)
            if entry.kind in (EntryKind.PATIENT_PAYMENT, EntryKind.REVERSAL) and _is_payment(
                ledger, entry
            ):
                cash = sum((p.amount for p in entry.postings if p.account.code == "cash"), ZERO)
                if entry.kind is EntryKind.REVERSAL:
                    payments.append(
                        StatementPayment(
                            received_on=entry.effective,
                            description="Payment returned",
                            amount=cash,
                        )
                    )
                else:
                    payments.append(
                        StatementPayment(
                            received_on=entry.effective,
                            description=_payment_description(entry),
                            amount=cash,
                        )
                    )
            elif entry.kind in (EntryKind.WRITE_OFF, EntryKind.REFUND):
                adjustments -= sum(
                    (
                        p.amount
                        for p in entry.postings
                        if p.account.patient in patients
                        and p.account.code in ("patient_receivable", "patient_credit")
                    ),
                    ZERO,
                )
    payments.sort(key=lambda p: p.received_on)
    return payments, sum((p.amount for p in payments), ZERO), adjustments


def _plan_summary(status: PlanStatus, balance: Decimal) -> PlanSummary:
    owed = ZERO
    next_due = None
    for installment, paid, state in status.installments:
        left = installment.amount - paid
        if state in (InstallmentState.LATE, InstallmentState.DUE):
            owed += left
        elif state is InstallmentState.UPCOMING and next_due is None:
            owed += left
            next_due = installment.due
    if next_due is None:
        next_due = status.as_of
    return PlanSummary(
        plan_id=status.plan.id,
        next_amount=min(owed, max(balance, ZERO)),
        next_due=next_due,
        remaining=status.remaining,
        delinquent=status.is_delinquent,
    )


def _address_lines(guarantor: Guarantor) -> tuple[str, ...]:
    address = guarantor.address
    if address is None:
        return ()
    lines = [address.line1]
    if address.line2:
        lines.append(address.line2)
    lines.append(f"{address.city}, {address.state} {address.postal_code}")
    return tuple(lines)


def build_statement(
    ledger: Ledger,
    *,
    guarantor: Guarantor,
    patients: Sequence[Patient],
    claims: Sequence[Claim],
    practice: Practice,
    as_of: pendulum.Date,
    last_statement: pendulum.Date | None = None,
    remittances: Sequence[Remittance] = (),
    coverages: Sequence[Coverage] = (),
    payer_names: Mapping[str, str] | None = None,
    descriptions: Mapping[str, str] | None = None,
    policy: StatementPolicy | None = None,
    plan: PlanStatus | None = None,
) -> Statement:
    """The statement of ``guarantor`` (for ``patients``) as of ``as_of``.

    ``claims`` are the patients' claims (others are ignored); payer names come from the
    claims' and ``coverages``' payers, or ``payer_names`` (payer id to name); ``last_statement`` the date
    of the previous statement (balance forward and "since" are counted from it; ``None``:
    a first statement). The dunning level and message come from ``policy`` and the age of
    the oldest patient balance (see :class:`~medbill.ledger.StatementPolicy`); a first
    statement is always level 1.

    See ``docs/statements.md`` for a worked example.
    """
    policy = policy or StatementPolicy()
    if last_statement is not None and last_statement > as_of:
        raise LedgerError(f"last_statement {last_statement} is after as_of {as_of}")
    ids = [str(p.id) for p in patients]
    names: dict[str, str] = {}
    for claim in claims:
        if claim.coverage is not None:
            names[str(claim.coverage.payer.id)] = claim.coverage.payer.name
    for coverage in coverages:
        names[str(coverage.payer.id)] = coverage.payer.name
    names.update(payer_names or {})
    days: dict[tuple[pendulum.Date, str], list[StatementService]] = {}
    for claim in claims:
        if str(claim.patient.id) not in ids:
            continue
        visit = min(line.service_date for line in claim.lines)
        figures, events = _claim_figures(ledger, claim, as_of, visit)
        split = _share_split(claim, remittances)
        for line in claim.lines:
            found = _service_line(
                ledger, claim, line, figures[line.line_id], split.get(line.line_id, {}),
                events, names, descriptions or {}, as_of,
            )  # fmt: skip
            days.setdefault((line.service_date, found.patient_name), []).append(found)
    payments, received, adjustments = _activity(ledger, ids, last_statement, as_of)
    forward = ZERO if last_statement is None else _net_due(ledger, ids, last_statement)
    balance = _net_due(ledger, ids, as_of)
    aged = patient_aging(ledger, ids, as_of)
    level = policy.level_for(aged, first=last_statement is None)
    summary = None if plan is None else _plan_summary(plan, balance)
    return Statement(
        practice=practice,
        statement_date=as_of,
        account_number=guarantor.id,
        guarantor_name=guarantor.name.formatted,
        guarantor_address=_address_lines(guarantor),
        patient_names=tuple(p.name.formatted for p in patients),
        days=tuple(
            ServiceDay(service_date=day, patient_name=who, lines=tuple(lines))
            for (day, who), lines in sorted(days.items(), key=lambda item: item[0])
        ),
        payments=tuple(payments),
        last_statement=last_statement,
        balance_forward=forward,
        payments_received=received,
        adjustments=adjustments,
        new_charges=balance - forward + received + adjustments,
        account_balance=balance,
        insurance_pending=sum(
            (ledger.total("insurance_receivable", patient=p, as_of=as_of) for p in ids), ZERO
        ),
        amount_due=summary.next_amount if summary else max(balance, ZERO),
        due_date=summary.next_due if summary else as_of.add(days=policy.due_days),
        aging=aged,
        dunning_level=level.number,
        message=level.message,
        collections=level.collections and balance > 0,
        plan=summary,
    )
