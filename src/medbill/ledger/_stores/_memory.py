"""A store that keeps everything in memory: fast, for tests, batch jobs and examples."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from medbill.ledger._accounts import Account
from medbill.ledger._entries import JournalEntry
from medbill.ledger._stores._base import IndexedStore

__all__ = ["MemoryStore"]


class MemoryStore(IndexedStore):
    """Entries and balances in memory; gone when the process ends.

    >>> import pendulum
    >>> from decimal import Decimal
    >>> from medbill.ledger import Account, JournalEntry, MemoryStore, Posting
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

    def append(self, entries: Sequence[JournalEntry]) -> None:
        """Add validated entries (the ledger checked them, so this cannot fail halfway)."""
        index = self._index
        log = self._entries
        for entry in entries:
            index.add(entry, len(log))
            log.append(entry)

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
