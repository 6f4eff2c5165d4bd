"""Random remittances posted through plan_remittance, against both stores and a small model.

The machine charges claims (primary only, primary + secondary, self-pay), then posts 835s
from every coverage level: primary adjudications (paid, CO-45, PR) with now and then an
unknown claim (suspense) and a PLB (L6 interest); secondary adjudications against the
full charge (OA-23 for the prior payer); reversals with or without their correction, in
either order in the file; exact duplicates (same CLP07 resent); patient payments, credit
applied, write-offs and refunds. The model knows what it sent, not how the books post it.

After every step (the invariants of issue 10):

* cash = the BPR02 of every remittance posted + patient payments - refunds paid out;
* per claim, charges = insurance A/R + patient A/R + adjustments + payer money applied +
  patient money applied (the patient's share summed over the patient's claims, which
  the patient's payments less credit and refunds must equal);
* no receivable is negative; payer overpayments equal the duplicates' cash, suspense the
  unapplied loops' cash;
* every balance equals a naive re-sum of the journal.

``MEDBILL_FUZZ_LONG=1`` runs ten times as many steps.
"""

from __future__ import annotations

import os
import tempfile
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import attrs
import pendulum
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from medbill import (
    Adjustment,
    Claim,
    ClaimId,
    ClaimPayment,
    Coverage,
    LinePayment,
    PatientId,
    PatientPayment,
    ProviderAdjustment,
    Remittance,
)
from medbill.claims import post_remittance
from medbill.ledger import (
    Account,
    Ledger,
    apply_patient_credit,
    post_charges,
    post_patient_payment,
    refund_credit,
    write_off,
)
from medbill.testing import make_claim, make_claim_line, make_coverage, make_patient, make_payer

ZERO = Decimal("0.00")
DOS = pendulum.date(2025, 3, 3)
PATIENTS = ("MRN-1", "MRN-2")
CODES = ("99213", "36415", "81002")
ADJUSTMENT_CODES = (
    "contractual_adjustment",
    "capitation_adjustment",
    "other_adjustment",
    "write_off.administrative",
)
LONG = os.environ.get("MEDBILL_FUZZ_LONG") == "1"


