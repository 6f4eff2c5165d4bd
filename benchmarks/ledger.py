"""Ledger benchmark: posting throughput (memory, SQLite, PostgreSQL), concurrent writers,
open, balance look-ups, a patient's history and aging at 1,000,000 entries.

Run: ``.venv/bin/python benchmarks/ledger.py`` (``--quick`` for a smaller run). The
PostgreSQL figures use ``MEDBILL_PG_DSN`` when set (``.ci/services/10-postgres.sh`` starts a
throwaway server and exports it); otherwise the benchmark starts a throwaway server of its
own from the machine's binaries (``/usr/lib/postgresql/*/bin``, as the tests do: a Unix
socket in a temporary folder, ``fsync=off``) and stops it at the end.

Entries are the shape the payment recipe produces, 3 postings each (cash, contractual
adjustment, insurance receivable), four entries per claim so that accounts are both
created and reused. Each figure is measured in the same run as a raw ``sqlite3`` /
``psycopg`` baseline that writes the same entry and posting rows (or asks the same
question of the same tables) without any medbill logic: the raw writers keep no balances,
so the gap is the cost of the balances, roll-ups and checks medbill keeps in the same
transaction.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import glob
import multiprocessing
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import attrs
import pendulum

from medbill import Adjustment
from medbill.ledger import (
    Account,
    EntryKind,
    JournalEntry,
    Ledger,
    Posting,
    References,
    aging,
    post_charges,
    post_claim_payment,
)
from medbill.ledger._examples import example_claim, example_coverage, example_remittance
from medbill.ledger._stores._sql import ident_of
from medbill.ledger._stores._sqlite import SCHEMA_V1

PG_DSN = os.environ.get("MEDBILL_PG_DSN")
PG_DATA: Path | None = None
"""The data folder of the server this run started (or ``--pg-data``): its processes' CPU
is read from ``/proc`` for the server-side figures."""


def server_cpu() -> float | None:
    """CPU seconds used so far by the PostgreSQL server of ``PG_DATA`` (the postmaster and
    its children: backends, writers); ``None`` for a server of unknown folder."""
    if PG_DATA is None:
        return None
    try:
        postmaster = int((PG_DATA / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    ticks = 0
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(stat) as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.split("/")[2])
        if pid == postmaster or int(fields[1]) == postmaster:  # fields[1]: the parent
            ticks += int(fields[11]) + int(fields[12])  # utime, stime (+ finished children)
            ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def settled_server_cpu() -> float | None:
    """:func:`server_cpu` once it stops changing (up to 5 s). A backend whose client just
    closed has left ``/proc`` before the postmaster reaps it into its children's time; read
    in between, its CPU counts nowhere, so a run's figure came out near zero (the benchmark
    printed 1,666,667 entries per server CPU-s)."""
    last = server_cpu()
    deadline = time.monotonic() + 5.0
    while last is not None and time.monotonic() < deadline:
        time.sleep(0.1)
        now = server_cpu()
        if now == last:
            break
        last = now
    return last


def server_timed(action: Callable[[], object]) -> tuple[Timing, float | None]:
    """``timed(action)`` and the PostgreSQL server's CPU seconds meanwhile (read settled,
    outside the timed span)."""
    before = settled_server_cpu()
    timing = timed(action)
    after = settled_server_cpu()
    return timing, None if before is None or after is None else after - before


def server_text(seconds: float | None) -> str:
    return "" if seconds is None else f", server {seconds:.2f} s CPU"


DAY = pendulum.date(2025, 4, 1)
AT = pendulum.datetime(2025, 4, 1, 12)
PAID, ADJUSTED, TOTAL = Decimal("80.00"), Decimal("20.00"), Decimal("100.00")


def make_entries(count: int, start: int = 0, patients_from: int = 0) -> list[JournalEntry]:
    """``count`` payment-shaped entries, four per claim, 1,000 patients (numbered from
    ``patients_from``), two payers."""
    entries = []
    for n in range(start, start + count):
        claim, payer = f"C{n // 4}", ("acme", "beta")[n % 2]
        patient = f"P{patients_from + n // 4 % 1000}"
        entries.append(
            JournalEntry(
                key=f"pay-{n}",
                effective=DAY.add(days=n % 365),
                recorded_at=AT,
                kind=EntryKind.CLAIM_PAYMENT,
                references=References(patient=patient, claim=claim, payer=payer),
                postings=(
                    Posting(Account(code="cash", payer=payer), PAID),
                    Posting(
                        Account(
                            code="contractual_adjustment",
                            payer=payer,
                            level="primary",
                            patient=patient,
                            claim=claim,
                        ),
                        ADJUSTED,
                    ),
                    Posting(
                        Account(
                            code="insurance_receivable",
                            payer=payer,
                            level="primary",
                            patient=patient,
                            claim=claim,
                        ),
                        -TOTAL,
                    ),
                ),
            )
        )
    return entries


class Timing(NamedTuple):
    """Wall-clock seconds and CPU seconds of this process (and of its finished children,
    for the concurrent writers; a PostgreSQL server's CPU is not included)."""

    wall: float
    cpu: float


def rate(count: int, seconds: Timing | float) -> str:
    if isinstance(seconds, Timing):
        return (
            f"{count / seconds.wall:>10,.0f} entries/s wall, {count / seconds.cpu:>8,.0f} per CPU-s"
        )
    return f"{count / seconds:>10,.0f} entries/s"


def _cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def timed(action: Callable[[], object]) -> Timing:
    gc.collect()  # leave no garbage of an earlier run to this one
    start, cpu = time.perf_counter(), _cpu()
    action()
    return Timing(time.perf_counter() - start, _cpu() - cpu)


def raw_rows(
    entries: list[JournalEntry],
) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], list[tuple[object, ...]]]:
    """The rows SqliteStore writes for ``entries``, prepared outside the timed section."""
    account_ids: dict[tuple[str | None, ...], int] = {}
    accounts, entry_rows, posting_rows = [], [], []
    for seq, entry in enumerate(entries, start=1):
        refs = entry.references
        entry_rows.append(
            (
                seq,
                entry.key,
                entry.kind.value,
                entry.effective.toordinal(),
                AT.isoformat(),
                entry.memo,
                refs.patient,
                refs.payer,
                refs.claim,
                None,
                None,
                None,
                None,
                None,
            )
        )
        for position, posting in enumerate(entry.postings):
            identity = posting.account.identity
            if identity not in account_ids:
                account_ids[identity] = len(account_ids) + 1
                accounts.append((account_ids[identity], *identity))
            posting_rows.append((seq, position, account_ids[identity], posting.cents))
    return accounts, entry_rows, posting_rows


