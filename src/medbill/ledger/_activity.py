"""The month-end activity report: what moved in a period, by payer and by provider, tied
to the trial balance.

For each party (a payer, or ``patient``) over a period: charges billed to it, payments
received from it, adjustments by account (contractual, other), write-offs by reason,
refunds, and its opening and closing A/R. The same figures by provider (the NPI the
claim's charge names: its rendering provider, else its billing provider): an entry on a
claim counts for the claim's provider; a receipt applied to several providers' claims (a
patient payment) is split by what it credited to each one's receivables; what is about no
claim of a known provider (a provider-level PLB adjustment, a credit left on account)
counts as ``unassigned``. The A/R roll-forward is the double-entry
identity: closing A/R = opening A/R + the net of every posting to a receivable in the
period; the report's totals are checked against :func:`trial_balance` on the day before
the period and on its last day, so the report and the books cannot disagree.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
import pendulum

from medbill._common import Period
from medbill._deprecation import folded_period, period_or_dates
from medbill._errors import LedgerError
from medbill.ledger._accounts import Account, WriteOffReason
from medbill.ledger._entries import EntryKind, JournalEntry
from medbill.ledger._ledger import Ledger, snapshot_report
from medbill.ledger._reports import trial_balance

__all__ = ["ActivityReport", "ActivityRow", "activity"]

ZERO = Decimal("0.00")
_RECEIVABLES = ("insurance_receivable", "patient_receivable")
_ADJUSTMENTS = ("contractual_adjustment", "other_adjustment")
_WRITE_OFFS = frozenset(reason.account_code for reason in WriteOffReason)
PATIENT = "patient"
UNASSIGNED = "unassigned"
# cash received, net of reversed receipts (a reversal mirrors the payment it undoes)
_RECEIPT_KINDS = frozenset(
    {
        EntryKind.CLAIM_PAYMENT,
        EntryKind.PATIENT_PAYMENT,
        EntryKind.PROVIDER_ADJUSTMENT,
        EntryKind.REVERSAL,
    }
)


@attrs.frozen(kw_only=True)
class ActivityRow:
    """One party's activity in the period (amounts positive in their usual sense)."""

    party: str
    opening_ar: Decimal
    charges: Decimal
    payments: Decimal
    adjustments: tuple[tuple[str, Decimal], ...]
    write_offs: tuple[tuple[str, Decimal], ...]
    refunds: Decimal
    closing_ar: Decimal


def _last_day(report: ActivityReport) -> pendulum.Date:
    end = report.period.end
    if end is None:  # an ActivityReport is always built with a closed period
        raise LedgerError("activity: the report's period has no last day")
    return end


@folded_period()
@attrs.frozen(kw_only=True)
class ActivityReport:
    """Activity over ``period`` (its first through its last day), one row per party, and
    the tie-out.

    ``providers`` holds the same figures by provider (``party`` is the provider's NPI, or
    ``unassigned``); its opening and closing A/R add up to the report's. (``start``/``end``
    before 0.2.0 are ``period.start``/``period.end``; the old names still work, warning.)
    """

    period: Period
    rows: tuple[ActivityRow, ...]
    ar_change: Decimal
    providers: tuple[ActivityRow, ...] = ()

    @property
    def opening_ar(self) -> Decimal:
        """Total A/R at the end of the day before the period's first day."""
        return sum((r.opening_ar for r in self.rows), ZERO)

    @property
    def closing_ar(self) -> Decimal:
        """Total A/R at the end of the period's last day."""
        return sum((r.closing_ar for r in self.rows), ZERO)

    def render_text(self, by: str = "payer") -> str:
        """The report as a text table, by ``"payer"`` (the default) or by ``"provider"``."""
        if by not in ("payer", "provider"):
            raise LedgerError(f"activity: by must be 'payer' or 'provider' (got {by!r})")
        first = by if by == "provider" else "party"
        head = (first, "opening", "charges", "payments", "adjust", "write-off", "refunds")
        lines = [
            f"Activity {self.period.start} to {self.period.end}",
            f"{head[0]:<14}" + "".join(f"{h:>11}" for h in (*head[1:], "closing")),
        ]
        for r in self.rows if by == "payer" else self.providers:
            adjusted = sum((a for _, a in r.adjustments), ZERO)
            written = sum((a for _, a in r.write_offs), ZERO)
            amounts = (r.opening_ar, r.charges, r.payments, adjusted, written, r.refunds)
            lines.append(f"{r.party:<14}" + "".join(f"{a:>11}" for a in (*amounts, r.closing_ar)))
        lines.append(
            f"A/R {self.opening_ar} + net change {self.ar_change} = {self.closing_ar} "
            "(ties to the trial balance)"
        )
        return "\n".join(lines)


