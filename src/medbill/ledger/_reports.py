"""Reports over the ledger: balances, aging, patient statements, claim history, trial balance.

Reports only read: they never post. Every amount comes from the ledger's balances or its
entries, so a report agrees with the books by construction.
"""

from __future__ import annotations

import html
from decimal import Decimal

import attrs
import pendulum

from medbill._common import ClaimId, PatientId, Period, id_text, to_claim_id, to_patient_id
from medbill._deprecation import (
    folded_period,
    period_or_dates,
    renamed_fields,
    renamed_parameters,
)
from medbill._encounter import Claim
from medbill._enums import MedbillEnum
from medbill._errors import LedgerError, UnknownAccountError, ValidationError
from medbill._parties import Patient, Priority
from medbill.ledger._accounts import CHART_OF_ACCOUNTS, AccountKind
from medbill.ledger._entries import EntryKind, JournalEntry
from medbill.ledger._ledger import Ledger, snapshot_report

__all__ = [
    "AGING_BUCKETS",
    "ActivityLine",
    "ActivityStatement",
    "AgingBasis",
    "AgingReport",
    "AgingRow",
    "ClaimBalance",
    "ClaimHistory",
    "PatientBalance",
    "TrialBalance",
    "TrialBalanceRow",
    "aging",
    "claim_balance",
    "claim_history",
    "patient_balance",
    "statement",
    "trial_balance",
]

ZERO = Decimal("0.00")
_ONE_DAY = pendulum.duration(days=1)


# -- balances ---------------------------------------------------------------------------


def _patient_id(ledger: Ledger, value: object, missing_ok: bool) -> PatientId:
    """The id asked about (a ``Patient`` gives its own), known to the ledger unless
    ``missing_ok``: an unknown id is an :class:`~medbill.UnknownAccountError`, never 0.00."""
    if isinstance(value, Patient):
        value = value.id
    if not isinstance(value, str):
        raise ValidationError(
            "patient_id", value, f"must be a PatientId or a Patient, not {type(value).__name__}"
        )
    if not missing_ok and next(iter(ledger.accounts(patient=value)), None) is None:
        raise UnknownAccountError("patient", value)
    return PatientId(value)


def _claim_id(ledger: Ledger, value: object, missing_ok: bool) -> ClaimId:
    """As :func:`_patient_id`, for a claim (a ``Claim`` gives its own id)."""
    if isinstance(value, Claim):
        value = value.id
    if not isinstance(value, str):
        raise ValidationError(
            "claim_id", value, f"must be a ClaimId or a Claim, not {type(value).__name__}"
        )
    if not missing_ok and next(iter(ledger.accounts(claim=value)), None) is None:
        raise UnknownAccountError("claim", value)
    return ClaimId(value)


@renamed_fields(patient="patient_id")
@attrs.frozen(kw_only=True)
class PatientBalance:
    """What a patient owes, what insurance still has pending, and the patient's credit.

    ``amount_due`` is what a statement asks for: the patient's receivables less credit.

    >>> from decimal import Decimal
    >>> PatientBalance(patient_id="MRN-1", patient_due=Decimal("30.00"),
    ...                insurance_pending=Decimal("0.00"), credit=Decimal("5.00")).amount_due
    Decimal('25.00')
    """

    patient_id: PatientId = attrs.field(converter=to_patient_id, validator=id_text)
    patient_due: Decimal
    insurance_pending: Decimal
    credit: Decimal

    @property
    def amount_due(self) -> Decimal:
        """Patient receivables minus patient credit."""
        return self.patient_due - self.credit


@renamed_parameters("patient_balance", patient="patient_id")
@snapshot_report
def patient_balance(
    ledger: Ledger,
    patient_id: PatientId | Patient,
    *,
    as_of: pendulum.Date | None = None,
    missing_ok: bool = False,
) -> PatientBalance:
    """A patient's balances, kept apart: patient-due, insurance-pending, credit. O(1) each.

    ``patient_id`` is the patient's id (or the :class:`~medbill.Patient`). An id the
    ledger has never seen raises :class:`~medbill.UnknownAccountError` unless
    ``missing_ok=True``, which answers 0.00.

    >>> from medbill.ledger import Ledger, patient_balance, post_charges
    >>> from medbill.ledger._examples import example_claim
    >>> ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 3, 4, 18))
    >>> _ = post_charges(ledger, example_claim())
    >>> balance = patient_balance(ledger, "MRN-1")
    >>> balance.patient_due, balance.insurance_pending, balance.credit
    (Decimal('0.00'), Decimal('200.00'), Decimal('0.00'))
    """
    patient = _patient_id(ledger, patient_id, missing_ok)
    return PatientBalance(
        patient_id=patient,
        patient_due=ledger.total("patient_receivable", patient=patient, as_of=as_of),
        insurance_pending=ledger.total("insurance_receivable", patient=patient, as_of=as_of),
        credit=ledger.total("patient_credit", patient=patient, as_of=as_of),
    )