def raw_connection(path: Path, synchronous: str) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(f"PRAGMA synchronous={synchronous}")
    for statement in SCHEMA_V1.split(";"):
        if statement.strip():
            connection.execute(statement)
    return connection


def raw_insert(
    connection: sqlite3.Connection, rows: tuple[list, list, list], per_commit: int
) -> None:
    accounts, entry_rows, posting_rows = rows
    connection.execute("BEGIN")
    connection.executemany(
        "INSERT INTO accounts (id, code, patient, payer, level, claim, line) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        accounts,
    )
    connection.execute("COMMIT")
    for start in range(0, len(entry_rows), per_commit):
        connection.execute("BEGIN")
        connection.executemany(
            "INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            entry_rows[start : start + per_commit],
        )
        connection.executemany(
            "INSERT INTO postings VALUES (?, ?, ?, ?)",
            posting_rows[3 * start : 3 * (start + per_commit)],
        )
        connection.execute("COMMIT")


Statements = list[list[tuple[str, list[Any]]]]


def captured_statements(entries: list[JournalEntry], per_commit: int, folder: Path) -> Statements:
    """Every write statement SqliteStore executes for ``entries``, with its rows, one list
    per commit: captured from a scratch run (not timed), to be replayed by raw sqlite3."""
    batches: Statements = []
    with Ledger.open(folder / f"capture-{per_commit}.sqlite", synchronous="NORMAL") as ledger:
        store: Any = ledger.store
        original = store._execute_many

        def capture(sql: str, rows: Any) -> None:
            batches[-1].append((sql, list(rows)))
            original(sql, rows)

        store._execute_many = capture
        for start in range(0, len(entries), per_commit):
            batches.append([])
            ledger.post_batch(entries[start : start + per_commit])
    return batches


def raw_replay(path: Path, batches: Statements) -> None:
    """The statements medbill writes, replayed with ``executemany`` on a fresh file of the
    same schema (FULL): the SQL cost alone, without medbill's Python or its reads."""
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("PRAGMA synchronous=FULL")
    for batch in batches:
        raw.execute("BEGIN IMMEDIATE")
        for sql, rows in batch:
            raw.executemany(sql, rows)
        raw.execute("COMMIT")
    raw.close()


