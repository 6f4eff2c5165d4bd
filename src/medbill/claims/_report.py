"""The variance report a billing office takes into an appeal: by payer, code and period.

Pure: :meth:`VarianceReport.to_csv` returns the text (or writes it to a stream you pass);
medbill opens no file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal
from typing import TextIO

import attrs
import pendulum

from medbill._enums import MedbillEnum
from medbill._errors import ValidationError
from medbill._money import ZERO
from medbill.claims._check import LineCheck, PaymentCheck, Verdict

__all__ = ["ReportPeriod", "ReportRow", "VarianceReport"]


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
    """Totals of the checked lines of one payer, procedure code and period
    (see :class:`VarianceReport` for an example).

    >>> from medbill.claims import ReportRow
    >>> "underpayment" in [f.name for f in attrs.fields(ReportRow)]
    True
    """

    payer_id: str
    procedure: str
    period: str
    lines: int
    expected_allowed: Decimal
    payer_allowed: Decimal
    paid: Decimal
    underpayment: Decimal
    overpayment: Decimal
    problem_lines: int


_COLUMNS = (
    "payer_id",
    "procedure",
    "period",
    "lines",
    "expected_allowed",
    "payer_allowed",
    "paid",
    "underpayment",
    "overpayment",
    "problem_lines",
)


def _rows(values: Iterable[ReportRow]) -> tuple[ReportRow, ...]:
    return tuple(values)


def _offenders(values: Iterable[tuple[str, LineCheck]]) -> tuple[tuple[str, LineCheck], ...]:
    return tuple(values)


@attrs.frozen(kw_only=True)
class VarianceReport:
    """Rows by payer, procedure and period, and the worst underpaid lines.

    >>> import pendulum
    >>> from decimal import Decimal
    >>> from medbill import Period as Effective
    >>> from medbill.claims import VarianceReport, check_payment
    >>> from medbill.fees import Contract, FixedRate
    >>> from medbill.testing import make_claim, make_claim_payment
    >>> contract = Contract(payer_id="acme", name="Acme PPO 2025",
    ...                     effective=Effective(pendulum.date(2025, 1, 1)),
    ...                     terms=[FixedRate(codes=["99213"], amount="112.50")])
    >>> check = check_payment(make_claim(), make_claim_payment(), contract)
    >>> report = VarianceReport.from_checks([check])
    >>> print(report.to_csv(), end="")
    payer_id,procedure,period,lines,expected_allowed,payer_allowed,paid,underpayment,overpayment,problem_lines
    acme,99213,2025-03,1,112.50,100.00,80.00,12.50,0.00,1
    >>> [(claim, line.line_id, line.underpayment) for claim, line in report.worst]
    [('CLM-0001', '1', Decimal('12.50'))]
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
        """Aggregate the lines of ``checks``; keep the ``worst`` underpaid lines.

        Lines no contract term covers count in ``lines`` and ``paid`` but add nothing to
        the expected amount or the variances.
        """
        if not isinstance(worst, int) or worst < 0:
            raise ValidationError("worst", worst, "must be a whole number, not negative")
        totals: dict[tuple[str, str, str], list[Decimal]] = {}
        underpaid: list[tuple[str, LineCheck]] = []
        for check in checks:
            for line in check.lines:
                key = (check.payer_id, line.procedure, period.label(line.service_date))
                row = totals.setdefault(key, [ZERO] * 7)
                row[0] += 1
                row[1] += line.expected_allowed or ZERO
                row[2] += line.payer_allowed
                row[3] += line.paid
                row[4] += line.underpayment
                if line.verdict is Verdict.OVERPAID:
                    row[5] += line.variance
                if line.verdict.is_problem:
                    row[6] += 1
                if line.underpayment > ZERO:
                    underpaid.append((check.claim_id, line))
        rows = [
            ReportRow(
                payer_id=payer,
                procedure=code,
                period=label,
                lines=int(values[0]),
                expected_allowed=values[1],
                payer_allowed=values[2],
                paid=values[3],
                underpayment=values[4],
                overpayment=values[5],
                problem_lines=int(values[6]),
            )
            for (payer, code, label), values in sorted(totals.items())
        ]
        underpaid.sort(key=lambda item: (-item[1].underpayment, item[0], item[1].line_id))
        return cls(rows=rows, worst=underpaid[:worst])

    @property
    def total_underpayment(self) -> Decimal:
        """What the payers owe on top, over every row."""
        return sum((r.underpayment for r in self.rows), ZERO)

    def to_csv(self, stream: TextIO | None = None) -> str:
        """The rows as CSV with a header line; also written to ``stream`` when given."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(_COLUMNS)
        for row in self.rows:
            writer.writerow([str(getattr(row, column)) for column in _COLUMNS])
        text = buffer.getvalue()
        if stream is not None:
            stream.write(text)
        return text

    def worst_to_csv(self, stream: TextIO | None = None) -> str:
        """The worst offenders as CSV: one underpaid line per row, largest first."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(
            [
                "claim_id",
                "line_id",
                "procedure",
                "service_date",
                "verdict",
                "expected_allowed",
                "payer_allowed",
                "paid",
                "underpayment",
                "reason",
            ]
        )
        for claim_id, line in self.worst:
            writer.writerow(
                [
                    claim_id,
                    line.line_id,
                    line.procedure,
                    line.service_date.isoformat(),
                    line.verdict.value,
                    line.expected_allowed,
                    line.payer_allowed,
                    line.paid,
                    line.underpayment,
                    line.reason,
                ]
            )
        text = buffer.getvalue()
        if stream is not None:
            stream.write(text)
        return text
