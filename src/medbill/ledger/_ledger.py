"""The ledger facade: validates entries, keeps keys idempotent, answers balances."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal

import pendulum

from medbill._errors import DuplicateEntryError, LedgerError, StaleBalanceError
from medbill._parties import Priority
from medbill.ledger._accounts import CHART_OF_ACCOUNTS, Account
from medbill.ledger._entries import EntryKind, JournalEntry
from medbill.ledger._stores._base import LedgerStore
from medbill.ledger._stores._memory import MemoryStore

__all__ = ["Clock", "Ledger"]

Clock = Callable[[], pendulum.DateTime]
"""A function returning the current instant; injected, never read from the system."""


class Ledger:
    """A double-entry ledger over a :class:`~medbill.ledger.LedgerStore`.

    Every entry is checked before anything is written: it balances (guaranteed by
    :class:`~medbill.ledger.JournalEntry`), its accounts are open, its key is new (or names
    an identical entry, which is returned unchanged), a reversal names an entry not yet
    reversed. A batch posts all its entries or none. ``clock`` supplies ``recorded_at`` for
    entries that carry none; the ledger never reads the system clock.

    >>> import pendulum
    >>> from decimal import Decimal
    >>> from medbill.ledger import Account, JournalEntry, Ledger, Posting
    >>> ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 4, 1, 12))
    >>> entry = ledger.post(JournalEntry(key="copay-1", effective=pendulum.date(2025, 4, 1),
    ...     postings=[Posting.debit(Account.cash(), Decimal("20.00")),
    ...               Posting.credit(Account.patient_credit("MRN-1"), Decimal("20.00"))]))
    >>> entry.recorded_at
    DateTime(2025, 4, 1, 12, 0, 0, tzinfo=Timezone('UTC'))
    >>> ledger.balance(Account.patient_credit("MRN-1"))
    Decimal('20.00')
    >>> ledger.post(entry) is entry  # the same key and content: nothing new
    True
    """

    def __init__(self, store: LedgerStore, *, clock: Clock | None = None) -> None:
        self._store = store
        self._clock = clock

    @classmethod
    def in_memory(cls, *, clock: Clock | None = None) -> Ledger:
        """A ledger in memory (:class:`~medbill.ledger.MemoryStore`).

        >>> from medbill.ledger import Ledger
        >>> len(Ledger.in_memory())
        0
        """
        return cls(MemoryStore(), clock=clock)

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        clock: Clock | None = None,
        synchronous: str = "FULL",
    ) -> Ledger:
        """A ledger in the SQLite database at ``path`` (created when missing).

        ``synchronous`` is SQLite's durability setting: ``FULL`` (the default) makes every
        committed batch survive a power loss; ``NORMAL`` survives a crash of the process.

        >>> import tempfile, pathlib
        >>> from medbill.ledger import Ledger
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     with Ledger.open(pathlib.Path(folder) / "ledger.sqlite") as ledger:
        ...         print(len(ledger))
        0
        """
        from medbill.ledger._stores._sqlite import SqliteStore

        return cls(SqliteStore(path, synchronous=synchronous), clock=clock)

    @property
    def store(self) -> LedgerStore:
        """The store holding the entries."""
        return self._store

    def close(self) -> None:
        """Close the store."""
        self._store.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __len__(self) -> int:
        self._store.sync()
        return len(self._store)

    # -- posting ---------------------------------------------------------------------

    def post(self, entry: JournalEntry) -> JournalEntry:
        """Post one entry; return it as stored (or the identical earlier one)."""
        return self.post_batch((entry,))[0]

    def post_batch(
        self,
        entries: Iterable[JournalEntry],
        *,
        expect: Mapping[Account, Decimal] | None = None,
    ) -> tuple[JournalEntry, ...]:
        """Post entries atomically: all of them, or none when any is refused.

        Returns, for each given entry, the entry as stored; an entry whose key was posted
        before with the same content comes back as that earlier entry.

        ``expect`` maps accounts to the balances (on their normal side, as
        :meth:`balance` answers) that the entries were computed from. When any differs
        at posting time, :class:`~medbill.StaleBalanceError` is raised and nothing is
        posted: a plan computed before another workstation posted is never applied to
        balances it did not see.

        >>> import pendulum
        >>> from decimal import Decimal
        >>> from medbill import LedgerError
        >>> from medbill.ledger import Account, JournalEntry, Ledger, Posting
        >>> ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 4, 1, 12))
        >>> def paid(key, patient):
        ...     return JournalEntry(key=key, effective=pendulum.date(2025, 4, 1), postings=[
        ...         Posting.debit(Account.cash(), Decimal("10.00")),
        ...         Posting.credit(Account.patient_credit(patient), Decimal("10.00"))])
        >>> ledger.close_account(Account.patient_credit("MRN-2"))
        >>> ledger.post_batch([paid("a", "MRN-1"), paid("b", "MRN-2")])
        Traceback (most recent call last):
        ...
        medbill.LedgerError: entry 'b': account patient_credit[MRN-2] is closed
        >>> len(ledger)  # "a" was not posted either
        0
        >>> ledger.post_batch([paid("a", "MRN-1")],
        ...                   expect={Account.patient_credit("MRN-1"): Decimal("5.00")})
        Traceback (most recent call last):
        ...
        medbill.StaleBalanceError: balance of patient_credit[MRN-1] is 0.00, the plan expected 5.00; plan again
        """
        store = self._store
        store.sync()
        if expect:
            self._check_expected(expect)
        results: list[JournalEntry] = []
        fresh: list[JournalEntry] = []
        batch: dict[str, JournalEntry] = {}
        reversed_here: dict[str, str] = {}
        check_closed = self._has_closed()
        for entry in entries:
            if type(entry) is not JournalEntry:
                raise LedgerError(f"can only post a JournalEntry (got {entry!r})")
            key = entry.key
            earlier = batch.get(key)
            if earlier is None and key in store:
                earlier = store.get(key)
            if earlier is not None:
                if not earlier.same_content(entry):
                    raise DuplicateEntryError(key, earlier.difference(entry))
                results.append(earlier)
                continue
            if entry.recorded_at is None:
                entry = entry.with_recorded_at(self._now(key))
            if check_closed:
                for posting in entry.postings:
                    if store.is_closed(posting.account):
                        raise LedgerError(f"entry {key!r}: account {posting.account} is closed")
            if entry.reverses is not None:
                self._check_reversal(entry, batch, reversed_here)
                reversed_here[entry.reverses] = key
            batch[key] = entry
            fresh.append(entry)
            results.append(entry)
        if fresh:
            store.check_claims(fresh)
            store.append(fresh)
        return tuple(results)

    def _check_expected(self, expect: Mapping[Account, Decimal]) -> None:
        for account, expected in expect.items():
            if type(account) is not Account:
                raise LedgerError(f"expect: can only check an Account (got {account!r})")
            actual = self._store.balance(account, None)
            actual = actual if account.kind.sign > 0 else -actual
            if actual != expected:
                raise StaleBalanceError(str(account), expected, actual)

    def _has_closed(self) -> bool:
        checker = getattr(self._store, "has_closed_accounts", None)
        return True if checker is None else bool(checker())

    def _now(self, key: str) -> pendulum.DateTime:
        if self._clock is None:
            raise LedgerError(
                f"entry {key!r} has no recorded_at and the ledger has no clock to supply it"
            )
        return self._clock()

    def _check_reversal(
        self, entry: JournalEntry, batch: dict[str, JournalEntry], reversed_here: dict[str, str]
    ) -> None:
        target_key = entry.reverses or ""
        target = batch.get(target_key) or self._store.get(target_key)
        if target is None:
            raise LedgerError(f"entry {entry.key!r} reverses an unknown entry {target_key!r}")
        done = reversed_here.get(target_key) or self._store.reversal_of(target_key)
        if done is not None:
            raise LedgerError(f"entry {target_key!r} was already reversed by {done!r}")
        mirror = sorted((str(p.account), -p.cents) for p in target.postings)
        if sorted((str(p.account), p.cents) for p in entry.postings) != mirror:
            raise LedgerError(f"entry {entry.key!r} does not mirror the postings of {target_key!r}")

    def reverse(
        self,
        key: str,
        *,
        reversal_key: str | None = None,
        effective: pendulum.Date | None = None,
        recorded_at: pendulum.DateTime | None = None,
        memo: str | None = None,
    ) -> JournalEntry:
        """Post the mirror image of entry ``key``; reversing an entry twice is refused.

        The reversal takes effect on the original's effective date unless ``effective``
        says otherwise. Its key defaults to ``"<key>/reversal"``; calling again with the
        same reversal key returns the same reversal.

        >>> import pendulum
        >>> from decimal import Decimal
        >>> from medbill.ledger import Account, JournalEntry, Ledger, Posting
        >>> ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 4, 1, 12))
        >>> _ = ledger.post(JournalEntry(key="copay-1", effective=pendulum.date(2025, 4, 1),
        ...     postings=[Posting.debit(Account.cash(), Decimal("20.00")),
        ...               Posting.credit(Account.patient_credit("MRN-1"), Decimal("20.00"))]))
        >>> print(ledger.reverse("copay-1", memo="posted to the wrong patient").render())
        2025-04-01 copay-1/reversal (reversal)
          ; posted to the wrong patient
          Dr patient_credit[MRN-1]                  20.00
          Cr cash                                   20.00
        >>> ledger.balance(Account.patient_credit("MRN-1"))
        Decimal('0.00')
        >>> ledger.reverse("copay-1", reversal_key="again")
        Traceback (most recent call last):
        ...
        medbill.LedgerError: entry 'copay-1' was already reversed by 'copay-1/reversal'
        """
        original = self._store.get(key)
        if original is None:
            raise LedgerError(f"cannot reverse unknown entry {key!r}")
        return self.post(
            JournalEntry(
                key=reversal_key or f"{key}/reversal",
                effective=original.effective if effective is None else effective,
                postings=[p.mirrored() for p in original.postings],
                kind=EntryKind.REVERSAL,
                memo=f"reversal of {key}" if memo is None else memo,
                references=original.references,
                recorded_at=recorded_at,
                reverses=key,
            )
        )

    def close_account(self, account: Account) -> None:
        """Close ``account``: every later posting to it is refused.

        >>> from medbill.ledger import Account, Ledger
        >>> ledger = Ledger.in_memory()
        >>> ledger.close_account(Account.patient_credit("MRN-1"))
        >>> ledger.is_closed(Account.patient_credit("MRN-1"))
        True
        """
        if type(account) is not Account:
            raise LedgerError(f"can only close an Account (got {account!r})")
        self._store.close_account(account)

    def is_closed(self, account: Account) -> bool:
        """Whether ``account`` was closed."""
        return self._store.is_closed(account)

    # -- questions -------------------------------------------------------------------

    def get(self, key: str) -> JournalEntry:
        """The entry with key ``key``; :class:`~medbill.LedgerError` if there is none.

        >>> from medbill.ledger import Ledger
        >>> Ledger.in_memory().get("e-42")
        Traceback (most recent call last):
        ...
        medbill.LedgerError: unknown entry 'e-42'
        """
        entry = self._store.get(key)
        if entry is None:
            raise LedgerError(f"unknown entry {key!r}")
        return entry

    def __contains__(self, key: object) -> bool:
        self._store.sync()
        return key in self._store

    def entries(
        self, *, claim: str | None = None, patient: str | None = None
    ) -> Iterator[JournalEntry]:
        """Entries in posting order, optionally only those about a claim or a patient."""
        return self._store.entries(claim=claim, patient=patient)

    def reversal_of(self, key: str) -> str | None:
        """The key of the entry reversing ``key``, or ``None``."""
        self._store.sync()
        return self._store.reversal_of(key)

    def balance(self, account: Account, *, as_of: pendulum.Date | None = None) -> Decimal:
        """The balance of one account on its normal side, optionally as of a date.

        Positive means a debit balance for assets and contra-revenue, a credit balance for
        liabilities and revenue. O(1) for the current balance (see the module notes of
        ``medbill.ledger._stores._index`` for the as-of cost).
        """
        self._store.sync()
        amount = self._store.balance(account, as_of)
        return amount if account.kind.sign > 0 else -amount

    def total(
        self,
        code: str,
        *,
        as_of: pendulum.Date | None = None,
        patient: str | None = None,
        payer: str | None = None,
        level: Priority | str | None = None,
        claim: str | None = None,
        line: str | None = None,
    ) -> Decimal:
        """The balance of every account of ``code`` whose dimensions match those given.

        >>> from medbill.ledger import Ledger
        >>> Ledger.in_memory().total("patient_receivable", patient="MRN-1")
        Decimal('0.00')
        """
        chart = CHART_OF_ACCOUNTS.get(code)
        if chart is None:
            raise LedgerError(f"unknown account code {code!r}")
        dims: dict[str, object] = {}
        for name, value in (
            ("patient", patient),
            ("payer", payer),
            ("level", None if level is None else Priority(level)),
            ("claim", claim),
            ("line", line),
        ):
            if value is not None:
                dims[name] = value
        self._store.sync()
        amount = self._store.total(code, dims, as_of)
        return amount if chart.kind.sign > 0 else -amount

    def accounts(
        self, code: str | None = None, *, claim: str | None = None, patient: str | None = None
    ) -> Iterator[Account]:
        """Every account posted to, optionally of one code, claim or patient."""
        self._store.sync()
        return self._store.accounts(code, claim=claim, patient=patient)

    def claim_patient(self, claim: str) -> str | None:
        """The patient a claim belongs to, once the ledger has seen the claim."""
        return self._store.claim_patient(claim)

    def service_date(self, claim: str) -> pendulum.Date | None:
        """The claim's first date of service, as recorded by its charge entry."""
        return self._store.service_date(claim)

    def first_debit(self, account: Account) -> pendulum.Date | None:
        """The first effective date on which ``account``'s balance grew."""
        return self._store.first_debit(account)

    def check_invariants(self) -> None:
        """Raise :class:`~medbill.LedgerError` unless debits equal credits over the ledger.

        >>> from medbill.ledger import Ledger
        >>> Ledger.in_memory().check_invariants()
        """
        total = sum((self._store.total(code, {}) for code in self._store.codes()), Decimal(0))
        if total:
            raise LedgerError(f"the trial balance is off by {total}")