def best_of(runs: int, prepare: Callable[[int], Callable[[], object]]) -> Timing:
    """The fastest of ``runs`` timings (wall and CPU each); ``prepare(run)`` sets up a
    fresh run (not timed)."""
    timings = [timed(prepare(run)) for run in range(runs)]
    return Timing(min(t.wall for t in timings), min(t.cpu for t in timings))


def sqlite_figures(entries: list[JournalEntry], per_commit: int, folder: Path, label: str) -> None:
    rows = raw_rows(entries)

    def raw_run(run: int) -> Callable[[], object]:
        os.sync()  # no dirty pages of an earlier run to flush during this one's fsyncs
        raw = raw_connection(folder / f"raw-{per_commit}-{run}.sqlite", "FULL")
        return lambda: (raw_insert(raw, rows, per_commit), raw.close())

    def our_run(run: int) -> Callable[[], object]:
        os.sync()
        ledger = Ledger.open(folder / f"medbill-{per_commit}-{run}.sqlite")  # synchronous=FULL

        def post() -> None:
            if per_commit == 1:
                for entry in entries:
                    ledger.post(entry)
            else:
                for start in range(0, len(entries), per_commit):
                    ledger.post_batch(entries[start : start + per_commit])
            ledger.close()

        return post

    batches = captured_statements(entries, per_commit, folder)
    rows_written = sum(len(rows) for batch in batches for _, rows in batch)

    def replay_run(run: int) -> Callable[[], object]:
        os.sync()
        path = folder / f"replay-{per_commit}-{run}.sqlite"
        with Ledger.open(path):  # today's schema, empty
            pass
        return lambda: raw_replay(path, batches)

    raw_seconds = best_of(3, raw_run)
    replayed = best_of(3, replay_run)
    ours = best_of(3, our_run)
    print(f"  {label}")
    print(f"    raw sqlite3, entries and postings    {rate(len(entries), raw_seconds)}")
    print(
        f"    raw sqlite3, every row medbill writes {rate(len(entries), replayed)}"
        f"   ({rows_written / len(entries):.1f} rows per entry: balances, days, subjects)"
    )
    print(
        f"    medbill SqliteStore                  {rate(len(entries), ours)}"
        f"   ({ours.wall / raw_seconds.wall:.2f}x the first raw wall time, "
        f"{ours.cpu / raw_seconds.cpu:.2f}x its CPU; {ours.cpu / replayed.cpu:.2f}x the "
        "replay's CPU)"
    )


def median_us(question: Callable[[], object], repeat: int = 1_000) -> float:
    """Median over 5 rounds of the mean time of one call, in microseconds."""
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(repeat):
            question()
        samples.append((time.perf_counter() - start) / repeat * 1e6)
    return statistics.median(samples)


def lookup_figures(ledger: Ledger, size: int, raw: sqlite3.Connection | None) -> None:
    claim = f"C{size // 8}"
    patient = f"P{size // 8 % 1000}"
    account = Account.insurance_receivable("acme", "primary", patient, claim)
    day = DAY.add(days=200)
    ident = ident_of(account.identity)
    questions: list[tuple[str, Callable[[], object], Callable[[], object] | None]] = [
        (
            "one account",
            lambda: ledger.balance(account),
            None
            if raw is None
            else lambda: raw.execute(
                "SELECT balance FROM accounts WHERE ident = ?", (ident,)
            ).fetchone(),
        ),
        ("one claim (roll-up)", lambda: ledger.total("insurance_receivable", claim=claim), None),
        (
            "one patient (roll-up)",
            lambda: ledger.total("insurance_receivable", patient=patient),
            None,
        ),
        ("one payer (roll-up)", lambda: ledger.total("insurance_receivable", payer="acme"), None),
        (
            "one account as of a date",
            lambda: ledger.balance(account, as_of=day),
            None
            if raw is None
            else lambda: raw.execute(
                "SELECT SUM(d.cents) FROM accounts a JOIN daily d ON d.account_id = a.id "
                "WHERE a.ident = ? AND d.day <= ?",
                (ident, day.toordinal()),
            ).fetchone(),
        ),
        (
            "one claim as of a date",
            lambda: ledger.total("insurance_receivable", claim=claim, as_of=day),
            None,
        ),
    ]
    for label, question, baseline in questions:
        ours = median_us(question)
        line = f"  {label:<28}{ours:>8.1f} µs per look-up"
        if baseline is not None:
            line += f"   (raw sqlite3 SELECT {median_us(baseline):.1f} µs)"
        print(line)
    history = median_us(lambda: ledger.history(patient=patient, limit=100), repeat=20)
    line = f"  a patient's history (100)   {history / 1000:>8.2f} ms"
    if raw is not None:
        sql = (
            "SELECT e.* FROM subjects s JOIN entries e ON e.seq = s.seq "
            "WHERE s.subject = ? ORDER BY s.seq LIMIT 100"
        )
        baseline = median_us(lambda: raw.execute(sql, ("p:" + patient,)).fetchall(), repeat=20)
        line += f"   (raw sqlite3 rows only {baseline / 1000:.2f} ms)"
    print(line)


