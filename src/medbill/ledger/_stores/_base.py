"""The storage protocol of the ledger, and the shared in-memory index behind both stores."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Protocol, runtime_checkable

import pendulum

from medbill.ledger._accounts import SIGN_OF_CODE, Account
from medbill.ledger._deposits import Deposit
from medbill.ledger._entries import _AMOUNTS, EntryKind, JournalEntry
from medbill.ledger._entries import _money as money_of_cents
from medbill.ledger._stores._index import LedgerIndex

__all__ = [
    "AGING_LIMITS",
    "RECEIVABLE_CODES",
    "AgedCents",
    "IndexedStore",
    "LedgerStore",
    "Receivable",
    "age_receivables",
    "aging_bucket",
]

RECEIVABLE_CODES = ("insurance_receivable", "patient_receivable")
Receivable = tuple[str, str | None, str | None, int, int | None]
"""code, payer, claim, cents as of a day, first day (ordinal) the account grew"""
AgedCents = tuple[str, str | None, int, int]
"""responsibility (``insurance`` or ``patient``), payer (insurance only), bucket 0-4, cents"""
AGING_LIMITS = (30, 60, 90, 120)
"""The last day of aging buckets 0-30, 31-60, 61-90 and 91-120 (then 120+)."""


def aging_bucket(days: int) -> int:
    """The aging bucket (0-4) of a balance ``days`` old (a negative age is bucket 0)."""
    for number, limit in enumerate(AGING_LIMITS):
        if days <= limit:
            return number
    return 4


def age_receivables(
    receivables: Iterable[Receivable], service_days: dict[str, int] | None, as_of: pendulum.Date
) -> Iterator[AgedCents]:
    """Age receivables the way :meth:`LedgerStore.aged_receivables` does, in Python.

    Each claim's balance per responsible party (insurance: per payer) is aged from the
    claim's first date of service in ``service_days`` (``None``: the billing basis), else
    from the first day one of its accounts grew, else counts as new; a zero balance is
    left out. Yields one sum per responsibility, payer and bucket.
    """
    groups: dict[tuple[str, str | None, str], list[int | None]] = {}
    for code, payer, claim, cents, first in receivables:
        responsibility = "insurance" if code == "insurance_receivable" else "patient"
        key = (responsibility, payer if responsibility == "insurance" else None, claim or "")
        group = groups.get(key)
        if group is None:
            groups[key] = [cents, first]
            continue
        group[0] = (group[0] or 0) + cents
        if first is not None and (group[1] is None or first < group[1]):
            group[1] = first
    served = service_days or {}
    today = as_of.toordinal()
    sums: dict[tuple[str, str | None, int], int] = {}
    for (responsibility, payer, claim), (total, first) in groups.items():
        if not total:
            continue
        start = served.get(claim) if claim else None
        if start is None:
            start = today if first is None else first
        row = (responsibility, payer, aging_bucket(today - start))
        sums[row] = sums.get(row, 0) + total
    for (responsibility, payer, bucket), cents in sums.items():
        yield responsibility, payer, bucket, cents


def _money(cents: int) -> Decimal:
    return money_of_cents(cents)  # shared with the entries' amounts (memoized)


@runtime_checkable
class LedgerStore(Protocol):
    """Where a :class:`~medbill.ledger.Ledger` keeps its entries and balances.

    The ledger validates every entry before calling :meth:`append`; a store only has to
    make each batch atomic and durable and answer the questions below. Balances are
    debit-positive (a credit balance is negative). :meth:`transaction` holds the store's
    write lock: the ledger makes its checks (keys, reversals, closed accounts and periods,
    expected balances) and its appends inside it, so a store shared by several writers
    (SQLite, PostgreSQL) answers them from the locked state.

    >>> from medbill.ledger import Ledger, LedgerStore
    >>> isinstance(Ledger.in_memory().store, LedgerStore)
    True
    """

    def append(self, entries: Sequence[JournalEntry]) -> None:
        """Write ``entries`` all together or not at all."""
        ...

    def sync(self) -> None:
        """Catch up with what other writers committed; the ledger calls it before reading."""
        ...

    def transaction(self) -> contextlib.AbstractContextManager[None]:
        """Hold the write lock for a block; appends inside commit together or not at all."""
        ...

    def snapshot(self) -> contextlib.AbstractContextManager[None]:
        """Answer every read in a block from one committed state (no write lock)."""
        ...

    def closed_through(self) -> pendulum.Date | None:
        """The last day of the last closed period, if any."""
        ...

    def history(
        self,
        *,
        account: Account | None = None,
        claim: str | None = None,
        patient: str | None = None,
        offset: int = 0,
        limit: int = 100,
    ) -> list[JournalEntry]:
        """One page of entries about an account, a claim or a patient, oldest first."""
        ...

    def entries_between(self, start: pendulum.Date, end: pendulum.Date) -> list[JournalEntry]:
        """Entries effective from ``start`` through ``end``, in posting order."""
        ...

    def add_deposit(self, deposit: Deposit) -> Deposit:
        """Record a bank deposit (idempotent by id)."""
        ...

    def receivables(self, as_of: pendulum.Date) -> Iterator[Receivable]:
        """Every receivable account as (code, payer, claim, debit-positive cents as of
        ``as_of``, ordinal of the first day it grew): what aging needs, in one pass."""
        ...

    def service_days(self) -> dict[str, int]:
        """Each claim's first date of service (a day ordinal), where recorded."""
        ...

    def aged_receivables(self, as_of: pendulum.Date, *, from_service: bool) -> Iterator[AgedCents]:
        """Open receivables as of ``as_of`` summed by responsibility, payer and aging
        bucket (see :func:`age_receivables`; one grouped query on the SQL stores)."""
        ...

    def deposits(self, start: pendulum.Date, end: pendulum.Date) -> list[Deposit]:
        """Deposits received from ``start`` through ``end``."""
        ...

    def get(self, key: str) -> JournalEntry | None:
        """The entry with idempotency key ``key``, if any."""
        ...

    def __contains__(self, key: object) -> bool:
        """Whether an entry with this key exists."""
        ...

    def __len__(self) -> int:
        """The number of entries."""
        ...

    def reversal_of(self, key: str) -> str | None:
        """The key of the entry that reverses entry ``key``, if any."""
        ...

    def entries(
        self, *, claim: str | None = None, patient: str | None = None
    ) -> Iterator[JournalEntry]:
        """Entries in posting order, optionally only those about one claim or patient."""
        ...

    def balance(self, account: Account, as_of: pendulum.Date | None = None) -> Decimal:
        """The debit-positive balance of one account, optionally as of an effective date."""
        ...

    def total(
        self, code: str, dims: dict[str, object], as_of: pendulum.Date | None = None
    ) -> Decimal:
        """The debit-positive balance of every account of ``code`` matching ``dims``."""
        ...

    def accounts(
        self, code: str | None = None, *, claim: str | None = None, patient: str | None = None
    ) -> Iterator[Account]:
        """Every account posted to, optionally only those of one code, claim or patient."""
        ...

    def codes(self) -> list[str]:
        """The account codes posted to."""
        ...

    def first_debit(self, account: Account) -> pendulum.Date | None:
        """The first effective date on which the account's balance grew."""
        ...

    def claim_patient(self, claim: str) -> str | None:
        """The patient a claim belongs to, once known."""
        ...

    def check_claims(self, entries: Sequence[JournalEntry]) -> None:
        """Raise :class:`~medbill.LedgerError` if the entries put a claim under two patients."""
        ...

    def service_date(self, claim: str) -> pendulum.Date | None:
        """The first date of service recorded for a claim."""
        ...

    def close_account(self, account: Account) -> None:
        """Refuse every later posting to ``account``."""
        ...

    def is_closed(self, account: Account) -> bool:
        """Whether ``account`` was closed."""
        ...

    def close(self) -> None:
        """Release resources (files, connections)."""
        ...


