"""The shared-store contract: several connections (workstations) on one SQLite file or one
PostgreSQL database. Every race of issue 11 has a deterministic test here, then three
writer processes and a reader run at once, then a hypothesis machine interleaves two
connections against a reference model.

Amounts are worked out by hand in each test.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pendulum
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from medbill import LedgerBusyError, LedgerError, PatientId, PatientPayment
from medbill.ledger import (
    Account,
    EntryKind,
    JournalEntry,
    Ledger,
    Posting,
    References,
    post_patient_payment,
    refund_credit,
)

D = Decimal
DAY = pendulum.date(2025, 3, 1)
AT = pendulum.datetime(2025, 3, 1, 8)
CREDIT = Account.patient_credit("P1")


def _clock() -> pendulum.DateTime:
    return AT


@pytest.fixture(params=["sqlite", "postgres"])
def where(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where the shared ledger lives: a file path or a PostgreSQL DSN."""
    if request.param == "postgres":
        return str(request.getfixturevalue("postgres_database"))
    return str(tmp_path / "ledger.sqlite")


@pytest.fixture
def desks(where: str) -> Iterator[Callable[..., Ledger]]:
    """Opens workstations on the shared ledger; all are closed afterwards."""
    opened: list[Ledger] = []

    def desk(busy_timeout: float = 10.0, actor: str | None = None) -> Ledger:
        ledger = Ledger.open(where, clock=_clock, busy_timeout=busy_timeout, actor=actor)
        opened.append(ledger)
        return ledger

    yield desk
    for ledger in opened:
        ledger.close()


def overpaid(key: str = "overpaid", amount: str = "50.00", patient: str = "P1") -> JournalEntry:
    return JournalEntry(
        key=key,
        effective=DAY,
        postings=[
            Posting.debit(Account.cash(), D(amount)),
            Posting.credit(Account.patient_credit(patient), D(amount)),
        ],
    )


def charge(key: str, patient: str, claim: str, amount: str = "100.00") -> JournalEntry:
    return JournalEntry(
        key=key,
        effective=DAY,
        kind=EntryKind.CHARGE,
        references=References(patient=patient, claim=claim, service_date=DAY),
        postings=[
            Posting.debit(Account.patient_receivable(patient, claim), D(amount)),
            Posting.credit(Account.gross_charges(patient, claim), D(amount)),
        ],
    )


def _in_thread(work: Callable[[], object]) -> tuple[threading.Thread, list[object]]:
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(work())
        except Exception as error:
            outcome.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


# -- deterministic races ------------------------------------------------------------------


def test_two_desks_cannot_both_refund_one_credit(desks: Callable[..., Ledger]) -> None:
    """Desk A reads the 50.00 credit; desk B tries the same refund in between, then A
    posts. B waits for A's lock, reads 0.00 and is refused: refunds payable 50.00, the
    credit 0.00, never -50.00."""
    a, b = desks(), desks()
    a.post(overpaid())
    started: list[threading.Thread] = []
    outcomes: list[list[object]] = []
    read = a.balance

    def balance_then_let_b_try(account: Account, **kw: Any) -> Decimal:
        amount = read(account, **kw)
        if not started:
            thread, outcome = _in_thread(
                lambda: refund_credit(b, PatientId("P1"), effective=DAY, key="refund-b")
            )
            started.append(thread)
            outcomes.append(outcome)
            time.sleep(0.3)  # B is now blocked on A's write lock
        return amount

    a.balance = balance_then_let_b_try  # type: ignore[method-assign]
    refund_credit(a, PatientId("P1"), effective=DAY, key="refund-a")
    started[0].join(20)
    [b_outcome] = outcomes[0]
    assert isinstance(b_outcome, LedgerError)
    assert "exceeds the patient's credit of 0.00" in str(b_outcome)
    c = desks()
    assert c.balance(CREDIT) == D("0.00")
    assert c.balance(Account.refunds_payable("P1")) == D("50.00")
    assert "refund-b" not in c