def fill(ledger: Ledger, size: int, batch: int) -> float:
    started = time.perf_counter()
    for start in range(0, size, batch):
        ledger.post_batch(make_entries(min(batch, size - start), start))
    return time.perf_counter() - started


def rss_mib() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def lookups(size: int, folder: Path, filled: Path | None = None) -> None:
    """Look-ups on a MemoryStore and on an SQLite ledger of ``size`` entries (``filled``:
    a ledger file an earlier run of this benchmark filled, ``--sqlite-filled``, reused)."""
    print(f"\nbalance look-ups on a ledger of {size:,} entries")
    small = min(size, 100_000)
    memory = Ledger.in_memory()
    print(f"  MemoryStore of {small:,} entries (filled in {fill(memory, small, 50_000):.1f} s)")
    lookup_figures(memory, small, None)
    del memory
    gc.collect()
    path = filled or folder / "large.sqlite"
    if filled is None:
        with Ledger.open(path, synchronous="NORMAL") as filling:
            seconds = fill(filling, size, 20_000)
        print(
            f"  SqliteStore (filled in {seconds:.1f} s = {size / seconds:,.0f} entries/s, "
            f"synchronous=NORMAL)"
        )
    before = rss_mib()
    started = time.perf_counter()
    ledger = Ledger.open(path)
    opened = time.perf_counter() - started
    grown = rss_mib() - before
    started = time.perf_counter()
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA user_version").fetchone()
    raw_open = time.perf_counter() - started
    print(
        f"  open                        {opened * 1000:>8.2f} ms, memory +{grown:.1f} MiB   "
        f"(raw sqlite3 connect + user_version {raw_open * 1000:.2f} ms)"
    )
    lookup_figures(ledger, size, raw)
    as_of = DAY.add(days=400)

    def raw_aging() -> None:
        raw.execute(
            "SELECT a.id, SUM(CASE WHEN d.day <= ? THEN d.cents ELSE 0 END), "
            "MIN(CASE WHEN d.cents > 0 THEN d.day END) FROM accounts a "
            "JOIN daily d ON d.account_id = a.id "
            "WHERE a.code IN ('insurance_receivable', 'patient_receivable') GROUP BY a.id",
            (as_of.toordinal(),),
        ).fetchall()

    raw_aging()  # warm the page cache: neither side pays for a cold read
    reports = []
    ours = best_of(2, lambda run: lambda: reports.append(aging(ledger, as_of=as_of)))
    baseline = best_of(2, lambda run: raw_aging)
    print(
        f"  aging of every receivable   {ours.wall:>8.2f} s wall, {ours.cpu:.2f} s CPU "
        f"({len(reports[0].rows)} rows)   (raw sqlite3 grouped query alone "
        f"{baseline.wall:.2f} s wall, {baseline.cpu:.2f} s CPU; best of 2, warm cache)"
    )
    raw.close()
    ledger.close()


