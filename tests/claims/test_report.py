"""The aggregate variance report and its CSV export."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pendulum

from medbill.claims import PaymentCheck, ReportPeriod, VarianceReport, check_payment

from .conftest import clean_claim, line, payer_coverage
from .test_check import CONTRACT, adj, claim_payment, pay


def _checks() -> list[PaymentCheck]:
    march = clean_claim(
        line("1", "99214", "210.00"), line("2", "36415", "12.00"), coverage=payer_coverage()
    )
    april = clean_claim(
        line("1", "99214", "210.00", day=pendulum.date(2025, 4, 2)),
        claim_id="C-1002",
        coverage=payer_coverage(),
    )
    first = check_payment(
        march,
        claim_payment(
            pay("1", "99214", "210.00", "110.00", adj("CO", "45", "100.00")),  # 10.00 short
            pay("2", "36415", "12.00", "3.00", adj("CO", "45", "9.00")),  # correct
        ),
        CONTRACT,
    )
    denied = claim_payment(
        pay("1", "99214", "210.00", "0.00", adj("CO", "50", "210.00")), claim_id="C-1002"
    )
    second = check_payment(april, denied, CONTRACT)  # denied, contract 120.00
    return [first, second]


def test_rows_by_payer_code_and_month() -> None:
    report = VarianceReport.from_checks(_checks())
    rows = [
        (
            r.payer_id,
            r.procedure,
            r.period,
            r.lines,
            r.expected_allowed,
            r.paid,
            r.underpayment,
            r.problem_lines,
        )
        for r in report.rows
    ]
    assert rows == [
        ("aetna", "36415", "2025-03", 1, Decimal("3.00"), Decimal("3.00"), Decimal("0.00"), 0),
        ("aetna", "99214", "2025-03", 1, Decimal("120.00"), Decimal("110.00"), Decimal("10.00"), 1),
        ("aetna", "99214", "2025-04", 1, Decimal("120.00"), Decimal("0.00"), Decimal("120.00"), 1),
    ]
    assert report.total_underpayment == Decimal("130.00")
    assert [(claim, line.underpayment) for claim, line in report.worst] == [
        ("C-1002", Decimal("120.00")),
        ("C-1001", Decimal("10.00")),
    ]


def test_quarters_merge_months_and_worst_is_capped() -> None:
    report = VarianceReport.from_checks(_checks(), period=ReportPeriod.QUARTER, worst=1)
    assert [(r.procedure, r.period, r.lines, r.underpayment) for r in report.rows] == [
        ("36415", "2025-Q1", 1, Decimal("0.00")),
        ("99214", "2025-Q1", 1, Decimal("10.00")),
        ("99214", "2025-Q2", 1, Decimal("120.00")),
    ]
    assert len(report.worst) == 1
    yearly = VarianceReport.from_checks(_checks(), period=ReportPeriod.YEAR)
    assert [(r.procedure, r.lines) for r in yearly.rows] == [("36415", 1), ("99214", 2)]


def test_csv_round_trips_through_the_csv_module() -> None:
    report = VarianceReport.from_checks(_checks())
    stream = io.StringIO()
    text = report.to_csv(stream)
    assert stream.getvalue() == text
    records = list(csv.DictReader(io.StringIO(text)))
    assert [r["underpayment"] for r in records] == ["0.00", "10.00", "120.00"]
    assert records[1]["expected_allowed"] == "120.00"
    worst = list(csv.DictReader(io.StringIO(report.worst_to_csv())))
    assert [(w["claim_id"], w["verdict"], w["underpayment"]) for w in worst] == [
        ("C-1002", "denied-but-contracted", "120.00"),
        ("C-1001", "underpaid", "10.00"),
    ]
