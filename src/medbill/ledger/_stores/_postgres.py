"""The store for many writers: a PostgreSQL database (``medbill[postgres]``: psycopg 3).

The tables are those of the SQLite store (see ``medbill.ledger._stores._sql``), with money
in ``bigint`` cents; the schema version sits in table ``medbill_schema``. Connections come
from a ``psycopg_pool.ConnectionPool``.

Writers run in parallel (READ COMMITTED, under ``lock_timeout``), and what they check
cannot change before they commit:

* Every write transaction holds the ledger's advisory lock *shared*; closing a period or
  an account takes it *exclusive*, so no writer checks a closed date or account while it
  changes.
* A check that reads a balance inside :meth:`~medbill.ledger.Ledger.atomic` first takes
  the patient's lock and reads the row ``FOR UPDATE``. Every batch takes the locks of
  the patients it posts to before it writes: a writer never changes a balance another
  writer's check has read. Writers of different patients proceed at once.
* Patient locks are transaction-scoped advisory locks in two levels, so that a batch of
  any size holds a bounded number: each patient falls in one of :data:`BUCKETS`
  buckets (a stable hash). A batch of up to :data:`EXACT_LIMIT` patients holds its
  buckets *shared* and one lock per patient; a larger batch holds its buckets
  *exclusive* (at most :data:`BUCKETS` locks, whatever its size). Locks are taken
  buckets first, then patients, each in ascending order, so two batches never wait
  for each other in a cycle.
* Shared balance rows (``cash``, a code's or a payer's total, the entry count) are
  updated last, in a stable order, each by one ``INSERT ... ON CONFLICT DO UPDATE`` or
  ``UPDATE`` of a summed delta: concurrent writers queue for them only briefly before
  their commits.
* A unique key two writers post at once, or a deadlock PostgreSQL breaks, makes the
  later writer's transaction fail as a *conflict*; :meth:`~medbill.ledger.Ledger.post_batch`
  and the posting recipes then run again from the start (the key is then found posted:
  an identical entry is returned, never a false ``DuplicateEntryError``).

Entries (their postings packed into them) and subjects are written with ``COPY``; upserts go through
``executemany`` (psycopg's pipeline mode: one round trip per statement and batch).
Readers take no lock (MVCC: a read sees the last commit). Waiting longer than
``busy_timeout`` raises :class:`~medbill.LedgerBusyError`.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Final

from medbill._errors import LedgerBusyError, LedgerError
from medbill.ledger._stores._base import AGING_LIMITS
from medbill.ledger._stores._sql import Row, SqlStore, conflict

if TYPE_CHECKING:
    import psycopg

__all__ = [
    "BUCKETS",
    "EXACT_LIMIT",
    "GROUPING_MEMORY",
    "SCHEMA_POSTGRES",
    "PostgresStore",
    "bucket_of",
    "patient_key",
]

SCHEMA_POSTGRES: Final = """
CREATE SEQUENCE medbill_account_id;
CREATE SEQUENCE medbill_rollup_id;
CREATE SEQUENCE medbill_entry_seq;
CREATE TABLE accounts (
    id bigint PRIMARY KEY DEFAULT nextval('medbill_account_id'),
    ident text NOT NULL UNIQUE,
    code text NOT NULL,
    patient text, payer text, level text, claim text, line text,
    closed integer NOT NULL DEFAULT 0,
    balance bigint NOT NULL DEFAULT 0,
    first_debit integer
) WITH (fillfactor = 70);
CREATE INDEX accounts_code ON accounts (code, payer, claim);
CREATE INDEX accounts_claim ON accounts (claim, code) WHERE claim IS NOT NULL;
CREATE INDEX accounts_closed ON accounts (id) WHERE closed = 1;
CREATE INDEX accounts_patient ON accounts (patient) WHERE patient IS NOT NULL;
CREATE TABLE rollups (
    id bigint PRIMARY KEY DEFAULT nextval('medbill_rollup_id'),
    ident text NOT NULL UNIQUE,
    balance bigint NOT NULL DEFAULT 0
) WITH (fillfactor = 70);
CREATE TABLE daily (
    account_id bigint NOT NULL,
    day integer NOT NULL,
    cents bigint NOT NULL,
    PRIMARY KEY (account_id, day)
) WITH (fillfactor = 70);
CREATE TABLE entries (
    seq bigint PRIMARY KEY,
    key text NOT NULL UNIQUE,
    kind text NOT NULL,
    effective integer NOT NULL,
    recorded_at text NOT NULL,
    memo text NOT NULL,
    patient text, payer text, claim text, line text,
    remittance text, trace text, service_date integer,
    reverses text,
    actor text, source text, provider text,
    postings text NOT NULL DEFAULT '[]'
);
CREATE INDEX entries_effective ON entries (effective);
CREATE UNIQUE INDEX entries_reverses ON entries (reverses) WHERE reverses IS NOT NULL;
CREATE TABLE subjects (subject text NOT NULL, seq bigint NOT NULL, PRIMARY KEY (subject, seq));
CREATE TABLE claims (claim text PRIMARY KEY, patient text, service_date integer);
CREATE TABLE ledger_meta (name text PRIMARY KEY, value bigint NOT NULL);
CREATE TABLE deposits (
    id text PRIMARY KEY,
    amount bigint NOT NULL,
    received_on integer NOT NULL,
    trace text, batch integer, actor text
);
CREATE INDEX deposits_received_on ON deposits (received_on);
INSERT INTO ledger_meta (name, value) VALUES ('entries', 0)
"""
"""Schema version 4, the same tables as SQLite's version 4 (PostgreSQL starts at 2).

