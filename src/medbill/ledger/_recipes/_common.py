"""What every posting recipe shares: accumulating postings, amounts, parties, replays."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

import pendulum

from medbill._common import ClaimId, PatientId, PayerId
from medbill._encounter import Claim
from medbill._errors import DuplicateEntryError, LedgerError, ValidationError
from medbill._parties import Coverage, Patient, Payer, Priority
from medbill.ledger._accounts import SIGN_OF_CODE, Account
from medbill.ledger._entries import EntryKind, JournalEntry, Posting, planned_posting
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
        return [
            planned_posting(account, amount) for account, amount in self._amounts.items() if amount
        ]

    def entry_postings(self) -> tuple[Posting, ...]:
        """The postings, debits first (each side in first-seen order)."""
        debits: list[Posting] = []
        credits: list[Posting] = []
        for account, amount in self._amounts.items():
            if amount:
                posting = planned_posting(account, amount)
                (debits if posting.cents > 0 else credits).append(posting)
        return (*debits, *credits)


def _id_of(value: object, entity: type[Claim | Payer | Patient], parameter: str) -> str:
    """The id in ``value``: an ``entity``'s own id, or a non-empty ``str`` taken as one.

    Anything else is a :class:`~medbill.ValidationError` naming ``parameter``, never an
    empty balance.
    """
    if isinstance(value, entity):
        return value.id
    if not isinstance(value, str) or not value:
        raise ValidationError(
            parameter,
            value,
            f"must be a {entity.__name__}Id or a {entity.__name__}, not {type(value).__name__}",
        )
    return value


def claim_id_of(value: object, parameter: str = "claim_id") -> ClaimId:
    """The claim id a recipe was given: a :data:`~medbill.ClaimId`, or a ``Claim``'s own.

    Anything else (a ``Patient``, a number) is a :class:`~medbill.ValidationError` naming
    ``parameter``, never an empty balance.
    """
    return ClaimId(_id_of(value, Claim, parameter))


def payer_id_of(value: object, parameter: str = "payer_id") -> PayerId:
    """As :func:`claim_id_of`, for a payer (a ``Payer`` gives its own id)."""
    return PayerId(_id_of(value, Payer, parameter))


def patient_id_of(value: object, parameter: str = "patient_id") -> PatientId:
    """As :func:`claim_id_of`, for a patient (a ``Patient`` gives its own id)."""
    return PatientId(_id_of(value, Patient, parameter))


def _replayed(
    ledger: Ledger,
    key: str,
    kind: EntryKind,
    effective: pendulum.Date,
    amount: Decimal | None = None,
    *,
    patient: str | None = None,
    claim: str | None = None,
) -> JournalEntry | None:
    """The entry already posted under ``key`` by a recipe whose result depends on balances.

    Such a recipe cannot rebuild the same postings once it has run (the balances moved),
    so a replay is recognised by its key, kind, date, (when given) amount and the parties
    it names instead; anything else raises :class:`~medbill.DuplicateEntryError` naming
    what differs.
    """
    if key not in ledger:
        return None
    earlier = ledger.get(key)
    differs = None
    if earlier.kind is not kind:
        differs = f"kind: {earlier.kind.value!r} before, {kind.value!r} now"
    elif earlier.effective != effective:
        differs = f"effective: {earlier.effective} before, {effective} now"
    elif amount is not None and abs(amount) not in (earlier.total, _cash_of(earlier)):
        differs = f"amount: {earlier.total} before, {abs(amount)} now"
    elif patient is not None and earlier.references.patient != patient:
        differs = f"patient: {earlier.references.patient!r} before, {patient!r} now"
    elif claim is not None and earlier.references.claim != claim:
        differs = f"claim: {earlier.references.claim!r} before, {claim!r} now"
    if differs is not None:
        raise DuplicateEntryError(key, differs)
    return earlier


def _cash_of(entry: JournalEntry) -> Decimal:
    return sum((abs(p.amount) for p in entry.postings if p.account.code == "cash"), ZERO)


def _positive(amount: object, field: str) -> Decimal:
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
        raise LedgerError(f"{field}: must be a positive Decimal amount (got {amount!r})")
    if amount != amount.quantize(Decimal("0.01")):
        raise LedgerError(f"{field}: must be whole cents (got {amount!r})")
    return amount


_ACCOUNTS: dict[tuple[str | None, ...], Account] = {}  # by identity
# While a plan runs, the table grows up to _MAX_ACCOUNTS (a bound against runaway growth,
# not a working size: a plan holds its accounts anyway, in its entries and ``expect``).
# Clearing it halfway through a large file would split each account in two objects (the
# store's and a new one), so every balance read after that pays an ``Account.__eq__``.
# Between plans it keeps at most _KEPT_ACCOUNTS (:func:`trim_shared_accounts`).
_MAX_ACCOUNTS = 1 << 20
_KEPT_ACCOUNTS = 65_536


def account(
    code: str,
    patient: str | None = None,
    payer: str | None = None,
    level: Priority | None = None,
    claim: str | None = None,
    line: str | None = None,
) -> Account:
    """The account with these dimensions, built once: a plan names the same few accounts
    of each claim many times, and an :class:`Account` validates its dimensions.

    Kept by identity (``Account.identity``, the level as its value): one object per
    account, so the balance dictionaries a plan reads find it by ``is`` (no ``__eq__``),
    and the accounts a store answers are :func:`shared` into the same table.
    """
    value: str | None = level._value_ if type(level) is Priority else level  # type: ignore[assignment]
    found = _ACCOUNTS.get((code, patient, payer, value, claim, line))
    if found is None:
        found = Account(
            code=code, patient=patient, payer=payer, level=level, claim=claim, line=line
        )
        if len(_ACCOUNTS) >= _MAX_ACCOUNTS:
            _ACCOUNTS.clear()
        _ACCOUNTS[found.identity] = found
    return found


def trim_shared_accounts() -> None:
    """Forget the shared accounts once a plan is done, when it left more than
    ``_KEPT_ACCOUNTS`` (the memory a library keeps between calls stays bounded)."""
    if len(_ACCOUNTS) > _KEPT_ACCOUNTS:
        _ACCOUNTS.clear()


def shared(accounts: Iterable[Account]) -> None:
    """Make :func:`account` answer these (a store's) objects for their identities."""
    if len(_ACCOUNTS) >= _MAX_ACCOUNTS:
        _ACCOUNTS.clear()
    for item in accounts:
        _ACCOUNTS[item.identity] = item


def _receivable(
    coverage: Coverage | None, patient: str, claim: str, line: str | None = None
) -> Account:
    """The receivable of the responsible party: a payer at a level, or the patient."""
    if coverage is None:
        return account("patient_receivable", patient, None, None, claim, line)
    return account(
        "insurance_receivable", patient, coverage.payer.id, coverage.priority, claim, line
    )


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


PAYMENT_KINDS = (EntryKind.CLAIM_PAYMENT, EntryKind.DENIAL)
"""The kinds of the entries a payer's adjudication is matched against (duplicates, reversals)."""
_PATIENT_MONEY_KINDS = (EntryKind.PATIENT_PAYMENT, EntryKind.CREDIT_APPLIED)
_EVERY_KIND = tuple(EntryKind)  # a "/patient-credit" key may be of any kind


def is_patient_money(entry: JournalEntry) -> bool:
    """A patient payment, credit applied, or a reversal's ``/patient-credit`` (money the
    patient paid that went back to credit)."""
    return entry.kind in _PATIENT_MONEY_KINDS or entry.key.endswith("/patient-credit")


class BalanceView:
    """The ledger's balances plus what a plan has already added, read but never written.

    A plan (several CLP loops of one remittance, a payment and the copay it applies)
    computes each entry against the balances the earlier entries of the same plan leave.
    Every ledger balance read is remembered in ``expect`` (on its normal side), so posting
    the plan can re-check them (:meth:`medbill.ledger.Ledger.post_batch` ``expect=``).

    :meth:`prefetch` reads what the plan needs of many claims in a few batched store reads
    (their accounts and balances, owners, payer adjudications and reversals); claims not
    prefetched are read one question at a time.
    """

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.expect: dict[Account, Decimal] = {}
        self.entries: list[JournalEntry] = []
        self._pending: dict[Account, Decimal] = {}
        self._keys: dict[str, JournalEntry] = {}
        self._by_claim: dict[tuple[str, str], list[Account]] = {}
        self._claim_entries: dict[str, list[JournalEntry]] = {}
        self._planned_of: dict[str, list[JournalEntry]] = {}
        self._payments: dict[str, list[JournalEntry]] = {}
        self._reversed: dict[str, str] = {}
        self._fetched: set[str] = set()
        self._raw: dict[Account, Decimal] = {}
        self._accounts_of: dict[str, list[Account]] = {}
        self._owners: dict[str, tuple[str | None, pendulum.Date | None]] = {}
        self._unreversed: set[str] = set()
        self._planned_owners: dict[str, tuple[str, pendulum.Date | None]] = {}
        self._money_of: dict[str, list[JournalEntry]] = {}
        # One catch-up with other writers, then the store's answers directly: a plan reads
        # thousands of balances and must not re-sync for each (post_batch re-checks them).
        self._store = ledger.store
        self._store.sync()

    def prefetch(self, claims: Iterable[str]) -> None:
        """Read the accounts, balances, owners and payer adjudications of ``claims`` in a
        few batched store reads (stores without the batch reads answer one at a time)."""
        store: Any = self._store
        if not hasattr(store, "claim_balances"):
            return
        wanted = [c for c in dict.fromkeys(claims) if c not in self._fetched]
        if not wanted:
            return
        balances = store.claim_balances(wanted)
        shared(balances)
        owners = store.claim_owners(wanted)
        payments = store.claim_entries_of(wanted, PAYMENT_KINDS)
        keys = [e.key for found in payments.values() for e in found]
        reversals = store.reversals(keys)
        self._fetched.update(wanted)
        self._owners.update(owners)
        self._raw.update(balances)
        pending: dict[str, list[Account]] = {}
        for account in self._pending:  # planned before the prefetch (a file's charges)
            if account.claim is not None:
                pending.setdefault(account.claim, []).append(account)
        for claim in wanted:
            self._accounts_of[claim] = pending.get(claim, [])
            planned = [e for e in self._planned_of.get(claim, ()) if e.kind in PAYMENT_KINDS]
            self._payments[claim] = list(payments.get(claim, ())) + planned
        grouped: dict[tuple[str, str], list[Account]] = {}
        for account in balances:
            claim = account.claim or ""
            grouped.setdefault((account.code, claim), []).append(account)
            listed = self._accounts_of[claim]
            # the store's accounts are distinct: only a claim with planned accounts
            # needs the search
            if claim not in pending or account not in listed:
                listed.append(account)
        for group, posted in grouped.items():
            known = self._by_claim.get(group)
            if known is None:
                self._by_claim[group] = posted
            else:  # read before (and maybe planned to): posted first, in place
                known[:] = posted + [a for a in known if a not in posted]
        self._reversed.update(reversals)
        self._unreversed.update(k for k in keys if k not in reversals)

    def prefetch_patient_money(self, claims: Iterable[str]) -> None:
        """Read the patient's money on each of ``claims`` (:meth:`patient_money_entries`)
        and whether it was reversed, in two batched store reads."""
        store: Any = self._store
        if not hasattr(store, "claim_entries_of"):
            return
        wanted = [c for c in dict.fromkeys(claims) if c not in self._money_of]
        if not wanted:
            return
        found = store.claim_entries_of(wanted, _EVERY_KIND)
        keys: list[str] = []
        for claim in wanted:
            posted = [e for e in found.get(claim, ()) if is_patient_money(e)]
            keys.extend(e.key for e in posted)
            planned = [e for e in self._planned_of.get(claim, ()) if is_patient_money(e)]
            self._money_of[claim] = posted + planned
        if keys:
            reversals = store.reversals(keys)
            for key, by in reversals.items():
                self._reversed.setdefault(key, by)
            self._unreversed.update(k for k in keys if k not in reversals)

    def patient_money_entries(self, claim: str) -> list[JournalEntry]:
        """The claim's entries of patient money (:func:`is_patient_money`): posted, then
        planned."""
        found = self._money_of.get(claim)
        if found is None:
            return [e for e in self.claim_entries(claim) if is_patient_money(e)]
        return found

    def balance(self, account: Account) -> Decimal:
        """``account``'s balance on its normal side once the planned entries are posted."""
        base = self.expect.get(account)
        if base is None:
            if account.claim in self._fetched:
                raw = self._raw.get(account, ZERO)
            else:
                raw = self._store.balance(account, None)
            base = self.expect[account] = raw if SIGN_OF_CODE[account.code] > 0 else -raw
        delta = self._pending.get(account)
        if delta is None:
            return base
        return base + delta if SIGN_OF_CODE[account.code] > 0 else base - delta

    def claim_accounts(self, code: str, claim: str) -> list[Account]:
        """The accounts of ``code`` on ``claim``: posted before, or by this plan."""
        found = self._by_claim.get((code, claim))
        if found is None:
            found = [] if claim in self._fetched else list(self._store.accounts(code, claim=claim))
            self._by_claim[(code, claim)] = found
        return found

    def claim_accounts_like(self, prefix: str, claim: str) -> list[Account]:
        """The accounts on ``claim`` whose code starts with ``prefix`` (posted or planned)."""
        if claim in self._fetched:
            known: Iterable[Account] = self._accounts_of[claim]
        else:
            known = self._store.accounts(claim=claim)
        posted = [a for a in known if a.code.startswith(prefix)]
        planned = [a for a in self._pending if a.claim == claim and a.code.startswith(prefix)]
        return posted + [a for a in planned if a not in posted]

    def add(self, entry: JournalEntry) -> JournalEntry:
        """Plan ``entry``: later reads see its postings."""
        pending = self._pending
        fetched = self._fetched
        raw = self._raw
        for posting in entry.postings:
            account = posting.account
            before = pending.get(account)
            if before is None:
                claim = account.claim
                if claim is None:
                    pass
                elif claim in fetched:
                    # a prefetched claim's lists hold its posted accounts (read into _raw)
                    # and the planned ones (in pending): one lookup, not a list search
                    if account not in raw:
                        self.claim_accounts(account.code, claim).append(account)
                        self._accounts_of[claim].append(account)
                else:
                    known = self.claim_accounts(account.code, claim)
                    if account not in known:
                        known.append(account)
                # ZERO + amount: the same value with two places (a posting's amount is
                # never zero and always has exactly two), so the amount itself
                pending[account] = posting.amount
            else:
                pending[account] = before + posting.amount
        self.entries.append(entry)
        self._keys[entry.key] = entry
        claim = entry.references.claim
        if claim is not None:
            if entry.kind is EntryKind.CHARGE and entry.references.patient is not None:
                self._planned_owners.setdefault(
                    claim, (entry.references.patient, entry.references.service_date)
                )
            if entry.kind in PAYMENT_KINDS:
                self.payment_entries(claim).append(entry)  # read before it is planned
                self._unreversed.add(entry.key)
            self._planned_of.setdefault(claim, []).append(entry)
            everything = self._claim_entries.get(claim)
            if everything is not None:
                everything.append(entry)
            money = self._money_of.get(claim)
            if money is not None and is_patient_money(entry):
                money.append(entry)
        if entry.reverses is not None:
            self._reversed[entry.reverses] = entry.key
        return entry

    def planned(self, key: str) -> JournalEntry | None:
        """The entry planned under ``key``, else the one posted under it, else ``None``."""
        found = self._keys.get(key)
        if found is None:
            found = self._store.get(key)
        return found

    def claim_entries(self, claim: str) -> list[JournalEntry]:
        """The claim's entries: posted, then planned."""
        found = self._claim_entries.get(claim)
        if found is None:
            found = list(self._store.entries(claim=claim))
            found += self._planned_of.get(claim, ())
            self._claim_entries[claim] = found
        return found

    def payment_entries(self, claim: str) -> list[JournalEntry]:
        """The claim's payer adjudications (:data:`PAYMENT_KINDS`): posted, then planned."""
        found = self._payments.get(claim)
        if found is None:
            found = [e for e in self._store.entries(claim=claim) if e.kind in PAYMENT_KINDS]
            found += [e for e in self._planned_of.get(claim, ()) if e.kind in PAYMENT_KINDS]
            self._payments[claim] = found
        return found

    def reversed_key(self, key: str) -> str | None:
        """The key of the posted or planned entry reversing ``key``."""
        found = self._reversed.get(key)
        if found is not None or key in self._unreversed:
            return found
        return self._store.reversal_of(key)

    def claim_patient(self, claim: str) -> str | None:
        """The patient the ledger (or a charge planned here) has ``claim`` under."""
        planned = self._planned_owners.get(claim)
        if planned is not None:
            return planned[0]
        if claim in self._fetched:
            return self._owners.get(claim, (None, None))[0]
        return self._store.claim_patient(claim)

    def service_date(self, claim: str) -> pendulum.Date | None:
        """The claim's first date of service, as its charge recorded it."""
        planned = self._planned_owners.get(claim)
        if planned is not None:
            return planned[1]
        if claim in self._fetched:
            return self._owners.get(claim, (None, None))[1]
        return self._store.service_date(claim)


def check_not_before_charge(
    ledger: Ledger | BalanceView, claim: str, effective: pendulum.Date, what: str
) -> None:
    """Refuse an entry settling ``claim`` that takes effect before the claim's charge."""
    charged = ledger.service_date(claim)
    if charged is not None and effective < charged:
        raise LedgerError(
            f"{what} dated {effective} settles claim {claim!r}, charged on {charged}: "
            "no entry may take effect before the charge it settles"
        )


_CHARGE_IN_MEMO = re.compile(r" of charge (-?\d+\.\d\d)")


def _safe(text: str | None) -> str:
    return "-" if not text else text.replace(":", "_")


def clp07_of(entry: JournalEntry) -> str | None:
    """The CLP07 a claim-payment entry was keyed by (``None`` when the payer sent none)."""
    parts = entry.key.rsplit(":", 2)
    return None if len(parts) < 3 or parts[1] == "-" else parts[1]


def charge_of(entry: JournalEntry) -> Decimal | None:
    """The claim charge (CLP03) a claim-payment entry records in its memo."""
    found = _CHARGE_IN_MEMO.search(entry.memo)
    return None if found is None else Decimal(found.group(1))


def cash_of(entry: JournalEntry) -> Decimal:
    """The payer cash an entry moved (cash or unapplied insurance cash)."""
    return sum(
        (p.amount for p in entry.postings if p.account.code == "cash"),
        ZERO,
    )
