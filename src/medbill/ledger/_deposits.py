"""Bank deposits and their reconciliation with remittances and patient payments.

Reconciling accounts is a month-end duty of a billing office: every bank deposit should be
explained by what the ledger received. A payer's EFT deposit is matched to the remittance
(835) that announced it by the trace number (TRN02, the EFT trace; X12 835 TR3 section
1.10.2.3 "Reassociation of dollars and data") and the amount (BPR02, the net of the claim
payments and the provider-level adjustments, which is the cash the ledger received under
that trace). A desk's deposit of patient payments is matched to the day's patient payments
(its ``batch`` is the day they were received) by amount.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Sequence
from decimal import Decimal

import attrs
import pendulum

from medbill._errors import LedgerError
from medbill.ledger._entries import MAX_AMOUNT, EntryKind, JournalEntry

__all__ = ["Deposit", "DepositMatch", "DepositReconciliation", "RemittanceCash", "reconcile"]

ZERO = Decimal("0.00")


def _day(value: object, field: str) -> pendulum.Date | None:
    if value is None:
        return None
    if isinstance(value, _dt.datetime) or not isinstance(value, _dt.date):
        raise LedgerError(f"deposit {field} must be a date (got {value!r})")
    return pendulum.date(value.year, value.month, value.day)


def _text(value: object) -> str | None:
    if value is not None and (type(value) is not str or not value.strip()):
        raise LedgerError(f"deposit reference must be a non-empty string (got {value!r})")
    return value


def _amount(value: object) -> Decimal:
    if type(value) is not Decimal or not value.is_finite():
        raise LedgerError(f"deposit amount must be a Decimal (got {value!r})")
    if value <= 0 or value > MAX_AMOUNT or value != value.quantize(Decimal("0.01")):
        raise LedgerError(
            f"deposit amount must be whole cents, 0.01 to {MAX_AMOUNT} (got {value!r})"
        )
    return value.quantize(Decimal("0.01"))


def _batch_day(value: object) -> pendulum.Date | None:
    return _day(value, "batch")


def _id(value: object) -> str:
    text = _text(value)
    if text is None:
        raise LedgerError("deposit id is required")
    return text


def _required_day(value: object) -> pendulum.Date:
    day = _day(value, "received_on")
    if day is None:
        raise LedgerError("deposit received_on is required")
    return day


@attrs.frozen(kw_only=True)
class Deposit:
    """Money the bank received: ``trace`` for a payer's EFT (TRN02) or check number,
    ``batch`` for a desk's deposit of the patient payments received that day.

    >>> import pendulum
    >>> from decimal import Decimal
    >>> from medbill.ledger import Deposit
    >>> Deposit(id="dep-1", amount=Decimal("60.00"), received_on=pendulum.date(2025, 3, 17),
    ...         trace="EFT-1").trace
    'EFT-1'
    """

    id: str = attrs.field(converter=_id)
    amount: Decimal = attrs.field(converter=_amount)
    received_on: pendulum.Date = attrs.field(converter=_required_day)
    trace: str | None = attrs.field(default=None, converter=_text)
    batch: pendulum.Date | None = attrs.field(default=None, converter=_batch_day)
    actor: str | None = attrs.field(default=None, converter=_text)

    def __attrs_post_init__(self) -> None:
        if (self.trace is None) == (self.batch is None):
            raise LedgerError(
                f"deposit {self.id!r}: give a trace (payer EFT or check) or a batch "
                "(patient payments of one day), not both"
            )

    def same_content(self, other: Deposit) -> bool:
        """Whether ``other`` records the same deposit (``actor`` aside)."""
        return attrs.evolve(self, actor=None) == attrs.evolve(other, actor=None)


@attrs.frozen(kw_only=True)
class RemittanceCash:
    """The cash the ledger received under one trace (or one day's patient payments)."""

    trace: str | None
    batch: pendulum.Date | None
    payer: str | None
    amount: Decimal
    entries: tuple[str, ...]


@attrs.frozen(kw_only=True)
class DepositMatch:
    """A deposit and the receipts that explain it."""

    deposit: Deposit
    receipts: RemittanceCash


@attrs.frozen(kw_only=True)
class DepositReconciliation:
    """Deposits of a period: matched, unmatched; and receipts no deposit explains."""

    matched: tuple[DepositMatch, ...]
    unmatched_deposits: tuple[Deposit, ...]
    unmatched_remittances: tuple[RemittanceCash, ...]

    @property
    def is_reconciled(self) -> bool:
        """Whether every deposit and every receipt was matched."""
        return not self.unmatched_deposits and not self.unmatched_remittances

    def render_text(self) -> str:
        """A plain-text rendering for the month-end binder."""
        lines = [f"matched: {len(self.matched)}"]
        lines += [
            f"  {m.deposit.id} {m.deposit.amount} <- {m.deposit.trace or m.deposit.batch}"
            for m in self.matched
        ]
        lines.append(f"unmatched deposits: {len(self.unmatched_deposits)}")
        lines += [f"  {d.id} {d.amount} {d.trace or d.batch}" for d in self.unmatched_deposits]
        lines.append(f"unmatched remittances: {len(self.unmatched_remittances)}")
        lines += [
            f"  {r.trace or r.batch} {r.amount} ({', '.join(r.entries)})"
            for r in self.unmatched_remittances
        ]
        return "\n".join(lines)


_PAYER_KINDS = frozenset({EntryKind.CLAIM_PAYMENT, EntryKind.PROVIDER_ADJUSTMENT})


def receipts(entries: Iterable[JournalEntry]) -> list[RemittanceCash]:
    """Cash received, grouped by payer trace (TRN02) and by day for patient payments."""
    groups: dict[tuple[str, object], tuple[str | None, Decimal, list[str]]] = {}
    for entry in entries:
        cash = sum((p.amount for p in entry.postings if p.account.code == "cash"), ZERO)
        if not cash:
            continue
        if entry.kind in _PAYER_KINDS and entry.references.trace is not None:
            key: tuple[str, object] = ("trace", entry.references.trace)
        elif entry.kind is EntryKind.PATIENT_PAYMENT:
            key = ("batch", entry.effective)
        else:
            continue
        payer, total, keys = groups.get(key, (entry.references.payer, ZERO, []))
        keys.append(entry.key)
        groups[key] = (payer, total + cash, keys)
    return [
        RemittanceCash(
            trace=value if kind == "trace" else None,  # type: ignore[arg-type]
            batch=value if kind == "batch" else None,  # type: ignore[arg-type]
            payer=payer,
            amount=total,
            entries=tuple(keys),
        )
        for (kind, value), (payer, total, keys) in groups.items()
        if total
    ]


def reconcile(
    deposits: Sequence[Deposit], entries: Iterable[JournalEntry]
) -> DepositReconciliation:
    """Match ``deposits`` to the receipts among ``entries`` (by trace or batch day, and amount)."""
    found = receipts(entries)
    by_trace = {r.trace: r for r in found if r.trace is not None}
    by_batch = {r.batch: r for r in found if r.batch is not None}
    matched: list[DepositMatch] = []
    unmatched: list[Deposit] = []
    used: set[int] = set()
    for deposit in deposits:
        if deposit.trace is not None:
            candidate = by_trace.get(deposit.trace)
        else:
            candidate = None if deposit.batch is None else by_batch.get(deposit.batch)
        if (
            candidate is not None
            and id(candidate) not in used
            and candidate.amount == deposit.amount
        ):
            used.add(id(candidate))
            matched.append(DepositMatch(deposit=deposit, receipts=candidate))
        else:
            unmatched.append(deposit)
    return DepositReconciliation(
        matched=tuple(matched),
        unmatched_deposits=tuple(unmatched),
        unmatched_remittances=tuple(r for r in found if id(r) not in used),
    )
