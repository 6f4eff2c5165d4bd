"""``Ledger.open`` refuses a file that is not a medbill ledger, and leaves it untouched.

Issue 14: ``Ledger.open`` on a text file or another application's SQLite file raised a raw
``sqlite3`` error, or worse, switched the foreign file to WAL mode and created medbill's
tables in it. Now every such file is refused with :class:`~medbill.LedgerFileError`
naming the path, and its bytes (and its folder) are exactly as they were.
"""

from __future__ import annotations

import pickle
import sqlite3
from decimal import Decimal
from pathlib import Path

import pendulum
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from medbill import LedgerError, LedgerFileError, MedbillError
from medbill.ledger import Account, JournalEntry, Ledger, Posting
from medbill.ledger._stores._sqlite import APPLICATION_ID, SCHEMA_V1, SCHEMA_V2

from ._mutate import FUZZ


def _entry(key: str) -> JournalEntry:
    return JournalEntry(
        key=key,
        effective=pendulum.date(2025, 3, 1),
        recorded_at=pendulum.datetime(2025, 3, 1, 8),
        postings=[
            Posting.debit(Account.cash(), Decimal("10.00")),
            Posting.credit(Account.patient_credit("MRN-1"), Decimal("10.00")),
        ],
    )


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _refused(path: Path, reason: str) -> LedgerFileError:
    """Open ``path``, expect a refusal that names it, and check nothing in its folder changed."""
    before = _snapshot(path.parent)
    with pytest.raises(LedgerFileError) as caught:
        Ledger.open(path)
    assert _snapshot(path.parent) == before  # the same files, byte for byte, and no new ones
    error = caught.value
    assert isinstance(error, LedgerError)
    assert str(path) in str(error)
    assert reason in str(error)
    assert "\n" not in str(error)
    assert str(pickle.loads(pickle.dumps(error))) == str(error)
    return error


def _sqlite_file(path: Path, script: str, *pragmas: str) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript(script)
    for pragma in pragmas:
        conn.execute(f"PRAGMA {pragma}")
    conn.commit()
    conn.close()
    return path


def test_a_text_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Patient called about the statement.\n" * 50)
    _refused(path, "it is not an SQLite database")


