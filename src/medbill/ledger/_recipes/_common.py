"""What every posting recipe shares: accumulating postings, amounts, parties, replays."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

import pendulum

from medbill._errors import DuplicateEntryError, LedgerError
from medbill._parties import Coverage
from medbill.ledger._accounts import Account
from medbill.ledger._entries import EntryKind, JournalEntry, Posting
from medbill.ledger._ledger import Ledger

ZERO = Decimal("0.00")
_EPOCH = pendulum.date(1900, 1, 1)


# 835 PLB03-1 adjustment reason codes (X12 005010X221A1, PLB segment) and where they post.
class _Postings:
    """Accumulates signed cents per account, in first-seen order; drops what nets to zero."""

    def __init__(self) -> None:
        self._amounts: dict[Account, Decimal] = {}

    def add(self, account: Account, amount: Decimal) -> None:
        self._amounts[account] = self._amounts.get(account, ZERO) + amount

    def move(self, source: Account, target: Account, amount: Decimal) -> None:
        """Credit ``source`` and debit ``target`` by ``amount``."""
        self.add(target, amount)
        self.add(source, -amount)

    def items(self) -> list[tuple[Account, Decimal]]:
        """Every account with the amount this entry moves on it so far."""
        return list(self._amounts.items())

    def pending(self, account: Account) -> Decimal:
        """What this entry already moves on ``account``."""
        return self._amounts.get(account, ZERO)

    def postings(self) -> list[Posting]:
        return [Posting(account, amount) for account, amount in self._amounts.items() if amount]


def _replayed(
    ledger: Ledger,
    key: str,
    kind: EntryKind,
    effective: pendulum.Date,
    amount: Decimal | None = None,
) -> JournalEntry | None:
    """The entry already posted under ``key`` by a recipe whose result depends on balances.

    Such a recipe cannot rebuild the same postings once it has run (the balances moved),
    so a replay is recognised by its key, kind, date and (when given) amount instead.
    """
    if key not in ledger:
        return None
    earlier = ledger.get(key)
    if (
        earlier.kind is not kind
        or earlier.effective != effective
        or (amount is not None and abs(amount) not in (earlier.total, _cash_of(earlier)))
    ):
        raise DuplicateEntryError(key)
    return earlier


def _cash_of(entry: JournalEntry) -> Decimal:
    return sum((abs(p.amount) for p in entry.postings if p.account.code == "cash"), ZERO)


def _positive(amount: object, field: str) -> Decimal:
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
        raise LedgerError(f"{field}: must be a positive Decimal amount (got {amount!r})")
    if amount != amount.quantize(Decimal("0.01")):
        raise LedgerError(f"{field}: must be whole cents (got {amount!r})")
    return amount


def _receivable(
    coverage: Coverage | None, patient: str, claim: str, line: str | None = None
) -> Account:
    """The receivable of the responsible party: a payer at a level, or the patient."""
    if coverage is None:
        return Account.patient_receivable(patient, claim, line)
    return Account.insurance_receivable(coverage.payer.id, coverage.priority, patient, claim, line)


def _party(coverage: Coverage | None) -> str:
    if coverage is None:
        return "patient"
    return f"{coverage.payer.id}/{coverage.priority.value}"


def _claim_owner(ledger: Ledger, claim: str) -> str:
    patient = ledger.claim_patient(claim)
    if patient is None:
        raise LedgerError(f"unknown claim {claim!r}: no charges were posted for it")
    return patient


def _claim_accounts(
    ledger: Ledger, code: str, claim: str, coverage: Coverage | None
) -> list[Account]:
    accounts = [
        a
        for a in ledger.accounts(code, claim=claim)
        if coverage is None or (a.payer == coverage.payer.id and a.level is coverage.priority)
    ]
    return sorted(accounts, key=lambda a: (a.line is not None, a.line or ""))


def _open_patient_claims(ledger: Ledger, patient: str) -> list[str]:
    """The patient's claims with a patient balance, oldest first (date of service)."""
    claims: dict[str, pendulum.Date] = {}
    for account in ledger.accounts("patient_receivable", patient=patient):
        claim = account.claim
        if claim is None or claim in claims:
            continue
        if ledger.total("patient_receivable", claim=claim) > 0:
            claims[claim] = ledger.service_date(claim) or ledger.first_debit(account) or _EPOCH
    return sorted(claims, key=lambda c: (claims[c], c))


def _allocate_credit(
    ledger: Ledger, postings: _Postings, accounts: Sequence[Account], amount: Decimal
) -> Decimal:
    """Credit a claim's ``accounts`` (in order) by up to ``amount``; return what is left.

    At most the claim's net open balance is applied (a claim-level credit offsets
    line-level debits), taken from the accounts with a positive balance.
    """
    net = sum((ledger.balance(a) + postings.pending(a) for a in accounts), ZERO)
    applied = min(amount, max(net, ZERO))
    left = applied
    for account in accounts:
        if left <= 0:
            break
        open_amount = ledger.balance(account) + postings.pending(account)
        if open_amount <= 0:
            continue
        part = min(open_amount, left)
        postings.add(account, -part)
        left -= part
    return amount - applied + left


def _move_claim_balance(
    ledger: Ledger,
    claim: str,
    source: Coverage | None,
    amount: Decimal | None,
    target_of: Callable[[Account], Account],
) -> tuple[_Postings, Decimal]:
    code = "patient_receivable" if source is None else "insurance_receivable"
    accounts = _claim_accounts(ledger, code, claim, source)
    open_total = max(sum((ledger.balance(a) for a in accounts), ZERO), ZERO)
    wanted = open_total if amount is None else _positive(amount, "amount")
    if wanted <= 0 or wanted > open_total:
        raise LedgerError(
            f"claim {claim!r}: {wanted} exceeds the open balance of {_party(source)} ({open_total})"
        )
    postings = _Postings()
    left = wanted
    for account in accounts:
        if left <= 0:
            break
        open_amount = ledger.balance(account)
        if open_amount <= 0:
            continue
        part = min(open_amount, left)
        target = target_of(account)
        postings.move(account, target, part)
        left -= part
    return postings, wanted
