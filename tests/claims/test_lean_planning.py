"""The lean planner of the common CLP loop gives exactly the reference planner's plan.

``medbill.claims._lean`` plans the usual loop (a payer at its level paying lines it
matched) in integer cents; everything else falls back to ``claim_payment_entries``. Each
example builds a ledger with real-world history (charges, earlier primary and secondary
payments, check-in copays, statement payments) and one remittance mixing the cases a
billing office sees (primary, secondary, tertiary, Medicare as secondary, crossovers,
split claims, reversals before or after their correction, duplicates, line denials,
patient-assigned denials, capitation, claim-level CAS, unknown claims), then plans it
with the lean path on and off: the plans must be equal field by field (entries, postings,
keys, expected balances, explanations, exceptions), their text and JSON too, and a refusal
must be the same refusal.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pendulum
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import medbill.claims._lean as lean_module
import medbill.claims._plan as plan_module
from medbill import (
    Adjustment,
    Claim,
    ClaimPayment,
    Coverage,
    LinePayment,
    PatientPayment,
    Remittance,
)
from medbill.claims import plan_remittance
from medbill.claims._plan import RemittancePlan
from medbill.ledger import Ledger, post_charges, post_patient_payment
from medbill.ledger._recipes import _common as recipes_common
from medbill.testing import (
    make_claim,
    make_claim_line,
    make_coverage,
    make_patient,
    make_payer,
)

D = Decimal
ZERO = D("0.00")
DOS = pendulum.date(2025, 3, 3)
AT = pendulum.datetime(2025, 6, 1, 12)
CODES = ("99213", "36415", "81002", "93000")
ACME = make_payer()  # X12 payer id 60054
BETA = make_payer(id="beta", name="Beta Mutual", x12_payer_id="77777")
MEDICARE = make_payer(id="medicare", name="Medicare", kind="medicare", x12_payer_id="00882")
GAMMA = make_payer(id="gamma", name="Gamma Life", x12_payer_id="88888")
X12_ID = {"acme": "60054", "beta": "77777", "medicare": "00882", "gamma": "88888"}
# Where the part of a line neither paid nor the patient's goes (group, CARC): write-offs,
# the prior payer (OA-23), denials left in A/R, capitation, other, duplicates.
REST = (
    ("CO", "45"),
    ("CO", "45"),
    ("OA", "23"),
    ("OA", "23"),
    ("CO", "253"),
    ("CO", "16"),
    ("CO", "197"),
    ("CO", "24"),
    ("OA", "94"),
    ("PI", "45"),
    ("OA", "18"),
)
DENIALS = (("CO", "16"), ("PR", "204"), ("CO", "50"))
SHARES = (("PR", "1"), ("PR", "2"), ("PR", "3"), ("PR", "204"))


def _money(cents: int) -> Decimal:
    return D(cents).scaleb(-2)


def _adj(group: str, reason: str, cents: int) -> Adjustment:
    return Adjustment(group=group, reason=reason, amount=_money(cents))


def _claim_payment(
    claim_id: str,
    status: str,
    lines: list[LinePayment],
    clp07: str | None,
    claim_level: list[Adjustment] | None = None,
) -> ClaimPayment:
    extra = claim_level or []
    adjustments = [*extra, *(a for li in lines for a in li.adjustments)]
    charge = sum((li.charge for li in lines), ZERO)
    paid = sum((li.paid for li in lines), ZERO) - sum((a.amount for a in extra), ZERO)
    return ClaimPayment(
        claim_id=claim_id,
        status=status,
        charge=charge,
        paid=paid,
        patient_responsibility=sum((a.amount for a in adjustments if a.group.value == "PR"), ZERO),
        adjustments=extra,
        lines=lines,
        payer_claim_control_number=clp07,
    )


def _negated(payment: ClaimPayment) -> ClaimPayment:
    lines = [
        LinePayment(procedure=li.procedure, line_id=li.line_id, charge=-li.charge,
                    paid=-li.paid, service_date=li.service_date,
                    adjustments=[_adj(a.group.value, a.reason, -int(a.amount * 100))
                                 for a in li.adjustments])
        for li in payment.lines
    ]  # fmt: skip
    return _claim_payment(str(payment.claim_id), "22", lines, payment.payer_claim_control_number)


def _remittance(trace: str, payments: list[ClaimPayment], payer: str, day: int) -> Remittance:
    if sum((p.paid for p in payments), ZERO) < 0:  # BPR02 is not negative: no reversals
        payments = [p for p in payments if p.status.value != "22"]
    return Remittance(
        id=trace,
        payer_name=payer.title(),
        payer_id=X12_ID[payer],
        payment_amount=sum((p.paid for p in payments), ZERO),
        paid_on=pendulum.date(2025, 4, day),
        claim_payments=payments,
    )


class World:
    """Claims, coverages and a ledger with their history, drawn by hypothesis."""

    def __init__(self, draw: Callable[..., Any], ledger: Ledger) -> None:
        self.draw = draw
        self.ledger = ledger
        self.claims: list[Claim] = []
        self.coverages: list[Coverage] = []
        self.paid_before: dict[str, ClaimPayment] = {}  # claim id -> the primary's payment
        self.levels: dict[str, list[str]] = {}  # claim id -> payers by level
        for n in range(draw(st.integers(1, 5))):
            self._claim(n)

    def _claim(self, n: int) -> None:
        draw = self.draw
        patient = f"P{n}"
        payers = ["acme"]
        if draw(st.integers(0, 2)):
            payers.append(draw(st.sampled_from(["beta", "medicare"])))
            if draw(st.integers(0, 3)) == 0:
                payers.append("gamma")
        objects = {"acme": ACME, "beta": BETA, "medicare": MEDICARE, "gamma": GAMMA}
        levels = ("primary", "secondary", "tertiary")
        coverages = [
            make_coverage(id=f"{payer}-{n}", patient_id=patient, payer=objects[payer],
                          priority=levels[rank], member_id=f"M{rank}{n}")
            for rank, payer in enumerate(payers)
        ]  # fmt: skip
        self.coverages += coverages
        count = draw(st.integers(1, 4))
        lines = [
            make_claim_line(line_id=str(i), procedure=CODES[i - 1], service_date=DOS,
                            charge=_money(draw(st.integers(1, 400)) * 100 + draw(st.integers(0, 99))))
            for i in range(1, count + 1)
        ]  # fmt: skip
        claim = make_claim(
            id=f"C{n}", patient=make_patient(id=patient), coverage=coverages[0], lines=lines,
            encounter_id=f"ENC-{n}" if draw(st.booleans()) else None,
        )  # fmt: skip
        self.claims.append(claim)
        self.levels[str(claim.id)] = payers
        if draw(st.integers(0, 9)) == 0:
            return  # charges never posted: the loop goes to suspense
        post_charges(self.ledger, claim)
        if draw(st.integers(0, 3)) == 0:  # a copay collected at check-in
            on_claim = draw(st.booleans()) or claim.encounter_id is None
            post_patient_payment(
                self.ledger,
                PatientPayment(id=f"CP-{n}", patient_id=patient, amount=D("20.00"),
                               received_on=DOS, method="card",
                               claim_id=claim.id if on_claim else None),
                encounter_id=None if on_claim else claim.encounter_id,
            )  # fmt: skip

    def line_payments(
        self, claim: Claim, *, prior: bool = False, payer: str | None = None
    ) -> list[LinePayment]:
        """Each line adjudicated: paid, the patient's share, the rest by some CARC. A later
        level's payer (``payer``) mostly pays at most what it was billed for the line."""
        draw = self.draw
        found = []
        for line in claim.lines:
            charge = int(line.charge * 100)
            most = charge
            if payer is not None and draw(st.integers(0, 3)):
                billed = self.ledger.total("insurance_receivable", payer=payer,
                                           claim=str(claim.id), line=line.line_id)  # fmt: skip
                most = max(
                    0, min(charge, int(billed * 100) + draw(st.sampled_from([0, 0, 0, -1, 1])))
                )
            paid = draw(st.integers(0, most))
            share = draw(st.integers(0, charge - paid))
            rest = charge - paid - share
            adjustments = []
            if share:
                group, reason = draw(st.sampled_from(SHARES))
                adjustments.append(_adj(group, reason, share))
            if rest:
                group, reason = ("OA", "23") if prior else draw(st.sampled_from(REST))
                first = draw(st.integers(0, rest))
                if first and first < rest:
                    adjustments.append(_adj("CO", "45", first))
                    rest -= first
                adjustments.append(_adj(group, reason, rest))
            line_id = line.line_id if draw(st.integers(0, 9)) else None
            if draw(st.integers(0, 29)) == 0:
                line_id = "99"  # a line id the claim does not have (matched by code)
            found.append(
                LinePayment(procedure=line.procedure, line_id=line_id, charge=line.charge,
                            paid=_money(paid), service_date=DOS, adjustments=adjustments)
            )  # fmt: skip
        return found

    def history(self) -> None:
        """Earlier remittances: the primary's, then some secondaries' (posted, not timed)."""
        draw = self.draw
        charged = [c for c in self.claims if self.ledger.claim_patient(str(c.id)) is not None]
        primary = []
        for claim in charged:
            if draw(st.integers(0, 3)):
                payment = _claim_payment(
                    str(claim.id), "1", self.line_payments(claim), f"ICN-{claim.id}"
                )
                primary.append(payment)
                self.paid_before[str(claim.id)] = payment
        if primary:
            plan = plan_remittance(self.ledger, _remittance("E-1", primary, "acme", 1),
                                   self.claims, coverages=self.coverages, recorded_at=AT)  # fmt: skip
            plan.post(self.ledger)
        for claim in charged:
            if str(claim.id) in self.paid_before and draw(st.integers(0, 4)) == 0:
                post_patient_payment(
                    self.ledger,
                    PatientPayment(id=f"ST-{claim.id}", patient_id=str(claim.patient.id),
                                   amount=D("5.00"), received_on=pendulum.date(2025, 4, 2),
                                   method="check", claim_id=claim.id),
                )  # fmt: skip

    def loops(self, payer: str) -> list[ClaimPayment]:
        """The remittance's CLP loops from ``payer``, case by case."""
        draw = self.draw
        found: list[ClaimPayment] = []
        for claim in self.claims:
            cid = str(claim.id)
            payers = self.levels[cid]
            rank = payers.index(payer) if payer in payers else draw(st.integers(0, 2))
            status = draw(st.sampled_from([("1", "19"), ("2", "20"), ("3", "21")][rank % 3]))
            case = draw(st.sampled_from([
                "pay", "pay", "pay", "pay", "split", "reverse", "reverse-first", "duplicate",
                "denied", "claim-cas", "skip", "informational",
            ]))  # fmt: skip
            earlier = self.paid_before.get(cid)
            later = rank > 0
            lines = self.line_payments(
                claim, prior=later and draw(st.booleans()), payer=payer if later else None
            )
            clp07 = f"ICN-{cid}-{len(found)}" if draw(st.integers(0, 5)) else None
            if case == "skip":
                continue
            if case in ("reverse", "reverse-first") and earlier is not None and payer == "acme":
                correction = _claim_payment(cid, "1", lines, f"ICN-{cid}-C")
                pair = [_negated(earlier), correction]
                found += pair if case == "reverse" else pair[::-1]
            elif case == "duplicate" and earlier is not None and payer == "acme":
                found.append(earlier)
            elif case == "split" and len(lines) > 1:
                cut = draw(st.integers(1, len(lines) - 1))
                found.append(_claim_payment(cid, status, lines[:cut], clp07))
                found.append(_claim_payment(cid, status, lines[cut:], clp07))
            elif case == "denied":
                denied = []
                for li in lines:
                    group, reason = draw(st.sampled_from(DENIALS))
                    denied.append(
                        LinePayment(procedure=li.procedure, line_id=li.line_id, charge=li.charge,
                                    paid=ZERO, service_date=DOS,
                                    adjustments=[_adj(group, reason, int(li.charge * 100))])
                    )  # fmt: skip
                found.append(_claim_payment(cid, "4", denied, clp07))
            elif case == "claim-cas":
                cas = [_adj("CO", "253", 100)] if sum(li.paid for li in lines) >= 1 else []
                found.append(_claim_payment(cid, status, lines, clp07, cas))
            elif case == "informational":
                found.append(_claim_payment(cid, draw(st.sampled_from(["23", "25"])), lines, clp07))
            else:
                found.append(_claim_payment(cid, status, lines, clp07))
        if draw(st.integers(0, 5)) == 0:  # a claim nobody billed
            stray = make_claim(id="C-STRAY", lines=[make_claim_line(charge=D("10.00"))])
            found.append(_claim_payment("C-STRAY", "1", self.line_payments(stray), None))
        return found