def pg_lookups(size: int, filled: str | None = None) -> None:
    """Open, look-ups, a patient's history and aging on a PostgreSQL ledger of ``size``
    entries, each beside the same question asked of the same tables through raw psycopg.
    ``filled`` is the DSN of a ledger this benchmark filled before (``--pg-filled``), reused."""
    dsn = filled or PG_DSN
    if dsn is None:
        print("\nPostgreSQL look-ups: skipped (no server)")
        return
    import psycopg

    print(f"\nPostgreSQL look-ups on a ledger of {size:,} entries")
    if filled is None:
        pg_reset(dsn)
        with Ledger.open(dsn, busy_timeout=600) as filling:
            seconds = fill(filling, size, 20_000)
        print(f"  PostgresStore (filled in {seconds:.1f} s = {size / seconds:,.0f} entries/s)")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    started = time.perf_counter()
    ledger = Ledger.open(dsn)
    opened = time.perf_counter() - started
    started = time.perf_counter()
    raw = psycopg.connect(dsn, autocommit=True)
    raw.execute("SELECT MAX(version) FROM medbill_schema").fetchone()
    raw_open = time.perf_counter() - started
    print(
        f"  open                        {opened * 1000:>8.2f} ms   "
        f"(raw psycopg connect + schema version {raw_open * 1000:.2f} ms)"
    )
    claim = f"C{size // 8}"
    patient = f"P{size // 8 % 1000}"
    account = Account.insurance_receivable("acme", "primary", patient, claim)
    ident = ident_of(account.identity)
    ours = median_us(lambda: ledger.balance(account), repeat=200)
    baseline = median_us(
        lambda: raw.execute("SELECT balance FROM accounts WHERE ident = %s", (ident,)).fetchone(),
        repeat=200,
    )
    print(
        f"  one account                 {ours:>8.1f} µs per look-up   (raw psycopg {baseline:.1f} µs)"
    )
    history = median_us(lambda: ledger.history(patient=patient, limit=100), repeat=20)
    sql = (
        "SELECT e.* FROM subjects s JOIN entries e ON e.seq = s.seq "
        "WHERE s.subject = %s ORDER BY s.seq LIMIT 100"
    )  # the entries' rows only (medbill reads their postings too)
    rows_only = median_us(lambda: raw.execute(sql, ("p:" + patient,)).fetchall(), repeat=20)
    print(
        f"  a patient's history (100)   {history / 1000:>8.2f} ms   "
        f"(raw psycopg rows only {rows_only / 1000:.2f} ms)"
    )
    as_of = DAY.add(days=400)

    def raw_aging() -> None:
        raw.execute(
            "SELECT a.id, SUM(CASE WHEN d.day <= %s THEN d.cents ELSE 0 END), "
            "MIN(CASE WHEN d.cents > 0 THEN d.day END) FROM accounts a "
            "JOIN daily d ON d.account_id = a.id "
            "WHERE a.code IN ('insurance_receivable', 'patient_receivable') GROUP BY a.id",
            (as_of.toordinal(),),
        ).fetchall()

    raw_aging()  # warm the buffers: neither side pays for a cold read
    reports: list[Any] = []
    ours = [server_timed(lambda: reports.append(aging(ledger, as_of=as_of))) for _ in range(3)]
    raws = [server_timed(raw_aging) for _ in range(3)]

    def best(runs: list[tuple[Timing, float | None]]) -> str:
        wall = min(timing.wall for timing, _ in runs)
        server = [cpu for _, cpu in runs if cpu is not None]
        return f"{wall:.2f} s wall" + server_text(min(server) if server else None)

    print(
        f"  aging of every receivable   {best(ours)} ({len(reports[0].rows)} rows)   "
        f"(raw psycopg grouped query of the days, default work_mem: {best(raws)}; "
        "best of 3, warm buffers)"
    )
    raw.close()
    ledger.close()


def memory_figures(entries: list[JournalEntry], batch_size: int) -> None:
    print("\nin-memory posting (validation, idempotency check, balance upkeep), best of 3")

    def one_by_one(run: int) -> Callable[[], object]:
        ledger = Ledger.in_memory()
        return lambda: [ledger.post(entry) for entry in entries]

    def batch(run: int) -> Callable[[], object]:
        ledger = Ledger.in_memory()
        return lambda: ledger.post_batch(entries)

    def build_and_batch(run: int) -> Callable[[], object]:
        ledger = Ledger.in_memory()
        return lambda: ledger.post_batch(make_entries(batch_size))

    print(
        f"  one post() per entry                       {rate(batch_size, best_of(3, one_by_one))}"
    )
    print(f"  one post_batch() of all                    {rate(batch_size, best_of(3, batch))}")
    seconds = best_of(3, build_and_batch)
    print(f"  construction + post_batch                  {rate(batch_size, seconds)}")


