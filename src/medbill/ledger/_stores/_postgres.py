"""The store for many writers: a PostgreSQL database (``medbill[postgres]``: psycopg 3).

The tables are those of the SQLite store (see ``medbill.ledger._stores._sql``), with money
in ``bigint`` cents; the schema version sits in table ``medbill_schema``. Connections come
from a ``psycopg_pool.ConnectionPool``.

Every write transaction first takes one transaction-scoped advisory lock
(``pg_advisory_xact_lock``) under ``lock_timeout``: writers queue for it like SQLite's
``BEGIN IMMEDIATE``, and every check the ledger and its recipes make inside
:meth:`~medbill.ledger.Ledger.atomic` reads committed data no other writer can change
before the commit. Readers never take it (PostgreSQL's MVCC: a read sees the last commit).
Waiting longer than ``busy_timeout`` raises :class:`~medbill.LedgerBusyError`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from medbill._errors import LedgerBusyError, LedgerError
from medbill.ledger._stores._sql import Row, SqlStore

if TYPE_CHECKING:
    import psycopg

__all__ = ["SCHEMA_POSTGRES", "PostgresStore"]

SCHEMA_POSTGRES: Final = """
CREATE TABLE accounts (
    id bigint PRIMARY KEY,
    ident text NOT NULL UNIQUE,
    code text NOT NULL,
    patient text, payer text, level text, claim text, line text,
    closed integer NOT NULL DEFAULT 0,
    balance bigint NOT NULL DEFAULT 0
);
CREATE INDEX accounts_code ON accounts (code);
CREATE INDEX accounts_claim ON accounts (claim) WHERE claim IS NOT NULL;
CREATE INDEX accounts_patient ON accounts (patient) WHERE patient IS NOT NULL;
CREATE TABLE rollups (
    id bigint PRIMARY KEY,
    ident text NOT NULL UNIQUE,
    balance bigint NOT NULL DEFAULT 0
);
CREATE TABLE daily (
    account_id bigint NOT NULL,
    day integer NOT NULL,
    cents bigint NOT NULL,
    PRIMARY KEY (account_id, day)
);
CREATE TABLE entries (
    seq bigint PRIMARY KEY,
    key text NOT NULL UNIQUE,
    kind text NOT NULL,
    effective integer NOT NULL,
    recorded_at text NOT NULL,
    memo text NOT NULL,
    patient text, payer text, claim text, line text,
    remittance text, trace text, service_date integer,
    reverses text UNIQUE,
    actor text, source text
);
CREATE INDEX entries_effective ON entries (effective);
CREATE TABLE postings (
    entry_seq bigint NOT NULL,
    position integer NOT NULL,
    account_id bigint NOT NULL,
    cents bigint NOT NULL,
    PRIMARY KEY (entry_seq, position)
);
CREATE INDEX postings_account ON postings (account_id, entry_seq);
CREATE TABLE subjects (subject text NOT NULL, seq bigint NOT NULL, PRIMARY KEY (subject, seq));
CREATE TABLE claims (claim text PRIMARY KEY, patient text, service_date integer);
CREATE TABLE ledger_meta (name text PRIMARY KEY, value bigint NOT NULL);
CREATE TABLE deposits (
    id text PRIMARY KEY,
    amount bigint NOT NULL,
    received_on integer NOT NULL,
    trace text, batch integer, actor text
);
CREATE INDEX deposits_received_on ON deposits (received_on)
"""
"""Schema version 2 (the first PostgreSQL knows), the same tables as SQLite's version 2."""

SCHEMA_VERSION: Final = 2
_LOCK: Final = 0x6D65_6462  # "medb": the ledger's advisory lock key
_MARK: Final = re.compile(r"\?")


def _driver() -> tuple[Any, Any]:
    try:
        import psycopg
        import psycopg_pool
    except ImportError as error:  # pragma: no cover - the extra is part of dev
        raise LedgerError(
            "PostgresStore needs the postgres extra: pip install 'medbill[postgres]'"
        ) from error
    return psycopg, psycopg_pool


def _masked(dsn: str) -> str:
    """The DSN without a password, for messages."""
    return re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", re.sub(r"password=\S+", "password=***", dsn))


