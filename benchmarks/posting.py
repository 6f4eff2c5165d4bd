"""Remittance posting benchmark: plan + post of one 835 with 10,000 claims.

Run: ``.venv/bin/python benchmarks/posting.py`` (``--quick`` for 2,000 claims).

The ledger holds the charges of every claim (1-4 lines each) and two earlier
remittances. Acme's 835 then pays most claims as primary; 1 in 10 claims has Beta as
primary (paid earlier, its patient share moved to Acme) and Acme pays it as secondary
(CLP02 2, OA-23); 1 in 20 was paid by Acme earlier and is reversed and corrected
(CLP02 22, then 1). Timed: ``plan_remittance`` + ``RemittancePlan.post``, one
transaction, into ``MemoryStore`` and into ``SqliteStore`` at ``synchronous=FULL``.
Baseline in the same run: a raw ``sqlite3`` insert of exactly the rows the plan posts
(same schema, one transaction, ``synchronous=FULL``), with no medbill logic at all. Each
figure is the best of three runs, by wall clock and by CPU time (``time.process_time``:
the machine may be shared; an fsync's wait shows in wall time only); each store's line
also shows the best CPU seconds of ``plan_remittance`` and of ``RemittancePlan.post``.
The same-run baseline of the planner: each store is also timed with the lean planner of
the common CLP loop turned off (``medbill.claims._plan.LEAN_PLANNING``), so every loop is
planned by the reference planner.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sqlite3
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pendulum

import medbill.claims._plan as plan_module
from ledger import raw_connection, raw_rows  # the ledger benchmark's baseline helpers
from medbill import Adjustment, Claim, ClaimPayment, Coverage, LinePayment, Remittance
from medbill.claims import plan_remittance
from medbill.claims._plan import RemittancePlan
from medbill.ledger import JournalEntry, Ledger, post_charges
from medbill.testing import make_claim, make_claim_line, make_coverage, make_patient, make_payer

DOS = pendulum.date(2025, 3, 3)
AT = pendulum.datetime(2025, 6, 1, 12)
CODES = ("99213", "36415", "81002", "93000")
ZERO = Decimal("0.00")


def _money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


class World:
    """Claims, coverages and the two remittances, built once (not timed)."""

    def __init__(self, count: int, seed: int = 10) -> None:
        rng = random.Random(seed)
        self.claims: list[Claim] = []
        self.coverages: list[Coverage] = []
        beta = make_payer(id="beta", name="Beta Mutual", x12_payer_id="77777")
        earlier: list[ClaimPayment] = []
        beta_earlier: list[ClaimPayment] = []
        later: list[ClaimPayment] = []
        for n in range(count):
            patient = f"P{n}"
            acme = make_coverage(id=f"acme-{n}", patient_id=patient)
            lines = [
                make_claim_line(line_id=str(i), procedure=CODES[i - 1], service_date=DOS,
                                charge=_money(rng.randint(2_000, 40_000)))
                for i in range(1, rng.randint(1, 4) + 1)
            ]  # fmt: skip
            if n % 10 == 0:  # Beta is primary, Acme secondary: Acme's 835 pays it as secondary
                first = make_coverage(id=f"beta-{n}", patient_id=patient, payer=beta,
                                      member_id="B1")  # fmt: skip
                second = make_coverage(id=f"acme2-{n}", patient_id=patient,
                                       priority="secondary")  # fmt: skip
                claim = make_claim(id=f"C{n}", patient=make_patient(id=patient), coverage=first,
                                   lines=lines)  # fmt: skip
                self.coverages += [first, second]
                paid = self.primary(claim, f"BICN-{n}")
                beta_earlier.append(paid)
                later.append(self.secondary(claim, paid))
            else:
                claim = make_claim(id=f"C{n}", patient=make_patient(id=patient), coverage=acme,
                                   lines=lines)  # fmt: skip
                self.coverages.append(acme)
                paid = self.primary(claim, f"ICN-{n}")
                if n % 20 == 5:  # paid earlier, now reversed and corrected
                    earlier.append(paid)
                    later.append(self.reversal(paid))
                    later.append(self.primary(claim, f"ICN-{n}-C", rate=70))
                else:
                    later.append(paid)
            self.claims.append(claim)
        self.earlier = [
            _remittance("EARLIER-1", earlier, pendulum.date(2025, 3, 20)),
            _remittance("BETA-1", beta_earlier, pendulum.date(2025, 3, 21), "77777"),
        ]
        self.remittance = _remittance("EFT-10000", later, pendulum.date(2025, 4, 1))
        self.paid_claims = len({p.claim_id for p in later})

    @staticmethod
    def primary(claim: Claim, clp07: str, rate: int = 80) -> ClaimPayment:
        lines = []
        for line in claim.lines:
            allowed = (line.charge * Decimal("0.6")).quantize(Decimal("0.01"))
            paid = (allowed * rate / 100).quantize(Decimal("0.01"))
            lines.append(
                LinePayment(procedure=line.procedure, line_id=line.line_id, charge=line.charge,
                            paid=paid, service_date=DOS, adjustments=[
                                Adjustment(group="CO", reason="45", amount=line.charge - allowed),
                                Adjustment(group="PR", reason="2", amount=allowed - paid)])
            )  # fmt: skip
        return _claim_payment(claim.id, "1", lines, clp07)

    @staticmethod
    def secondary(claim: Claim, primary: ClaimPayment) -> ClaimPayment:
        lines = []
        for line, before in zip(claim.lines, primary.lines, strict=True):
            share = before.patient_responsibility
            lines.append(
                LinePayment(procedure=line.procedure, line_id=line.line_id, charge=line.charge,
                            paid=share, service_date=DOS, adjustments=[
                                Adjustment(group="OA", reason="23", amount=line.charge - share)])
            )  # fmt: skip
        return _claim_payment(claim.id, "2", lines, f"B-{claim.id}")

    @staticmethod
    def reversal(payment: ClaimPayment) -> ClaimPayment:
        lines = [
            LinePayment(procedure=li.procedure, line_id=li.line_id, charge=-li.charge,
                        paid=-li.paid, service_date=DOS,
                        adjustments=[Adjustment(group=a.group, reason=a.reason, amount=-a.amount)
                                     for a in li.adjustments])
            for li in payment.lines
        ]  # fmt: skip
        return _claim_payment(payment.claim_id, "22", lines, payment.payer_claim_control_number)


def _claim_payment(
    claim_id: str, status: str, lines: list[LinePayment], clp07: str | None
) -> ClaimPayment:
    adjustments = [a for li in lines for a in li.adjustments]
    return ClaimPayment(
        claim_id=claim_id,
        status=status,
        charge=sum((li.charge for li in lines), ZERO),
        paid=sum((li.paid for li in lines), ZERO),
        patient_responsibility=sum((a.amount for a in adjustments if a.group.value == "PR"), ZERO),
        lines=lines,
        payer_claim_control_number=clp07,
    )


def _remittance(
    trace: str, payments: list[ClaimPayment], day: pendulum.Date, payer_id: str = "60054"
) -> Remittance:
    return Remittance(
        id=trace,
        payer_name="Acme Health" if payer_id == "60054" else "Beta Mutual",
        payer_id=payer_id,
        payment_amount=sum((p.paid for p in payments), ZERO),
        paid_on=day,
        claim_payments=payments,
    )


def prepared(world: World, ledger: Ledger) -> Ledger:
    """The ledger with every claim's charges and the earlier remittance posted (not timed)."""
    ledger.post_batch([entry for claim in world.claims for entry in _charge_entries(claim)])
    for remittance in world.earlier:
        plan = plan_remittance(ledger, remittance, world.claims, coverages=world.coverages,
                               recorded_at=AT)  # fmt: skip
        assert not plan.exceptions, plan.exceptions[:1]
        plan.post(ledger)
    return ledger