def _party(account: Account, payer: str | None) -> str:
    return account.payer or payer or PATIENT


@snapshot_report
def activity(
    ledger: Ledger,
    *,
    period: Period | None = None,
    start: pendulum.Date | None = None,
    end: pendulum.Date | None = None,
) -> ActivityReport:
    """What moved in ``period`` (effective dates, both ends included), by payer and patient.

    ``start=``/``end=`` are deprecated since 0.2.0: pass ``period=Period(start, end)``.

    >>> from decimal import Decimal
    >>> from medbill import PatientPayment, Period
    >>> from medbill.ledger import Ledger, activity, post_charges, post_patient_payment
    >>> from medbill.ledger._examples import example_claim
    >>> ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 3, 4, 18))
    >>> _ = post_charges(ledger, example_claim(coverage=None))
    >>> _ = post_patient_payment(ledger, PatientPayment(id="pp-1", patient_id="MRN-1",
    ...     amount=Decimal("50.00"), received_on=pendulum.date(2025, 3, 10), method="card"))
    >>> march = Period(pendulum.date(2025, 3, 1), pendulum.date(2025, 3, 31))
    >>> report = activity(ledger, period=march)
    >>> print(report.render_text())
    Activity 2025-03-01 to 2025-03-31
    party             opening    charges   payments     adjust  write-off    refunds    closing
    patient              0.00     200.00      50.00       0.00       0.00       0.00     150.00
    A/R 0.00 + net change 150.00 = 150.00 (ties to the trial balance)
    >>> print(report.render_text(by="provider"))
    Activity 2025-03-01 to 2025-03-31
    provider          opening    charges   payments     adjust  write-off    refunds    closing
    1234567893           0.00     200.00      50.00       0.00       0.00       0.00     150.00
    A/R 0.00 + net change 150.00 = 150.00 (ties to the trial balance)
    """
    start, end = period_or_dates("activity", period, start, end)
    if end < start:
        raise LedgerError(f"activity: end {end} is before start {start}")
    before = start.subtract(days=1)
    charges: dict[str, Decimal] = {}
    payments: dict[str, Decimal] = {}
    adjustments: dict[str, dict[str, Decimal]] = {}
    write_offs: dict[str, dict[str, Decimal]] = {}
    refunds: dict[str, Decimal] = {}
    ar_change = ZERO
    in_period = list(ledger.store.entries_between(start, end))
    for entry in in_period:
        payer = entry.references.payer
        for posting in entry.postings:
            account, amount = posting.account, posting.amount
            code = account.code
            if code in _RECEIVABLES:
                ar_change += amount
                if entry.kind is EntryKind.CHARGE:
                    party = _party(account, None) if code == "insurance_receivable" else PATIENT
                    charges[party] = charges.get(party, ZERO) + amount
            elif code == "cash" and entry.kind in _RECEIPT_KINDS:
                party = PATIENT if entry.kind is EntryKind.PATIENT_PAYMENT else (payer or PATIENT)
                party = account.payer or party
                payments[party] = payments.get(party, ZERO) + amount
            elif code in _ADJUSTMENTS:
                group = adjustments.setdefault(_party(account, payer), {})
                group[code] = group.get(code, ZERO) + amount
            elif code in _WRITE_OFFS:
                group = write_offs.setdefault(_party(account, payer), {})
                group[code] = group.get(code, ZERO) + amount
            elif code == "patient_credit" and entry.kind is EntryKind.REFUND:
                refunds[PATIENT] = refunds.get(PATIENT, ZERO) + amount
    opening: dict[str, Decimal] = {}
    closing: dict[str, Decimal] = {}
    payers = sorted({a.payer for a in ledger.accounts("insurance_receivable") if a.payer})
    for payer_id in payers:
        opening[payer_id] = ledger.total("insurance_receivable", payer=payer_id, as_of=before)
        closing[payer_id] = ledger.total("insurance_receivable", payer=payer_id, as_of=end)
    opening[PATIENT] = ledger.total("patient_receivable", as_of=before)
    closing[PATIENT] = ledger.total("patient_receivable", as_of=end)
    parties = sorted(
        {*opening, *charges, *payments, *adjustments, *write_offs, *refunds},
        key=lambda p: (p == PATIENT, p),
    )
    rows = tuple(
        ActivityRow(
            party=party,
            opening_ar=opening.get(party, ZERO),
            charges=charges.get(party, ZERO),
            payments=payments.get(party, ZERO),
            adjustments=tuple(sorted(adjustments.get(party, {}).items())),
            write_offs=tuple(sorted(write_offs.get(party, {}).items())),
            refunds=refunds.get(party, ZERO),
            closing_ar=closing.get(party, ZERO),
        )
        for party in parties
        if any(
            (
                opening.get(party),
                closing.get(party),
                party in charges,
                party in payments,
                party in adjustments,
                party in write_offs,
                party in refunds,
            )
        )
    )
    providers = _by_provider(ledger, in_period, before, end)
    report = ActivityReport(
        period=Period(start, end), rows=rows, ar_change=ar_change, providers=providers
    )
    _tie_out(ledger, report, before)
    return report