@renamed_fields(patient="patient_share", claim="claim_id")
@attrs.frozen(kw_only=True)
class ClaimBalance:
    """A claim's open balance by responsible party.

    ``insurance`` holds ``(payer, level, amount)`` for every payer with a balance.

    >>> from decimal import Decimal
    >>> ClaimBalance(claim_id="C-1", insurance=(("acme", "primary", Decimal("10.00")),),
    ...              patient_share=Decimal("5.00")).total
    Decimal('15.00')
    """

    claim_id: ClaimId = attrs.field(converter=to_claim_id, validator=id_text)
    insurance: tuple[tuple[str, str, Decimal], ...]
    patient_share: Decimal

    @property
    def total(self) -> Decimal:
        """Insurance plus patient balances."""
        return self.patient_share + sum((amount for _, _, amount in self.insurance), ZERO)


@renamed_parameters("claim_balance", claim="claim_id")
@snapshot_report
def claim_balance(
    ledger: Ledger,
    claim_id: ClaimId | Claim,
    *,
    as_of: pendulum.Date | None = None,
    missing_ok: bool = False,
) -> ClaimBalance:
    """A claim's open balance: per payer and level, and the patient's part.

    ``claim_id`` is the claim's id (or the :class:`~medbill.Claim`). An id the ledger has
    never seen raises :class:`~medbill.UnknownAccountError` unless ``missing_ok=True``,
    which answers 0.00.

    >>> from medbill.ledger import Ledger, claim_balance, post_charges
    >>> from medbill.ledger._examples import example_claim
    >>> ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 3, 4, 18))
    >>> _ = post_charges(ledger, example_claim())
    >>> claim_balance(ledger, "C-1").insurance
    (('acme', 'primary', Decimal('200.00')),)
    >>> claim_balance(ledger, "C-404")
    Traceback (most recent call last):
    ...
    medbill.UnknownAccountError: the ledger has no claim 'C-404' (pass missing_ok=True to answer zero for an id it has not seen)
    >>> claim_balance(ledger, "C-404", missing_ok=True).total
    Decimal('0.00')
    """
    claim = _claim_id(ledger, claim_id, missing_ok)
    parties: dict[tuple[str, str], Decimal] = {}
    for account in ledger.accounts("insurance_receivable", claim=claim):
        if account.payer is None or account.level is None:
            continue
        party = (account.payer, account.level.value)
        parties[party] = parties.get(party, ZERO) + ledger.balance(account, as_of=as_of)
    ranked = sorted(parties.items(), key=lambda item: (Priority(item[0][1]).rank, item[0][0]))
    return ClaimBalance(
        claim_id=claim,
        insurance=tuple((payer, level, amount) for (payer, level), amount in ranked if amount),
        patient_share=ledger.total("patient_receivable", claim=claim, as_of=as_of),
    )


# -- aging ------------------------------------------------------------------------------


class AgingBasis(MedbillEnum):
    """Where a balance's age is counted from.

    ``SERVICE``: the claim's first date of service (recorded by ``post_charges``).
    ``BILLING``: the day the balance was first billed to its current responsible party,
    i.e. the first effective date on which that party's receivable for the claim grew
    (the charge for the primary payer; the primary's remittance or a transfer for a
    secondary payer or the patient).

    >>> from medbill.ledger import AgingBasis
    >>> AgingBasis("billing").name
    'BILLING'
    """

    SERVICE = "service"
    BILLING = "billing"


AGING_BUCKETS: tuple[str, ...] = ("0-30", "31-60", "61-90", "91-120", "120+")
"""Bucket labels, in days: 0-30, 31-60, 61-90, 91-120, over 120."""


