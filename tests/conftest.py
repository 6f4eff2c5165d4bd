"""Shared fixtures: the read-only third-party reference data in ../shared/reference/."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

REFERENCE = Path(
    os.environ.get(
        "MEDBILL_REFERENCE", Path(__file__).resolve().parents[2] / "shared" / "reference"
    )
)


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """The shared reference folder; tests that need it skip when it is absent."""
    if not REFERENCE.is_dir():
        pytest.skip(f"reference data folder {REFERENCE} is absent (set MEDBILL_REFERENCE)")
    return REFERENCE


def _service_unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI=true requires it (.ci/services/ should provide it)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def service_unavailable() -> Callable[[str], NoReturn]:
    """Call with the reason when a server, browser or runtime a test needs is missing.

    Locally the test skips with that reason; under ``CI=true`` it fails, because
    ``.ci/run`` must have started the service.
    """
    return _service_unavailable


def _as_server_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: under root, run its binaries as ``postgres``."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    """A PostgreSQL server for the PostgresStore tests: ``MEDBILL_PG_DSN`` when set (CI's
    ``.ci/services/10-postgres.sh`` sets it), else a throwaway cluster this session starts
    on a Unix socket from the machine's binaries; skipped (failed under CI) without them.
    """
    dsn = os.environ.get("MEDBILL_PG_DSN")
    if dsn:
        yield dsn
        return
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not binaries or (os.geteuid() == 0 and shutil.which("runuser") is None):
        _service_unavailable(
            "PostgreSQL tests need MEDBILL_PG_DSN or PostgreSQL's binaries "
            "(/usr/lib/postgresql/*/bin; apt-get install postgresql)"
        )
    bin_dir = Path(binaries[-1]).parent
    folder = Path(tempfile.mkdtemp(prefix="medbill-pg-"))
    folder.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    data = folder / "data"
    try:
        subprocess.run(
            _as_server_user(
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--no-sync",
                ]
            ),
            check=True,
            capture_output=True,
        )
        subprocess.run(
            _as_server_user(
                [
                    str(bin_dir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(folder / "server.log"),
                    "-w",
                    "-o",
                    f"-c listen_addresses='' -c unix_socket_directories='{folder}'",
                    "-o",
                    "-c fsync=off -c max_connections=100",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
        )
    except (OSError, subprocess.CalledProcessError) as error:
        shutil.rmtree(folder, ignore_errors=True)
        _service_unavailable(f"could not start a throwaway PostgreSQL server: {error}")
    try:
        yield f"postgresql://postgres@/postgres?host={folder}"
    finally:
        subprocess.run(
            _as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def postgres_databases(postgres_dsn: str) -> Iterator[Callable[[], str]]:
    """Call it for the DSN of a new, empty database on the test server; each one is
    dropped after the test."""
    import psycopg

    names: list[str] = []
    base, _, query = postgres_dsn.partition("?")
    head = base.rsplit("/", 1)[0]

    def create() -> str:
        name = f"medbill_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(postgres_dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        names.append(name)
        return f"{head}/{name}" + (f"?{query}" if query else "")

    yield create
    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_database(postgres_databases: Callable[[], str]) -> str:
    """The DSN of a new, empty database on the test server, dropped afterwards."""
    return postgres_databases()


@pytest.fixture(scope="session")
def reference_835s(reference_dir: Path) -> list[Path]:
    """Every 835 sample in the reference folder (by name; some are not X12 at all)."""
    found = [
        p
        for p in sorted(reference_dir.rglob("*"))
        if p.is_file() and "835" in p.name.lower() and p.suffix not in (".xml", ".csv")
    ]
    if not found:
        pytest.skip("no 835 sample in the reference folder")
    return found


_V3_POSTINGS = (
    "CREATE TABLE postings (entry_seq {int} NOT NULL, position integer NOT NULL, "
    "account_id {int} NOT NULL, cents {int} NOT NULL, PRIMARY KEY (entry_seq, position)){rowid}",
    "CREATE INDEX postings_account ON postings (account_id, entry_seq)",
)


def downgrade_to_v3(where: str) -> None:
    """Turn a closed schema-4 ledger (a SQLite path or a ``postgresql://`` DSN) into the
    schema-3 ledger medbill 0.2 wrote with the same entries: postings one row each in a
    ``postings`` table, no packed ``entries.postings``, no ``accounts.first_debit``."""
    import json
    import sqlite3

    postgres = where.startswith("postgresql://")
    if postgres:
        import psycopg

        conn: Any = psycopg.connect(where)
        mark, kinds = "%s", {"int": "bigint", "rowid": ""}
    else:
        conn = sqlite3.connect(where)
        mark, kinds = "?", {"int": "INTEGER", "rowid": " WITHOUT ROWID"}
    with conn:
        rows = [
            (seq, position // 2, flat[position], flat[position + 1])
            for seq, packed in conn.execute("SELECT seq, postings FROM entries").fetchall()
            for flat in [json.loads(packed)]
            for position in range(0, len(flat), 2)
        ]
        for statement in _V3_POSTINGS:
            conn.execute(statement.format(**kinds))
        cursor = conn.cursor()
        cursor.executemany(f"INSERT INTO postings VALUES ({mark}, {mark}, {mark}, {mark})", rows)
        conn.execute("ALTER TABLE entries DROP COLUMN postings")
        conn.execute("ALTER TABLE accounts DROP COLUMN first_debit")
        if postgres:
            conn.execute("DELETE FROM medbill_schema")
            conn.execute("INSERT INTO medbill_schema (version) VALUES (3)")
        else:
            conn.execute("PRAGMA user_version=3")
    conn.close()


@pytest.fixture(scope="session")
def schema_v3() -> Callable[[str], None]:
    """:func:`downgrade_to_v3`: make a schema-3 ledger (as medbill 0.2 left it) from a
    ledger written today, to test the migrations from it."""
    return downgrade_to_v3
