"""The embedded default store: one SQLite file (standard-library ``sqlite3``, WAL mode).

Tables and costs are described in ``medbill.ledger._stores._sql``; the schema version is
kept in ``PRAGMA user_version`` (:data:`SCHEMA_VERSION`) and the file is stamped with
``PRAGMA application_id`` :data:`APPLICATION_ID`.

Opening refuses, with :class:`~medbill.LedgerFileError` and without writing a byte, any
file that is not a medbill ledger: a folder or a device, a file that is not SQLite (a text
file), a truncated file, another application's database (a foreign application id, or a
database with tables but no medbill stamp) and an unstamped file whose tables are not
medbill's for its schema version (ledgers written before the stamp existed are checked that
way, then stamped by their next migration). An empty file, like a missing one, is a new
ledger. The checks read the 100-byte header and the schema only, so opening stays O(1).

Each write runs in one ``BEGIN IMMEDIATE`` transaction that takes the file's write lock
before it reads anything, so the balance checks of the ledger and of its recipes see the
state their postings are applied to. With ``synchronous=FULL`` (the default) a committed
batch survives a crash or a power loss, and a batch interrupted before its commit leaves
nothing (SQLite's atomic commit). Opening and reading never take the write lock (WAL
readers do not block writers nor wait for them); a writer waits up to ``busy_timeout``
seconds for another, then raises :class:`~medbill.LedgerBusyError`.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Callable, Sequence
from typing import Any, Final

from medbill._errors import LedgerBusyError, LedgerError, LedgerFileError
from medbill._parties import Priority
from medbill.ledger._accounts import Account
from medbill.ledger._entries import Posting
from medbill.ledger._stores._sql import Row, SqlStore, entry_from_row, pack_postings

__all__ = [
    "APPLICATION_ID",
    "MIGRATIONS",
    "SCHEMA_V1",
    "SCHEMA_V2",
    "SCHEMA_V3",
    "SCHEMA_V4",
    "SCHEMA_VERSION",
    "SqliteStore",
]

APPLICATION_ID: Final = 0x6D64626C
"""``PRAGMA application_id`` of a medbill ledger: ``b"mdbl"`` read as a 32-bit integer."""

SCHEMA_V1: Final = """
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
"""
"""Version 1 (medbill 0.1): entries and postings only; balances were rebuilt on open."""

SCHEMA_V2: Final = """
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    ident TEXT NOT NULL UNIQUE,
    code TEXT NOT NULL,
    patient TEXT, payer TEXT, level TEXT, claim TEXT, line TEXT,
    closed INTEGER NOT NULL DEFAULT 0,
    balance INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX accounts_code ON accounts (code);
