"""The embedded default store: one SQLite file (standard-library ``sqlite3``, WAL mode).

Layout (schema version 1, kept in ``PRAGMA user_version``)::

    accounts(id, code, patient, payer, level, claim, line, closed)
    entries(seq, key UNIQUE, kind, effective, recorded_at, memo, patient, payer, claim,
            line, remittance, trace, service_date, reverses UNIQUE)
    postings(entry_seq, position, account_id, cents)        -- amounts in whole cents

Each batch is written in one ``BEGIN IMMEDIATE`` transaction; with ``synchronous=FULL``
(the default) a committed batch survives a crash or a power loss, and a batch interrupted
before its commit leaves nothing (SQLite's atomic commit). Balances are not stored: the
store keeps the same in-memory index as :class:`~medbill.ledger.MemoryStore`, built on
open from one pass over the postings (O(journal)), then kept up to date on every append.
Before each append and each question the store checks ``PRAGMA data_version`` and reads
what other connections committed in between, so several processes may share the file.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any, Final

import pendulum

from medbill._errors import DuplicateEntryError, LedgerError
from medbill._parties import Priority
from medbill.ledger._accounts import Account
from medbill.ledger._entries import EntryKind, JournalEntry, Posting, References
from medbill.ledger._stores._base import IndexedStore

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "SqliteStore"]

MIGRATIONS: Final[tuple[str, ...]] = (
    # version 1: the initial layout
    """
    CREATE TABLE accounts (
        id INTEGER PRIMARY KEY,
        code TEXT NOT NULL,
        patient TEXT, payer TEXT, level TEXT, claim TEXT, line TEXT,
        closed INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE entries (
        seq INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        effective INTEGER NOT NULL,
        recorded_at TEXT NOT NULL,
        memo TEXT NOT NULL,
        patient TEXT, payer TEXT, claim TEXT, line TEXT,
        remittance TEXT, trace TEXT, service_date INTEGER,
        reverses TEXT UNIQUE
    );
    CREATE TABLE postings (
        entry_seq INTEGER NOT NULL,
        position INTEGER NOT NULL,
        account_id INTEGER NOT NULL,
        cents INTEGER NOT NULL,
        PRIMARY KEY (entry_seq, position)
    ) WITHOUT ROWID;
    """,
)
"""SQL scripts; script ``n`` (0-based) moves the schema from version ``n`` to ``n + 1``."""

SCHEMA_VERSION: Final = len(MIGRATIONS)

_ENTRY_COLUMNS: Final = (
    "seq, key, kind, effective, recorded_at, memo, patient, payer, claim, line, "
    "remittance, trace, service_date, reverses"
)


def _date(ordinal: int | None) -> pendulum.Date | None:
    return None if ordinal is None else pendulum.Date.fromordinal(ordinal)


class SqliteStore(IndexedStore):
    """Entries in an SQLite file; balances in the shared in-memory index.

    One store (one connection) is not safe to share between threads without a lock; give
    each thread its own ``Ledger.open(path)``, or each process: they see each other's
    commits.

    >>> import tempfile, pathlib
    >>> from medbill.ledger import SqliteStore
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     store = SqliteStore(pathlib.Path(folder) / "ledger.sqlite")
    ...     print(store.schema_version, len(store))
    ...     store.close()
    1 0
    """

    def __init__(self, path: str | os.PathLike[str], *, synchronous: str = "FULL") -> None:
        super().__init__()
        if synchronous.upper() not in {"FULL", "NORMAL", "EXTRA"}:
            raise LedgerError(f"synchronous must be FULL, NORMAL or EXTRA (got {synchronous!r})")
        self._path = os.fspath(path)
        self._conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute(f"PRAGMA synchronous={synchronous.upper()}")
        try:
            self._migrate()
        except BaseException:
            self._conn.close()
            raise
        self._db_ids: dict[tuple[str | None, ...], int] = {}
        self._accounts_by_db_id: dict[int, Account] = {}
        self._last_seq = 0
        self._last_account = 0
        self._data_version = -1
        self._refresh()

    # -- schema ----------------------------------------------------------------------

    @property
    def schema_version(self) -> int:
        """The version of the file's schema (``PRAGMA user_version``)."""
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            version = self.schema_version
            if version > SCHEMA_VERSION:
                raise LedgerError(
                    f"ledger file {self._path!r} has schema version {version}; this medbill "
                    f"knows up to {SCHEMA_VERSION}"
                )
            for number in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[number].split(";"):
                    if statement.strip():
                        self._conn.execute(statement)
                self._conn.execute(f"PRAGMA user_version={number + 1}")
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise

    # -- reading what is on disk -------------------------------------------------------

    def _changed(self) -> bool:
        version = int(self._conn.execute("PRAGMA data_version").fetchone()[0])
        if version == self._data_version:
            return False
        self._data_version = version
        return True

    def _refresh(self) -> None:
        """Fold into the index whatever was committed since we last looked."""
        if not self._changed():
            return
        conn = self._conn
        for row in conn.execute(
            "SELECT id, code, patient, payer, level, claim, line, closed FROM accounts "
            "WHERE id > ? ORDER BY id",
            (self._last_account,),
        ):
            account = Account(
                code=row[1],
                patient=row[2],
                payer=row[3],
                level=None if row[4] is None else Priority(row[4]),
                claim=row[5],
                line=row[6],
            )
            self._db_ids[account.identity] = row[0]
            self._accounts_by_db_id[row[0]] = account
            self._last_account = row[0]
        for (account_id,) in conn.execute("SELECT id FROM accounts WHERE closed = 1"):
            self._index.closed.add(self._accounts_by_db_id[account_id])
        since = self._last_seq
        last = conn.execute("SELECT MAX(seq) FROM entries").fetchone()[0]
        if last is None or last <= since:
            return
        index = self._index
        accounts = self._accounts_by_db_id
        # balances: one row per account and effective date, summed by SQLite
        for account_id, day, cents in conn.execute(
            "SELECT p.account_id, e.effective, SUM(p.cents) FROM postings p "
            "JOIN entries e ON e.seq = p.entry_seq WHERE p.entry_seq > ? AND p.entry_seq <= ? "
            "GROUP BY p.account_id, e.effective ORDER BY p.account_id, e.effective",
            (since, last),
        ):
            index.add_delta(accounts[account_id], day, cents)
        for seq, key, reverses, patient, claim, service_date in conn.execute(
            "SELECT seq, key, reverses, patient, claim, service_date FROM entries "
            "WHERE seq > ? AND seq <= ? ORDER BY seq",
            (since, last),
        ):
            index.note_entry(seq, key, reverses, patient, claim, _date(service_date))
        # which claims and patients each entry is about: its accounts and its references
        for seq, claim, patient in conn.execute(
            "SELECT seq, claim, patient FROM ("
            " SELECT DISTINCT p.entry_seq AS seq, a.claim AS claim, a.patient AS patient"
            " FROM postings p JOIN accounts a ON a.id = p.account_id"
            " WHERE p.entry_seq > ?1 AND p.entry_seq <= ?2"
            " UNION SELECT seq, claim, patient FROM entries WHERE seq > ?1 AND seq <= ?2"
            ") ORDER BY seq",
            (since, last),
        ):
            index.note_subject(seq, claim, patient)
        self._last_seq = last

    # -- writing ---------------------------------------------------------------------

    def append(self, entries: Sequence[JournalEntry]) -> None:
        """Write ``entries`` in one transaction: all of them, durably, or none."""
        conn = self._conn
        new_accounts: list[tuple[Any, ...]] = []
        conn.execute("BEGIN IMMEDIATE")
        try:
            self._refresh()
            for entry in entries:
                if entry.key in self._index.keys:
                    raise DuplicateEntryError(entry.key)
            entry_rows, posting_rows = self._rows(entries, new_accounts)
            if new_accounts:
                conn.executemany(
                    "INSERT INTO accounts (id, code, patient, payer, level, claim, line) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    new_accounts,
                )
            conn.executemany(
                f"INSERT INTO entries ({_ENTRY_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                entry_rows,
            )
            conn.executemany(
                "INSERT INTO postings (entry_seq, position, account_id, cents) VALUES (?, ?, ?, ?)",
                posting_rows,
            )
            conn.execute("COMMIT")
        except sqlite3.IntegrityError as error:
            self._rollback(new_accounts)
            raise LedgerError(f"the store refused the batch: {error}") from error
        except BaseException:
            self._rollback(new_accounts)
            raise
        self._data_version = int(conn.execute("PRAGMA data_version").fetchone()[0])
        seq = self._last_seq
        index = self._index
        for entry in entries:
            seq += 1
            index.add(entry, seq)
        self._last_seq = seq

    def _rollback(self, new_accounts: list[tuple[Any, ...]]) -> None:
        self._conn.execute("ROLLBACK")
        for row in new_accounts:
            account = self._accounts_by_db_id.pop(row[0])
            del self._db_ids[account.identity]
        self._last_account = max(self._accounts_by_db_id, default=0)

    def _account_id(self, account: Account, new_accounts: list[tuple[Any, ...]]) -> int:
        self._last_account += 1
        account_id = self._last_account
        self._db_ids[account.identity] = account_id
        self._accounts_by_db_id[account_id] = account
        level = None if account.level is None else account.level.value
        new_accounts.append(
            (
                account_id,
                account.code,
                account.patient,
                account.payer,
                level,
                account.claim,
                account.line,
            )
        )
        return account_id

    def _rows(
        self, entries: Sequence[JournalEntry], new_accounts: list[tuple[Any, ...]]
    ) -> tuple[list[tuple[Any, ...]], list[tuple[int, int, int, int]]]:
        db_ids = self._db_ids
        entry_rows: list[tuple[Any, ...]] = []
        posting_rows: list[tuple[int, int, int, int]] = []
        seq = self._last_seq
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
            service_date = refs.service_date
            entry_rows.append(
                (
                    seq,
                    entry.key,
                    entry.kind.value,
                    entry.effective.toordinal(),
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
                )
            )
            for position, posting in enumerate(entry.postings):
                account = posting.account
                account_id = db_ids.get(account.identity)
                if account_id is None:
                    account_id = self._account_id(account, new_accounts)
                posting_rows.append((seq, position, account_id, posting.cents))
        return entry_rows, posting_rows

    def close_account(self, account: Account) -> None:
        """Mark ``account`` closed in the file; later postings to it are refused."""
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        new_accounts: list[tuple[Any, ...]] = []
        try:
            self._refresh()
            account_id = self._db_ids.get(account.identity)
            if account_id is None:
                account_id = self._account_id(account, new_accounts)
                conn.executemany(
                    "INSERT INTO accounts (id, code, patient, payer, level, claim, line) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    new_accounts,
                )
            conn.execute("UPDATE accounts SET closed = 1 WHERE id = ?", (account_id,))
            conn.execute("COMMIT")
        except BaseException:
            self._rollback(new_accounts)
            raise
        self._data_version = int(conn.execute("PRAGMA data_version").fetchone()[0])
        self._index.closed.add(account)

    def close(self) -> None:
        """Close the database connection."""
        self._conn.close()

    # -- reading entries ---------------------------------------------------------------

    def _entry(self, row: Sequence[Any]) -> JournalEntry:
        seq = row[0]
        postings = [
            Posting(self._accounts_by_db_id[account_id], _cents_to_money(cents))
            for account_id, cents in self._conn.execute(
                "SELECT account_id, cents FROM postings WHERE entry_seq = ? ORDER BY position",
                (seq,),
            )
        ]
        return JournalEntry(
            key=row[1],
            kind=EntryKind(row[2]),
            effective=pendulum.Date.fromordinal(row[3]),
            recorded_at=pendulum.parse(row[4]),  # type: ignore[arg-type]
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
            postings=postings,
        )

    def get(self, key: str) -> JournalEntry | None:
        """The entry with key ``key``, read from the file."""
        row = self._conn.execute(
            f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE key = ?", (key,)
        ).fetchone()
        return None if row is None else self._entry(row)

    def entries(
        self, *, claim: str | None = None, patient: str | None = None
    ) -> Iterator[JournalEntry]:
        """Entries in posting order, optionally only those about a claim or a patient."""
        self._refresh()
        chosen = self._selected(claim, patient)
        if chosen is None:
            rows = self._conn.execute(
                f"SELECT {_ENTRY_COLUMNS} FROM entries ORDER BY seq"
            ).fetchall()
        else:
            rows = [
                self._conn.execute(
                    f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE seq = ?", (seq,)
                ).fetchone()
                for seq in chosen
            ]
        return iter([self._entry(row) for row in rows])

    def sync(self) -> None:
        """Read what other connections committed since we last looked."""
        self._refresh()


def _cents_to_money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)
