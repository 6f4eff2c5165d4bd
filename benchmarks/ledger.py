"""Ledger benchmark: posting throughput (memory, SQLite) and balance look-ups.

Run: ``.venv/bin/python benchmarks/ledger.py`` (``--quick`` for a smaller run).

Entries are the shape the payment recipe produces, 3 postings each (cash, contractual
adjustment, insurance receivable), four entries per claim so that accounts are both
created and reused. Each figure is measured in the same run as a raw ``sqlite3`` baseline
that inserts the same rows into the same schema without any medbill logic.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

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
    post_charges,
    post_claim_payment,
)
from medbill.ledger._examples import example_claim, example_coverage, example_remittance
from medbill.ledger._stores._sqlite import MIGRATIONS

DAY = pendulum.date(2025, 4, 1)
AT = pendulum.datetime(2025, 4, 1, 12)
PAID, ADJUSTED, TOTAL = Decimal("80.00"), Decimal("20.00"), Decimal("100.00")


def make_entries(count: int, start: int = 0) -> list[JournalEntry]:
    """``count`` payment-shaped entries, four per claim, 1,000 patients, two payers."""
    entries = []
    for n in range(start, start + count):
        claim, patient, payer = f"C{n // 4}", f"P{n // 4 % 1000}", ("acme", "beta")[n % 2]
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


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:>12,.0f} entries/s"


def timed(action: Callable[[], object]) -> float:
    gc.collect()  # leave no garbage of an earlier run to this one
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


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
    for statement in MIGRATIONS[0].split(";"):
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


def best_of(runs: int, prepare: Callable[[int], Callable[[], object]]) -> float:
    """The fastest of ``runs`` timings; ``prepare(run)`` sets up a fresh run (not timed)."""
    return min(timed(prepare(run)) for run in range(runs))


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

    raw_seconds = best_of(3, raw_run)
    ours = best_of(3, our_run)
    print(f"  {label}")
    print(f"    raw sqlite3, same rows, same schema  {rate(len(entries), raw_seconds)}")
    print(
        f"    medbill SqliteStore                  {rate(len(entries), ours)}"
        f"   ({ours / raw_seconds:.2f}x the raw time)"
    )


def lookup_figures(ledger: Ledger, size: int) -> None:
    claim = f"C{size // 8}"
    patient = f"P{size // 8 % 1000}"
    account = Account.insurance_receivable("acme", "primary", patient, claim)
    day = DAY.add(days=200)
    questions: list[tuple[str, Callable[[], object]]] = [
        ("one account", lambda: ledger.balance(account)),
        ("one claim (roll-up)", lambda: ledger.total("insurance_receivable", claim=claim)),
        ("one patient (roll-up)", lambda: ledger.total("insurance_receivable", patient=patient)),
        ("one payer (roll-up)", lambda: ledger.total("insurance_receivable", payer="acme")),
        ("one account as of a date", lambda: ledger.balance(account, as_of=day)),
        (
            "one claim as of a date",
            lambda: ledger.total("insurance_receivable", claim=claim, as_of=day),
        ),
    ]
    for label, question in questions:
        samples = []
        repeat = 2_000
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(repeat):
                question()
            samples.append((time.perf_counter() - start) / repeat * 1e6)
        print(f"  {label:<28}{statistics.median(samples):>8.1f} µs per look-up (median of 5)")


def fill(ledger: Ledger, size: int, batch: int) -> float:
    started = time.perf_counter()
    for start in range(0, size, batch):
        ledger.post_batch(make_entries(min(batch, size - start), start))
    return time.perf_counter() - started


def lookups(size: int, folder: Path) -> None:
    print(f"\nbalance look-ups on a ledger of {size:,} entries")
    memory = Ledger.in_memory()
    print(f"  MemoryStore (filled in {fill(memory, size, 50_000):.1f} s)")
    lookup_figures(memory, size)
    del memory
    gc.collect()
    path = folder / "large.sqlite"
    with Ledger.open(path, synchronous="NORMAL") as filling:
        seconds = fill(filling, size, 10_000)
    started = time.perf_counter()
    with Ledger.open(path) as ledger:
        opened = time.perf_counter() - started
        print(
            f"  SqliteStore (filled in {seconds:.1f} s; reopened, index rebuilt, in {opened:.1f} s)"
        )
        lookup_figures(ledger, size)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    args = parser.parse_args()
    batch_size = 20_000 if args.quick else 100_000
    lookup_size = 100_000 if args.quick else 1_000_000

    print(f"building {batch_size:,} entries (3 postings each)")
    build = best_of(3, lambda run: lambda: make_entries(batch_size))
    entries = make_entries(batch_size)
    print(f"  JournalEntry construction with validation {rate(batch_size, build)} (best of 3)")

    memory_figures(entries, batch_size)
    recipe_figures(batch_size // 5)

    print("\nSQLite (WAL, synchronous=FULL: durable on commit), best of 3")
    with tempfile.TemporaryDirectory() as folder:
        sqlite_figures(entries, 1_000, Path(folder), "1,000 entries per commit")
        single = entries[: 500 if args.quick else 2_000]
        sqlite_figures(single, 1, Path(folder), "one commit per entry")
        entries.clear()
        lookups(lookup_size, Path(folder))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak resident memory of this run: {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
