"""The variance report a billing office takes into an appeal: by payer, code, provider and
period, in allowed terms and in payment terms.

Pure: :meth:`VarianceReport.to_csv` returns the text (or writes it to a stream you pass);
medbill opens no file. Every text cell is neutralised against spreadsheet formula injection
(OWASP "CSV Injection"): a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is prefixed with a single quote, so a spreadsheet shows it as text instead
of running it. Amounts (numbers, possibly negative) are written as they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Final, Literal, TextIO

import attrs
import pendulum

from medbill._enums import MedbillEnum
from medbill._errors import ValidationError
from medbill._money import ZERO
from medbill.claims._check import LineCheck, PaymentCheck, Verdict

__all__ = ["ReportPeriod", "ReportRow", "VarianceReport", "neutralise_cell"]

Dimension = Literal["payer_id", "procedure", "provider", "period"]
DIMENSIONS: Final[tuple[Dimension, ...]] = ("payer_id", "procedure", "provider", "period")
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: object) -> str:
    """The text of a CSV cell, safe to open in a spreadsheet (OWASP CSV injection).

    >>> neutralise_cell("=HYPERLINK(\\"http://x\\")"), neutralise_cell("-12.50")
    ('\\'=HYPERLINK("http://x")', '-12.50')
    >>> neutralise_cell(None), neutralise_cell("@SUM(A1)")
    ('', "'@SUM(A1)")
    """
    if value is None:
        return ""
    text = str(value)
    if not text.startswith(_FORMULA_STARTS):
        return text
    if text[0] in "+-" and text[1:].replace(".", "", 1).isdigit():
        return text  # a signed amount such as -12.50 is a number, not a formula
    return "'" + text


class ReportPeriod(MedbillEnum):
    """How dates of service are grouped in the report.

    >>> import pendulum
    >>> from medbill.claims import ReportPeriod
    >>> ReportPeriod.QUARTER.label(pendulum.date(2025, 5, 2))
    '2025-Q2'
    """

    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"

    def label(self, day: pendulum.Date) -> str:
        """The period ``day`` falls in: ``2025-03``, ``2025-Q1`` or ``2025``."""
        if self is ReportPeriod.MONTH:
            return f"{day.year}-{day.month:02d}"
        if self is ReportPeriod.QUARTER:
            return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
        return str(day.year)


@attrs.frozen(kw_only=True)
class ReportRow:
    """Totals of the lines of one payer, procedure code, provider and period (a dimension
    is ``"*"`` in a row rolled up over it; see :meth:`VarianceReport.by`).

    Allowed terms: ``expected_allowed``, ``payer_allowed``, ``allowed_variance``; payment
    terms: ``expected_paid``, ``paid``, ``underpayment``, ``overpayment`` (the totals that
    count). Amounts sum the checked lines; denied and not-checked lines are counted in
    ``denied_lines`` and ``not_checked_lines`` and add only to ``paid`` and, for denied
    lines the contract prices, to ``at_stake`` (what overturning them would bring).

    >>> "underpayment" in [f.name for f in attrs.fields(ReportRow)]
    True
    """

    payer_id: str
    procedure: str
    provider: str
    period: str
    lines: int
    expected_allowed: Decimal
    payer_allowed: Decimal
    allowed_variance: Decimal
    expected_patient_share: Decimal
    payer_patient_share: Decimal
    expected_paid: Decimal
    paid: Decimal
    underpayment: Decimal
    overpayment: Decimal
    at_stake: Decimal
    problem_lines: int
    denied_lines: int
    not_checked_lines: int


_AMOUNTS: Final = (
    "expected_allowed",
    "payer_allowed",
    "allowed_variance",
    "expected_patient_share",
    "payer_patient_share",
    "expected_paid",
    "paid",
    "underpayment",
    "overpayment",
    "at_stake",
)
# the positions of the running totals of _add/_row/_blank
_SLOTS: Final = ("lines", *_AMOUNTS, "problem_lines", "denied_lines", "not_checked_lines")
_COLUMNS: Final = (*DIMENSIONS, "lines", *_AMOUNTS, "problem_lines", "denied_lines",
                   "not_checked_lines")  # fmt: skip
_WORST_COLUMNS: Final = (
    "claim_id",
    "line_id",
    "payer_id",
    "procedure",
    "provider",
    "service_date",
    "verdict",
    "expected_allowed",
    "payer_allowed",
    "expected_paid",
    "paid",
    "underpayment",
    "reason",
)


def _rows(values: Iterable[ReportRow]) -> tuple[ReportRow, ...]:
    return tuple(values)


def _offenders(values: Iterable[tuple[str, LineCheck]]) -> tuple[tuple[str, LineCheck], ...]:
    return tuple(values)


def _write(header: Sequence[str], rows: Iterable[Sequence[object]], stream: TextIO | None) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise_cell(cell) for cell in row])
    text = buffer.getvalue()
    if stream is not None:
        stream.write(text)
    return text


def _add(totals: list[Decimal | int], line: LineCheck) -> None:
    totals[0] += 1
    verdict = line.verdict
    totals[7] += line.paid
    if verdict is Verdict.DENIED:
        totals[10] += line.at_stake
        totals[12] += 1
        totals[11] += 1
        return
    if verdict is Verdict.NOT_CHECKED:
        totals[13] += 1
        totals[11] += 1
        return
    totals[1] += line.expected_allowed or ZERO
    totals[2] += line.payer_allowed
    totals[3] += line.allowed_variance
    if line.expected_patient_share is not None:
        totals[4] += line.expected_patient_share.total
    totals[5] += line.payer_patient_share.total
    totals[6] += line.expected_paid or ZERO
    totals[8] += line.underpayment
    totals[9] += line.overpayment
    if verdict is not Verdict.CORRECT:
        totals[11] += 1


def _row(key: tuple[str, str, str, str], values: list[Decimal | int]) -> ReportRow:
    return ReportRow(
        payer_id=key[0],
        procedure=key[1],
        provider=key[2],
        period=key[3],
        lines=int(values[0]),
        expected_allowed=Decimal(values[1]),
        payer_allowed=Decimal(values[2]),
        allowed_variance=Decimal(values[3]),
        expected_patient_share=Decimal(values[4]),
        payer_patient_share=Decimal(values[5]),
        expected_paid=Decimal(values[6]),
        paid=Decimal(values[7]),
        underpayment=Decimal(values[8]),
        overpayment=Decimal(values[9]),
        at_stake=Decimal(values[10]),
        problem_lines=int(values[11]),
        denied_lines=int(values[12]),
        not_checked_lines=int(values[13]),
    )


def _blank() -> list[Decimal | int]:
    return [0, ZERO, ZERO, ZERO, ZERO, ZERO, ZERO, ZERO, ZERO, ZERO, 0, 0, 0, 0]


@attrs.frozen(kw_only=True)
class VarianceReport:
    """Rows by payer, procedure, provider and period, and the worst underpaid lines
    (largest payment-terms underpayment first).

    >>> import pendulum
    >>> from decimal import Decimal
    >>> from medbill import Benefits, Period as Effective
    >>> from medbill.claims import VarianceReport, check_payment
    >>> from medbill.fees import Contract, FixedRate
    >>> from medbill.testing import make_claim, make_claim_payment
    >>> contract = Contract(payer_id="acme", name="Acme PPO 2025",
    ...                     effective=Effective(pendulum.date(2025, 1, 1)),
    ...                     terms=[FixedRate(codes=["99213"], amount="112.50")])
    >>> check = check_payment(make_claim(), make_claim_payment(), contract,
    ...                       benefits=Benefits(coinsurance=Decimal("0.20")))
    >>> report = VarianceReport.from_checks([check])
    >>> [(r.payer_id, r.procedure, r.expected_paid, r.paid, r.underpayment) for r in report.rows]
    [('acme', '99213', Decimal('90.00'), Decimal('80.00'), Decimal('10.00'))]
    >>> [(r.provider, r.underpayment) for r in report.by("provider")]
    [('1234567893', Decimal('10.00'))]
    >>> [(claim, line.line_id, line.underpayment) for claim, line in report.worst]
    [('CLM-0001', '1', Decimal('10.00'))]
    """

    rows: tuple[ReportRow, ...] = attrs.field(converter=_rows)
    worst: tuple[tuple[str, LineCheck], ...] = attrs.field(converter=_offenders)

    @classmethod
    def from_checks(
        cls,
        checks: Iterable[PaymentCheck],
        *,
        period: ReportPeriod = ReportPeriod.MONTH,
        worst: int = 20,
    ) -> VarianceReport:
        """Aggregate the lines of ``checks``; keep the ``worst`` underpaid lines."""
        if not isinstance(worst, int) or isinstance(worst, bool) or worst < 0:
            raise ValidationError("worst", worst, "must be a whole number, not negative")
        if not isinstance(period, ReportPeriod):
            raise ValidationError("period", period, "must be a ReportPeriod")
        totals: dict[tuple[str, str, str, str], list[Decimal | int]] = {}
        underpaid: list[tuple[str, LineCheck]] = []
        for index, check in enumerate(checks):
            if not isinstance(check, PaymentCheck):
                raise ValidationError(f"checks[{index}]", check, "must be a PaymentCheck")
            for line in check.lines:
                key = (
                    check.payer_id,
                    line.procedure,
                    line.provider or "",
                    period.label(line.service_date),
                )
                row = totals.get(key)
                if row is None:
                    row = totals[key] = _blank()
                _add(row, line)
                if line.underpayment > ZERO:
                    underpaid.append((check.claim_id, line))
        rows = [_row(key, values) for key, values in sorted(totals.items())]
        underpaid.sort(key=lambda item: (-item[1].underpayment, item[0], item[1].line_id))
        return cls(rows=rows, worst=underpaid[:worst])

    def by(self, *dimensions: Dimension) -> tuple[ReportRow, ...]:
        """The rows rolled up to ``dimensions`` (any of ``payer_id``, ``procedure``,
        ``provider``, ``period``); the other dimensions read ``"*"``."""
        for name in dimensions:
            if name not in DIMENSIONS:
                raise ValidationError("dimensions", name, f"must be one of {DIMENSIONS}")
        totals: dict[tuple[str, str, str, str], list[Decimal | int]] = {}
        for row in self.rows:
            parts = [getattr(row, d) if d in dimensions else "*" for d in DIMENSIONS]
            key = (parts[0], parts[1], parts[2], parts[3])
            values = totals.setdefault(key, _blank())
            for position, field in enumerate(_SLOTS):
                values[position] += getattr(row, field)
        return tuple(_row(key, values) for key, values in sorted(totals.items()))

    @property
    def total_underpayment(self) -> Decimal:
        """What the payers owe on top, in payment terms, over every row."""
        return sum((r.underpayment for r in self.rows), ZERO)

    @property
    def total_at_stake(self) -> Decimal:
        """What the denied lines would bring under the contracts were they overturned."""
        return sum((r.at_stake for r in self.rows), ZERO)

    @property
    def total_overpayment(self) -> Decimal:
        """What the payers paid too much, in payment terms, over every row."""
        return sum((r.overpayment for r in self.rows), ZERO)

    def to_csv(
        self, stream: TextIO | None = None, *, rows: Sequence[ReportRow] | None = None
    ) -> str:
        """The rows (or ``rows``, e.g. from :meth:`by`) as CSV with a header line; also
        written to ``stream`` when given. Cells are neutralised (see the module)."""
        chosen = self.rows if rows is None else rows
        return _write(_COLUMNS, ([getattr(r, c) for c in _COLUMNS] for r in chosen), stream)

    def worst_to_csv(self, stream: TextIO | None = None) -> str:
        """The worst offenders as CSV: one underpaid line per row, largest first."""
        return _write(
            _WORST_COLUMNS,
            (
                [
                    claim_id, line.line_id, line.payer_id, line.procedure, line.provider,
                    line.service_date.isoformat(), line.verdict.value, line.expected_allowed,
                    line.payer_allowed, line.expected_paid, line.paid, line.underpayment,
                    line.reason,
                ]
                for claim_id, line in self.worst
            ),
            stream,
        )  # fmt: skip