def _charge_entries(claim: Claim) -> list[JournalEntry]:
    scratch = Ledger.in_memory(clock=lambda: AT)
    return [post_charges(scratch, claim, recorded_at=AT)]


def timed(action: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of ``action``."""
    gc.collect()
    start, cpu = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - start, time.process_time() - cpu


def _best(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return min(r[0] for r in runs), min(r[1] for r in runs)


def raw_insert_all(connection: sqlite3.Connection, entries: list[JournalEntry]) -> None:
    accounts, entry_rows, posting_rows = raw_rows(entries)
    connection.execute("BEGIN")
    connection.executemany(
        "INSERT INTO accounts (id, code, patient, payer, level, claim, line) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        accounts,
    )
    connection.executemany(
        "INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", entry_rows
    )
    connection.executemany("INSERT INTO postings VALUES (?, ?, ?, ?)", posting_rows)
    connection.execute("COMMIT")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="2,000 claims, for a smoke run")
    count = 2_000 if parser.parse_args().quick else 10_000
    print(f"building {count:,} claims and the 835 (not timed)")
    world = World(count)
    loops = len(world.remittance.claim_payments)
    print(f"  {loops:,} CLP loops for {world.paid_claims:,} claims")
    count = world.paid_claims
    with tempfile.TemporaryDirectory() as folder:
        results: dict[str, tuple[float, float]] = {}
        splits: dict[str, tuple[float, float]] = {}  # best CPU seconds of plan, of post
        plan: RemittancePlan | None = None

        def memory(name: str) -> Ledger:
            return Ledger.in_memory(clock=lambda: AT)

        def sqlite(name: str) -> Ledger:
            return Ledger.open(Path(folder) / f"posting-{name}.sqlite", clock=lambda: AT)

        stores: list[tuple[str, Callable[[str], Ledger], bool]] = [
            ("MemoryStore, reference planner", memory, False),
            ("MemoryStore", memory, True),
            ("SqliteStore (synchronous=FULL), reference planner", sqlite, False),
            ("SqliteStore (synchronous=FULL)", sqlite, True),
        ]
        for label, make, lean in stores:
            plan_module.LEAN_PLANNING = lean
            runs: list[tuple[float, float]] = []
            parts: list[tuple[float, float]] = []
            for run in range(3):
                ledger = prepared(world, make(f"{lean}-{run}"))
                os.sync()

                def plan_and_post(
                    ledger: Ledger = ledger, parts: list[tuple[float, float]] = parts
                ) -> None:
                    nonlocal plan
                    start = time.process_time()
                    plan = plan_remittance(ledger, world.remittance, world.claims,
                                           coverages=world.coverages, recorded_at=AT)  # fmt: skip
                    planned = time.process_time()
                    plan.post(ledger)
                    parts.append((planned - start, time.process_time() - planned))

                runs.append(timed(plan_and_post))
                ledger.check_invariants()
                ledger.close()
            results[label] = _best(runs)
            splits[label] = _best(parts)
        plan_module.LEAN_PLANNING = True
        assert plan is not None
        entries = list(plan.entries)
        raw_runs: list[tuple[float, float]] = []
        for run in range(3):
            os.sync()
            raw = raw_connection(Path(folder) / f"raw-{run}.sqlite", "FULL")
            raw_runs.append(timed(lambda raw=raw: raw_insert_all(raw, entries)))
            raw.close()
        results["raw sqlite3 insert of the same rows"] = _best(raw_runs)
        print(
            f"plan + post of one 835 ({count:,} claims, {len(entries):,} entries), "
            "best of 3, claims/s by wall clock and by CPU time of this process:"
        )
        for label, (wall, cpu) in results.items():
            name = label if label.startswith("raw") else f"medbill {label}"
            split = splits.get(label)
            detail = (
                "" if split is None else f"  [CPU plan {split[0]:.2f} s, post {split[1]:.2f} s]"
            )
            print(f"  {name:<60} wall {count / wall:>8,.0f}/s ({wall:.2f} s)  "
                  f"CPU {count / cpu:>8,.0f}/s ({cpu:.2f} s){detail}")  # fmt: skip
        exceptions = len(plan.exceptions)
        print(f"  ({exceptions} exceptions; cash posted {plan.cash})")


if __name__ == "__main__":
    main()