Ids and entry numbers come from sequences (concurrent writers each draw their own; a
rolled-back batch leaves a gap, so the number of entries is kept in ``ledger_meta``)."""

SCHEMA_VERSION: Final = 4
_UPGRADES: Final = {
    2: (
        "ALTER TABLE entries ADD COLUMN provider text",
        "DROP INDEX IF EXISTS accounts_code",
        "CREATE INDEX accounts_code ON accounts (code, payer, claim)",
    ),
    3: (  # pack the postings into the entries (in posting order); first days of growth
        "ALTER TABLE entries ADD COLUMN postings text NOT NULL DEFAULT '[]'",
        "UPDATE entries e SET postings = p.packed FROM (SELECT entry_seq, "
        "'[' || string_agg(account_id::text || ',' || cents::text, ',' ORDER BY position) "
        "|| ']' AS packed FROM postings GROUP BY entry_seq) p WHERE e.seq = p.entry_seq",
        "DROP TABLE postings",
        "ALTER TABLE accounts ADD COLUMN first_debit integer",
        "UPDATE accounts a SET first_debit = f.first FROM (SELECT account_id, MIN(day) AS "
        "first FROM daily WHERE cents > 0 GROUP BY account_id) f WHERE a.id = f.account_id "
        "AND a.code IN ('insurance_receivable', 'patient_receivable')",
        "ANALYZE entries",
        "ANALYZE accounts",
    ),
}
"""The statements that move a database from version ``n`` to ``n + 1``."""
_LOCK: Final = 0x6D65_6462  # "medb": the ledger's advisory lock key
_BUCKET_LOCKS: Final = 0x6D65_6462  # "medb": the class of the patients' lock buckets
_PATIENT_LOCKS: Final = 0x6D65_6470  # "medp": the class of the patients' own locks
BUCKETS: Final = 256
"""Patients fall in this many lock buckets (by a stable hash)."""
EXACT_LIMIT: Final = 512
"""A batch of more patients than this locks whole buckets instead of each patient: a
transaction holds at most ``BUCKETS + EXACT_LIMIT`` advisory locks, so PostgreSQL's lock
table (``max_locks_per_transaction`` x ``max_connections``) does not fill."""
GROUPING_MEMORY: Final = "256MB"
"""``work_mem`` of the transactions that group every receivable (aging, the activity
report's opening and closing A/R): the hash of a million receivable days fits, where
PostgreSQL's default of 4 MB spills it to disk."""
_MARK: Final = re.compile(r"\?")


def _array(values: Iterable[str | int | None]) -> str:
    """A PostgreSQL array literal of ``values`` (text or integers; ``None`` is ``NULL``),
    for a ``?::type[]`` parameter: the batch writes pass whole columns this way, built in
    one pass (psycopg's list adapter examines and quotes element by element). Text is
    always double-quoted, with backslash and double quote escaped (PostgreSQL manual,
    section 8.15.6, "Array Input and Output Syntax")."""
    items = values if isinstance(values, list) else list(values)
    if not items:
        return "{}"
    first = items[0]
    if type(first) is str:
        try:
            text = "".join(items)  # type: ignore[arg-type]
        except TypeError:  # a None (or a number) among the text: element by element
            pass
        else:
            if '"' not in text and "\\" not in text:
                return '{"' + '","'.join(items) + '"}'  # type: ignore[arg-type]
    elif type(first) is int:
        try:
            return "{" + ",".join(map(int.__repr__, items)) + "}"
        except TypeError:  # a None among the numbers: element by element
            pass
    parts = []
    for value in items:
        if value is None:
            parts.append("NULL")
        elif isinstance(value, int):
            parts.append(str(value))
        else:
            parts.append('"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return "{" + ",".join(parts) + "}"


def _signed(value: int) -> int:
    return value - (1 << 32) if value >= 1 << 31 else value


def bucket_of(patient: str) -> int:
    """The lock bucket of ``patient``: the same in every process (CRC-32, not ``hash``)."""
    return zlib.crc32(patient.encode()) % BUCKETS


def patient_key(patient: str) -> int:
    """The key of ``patient``'s own advisory lock (a 32-bit hash: two patients sharing one
    only wait for each other, they never share a balance)."""
    return _signed(zlib.crc32(b"p:" + patient.encode()))


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

    _row_locks = True
    _aging_from_balances = True

    def _error(self, error: Exception) -> LedgerError:
        errors = self._psycopg.errors
        if isinstance(error, errors.LockNotAvailable | errors.QueryCanceled):
            return LedgerBusyError(self._name, self._timeout)
        if type(error).__name__ == "PoolTimeout":
            return LedgerBusyError(self._name, self._timeout)
        if isinstance(error, errors.DeadlockDetected | errors.SerializationFailure):
            return conflict(LedgerBusyError(self._name, self._timeout))
        if isinstance(error, errors.UniqueViolation):
            # another writer committed the same key (an entry, a reversal, a deposit)
            # while this one ran: running again finds it (the ledger retries)
            return conflict(
                LedgerError(f"another writer posted the same key at the same time: {error}")
            )
        if isinstance(error, errors.IntegrityError):
            return LedgerError(f"the store refused the batch: {error}")
        return LedgerError(f"ledger database {self._name}: {error}")

    # -- concurrent writers ----------------------------------------------------------

    def lock_patients(self, patients: Iterable[str]) -> None:
        """Take the lock buckets of ``patients`` for this transaction, in ascending order
        (nothing outside a transaction)."""
        if not self._depth:
            return
        self._lock_patients(patients)

    def _lock_patients(self, patients: Iterable[str]) -> None:
        # (after an earlier lock of this transaction the order may be broken: PostgreSQL
        # breaks a deadlock, if any, and the ledger runs the batch again)
        locked = self._locked
        wanted = {
            patient
            for patient in patients
            if ("x", bucket_of(patient)) not in locked and ("p", patient_key(patient)) not in locked
        }
        if not wanted:
            return
        if len(wanted) > EXACT_LIMIT:
            buckets = sorted({bucket_of(patient) for patient in wanted})
            self._query(
                "SELECT pg_advisory_xact_lock(?, b) FROM unnest(?::int[]) AS b",
                (_BUCKET_LOCKS, _array(buckets)),
            )
            locked.update(("x", bucket) for bucket in buckets)
            return
        shared = sorted(
            {bucket_of(patient) for patient in wanted} - {b for kind, b in locked if kind == "s"}
        )
        if shared:
            self._query(
                "SELECT pg_advisory_xact_lock_shared(?, b) FROM unnest(?::int[]) AS b",
                (_BUCKET_LOCKS, _array(shared)),
            )
            locked.update(("s", bucket) for bucket in shared)
        keys = sorted({patient_key(patient) for patient in wanted})
        self._query(
            "SELECT pg_advisory_xact_lock(?, k) FROM unnest(?::int[]) AS k",
            (_PATIENT_LOCKS, _array(keys)),
        )
        locked.update(("p", key) for key in keys)

    def lock_all(self) -> None:
        """Wait until no other writer is inside a transaction, and keep them out until
        this one commits (closing a period or an account changes what every check reads)."""
        self._query("SELECT pg_advisory_xact_lock(?)", (_LOCK,))

    def _next_seqs(self, count: int) -> Sequence[int]:
        rows = self._query(
            "SELECT nextval('medbill_entry_seq') FROM generate_series(1, ?)", (count,)
        )
        return sorted(int(row[0]) for row in rows)

    _chunk_size = 1_000_000  # one array parameter, whatever its length

    def _among(
        self, column: str, values: Sequence[Any], kind: str = "text"
    ) -> tuple[str, list[Any]]:
        """``column = ANY(array)``: one parameter and one short statement (psycopg parses
        and caches short ones), however many the values."""
        return f"{column} = ANY(?::{kind}[])", [_array(values)]

    def _create_accounts(
        self,
        new: list[tuple[str, Any, Any]],
        found: dict[Any, int],
        opening: dict[Any, int],
        first: dict[Any, int],
    ) -> None:
        new = sorted(new, key=lambda item: item[0])
        columns: list[list[Any]] = [[], [], [], [], [], [], [], [], []]
        for ident, identity, account in new:
            level = None if account.level is None else account.level.value
            values = (
                ident,
                account.code,
                account.patient,
                account.payer,
                level,
                account.claim,
                account.line,
                opening.get(identity, 0),
                first.get(identity),
            )
            for column, value in zip(columns, values, strict=True):
                column.append(value)
        # one statement for the batch; another writer may create the same account
        # meanwhile: this insert then waits for its commit and keeps its row (which
        # then gets this batch's delta as an update)
        wanted = {ident: (identity, account) for ident, identity, account in new}
        inserted = self._query(
            "INSERT INTO accounts (ident, code, patient, payer, level, claim, line, balance, "
            "first_debit) SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], "
            "?::text[], ?::text[], ?::text[], ?::bigint[], ?::int[]) ORDER BY 1 "
            "ON CONFLICT (ident) DO NOTHING "
            "RETURNING ident, id",
            [_array(column) for column in columns],
        )
        created = {ident for ident, _ in inserted}
        others = [ident for ident in wanted if ident not in created]
        for ident, account_id in [*inserted, *(self._existing_ids(others) if others else [])]:
            identity, account = wanted[ident]
            found[identity] = account_id
            self._pending_ids[identity] = account_id
            self._accounts_by_id[account_id] = account
            if ident in created:
                self._created.add(account_id)

    def _apply_deltas(
        self,
        account_delta: dict[int, int],
        account_of: dict[int, Any],
        day_rows: list[Row],
    ) -> None:
        """One set-based statement per table (``unnest`` of arrays), each taking its row
        locks in ascending key order, so concurrent writers never wait in a cycle."""
        rollup_delta: dict[str, int] = {}
        for account_id, cents in account_delta.items():
            for ident in self._rollups_for(account_of[account_id]):
                rollup_delta[ident] = rollup_delta.get(ident, 0) + cents
        fresh, days = self._split_days(day_rows)
        self._insert_rows("daily", "account_id, day, cents", fresh)  # COPY: new accounts' days
        if days:
            self._query(
                "INSERT INTO daily (account_id, day, cents) "
                "SELECT * FROM unnest(?::bigint[], ?::int[], ?::bigint[]) ORDER BY 1, 2 "
                "ON CONFLICT (account_id, day) DO UPDATE SET cents = daily.cents + excluded.cents",
                (
                    _array([account_id for account_id, _, _ in days]),
                    _array([day for _, day, _ in days]),
                    _array([cents for _, _, cents in days]),
                ),
            )
        ids = sorted(set(account_delta) - self._created)
        if ids:
            self._query(  # lock in order first (the update's join order is the planner's)
                "SELECT id FROM accounts WHERE id = ANY(?::bigint[]) ORDER BY id FOR UPDATE",
                (_array(ids),),
            )
            self._query(  # a receivable's first day of growth follows its days
                "UPDATE accounts a SET balance = a.balance + d.cents, first_debit = CASE "
                "WHEN a.code IN ('insurance_receivable', 'patient_receivable') THEN (SELECT "
                "MIN(y.day) FROM daily y WHERE y.account_id = a.id AND y.cents > 0) END "
                "FROM unnest(?::bigint[], ?::bigint[]) AS d(id, cents) WHERE a.id = d.id",
                (_array(ids), _array([account_delta[account_id] for account_id in ids])),
            )
        rollups = sorted(rollup_delta.items())
        self._query(
            "INSERT INTO rollups (ident, balance) "
            "SELECT * FROM unnest(?::text[], ?::bigint[]) ORDER BY 1 "
            "ON CONFLICT (ident) DO UPDATE SET balance = rollups.balance + excluded.balance",
            (_array([ident for ident, _ in rollups]), _array([cents for _, cents in rollups])),
        )

    def _insert_rows(self, table: str, columns: str, rows: Sequence[Row]) -> None:
        if not rows:
            return
        if self._tx is None:  # pragma: no cover - every write runs in a transaction
            raise LedgerError("PostgresStore writes only inside a transaction")
        try:
            with (
                self._tx.cursor() as cursor,
                cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        except Exception as error:
            raise self._error(error) from error

    def _upsert_claims(self, claims: dict[str, tuple[str | None, int | None]]) -> None:
        rows = sorted(claims.items())
        # the ledger checked the owners before; a claim another writer gave to another
        # patient since is caught here: every row the upsert inserts or updates comes
        # back as it now stands, locked by the upsert until this transaction ends
        for claim, patient in self._query(
            "INSERT INTO claims (claim, patient, service_date) "
            "SELECT * FROM unnest(?::text[], ?::text[], ?::int[]) ORDER BY 1 "
            "ON CONFLICT (claim) DO UPDATE SET "
            "patient = COALESCE(claims.patient, excluded.patient), "
            "service_date = COALESCE(claims.service_date, excluded.service_date) "
            "RETURNING claim, patient",
            (
                _array([claim for claim, _ in rows]),
                _array([patient for _, (patient, _) in rows]),
                _array([served for _, (_, served) in rows]),
            ),
        ):
            wanted = claims[claim][0]
            if wanted is not None and patient is not None and patient != wanted:
                raise LedgerError(f"claim {claim!r} belongs to another patient")

    def _grouping(self) -> None:
        """Give the grouped reads of this transaction room to hash in memory
        (:data:`GROUPING_MEMORY`): aging groups every receivable's days, which spills to
        disk at PostgreSQL's default ``work_mem`` of 4 MB. And no JIT: the grouping of a
        million receivables costs more than PostgreSQL's ``jit_above_cost``, and compiling
        its expressions took longer (about 1 s) than the JIT saved."""
        self._query(
            "SELECT set_config('work_mem', ?, true), set_config('jit', 'off', true)",
            (GROUPING_MEMORY,),
        )

    def _bucket_sql(self, start: str, today: int) -> tuple[str, list[Any]]:
        """The aging bucket as ``width_bucket(age, {31,61,91,121})``: the number of
        bucket lower bounds (one past each of :data:`AGING_LIMITS`) at or below the age,
        the same 0 to 4 as the general ``CASE`` (0 for a negative age), in one call per
        group instead of up to eight expressions (about a third of aging's time at a
        million receivables)."""
        bounds = _array([limit + 1 for limit in AGING_LIMITS])
        return f"width_bucket(? - {start}, ?::int[])", [today, today, bounds]

    def aged_receivables(self, as_of: Any, *, from_service: bool) -> Iterator[Any]:
        """Aged A/R in one grouped query (see the SQL store's), in one read transaction
        with :data:`GROUPING_MEMORY` of ``work_mem``."""
        with self.snapshot():
            if not self._depth:
                self._grouping()
            rows = list(super().aged_receivables(as_of, from_service=from_service))
        return iter(rows)

    def receivables(self, as_of: Any) -> Iterator[Any]:
        """Receivable accounts with their cents as of ``as_of`` (see the SQL store's), in
        one read transaction with :data:`GROUPING_MEMORY` of ``work_mem``."""
        with self.snapshot():
            if not self._depth:
                self._grouping()
            rows = list(super().receivables(as_of))
        return iter(rows)

    def _count_entries(self, count: int) -> None:
        self._query("UPDATE ledger_meta SET value = value + ? WHERE name = 'entries'", (count,))

    def __len__(self) -> int:
        rows = self._query("SELECT value FROM ledger_meta WHERE name = 'entries'")
        return int(rows[0][0]) if rows else 0

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
            conn.execute("SELECT pg_advisory_xact_lock_shared(%s)", (_LOCK,))
        except Exception as error:
            self._release(conn, rollback=True)
            raise self._error(error) from error
        self._tx = conn
        self._locked.clear()

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
            if version == 0:
                # version 1 was SQLite-only; a new database is created at today's version
                for statement in SCHEMA_POSTGRES.split(";"):
                    if statement.strip():
                        self._query(statement)
                self._query("CREATE TABLE medbill_schema (version integer NOT NULL)")
                self._query("INSERT INTO medbill_schema (version) VALUES (?)", (SCHEMA_VERSION,))
                return
            for number in range(version, SCHEMA_VERSION):
                for statement in _UPGRADES[number]:
                    self._query(statement)
                self._query("INSERT INTO medbill_schema (version) VALUES (?)", (number + 1,))

    def close(self) -> None:
        """Close every pooled connection."""
        if self._tx is not None:
            self._rollback()
        self._pool.close()