CREATE INDEX accounts_claim ON accounts (claim, code) WHERE claim IS NOT NULL;
CREATE INDEX accounts_closed ON accounts (id) WHERE closed = 1;
CREATE INDEX accounts_patient ON accounts (patient) WHERE patient IS NOT NULL;
CREATE TABLE rollups (
    id INTEGER PRIMARY KEY,
    ident TEXT NOT NULL UNIQUE,
    balance INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE daily (
    account_id INTEGER NOT NULL,
    day INTEGER NOT NULL,
    cents INTEGER NOT NULL,
    PRIMARY KEY (account_id, day)
) WITHOUT ROWID;
CREATE TABLE entries (
    seq INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    effective INTEGER NOT NULL,
    recorded_at TEXT NOT NULL,
    memo TEXT NOT NULL,
    patient TEXT, payer TEXT, claim TEXT, line TEXT,
    remittance TEXT, trace TEXT, service_date INTEGER,
    reverses TEXT,
    actor TEXT, source TEXT
);
CREATE INDEX entries_effective ON entries (effective);
CREATE UNIQUE INDEX entries_reverses ON entries (reverses) WHERE reverses IS NOT NULL;
CREATE TABLE postings (
    entry_seq INTEGER NOT NULL,
    position INTEGER NOT NULL,
    account_id INTEGER NOT NULL,
    cents INTEGER NOT NULL,
    PRIMARY KEY (entry_seq, position)
) WITHOUT ROWID;
CREATE INDEX postings_account ON postings (account_id, entry_seq);
CREATE TABLE subjects (
    subject TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (subject, seq)
) WITHOUT ROWID;
CREATE TABLE claims (claim TEXT PRIMARY KEY, patient TEXT, service_date INTEGER);
CREATE TABLE ledger_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE deposits (
    id TEXT PRIMARY KEY,
    amount INTEGER NOT NULL,
    received_on INTEGER NOT NULL,
    trace TEXT, batch INTEGER, actor TEXT
);
CREATE INDEX deposits_received_on ON deposits (received_on);
"""
"""Version 2: balances, roll-ups, per-day deltas and look-ups in the database."""

_WIDE_CODE_INDEX: Final = "CREATE INDEX accounts_code ON accounts (code, payer, claim)"
SCHEMA_V3: Final = SCHEMA_V2.replace(
    "    actor TEXT, source TEXT\n", "    actor TEXT, source TEXT, provider TEXT\n"
).replace("CREATE INDEX accounts_code ON accounts (code)", _WIDE_CODE_INDEX)
"""Version 3: entries name the provider they are about (``References.provider``); the
accounts' code index also holds payer and claim, so aging groups the receivables in
index order."""

_POSTINGS_TABLE: Final = """CREATE TABLE postings (
    entry_seq INTEGER NOT NULL,
    position INTEGER NOT NULL,
    account_id INTEGER NOT NULL,
    cents INTEGER NOT NULL,
    PRIMARY KEY (entry_seq, position)
) WITHOUT ROWID;
CREATE INDEX postings_account ON postings (account_id, entry_seq);
"""
_PACKED_COLUMN: Final = "postings TEXT NOT NULL DEFAULT '[]'"
_FIRST_DEBIT_COLUMN: Final = "first_debit INTEGER"
SCHEMA_V4: Final = (
    SCHEMA_V3.replace(_POSTINGS_TABLE, "")
    .replace(
        "    actor TEXT, source TEXT, provider TEXT\n",
        f"    actor TEXT, source TEXT, provider TEXT,\n    {_PACKED_COLUMN}\n",
    )
    .replace(
        "    balance INTEGER NOT NULL DEFAULT 0\n);\nCREATE INDEX accounts_code",
        f"    balance INTEGER NOT NULL DEFAULT 0,\n    {_FIRST_DEBIT_COLUMN}\n);\n"
        "CREATE INDEX accounts_code",
    )
)
"""Version 4: an entry's postings are packed into its row (``entries.postings``, see
``medbill.ledger._stores._sql``), so the ``postings`` table and its index by account are
gone; a receivable account keeps its first day of growth (``accounts.first_debit``)."""


def _script(conn: sqlite3.Connection, script: str) -> None:
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


def _to_v1(store: SqliteStore) -> None:
    _script(store._conn, SCHEMA_V1)


def _to_v2(store: SqliteStore) -> None:
    """Move the v1 tables aside, create v2, re-post every v1 entry in order, drop v1."""
    conn = store._conn
    for table in ("accounts", "entries", "postings"):
        conn.execute(f"ALTER TABLE {table} RENAME TO {table}_v1")
    _script(conn, SCHEMA_V2)
    _add_provider(store)  # the entries are re-posted with today's columns
    _add_packed(store)
    accounts: dict[int, Account] = {}
    for row in conn.execute(
        "SELECT id, code, patient, payer, level, claim, line FROM accounts_v1"
    ).fetchall():
        accounts[row[0]] = Account(
            code=row[1],
            patient=row[2],
            payer=row[3],
            level=None if row[4] is None else Priority(row[4]),
            claim=row[5],
            line=row[6],
        )
    last = 0
    while True:
        rows = conn.execute(
            "SELECT seq, key, kind, effective, recorded_at, memo, patient, payer, claim, line, "
            "remittance, trace, service_date, reverses FROM entries_v1 WHERE seq > ? "
            "ORDER BY seq LIMIT 5000",
            (last,),
        ).fetchall()
        if not rows:
            break
        postings: dict[int, list[Posting]] = {row[0]: [] for row in rows}
        for seq, account_id, cents in conn.execute(
            "SELECT entry_seq, account_id, cents FROM postings_v1 "
            "WHERE entry_seq > ? AND entry_seq <= ? ORDER BY entry_seq, position",
            (last, rows[-1][0]),
        ):
            postings[seq].append(Posting(accounts[account_id], store._money(cents)))
        store._append([entry_from_row(row, postings[row[0]]) for row in rows])
        last = rows[-1][0]
    closed = [
        accounts[account_id]
        for (account_id,) in conn.execute("SELECT id FROM accounts_v1 WHERE closed = 1")
    ]
    for account in closed:
        store._close(account)
    for table in ("postings", "entries", "accounts"):
        conn.execute(f"DROP TABLE {table}_v1")


def _add_provider(store: SqliteStore) -> None:
    columns = {row[1] for row in store._conn.execute("PRAGMA table_info(entries)")}
    if "provider" not in columns:
        store._conn.execute("ALTER TABLE entries ADD COLUMN provider TEXT")


def _to_v3(store: SqliteStore) -> None:
    """Add ``entries.provider`` (NULL for the entries already posted: the activity report
    attributes an entry on a claim to the claim's charge provider, none when unknown) and
    widen the code index to (code, payer, claim)."""
    _add_provider(store)
    store._conn.execute("DROP INDEX IF EXISTS accounts_code")
    store._conn.execute(_WIDE_CODE_INDEX)


def _add_packed(store: SqliteStore) -> None:
    """Add version 4's columns where they are missing (today's ``_append`` writes them)."""
    conn = store._conn
    if "postings" not in {row[1] for row in conn.execute("PRAGMA table_info(entries)")}:
        conn.execute(f"ALTER TABLE entries ADD COLUMN {_PACKED_COLUMN}")
    if "first_debit" not in {row[1] for row in conn.execute("PRAGMA table_info(accounts)")}:
        conn.execute(f"ALTER TABLE accounts ADD COLUMN {_FIRST_DEBIT_COLUMN}")


def _to_v4(store: SqliteStore) -> None:
    """Pack every entry's postings into its row (``entries.postings``, in posting order),
    drop the ``postings`` table and its index, and note each receivable's first day of
    growth from its days (``accounts.first_debit``). One pass over the postings, in
    entry order, a chunk at a time; an entry without postings (a period close) keeps
    ``[]``."""
    conn = store._conn
    _add_packed(store)
    last = -1
    while True:
        rows = conn.execute(
            "SELECT entry_seq, account_id, cents FROM postings WHERE entry_seq > ? "
            "ORDER BY entry_seq, position LIMIT 30000",
            (last,),
        ).fetchall()
        if not rows:
            break
        if len(rows) == 30000:  # the last entry may go on in the next chunk: leave it
            cut = rows[-1][0]
            whole = [row for row in rows if row[0] != cut]
            rows = (
                whole
                or conn.execute(
                    "SELECT entry_seq, account_id, cents FROM postings WHERE entry_seq = ? "
                    "ORDER BY position",
                    (cut,),
                ).fetchall()
            )
        packed: dict[int, list[int]] = {}
        for seq, account_id, cents in rows:
            flat = packed.get(seq)
            if flat is None:
                flat = packed[seq] = []
            flat.append(account_id)
            flat.append(cents)
        conn.executemany(
            "UPDATE entries SET postings = ? WHERE seq = ?",
            [(pack_postings(flat), seq) for seq, flat in packed.items()],
        )
        last = rows[-1][0]
    conn.execute("DROP TABLE postings")  # and its index
    conn.execute(
        "UPDATE accounts SET first_debit = (SELECT MIN(d.day) FROM daily d "
        "WHERE d.account_id = accounts.id AND d.cents > 0) "
        "WHERE code IN ('insurance_receivable', 'patient_receivable')"
    )


MIGRATIONS: Final[tuple[Callable[[SqliteStore], None], ...]] = (_to_v1, _to_v2, _to_v3, _to_v4)
"""Step ``n`` (0-based) moves a file from schema version ``n`` to ``n + 1``, in one transaction."""

SCHEMA_VERSION: Final = len(MIGRATIONS)

_SCHEMAS: Final = {1: SCHEMA_V1, 2: SCHEMA_V2, 3: SCHEMA_V3, 4: SCHEMA_V4}
"""The tables of each schema version a ledger may have been written with before the stamp."""

_SQLITE_MAGIC: Final = b"SQLite format 3\x00"

_TABLES_SQL: Final = (
    "SELECT m.name, c.name FROM sqlite_master AS m, pragma_table_info(m.name) AS c "
    "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY m.name, c.cid"
)

Tables = dict[str, tuple[str, ...]]


def _tables(conn: sqlite3.Connection) -> Tables:
    found: dict[str, list[str]] = {}
    for table, column in conn.execute(_TABLES_SQL):
        found.setdefault(table, []).append(column)
    return {table: tuple(columns) for table, columns in found.items()}


_EXPECTED: dict[int, Tables] = {}


def _expected_tables(version: int) -> Tables:
    """The tables (and their columns) a medbill ledger of schema ``version`` holds."""
    if version not in _EXPECTED:
        conn = sqlite3.connect(":memory:")
        try:
            _script(conn, _SCHEMAS[version])
            _EXPECTED[version] = _tables(conn)
        finally:
            conn.close()
    return _EXPECTED[version]


def _check_file(path: str) -> None:
    """Refuse a path that is not a ledger file from its metadata and header alone."""
    if path in ("", ":memory:") or path.startswith("file:"):
        return
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return  # a new ledger (a missing folder is reported by sqlite3.connect)
    except (OSError, ValueError) as error:
        raise LedgerFileError(path, f"it cannot be examined: {error}") from error
    if stat.S_ISDIR(info.st_mode):
        raise LedgerFileError(path, "it is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise LedgerFileError(path, "it is not a regular file")
    if info.st_size == 0:
        return  # an empty file is a new ledger
    try:
        with open(path, "rb") as handle:
            header = handle.read(100)
    except OSError as error:
        raise LedgerFileError(path, f"it cannot be read: {error.strerror or error}") from error
    if not header.startswith(_SQLITE_MAGIC):
        if _SQLITE_MAGIC.startswith(header):
            raise LedgerFileError(path, f"it is truncated ({len(header)} bytes)")
        raise LedgerFileError(path, "it is not an SQLite database")
    if len(header) < 100:
        raise LedgerFileError(path, f"it is truncated ({len(header)} bytes)")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # The header's page count is valid when its change counter matches "version-valid-for".
    if header[24:28] == header[92:96] and info.st_size < pages * page_size:
        raise LedgerFileError(
            path, f"it is truncated ({info.st_size} of {pages * page_size} bytes)"
        )


_BUSY_WORDS: Final = ("locked", "busy")


class SqliteStore(SqlStore):
    """Entries, balances and roll-ups in an SQLite file, shared safely by several processes.

    ``busy_timeout`` is how long (seconds) a writer waits for another's lock before
    :class:`~medbill.LedgerBusyError`. One store (one connection) is not safe to share
    between threads without a lock; give each thread its own ``Ledger.open(path)``, or
    each process: they see each other's commits at once.

    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     store = SqliteStore(pathlib.Path(folder) / "ledger.sqlite")
    ...     print(store.schema_version, len(store))
    ...     store.close()
    4 0
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        synchronous: str = "FULL",
        busy_timeout: float = 5.0,
    ) -> None:
        super().__init__()
        if synchronous.upper() not in {"FULL", "NORMAL", "EXTRA"}:
            raise LedgerError(f"synchronous must be FULL, NORMAL or EXTRA (got {synchronous!r})")
        if (
            not isinstance(busy_timeout, int | float)
            or isinstance(busy_timeout, bool)
            or not 0 <= busy_timeout <= 3600
        ):
            raise LedgerError(f"busy_timeout must be 0 to 3600 seconds (got {busy_timeout!r})")
        self._path = os.fspath(path)
        self._name = self._path
        self._timeout = float(busy_timeout)
        _check_file(self._path)
        _create_private(self._path)
        try:
            self._conn = sqlite3.connect(
                self._path, isolation_level=None, check_same_thread=False, timeout=self._timeout
            )
        except sqlite3.Error as error:
            raise LedgerError(f"cannot open ledger file {self._path!r}: {error}") from error
        try:
            self._check_schema()  # before anything writes: a foreign file stays as it was
            if str(self._query("PRAGMA journal_mode")[0][0]).lower() != "wal":
                self._query("PRAGMA journal_mode=WAL")
            self._query(f"PRAGMA synchronous={synchronous.upper()}")
            version = self.schema_version
            if version > SCHEMA_VERSION:
                raise LedgerError(
                    f"ledger file {self._path!r} has schema version {version}; this medbill "
                    f"knows up to {SCHEMA_VERSION}: upgrade medbill to open it"
                )
            if version < SCHEMA_VERSION:
                self._migrate()
        except BaseException:
            self._conn.close()
            raise

    # -- the dialect ------------------------------------------------------------------

    def _error(self, error: sqlite3.Error) -> LedgerError:
        text = str(error)
        if isinstance(error, sqlite3.OperationalError) and any(w in text for w in _BUSY_WORDS):
            return LedgerBusyError(self._path, self._timeout)
        if isinstance(error, sqlite3.IntegrityError):
            return LedgerError(f"the store refused the batch: {text}")
        return LedgerError(f"ledger file {self._path!r}: {text}")

    def _damaged(self, error: UnicodeDecodeError) -> LedgerError:
        # A damaged page: SQLite's message (or a text column) is not UTF-8.
        return LedgerError(f"ledger file {self._path!r} is damaged: {error.reason}")

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.Error as error:
            raise self._error(error) from error
        except UnicodeDecodeError as error:
            raise self._damaged(error) from error

    def _execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        try:
            self._conn.executemany(sql, rows)
        except sqlite3.Error as error:
            raise self._error(error) from error
        except UnicodeDecodeError as error:
            raise self._damaged(error) from error

    def _begin(self) -> None:
        self._query("BEGIN IMMEDIATE")

    def _begin_read(self) -> None:
        self._query("BEGIN DEFERRED")
        self._query("SELECT COUNT(*) FROM ledger_meta")  # the first read pins the snapshot

    def _end_read(self) -> None:
        self._rollback()

    def _commit(self) -> None:
        try:
            self._conn.execute("COMMIT")
        except sqlite3.Error as error:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise self._error(error) from error

    def _rollback(self) -> None:
        if self._conn.in_transaction:
            try:
                self._conn.execute("ROLLBACK")
            except sqlite3.Error as error:  # pragma: no cover - the connection is gone
                raise self._error(error) from error

    # -- schema ----------------------------------------------------------------------

    @property
    def schema_version(self) -> int:
        """The version of the file's schema (``PRAGMA user_version``)."""
        return int(self._query("PRAGMA user_version")[0][0])

    def _check_schema(self) -> None:
        """Refuse a database that is not a medbill ledger, reading only its schema."""
        try:
            application = int(self._conn.execute("PRAGMA application_id").fetchone()[0])
            if application == APPLICATION_ID:
                return
            if application != 0:
                raise LedgerFileError(
                    self._path,
                    f"it belongs to another application (SQLite application_id "
                    f"{application:#010x}, medbill's is {APPLICATION_ID:#010x})",
                )
            version = int(self._conn.execute("PRAGMA user_version").fetchone()[0])
            tables = _tables(self._conn)
        except UnicodeDecodeError as error:
            raise LedgerFileError(self._path, f"it is damaged ({error.reason})") from error
        except sqlite3.Error as error:
            if isinstance(error, sqlite3.OperationalError) and any(
                word in str(error) for word in _BUSY_WORDS
            ):
                raise LedgerBusyError(self._path, self._timeout) from error
            raise LedgerFileError(
                self._path, f"it is not a readable SQLite database: {error}"
            ) from error
        if not tables:
            if version == 0:
                return  # an empty database: a new ledger
            raise LedgerFileError(self._path, f"it has schema version {version} but no tables")
        if version == 0:
            names = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
            raise LedgerFileError(
                self._path, f"it is another application's SQLite database (tables {names})"
            )
        if version not in _SCHEMAS:
            raise LedgerFileError(
                self._path,
                f"it has no medbill application_id and an unknown schema version {version}",
            )
        if tables != _expected_tables(version):
            raise LedgerFileError(
                self._path,
                f"its tables are not those of a medbill ledger (schema version {version})",
            )

    def _migrate(self) -> None:
        with self.transaction():
            version = self.schema_version
            if version > SCHEMA_VERSION:
                raise LedgerError(
                    f"ledger file {self._path!r} has schema version {version}; this medbill "
                    f"knows up to {SCHEMA_VERSION}: upgrade medbill to open it"
                )
            for number in range(version, SCHEMA_VERSION):
                MIGRATIONS[number](self)
                self._query(f"PRAGMA user_version={number + 1}")
            self._query(f"PRAGMA application_id={APPLICATION_ID}")

    def close(self) -> None:
        """Close the database connection."""
        self._conn.close()


def _create_private(path: str) -> None:
    """Create a new ledger file owner-only (it holds PHI); SQLite gives its -wal and -shm
    files the same mode. ``MEDBILL_FILE_MODE=umask`` keeps the umask; an existing file is
    left as it is."""
    from medbill._files import file_mode

    mode = file_mode()
    if mode is None or path in ("", ":memory:") or path.startswith("file:"):
        return
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode))
    except FileExistsError:
        return
    except OSError:
        return  # a missing folder or no permission: sqlite3.connect reports it