@attrs.frozen(kw_only=True)
class AgingRow:
    """One line of an aging report: a payer (insurance) or the patients, by bucket.

    >>> from decimal import Decimal
    >>> AgingRow(responsibility="patient", payer=None,
    ...          buckets=(Decimal("1.00"),) + (Decimal("0.00"),) * 4).total
    Decimal('1.00')
    """

    responsibility: str
    payer: str | None
    buckets: tuple[Decimal, ...]

    @property
    def total(self) -> Decimal:
        """Sum over the buckets."""
        return sum(self.buckets, ZERO)


@attrs.frozen(kw_only=True)
class AgingReport:
    """Open receivables by age bucket, insurance (per payer) and patient apart.

    Credit balances (a receivable below zero) count as negative amounts in their bucket.

    >>> from decimal import Decimal
    >>> from medbill.ledger import AgingBasis
    >>> zero = Decimal("0.00")
    >>> report = AgingReport(as_of=pendulum.date(2025, 6, 1), basis=AgingBasis.SERVICE, rows=(
    ...     AgingRow(responsibility="patient", payer=None,
    ...              buckets=(Decimal("10.00"), zero, zero, zero, Decimal("5.00"))),))
    >>> report.totals("patient")[4]
    Decimal('5.00')
    """

    as_of: pendulum.Date
    basis: AgingBasis
    rows: tuple[AgingRow, ...]

    def totals(self, responsibility: str | None = None) -> tuple[Decimal, ...]:
        """Bucket totals over all rows, or over ``"insurance"`` or ``"patient"`` rows."""
        chosen = [r for r in self.rows if responsibility in (None, r.responsibility)]
        return tuple(sum((r.buckets[i] for r in chosen), ZERO) for i in range(5))

    def render_text(self) -> str:
        """The report as a fixed-width text table."""
        head = f"{'':<24}" + "".join(f"{label:>11}" for label in AGING_BUCKETS) + f"{'total':>12}"
        lines = [f"Aging as of {self.as_of} (from {self.basis.value} date)", head]
        for row in self.rows:
            label = row.payer if row.responsibility == "insurance" else "patient"
            cells = "".join(f"{amount:>11}" for amount in row.buckets)
            lines.append(f"{label or '':<24}{cells}{row.total:>12}")
        totals = self.totals()
        lines.append(
            f"{'total':<24}" + "".join(f"{a:>11}" for a in totals) + f"{sum(totals, ZERO):>12}"
        )
        return "\n".join(lines)


@snapshot_report
def aging(
    ledger: Ledger, *, as_of: pendulum.Date, basis: AgingBasis | str = AgingBasis.SERVICE
) -> AgingReport:
    """Age every open receivable as of ``as_of`` in buckets 0-30, 31-60, 61-90, 91-120, 120+.

    Each claim's balance per responsible party is aged from the date ``basis`` names
    (see :class:`AgingBasis`). Cost: one pass over the receivable accounts (one query on
    the SQL stores, which sum the buckets in the database).

    >>> from medbill.ledger import Ledger, aging, post_charges
    >>> from medbill.ledger._examples import example_claim
    >>> ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 3, 4, 18))
    >>> _ = post_charges(ledger, example_claim())
    >>> print(aging(ledger, as_of=pendulum.date(2025, 4, 15)).render_text())
    Aging as of 2025-04-15 (from service date)
                                   0-30      31-60      61-90     91-120       120+       total
    acme                           0.00     200.00       0.00       0.00       0.00      200.00
    total                          0.00     200.00       0.00       0.00       0.00      200.00
    """
    basis = AgingBasis(basis)
    cents_by_row: dict[tuple[str, str | None], list[int]] = {}
    aged = ledger.store.aged_receivables(as_of, from_service=basis is AgingBasis.SERVICE)
    for responsibility, payer, bucket, cents in aged:
        cents_by_row.setdefault((responsibility, payer), [0] * 5)[bucket] += cents
    rows = {
        key: [Decimal(cents).scaleb(-2) for cents in amounts]
        for key, amounts in cents_by_row.items()
    }
    ordered = sorted(rows.items(), key=lambda item: (item[0][0] != "insurance", item[0][1] or ""))
    return AgingReport(
        as_of=as_of,
        basis=basis,
        rows=tuple(
            AgingRow(responsibility=resp, payer=payer, buckets=tuple(amounts))
            for (resp, payer), amounts in ordered
        ),
    )


