"""A store that keeps everything in memory: fast, for tests, batch jobs and examples."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

import pendulum

from medbill._errors import DuplicateEntryError
from medbill.ledger._accounts import Account
from medbill.ledger._deposits import Deposit
from medbill.ledger._entries import EntryKind, JournalEntry
from medbill.ledger._stores._base import IndexedStore
from medbill.ledger._stores._index import LedgerIndex

__all__ = ["MemoryStore"]


class MemoryStore(IndexedStore):
    """Entries and balances in memory; gone when the process ends.

    >>> import pendulum
    >>> from decimal import Decimal
    >>> from medbill.ledger import Account, JournalEntry, Posting
    >>> store = MemoryStore()
    >>> store.append([JournalEntry(key="k1", effective=pendulum.date(2025, 1, 2),
    ...     recorded_at=pendulum.datetime(2025, 1, 2, 9),
    ...     postings=[Posting.debit(Account.cash(), Decimal("5.00")),
    ...               Posting.credit(Account.patient_credit("P-1"), Decimal("5.00"))])])
    >>> store.balance(Account.patient_credit("P-1"))
    Decimal('-5.00')
    """

    def __init__(self) -> None:
        super().__init__()
        self._entries: list[JournalEntry] = []
        self._closed_through: pendulum.Date | None = None
        self._marks: list[tuple[int, set[Account], pendulum.Date | None]] = []
        self._deposits: dict[str, Deposit] = {}

    def append(self, entries: Sequence[JournalEntry]) -> None:
        """Add validated entries (the ledger checked them, so this cannot fail halfway)."""
        log = self._entries
        self._index.add_entries(entries, len(log))
        log.extend(entries)
        for entry in entries:
            if entry.kind is EntryKind.PERIOD_CLOSE:
                self._closed_through = max(entry.effective, self._closed_through or entry.effective)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """A block whose appends are undone when it raises (one process: no lock needed)."""
        self._marks.append((len(self._entries), set(self._index.closed), self._closed_through))
        try:
            yield
        except BaseException:
            length, closed, closed_through = self._marks[-1]
            if len(self._entries) != length or closed != self._index.closed:
                kept = self._entries[:length]
                self._index = LedgerIndex()
                self._entries = []
                self.append(kept)
                self._index.closed = closed
            self._closed_through = closed_through
            raise
        finally:
            self._marks.pop()

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Nothing to pin: one process, and no write happens during a read."""
        yield

    def closed_through(self) -> pendulum.Date | None:
        """The last day of the last closed period, if any."""
        return self._closed_through

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
        if account is not None:
            chosen: Iterator[JournalEntry] = (
                e for e in self._entries if any(p.account == account for p in e.postings)
            )
        else:
            chosen = self.entries(claim=claim, patient=patient)
        page = []
        for number, entry in enumerate(chosen):
            if number >= offset + limit:
                break
            if number >= offset:
                page.append(entry)
        return page

    def entries_between(self, start: pendulum.Date, end: pendulum.Date) -> list[JournalEntry]:
        """Entries effective from ``start`` through ``end``, in posting order."""
        return [e for e in self._entries if start <= e.effective <= end]

    def _entry_at(self, seq: int) -> JournalEntry:
        return self._entries[seq]

    def get(self, key: str) -> JournalEntry | None:
        """The entry with key ``key``, if any."""
        seq = self._index.keys.get(key)
        return None if seq is None else self._entries[seq]

    def entries(
        self, *, claim: str | None = None, patient: str | None = None
    ) -> Iterator[JournalEntry]:
        """Entries in posting order, optionally only those about a claim or a patient."""
        chosen = self._selected(claim, patient)
        if chosen is None:
            return iter(list(self._entries))
        return (self._entries[seq] for seq in chosen)

    def close_account(self, account: Account) -> None:
        """Refuse every later posting to ``account``."""
        self._index.closed.add(account)

    def close(self) -> None:
        """Nothing to release."""

    def add_deposit(self, deposit: Deposit) -> Deposit:
        """Record ``deposit``; the same id again returns the first (or raises if it differs)."""
        earlier = self._deposits.get(deposit.id)
        if earlier is not None:
            if not earlier.same_content(deposit):
                raise DuplicateEntryError(deposit.id)
            return earlier
        self._deposits[deposit.id] = deposit
        return deposit

    def deposits(self, start: pendulum.Date, end: pendulum.Date) -> list[Deposit]:
        """Deposits received from ``start`` through ``end``."""
        chosen = [d for d in self._deposits.values() if start <= d.received_on <= end]
        return sorted(chosen, key=lambda d: (d.received_on, d.id))