def recipe_figures(count: int) -> None:
    """End to end through the recipes, the way a remittance poster calls them."""
    print(f"\nrecipes end to end, {count:,} claims of two lines (entities built beforehand)")
    coverage = {p: example_coverage(f"P{p}") for p in range(100)}
    claims = [
        example_claim(f"C{n}", f"P{n % 100}", coverage[n % 100], (PAID + ADJUSTED, ADJUSTED))
        for n in range(count)
    ]
    era = example_remittance()
    template = era.claim_payments[0]
    payments = [
        attrs.evolve(
            template,
            claim_id=claim.id,
            charge=claim.total_charge,
            paid=Decimal("90.00"),
            lines=(),
            patient_responsibility=Decimal("20.00"),
            adjustments=(
                Adjustment(group="CO", reason="45", amount=Decimal("10.00")),
                Adjustment(group="PR", reason="2", amount=Decimal("20.00")),
            ),
        )
        for claim in claims
    ]
    ledger = Ledger.in_memory()
    charges = timed(lambda: [post_charges(ledger, claim, recorded_at=AT) for claim in claims])
    print(f"  post_charges (4 postings)                  {rate(count, charges)}")
    paid = timed(
        lambda: [
            post_claim_payment(ledger, claim, payment, remittance=era, recorded_at=AT)
            for claim, payment in zip(claims, payments, strict=True)
        ]
    )
    print(f"  post_claim_payment (4 postings)            {rate(count, paid)}")