class IndexedStore:
    """Answers the :class:`LedgerStore` questions from a :class:`LedgerIndex`."""

    def __init__(self) -> None:
        self._index = LedgerIndex()

    def __contains__(self, key: object) -> bool:
        return key in self._index.keys

    def known_keys(self, keys: Sequence[str]) -> set[str]:
        """Which of ``keys`` are posted (one call for a whole batch)."""
        known = self._index.keys
        return {key for key in keys if key in known}

    def sync(self) -> None:
        """Nothing to catch up with: this process is the only writer."""

    def __len__(self) -> int:
        return len(self._index.keys)

    def reversal_of(self, key: str) -> str | None:
        return self._index.reversed_by.get(key)

    def balance(self, account: Account, as_of: pendulum.Date | None = None) -> Decimal:
        return _money(self._index.account_balance(account, as_of))

    def total(
        self, code: str, dims: dict[str, object], as_of: pendulum.Date | None = None
    ) -> Decimal:
        return _money(self._index.total(code, dims, as_of))

    def accounts(
        self, code: str | None = None, *, claim: str | None = None, patient: str | None = None
    ) -> Iterator[Account]:
        return self._index.accounts_of(code, claim, patient)

    def codes(self) -> list[str]:
        return list(self._index.codes())

    def first_debit(self, account: Account) -> pendulum.Date | None:
        return self._index.first_debit(account)

    def claim_patient(self, claim: str) -> str | None:
        return self._index.claim_patient.get(claim)

    def check_claims(self, entries: Sequence[JournalEntry]) -> None:
        self._index.check_claims(entries)

    def service_date(self, claim: str) -> pendulum.Date | None:
        return self._index.service_date.get(claim)

    def is_closed(self, account: Account) -> bool:
        return account in self._index.closed

    def has_closed_accounts(self) -> bool:
        return bool(self._index.closed)

    def receivables(self, as_of: pendulum.Date) -> Iterator[Receivable]:
        index = self._index
        limit = as_of.toordinal()
        for code in RECEIVABLE_CODES:
            for aid in index.accounts_by_code.get(code, ()):
                account = index.accounts[aid]
                days = index.daily[aid]
                cents = sum(delta for day, delta in days.items() if day <= limit)
                grew = [day for day, delta in days.items() if delta > 0]
                yield code, account.payer, account.claim, cents, min(grew) if grew else None

    def service_days(self) -> dict[str, int]:
        return {claim: day.toordinal() for claim, day in self._index.service_date.items()}

    def aged_receivables(self, as_of: pendulum.Date, *, from_service: bool) -> Iterator[AgedCents]:
        served = self.service_days() if from_service else None
        return age_receivables(self.receivables(as_of), served, as_of)

    # -- batch reads (a remittance plan reads thousands of claims at once) --------------

    def stale_balance(
        self, expect: Mapping[Account, Decimal]
    ) -> tuple[Account, Decimal, Decimal] | None:
        """The first of ``expect`` (balances on their normal side) that differs now, as
        (account, expected, actual); ``None`` when every one holds."""
        index = self._index
        ids = index.account_ids
        cents_of = index.account_balance_of
        signs = SIGN_OF_CODE
        shared = _AMOUNTS.get  # money_of_cents's memo, without its call per account
        for account, expected in expect.items():
            aid = ids.get(account.identity)
            cents = 0 if aid is None else cents_of[aid]
            if signs[account.code] < 0:
                cents = -cents
            actual = shared(cents)
            if actual is None:
                actual = money_of_cents(cents)
            if actual is not expected and actual != expected:
                return account, expected, actual
        return None

    def balances(self, accounts: Sequence[Account]) -> dict[Account, Decimal]:
        """The current debit-positive balance of each of ``accounts``."""
        index = self._index
        return {a: _money(index.account_balance(a)) for a in accounts}

    def claim_balances(self, claims: Sequence[str]) -> dict[Account, Decimal]:
        """Every account on one of ``claims`` with its current balance."""
        index = self._index
        accounts, balance_of, by_claim = (
            index.accounts,
            index.account_balance_of,
            index.accounts_by_claim,
        )
        shared = _AMOUNTS.get  # money_of_cents's memo, without its call per account
        found: dict[Account, Decimal] = {}
        for claim in claims:
            for aid in by_claim.get(claim, ()):
                cents = balance_of[aid]
                amount = shared(cents)
                found[accounts[aid]] = money_of_cents(cents) if amount is None else amount
        return found

    def claim_owners(
        self, claims: Sequence[str]
    ) -> dict[str, tuple[str | None, pendulum.Date | None]]:
        """The patient and first date of service of each of ``claims`` the ledger knows."""
        index = self._index
        return {
            claim: (index.claim_patient.get(claim), index.service_date.get(claim))
            for claim in claims
            if claim in index.claim_patient or claim in index.service_date
        }

    def claim_entries_of(
        self, claims: Sequence[str], kinds: Sequence[EntryKind]
    ) -> dict[str, list[JournalEntry]]:
        """The entries of ``kinds`` about each of ``claims``, in posting order."""
        wanted = set(kinds)
        found: dict[str, list[JournalEntry]] = {}
        for claim in claims:
            chosen = [e for e in map(self._entry_at, self._index.by_claim.get(claim, ()))
                      if e.kind in wanted]  # fmt: skip
            if chosen:
                found[claim] = chosen
        return found

    def _entry_at(self, seq: int) -> JournalEntry:
        raise NotImplementedError

    def reversals(self, keys: Sequence[str]) -> dict[str, str]:
        """For each of ``keys`` that was reversed, the key of its reversal."""
        reversed_by = self._index.reversed_by
        return {key: reversed_by[key] for key in keys if key in reversed_by}

    def _selected(self, claim: str | None, patient: str | None) -> list[int] | None:
        if claim is None and patient is None:
            return None
        if claim is not None and patient is not None:
            chosen = set(self._index.by_patient.get(patient, ()))
            return [s for s in self._index.by_claim.get(claim, ()) if s in chosen]
        if claim is not None:
            return list(self._index.by_claim.get(claim, ()))
        return list(self._index.by_patient.get(patient or "", ()))
