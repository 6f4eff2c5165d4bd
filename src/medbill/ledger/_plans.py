"""Payment plans: a patient balance paid in installments, tracked against the ledger.

A plan is a plain value the caller keeps (it posts nothing). Its status is computed from
the payments made to the plan (``PatientPayment.plan_id``) that are posted in the ledger
and not reversed: they fill the installments in order, oldest first. Other payments of
the patient (a copay at check-in, a payment on a claim outside the plan) do not count.

A plan is *delinquent* once an installment is still not fully paid ``grace_days``
(default 15) days after its due date.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import attrs
import pendulum

from medbill._common import PatientId, id_text, to_patient_id
from medbill._deprecation import renamed_fields
from medbill._enums import MedbillEnum
from medbill._errors import LedgerError
from medbill._money import CENT, round_cents
from medbill._payment import PatientPayment
from medbill.ledger._entries import EntryKind
from medbill.ledger._ledger import Ledger

__all__ = [
    "Installment",
    "InstallmentState",
    "PaymentPlan",
    "PlanFrequency",
    "PlanStatus",
    "plan_status",
]

ZERO = Decimal("0.00")


class PlanFrequency(MedbillEnum):
    """How often an installment falls due.

    >>> from medbill.ledger import PlanFrequency
    >>> PlanFrequency("monthly").name
    'MONTHLY'
    """

    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"

    def due_date(self, start: pendulum.Date, number: int) -> pendulum.Date:
        """The due date of installment ``number`` (0-based) of a plan starting on ``start``."""
        if self is PlanFrequency.WEEKLY:
            return start.add(weeks=number)
        if self is PlanFrequency.BIWEEKLY:
            return start.add(weeks=2 * number)
        return start.add(months=number)  # pendulum keeps month ends (Jan 31 → Feb 28)


@attrs.frozen(kw_only=True)
class Installment:
    """One installment of a plan: its number (from 1), due date and amount.

    >>> from decimal import Decimal
    >>> Installment(number=1, due=pendulum.date(2025, 6, 1), amount=Decimal("50.00")).number
    1
    """

    number: int
    due: pendulum.Date
    amount: Decimal


def _plan_checks(plan: PaymentPlan) -> None:
    if not isinstance(plan.amount, Decimal) or plan.amount <= 0 or plan.amount % CENT:
        raise LedgerError(f"plan amount: must be a positive amount in cents (got {plan.amount!r})")
    if not isinstance(plan.installments, int) or not 1 <= plan.installments <= 360:
        raise LedgerError(f"plan installments: must be 1 to 360 (got {plan.installments!r})")
    if plan.amount < plan.installments * CENT:
        raise LedgerError(
            f"plan amount {plan.amount} is too small for {plan.installments} installments"
        )


@renamed_fields(patient="patient_id")
@attrs.frozen(kw_only=True)
class PaymentPlan:
    """A plan to pay ``amount`` in ``installments`` from ``start``, at ``frequency``.

    Each installment is ``amount / installments`` rounded half-up to the cent; the last
    one absorbs the rounding difference so the installments add up to ``amount``.

    >>> from decimal import Decimal
    >>> from medbill.ledger import PaymentPlan
    >>> plan = PaymentPlan(id="plan-1", patient_id="MRN-1", amount=Decimal("100.00"),
    ...                    installments=3, start=pendulum.date(2025, 1, 31), frequency="monthly")
    >>> [(str(i.due), str(i.amount)) for i in plan.schedule()]
    [('2025-01-31', '33.33'), ('2025-02-28', '33.33'), ('2025-03-31', '33.34')]
    """

    id: str
    patient_id: PatientId = attrs.field(converter=to_patient_id, validator=id_text)
    amount: Decimal
    installments: int
    start: pendulum.Date
    frequency: PlanFrequency = attrs.field(converter=PlanFrequency)
    grace_days: int = 15

    def __attrs_post_init__(self) -> None:
        _plan_checks(self)

    def schedule(self) -> tuple[Installment, ...]:
        """Every installment with its due date and amount."""
        each = round_cents(self.amount / self.installments)
        last = self.amount - each * (self.installments - 1)
        return tuple(
            Installment(
                number=n + 1,
                due=self.frequency.due_date(self.start, n),
                amount=last if n == self.installments - 1 else each,
            )
            for n in range(self.installments)
        )


class InstallmentState(MedbillEnum):
    """Where an installment stands on a given day.

    >>> InstallmentState("late").name
    'LATE'
    """

    PAID = "paid"
    DUE = "due"
    LATE = "late"
    UPCOMING = "upcoming"


@attrs.frozen(kw_only=True)
class PlanStatus:
    """A plan's installments with what was paid on each, as of a day.

    >>> from decimal import Decimal
    >>> from medbill.ledger import Ledger, PaymentPlan, plan_status
    >>> plan = PaymentPlan(id="p-1", patient_id="MRN-1", amount=Decimal("40.00"), installments=2,
    ...                    start=pendulum.date(2025, 6, 1), frequency="weekly")
    >>> status = plan_status(Ledger.in_memory(), plan, as_of=pendulum.date(2025, 6, 10))
    >>> status.remaining, [i.number for i in status.late]
    (Decimal('40.00'), [1, 2])
    """

    plan: PaymentPlan
    as_of: pendulum.Date
    paid: Decimal
    installments: tuple[tuple[Installment, Decimal, InstallmentState], ...]

    @property
    def remaining(self) -> Decimal:
        """What is left to pay on the plan."""
        return max(self.plan.amount - self.paid, ZERO)

    @property
    def is_delinquent(self) -> bool:
        """Whether an installment is unpaid more than ``plan.grace_days`` after its due date."""
        return any(
            (self.as_of - installment.due).days > self.plan.grace_days for installment in self.late
        )

    @property
    def late(self) -> tuple[Installment, ...]:
        """The installments past due and not fully paid."""
        return tuple(i for i, _, state in self.installments if state is InstallmentState.LATE)


def _paid_to_plan(
    ledger: Ledger, plan: PaymentPlan, payments: Iterable[PatientPayment], end: pendulum.Date
) -> Decimal:
    """Cash of the plan's payments posted with effective dates in [start, end], unreversed."""
    total = ZERO
    for payment in payments:
        if payment.plan_id != plan.id or str(payment.patient_id) != plan.patient_id:
            continue
        keys = (
            f"patient-payment:{payment.patient_id}:{payment.id}",
            f"patient-payment:{payment.id}",
        )
        key = next((k for k in keys if k in ledger), None)
        if key is None:
            continue
        entry = ledger.get(key)
        if entry.kind is not EntryKind.PATIENT_PAYMENT or not plan.start <= entry.effective <= end:
            continue
        reversal = ledger.reversal_of(key)
        if reversal is not None and ledger.get(reversal).effective <= end:
            continue
        total += sum((p.amount for p in entry.postings if p.account.code == "cash"), ZERO)
    return total