class _Sums:
    """One provider's figures, in cents."""

    __slots__ = (
        "adjustments",
        "charges",
        "closing",
        "opening",
        "payments",
        "refunds",
        "write_offs",
    )

    def __init__(self) -> None:
        self.opening = self.closing = self.charges = self.payments = self.refunds = 0
        self.adjustments: dict[str, int] = {}
        self.write_offs: dict[str, int] = {}

    def row(self, party: str) -> ActivityRow:
        def money(cents: int) -> Decimal:
            return Decimal(cents).scaleb(-2)

        return ActivityRow(
            party=party,
            opening_ar=money(self.opening),
            charges=money(self.charges),
            payments=money(self.payments),
            adjustments=tuple((c, money(v)) for c, v in sorted(self.adjustments.items())),
            write_offs=tuple((c, money(v)) for c, v in sorted(self.write_offs.items())),
            refunds=money(self.refunds),
            closing_ar=money(self.closing),
        )


def _by_provider(
    ledger: Ledger, entries: list[JournalEntry], before: pendulum.Date, end: pendulum.Date
) -> tuple[ActivityRow, ...]:
    """The period's figures by provider (see the module docstring)."""
    store = ledger.store
    opening = list(store.receivables(before))
    closing = list(store.receivables(end))
    claims = {claim for _, _, claim, _, _ in (*opening, *closing) if claim is not None}
    for entry in entries:
        if entry.references.claim is not None:
            claims.add(entry.references.claim)
        claims.update(p.account.claim for p in entry.postings if p.account.claim is not None)
    provider_of: dict[str, str] = {}
    batch: Any = store
    if hasattr(batch, "claim_entries_of"):  # the built-in stores: a few batched reads
        found = batch.claim_entries_of(sorted(claims), [EntryKind.CHARGE])
    else:
        found = {claim: list(ledger.entries(claim=claim)) for claim in sorted(claims)}
    charged: dict[str, list[JournalEntry]] = found
    for claim, charges in charged.items():
        for charge in charges:
            if charge.kind is not EntryKind.CHARGE:
                continue
            if charge.references.provider is not None:
                provider_of.setdefault(claim, charge.references.provider)
    sums: dict[str, _Sums] = {}

    def of(provider: str) -> _Sums:
        found = sums.get(provider)
        if found is None:
            found = sums[provider] = _Sums()
        return found

    for _, _, owed, cents, _ in opening:
        if cents:
            of(provider_of.get(owed or "", UNASSIGNED)).opening += cents
    for _, _, owed, cents, _ in closing:
        if cents:
            of(provider_of.get(owed or "", UNASSIGNED)).closing += cents
    for entry in entries:
        refs = entry.references
        named = refs.provider or (None if refs.claim is None else provider_of.get(refs.claim))
        split: dict[str, int] | None = None
        if named is None:
            involved = {provider_of.get(p.account.claim or "", UNASSIGNED) for p in entry.postings}
            involved.discard(UNASSIGNED)
            if len(involved) == 1:
                named = involved.pop()
            elif involved and entry.kind in _RECEIPT_KINDS:
                split = _split_cash(entry, provider_of)
        whole = named or UNASSIGNED
        if split is not None:
            for provider, cents in split.items():
                of(provider).payments += cents
        for posting in entry.postings:
            account, cents = posting.account, posting.cents
            code = account.code
            provider = provider_of.get(account.claim, whole) if account.claim is not None else whole
            if code in _RECEIVABLES:
                if entry.kind is EntryKind.CHARGE:
                    of(provider).charges += cents
            elif code == "cash" and entry.kind in _RECEIPT_KINDS:
                if split is None:
                    of(provider).payments += cents
            elif code in _ADJUSTMENTS:
                group = of(provider).adjustments
                group[code] = group.get(code, 0) + cents
            elif code in _WRITE_OFFS:
                group = of(provider).write_offs
                group[code] = group.get(code, 0) + cents
            elif code == "patient_credit" and entry.kind is EntryKind.REFUND:
                of(provider).refunds += cents
    return tuple(sums[p].row(p) for p in sorted(sums, key=lambda p: (p == UNASSIGNED, p)))


