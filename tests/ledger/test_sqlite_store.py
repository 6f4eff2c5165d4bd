"""SqliteStore beyond the shared contract: persistence, schema versions, crashes, sharing."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pendulum
import pytest

from medbill import LedgerError
from medbill.ledger import Account, JournalEntry, Ledger, Posting
from medbill.ledger._stores._sqlite import SqliteStore

D = Decimal
DAY = pendulum.date(2025, 3, 1)
AT = pendulum.datetime(2025, 3, 1, 8)


def entry(key: str, amount: str = "10.00", patient: str = "P1") -> JournalEntry:
    return JournalEntry(
        key=key,
        effective=DAY,
        recorded_at=AT,
        postings=[
            Posting.debit(Account.cash(), D(amount)),
            Posting.credit(Account.patient_credit(patient), D(amount)),
        ],
    )


def test_entries_and_balances_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    with Ledger.open(path) as ledger:
        ledger.post_batch([entry("a"), entry("b", "2.50")])
        ledger.close_account(Account.patient_credit("P9"))
    with Ledger.open(path) as ledger:
        assert len(ledger) == 2
        assert ledger.balance(Account.patient_credit("P1")) == D("12.50")
        assert ledger.get("b") == entry("b", "2.50")
        assert ledger.is_closed(Account.patient_credit("P9"))
        ledger.post(entry("c"))  # sequence numbers continue after reopening
        assert [e.key for e in ledger.entries()] == ["a", "b", "c"]


def test_the_schema_is_versioned(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    store = SqliteStore(path)
    assert store.schema_version == 4
    store.close()
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    connection.execute("PRAGMA user_version=99")
    connection.commit()
    connection.close()
    with pytest.raises(LedgerError, match="schema version 99"):
        SqliteStore(path)


def test_bad_synchronous_setting(tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match="synchronous"):
        SqliteStore(tmp_path / "x.sqlite", synchronous="OFF")


def test_two_connections_see_each_others_commits(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    with Ledger.open(path) as first, Ledger.open(path) as second:
        first.post(entry("a"))
        assert "a" in second
        assert second.balance(Account.patient_credit("P1")) == D("10.00")
        second.post(entry("b", patient="P2"))
        assert len(first) == 2
        assert [e.key for e in first.entries(patient="P2")] == ["b"]


WRITER = textwrap.dedent(
    """
    import sys, pendulum
    from decimal import Decimal
    from medbill.ledger import Account, JournalEntry, Ledger, Posting

    ledger = Ledger.open(sys.argv[1])
    day, at = pendulum.date(2025, 3, 1), pendulum.datetime(2025, 3, 1, 8)
    batch_number = 0
    print("ready", flush=True)
    while True:
        batch = []
        for i in range(500):
            n = batch_number * 500 + i
            claim = f"C{n}"
            batch.append(JournalEntry(key=f"e{n}", effective=day, recorded_at=at, postings=[
                Posting.debit(Account.cash(), Decimal("70.00")),
                Posting.debit(Account.patient_receivable(f"P{n % 50}", claim), Decimal("30.00")),
                Posting.credit(Account.gross_charges(f"P{n % 50}", claim), Decimal("100.00")),
            ]))
        ledger.post_batch(batch)
        batch_number += 1
    """
)


def test_a_process_killed_mid_batch_leaves_no_partial_entry(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    # wait until it has committed a few batches; it is then busy with the next one
    watcher = sqlite3.connect(path)
    for _ in range(600):
        time.sleep(0.05)
        if watcher.execute("SELECT COUNT(*) FROM entries").fetchone()[0] >= 1_500:
            break
    watcher.close()
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stdout.close()
    with Ledger.open(path) as ledger:
        count = len(ledger)
        assert count >= 1_500
        assert count % 500 == 0  # whole batches only
        connection = sqlite3.connect(path)
        packed = [row[0] for row in connection.execute("SELECT postings FROM entries")]
        subjects = connection.execute("SELECT COUNT(*) FROM subjects").fetchone()[0]
        orphans = connection.execute(
            "SELECT COUNT(*) FROM subjects WHERE seq NOT IN (SELECT seq FROM entries)"
        ).fetchone()[0]
        connection.close()
        assert sum(len(json.loads(text)) // 2 for text in packed) == 3 * count
        assert subjects >= count
        assert orphans == 0
        ledger.check_invariants()
        # 70 cash per entry, 30 receivable, 100 charges
        assert ledger.total("cash") == D("70.00") * count
        assert ledger.total("patient_receivable") == D("30.00") * count
        assert ledger.total("gross_charges") == D("100.00") * count
        ledger.post(entry("after-the-crash"))
        assert len(ledger) == count + 1


def test_a_batch_the_database_refuses_leaves_everything_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    with Ledger.open(path) as ledger:
        ledger.post(entry("a"))
        connection = sqlite3.connect(path)
        connection.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON entries WHEN NEW.postings LIKE '%,-4242%' "
            "BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END"
        )
        connection.commit()
        connection.close()
        with pytest.raises(LedgerError, match="refused by a trigger"):
            ledger.post_batch([entry("b", patient="P2"), entry("c", "42.42", patient="P3")])
        assert len(ledger) == 1
        assert "b" not in ledger
        assert ledger.balance(Account.patient_credit("P2")) == D("0.00")
        assert list(ledger.accounts("patient_credit")) == [Account.patient_credit("P1")]
        ledger.post(entry("d", patient="P2"))  # account ids given back by the rollback
    with Ledger.open(path) as reopened:
        assert [e.key for e in reopened.entries()] == ["a", "d"]
        assert reopened.balance(Account.patient_credit("P2")) == D("10.00")


DIES_BEFORE_COMMIT = textwrap.dedent(
    """
    import os, signal, sys, pendulum
    from decimal import Decimal
    from medbill.ledger import Account, JournalEntry, Ledger, Posting, SqliteStore

    class DiesAtSecondCommit:
        def __init__(self, connection):
            self.connection, self.commits = connection, 0

        def execute(self, sql, *args):
            if sql == "COMMIT" and self.commits == 1:
                os.kill(os.getpid(), signal.SIGKILL)  # every row is written, none committed
            if sql == "COMMIT":
                self.commits += 1
            return self.connection.execute(sql, *args)

        def __getattr__(self, name):
            return getattr(self.connection, name)

    store = SqliteStore(sys.argv[1])
    store._conn = DiesAtSecondCommit(store._conn)
    ledger = Ledger(store)
    day, at = pendulum.date(2025, 3, 1), pendulum.datetime(2025, 3, 1, 8)
    for batch in range(2):
        ledger.post_batch([JournalEntry(key=f"b{batch}-{i}", effective=day, recorded_at=at,
            postings=[Posting.debit(Account.cash(), Decimal("1.00")),
                      Posting.credit(Account.patient_credit(f"P{batch}"), Decimal("1.00"))])
            for i in range(100)])
    """
)


def test_a_process_killed_inside_the_transaction_leaves_the_batch_out(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    finished = subprocess.run(
        [sys.executable, "-c", DIES_BEFORE_COMMIT, str(path)], check=False, timeout=120
    )
    assert finished.returncode == -signal.SIGKILL
    with Ledger.open(path) as ledger:
        assert len(ledger) == 100  # the first batch only
        assert ledger.balance(Account.patient_credit("P0")) == D("100.00")
        assert ledger.balance(Account.patient_credit("P1")) == D("0.00")
        assert list(ledger.accounts("patient_credit")) == [Account.patient_credit("P0")]
        ledger.check_invariants()


def test_a_version_1_file_is_migrated_with_its_balances(tmp_path: Path) -> None:
    """A file written by medbill 0.1 (schema 1: no balances on disk) opens as version 2;
    balances are computed once from its postings: cash 10.00 + 2.50 = 12.50."""
    from medbill.ledger._stores._sqlite import SCHEMA_V1

    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA_V1)
    conn.executescript(
        """
        INSERT INTO accounts (id, code, patient, closed) VALUES (1, 'cash', NULL, 0),
            (2, 'patient_credit', 'P1', 0), (3, 'patient_credit', 'P9', 1);
        INSERT INTO entries (seq, key, kind, effective, recorded_at, memo)
            VALUES (1, 'a', 'general', 739311, '2025-03-01T08:00:00+00:00', ''),
                   (2, 'b', 'general', 739311, '2025-03-01T08:00:00+00:00', '');
        INSERT INTO postings VALUES (1, 0, 1, 1000), (1, 1, 2, -1000),
                                    (2, 0, 1, 250), (2, 1, 2, -250);
        PRAGMA user_version=1;
        """
    )
    conn.close()
    assert pendulum.Date.fromordinal(739311) == DAY
    with Ledger.open(path) as ledger:
        assert isinstance(ledger.store, SqliteStore)
        assert ledger.store.schema_version == 4
        assert ledger.balance(Account.cash()) == D("12.50")
        assert ledger.balance(Account.patient_credit("P1")) == D("12.50")
        assert ledger.get("b") == entry("b", "2.50")
        assert ledger.is_closed(Account.patient_credit("P9"))
        ledger.post(entry("c"))
        assert [e.key for e in ledger.entries(patient="P1")] == ["a", "b", "c"]
        ledger.check_invariants()


def test_opening_reads_nothing_but_the_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Open is O(1): no statement touching entries or postings runs while opening."""
    path = tmp_path / "ledger.sqlite"
    with Ledger.open(path) as ledger:
        ledger.post_batch([entry(f"e{n}") for n in range(50)])
    statements: list[str] = []
    original = sqlite3.connect

    def tracing(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn: sqlite3.Connection = original(*args, **kwargs)
        conn.set_trace_callback(statements.append)
        return conn

    monkeypatch.setattr(sqlite3, "connect", tracing)
    SqliteStore(path).close()
    monkeypatch.undo()
    assert statements
    assert not [s for s in statements if "entries" in s or "postings" in s]


def test_a_schema_2_file_gains_the_provider_column(
    tmp_path: Path, schema_v3: Callable[[str], None]
) -> None:
    """Schema 3 adds ``entries.provider``: a version-2 file opens with its entries, which
    name no provider, and new entries keep theirs."""
    from medbill.ledger import References

    path = tmp_path / "v2.sqlite"
    with Ledger.open(path) as ledger:
        ledger.post_batch([entry("a"), entry("b", "2.50")])
    schema_v3(str(path))
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE entries DROP COLUMN provider")  # as medbill 0.2 wrote it
    conn.execute("PRAGMA user_version=2")
    conn.commit()
    conn.close()
    with Ledger.open(path) as ledger:
        assert isinstance(ledger.store, SqliteStore)
        assert ledger.store.schema_version == 4
        assert ledger.get("b") == entry("b", "2.50")
        assert ledger.get("b").references.provider is None
        assert ledger.balance(Account.cash()) == D("12.50")
        tagged = JournalEntry(
            key="c",
            effective=DAY,
            recorded_at=AT,
            references=References(provider="1234567893"),
            postings=[
                Posting.debit(Account.cash(), D("1.00")),
                Posting.credit(Account.patient_credit("P1"), D("1.00")),
            ],
        )
        ledger.post(tagged)
    with Ledger.open(path) as ledger:
        assert ledger.get("c").references.provider == "1234567893"
        ledger.check_invariants()