def test_another_applications_database_is_refused(tmp_path: Path) -> None:
    # A plain SQLite file (rollback journal, no application id): a to-do list app's.
    path = _sqlite_file(
        tmp_path / "todo.db",
        "CREATE TABLE items (id INTEGER PRIMARY KEY, title TEXT);"
        "INSERT INTO items (title) VALUES ('call the payer');",
    )
    error = _refused(path, "another application's SQLite database (tables items)")
    assert error.path == str(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # not switched to WAL
    conn.close()


def test_another_applications_wal_database_is_refused_untouched(tmp_path: Path) -> None:
    path = _sqlite_file(tmp_path / "notes.db", "CREATE TABLE notes (body TEXT);")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("INSERT INTO notes VALUES ('x')")
    conn.commit()
    conn.close()  # the last connection checkpoints and removes the -wal and -shm files
    _refused(path, "another application's SQLite database (tables notes)")


def test_a_foreign_application_id_is_refused_even_with_medbill_tables(tmp_path: Path) -> None:
    path = _sqlite_file(
        tmp_path / "lookalike.sqlite", SCHEMA_V2, "user_version=2", "application_id=1129270605"
    )
    _refused(path, "it belongs to another application (SQLite application_id 0x434f4d4d")


@pytest.mark.parametrize(
    ("script", "version", "reason"),
    [
        (SCHEMA_V2, 1, "tables are not those of a medbill ledger (schema version 1)"),
        (SCHEMA_V1, 2, "tables are not those of a medbill ledger (schema version 2)"),
        (SCHEMA_V2, 7, "unknown schema version 7"),
        (SCHEMA_V2 + "CREATE TABLE extra (x);", 2, "tables are not those of a medbill ledger"),
        (SCHEMA_V2.replace("balance INTEGER", "amount INTEGER"), 2, "tables are not those"),
        ("", 2, "schema version 2 but no tables"),
    ],
    ids=["v2-tables-as-v1", "v1-tables-as-v2", "unknown-version", "extra-table", "renamed", "bare"],
)
def test_an_unstamped_file_must_have_medbills_tables_for_its_version(
    tmp_path: Path, script: str, version: int, reason: str
) -> None:
    path = _sqlite_file(tmp_path / "old.sqlite", script, f"user_version={version}")
    _refused(path, reason)


def test_a_folder_and_a_device_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "ledger.sqlite"
    folder.mkdir()
    _refused(folder, "it is a folder")
    with pytest.raises(LedgerFileError, match="not a regular file"):
        Ledger.open("/dev/null")


def test_a_truncated_ledger_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    with Ledger.open(path) as ledger:
        ledger.post_batch([_entry(f"e{n}") for n in range(20)])
    whole = path.read_bytes()  # closing the last connection checkpointed the WAL
    assert len(whole) > 8192
    for size in (len(whole) // 2, 4096, 99, 10):
        path.write_bytes(whole[:size])
        _refused(path, "it is truncated")


def test_an_empty_file_is_a_new_ledger_and_new_ledgers_are_stamped(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    path.touch()  # as a caller who reserves the name first (or tempfile.mkstemp) leaves it
    with Ledger.open(path) as ledger:
        ledger.post(_entry("a"))
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 4
    conn.close()
    with Ledger.open(path) as ledger:
        assert len(ledger) == 1


def test_a_ledger_written_before_the_stamp_still_opens(tmp_path: Path) -> None:
    """A schema-2 ledger of medbill 0.1.x has application_id 0: its tables are checked."""
    path = tmp_path / "ledger.sqlite"
    with Ledger.open(path) as ledger:
        ledger.post(_entry("a"))
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id=0")
    conn.commit()
    conn.close()
    with Ledger.open(path) as ledger:
        assert ledger.balance(Account.cash()) == Decimal("10.00")


def test_a_schema_1_file_is_stamped_by_its_migration(tmp_path: Path) -> None:
    path = _sqlite_file(tmp_path / "old.sqlite", SCHEMA_V1, "user_version=1")
    with Ledger.open(path) as ledger:
        assert len(ledger) == 0
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    conn.close()


def test_the_cli_shows_one_line_for_a_file_that_is_not_a_ledger(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from medbill.cli._app import cli

    path = tmp_path / "notes.txt"
    path.write_text("not a ledger\n")
    result = CliRunner().invoke(cli, ["ledger", "trial-balance", "--db", str(path)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output.count("\n") == 1
    assert "as a medbill ledger: it is not an SQLite database" in result.output


@pytest.fixture(scope="module")
def ledger_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("seed") / "ledger.sqlite"
    with Ledger.open(path) as ledger:
        ledger.post_batch([_entry(f"e{n}") for n in range(5)])
    return path.read_bytes()


def test_ledger_file_fuzz(ledger_bytes: bytes, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Damaged ledger files: opening and reading give a value or a MedbillError."""

    @FUZZ
    @example(flips=[(626, 128)], size=len(ledger_bytes))  # a non-UTF-8 byte in the schema
    @given(
        st.lists(st.tuples(st.integers(0, len(ledger_bytes) - 1), st.integers(0, 255)), max_size=8),
        st.integers(0, len(ledger_bytes)),
    )
    def target(flips: list[tuple[int, int]], size: int) -> None:
        data = bytearray(ledger_bytes[:size])
        for at, byte in flips:
            if at < len(data):
                data[at] = byte
        path = tmp_path_factory.mktemp("fuzz") / "ledger.sqlite"
        path.write_bytes(bytes(data))
        try:
            with Ledger.open(path) as ledger:
                len(ledger)
                ledger.balance(Account.cash())
                list(ledger.entries())
        except MedbillError:
            pass

    target()