def _plan(
    ledger: Ledger, era: Remittance, claims: list[Claim], coverages: list[Coverage], lean: bool
) -> RemittancePlan | str:
    plan_module.LEAN_PLANNING = lean
    try:
        return plan_remittance(ledger, era, claims, coverages=coverages, recorded_at=AT)
    except Exception as error:  # the same refusal either way
        return f"{type(error).__name__}: {error}"
    finally:
        plan_module.LEAN_PLANNING = True


def assert_same_plan(full: RemittancePlan | str, lean: RemittancePlan | str) -> None:
    if isinstance(full, str) or isinstance(lean, str):
        assert full == lean
        return
    assert lean.entries == full.entries
    assert [e.key for e in lean.entries] == [e.key for e in full.entries]
    assert [e.postings for e in lean.entries] == [e.postings for e in full.entries]
    assert [e.memo for e in lean.entries] == [e.memo for e in full.entries]
    assert dict(lean.expect) == dict(full.expect)
    assert lean.claims == full.claims
    assert lean.exceptions == full.exceptions
    assert lean == full
    assert lean.render() == full.render()
    assert lean.to_json() == full.to_json()


@pytest.fixture
def lean_calls(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each lean attempt planned its loop (True) or fell back (False)."""
    calls: list[bool] = []
    original = lean_module.lean_claim_payment

    def counted(*args: Any, **kwargs: Any) -> list[str] | None:
        found = original(*args, **kwargs)
        calls.append(found is not None)
        return found

    monkeypatch.setattr(plan_module, "lean_claim_payment", counted)
    return calls


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_the_lean_planner_gives_the_reference_plan(data: st.DataObject) -> None:
    ledger = Ledger.in_memory(clock=lambda: AT)
    world = World(data.draw, ledger)
    world.history()
    payer = data.draw(st.sampled_from(["acme", "acme", "beta", "beta", "medicare", "gamma"]))
    era = _remittance("EFT-9", world.loops(payer), payer, data.draw(st.integers(1, 28)))
    recipes_common._ACCOUNTS.clear()  # each planner builds the accounts it names itself
    full = _plan(ledger, era, world.claims, world.coverages, lean=False)
    recipes_common._ACCOUNTS.clear()
    original = lean_module.lean_claim_payment
    outcomes: list[bool] = []

    def counted(*args: Any, **kwargs: Any) -> list[str] | None:
        found = original(*args, **kwargs)
        outcomes.append(found is not None)
        if found is not None:
            event(f"lean loop at level {kwargs['coverage'].priority.value}")
        return found

    setattr(plan_module, "lean_claim_payment", counted)  # noqa: B010
    try:
        lean = _plan(ledger, era, world.claims, world.coverages, lean=True)
    finally:
        setattr(plan_module, "lean_claim_payment", original)  # noqa: B010
    for planned in outcomes:
        event("lean loop" if planned else "fell back to the reference")
    assert_same_plan(full, lean)
    if isinstance(lean, RemittancePlan):
        lean.post(ledger)  # the plan posts, and the books still balance
        ledger.check_invariants()


def test_the_common_loops_take_the_lean_path(lean_calls: list[bool]) -> None:
    """A primary's and a secondary's ordinary loops are planned by the lean path, and a
    copay collected at check-in is applied to the share as the reference applies it."""
    ledger = Ledger.in_memory(clock=lambda: AT)
    patient = make_patient(id="P1")
    acme = make_coverage(id="acme-1", patient_id="P1")
    beta = make_coverage(id="beta-1", patient_id="P1", payer=BETA, priority="secondary",
                         member_id="B1")  # fmt: skip
    claim = make_claim(id="C1", patient=patient, coverage=acme, lines=[
        make_claim_line(line_id="1", procedure="99213", charge=D("150.00"), service_date=DOS),
        make_claim_line(line_id="2", procedure="36415", charge=D("40.00"), service_date=DOS)])  # fmt: skip
    post_charges(ledger, claim)
    post_patient_payment(ledger, PatientPayment(id="CP-1", patient_id="P1", amount=D("20.00"),
                         received_on=DOS, method="card", claim_id=claim.id))  # fmt: skip
    primary = _claim_payment("C1", "1", [
        LinePayment(procedure="99213", line_id="1", charge=D("150.00"), paid=D("80.00"),
                    adjustments=[_adj("CO", "45", 5000), _adj("PR", "2", 2000)]),
        LinePayment(procedure="36415", line_id="2", charge=D("40.00"), paid=D("30.00"),
                    adjustments=[_adj("CO", "45", 1000)])], "ICN-1")  # fmt: skip
    era = _remittance("E-1", [primary], "acme", 1)

    claims, coverages = [claim], [acme]

    full = _plan(ledger, era, claims, coverages, lean=False)
    lean = _plan(ledger, era, claims, coverages, lean=True)
    assert_same_plan(full, lean)
    assert lean_calls == [True]
    assert isinstance(lean, RemittancePlan)
    assert [e.key for e in lean.entries][1] == "claim-payment:60054:E-1:ICN-1:1/copay"
    lean.post(ledger)
    coverages = [acme, beta]
    secondary = _claim_payment("C1", "2", [
        LinePayment(procedure="99213", line_id="1", charge=D("150.00"), paid=D("20.00"),
                    adjustments=[_adj("OA", "23", 13000)])], "B-1")  # fmt: skip
    era = _remittance("B-1", [secondary], "beta", 2)
    assert_same_plan(
        _plan(ledger, era, claims, coverages, lean=False),
        _plan(ledger, era, claims, coverages, lean=True),
    )
    # C2: Acme's patient shares go to Beta (20.00 and 10.00); Beta pays line 1's 20.00 and
    # nothing on line 2 (OA-23): the 10.00 Beta was billed there is its contractual
    # adjustment (TR3 1.10.2.13). No patient money: the lean path plans both loops.
    claim2 = make_claim(id="C2", patient=patient, coverage=acme, lines=[
        make_claim_line(line_id="1", procedure="99213", charge=D("150.00"), service_date=DOS),
        make_claim_line(line_id="2", procedure="36415", charge=D("40.00"), service_date=DOS)])  # fmt: skip
    post_charges(ledger, claim2)
    claims = [claim, claim2]
    primary2 = _claim_payment("C2", "1", [
        LinePayment(procedure="99213", line_id="1", charge=D("150.00"), paid=D("80.00"),
                    adjustments=[_adj("CO", "45", 5000), _adj("PR", "2", 2000)]),
        LinePayment(procedure="36415", line_id="2", charge=D("40.00"), paid=D("20.00"),
                    adjustments=[_adj("CO", "45", 1000), _adj("PR", "1", 1000)])], "ICN-2")  # fmt: skip
    era = _remittance("E-2", [primary2], "acme", 3)
    lean_calls.clear()
    lean = _plan(ledger, era, claims, coverages, lean=True)
    assert_same_plan(_plan(ledger, era, claims, coverages, lean=False), lean)
    assert isinstance(lean, RemittancePlan)
    lean.post(ledger)
    secondary2 = _claim_payment("C2", "2", [
        LinePayment(procedure="99213", line_id="1", charge=D("150.00"), paid=D("20.00"),
                    adjustments=[_adj("OA", "23", 13000)]),
        LinePayment(procedure="36415", line_id="2", charge=D("40.00"), paid=ZERO,
                    adjustments=[_adj("OA", "23", 4000)])], "B-2")  # fmt: skip
    era = _remittance("B-2", [secondary2], "beta", 4)
    lean = _plan(ledger, era, claims, coverages, lean=True)
    assert_same_plan(_plan(ledger, era, claims, coverages, lean=False), lean)
    assert lean_calls == [True, True]
    assert isinstance(lean, RemittancePlan)
    lean.post(ledger)
    assert ledger.total("contractual_adjustment", payer="beta", claim="C2") == D("10.00")
    assert ledger.total("insurance_receivable", claim="C2") == ZERO


def test_the_benchmark_file_plans_alike_on_sqlite(tmp_path: Path, lean_calls: list[bool]) -> None:
    """The benchmark's shape (primaries, secondaries with OA-23, reversals and corrections)
    on a small scale, planned from a SQLite ledger: the same plan, mostly lean."""
    import importlib
    import sys

    sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
    bench: Any = importlib.import_module("posting")  # the benchmark's own world

    world = bench.World(60)
    for ledger in (
        Ledger.in_memory(clock=lambda: AT),
        Ledger.open(tmp_path / "lean.sqlite", clock=lambda: AT),
    ):
        bench.prepared(world, ledger)
        era, claims, coverages = world.remittance, world.claims, world.coverages
        full = _plan(ledger, era, claims, coverages, lean=False)
        assert_same_plan(full, _plan(ledger, era, claims, coverages, lean=True))
        ledger.close()
    assert lean_calls.count(True) >= 100  # 57 claims paid (plus corrections), per store


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.decimals(allow_nan=True, allow_infinity=True),
        st.decimals(places=2, min_value=-(10**12), max_value=10**12),
        st.builds(lambda n, e: D(n).scaleb(e), st.integers(-(10**14), 10**14), st.integers(-5, 3)),
    )
)
def test_the_inline_cents_of_an_amount_are_the_reference_cents(amount: Decimal) -> None:
    """The lean path's inline conversion (two places exactly: multiply; else
    ``_cents``) gives what ``_cents`` gives for every Decimal, special values included."""
    cent, hundred = lean_module._CENT, lean_module._HUNDRED
    inline = int(amount * hundred) if amount.same_quantum(cent) else lean_module._cents(amount)
    assert inline == lean_module._cents(amount)
    if amount.is_finite() and amount.as_tuple().exponent == -2:
        assert inline == int(amount.scaleb(2))


@settings(max_examples=300, deadline=None)
@given(
    st.builds(lambda n, e: D(n).scaleb(e), st.integers(-(10**11), 10**11), st.integers(-2, 2)),
    st.booleans(),
)
def test_every_posting_amount_has_two_places(amount: Decimal, planned: bool) -> None:
    """What ``BalanceView.add`` relies on when it keeps a first posting's amount as the
    account's pending delta (instead of ``ZERO + amount``): every way of building a
    posting leaves its amount with exactly two places, so the two are the same Decimal
    in value and in print."""
    from medbill import LedgerError
    from medbill.ledger import Account, Posting
    from medbill.ledger._entries import planned_posting

    try:
        posting = (
            planned_posting(Account.cash(), amount) if planned else Posting(Account.cash(), amount)
        )
    except LedgerError:
        return  # zero, or beyond MAX_AMOUNT: no posting
    assert posting.amount.as_tuple().exponent == -2
    assert str(ZERO + posting.amount) == str(posting.amount)
    assert ZERO + posting.amount == posting.amount == amount