def _split_cash(entry: JournalEntry, provider_of: dict[str, str]) -> dict[str, int]:
    """The cash of a receipt spread over several providers' claims (a patient payment
    applied to claims of two providers): each provider gets what the receipt credited to
    its claims' receivables, the rest of the cash (a credit left on account, no claim)
    counts as unassigned."""
    cash = sum(p.cents for p in entry.postings if p.account.code == "cash")
    split: dict[str, int] = {}
    applied = 0
    for posting in entry.postings:
        account = posting.account
        if account.code in _RECEIVABLES and account.claim is not None:
            provider = provider_of.get(account.claim, UNASSIGNED)
            split[provider] = split.get(provider, 0) - posting.cents
            applied -= posting.cents
    if applied != cash:
        split[UNASSIGNED] = split.get(UNASSIGNED, 0) + cash - applied
    return split


def _ar_of(ledger: Ledger, as_of: pendulum.Date) -> Decimal:
    rows = trial_balance(ledger, as_of=as_of).rows
    return sum((r.debit - r.credit for r in rows if r.code in _RECEIVABLES), ZERO)


def _tie_out(ledger: Ledger, report: ActivityReport, before: pendulum.Date) -> None:
    opening, closing = _ar_of(ledger, before), _ar_of(ledger, _last_day(report))
    by_provider = (
        sum((r.opening_ar for r in report.providers), ZERO),
        sum((r.closing_ar for r in report.providers), ZERO),
    )
    if (
        opening != report.opening_ar
        or closing != report.closing_ar
        or report.opening_ar + report.ar_change != report.closing_ar
        or by_provider != (opening, closing)
    ):  # pragma: no cover - double entry makes this impossible; kept as the tie-out
        raise LedgerError(
            f"activity does not tie to the trial balance: opening {report.opening_ar} vs "
            f"{opening}, closing {report.closing_ar} vs {closing}, change {report.ar_change}"
        )