def test_a_plan_checked_before_another_desk_posted_is_stale(desks: Callable[..., Ledger]) -> None:
    """post_batch(expect=...) re-reads inside the write transaction."""
    from medbill import StaleBalanceError

    a, b = desks(), desks()
    a.post(overpaid())
    seen = a.balance(CREDIT)  # 50.00, the plan's basis
    b.post(overpaid("more", "5.00"))  # commits between the plan and its posting
    refund = JournalEntry(
        key="refund",
        effective=DAY,
        postings=[
            Posting.debit(CREDIT, seen),
            Posting.credit(Account.refunds_payable("P1"), seen),
        ],
    )
    with pytest.raises(StaleBalanceError, match=r"is 55\.00, the plan expected 50\.00"):
        a.post_batch([refund], expect={CREDIT: seen})
    assert "refund" not in b


def test_a_writer_keeps_posting_after_another_committed(desks: Callable[..., Ledger]) -> None:
    """No sequence-number clash after another desk's commit (issue 11: 'missed commits')."""
    a, b = desks(), desks()
    a.post(overpaid("a1", "1.00"))
    b.post(overpaid("b1", "2.00", patient="P2"))
    a.post(overpaid("a2", "4.00"))
    b.post(overpaid("b2", "8.00", patient="P3"))
    assert [e.key for e in a.entries()] == ["a1", "b1", "a2", "b2"]
    assert a.balance(Account.cash()) == b.balance(Account.cash()) == D("15.00")
    assert len(a) == len(b) == 4


def test_get_right_after_another_desk_posts(desks: Callable[..., Ledger]) -> None:
    a, b = desks(), desks()
    assert len(a) == 0
    posted = b.post(charge("ch-9", "P9", "C9", "12.34"))
    assert a.get("ch-9") == posted  # a new account, never seen by desk A
    assert a.claim_patient("C9") == "P9"
    assert a.total("patient_receivable", patient="P9") == D("12.34")


def test_identical_entries_from_two_desks_return_the_first(desks: Callable[..., Ledger]) -> None:
    a, b = desks(actor="desk-a"), desks(actor="desk-b")
    with a.atomic():
        first = a.post(overpaid())
        thread, outcome = _in_thread(lambda: b.post(overpaid()))
        time.sleep(0.3)  # B waits for A's lock
    thread.join(20)
    assert outcome == [first]
    assert first.actor == "desk-a"
    assert len(b) == 1


def test_an_identical_entry_without_a_patient_posted_at_once_returns_the_first(
    desks: Callable[..., Ledger],
) -> None:
    """No patient lock orders these two: on PostgreSQL desk B's insert waits on A's key,
    fails when A commits, and post_batch runs again and finds A's entry (the conflict
    retry); on SQLite B waits for the file's lock. Either way B gets A's entry."""
    transfer = JournalEntry(
        key="transfer-1",
        effective=DAY,
        postings=[
            Posting.debit(Account.cash("acme"), D("10.00")),
            Posting.credit(Account.cash(), D("10.00")),
        ],
    )
    a, b = desks(actor="desk-a"), desks(actor="desk-b")
    with a.atomic():
        first = a.post(transfer)
        thread, outcome = _in_thread(lambda: b.post(transfer))
        time.sleep(0.3)  # B has checked the key (not there yet) and waits on the insert
    thread.join(20)
    assert outcome == [first]
    assert b.get("transfer-1").actor == "desk-a"
    assert len(b) == 1
    assert b.balance(Account.cash()) == D("-10.00")


def test_desks_checking_different_patients_do_not_wait(
    desks: Callable[..., Ledger], where: str
) -> None:
    """PostgreSQL: while desk A checks patient P1's balances inside its transaction,
    desk B posts for P2 at once, and waits (here: gives up after 0.5 s) to post for P1.
    SQLite has one write lock for the file: B waits either way. (Rows every writer
    shares, such as a code's total, are updated last, just before a commit.)"""
    a, b = desks(), desks(busy_timeout=0.5)
    a.post(overpaid())
    with a.atomic():
        assert a.balance(CREDIT) == D("50.00")  # P1 is locked until A commits
        if where.startswith("postgresql://"):
            b.post(charge("ch-2", "P2", "C2"))  # no wait: another patient
        else:
            with pytest.raises(LedgerBusyError):
                b.post(charge("ch-2", "P2", "C2"))
        with pytest.raises(LedgerBusyError):  # P1's balances wait for A's commit
            b.post(charge("ch-3", "P1", "C3"))
        refund_credit(a, PatientId("P1"), effective=DAY, key="refund-a")
    assert ("ch-2" in b) == where.startswith("postgresql://")
    assert "ch-3" not in b
    assert b.balance(CREDIT) == D("0.00")