def _cents(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def _part(amount: Decimal, percent: int) -> Decimal:
    return (amount * percent / 100).quantize(Decimal("0.01"), rounding="ROUND_DOWN")


def _coverages(patient: str) -> tuple[Coverage, Coverage]:
    acme = make_coverage(id=f"acme-{patient}", patient_id=patient)
    beta = make_coverage(
        id=f"beta-{patient}",
        patient_id=patient,
        priority="secondary",
        payer=make_payer(id="beta", name="Beta Mutual", x12_payer_id="77777"),
        member_id="B-1",
    )
    return acme, beta


@attrs.define
class Sent:
    """A CLP loop the model sent and the ledger applied to a claim."""

    claim: str
    level: str
    payment: ClaimPayment
    reversed: bool = False


@attrs.define
class ModelClaim:
    claim: Claim
    secondary: bool
    primary_done: bool = False
    secondary_done: bool = False
    payer_applied: Decimal = ZERO
    sent: list[Sent] = attrs.Factory(list)


class PostingMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.ledger = self.make_ledger()
        self.claims: dict[str, ModelClaim] = {}
        self.cash = ZERO
        self.overpayment = ZERO
        self.suspense: dict[str, Decimal] = defaultdict(lambda: ZERO)
        self.patient_paid: dict[str, Decimal] = defaultdict(lambda: ZERO)
        self.refunded: dict[str, Decimal] = defaultdict(lambda: ZERO)
        self.counter = 0
        self.day = 0

    def make_ledger(self) -> Ledger:
        return Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 9, 1, 12))

    def _next(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def _when(self) -> pendulum.Date:
        self.day += 1
        return DOS.add(days=self.day)

    def _coverages(self) -> list[Coverage]:
        found: list[Coverage] = []
        for patient in PATIENTS:
            found.extend(_coverages(patient))
        return found

    def _post(self, payments: list[ClaimPayment], payer_id: str, plb: Decimal = ZERO) -> Remittance:
        total = sum((p.paid for p in payments), ZERO) - plb
        era = Remittance(
            id=self._next("TRN-"),
            payer_name="Acme Health" if payer_id == "60054" else "Beta Mutual",
            payer_id=payer_id,
            payment_amount=abs(total),
            credit=total >= 0,
            paid_on=self._when(),
            claim_payments=payments,
            provider_adjustments=[]
            if not plb
            else [
                ProviderAdjustment(
                    provider_id="1234567893",
                    fiscal_period_end=pendulum.date(2025, 12, 31),
                    reason="L6",
                    amount=plb,
                )
            ],
        )
        claims = [m.claim for m in self.claims.values()]
        result = post_remittance(self.ledger, era, claims, coverages=self._coverages())
        assert not result.already_posted
        self.cash += total
        again = post_remittance(self.ledger, era, claims, coverages=self._coverages())
        assert again.already_posted
        return era

    # -- rules ------------------------------------------------------------------------

    @rule(
        patient=st.sampled_from(PATIENTS),
        kind=st.sampled_from(["primary", "secondary", "self-pay"]),
        cents=st.lists(st.integers(1, 40_000), min_size=1, max_size=3),
    )
    def charge(self, patient: str, kind: str, cents: list[int]) -> None:
        claim_id = self._next("C-")
        acme, _ = _coverages(patient)
        claim = make_claim(
            id=claim_id,
            patient=make_patient(id=patient),
            coverage=None if kind == "self-pay" else acme,
            lines=[
                make_claim_line(
                    line_id=str(n), procedure=CODES[n - 1], charge=_cents(c), service_date=DOS
                )
                for n, c in enumerate(cents, start=1)
            ],
        )
        post_charges(self.ledger, claim)
        model = ModelClaim(claim=claim, secondary=kind == "secondary")
        model.primary_done = model.secondary_done = kind == "self-pay"
        self.claims[claim_id] = model

    def _waiting(self, level: str) -> list[str]:
        if level == "primary":
            return [c for c, m in self.claims.items() if not m.primary_done]
        return [
            c
            for c, m in self.claims.items()
            if m.secondary and m.primary_done and not m.secondary_done
        ]

    def _primary_loop(self, model: ModelClaim, data: st.DataObject) -> ClaimPayment:
        lines = []
        for claim_line in model.claim.lines:
            charge = claim_line.charge
            paid = _part(charge, data.draw(st.integers(0, 100), label="paid %"))
            co = _part(charge - paid, data.draw(st.integers(0, 100), label="co %"))
            share = charge - paid - co
            lines.append(
                LinePayment(
                    procedure=claim_line.procedure,
                    line_id=claim_line.line_id,
                    charge=charge,
                    paid=paid,
                    service_date=DOS,
                    adjustments=[
                        a
                        for a in (
                            Adjustment(group="CO", reason="45", amount=co),
                            Adjustment(group="PR", reason="2", amount=share),
                        )
                        if a.amount
                    ],
                )
            )
        return _claim_payment(model.claim.id, "1", lines, self._next("ICN-"))

    @precondition(lambda self: bool(self._waiting("primary")))
    @rule(data=st.data(), stray=st.booleans(), interest=st.integers(0, 300))
    def primary_remittance(self, data: st.DataObject, stray: bool, interest: int) -> None:
        claim_id = data.draw(st.sampled_from(self._waiting("primary")))
        model = self.claims[claim_id]
        payment = self._primary_loop(model, data)
        loops = [payment]
        if stray:  # a claim the practice does not know: its cash waits in suspense
            loops.append(
                _claim_payment(
                    "C-UNKNOWN", "1", [_line("99213", Decimal("10.00"), Decimal("10.00"))], None
                )
            )
            self.suspense["60054"] += Decimal("10.00")
        self._post(loops, "60054", plb=-_cents(interest))
        model.primary_done = True
        model.payer_applied += payment.paid
        model.sent.append(Sent(claim_id, "primary", payment))

    @precondition(lambda self: bool(self._waiting("secondary")))
    @rule(data=st.data())
    def secondary_remittance(self, data: st.DataObject) -> None:
        claim_id = data.draw(st.sampled_from(self._waiting("secondary")))
        model = self.claims[claim_id]
        lines = []
        for claim_line in model.claim.lines:
            billed = self.ledger.total(
                "insurance_receivable", payer="beta", claim=claim_id, line=claim_line.line_id
            )
            paid = _part(billed, data.draw(st.integers(0, 100), label="paid %"))
            share = _part(billed - paid, data.draw(st.integers(0, 100), label="pr %"))
            prior = claim_line.charge - paid - share  # OA-23: the prior payer's impact
            lines.append(
                LinePayment(
                    procedure=claim_line.procedure,
                    charge=claim_line.charge,
                    paid=paid,
                    service_date=DOS,
                    adjustments=[
                        a
                        for a in (
                            Adjustment(group="OA", reason="23", amount=prior),
                            Adjustment(group="PR", reason="1", amount=share),
                        )
                        if a.amount
                    ],
                )
            )
        payment = _claim_payment(claim_id, "2", lines, self._next("BICN-"))
        self._post([payment], "77777")
        model.secondary_done = True
        model.payer_applied += payment.paid
        model.sent.append(Sent(claim_id, "secondary", payment))

    def _reversible(self) -> list[Sent]:
        # the latest unreversed adjudication of a claim (a secondary before its primary)
        found = []
        for model in self.claims.values():
            live = [s for s in model.sent if not s.reversed]
            if live:
                found.append(live[-1])
        return found

    @precondition(lambda self: bool(self._reversible()))
    @rule(data=st.data(), correct=st.booleans(), reversal_first=st.booleans())
    def reversal(self, data: st.DataObject, correct: bool, reversal_first: bool) -> None:
        target = data.draw(st.sampled_from(self._reversible()))
        model = self.claims[target.claim]
        original = target.payment
        undo = _negated(original)
        loops = [undo]
        if correct and target.level == "primary":
            corrected = self._primary_loop(model, data)
            loops = [undo, corrected] if reversal_first else [corrected, undo]
        payer_id = "60054" if target.level == "primary" else "77777"
        self._post(loops, payer_id)
        target.reversed = True
        model.payer_applied -= original.paid
        if target.level == "primary":
            model.primary_done = False
        else:
            model.secondary_done = False
        if len(loops) == 2:
            model.primary_done = True
            model.payer_applied += corrected.paid
            model.sent.append(Sent(target.claim, "primary", corrected))

    @precondition(lambda self: bool(self._reversible()))
    @rule(data=st.data())
    def duplicate(self, data: st.DataObject) -> None:
        """The payer pays the same claim again (same CLP07) in a later remittance."""
        target = data.draw(st.sampled_from(self._reversible()))
        payer_id = "60054" if target.level == "primary" else "77777"
        self._post([target.payment], payer_id)
        self.overpayment += max(target.payment.paid, ZERO)

    @rule(patient=st.sampled_from(PATIENTS), cents=st.integers(1, 30_000))
    def patient_payment(self, patient: str, cents: int) -> None:
        payment = PatientPayment(
            id=self._next("pp-"),
            patient_id=patient,
            amount=_cents(cents),
            received_on=self._when(),
        )
        post_patient_payment(self.ledger, payment)
        self.cash += payment.amount
        self.patient_paid[patient] += payment.amount

    @rule(patient=st.sampled_from(PATIENTS))
    def apply_credit(self, patient: str) -> None:
        apply_patient_credit(self.ledger, PatientId(patient), effective=self._when())

    @precondition(lambda self: bool(self.claims))
    @rule(data=st.data(), payer=st.booleans())
    def write_off_balance(self, data: st.DataObject, payer: bool) -> None:
        claim_id = data.draw(st.sampled_from(sorted(self.claims)))
        model = self.claims[claim_id]
        if payer:  # e.g. a denial not worth appealing, once the payer has adjudicated
            coverage: Coverage | None = model.claim.coverage
            if coverage is None or not model.primary_done:
                return
            if self.ledger.total("insurance_receivable", payer="acme", claim=claim_id) <= 0:
                return
        else:
            coverage = None
            if self.ledger.total("patient_receivable", claim=claim_id) <= 0:
                return
        write_off(
            self.ledger, ClaimId(claim_id), reason="administrative", effective=self._when(),
            coverage=coverage,
        )  # fmt: skip

    @rule(patient=st.sampled_from(PATIENTS), paid=st.booleans())
    def refund(self, patient: str, paid: bool) -> None:
        credit = self.ledger.balance(Account.patient_credit(patient))
        if credit <= 0:
            return
        refund_credit(self.ledger, PatientId(patient), effective=self._when(), paid=True)
        self.cash -= credit
        self.refunded[patient] += credit

    # -- invariants -------------------------------------------------------------------

    @invariant()
    def cash_equals_the_checks(self) -> None:
        assert self.ledger.total("cash") == self.cash
        assert self.ledger.total("payer_overpayment") == self.overpayment
        for payer, amount in self.suspense.items():
            assert self.ledger.balance(Account.unapplied_insurance_cash(payer)) == amount

    @invariant()
    def every_claim_is_accounted_for(self) -> None:
        ledger = self.ledger
        patient_applied: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for claim_id, model in self.claims.items():
            charged = ledger.total("gross_charges", claim=claim_id)
            assert charged == model.claim.total_charge
            insurance = ledger.total("insurance_receivable", claim=claim_id)
            patient_due = ledger.total("patient_receivable", claim=claim_id)
            adjusted = sum((ledger.total(c, claim=claim_id) for c in ADJUSTMENT_CODES), ZERO)
            by_patient = charged - insurance - patient_due - adjusted - model.payer_applied
            assert by_patient >= 0, claim_id
            patient_applied[str(model.claim.patient.id)] += by_patient
            # no receivable is negative (a payer's extra cash is payer_overpayment)
            assert patient_due >= 0, claim_id
            for payer in ("acme", "beta"):
                assert ledger.total("insurance_receivable", payer=payer, claim=claim_id) >= 0
        for patient in PATIENTS:
            credit = ledger.total("patient_credit", patient=patient)
            assert credit >= 0
            expected = self.patient_paid[patient] - self.refunded[patient] - credit
            assert patient_applied[patient] == expected, patient

    @invariant()
    def balances_equal_a_naive_re_sum_of_the_journal(self) -> None:
        sums: dict[Account, Decimal] = defaultdict(lambda: ZERO)
        for entry in self.ledger.entries():
            for posting in entry.postings:
                sums[posting.account] += posting.amount
        for account, amount in sums.items():
            natural = amount if account.kind.sign > 0 else -amount
            assert self.ledger.balance(account) == natural, account
        self.ledger.check_invariants()


def _line(procedure: str, charge: Decimal, paid: Decimal) -> LinePayment:
    return LinePayment(procedure=procedure, charge=charge, paid=paid, service_date=DOS)


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


def _negated(payment: ClaimPayment) -> ClaimPayment:
    """The CLP02 22 loop that takes ``payment`` back (TR3 1.10.2.8: every amount negated)."""
    return attrs.evolve(
        payment,
        status="22",
        charge=-payment.charge,
        paid=-payment.paid,
        patient_responsibility=-payment.patient_responsibility,
        lines=[
            attrs.evolve(
                li,
                charge=-li.charge,
                paid=-li.paid,
                adjustments=[attrs.evolve(a, amount=-a.amount) for a in li.adjustments],
            )
            for li in payment.lines
        ],
    )


class SqlitePostingMachine(PostingMachine):
    def make_ledger(self) -> Ledger:
        self.folder = tempfile.TemporaryDirectory()
        return Ledger.open(
            Path(self.folder.name) / "ledger.sqlite",
            clock=lambda: pendulum.datetime(2025, 9, 1, 12),
            synchronous="NORMAL",
        )

    def teardown(self) -> None:
        self.ledger.close()
        self.folder.cleanup()


# At least 2,000 steps per store: hypothesis ends some runs early, so 70 examples of up to
# 50 steps (60 ran 2,286 steps on MemoryStore, 2,901 on SqliteStore); ten times that with
# MEDBILL_FUZZ_LONG=1.
_SCALE = 10 if LONG else 1
TestMemoryPosting = PostingMachine.TestCase
TestMemoryPosting.settings = settings(
    max_examples=70 * _SCALE, stateful_step_count=50, deadline=None, report_multiple_bugs=False
)
TestSqlitePosting = SqlitePostingMachine.TestCase
TestSqlitePosting.settings = settings(
    max_examples=70 * _SCALE, stateful_step_count=50, deadline=None, report_multiple_bugs=False
)