INITDB_OPTIONS = ("-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[str | None]:
    """A PostgreSQL server for this run, on a Unix socket in a temporary folder (run as
    the ``postgres`` user under root), stopped at the end; ``None`` without binaries."""
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not binaries:
        yield None
        return
    bin_dir = Path(binaries[-1]).parent
    as_server = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    folder = Path(tempfile.mkdtemp(prefix="medbill-bench-pg-"))
    folder.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    global PG_DATA
    data, log = folder / "data", folder / "log"
    PG_DATA = data
    options = (
        f"-c listen_addresses='' -c unix_socket_directories='{folder}' -c fsync=off "
        "-c max_connections=100 -c shared_buffers=256MB"
    )
    start = ("-w", "-o", options, "start")
    try:
        subprocess.run(
            [*as_server, str(bin_dir / "initdb"), "-D", str(data), *INITDB_OPTIONS],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [*as_server, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), *start],
            check=True,
            capture_output=True,
        )
        yield f"postgresql://postgres@/postgres?host={folder}"
    finally:
        subprocess.run(
            [*as_server, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


def pg_reset(dsn: str) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


RAW_PG_TABLES = (
    "CREATE TABLE IF NOT EXISTS raw_accounts (id bigint PRIMARY KEY, code text, "
    "patient text, payer text, level text, claim text, line text)",
    "CREATE TABLE IF NOT EXISTS raw_entries (seq bigint PRIMARY KEY, key text UNIQUE, "
    "kind text, effective integer, recorded_at text, memo text, patient text, "
    "payer text, claim text, line text, remittance text, trace text, "
    "service_date integer, reverses text UNIQUE)",
    "CREATE TABLE IF NOT EXISTS raw_postings (entry_seq bigint, position integer, "
    "account_id bigint, cents bigint, PRIMARY KEY (entry_seq, position))",
)


def pg_raw_tables(dsn: str) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        for statement in RAW_PG_TABLES:
            conn.execute(statement)


def pg_copy(cursor: Any, table: str, rows: list[Any]) -> None:
    with cursor.copy(f"COPY {table} FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def pg_raw_insert(
    dsn: str, rows: tuple[list[Any], list[Any], list[Any]], per_commit: int, accounts: bool = True
) -> None:
    """The same entry and posting rows through psycopg's fast path (``COPY``, one per
    table and commit), no balances: the baseline of the PostgreSQL figures."""
    import psycopg

    account_rows, entry_rows, posting_rows = rows
    with psycopg.connect(dsn) as conn:
        if accounts:
            with conn.transaction(), conn.cursor() as cursor:
                pg_copy(cursor, "raw_accounts", account_rows)
        for start in range(0, len(entry_rows), per_commit):
            with conn.transaction(), conn.cursor() as cursor:
                pg_copy(cursor, "raw_entries", entry_rows[start : start + per_commit])
                pg_copy(cursor, "raw_postings", posting_rows[3 * start : 3 * (start + per_commit)])


def post_all(where: str | Path, entries: list[JournalEntry], per_commit: int) -> None:
    with Ledger.open(where, synchronous="FULL", busy_timeout=600) as ledger:
        for start in range(0, len(entries), per_commit):
            ledger.post_batch(entries[start : start + per_commit])


def postgres_figures(entries: list[JournalEntry], per_commit: int) -> None:
    if PG_DSN is None:
        print("\nPostgreSQL: skipped (set MEDBILL_PG_DSN; .ci/services/10-postgres.sh starts one)")
        return
    print(f"\nPostgreSQL (local server, {per_commit:,} entries per commit), best of 2")
    rows = raw_rows(entries)

    def raw_run(run: int) -> Callable[[], object]:
        pg_reset(PG_DSN or "")
        pg_raw_tables(PG_DSN or "")
        return lambda: pg_raw_insert(PG_DSN or "", rows, per_commit)

    def our_run(run: int) -> Callable[[], object]:
        pg_reset(PG_DSN or "")
        return lambda: post_all(PG_DSN or "", entries, per_commit)

    def best(prepare: Callable[[int], Callable[[], object]]) -> tuple[Timing, float | None]:
        runs = [server_timed(prepare(run)) for run in range(2)]
        servers = [cpu for _, cpu in runs if cpu is not None]
        return (
            Timing(min(t.wall for t, _ in runs), min(t.cpu for t, _ in runs)),
            min(servers) if servers else None,
        )

    def per_server_cpu(cpu: float | None) -> str:
        return "" if cpu is None else f", {len(entries) / cpu:,.0f} per server CPU-s"

    raw_seconds, raw_server = best(raw_run)
    ours, our_server = best(our_run)
    print(
        f"    raw psycopg COPY, same rows          {rate(len(entries), raw_seconds)} (client)"
        f"{per_server_cpu(raw_server)}"
    )
    print(
        f"    medbill PostgresStore                {rate(len(entries), ours)} (client)"
        f"{per_server_cpu(our_server)}   ({ours.wall / raw_seconds.wall:.2f}x the raw wall time)"
    )


def _prepare(kind: str, where: str, start: int, count: int, per_commit: int) -> Callable[[], None]:
    """What one writer process posts, built before the clock starts."""
    entries = make_entries(count, start, patients_from=start)
    if kind == "medbill":
        ledger = Ledger.open(where, busy_timeout=600)

        def post() -> None:
            for begin in range(0, len(entries), per_commit):
                ledger.post_batch(entries[begin : begin + per_commit])
            ledger.close()

        return post
    _, entry_rows, posting_rows = raw_rows(entries)
    if kind == "raw-pg":
        offset = [(row[0] + start, *row[1:]) for row in entry_rows]
        postings = [(row[0] + start, *row[1:]) for row in posting_rows]
        return lambda: pg_raw_insert(where, ([], offset, postings), per_commit, accounts=False)
    conn = sqlite3.connect(where, isolation_level=None, timeout=600)

    def raw_sqlite() -> None:
        for begin in range(0, len(entry_rows), per_commit):
            conn.execute("BEGIN IMMEDIATE")
            base = int(conn.execute("SELECT COALESCE(MAX(seq), 0) FROM entries").fetchone()[0])
            conn.executemany(
                "INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (base + i + 1, *row[1:])
                    for i, row in enumerate(entry_rows[begin : begin + per_commit])
                ],
            )
            conn.executemany(
                "INSERT INTO postings VALUES (?, ?, ?, ?)",
                [
                    (base + 1 + (seq - 1 - begin), position, account, cents)
                    for seq, position, account, cents in posting_rows[
                        3 * begin : 3 * (begin + per_commit)
                    ]
                ],
            )
            conn.execute("COMMIT")
        conn.close()

    return raw_sqlite


def _worker(
    kind: str, where: str, start: int, count: int, per_commit: int, ready: Any, go: Any, out: Any
) -> None:
    work = _prepare(kind, where, start, count, per_commit)
    ready.put(None)
    go.wait()
    cpu = time.process_time()
    work()
    out.put((time.monotonic(), time.process_time() - cpu))


def concurrent_figures(count: int, per_commit: int, folder: Path) -> None:
    """Three writer processes at once, each ``count`` entries of its own claims and
    patients; timed from a common start signal (after imports and set-up) to the last
    writer's end."""
    print(f"\n3 concurrent writer processes, {count:,} entries each, {per_commit:,} per commit")
    context = multiprocessing.get_context("spawn")

    def run(kind: str, where: str, writers: int = 3) -> Timing:
        ready, out, go = context.Queue(), context.Queue(), context.Event()
        workers = [
            context.Process(
                target=_worker, args=(kind, where, n * count, count, per_commit, ready, go, out)
            )
            for n in range(writers)
        ]
        for worker in workers:
            worker.start()
        for _ in workers:
            ready.get()
        started = time.monotonic()
        go.set()
        results = [out.get() for _ in workers]
        for worker in workers:
            worker.join()
            assert worker.exitcode == 0
        return Timing(max(end for end, _ in results) - started, sum(cpu for _, cpu in results))

    raw_path = folder / "raw-concurrent.sqlite"
    raw_connection(raw_path, "FULL").close()
    raw_seconds = run("raw-sqlite", str(raw_path))
    ours_path = folder / "concurrent.sqlite"
    Ledger.open(ours_path).close()
    ours = run("medbill", str(ours_path))
    print(f"    raw sqlite3 (BEGIN IMMEDIATE each)   {rate(3 * count, raw_seconds)} in total")
    print(f"    medbill SqliteStore                  {rate(3 * count, ours)} in total")
    if PG_DSN is not None:
        pg_reset(PG_DSN)
        pg_raw_tables(PG_DSN)
        raw_pg = run("raw-pg", PG_DSN)
        print(f"    raw psycopg COPY                     {rate(3 * count, raw_pg)} in total")
        pg_reset(PG_DSN)
        Ledger.open(PG_DSN).close()
        one = run("medbill", PG_DSN, writers=1)
        print(f"    medbill PostgresStore, one writer    {rate(count, one)}")
        pg_reset(PG_DSN)
        Ledger.open(PG_DSN).close()
        pg = run("medbill", PG_DSN)
        print(f"    medbill PostgresStore, 3 writers     {rate(3 * count, pg)} in total")
    print("    (CPU: the writers' own; a PostgreSQL server's is not included)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument(
        "--only",
        default="memory,sqlite,postgres,concurrent,lookups,pglookups",
        help="comma-separated sections to run (default: all)",
    )
    parser.add_argument(
        "--pg-filled",
        metavar="DSN",
        help="pglookups: reuse this PostgreSQL ledger, filled by an earlier run (not reset)",
    )
    parser.add_argument(
        "--sqlite-filled",
        metavar="PATH",
        type=Path,
        help="lookups: reuse this SQLite ledger, filled by an earlier run",
    )
    parser.add_argument(
        "--pg-data",
        metavar="DIR",
        type=Path,
        help="the data folder of the MEDBILL_PG_DSN server, to report its CPU",
    )
    args = parser.parse_args()
    global PG_DATA
    PG_DATA = args.pg_data
    only = set(args.only.split(","))
    batch_size = 20_000 if args.quick else 100_000
    lookup_size = 100_000 if args.quick else 1_000_000

    print(f"building {batch_size:,} entries (3 postings each)")
    build = best_of(3, lambda run: lambda: make_entries(batch_size))
    entries = make_entries(batch_size)
    print(f"  JournalEntry construction with validation {rate(batch_size, build)} (best of 3)")

    if "memory" in only:
        memory_figures(entries, batch_size)
        recipe_figures(batch_size // 5)

    global PG_DSN
    with contextlib.ExitStack() as stack:
        pg_sections = {"postgres", "concurrent"} | (set() if args.pg_filled else {"pglookups"})
        if PG_DSN is None and only & pg_sections:
            PG_DSN = stack.enter_context(throwaway_postgres())
        folder = stack.enter_context(tempfile.TemporaryDirectory())
        if "sqlite" in only:
            print("\nSQLite (WAL, synchronous=FULL: durable on commit), best of 3")
            sqlite_figures(entries, 1_000, Path(folder), "1,000 entries per commit")
            single = entries[: 500 if args.quick else 2_000]
            sqlite_figures(single, 1, Path(folder), "one commit per entry")
        if "postgres" in only:
            postgres_figures(entries[: batch_size // 2], 1_000)
        entries.clear()
        if "concurrent" in only:
            concurrent_figures(batch_size // 5, 1_000, Path(folder))
        if "lookups" in only:
            lookups(lookup_size, Path(folder), args.sqlite_filled)
        if "pglookups" in only:
            pg_lookups(lookup_size, args.pg_filled)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak resident memory of this run: {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