def test_a_claim_another_desk_gave_to_another_patient_meanwhile_is_refused(
    desks: Callable[..., Ledger], where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Desk B's batch passes the claim-owner check; before B writes, desk A commits the
    same claim for another patient (PostgreSQL lets A through: another patient's locks).
    B's write finds the claim taken and is refused, posting nothing. SQLite's write lock
    keeps A out until B commits, so there B's batch goes in and A's is refused."""
    a, b = desks(), desks()
    checked = b.store.check_claims
    raced: list[str] = []

    def check_then_race(entries: Any) -> None:
        checked(entries)
        if where.startswith("postgresql://"):
            a.post(charge("ch-a", "P1", "C7"))
            raced.append("A")

    monkeypatch.setattr(b.store, "check_claims", check_then_race)
    if where.startswith("postgresql://"):
        with pytest.raises(LedgerError, match=r"^claim 'C7' belongs to another patient$"):
            b.post(charge("ch-b", "P2", "C7"))
        assert raced == ["A"]
        assert "ch-b" not in b
        assert b.claim_patient("C7") == "P1"
        assert b.balance(Account.patient_receivable("P2", "C7")) == D("0.00")
    else:
        b.post(charge("ch-b", "P2", "C7"))
        with pytest.raises(LedgerError, match="belongs to another patient"):
            a.post(charge("ch-a", "P1", "C7"))
        assert b.claim_patient("C7") == "P2"


def test_lock_contention_gives_ledger_busy_and_changes_nothing(
    desks: Callable[..., Ledger], where: str
) -> None:
    a, b = desks(), desks(busy_timeout=0.2)
    with a.atomic():
        a.post(overpaid())
        started = time.monotonic()
        with pytest.raises(LedgerBusyError) as caught:
            b.post(overpaid("other", "1.00"))
        assert time.monotonic() - started >= 0.15
        assert caught.value.waited == 0.2
        assert caught.value.store  # names the store
        # opening and reading never take the write lock
        reader = desks(busy_timeout=0.2)
        assert len(reader) == 0
        assert reader.balance(CREDIT) == D("0.00")
    assert len(b) == 1
    assert "other" not in b


def test_a_failed_block_leaves_the_ledger_as_it_was(desks: Callable[..., Ledger]) -> None:
    a = desks()
    a.post(overpaid())

    def two_refunds() -> None:
        with a.atomic():
            refund_credit(a, PatientId("P1"), effective=DAY, amount=D("20.00"), key="r1")
            refund_credit(a, PatientId("P1"), effective=DAY, amount=D("40.00"), key="r2")

    with pytest.raises(LedgerError, match="exceeds"):
        two_refunds()
    assert a.balance(CREDIT) == D("50.00")
    assert "r1" not in desks()


def test_a_newer_schema_is_refused(where: str) -> None:
    Ledger.open(where).close()
    if where.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(where, autocommit=True) as conn:
            conn.execute("UPDATE medbill_schema SET version = 99")
    else:
        with sqlite3.connect(where) as conn:
            conn.execute("PRAGMA user_version=99")
    with pytest.raises(LedgerError, match="schema version 99; this medbill knows up to 4"):
        Ledger.open(where)


def test_a_schema_2_database_migrates_to_3_with_its_entries(
    where: str, schema_v3: Callable[[str], None]
) -> None:
    """Version 3 adds ``entries.provider``; a version-2 database (as medbill 0.2 left it)
    keeps its entries and balances, which name no provider, and takes new ones that do."""
    with Ledger.open(where, clock=_clock) as ledger:
        ledger.post(charge("charge-C1", "P1", "C1"))
    schema_v3(where)
    downgrade = "ALTER TABLE entries DROP COLUMN provider"
    if where.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(where, autocommit=True) as pg:
            pg.execute(downgrade)
            pg.execute("UPDATE medbill_schema SET version = 2")
    else:
        with sqlite3.connect(where) as lite:
            lite.execute(downgrade)
            lite.execute("PRAGMA user_version=2")
        lite.close()
    with Ledger.open(where, clock=_clock) as ledger:
        assert ledger.store.schema_version == 4  # type: ignore[attr-defined]
        assert ledger.get("charge-C1") == charge("charge-C1", "P1", "C1").with_recorded_at(AT)
        assert ledger.get("charge-C1").references.provider is None
        assert ledger.balance(Account.patient_receivable("P1", "C1")) == D("100.00")
        untagged = charge("charge-C2", "P1", "C2")
        tagged = JournalEntry(
            key=untagged.key,
            effective=DAY,
            kind=EntryKind.CHARGE,
            references=References(patient="P1", claim="C2", provider="1234567893"),
            postings=untagged.postings,
        )
        ledger.post(tagged)
    with Ledger.open(where) as ledger:
        assert ledger.get("charge-C2").references.provider == "1234567893"
        ledger.check_invariants()
    # aging walks the receivables in the order of the widened code index
    if where.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(where, autocommit=True) as pg:
            found = pg.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'accounts_code'"
            ).fetchone()
        assert found is not None
        assert found[0].endswith("(code, payer, claim)")
    else:
        with sqlite3.connect(where) as lite:
            columns = [row[2] for row in lite.execute("PRAGMA index_info('accounts_code')")]
        lite.close()
        assert columns == ["code", "payer", "claim"]


def test_a_snapshot_reads_one_committed_state_without_the_lock(
    desks: Callable[..., Ledger],
) -> None:
    a, b = desks(), desks(busy_timeout=0.5)
    a.post(overpaid())
    with a.snapshot():
        assert a.balance(CREDIT) == D("50.00")
        b.post(overpaid("more", "5.00"))  # the snapshot does not block writers
        assert a.balance(CREDIT) == D("50.00")
        assert "more" not in a
        with pytest.raises(LedgerError, match=r"inside Ledger\.snapshot"):
            a.post(overpaid("inside", "1.00"))
    assert a.balance(CREDIT) == D("55.00")


# -- many processes -----------------------------------------------------------------------

PATIENTS = ("P1", "P2", "P3")

WORKER = textwrap.dedent(
    """
    import json, random, sys, time
    from decimal import Decimal
    import pendulum
    from medbill import LedgerBusyError, MedbillError, PatientPayment
    from medbill.ledger import (Account, EntryKind, JournalEntry, Ledger, Posting, References,
                                post_patient_payment, refund_credit)

    where, name, seconds, out = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
    patients = ("P1", "P2", "P3")
    day = pendulum.date(2025, 3, 1)
    ledger = Ledger.open(where, busy_timeout=30, actor=name,
                         clock=lambda: pendulum.datetime(2025, 3, 1, 8))
    rng = random.Random(name)
    posted, refused, raw, reads = [], 0, [], 0
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline:
        n += 1
        patient = rng.choice(patients)
        try:
            if name == "reader":
                with ledger.snapshot():  # one committed state: debits equal credits
                    ledger.check_invariants()
                for p in patients:
                    for code in ("patient_receivable", "patient_credit"):
                        if ledger.total(code, patient=p) < 0:
                            raw.append(f"negative {code} {p}")
                reads += 1
                continue
            op = rng.choice(("charge", "charge", "payment", "payment", "refund", "remit"))
            if op == "charge":
                claim = f"{name}-C{n}"
                entry = ledger.post(JournalEntry(key=f"{name}-ch{n}", effective=day,
                    kind=EntryKind.CHARGE,
                    references=References(patient=patient, claim=claim, service_date=day),
                    postings=[Posting.debit(Account.patient_receivable(patient, claim),
                                            Decimal("100.00")),
                              Posting.credit(Account.gross_charges(patient, claim),
                                             Decimal("100.00"))]))
            elif op == "payment":
                entry = post_patient_payment(ledger, PatientPayment(id=f"{name}-pp{n}",
                    patient_id=patient, amount=Decimal("70.00"), received_on=day,
                    method="card"))
            elif op == "refund":
                entry = refund_credit(ledger, patient, effective=day, key=f"{name}-rf{n}")
            else:  # a remittance-shaped payment: the payer pays the oldest open claim
                open_claims = [a for a in ledger.accounts("patient_receivable", patient=patient)
                               if ledger.balance(a) > 0]
                if not open_claims:
                    continue
                with ledger.atomic():
                    target = open_claims[0]
                    due = ledger.balance(target)
                    if due <= 0:
                        continue
                    entry = ledger.post_batch([JournalEntry(key=f"{name}-era{n}", effective=day,
                        kind=EntryKind.CLAIM_PAYMENT,
                        references=References(patient=patient, claim=target.claim,
                                              payer="acme", trace=f"EFT-{name}-{n}"),
                        postings=[Posting.debit(Account.cash("acme"), due),
                                  Posting.credit(target, due)])],
                        expect={target: due})[0]
            posted.append(entry.key)
        except LedgerBusyError as error:
            raw.append(f"busy: {error}")
        except MedbillError:
            refused += 1  # a refusal is a correct answer (no credit left to refund)
        except Exception as error:
            raw.append(f"{type(error).__name__}: {error}")
    ledger.close()
    with open(out, "w") as handle:
        json.dump({"posted": posted, "refused": refused, "raw": raw, "reads": reads}, handle)
    """
)


def _raw(where: str, sql: str) -> list[tuple[Any, ...]]:
    if where.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(where) as conn:
            return list(conn.execute(sql).fetchall())
    with sqlite3.connect(where) as conn:
        return conn.execute(sql).fetchall()


def test_three_writers_and_a_reader_at_once(where: str, tmp_path: Path) -> None:
    Ledger.open(where).close()  # create the schema before the race
    seconds = float(os.environ.get("MEDBILL_RACE_SECONDS", "4"))
    names = ("w1", "w2", "w3", "reader")
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, where, name, str(seconds), str(tmp_path / name)]
        )
        for name in names
    ]
    for process in processes:
        assert process.wait(timeout=seconds + 120) == 0
    reports = {name: json.loads((tmp_path / name).read_text()) for name in names}
    # no process saw a raw exception (nor a negative balance, nor gave up on the lock)
    assert [r["raw"] for r in reports.values()] == [[], [], [], []]
    assert reports["reader"]["reads"] > 0
    posted = [key for r in reports.values() for key in r["posted"]]
    assert len(posted) > 20
    # no entry lost or duplicated
    stored = [row[0] for row in _raw(where, "SELECT key FROM entries ORDER BY seq")]
    assert sorted(stored) == sorted(posted)
    assert len(set(stored)) == len(stored)
    # every balance equals a naive re-sum of the postings
    resum: dict[int, int] = {}
    for (packed,) in _raw(where, "SELECT postings FROM entries"):
        flat = json.loads(packed)
        for account_id, cents in zip(flat[0::2], flat[1::2], strict=True):
            resum[account_id] = resum.get(account_id, 0) + cents
    stored_balances = dict(_raw(where, "SELECT id, balance FROM accounts"))
    assert {k: int(v) for k, v in resum.items()} == {
        k: int(v) for k, v in stored_balances.items() if k in resum or v
    }
    with Ledger.open(where) as ledger:  # and every roll-up a naive sum of its accounts
        for code in ("patient_receivable", "patient_credit", "cash", "gross_charges"):
            sums = dict(
                _raw(
                    where,
                    f"SELECT patient, SUM(balance) FROM accounts WHERE code = '{code}' "
                    "AND patient IS NOT NULL GROUP BY patient",
                )
            )
            for patient, cents in sums.items():
                assert ledger.store.total(code, {"patient": patient}) == D(int(cents)).scaleb(-2)
            [(everything,)] = _raw(
                where, f"SELECT COALESCE(SUM(balance), 0) FROM accounts WHERE code = '{code}'"
            )
            assert ledger.store.total(code, {}) == D(int(everything)).scaleb(-2)
    # no receivable went negative, no credit went negative (on their normal sides)
    with Ledger.open(where) as ledger:
        for account in ledger.accounts():
            if account.code in {"patient_receivable", "patient_credit", "refunds_payable"}:
                assert ledger.balance(account) >= 0, account
        ledger.check_invariants()
        assert len(ledger) == len(posted)


# -- two connections interleaved, against a model ----------------------------------------


class TwoDesks(RuleBasedStateMachine):
    """Two connections on one SQLite file (or one PostgreSQL database, below); a dict of
    expected balances is the model."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = tempfile.TemporaryDirectory()
        where = self.where(Path(self.folder.name))
        self.desks = (
            Ledger.open(where, clock=_clock, actor="a"),
            Ledger.open(where, clock=_clock, actor="b"),
        )
        self.credit = {p: D("0.00") for p in PATIENTS}
        self.due = {p: D("0.00") for p in PATIENTS}
        self.count = 0

    def where(self, folder: Path) -> str:
        """A new, empty shared ledger for one run."""
        return str(folder / "ledger.sqlite")

    def teardown(self) -> None:
        for desk in self.desks:
            desk.close()
        self.folder.cleanup()

    @rule(desk=st.integers(0, 1), patient=st.sampled_from(PATIENTS), cents=st.integers(1, 9999))
    def charge(self, desk: int, patient: str, cents: int) -> None:
        self.count += 1
        amount = D(cents).scaleb(-2)
        self.desks[desk].post(charge(f"ch{self.count}", patient, f"C{self.count}", str(amount)))
        self.due[patient] += amount

    @rule(desk=st.integers(0, 1), patient=st.sampled_from(PATIENTS), cents=st.integers(1, 9999))
    def pay(self, desk: int, patient: str, cents: int) -> None:
        self.count += 1
        amount = D(cents).scaleb(-2)
        payment = PatientPayment(
            id=f"pp{self.count}", patient_id=patient, amount=amount, received_on=DAY, method="card"
        )
        post_patient_payment(self.desks[desk], payment)
        applied = min(amount, self.due[patient])
        self.due[patient] -= applied
        self.credit[patient] += amount - applied

    @rule(desk=st.integers(0, 1), patient=st.sampled_from(PATIENTS))
    def refund(self, desk: int, patient: str) -> None:
        self.count += 1
        if self.credit[patient] == 0:
            with pytest.raises(LedgerError, match="exceeds"):
                refund_credit(
                    self.desks[desk], PatientId(patient), effective=DAY, key=f"rf{self.count}"
                )
            return
        refund_credit(self.desks[desk], PatientId(patient), effective=DAY, key=f"rf{self.count}")
        self.credit[patient] = D("0.00")

    @rule(desk=st.integers(0, 1), patient=st.sampled_from(PATIENTS), cents=st.integers(1, 999))
    def post_while_the_other_reads(self, desk: int, patient: str, cents: int) -> None:
        """Inside one desk's open transaction the other still reads the last commit."""
        writer, reader = self.desks[desk], self.desks[1 - desk]
        self.count += 1
        amount = D(cents).scaleb(-2)
        before = self.credit[patient]
        with writer.atomic():
            writer.post(overpaid(f"op{self.count}", str(amount), patient))
            assert writer.balance(Account.patient_credit(patient)) == before + amount
            assert reader.balance(Account.patient_credit(patient)) == before
        self.credit[patient] += amount
        assert reader.balance(Account.patient_credit(patient)) == before + amount

    @invariant()
    def both_desks_agree_with_the_model(self) -> None:
        for desk in self.desks:
            for patient in PATIENTS:
                assert desk.total("patient_receivable", patient=patient) == self.due[patient]
                assert desk.balance(Account.patient_credit(patient)) == self.credit[patient]
        assert len(self.desks[0]) == len(self.desks[1])


TwoDesks.TestCase.settings = settings(
    max_examples=int(os.environ.get("MEDBILL_STATEFUL_EXAMPLES", "25")),
    stateful_step_count=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_two_desks_interleaved = TwoDesks.TestCase


def test_two_desks_interleaved_on_postgres(postgres_database: str) -> None:
    """The same machine on PostgreSQL: two connections (pools) on one database, which is
    emptied before each run."""
    import psycopg

    class TwoDesksOnPostgres(TwoDesks):
        def where(self, folder: Path) -> str:
            with psycopg.connect(postgres_database, autocommit=True) as conn:
                conn.execute("DROP SCHEMA public CASCADE")
                conn.execute("CREATE SCHEMA public")
            return postgres_database

    run_state_machine_as_test(
        TwoDesksOnPostgres,
        settings=settings(
            max_examples=int(os.environ.get("MEDBILL_STATEFUL_EXAMPLES", "15")),
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
