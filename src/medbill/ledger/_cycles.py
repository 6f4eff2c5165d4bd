"""Statement cycles: who gets a statement today, at which dunning level.

A practice mails patient statements in cycles (every ``cycle_days``). Each guarantor gets at
most one statement per cycle. The dunning level comes from the age of the guarantor's
oldest open patient balance, counted from the day that balance became the patient's (the
posting that moved it to the patient, see :func:`medbill.ledger.aging` with
``basis="billing"``). At the last level the account is flagged for collections: medbill
sends nothing to an agency, it only flags the account and lists it on a worklist.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs
import pendulum

from medbill._errors import LedgerError
from medbill._parties import Guarantor, Patient
from medbill.ledger._entries import JournalEntry
from medbill.ledger._ledger import Ledger
from medbill.ledger._reports import AGING_BUCKETS
from medbill.ledger._stores._base import aging_bucket as _bucket

__all__ = [
    "DEFAULT_DUNNING",
    "DunningLevel",
    "StatementDue",
    "StatementPolicy",
    "StatementRun",
    "statements_due",
    "write_off_small_statement_balances",
]

ZERO = Decimal("0.00")
_BUCKET_START_DAYS = (0, 31, 61, 91, 121)  # first day of each aging bucket


@attrs.frozen(kw_only=True)
class DunningLevel:
    """A dunning level: from ``days`` (age of the oldest patient balance) on, this message.

    >>> [(level.number, level.days) for level in DEFAULT_DUNNING]
    [(1, 0), (2, 31), (3, 61), (4, 91)]
    """

    number: int
    days: int
    message: str
    collections: bool = False


DEFAULT_DUNNING: tuple[DunningLevel, ...] = (
    DunningLevel(
        number=1,
        days=0,
        message="Your insurance has processed these services. Please pay the amount due "
        "by the due date, or call us to set up a payment plan.",
    ),
    DunningLevel(
        number=2,
        days=31,
        message="Reminder: this balance is now past due. Please pay today or call us to "
        "discuss a payment plan.",
    ),
    DunningLevel(
        number=3,
        days=61,
        message="Second notice: your account is more than 60 days past due. Please pay "
        "now or call our billing office within 10 days.",
    ),
    DunningLevel(
        number=4,
        days=91,
        message="Final notice: your account is more than 90 days past due. Unless we "
        "hear from you within 10 days, it may be referred for collection.",
        collections=True,
    ),
)
"""Four levels at 0, 31, 61 and 91 days; the last flags the account for collections."""


@attrs.frozen(kw_only=True)
class StatementPolicy:
    """How the practice runs statement cycles.

    * ``cycle_days``: days between two statements to the same guarantor (default 30);
    * ``minimum_balance``: no statement below this amount due (default 5.00);
    * ``small_balance_threshold``: balances above zero and at most this are written off
      (reason ``small_balance``) instead of billed (default 0.00: none);
    * ``due_days``: the due date is the statement date plus this (default 25);
    * ``levels``: the dunning levels, in order of ``days``.

    >>> from decimal import Decimal
    >>> from medbill.ledger import StatementPolicy
    >>> policy = StatementPolicy()
    >>> policy.level_for((Decimal("0"), Decimal("0"), Decimal("12.00"), Decimal("0"),
    ...                   Decimal("0"))).number
    3
    """

    cycle_days: int = 30
    minimum_balance: Decimal = Decimal("5.00")
    small_balance_threshold: Decimal = ZERO
    due_days: int = 25
    levels: tuple[DunningLevel, ...] = DEFAULT_DUNNING

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.cycle_days, int) or self.cycle_days < 1:
            raise LedgerError(
                f"cycle_days: must be a positive number of days ({self.cycle_days!r})"
            )
        if not isinstance(self.due_days, int) or self.due_days < 0:
            raise LedgerError(f"due_days: must be zero or more days ({self.due_days!r})")
        for name in ("minimum_balance", "small_balance_threshold"):
            value = getattr(self, name)
            if not isinstance(value, Decimal) or value < 0:
                raise LedgerError(f"{name}: must be a non-negative Decimal (got {value!r})")
        days = [level.days for level in self.levels]
        if not self.levels or days != sorted(days) or days[0] != 0:
            raise LedgerError(f"levels: need ascending days starting at 0 (got {days!r})")

    def level_for(self, aging: Sequence[Decimal], *, first: bool = False) -> DunningLevel:
        """The level of the oldest aging bucket with an amount owed (``aging`` as on a
        statement: buckets 0-30 … 120+); level 1 for a ``first`` statement (no reminder
        before the patient was billed once)."""
        if first:
            return self.levels[0]
        oldest = 0
        for number, amount in enumerate(aging):
            if amount > 0:
                oldest = _BUCKET_START_DAYS[min(number, len(AGING_BUCKETS) - 1)]
        chosen = self.levels[0]
        for level in self.levels:
            if level.days <= oldest:
                chosen = level
        return chosen


@attrs.frozen(kw_only=True)
class StatementDue:
    """A guarantor who gets a statement today: the patients, balance and dunning level."""

    guarantor: Guarantor
    patients: tuple[Patient, ...]
    balance: Decimal
    level: DunningLevel

    @property
    def collections(self) -> bool:
        """Whether the account is flagged for collections (the last dunning level)."""
        return self.level.collections


@attrs.frozen(kw_only=True)
class StatementRun:
    """The result of :func:`statements_due`: statements to send, small balances to write
    off, the collections worklist, and who was skipped and why."""

    as_of: pendulum.Date
    due: tuple[StatementDue, ...]
    small_balances: tuple[StatementDue, ...]
    skipped: tuple[tuple[str, str], ...]

    @property
    def collections_worklist(self) -> tuple[StatementDue, ...]:
        """The accounts at the last dunning level (flagged, never sent to an agency)."""
        return tuple(item for item in self.due if item.collections)


def patient_aging(
    ledger: Ledger, patients: Sequence[str], as_of: pendulum.Date
) -> tuple[Decimal, ...]:
    """Patient balances by age from the day each claim's balance became the patient's."""
    buckets = [ZERO] * len(AGING_BUCKETS)
    for patient in patients:
        by_claim: dict[str, list[Any]] = {}
        for account in ledger.accounts("patient_receivable", patient=patient):
            by_claim.setdefault(account.claim or "", []).append(account)
        for accounts in by_claim.values():
            amount = sum((ledger.balance(a, as_of=as_of) for a in accounts), ZERO)
            if not amount:
                continue
            starts = [d for d in (ledger.first_debit(a) for a in accounts) if d is not None]
            start = min(starts) if starts else as_of
            buckets[_bucket(max((as_of - start).days, 0))] += amount
    return tuple(buckets)


def _group(patients: Sequence[Patient]) -> dict[str, tuple[Guarantor, list[Patient]]]:
    groups: dict[str, tuple[Guarantor, list[Patient]]] = {}
    for patient in patients:
        guarantor = Guarantor.of_patient(patient)
        groups.setdefault(guarantor.id, (guarantor, []))[1].append(patient)
    return groups


def statements_due(
    ledger: Ledger,
    as_of: pendulum.Date,
    policy: StatementPolicy,
    *,
    patients: Sequence[Patient],
    last_sent: Mapping[str, pendulum.Date] | None = None,
) -> StatementRun:
    """Who gets a statement on ``as_of`` and at which dunning level.

    ``patients`` are grouped by guarantor (:meth:`~medbill.Guarantor.of_patient`), so a
    parent gets one statement for all children. ``last_sent`` maps a guarantor id to the
    date of its last statement: a guarantor sent one less than ``policy.cycle_days`` ago is
    skipped, so no guarantor gets two statements in a cycle (and each appears once in a
    run). A balance at most ``policy.small_balance_threshold`` goes to ``small_balances``
    (write it off with :func:`write_off_small_statement_balances`); one below
    ``policy.minimum_balance`` is skipped.

    >>> import pendulum
    >>> from medbill.ledger import Ledger, StatementPolicy, statements_due
    >>> run = statements_due(Ledger.in_memory(), pendulum.date(2025, 5, 1), StatementPolicy(),
    ...                      patients=[])
    >>> run.due
    ()
    """
    sent = last_sent or {}
    due: list[StatementDue] = []
    small: list[StatementDue] = []
    skipped: list[tuple[str, str]] = []
    for guarantor_id, (guarantor, members) in sorted(_group(patients).items()):
        ids = [str(p.id) for p in members]
        balance = sum(
            (
                ledger.total("patient_receivable", patient=p, as_of=as_of)
                - ledger.total("patient_credit", patient=p, as_of=as_of)
                for p in ids
            ),
            ZERO,
        )
        previous = sent.get(guarantor_id)
        if previous is not None and (as_of - previous).days < policy.cycle_days:
            skipped.append((guarantor_id, f"statement sent {previous}, cycle not over"))
            continue
        if ZERO < balance <= policy.small_balance_threshold:
            small.append(
                StatementDue(
                    guarantor=guarantor,
                    patients=tuple(members),
                    balance=balance,
                    level=policy.levels[0],
                )
            )
            continue
        if balance < policy.minimum_balance or balance <= 0:
            skipped.append((guarantor_id, f"balance {balance} below {policy.minimum_balance}"))
            continue
        level = policy.level_for(patient_aging(ledger, ids, as_of), first=previous is None)
        due.append(
            StatementDue(guarantor=guarantor, patients=tuple(members), balance=balance, level=level)
        )
    return StatementRun(
        as_of=as_of, due=tuple(due), small_balances=tuple(small), skipped=tuple(skipped)
    )


def write_off_small_statement_balances(
    ledger: Ledger, run: StatementRun, policy: StatementPolicy
) -> tuple[JournalEntry, ...]:
    """Post the run's small balances as write-offs: reason ``small_balance``, the
    threshold in each entry's memo, claim by claim (``write_off_small_balances``)."""
    from medbill.ledger._recipes import write_off_small_balances

    if policy.small_balance_threshold <= 0:
        return ()
    posted: list[JournalEntry] = []
    for item in run.small_balances:
        for patient in item.patients:
            posted += write_off_small_balances(
                ledger,
                threshold=policy.small_balance_threshold,
                effective=run.as_of,
                patient_id=patient.id,
            )
    return tuple(posted)
