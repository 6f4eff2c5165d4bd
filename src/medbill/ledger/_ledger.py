"""The ledger facade: validates entries, keeps keys idempotent, answers balances."""

from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import os
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Concatenate, ParamSpec, TypeVar

import attrs
import pendulum

from medbill._common import Clock as _Clock
from medbill._common import Period
from medbill._errors import (
    DuplicateEntryError,
    LedgerError,
    PeriodClosedError,
    StaleBalanceError,
    ValidationError,
)
from medbill._parties import Priority
from medbill.ledger._accounts import CHART_OF_ACCOUNTS, SIGN_OF_CODE, Account
from medbill.ledger._deposits import Deposit, DepositReconciliation, reconcile
from medbill.ledger._entries import EntryKind, JournalEntry
from medbill.ledger._stores._base import LedgerStore
from medbill.ledger._stores._memory import MemoryStore
from medbill.ledger._stores._sql import is_conflict

__all__ = ["Clock", "Ledger", "atomic_recipe", "snapshot_report"]

Clock = _Clock  # the one exported Clock type (medbill.Clock), also medbill.ledger.Clock

_P = ParamSpec("_P")
_R = TypeVar("_R")
_ATTEMPTS = 20  # runs of a batch that conflicts with concurrent writers, at most


def atomic_recipe(
    recipe: Callable[Concatenate[Ledger, _P], _R],
) -> Callable[Concatenate[Ledger, _P], _R]:
    """Run a posting recipe inside :meth:`Ledger.atomic`: its balance checks and its posts
    see and change one locked state, so two workstations cannot both act on one balance.
    """

    @functools.wraps(recipe)
    def run(ledger: Ledger, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        if not isinstance(ledger, Ledger):  # a caller's stand-in for a Ledger
            atomic = getattr(ledger, "atomic", None)
            if atomic is None:
                return recipe(ledger, *args, **kwargs)
            with atomic():
                return recipe(ledger, *args, **kwargs)
        return ledger._retrying(lambda: recipe(ledger, *args, **kwargs))

    return run


def snapshot_report(
    report: Callable[Concatenate[Ledger, _P], _R],
) -> Callable[Concatenate[Ledger, _P], _R]:
    """Compute a report inside :meth:`Ledger.snapshot`: all its look-ups see one state."""

    @functools.wraps(report)
    def run(ledger: Ledger, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        snapshot = getattr(ledger, "snapshot", None)
        if snapshot is None:
            return report(ledger, *args, **kwargs)
        with snapshot():
            return report(ledger, *args, **kwargs)

    return run


def _day(value: object, field: str) -> pendulum.Date:
    if isinstance(value, _dt.datetime) or not isinstance(value, _dt.date):
        raise LedgerError(f"{field} must be a date (got {value!r})")
    if isinstance(value, pendulum.Date):
        return value
    return pendulum.date(value.year, value.month, value.day)


def _as_of(value: object) -> pendulum.Date | None:
    """``as_of`` as a ``pendulum.Date`` (a stdlib date is accepted), or a ValidationError."""
    if value is None or isinstance(value, pendulum.Date):
        return value
    if isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
        return pendulum.date(value.year, value.month, value.day)
    raise ValidationError("as_of", value, "must be a date such as pendulum.date(2025, 3, 31)")


def _checked_account(value: object) -> Account:
    if type(value) is not Account:
        raise ValidationError("account", value, "must be an Account (e.g. Account.cash())")
    return value


def _identifier(name: str, value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise ValidationError(name, value, f"must be an id (str), not {type(value).__name__}")


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

    def __init__(
        self, store: LedgerStore, *, clock: Clock | None = None, actor: str | None = None
    ) -> None:
        if actor is not None and (type(actor) is not str or not actor.strip()):
            raise LedgerError(f"actor must be a non-empty string (got {actor!r})")
        self._store = store
        self._clock = clock
        self._actor = actor

    @classmethod
    def in_memory(cls, *, clock: Clock | None = None, actor: str | None = None) -> Ledger:
        """A ledger in memory: nothing is written to disk, and it is gone when dropped.

        >>> from medbill.ledger import Ledger
        >>> len(Ledger.in_memory())
        0
        """
        return cls(MemoryStore(), clock=clock, actor=actor)

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        clock: Clock | None = None,
        synchronous: str = "FULL",
        busy_timeout: float = 5.0,
        actor: str | None = None,
        pool_size: int = 4,
    ) -> Ledger:
        """A ledger in the SQLite database at ``path`` (created when missing), or in the
        PostgreSQL database a ``postgresql://`` URL names (``medbill[postgres]``).

        ``synchronous`` is SQLite's durability setting: ``FULL`` (the default) makes every
        committed batch survive a power loss; ``NORMAL`` survives a crash of the process.
        ``busy_timeout`` is how many seconds a writer waits for another workstation's
        write lock before :class:`~medbill.LedgerBusyError`. ``actor`` is recorded on
        every entry this ledger posts that names no actor of its own. ``pool_size`` is
        the most PostgreSQL connections the ledger keeps open.

        >>> import tempfile, pathlib
        >>> from medbill.ledger import Ledger
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     with Ledger.open(pathlib.Path(folder) / "ledger.sqlite") as ledger:
        ...         print(len(ledger))
        0
        """
        try:
            text = os.fspath(path)
        except TypeError:
            raise LedgerError(
                f"Ledger.open needs a file path or a postgresql:// URL (got {path!r})"
            ) from None
        if isinstance(text, str) and text.startswith(("postgresql://", "postgres://")):
            from medbill.ledger._stores._postgres import PostgresStore

            store: LedgerStore = PostgresStore(text, busy_timeout=busy_timeout, pool_size=pool_size)
        else:
            from medbill.ledger._stores._sqlite import SqliteStore

            store = SqliteStore(path, synchronous=synchronous, busy_timeout=busy_timeout)
        return cls(store, clock=clock, actor=actor)

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

    @contextlib.contextmanager
    def atomic(self) -> Iterator[Ledger]:
        """Hold the ledger's write lock for a block: reads inside it see the locked state,
        and every post inside it commits together when the block ends (or none, when it
        raises). Use it to check a balance and post against it with no other workstation
        in between; the posting recipes and :meth:`post_batch` do so themselves. Blocks
        nest (an inner failure undoes only the inner block). On SQLite it is one
        ``BEGIN IMMEDIATE`` transaction; another writer waits up to the busy timeout.

        >>> import pendulum
        >>> from decimal import Decimal
        >>> from medbill.ledger import Account, JournalEntry, Ledger, Posting
        >>> ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 4, 1, 12))
        >>> def paid(key):
        ...     return JournalEntry(key=key, effective=pendulum.date(2025, 4, 1), postings=[
        ...         Posting.debit(Account.cash(), Decimal("10.00")),
        ...         Posting.credit(Account.patient_credit("MRN-1"), Decimal("10.00"))])
        >>> with ledger.atomic():
        ...     if ledger.balance(Account.patient_credit("MRN-1")) == 0:
        ...         _ = ledger.post(paid("a"))
        ...         _ = ledger.post(paid("b"))
        >>> len(ledger)
        2
        """
        transaction = getattr(self._store, "transaction", None)
        if transaction is None:
            yield self
            return
        with transaction():
            yield self

    def _retrying(self, work: Callable[[], _R]) -> _R:
        """Run ``work`` inside :meth:`atomic`; when it conflicts with a concurrent writer
        (PostgreSQL: the same key posted at once, a deadlock broken) and this is the
        outermost block, run it again from the start, reads included."""
        in_transaction = getattr(self._store, "in_transaction", None)
        attempt = 0
        while True:
            outermost = in_transaction is not None and not in_transaction()
            try:
                with self.atomic():
                    return work()
            except LedgerError as error:
                attempt += 1
                if not outermost or not is_conflict(error) or attempt >= _ATTEMPTS:
                    raise
            time.sleep(random.uniform(0, 0.002 * attempt))  # let the other writer finish

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[Ledger]:
        """Answer every question in a block from one committed state, without taking the
        write lock: a report made of many look-ups (a trial balance, an aging, the
        activity report) adds up even while other workstations post. Posting inside is
        refused; use :meth:`atomic` to read and write.

        >>> from medbill.ledger import Ledger, trial_balance
        >>> ledger = Ledger.in_memory()
        >>> with ledger.snapshot():
        ...     trial_balance(ledger).is_balanced
        True
        """
        snapshot = getattr(self._store, "snapshot", None)
        if snapshot is None:
            yield self
            return
        with snapshot():
            yield self

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
        batch_in = list(entries)
        return self._retrying(lambda: self._post_locked(batch_in, expect))

    def _post_locked(
        self, entries: list[JournalEntry], expect: Mapping[Account, Decimal] | None
    ) -> tuple[JournalEntry, ...]:
        store = self._store
        store.sync()
        lock_patients = getattr(store, "lock_patients", None)
        if lock_patients is not None:  # before any check reads them, in one stable order
            patients = {
                p.account.patient
                for entry in entries
                if type(entry) is JournalEntry
                for p in entry.postings
                if p.account.patient is not None
            }
            if expect:
                patients.update(
                    a.patient for a in expect if type(a) is Account and a.patient is not None
                )
            lock_patients(patients)
        if expect:
            self._check_expected(expect)
        results: list[JournalEntry] = []
        fresh: list[JournalEntry] = []
        batch: dict[str, JournalEntry] = {}
        reversed_here: dict[str, str] = {}
        check_closed = self._has_closed()
        closed_through = self._closed_through()
        for entry in entries:
            if type(entry) is not JournalEntry:
                raise LedgerError(f"can only post a JournalEntry (got {entry!r})")
        known = self._known([entry.key for entry in entries])
        for entry in entries:
            key = entry.key
            earlier = batch.get(key)
            if earlier is None and (key in known if known is not None else key in store):
                earlier = store.get(key)
            if earlier is not None:
                if not earlier.same_content(entry):
                    raise DuplicateEntryError(key, earlier.difference(entry))
                results.append(earlier)
                continue
            if entry.recorded_at is None or (entry.actor is None and self._actor is not None):
                entry = entry.with_recorded_at(entry.recorded_at or self._now(key), self._actor)
            if closed_through is not None and entry.effective <= closed_through:
                raise PeriodClosedError(key, entry.effective, closed_through)
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

    def _known(self, keys: list[str]) -> set[str] | None:
        known_keys = getattr(self._store, "known_keys", None)
        return None if known_keys is None else set(known_keys(keys))

    def _closed_through(self) -> pendulum.Date | None:
        closed_through = getattr(self._store, "closed_through", None)
        return None if closed_through is None else closed_through()

    def _check_expected(self, expect: Mapping[Account, Decimal]) -> None:
        for account in expect:
            if type(account) is not Account:
                raise LedgerError(f"expect: can only check an Account (got {account!r})")
        stale = getattr(self._store, "stale_balance", None)  # the store compares in cents
        if stale is not None:
            found = stale(expect)
            if found is not None:
                account, expected, actual = found
                raise StaleBalanceError(str(account), expected, actual)
            return
        batch = getattr(self._store, "balances", None)  # one read for a whole plan
        known: Mapping[Account, Decimal] = {} if batch is None else batch(list(expect))
        signs = SIGN_OF_CODE
        for account, expected in expect.items():
            actual = known.get(account)
            if actual is None:
                actual = self._store.balance(account, None)
            actual = actual if signs[account.code] > 0 else -actual
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
        # the same accounts with negated amounts (equal accounts print alike: formatting
        # every account, the test below, is needed only when they are not the same)
        if Counter((p.account, -p.cents) for p in target.postings) == Counter(
            (p.account, p.cents) for p in entry.postings
        ):
            return
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
        return self._retrying(
            lambda: self._reverse(key, reversal_key, effective, recorded_at, memo)
        )

    def _reverse(
        self,
        key: str,
        reversal_key: str | None,
        effective: pendulum.Date | None,
        recorded_at: pendulum.DateTime | None,
        memo: str | None,
    ) -> JournalEntry:
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
                source=original.source,
            )
        )

    # -- month-end -------------------------------------------------------------------

    @property
    def closed_through(self) -> pendulum.Date | None:
        """The last day of the last closed period (see :meth:`close_period`), if any."""
        return self._closed_through()

    def close_period(
        self,
        *,
        through: pendulum.Date | _dt.date,
        actor: str,
        recorded_at: pendulum.DateTime | None = None,
    ) -> JournalEntry:
        """Close the books through ``through``: afterwards no entry may take effect on or
        before that day (:class:`~medbill.PeriodClosedError`); corrections post in the open
        period. The close is itself an audited entry (kind ``period_close``, key
        ``period-close/<date>``) recording ``actor``. Closing the same day again returns
        that entry; a period can only move forward.

        >>> import pendulum
        >>> from decimal import Decimal
        >>> from medbill import PeriodClosedError
        >>> from medbill.ledger import Account, JournalEntry, Ledger, Posting
        >>> ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 2, 3, 9))
        >>> close = ledger.close_period(through=pendulum.date(2025, 1, 31), actor="manager-1")
        >>> close.key, close.actor, ledger.closed_through
        ('period-close/2025-01-31', 'manager-1', Date(2025, 1, 31))
        >>> late = JournalEntry(key="pay-7", effective=pendulum.date(2025, 1, 20), postings=[
        ...     Posting.debit(Account.cash(), Decimal("10.00")),
        ...     Posting.credit(Account.patient_credit("MRN-1"), Decimal("10.00"))])
        >>> ledger.post(late)
        Traceback (most recent call last):
        ...
        medbill.PeriodClosedError: entry 'pay-7' is effective 2025-01-20, on or before 2025-01-31, the end of a closed period; post the correction in the open period
        """
        day = _day(through, "through")
        if type(actor) is not str or not actor.strip():
            raise LedgerError(f"close_period: actor must be a non-empty string (got {actor!r})")
        entry = JournalEntry(
            key=f"period-close/{day.isoformat()}",
            effective=day,
            postings=(),
            kind=EntryKind.PERIOD_CLOSE,
            memo=f"books closed through {day.isoformat()}",
            recorded_at=recorded_at,
            actor=actor,
        )

        def close() -> JournalEntry:
            lock_all = getattr(self._store, "lock_all", None)
            if lock_all is not None:  # no other writer checks the closed date meanwhile
                lock_all()
            earlier = self._store.get(entry.key)
            if earlier is not None:
                return earlier
            return self.post(entry)

        return self._retrying(close)

    def record_deposit(self, deposit: Deposit) -> Deposit:
        """Record a bank deposit (amount, day, EFT trace or patient-payment batch day).

        Recording the same deposit id again returns the first; a deposit dated in a
        closed period is refused (:class:`~medbill.PeriodClosedError`).
        """
        if type(deposit) is not Deposit:
            raise LedgerError(f"can only record a Deposit (got {deposit!r})")
        if deposit.actor is None and self._actor is not None:
            deposit = attrs.evolve(deposit, actor=self._actor)

        def record() -> Deposit:
            closed_through = self._closed_through()
            if closed_through is not None and deposit.received_on <= closed_through:
                raise PeriodClosedError(deposit.id, deposit.received_on, closed_through)
            return self._store.add_deposit(deposit)

        return self._retrying(record)

    def reconcile_deposits(self, period: Period) -> DepositReconciliation:
        """Match the period's deposits to its remittances (by EFT trace, TRN02, and amount)
        and to its days of patient payments (by batch day and amount).

        >>> import pendulum
        >>> from decimal import Decimal
        >>> from medbill import Period
        >>> from medbill.ledger import Account, Deposit, EntryKind, JournalEntry, Ledger, Posting
        >>> from medbill.ledger import References
        >>> ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 3, 18, 9))
        >>> _ = ledger.post(JournalEntry(key="era-1/C-1", effective=pendulum.date(2025, 3, 15),
        ...     kind=EntryKind.CLAIM_PAYMENT,
        ...     references=References(payer="acme", trace="EFT-1", claim="C-1"), postings=[
        ...     Posting.debit(Account.cash("acme"), Decimal("60.00")),
        ...     Posting.credit(Account.insurance_receivable("acme", "primary", "MRN-1", "C-1"),
        ...                    Decimal("60.00"))]))
        >>> _ = ledger.record_deposit(Deposit(id="dep-1", amount=Decimal("60.00"),
        ...     received_on=pendulum.date(2025, 3, 17), trace="EFT-1"))
        >>> _ = ledger.record_deposit(Deposit(id="dep-2", amount=Decimal("20.00"),
        ...     received_on=pendulum.date(2025, 3, 17), batch=pendulum.date(2025, 3, 16)))
        >>> print(ledger.reconcile_deposits(
        ...     Period(pendulum.date(2025, 3, 1), pendulum.date(2025, 3, 31))).render_text())
        matched: 1
          dep-1 60.00 <- EFT-1
        unmatched deposits: 1
          dep-2 20.00 2025-03-16
        unmatched remittances: 0
        """
        if type(period) is not Period or period.end is None:
            raise LedgerError(
                f"reconcile_deposits: period must be a closed Period (got {period!r})"
            )
        deposits = self._store.deposits(period.start, period.end)
        return reconcile(deposits, self._store.entries_between(period.start, period.end))

    def history(
        self,
        *,
        account: Account | None = None,
        claim: str | None = None,
        patient: str | None = None,
        offset: int = 0,
        limit: int = 100,
    ) -> tuple[JournalEntry, ...]:
        """One page of the audit trail of an account, a claim or a patient, oldest first.

        Each entry carries its ``actor`` and ``source``. Give exactly one of ``account``,
        ``claim``, ``patient``; ``offset`` skips that many entries, ``limit`` (1 to
        10,000) caps the page.

        >>> import pendulum
        >>> from decimal import Decimal
        >>> from medbill.ledger import Account, JournalEntry, Ledger, Posting
        >>> ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 4, 1, 12),
        ...                           actor="desk-2")
        >>> _ = ledger.post(JournalEntry(key="copay-1", effective=pendulum.date(2025, 4, 1),
        ...     source="receipt R-1009",
        ...     postings=[Posting.debit(Account.cash(), Decimal("20.00")),
        ...               Posting.credit(Account.patient_credit("MRN-1"), Decimal("20.00"))]))
        >>> [(e.key, e.actor, e.source) for e in ledger.history(patient="MRN-1")]
        [('copay-1', 'desk-2', 'receipt R-1009')]
        """
        given = [
            name
            for name, value in (("account", account), ("claim", claim), ("patient", patient))
            if value is not None
        ]
        if len(given) != 1:
            raise LedgerError(
                f"history: give exactly one of account, claim, patient (got {given or 'none'})"
            )
        if account is not None and type(account) is not Account:
            raise LedgerError(f"history: account must be an Account (got {account!r})")
        _identifier("claim", claim)
        _identifier("patient", patient)
        for name, value, low, high in (("offset", offset, 0, None), ("limit", limit, 1, 10_000)):
            if type(value) is not int or value < low or (high is not None and value > high):
                raise LedgerError(f"history: {name} out of range (got {value!r})")
        return tuple(
            self._store.history(
                account=account, claim=claim, patient=patient, offset=offset, limit=limit
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
        account = _checked_account(account)
        as_of = _as_of(as_of)
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
        as_of = _as_of(as_of)
        for name in ("patient", "payer", "claim", "line"):
            _identifier(name, dims.get(name))
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
        with self.snapshot():
            codes = self._store.codes()
            total = sum((self._store.total(code, {}) for code in codes), Decimal(0))
        if total:
            raise LedgerError(f"the trial balance is off by {total}")