# -- statements -------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ActivityLine:
    """One line of a statement: what happened and how it moved the patient's balance.

    >>> from decimal import Decimal
    >>> ActivityLine(date=pendulum.date(2025, 3, 10), claim=None, category="payment",
    ...               description="card payment", amount=Decimal("-25.00")).amount
    Decimal('-25.00')
    """

    date: pendulum.Date
    claim: str | None
    category: str
    description: str
    amount: Decimal


_CHARGE_KINDS = frozenset({EntryKind.CHARGE, EntryKind.CLAIM_PAYMENT, EntryKind.TRANSFER})


@folded_period()
@renamed_fields(patient="patient_id")
@attrs.frozen(kw_only=True)
class ActivityStatement:
    """A patient's account activity for a period (before 0.x this was ``Statement``; the
    statement a practice mails is now :class:`~medbill.ledger.Statement`).

    previous balance + charges − payments − adjustments = new balance.

    "Charges" are amounts that became the patient's to pay in the period (self-pay
    charges, patient responsibility from a remittance, transfers); "payments" the
    patient's payments; "adjustments" everything else (write-offs, refunds, reversals).
    ``insurance_pending`` is what payers still owe on the patient's claims; it is not
    part of the amount due.

    >>> from decimal import Decimal
    >>> zero = Decimal("0.00")
    >>> from medbill import Period
    >>> june = Period(pendulum.date(2025, 6, 1), pendulum.date(2025, 6, 30))
    >>> empty = ActivityStatement(patient_id="MRN-1", period=june,
    ...     previous_balance=Decimal("12.00"), charges=zero,
    ...     payments=zero, adjustments=zero, new_balance=Decimal("12.00"),
    ...     insurance_pending=zero, lines=())
    >>> print(empty.render_html())  # doctest: +ELLIPSIS
    <table class="medbill-statement"><caption>Statement for account MRN-1, ...</table>
    """

    patient_id: PatientId = attrs.field(converter=to_patient_id, validator=id_text)
    period: Period
    """The statement's days (``start``/``end`` before 0.2.0, still readable, warning)."""
    previous_balance: Decimal
    charges: Decimal
    payments: Decimal
    adjustments: Decimal
    new_balance: Decimal
    insurance_pending: Decimal
    lines: tuple[ActivityLine, ...]

    def render_text(self) -> str:
        """The statement as plain text."""
        out = [
            f"Statement for account {self.patient_id}, {self.period.start} to {self.period.end}",
            f"{'Previous balance':<44}{self.previous_balance:>12}",
        ]
        for line in self.lines:
            claim = f" [{line.claim}]" if line.claim else ""
            text = f"{line.date} {line.description}{claim}"
            out.append(f"  {text[:42]:<42}{line.amount:>12}")
        out += [
            f"{'Charges':<44}{self.charges:>12}",
            f"{'Payments':<44}{-self.payments:>12}",
            f"{'Adjustments':<44}{-self.adjustments:>12}",
            f"{'New balance':<44}{self.new_balance:>12}",
            f"{'Insurance pending (not due from you)':<44}{self.insurance_pending:>12}",
        ]
        return "\n".join(out)

    def render_html(self) -> str:
        """The statement as an HTML fragment (a table); all text is escaped."""

        def row(label: str, amount: Decimal, css: str = "") -> str:
            cls = f' class="{css}"' if css else ""
            return f"<tr{cls}><td>{html.escape(label)}</td><td>{amount}</td></tr>"

        rows = [row("Previous balance", self.previous_balance, "summary")]
        for line in self.lines:
            claim = f" [{line.claim}]" if line.claim else ""
            rows.append(row(f"{line.date} {line.description}{claim}", line.amount, line.category))
        rows += [
            row("Charges", self.charges, "summary"),
            row("Payments", -self.payments, "summary"),
            row("Adjustments", -self.adjustments, "summary"),
            row("New balance", self.new_balance, "total"),
            row("Insurance pending (not due from you)", self.insurance_pending, "pending"),
        ]
        title = html.escape(
            f"Statement for account {self.patient_id}, {self.period.start} to {self.period.end}"
        )
        return (
            f'<table class="medbill-statement"><caption>{title}</caption>'
            + "".join(rows)
            + "</table>"
        )