def plan_status(
    ledger: Ledger,
    plan: PaymentPlan,
    *,
    as_of: pendulum.Date,
    payments: Iterable[PatientPayment] = (),
) -> PlanStatus:
    """Match the payments made to the plan against its installments.

    ``payments`` are the patient's payments as recorded (``PatientPayment``); only those
    whose ``plan_id`` is the plan's, posted in ``ledger`` under their default key
    (``"patient-payment:<patient>:<id>"``) on or after the plan's start and not reversed, count.

    An installment is ``PAID`` once payments cover it, ``LATE`` when its due date has
    passed without that, ``DUE`` on its due date, ``UPCOMING`` before.

    >>> from decimal import Decimal
    >>> from medbill import PatientPayment
    >>> from medbill.ledger import Ledger, PaymentPlan, plan_status, post_patient_payment
    >>> ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 2, 1, 18))
    >>> plan = PaymentPlan(id="plan-1", patient_id="MRN-1", amount=Decimal("90.00"),
    ...                    installments=3, start=pendulum.date(2025, 1, 15), frequency="monthly")
    >>> paid = PatientPayment(id="pp-1", patient_id="MRN-1", amount=Decimal("30.00"),
    ...                       received_on=pendulum.date(2025, 1, 15), plan_id="plan-1")
    >>> _ = post_patient_payment(ledger, paid)
    >>> status = plan_status(ledger, plan, as_of=pendulum.date(2025, 2, 20), payments=[paid])
    >>> [(i.number, str(paid), state.value) for i, paid, state in status.installments]
    [(1, '30.00', 'paid'), (2, '0.00', 'late'), (3, '0.00', 'upcoming')]
    """
    paid = _paid_to_plan(ledger, plan, payments, as_of)
    left = paid
    rows: list[tuple[Installment, Decimal, InstallmentState]] = []
    for installment in plan.schedule():
        part = min(max(left, ZERO), installment.amount)
        left -= part
        if part == installment.amount:
            state = InstallmentState.PAID
        elif installment.due < as_of:
            state = InstallmentState.LATE
        elif installment.due == as_of:
            state = InstallmentState.DUE
        else:
            state = InstallmentState.UPCOMING
        rows.append((installment, part, state))
    return PlanStatus(plan=plan, as_of=as_of, paid=paid, installments=tuple(rows))
