"""What the SQL stores share: balances, roll-ups and look-ups kept in the database.

:class:`SqlStore` holds the logic; :class:`~medbill.ledger.SqliteStore` and
:class:`~medbill.ledger.PostgresStore` add a connection, a dialect and their migrations.

Tables (schema version 2; the DDL of each dialect sits with its store)::

    accounts(id, ident UNIQUE, code, patient, payer, level, claim, line, closed, balance)
    rollups(id, ident UNIQUE, balance)                 -- one row per roll-up (see ROLLUPS)
    daily(account_id, day, cents)                     -- net change per account and effective day
    entries(seq, key UNIQUE, kind, effective, recorded_at, memo, patient, payer, claim, line,
            remittance, trace, service_date, reverses UNIQUE, actor, source)
    postings(entry_seq, position, account_id, cents)  -- index (account_id, entry_seq)
    subjects(subject, seq)                            -- "c:<claim>" / "p:<patient>" -> entries
    claims(claim, patient, service_date)
    ledger_meta(name, value)                          -- closed_through
    deposits(id, amount, received_on, trace, batch, actor)

Every write runs in one transaction that first takes the ledger's write lock (SQLite
``BEGIN IMMEDIATE``; PostgreSQL a transaction-scoped advisory lock), so the reads a caller
makes inside :meth:`transaction` see exactly the state its postings are applied to.
Balances are updated in that same transaction. Amounts are integer cents; every amount
fits :data:`~medbill.ledger.MAX_AMOUNT` (checked by :class:`~medbill.ledger.Posting`).

Costs: opening reads the schema version (O(1)); a current balance or roll-up is one
primary-key read; an as-of balance is an index range over ``daily`` (for a roll-up, over
the accounts its dimensions select, by the claim, patient or code index); a claim's or a
patient's entries are an index range over ``subjects``. Which roll-ups an account feeds
follows from its dimensions (``rollup_keys``), so it is computed, not stored.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any, Final

import pendulum

from medbill._errors import DuplicateEntryError, LedgerError
from medbill._parties import Priority
from medbill.ledger._accounts import Account
from medbill.ledger._deposits import Deposit
from medbill.ledger._entries import EntryKind, JournalEntry, Posting, References
from medbill.ledger._stores._base import Receivable
from medbill.ledger._stores._index import rollup_key, rollup_keys

__all__ = ["SqlStore", "entry_from_row", "ident_of", "rollup_idents"]

Row = tuple[Any, ...]
Identity = tuple[str | None, ...]

_ENTRY_COLUMNS: Final = (
    "seq, key, kind, effective, recorded_at, memo, patient, payer, claim, line, "
    "remittance, trace, service_date, reverses, actor, source"
)
_CHUNK: Final = 500
_CACHE_LIMIT: Final = 50_000  # accounts and roll-ups remembered: memory stays bounded


def ident_of(values: tuple[object, ...]) -> str:
    """An unambiguous text key for a tuple of optional strings and numbers (its ``repr``:
    quoting makes it injective, and it is computed in C)."""
    return repr(values)


def rollup_idents(account: Account) -> list[str]:
    """The idents of the roll-ups ``account`` feeds (as ``LedgerIndex.register`` builds them)."""
    return [ident_of(key) for key in rollup_keys(account)]


def _date(ordinal: int | None) -> pendulum.Date | None:
    return None if ordinal is None else pendulum.Date.fromordinal(ordinal)


def _money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


_INSTANTS: dict[str, pendulum.DateTime] = {}


def _instant(text: str) -> pendulum.DateTime:
    """``recorded_at`` from its ISO text; a batch shares one instant, so keep a few parsed."""
    found = _INSTANTS.get(text)
    if found is None:
        if len(_INSTANTS) > 4096:
            _INSTANTS.clear()
        found = _INSTANTS[text] = pendulum.instance(_dt.datetime.fromisoformat(text))
    return found


def entry_from_row(row: Sequence[Any], postings: list[Posting]) -> JournalEntry:
    """The entry an ``entries`` row describes (columns as ``_ENTRY_COLUMNS``; a version-1
    row, without ``actor`` and ``source``, has 14)."""
    return JournalEntry(
        key=row[1],
        kind=EntryKind(row[2]),
        effective=pendulum.Date.fromordinal(row[3]),
        recorded_at=_instant(row[4]),
        memo=row[5],
        references=References(
            patient=row[6],
            payer=row[7],
            claim=row[8],
            line=row[9],
            remittance=row[10],
            trace=row[11],
            service_date=_date(row[12]),
        ),
        reverses=row[13],
        actor=row[14] if len(row) > 14 else None,
        source=row[15] if len(row) > 15 else None,
        postings=postings,
    )


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


class SqlStore:
    """The :class:`~medbill.ledger.LedgerStore` logic over a SQL database (see module notes).

    Subclasses provide :meth:`_query`, :meth:`_execute_many`, :meth:`_begin`,
    :meth:`_commit`, :meth:`_rollback`, :meth:`_savepoint` and the dialect's upsert.
    """

    _name: str = "ledger"
    _money = staticmethod(_money)

    def __init__(self) -> None:
        self._depth = 0
        self._reading = False
        self._account_ids: dict[Identity, int] = {}
        self._pending_ids: dict[Identity, int] = {}
        self._accounts_by_id: dict[int, Account] = {}
        self._rollups_of: dict[int, tuple[int, ...]] = {}
        self._rollup_cache: dict[str, int] = {}
        self._pending_rollups: dict[str, int] = {}

    # -- what a dialect provides ------------------------------------------------------

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        raise NotImplementedError

    def _execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        raise NotImplementedError

    def _begin(self) -> None:
        raise NotImplementedError

    def _commit(self) -> None:
        raise NotImplementedError

    def _rollback(self) -> None:
        raise NotImplementedError

    def _savepoint(self, action: str) -> None:
        self._query(f"{action} medbill_nested")

    # -- transactions -----------------------------------------------------------------

    def _begin_read(self) -> None:
        raise NotImplementedError

    def _end_read(self) -> None:
        raise NotImplementedError

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Answer every read in the block from one committed state, without the write lock."""
        if self._depth or self._reading:
            yield
            return
        self._begin_read()
        self._reading = True
        try:
            yield
        finally:
            self._reading = False
            self._end_read()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the ledger's write lock; reads inside see it, writes commit together.

        Nested use joins the outer transaction through a savepoint: a failure inside
        undoes only the nested part (and propagates).
        """
        if self._reading:
            raise LedgerError("cannot post inside Ledger.snapshot(): use Ledger.atomic()")
        if self._depth:
            self._savepoint("SAVEPOINT")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._savepoint("ROLLBACK TO SAVEPOINT")
                self._forget_pending()
                raise
            else:
                self._savepoint("RELEASE SAVEPOINT")
            finally:
                self._depth -= 1
            return
        self._begin()
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            self._rollback()
            self._forget_pending()
            raise
        self._depth = 0
        try:
            self._commit()
        except BaseException:
            self._forget_pending()
            raise
        self._account_ids.update(self._pending_ids)
        self._pending_ids.clear()
        self._rollup_cache.update(self._pending_rollups)
        self._pending_rollups.clear()

    def in_transaction(self) -> bool:
        """Whether this store holds the write lock now."""
        return self._depth > 0

    def _forget_pending(self) -> None:
        for identity, account_id in self._pending_ids.items():
            self._accounts_by_id.pop(account_id, None)
            self._account_ids.pop(identity, None)
        self._pending_ids.clear()
        if self._pending_rollups:
            self._rollups_of.clear()  # some may name roll-up rows the rollback removed
            self._pending_rollups.clear()

    # -- accounts ---------------------------------------------------------------------

    def _account(self, row: Sequence[Any]) -> Account:
        account_id = row[0]
        account = self._accounts_by_id.get(account_id)
        if account is None:
            account = Account(
                code=row[1],
                patient=row[2],
                payer=row[3],
                level=None if row[4] is None else Priority(row[4]),
                claim=row[5],
                line=row[6],
            )
            if len(self._accounts_by_id) > _CACHE_LIMIT:
                self._accounts_by_id.clear()
            self._accounts_by_id[account_id] = account
        return account

    def _ids_of(self, accounts: Iterable[Account]) -> dict[Identity, int]:
        """Ids of accounts by identity, creating rows (and roll-ups) for the new ones."""
        known_ids, pending = self._account_ids, self._pending_ids
        wanted: dict[str, tuple[Identity, Account]] = {}
        found: dict[Identity, int] = {}
        for account in accounts:
            identity = account.identity
            if identity in found:
                continue
            known = known_ids.get(identity) or pending.get(identity)
            if known is not None:
                found[identity] = known
            else:
                wanted[ident_of(identity)] = (identity, account)
        if not wanted:
            return found
        missing = list(wanted)
        for chunk in _chunks(missing):
            marks = ",".join("?" * len(chunk))
            for ident, account_id in self._query(
                f"SELECT ident, id FROM accounts WHERE ident IN ({marks})", chunk
            ):
                identity = wanted[ident][0]
                found[identity] = account_id
                self._remember(identity, account_id)
        new = [(ident, *wanted[ident]) for ident in missing if wanted[ident][0] not in found]
        if new:
            self._create_accounts(new, found)
        return found

    def _remember(self, identity: Identity, account_id: int) -> None:
        if len(self._account_ids) > _CACHE_LIMIT:
            self._account_ids.clear()
            self._rollups_of.clear()
        self._account_ids[identity] = account_id

    def _create_accounts(
        self, new: list[tuple[str, Identity, Account]], found: dict[Identity, int]
    ) -> None:
        next_id = int(self._query("SELECT COALESCE(MAX(id), 0) FROM accounts")[0][0]) + 1
        rows = []
        for ident, identity, account in new:
            account_id = next_id
            next_id += 1
            found[identity] = account_id
            self._pending_ids[identity] = account_id
            self._accounts_by_id[account_id] = account
            level = None if account.level is None else account.level.value
            rows.append(
                (
                    account_id,
                    ident,
                    account.code,
                    account.patient,
                    account.payer,
                    level,
                    account.claim,
                    account.line,
                )
            )
        self._execute_many(
            "INSERT INTO accounts (id, ident, code, patient, payer, level, claim, line) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    def _rollup_ids(self, idents: set[str]) -> dict[str, int]:
        """Ids of the roll-ups named by ``idents``, creating the missing rows."""
        cache, pending = self._rollup_cache, self._pending_rollups
        found: dict[str, int] = {}
        unknown = []
        for ident in idents:
            known = cache.get(ident) or pending.get(ident)
            if known is None:
                unknown.append(ident)
            else:
                found[ident] = known
        for chunk in _chunks(unknown):
            marks = ",".join("?" * len(chunk))
            for ident, rollup_id in self._query(
                f"SELECT ident, id FROM rollups WHERE ident IN ({marks})", chunk
            ):
                found[ident] = cache[ident] = rollup_id
        fresh = sorted(ident for ident in unknown if ident not in found)
        if fresh:
            next_id = int(self._query("SELECT COALESCE(MAX(id), 0) FROM rollups")[0][0]) + 1
            for number, ident in enumerate(fresh, start=next_id):
                found[ident] = pending[ident] = number
            self._execute_many(
                "INSERT INTO rollups (id, ident, balance) VALUES (?, ?, 0)",
                [(found[ident], ident) for ident in fresh],
            )
        if len(cache) > _CACHE_LIMIT:
            cache.clear()
        return found

    def _rollups_for(self, accounts: dict[int, Account]) -> dict[int, tuple[int, ...]]:
        """The roll-up ids each account feeds (derived from its dimensions, see ROLLUPS)."""
        result: dict[int, tuple[int, ...]] = {}
        unknown: dict[int, list[str]] = {}
        for account_id, account in accounts.items():
            members = self._rollups_of.get(account_id)
            if members is None:
                unknown[account_id] = rollup_idents(account)
            else:
                result[account_id] = members
        if unknown:
            ids = self._rollup_ids({ident for group in unknown.values() for ident in group})
            if len(self._rollups_of) > _CACHE_LIMIT:
                self._rollups_of.clear()
            for account_id, group in unknown.items():
                result[account_id] = self._rollups_of[account_id] = tuple(ids[i] for i in group)
        return result

    # -- writing ----------------------------------------------------------------------

    def append(self, entries: Sequence[JournalEntry]) -> None:
        """Write ``entries`` and their balances in one transaction: all of them, or none."""
        with self.transaction():
            self._append(entries)

    def _append(self, entries: Sequence[JournalEntry]) -> None:
        self.check_claims(entries)
        ids = self._ids_of(p.account for entry in entries for p in entry.postings)
        seq = int(self._query("SELECT COALESCE(MAX(seq), 0) FROM entries")[0][0])
        entry_rows: list[Row] = []
        posting_rows: list[Row] = []
        account_delta: dict[int, int] = {}
        account_of: dict[int, Account] = {}
        day_delta: dict[tuple[int, int], int] = {}
        subjects: set[tuple[str, int]] = set()
        claims: dict[str, tuple[str | None, int | None]] = {}
        closed_through: int | None = None
        last_recorded: object = None
        recorded_text = ""
        for entry in entries:
            seq += 1
            refs = entry.references
            recorded = entry.recorded_at
            if recorded is None:
                raise LedgerError(f"entry {entry.key!r} has no recorded_at")
            if recorded is not last_recorded:  # a batch usually shares one instant
                last_recorded, recorded_text = recorded, recorded.isoformat()
            day = entry.effective.toordinal()
            service_date = refs.service_date
            entry_rows.append(
                (
                    seq,
                    entry.key,
                    entry.kind.value,
                    day,
                    recorded_text,
                    entry.memo,
                    refs.patient,
                    refs.payer,
                    refs.claim,
                    refs.line,
                    refs.remittance,
                    refs.trace,
                    None if service_date is None else service_date.toordinal(),
                    entry.reverses,
                    entry.actor,
                    entry.source,
                )
            )
            if entry.kind is EntryKind.PERIOD_CLOSE:
                closed_through = max(day, closed_through or day)
            for position, posting in enumerate(entry.postings):
                account = posting.account
                account_id = ids[account.identity]
                cents = posting.cents
                posting_rows.append((seq, position, account_id, cents))
                account_delta[account_id] = account_delta.get(account_id, 0) + cents
                account_of[account_id] = account
                key = (account_id, day)
                day_delta[key] = day_delta.get(key, 0) + cents
                if account.claim is not None:
                    subjects.add(("c:" + account.claim, seq))
                    if account.patient is not None and account.claim not in claims:
                        claims[account.claim] = (account.patient, None)
                if account.patient is not None:
                    subjects.add(("p:" + account.patient, seq))
            if refs.claim is not None:
                subjects.add(("c:" + refs.claim, seq))
                patient, served = claims.get(refs.claim, (None, None))
                claims[refs.claim] = (
                    patient or refs.patient,
                    served or (None if service_date is None else service_date.toordinal()),
                )
            if refs.patient is not None:
                subjects.add(("p:" + refs.patient, seq))
        self._execute_many(
            f"INSERT INTO entries ({_ENTRY_COLUMNS}) VALUES ({','.join('?' * 16)})", entry_rows
        )
        self._execute_many(
            "INSERT INTO postings (entry_seq, position, account_id, cents) VALUES (?, ?, ?, ?)",
            posting_rows,
        )
        self._apply_deltas(account_delta, account_of, day_delta)
        if subjects:
            self._execute_many(
                "INSERT INTO subjects (subject, seq) VALUES (?, ?) ON CONFLICT DO NOTHING",
                sorted(subjects),
            )
        if claims:
            self._execute_many(
                "INSERT INTO claims (claim, patient, service_date) VALUES (?, ?, ?) "
                "ON CONFLICT (claim) DO UPDATE SET "
                "patient = COALESCE(claims.patient, excluded.patient), "
                "service_date = COALESCE(claims.service_date, excluded.service_date)",
                [(claim, patient, served) for claim, (patient, served) in claims.items()],
            )
        if closed_through is not None:
            self._execute_many(
                "INSERT INTO ledger_meta (name, value) VALUES ('closed_through', ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                [(closed_through,)],
            )

    def _apply_deltas(
        self,
        account_delta: dict[int, int],
        account_of: dict[int, Account],
        day_delta: dict[tuple[int, int], int],
    ) -> None:
        rollup_delta: dict[int, int] = {}
        for account_id, members in self._rollups_for(account_of).items():
            cents = account_delta[account_id]
            for rollup_id in members:
                rollup_delta[rollup_id] = rollup_delta.get(rollup_id, 0) + cents
        self._execute_many(
            "UPDATE accounts SET balance = balance + ? WHERE id = ?",
            [(cents, account_id) for account_id, cents in account_delta.items()],
        )
        self._execute_many(
            "UPDATE rollups SET balance = balance + ? WHERE id = ?",
            [(cents, rollup_id) for rollup_id, cents in rollup_delta.items()],
        )
        self._execute_many(
            "INSERT INTO daily (account_id, day, cents) VALUES (?, ?, ?) "
            "ON CONFLICT (account_id, day) DO UPDATE SET cents = daily.cents + excluded.cents",
            [(account_id, day, cents) for (account_id, day), cents in day_delta.items()],
        )

    def close_account(self, account: Account) -> None:
        """Mark ``account`` closed; later postings to it are refused."""
        with self.transaction():
            self._close(account)

    def _close(self, account: Account) -> None:
        account_id = self._ids_of([account])[account.identity]
        self._execute_many("UPDATE accounts SET closed = 1 WHERE id = ?", [(account_id,)])

    # -- keys, reversals, claims --------------------------------------------------------

    def sync(self) -> None:
        """Nothing to catch up with: every answer is read from the database."""

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        return bool(self._query("SELECT 1 FROM entries WHERE key = ?", (key,)))

    def known_keys(self, keys: Sequence[str]) -> set[str]:
        """Which of ``keys`` were posted already (one query per 500 keys)."""
        found: set[str] = set()
        for chunk in _chunks(list(keys)):
            marks = ",".join("?" * len(chunk))
            found.update(
                row[0]
                for row in self._query(f"SELECT key FROM entries WHERE key IN ({marks})", chunk)
            )
        return found

    def __len__(self) -> int:
        # seqs are contiguous from 1: nothing is ever deleted, and a rolled-back
        # transaction leaves no seq behind
        return int(self._query("SELECT COALESCE(MAX(seq), 0) FROM entries")[0][0])

    def reversal_of(self, key: str) -> str | None:
        rows = self._query("SELECT key FROM entries WHERE reverses = ?", (key,))
        return rows[0][0] if rows else None

    def claim_patient(self, claim: str) -> str | None:
        rows = self._query("SELECT patient FROM claims WHERE claim = ?", (claim,))
        return rows[0][0] if rows else None

    def service_date(self, claim: str) -> pendulum.Date | None:
        rows = self._query("SELECT service_date FROM claims WHERE claim = ?", (claim,))
        return _date(rows[0][0]) if rows else None

    def check_claims(self, entries: Sequence[JournalEntry]) -> None:
        """Refuse postings that put one claim under two patients (read inside the lock)."""
        owners: dict[str, str] = {}
        for entry in entries:
            for posting in entry.postings:
                account = posting.account
                if account.claim is not None and account.patient is not None:
                    owners.setdefault(account.claim, account.patient)
        claims = list(owners)
        for chunk in _chunks(claims):
            marks = ",".join("?" * len(chunk))
            for claim, patient in self._query(
                f"SELECT claim, patient FROM claims WHERE patient IS NOT NULL AND claim IN ({marks})",
                chunk,
            ):
                owners[claim] = patient
        for entry in entries:
            for posting in entry.postings:
                account = posting.account
                if (
                    account.claim is not None
                    and account.patient is not None
                    and owners[account.claim] != account.patient
                ):
                    raise LedgerError(
                        f"entry {entry.key!r}: claim {account.claim!r} belongs to another patient"
                    )

    def is_closed(self, account: Account) -> bool:
        rows = self._query(
            "SELECT closed FROM accounts WHERE ident = ?", (ident_of(account.identity),)
        )
        return bool(rows and rows[0][0])

    def has_closed_accounts(self) -> bool:
        return bool(self._query("SELECT 1 FROM accounts WHERE closed = 1 LIMIT 1"))

    def closed_through(self) -> pendulum.Date | None:
        """The last day of the last closed period, if any."""
        rows = self._query("SELECT value FROM ledger_meta WHERE name = 'closed_through'")
        return _date(int(rows[0][0])) if rows else None

    # -- balances ---------------------------------------------------------------------

    def balance(self, account: Account, as_of: pendulum.Date | None = None) -> Decimal:
        ident = ident_of(account.identity)
        if as_of is None:
            rows = self._query("SELECT balance FROM accounts WHERE ident = ?", (ident,))
        else:
            rows = self._query(
                "SELECT COALESCE(SUM(d.cents), 0) FROM accounts a "
                "JOIN daily d ON d.account_id = a.id WHERE a.ident = ? AND d.day <= ?",
                (ident, as_of.toordinal()),
            )
        return _money(int(rows[0][0])) if rows else _money(0)

    def total(
        self, code: str, dims: dict[str, object], as_of: pendulum.Date | None = None
    ) -> Decimal:
        key = rollup_key(code, dims)
        if key is not None and as_of is None:
            rows = self._query("SELECT balance FROM rollups WHERE ident = ?", (ident_of(key),))
            return _money(int(rows[0][0])) if rows else _money(0)
        if "claim" in dims:  # a claim belongs to one patient: the claim's index decides
            dims = {name: value for name, value in dims.items() if name != "patient"}
        where = ["a.code = ?"]
        params: list[Any] = [code]
        for name, value in dims.items():
            where.append(f"a.{name} = ?")
            params.append(value.value if isinstance(value, Priority) else value)
        if as_of is None:
            sql = f"SELECT COALESCE(SUM(a.balance), 0) FROM accounts a WHERE {' AND '.join(where)}"
        else:
            sql = (
                "SELECT COALESCE(SUM(d.cents), 0) FROM accounts a "
                f"JOIN daily d ON d.account_id = a.id WHERE {' AND '.join(where)} AND d.day <= ?"
            )
            params.append(as_of.toordinal())
        return _money(int(self._query(sql, params)[0][0]))

    def accounts(
        self, code: str | None = None, *, claim: str | None = None, patient: str | None = None
    ) -> Iterator[Account]:
        where = []
        params: list[Any] = []
        for name, value in (("code", code), ("claim", claim), ("patient", patient)):
            if value is not None:
                where.append(f"{name} = ?")
                params.append(value)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        rows = self._query(
            f"SELECT id, code, patient, payer, level, claim, line FROM accounts {clause} "
            "ORDER BY id",
            params,
        )
        return iter([self._account(row) for row in rows])

    def codes(self) -> list[str]:
        return [row[0] for row in self._query("SELECT DISTINCT code FROM accounts ORDER BY code")]

    def receivables(self, as_of: pendulum.Date) -> Iterator[Receivable]:
        """Receivable accounts, cents as of ``as_of`` and first debit: one grouped query."""
        rows = self._query(
            "SELECT a.code, a.payer, a.claim, "
            "SUM(CASE WHEN d.day <= ? THEN d.cents ELSE 0 END), "
            "MIN(CASE WHEN d.cents > 0 THEN d.day END) "
            "FROM accounts a JOIN daily d ON d.account_id = a.id "
            "WHERE a.code IN ('insurance_receivable', 'patient_receivable') "
            "GROUP BY a.id",  # the primary key: code, payer, claim follow from it
            (as_of.toordinal(),),
        )
        for code, payer, claim, cents, first in rows:
            yield code, payer, claim, int(cents), first

    def service_days(self) -> dict[str, int]:
        """Each claim's first date of service (a day ordinal), where recorded."""
        return dict(
            self._query("SELECT claim, service_date FROM claims WHERE service_date IS NOT NULL")
        )

    def first_debit(self, account: Account) -> pendulum.Date | None:
        rows = self._query(
            "SELECT MIN(d.day) FROM accounts a JOIN daily d ON d.account_id = a.id "
            "WHERE a.ident = ? AND d.cents > 0",
            (ident_of(account.identity),),
        )
        return _date(rows[0][0]) if rows else None

    # -- batch reads (a remittance plan reads thousands of claims at once) --------------

    def balances(self, accounts: Sequence[Account]) -> dict[Account, Decimal]:
        """The current debit-positive balance of each of ``accounts`` (one query per 500)."""
        wanted = {ident_of(a.identity): a for a in accounts}
        found = dict.fromkeys(wanted.values(), _money(0))
        for chunk in _chunks(list(wanted)):
            marks = ",".join("?" * len(chunk))
            for ident, cents in self._query(
                f"SELECT ident, balance FROM accounts WHERE ident IN ({marks})", chunk
            ):
                found[wanted[ident]] = _money(int(cents))
        return found

    def claim_balances(self, claims: Sequence[str]) -> dict[Account, Decimal]:
        """Every account on one of ``claims`` with its current balance (one query per 500)."""
        found: dict[Account, Decimal] = {}
        for chunk in _chunks(list(claims)):
            marks = ",".join("?" * len(chunk))
            for *row, cents in self._query(
                "SELECT id, code, patient, payer, level, claim, line, balance FROM accounts "
                f"WHERE claim IN ({marks}) ORDER BY id",
                chunk,
            ):
                found[self._account(row)] = _money(int(cents))
        return found

    def claim_owners(
        self, claims: Sequence[str]
    ) -> dict[str, tuple[str | None, pendulum.Date | None]]:
        """The patient and first date of service of each of ``claims`` the ledger knows."""
        found: dict[str, tuple[str | None, pendulum.Date | None]] = {}
        for chunk in _chunks(list(claims)):
            marks = ",".join("?" * len(chunk))
            for claim, patient, day in self._query(
                f"SELECT claim, patient, service_date FROM claims WHERE claim IN ({marks})", chunk
            ):
                found[claim] = (patient, _date(day))
        return found

    def claim_entries_of(
        self, claims: Sequence[str], kinds: Sequence[EntryKind]
    ) -> dict[str, list[JournalEntry]]:
        """The entries of ``kinds`` about each of ``claims``, in posting order, with the
        keys of the entries reversing them (``reversal_of``) answered by :meth:`reversals`."""
        found: dict[str, list[JournalEntry]] = {}
        kind_marks = ",".join("?" * len(kinds))
        for chunk in _chunks(list(claims)):
            marks = ",".join("?" * len(chunk))
            rows = self._query(
                f"SELECT DISTINCT s.subject, {', '.join('e.' + c.strip() for c in _ENTRY_COLUMNS.split(','))} "
                "FROM subjects s JOIN entries e ON e.seq = s.seq "
                f"WHERE s.subject IN ({marks}) AND e.kind IN ({kind_marks}) ORDER BY e.seq",
                ["c:" + claim for claim in chunk] + [kind.value for kind in kinds],
            )
            entries = {e.key: e for e in self._entries([row[1:] for row in rows])}
            for row in rows:
                found.setdefault(row[0][2:], []).append(entries[row[2]])
        return found

    def reversals(self, keys: Sequence[str]) -> dict[str, str]:
        """For each of ``keys`` that was reversed, the key of its reversal."""
        found: dict[str, str] = {}
        for chunk in _chunks(list(keys)):
            marks = ",".join("?" * len(chunk))
            found.update(
                self._query(f"SELECT reverses, key FROM entries WHERE reverses IN ({marks})", chunk)
            )
        return found

    # -- entries ----------------------------------------------------------------------

    def _entries(self, rows: list[Row]) -> list[JournalEntry]:
        """Entries for ``rows`` of ``_ENTRY_COLUMNS`` (their postings read in one go)."""
        if not rows:
            return []
        postings: dict[int, list[Posting]] = {row[0]: [] for row in rows}
        seqs = sorted(postings)
        for chunk in _chunks(seqs):
            marks = ",".join("?" * len(chunk))
            for seq, cents, *account_row in self._query(
                "SELECT p.entry_seq, p.cents, a.id, a.code, a.patient, a.payer, a.level, "
                "a.claim, a.line FROM postings p JOIN accounts a ON a.id = p.account_id "
                f"WHERE p.entry_seq IN ({marks}) ORDER BY p.entry_seq, p.position",
                chunk,
            ):
                postings[seq].append(Posting(self._account(account_row), _money(cents)))
        return [self._entry(row, postings[row[0]]) for row in rows]

    def _entry(self, row: Sequence[Any], postings: list[Posting]) -> JournalEntry:
        return entry_from_row(row, postings)

    def get(self, key: str) -> JournalEntry | None:
        """The entry with key ``key``, read from the database now."""
        rows = self._query(f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE key = ?", (key,))
        found = self._entries(rows)
        return found[0] if found else None

    def _subject_sql(self, claim: str | None, patient: str | None) -> tuple[str, list[Any]]:
        if claim is not None and patient is not None:
            return (
                "seq IN (SELECT seq FROM subjects WHERE subject = ? "
                "INTERSECT SELECT seq FROM subjects WHERE subject = ?)",
                ["c:" + claim, "p:" + patient],
            )
        if claim is not None:
            return "seq IN (SELECT seq FROM subjects WHERE subject = ?)", ["c:" + claim]
        if patient is not None:
            return "seq IN (SELECT seq FROM subjects WHERE subject = ?)", ["p:" + patient]
        return "1 = 1", []

    def entries(
        self, *, claim: str | None = None, patient: str | None = None
    ) -> Iterator[JournalEntry]:
        """Entries in posting order, optionally only those about a claim or a patient."""
        where, params = self._subject_sql(claim, patient)
        rows = self._query(
            f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE {where} ORDER BY seq", params
        )
        return iter(self._entries(rows))

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
            where = (
                "seq IN (SELECT p.entry_seq FROM postings p JOIN accounts a "
                "ON a.id = p.account_id WHERE a.ident = ?)"
            )
            params: list[Any] = [ident_of(account.identity)]
        else:
            where, params = self._subject_sql(claim, patient)
        rows = self._query(
            f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE {where} ORDER BY seq LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return self._entries(rows)

    def entries_between(self, start: pendulum.Date, end: pendulum.Date) -> list[JournalEntry]:
        """Entries effective from ``start`` through ``end``, in posting order."""
        rows = self._query(
            f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE effective >= ? AND effective <= ? "
            "ORDER BY seq",
            (start.toordinal(), end.toordinal()),
        )
        return self._entries(rows)

    # -- deposits ---------------------------------------------------------------------

    def _deposit(self, row: Sequence[Any]) -> Deposit:
        return Deposit(
            id=row[0],
            amount=_money(int(row[1])),
            received_on=pendulum.Date.fromordinal(row[2]),
            trace=row[3],
            batch=_date(row[4]),
            actor=row[5],
        )

    def add_deposit(self, deposit: Deposit) -> Deposit:
        """Record ``deposit``; the same id again returns the first (or raises if it differs)."""
        with self.transaction():
            rows = self._query(
                "SELECT id, amount, received_on, trace, batch, actor FROM deposits WHERE id = ?",
                (deposit.id,),
            )
            if rows:
                earlier = self._deposit(rows[0])
                if not earlier.same_content(deposit):
                    raise DuplicateEntryError(deposit.id)
                return earlier
            self._execute_many(
                "INSERT INTO deposits (id, amount, received_on, trace, batch, actor) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        deposit.id,
                        int(deposit.amount.scaleb(2)),
                        deposit.received_on.toordinal(),
                        deposit.trace,
                        None if deposit.batch is None else deposit.batch.toordinal(),
                        deposit.actor,
                    )
                ],
            )
            return deposit

    def deposits(self, start: pendulum.Date, end: pendulum.Date) -> list[Deposit]:
        """Deposits received from ``start`` through ``end``, in the order recorded."""
        rows = self._query(
            "SELECT id, amount, received_on, trace, batch, actor FROM deposits "
            "WHERE received_on >= ? AND received_on <= ? ORDER BY received_on, id",
            (start.toordinal(), end.toordinal()),
        )
        return [self._deposit(row) for row in rows]