def _patient_delta(entry: JournalEntry, patient: str) -> Decimal:
    return sum(
        (
            p.amount
            for p in entry.postings
            if p.account.patient == patient
            and p.account.code in ("patient_receivable", "patient_credit")
        ),
        ZERO,
    )


def _net_due(ledger: Ledger, patient: str, as_of: pendulum.Date) -> Decimal:
    return ledger.total("patient_receivable", patient=patient, as_of=as_of) - ledger.total(
        "patient_credit", patient=patient, as_of=as_of
    )


@renamed_parameters("statement", patient="patient_id")
@snapshot_report
def statement(
    ledger: Ledger,
    patient_id: PatientId | Patient,
    *,
    period: Period | None = None,
    missing_ok: bool = False,
    start: pendulum.Date | None = None,
    end: pendulum.Date | None = None,
) -> ActivityStatement:
    """The statement of ``patient_id`` for the effective dates of ``period`` (both ends
    included). ``start=``/``end=`` are deprecated since 0.2.0: pass ``period=``.

    An id the ledger has never seen raises :class:`~medbill.UnknownAccountError` unless
    ``missing_ok=True`` (an empty statement).

    >>> from decimal import Decimal
    >>> from medbill import PatientPayment, Period
    >>> from medbill.ledger import Ledger, post_charges, post_patient_payment, statement
    >>> from medbill.ledger._examples import example_claim
    >>> ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 3, 31, 18))
    >>> _ = post_charges(ledger, example_claim(coverage=None))
    >>> _ = post_patient_payment(ledger, PatientPayment(id="pp-1", patient_id="MRN-1",
    ...     amount=Decimal("75.00"), received_on=pendulum.date(2025, 3, 20), method="card"))
    >>> march = Period(pendulum.date(2025, 3, 1), pendulum.date(2025, 3, 31))
    >>> print(statement(ledger, "MRN-1", period=march).render_text())
    Statement for account MRN-1, 2025-03-01 to 2025-03-31
    Previous balance                                    0.00
      2025-03-04 charges of claim C-1 to patient      200.00
      2025-03-20 card payment of 75.00 [C-1]          -75.00
    Charges                                           200.00
    Payments                                          -75.00
    Adjustments                                         0.00
    New balance                                       125.00
    Insurance pending (not due from you)                0.00
    """
    start, end = period_or_dates("statement", period, start, end)
    patient = _patient_id(ledger, patient_id, missing_ok)
    if end < start:
        raise LedgerError(f"statement end {end} is before its start {start}")
    previous = _net_due(ledger, patient, start - _ONE_DAY)
    charges = payments = adjustments = ZERO
    lines: list[ActivityLine] = []
    for entry in ledger.entries(patient=patient):
        if not start <= entry.effective <= end:
            continue
        delta = _patient_delta(entry, patient)
        if not delta:
            continue
        if entry.kind is EntryKind.PATIENT_PAYMENT:
            category = "payment"
            payments -= delta
        elif entry.kind in _CHARGE_KINDS:
            category = "charge"
            charges += delta
        else:
            category = "adjustment"
            adjustments -= delta
        lines.append(
            ActivityLine(
                date=entry.effective,
                claim=entry.references.claim,
                category=category,
                description=entry.memo or entry.kind.value.replace("_", " "),
                amount=delta,
            )
        )
    lines.sort(key=lambda line: line.date)
    return ActivityStatement(
        patient_id=patient,
        period=Period(start, end),
        previous_balance=previous,
        charges=charges,
        payments=payments,
        adjustments=adjustments,
        new_balance=_net_due(ledger, patient, end),
        insurance_pending=ledger.total("insurance_receivable", patient=patient, as_of=end),
        lines=tuple(lines),
    )


# -- claim history ----------------------------------------------------------------------


@renamed_fields(claim="claim_id")
@attrs.frozen(kw_only=True)
class ClaimHistory:
    """Everything the ledger recorded about one claim, in posting order.

    >>> from medbill.ledger import Ledger, claim_history
    >>> print(claim_history(Ledger.in_memory(), "C-404", missing_ok=True).render())
    open: insurance 0.00; patient 0.00
    """

    claim_id: ClaimId = attrs.field(converter=to_claim_id, validator=id_text)
    entries: tuple[JournalEntry, ...]
    balance: ClaimBalance

    def render(self) -> str:
        """Every entry rendered, then the claim's open balance."""
        parts = [entry.render() for entry in self.entries]
        owed = ", ".join(
            f"{payer}/{level} {amount}" for payer, level, amount in self.balance.insurance
        )
        parts.append(f"open: insurance {owed or '0.00'}; patient {self.balance.patient_share}")
        return "\n".join(parts)