class PostgresStore(SqlStore):
    """Entries, balances and roll-ups in a PostgreSQL database, for many writers.

    ``dsn`` is a libpq connection string or ``postgresql://`` URL; ``pool_size`` the most
    connections kept open; ``busy_timeout`` how long (seconds) a writer waits for another's
    lock (or for a free connection) before :class:`~medbill.LedgerBusyError`. Like the
    SQLite store, one store object serves one thread; give each its own.
    """

    def __init__(self, dsn: str, *, busy_timeout: float = 5.0, pool_size: int = 4) -> None:
        super().__init__()
        if type(dsn) is not str or not dsn.strip():
            raise LedgerError(f"dsn must be a PostgreSQL connection string (got {dsn!r})")
        if (
            not isinstance(busy_timeout, int | float)
            or isinstance(busy_timeout, bool)
            or not 0 < busy_timeout <= 3600
        ):
            raise LedgerError(
                f"busy_timeout must be above 0 and up to 3600 s (got {busy_timeout!r})"
            )
        if type(pool_size) is not int or not 1 <= pool_size <= 100:
            raise LedgerError(f"pool_size must be 1 to 100 (got {pool_size!r})")
        self._psycopg, pool_module = _driver()
        self._name = _masked(dsn)
        self._timeout = float(busy_timeout)
        self._sql_cache: dict[str, str] = {}
        self._tx: psycopg.Connection[Any] | None = None
        self._pool = pool_module.ConnectionPool(
            dsn,
            min_size=1,
            max_size=pool_size,
            kwargs={"autocommit": True},
            timeout=self._timeout,
            open=False,
        )
        try:
            self._pool.open(wait=True, timeout=self._timeout)
        except Exception as error:
            self._pool.close()
            raise LedgerError(f"cannot connect to ledger database {self._name}: {error}") from error
        try:
            self._migrate()
        except BaseException:
            self._pool.close()
            raise

    # -- the dialect ------------------------------------------------------------------

    def _sql(self, sql: str) -> str:
        converted = self._sql_cache.get(sql)
        if converted is None:
            converted = self._sql_cache[sql] = _MARK.sub("%s", sql)
        return converted

    def _error(self, error: Exception) -> LedgerError:
        errors = self._psycopg.errors
        if isinstance(error, errors.LockNotAvailable | errors.QueryCanceled):
            return LedgerBusyError(self._name, self._timeout)
        if type(error).__name__ == "PoolTimeout":
            return LedgerBusyError(self._name, self._timeout)
        if isinstance(error, errors.IntegrityError):
            return LedgerError(f"the store refused the batch: {error}")
        return LedgerError(f"ledger database {self._name}: {error}")

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        text = self._sql(sql)
        try:
            if self._tx is not None:
                cursor = self._tx.execute(text, params)
                return cursor.fetchall() if cursor.description else []
            with self._pool.connection() as conn:
                cursor = conn.execute(text, params)
                return cursor.fetchall() if cursor.description else []
        except Exception as error:
            if isinstance(error, LedgerError):
                raise
            raise self._error(error) from error

    def _execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        if self._tx is None:  # pragma: no cover - every write runs in a transaction
            raise LedgerError("PostgresStore writes only inside a transaction")
        try:
            with self._tx.cursor() as cursor:
                cursor.executemany(self._sql(sql), rows)
        except Exception as error:
            raise self._error(error) from error

    def _begin(self) -> None:
        try:
            conn = self._pool.getconn()
        except Exception as error:
            raise self._error(error) from error
        try:
            conn.execute("BEGIN")
            conn.execute(f"SET LOCAL lock_timeout = {int(self._timeout * 1000)}")
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
        except Exception as error:
            self._release(conn, rollback=True)
            raise self._error(error) from error
        self._tx = conn

    def _begin_read(self) -> None:
        try:
            conn = self._pool.getconn()
        except Exception as error:
            raise self._error(error) from error
        try:
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        except Exception as error:
            self._release(conn, rollback=True)
            raise self._error(error) from error
        self._tx = conn

    def _end_read(self) -> None:
        self._rollback()

    def _release(self, conn: psycopg.Connection[Any], *, rollback: bool) -> None:
        try:
            if rollback:
                conn.execute("ROLLBACK")
        except Exception:  # a broken connection: the pool discards it
            pass
        finally:
            self._pool.putconn(conn)

    def _commit(self) -> None:
        conn, self._tx = self._tx, None
        if conn is None:  # pragma: no cover
            return
        try:
            conn.execute("COMMIT")
        except Exception as error:
            self._release(conn, rollback=True)
            raise self._error(error) from error
        self._release(conn, rollback=False)

    def _rollback(self) -> None:
        conn, self._tx = self._tx, None
        if conn is not None:
            self._release(conn, rollback=True)

    # -- schema ----------------------------------------------------------------------

    @property
    def schema_version(self) -> int:
        """The version of the database's schema (table ``medbill_schema``), 0 when empty."""
        rows = self._query("SELECT to_regclass('medbill_schema') IS NOT NULL")
        if not rows[0][0]:
            return 0
        found = self._query("SELECT MAX(version) FROM medbill_schema")
        return int(found[0][0] or 0)

    def _refuse_newer(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            raise LedgerError(
                f"ledger database {self._name} has schema version {version}; this medbill "
                f"knows up to {SCHEMA_VERSION}: upgrade medbill to open it"
            )

    def _migrate(self) -> None:
        version = self.schema_version
        self._refuse_newer(version)
        if version == SCHEMA_VERSION:
            return
        with self.transaction():
            version = self.schema_version
            self._refuse_newer(version)
            if version < SCHEMA_VERSION:
                # version 1 was SQLite-only; PostgreSQL starts at 2
                for statement in SCHEMA_POSTGRES.split(";"):
                    if statement.strip():
                        self._query(statement)
                self._query("CREATE TABLE medbill_schema (version integer NOT NULL)")
                self._query("INSERT INTO medbill_schema (version) VALUES (?)", (SCHEMA_VERSION,))

    def close(self) -> None:
        """Close every pooled connection."""
        if self._tx is not None:
            self._rollback()
        self._pool.close()
