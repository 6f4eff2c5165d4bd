"""Random sequences of revenue-cycle events against both stores and a small reference model.

The model keeps, per claim, what each party owes (acme as primary, beta after a transfer,
the patient), each patient's credit and the cash received, using the published rules:
a payer payment moves its whole receivable (paid to cash, CO written off, PR to the
patient); a reversal undoes one payment (what the patient had already paid of its share
becomes credit); a patient payment fills the oldest open claims and
the rest becomes credit; a refund pays the credit out. After every step the ledger must
agree with the model, its trial balance must be zero, and replaying a key changes nothing.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import attrs
import pendulum
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from medbill import Adjustment, ClaimId, ClaimPayment, PatientId, PatientPayment, Remittance
from medbill.ledger import (
    JournalEntry,
    Ledger,
    post_charges,
    post_claim_payment,
    post_patient_payment,
    refund_credit,
    transfer_responsibility,
    trial_balance,
)
from medbill.ledger._examples import example_claim, example_coverage

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
PATIENTS = ("P1", "P2")
DAY = pendulum.date(2025, 3, 4)


@attrs.define
class ModelClaim:
    patient: str
    acme: Decimal = ZERO
    beta: Decimal = ZERO
    patient_due: Decimal = ZERO
    charged: Decimal = ZERO
    payer_paid: Decimal = ZERO
    contractual: Decimal = ZERO
    patient_paid: Decimal = ZERO


@attrs.define
class ModelPayment:
    claim: str
    era: str
    paid: Decimal
    contractual: Decimal
    patient_share: Decimal
    overpaid: Decimal = ZERO
    reversed: bool = False


def _cents(amount: Decimal, percent: int) -> Decimal:
    return (amount * percent / 100).quantize(CENT)


class LedgerMachine(RuleBasedStateMachine):
    """Drives the recipes; subclasses choose the store."""

    def make_ledger(self) -> Ledger:
        return Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 6, 1, 12))

    def __init__(self) -> None:
        super().__init__()
        self.ledger = self.make_ledger()
        self.claims: dict[str, ModelClaim] = {}
        self.credit = dict.fromkeys(PATIENTS, ZERO)
        self.cash = ZERO
        self.payments: list[ModelPayment] = []
        self.overpayment = ZERO  # what acme paid beyond what it owed
        self.counter = 0
        self.last: Callable[[], JournalEntry] | None = None

    def teardown(self) -> None:
        self.ledger.close()

    def _next(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    @rule(
        patient=st.sampled_from(PATIENTS),
        self_pay=st.booleans(),
        cents=st.lists(st.integers(1, 50_000), min_size=1, max_size=3),
    )
    def charge(self, patient: str, self_pay: bool, cents: list[int]) -> None:
        claim_id = self._next("C")
        charges = tuple(Decimal(c).scaleb(-2) for c in cents)
        coverage = None if self_pay else example_coverage(patient)
        claim = example_claim(claim_id, patient, coverage, charges, DAY)
        self.last = lambda: post_charges(self.ledger, claim)
        self.last()
        total = sum(charges, ZERO)
        self.claims[claim_id] = ModelClaim(
            patient=patient,
            acme=ZERO if self_pay else total,
            patient_due=total if self_pay else ZERO,
            charged=total,
        )

    def _open(self, party: str) -> list[str]:
        return sorted(c for c, m in self.claims.items() if getattr(m, party) > 0)

    @precondition(lambda self: bool(self._open("acme")))
    @rule(data=st.data(), paid_pct=st.integers(0, 100), co_pct=st.integers(0, 100))
    def payer_payment(self, data: st.DataObject, paid_pct: int, co_pct: int) -> None:
        claim_id = data.draw(st.sampled_from(self._open("acme")))
        model = self.claims[claim_id]
        due = model.acme
        paid = _cents(due, paid_pct)
        contractual = _cents(due - paid, co_pct)
        share = due - paid - contractual
        era = self._next("ERA-")
        payment = ClaimPayment(
            claim_id=ClaimId(claim_id),
            status="1",
            charge=due,
            paid=paid,
            patient_responsibility=share,
            adjustments=(
                Adjustment(group="CO", reason="45", amount=contractual),
                Adjustment(group="PR", reason="1", amount=share),
            ),
        )
        claim = example_claim(claim_id, model.patient, example_coverage(model.patient), (due,))
        remittance = Remittance(
            id=era, payer_name="Acme", payment_amount=paid, paid_on=DAY.add(days=30)
        )
        self.last = lambda: post_claim_payment(self.ledger, claim, payment, remittance=remittance)
        self.last()
        model.acme -= due
        model.patient_due += share
        model.payer_paid += paid
        model.contractual += contractual
        self.cash += paid
        self.payments.append(ModelPayment(claim_id, era, paid, contractual, share))

    @precondition(lambda self: any(not p.reversed for p in self.payments))
    @rule(data=st.data())
    def payer_reversal(self, data: st.DataObject) -> None:
        open_payments = [p for p in self.payments if not p.reversed]
        # the payer reverses the latest payment of a claim (the recipe's rule)
        latest = {p.claim: p for p in open_payments}
        target = data.draw(st.sampled_from(sorted(latest.values(), key=lambda p: p.era)))
        model = self.claims[target.claim]
        total = target.paid + target.contractual + target.patient_share
        applied = total - target.overpaid
        reversal = ClaimPayment(
            claim_id=ClaimId(target.claim),
            status="22",
            charge=-total,
            paid=-target.paid,
            patient_responsibility=-target.patient_share,
        )
        claim = example_claim(
            target.claim, model.patient, example_coverage(model.patient), (total,)
        )
        remittance = Remittance(
            id=self._next("ERA-"),
            payer_name="Acme",
            payment_amount=ZERO,
            paid_on=DAY.add(days=60),
        )
        self.last = lambda: post_claim_payment(self.ledger, claim, reversal, remittance=remittance)
        self.last()
        target.reversed = True
        model.acme += applied
        model.patient_due -= target.patient_share
        model.payer_paid -= target.paid - target.overpaid
        self.overpayment -= target.overpaid
        model.contractual -= target.contractual
        if model.patient_due < 0:  # the patient had paid that share: it becomes credit
            self.credit[model.patient] -= model.patient_due
            model.patient_paid += model.patient_due
            model.patient_due = ZERO
        self.cash -= target.paid

    def _settled(self) -> list[str]:
        paid = {p.claim for p in self.payments}
        return sorted(c for c, m in self.claims.items() if c in paid and m.acme == 0)

    @precondition(lambda self: bool(self._settled()))
    @rule(data=st.data(), cents=st.integers(1, 50_000))
    def duplicate_payer_payment(self, data: st.DataObject, cents: int) -> None:
        claim_id = data.draw(st.sampled_from(self._settled()))
        model = self.claims[claim_id]
        amount = Decimal(cents).scaleb(-2)
        payment = ClaimPayment(claim_id=ClaimId(claim_id), status="1", charge=amount, paid=amount)
        claim = example_claim(claim_id, model.patient, example_coverage(model.patient), (amount,))
        remittance = Remittance(
            id=self._next("ERA-"),
            payer_name="Acme",
            payment_amount=amount,
            paid_on=DAY.add(days=40),
        )
        self.last = lambda: post_claim_payment(self.ledger, claim, payment, remittance=remittance)
        self.last()
        # it owed nothing: all of it is owed back to the payer
        self.cash += amount
        self.overpayment += amount
        self.payments.append(
            ModelPayment(claim_id, remittance.id, amount, ZERO, ZERO, overpaid=amount)
        )

    @rule(patient=st.sampled_from(PATIENTS), cents=st.integers(1, 60_000))
    def patient_payment(self, patient: str, cents: int) -> None:
        amount = Decimal(cents).scaleb(-2)
        payment = PatientPayment(
            id=self._next("pp-"),
            patient_id=PatientId(patient),
            amount=amount,
            received_on=DAY.add(days=45),
        )
        self.last = lambda: post_patient_payment(self.ledger, payment)
        self.last()
        self.cash += amount
        left = amount
        for claim_id in sorted(c for c, m in self.claims.items() if m.patient == patient):
            model = self.claims[claim_id]
            if left <= 0 or model.patient_due <= 0:
                continue
            part = min(left, model.patient_due)
            model.patient_due -= part
            model.patient_paid += part
            left -= part
        self.credit[patient] += left

    @precondition(lambda self: any(c > 0 for c in self.credit.values()))
    @rule(data=st.data())
    def refund(self, data: st.DataObject) -> None:
        patient = data.draw(st.sampled_from([p for p, c in self.credit.items() if c > 0]))
        day = DAY.add(days=90 + self.counter)
        self.counter += 1
        self.last = lambda: refund_credit(self.ledger, PatientId(patient), effective=day, paid=True)
        self.last()
        self.cash -= self.credit[patient]
        self.credit[patient] = ZERO

    @precondition(lambda self: bool(self._open("patient_due")))
    @rule(data=st.data())
    def transfer_to_a_payer_found_later(self, data: st.DataObject) -> None:
        claim_id = data.draw(st.sampled_from(self._open("patient_due")))
        model = self.claims[claim_id]
        amount = max((model.patient_due / 2).quantize(CENT), CENT)
        beta = example_coverage(model.patient, payer_id="beta")
        day = DAY.add(days=100 + self.counter)
        self.counter += 1
        self.last = lambda: transfer_responsibility(
            self.ledger, ClaimId(claim_id), source=None, target=beta, amount=amount, effective=day
        )
        self.last()
        model.patient_due -= amount
        model.beta += amount

    @precondition(lambda self: self.last is not None)
    @rule()
    def replay_the_last_event(self) -> None:
        assert self.last is not None
        count = len(self.ledger)
        cash = self.ledger.total("cash")
        self.last()
        assert len(self.ledger) == count
        assert self.ledger.total("cash") == cash

    @invariant()
    def ledger_agrees_with_the_model(self) -> None:
        ledger = self.ledger
        assert trial_balance(ledger).is_balanced
        ledger.check_invariants()
        assert ledger.total("cash") == self.cash
        assert ledger.total("payer_overpayment") == self.overpayment
        for claim_id, model in self.claims.items():
            acme = ledger.total(
                "insurance_receivable", payer="acme", level="primary", claim=claim_id
            )
            beta = ledger.total(
                "insurance_receivable", payer="beta", level="primary", claim=claim_id
            )
            assert (acme, beta) == (model.acme, model.beta), claim_id
            assert ledger.total("patient_receivable", claim=claim_id) == model.patient_due
            # receivables = charges - payments - adjustments
            receivable = acme + beta + ledger.total("patient_receivable", claim=claim_id)
            assert ledger.total("gross_charges", claim=claim_id) == model.charged
            assert ledger.total("contractual_adjustment", claim=claim_id) == model.contractual
            assert receivable == (
                model.charged - model.payer_paid - model.patient_paid - model.contractual
            )
        for patient, credit in self.credit.items():
            assert ledger.total("patient_credit", patient=patient) == credit


class SqliteLedgerMachine(LedgerMachine):
    def make_ledger(self) -> Ledger:
        self.folder = tempfile.TemporaryDirectory()
        return Ledger.open(
            Path(self.folder.name) / "ledger.sqlite",
            clock=lambda: pendulum.datetime(2025, 6, 1, 12),
            synchronous="NORMAL",
        )

    def teardown(self) -> None:
        self.ledger.close()
        # reopening rebuilds every balance from the file: it must still agree
        with Ledger.open(Path(self.folder.name) / "ledger.sqlite") as reopened:
            assert trial_balance(reopened).is_balanced
            assert reopened.total("cash") == self.cash
            for claim_id, model in self.claims.items():
                assert reopened.total("patient_receivable", claim=claim_id) == model.patient_due
        self.folder.cleanup()


TestMemoryLedger = LedgerMachine.TestCase
TestMemoryLedger.settings = settings(max_examples=60, stateful_step_count=25, deadline=None)
TestSqliteLedger = SqliteLedgerMachine.TestCase
TestSqliteLedger.settings = settings(max_examples=25, stateful_step_count=20, deadline=None)