@renamed_parameters("claim_history", claim="claim_id")
@snapshot_report
def claim_history(
    ledger: Ledger, claim_id: ClaimId | Claim, *, missing_ok: bool = False
) -> ClaimHistory:
    """The claim's entries (charges, payments, denials, reversals, transfers, write-offs).

    An id the ledger has never seen raises :class:`~medbill.UnknownAccountError` unless
    ``missing_ok=True`` (no entries, a zero balance).

    >>> from medbill.ledger import Ledger, claim_history, post_charges
    >>> from medbill.ledger._examples import example_claim
    >>> ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 3, 4, 18))
    >>> _ = post_charges(ledger, example_claim())
    >>> [entry.kind.value for entry in claim_history(ledger, "C-1").entries]
    ['charge']
    """
    claim = _claim_id(ledger, claim_id, missing_ok)
    return ClaimHistory(
        claim_id=claim,
        entries=tuple(ledger.entries(claim=claim)),
        balance=claim_balance(ledger, claim, missing_ok=True),
    )


# -- trial balance ----------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class TrialBalanceRow:
    """One chart code's total: on the debit or the credit side.

    >>> from decimal import Decimal
    >>> from medbill.ledger import AccountKind
    >>> TrialBalanceRow(code="cash", kind=AccountKind.ASSET, debit=Decimal("5.00"),
    ...                 credit=Decimal("0.00")).debit
    Decimal('5.00')
    """

    code: str
    kind: AccountKind
    debit: Decimal
    credit: Decimal


@attrs.frozen(kw_only=True)
class TrialBalance:
    """Every chart code's balance; debits equal credits in a sound ledger.

    >>> from medbill.ledger import Ledger, trial_balance
    >>> trial_balance(Ledger.in_memory()).is_balanced
    True
    """

    as_of: pendulum.Date | None
    rows: tuple[TrialBalanceRow, ...]

    @property
    def total_debits(self) -> Decimal:
        """Sum of the debit column."""
        return sum((r.debit for r in self.rows), ZERO)

    @property
    def total_credits(self) -> Decimal:
        """Sum of the credit column."""
        return sum((r.credit for r in self.rows), ZERO)

    @property
    def is_balanced(self) -> bool:
        """Whether debits equal credits."""
        return self.total_debits == self.total_credits

    def render_text(self) -> str:
        """The trial balance as a text table."""
        lines = [f"{'account':<28}{'debit':>12}{'credit':>12}"]
        for row in self.rows:
            debit = f"{row.debit}" if row.debit else ""
            credit = f"{row.credit}" if row.credit else ""
            lines.append(f"{row.code:<28}{debit:>12}{credit:>12}".rstrip())
        lines.append(f"{'total':<28}{self.total_debits:>12}{self.total_credits:>12}")
        return "\n".join(lines)


@snapshot_report
def trial_balance(ledger: Ledger, *, as_of: pendulum.Date | None = None) -> TrialBalance:
    """The balance of every chart code posted to, in chart order.

    >>> from medbill.ledger import Ledger, post_charges, trial_balance
    >>> from medbill.ledger._examples import example_claim
    >>> ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 3, 4, 18))
    >>> _ = post_charges(ledger, example_claim())
    >>> print(trial_balance(ledger).render_text())
    account                            debit      credit
    insurance_receivable              200.00
    gross_charges                                 200.00
    total                             200.00      200.00
    """
    rows: list[TrialBalanceRow] = []
    used = set(ledger.store.codes())
    for code, chart in CHART_OF_ACCOUNTS.items():
        if code not in used:
            continue
        natural = ledger.total(code, as_of=as_of)
        debit_positive = natural * chart.kind.sign
        rows.append(
            TrialBalanceRow(
                code=code,
                kind=chart.kind,
                debit=debit_positive if debit_positive > 0 else ZERO,
                credit=-debit_positive if debit_positive < 0 else ZERO,
            )
        )
    return TrialBalance(as_of=as_of, rows=tuple(rows))
