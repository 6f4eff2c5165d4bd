"""The aggregate variance report and its CSV export."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pendulum
import pytest

from medbill.claims import ReportPeriod, VarianceReport, check_payment
from medbill.claims._check import PaymentCheck
from medbill.claims._report import neutralise_cell

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
    # No cost sharing: expected paid = expected allowed. The March 99214 is 10.00 short;
    # the April 99214 is denied (CO-50): a denial, not an underpayment.
    report = VarianceReport.from_checks(_checks())
    rows = [
        (
            r.payer_id,
            r.procedure,
            r.period,
            r.lines,
            r.expected_allowed,
            r.expected_paid,
            r.paid,
            r.underpayment,
            r.problem_lines,
            r.denied_lines,
        )
        for r in report.rows
    ]
    d = Decimal
    assert rows == [
        ("aetna", "36415", "2025-03", 1, d("3.00"), d("3.00"), d("3.00"), d("0.00"), 0, 0),
        ("aetna", "99214", "2025-03", 1, d("120.00"), d("120.00"), d("110.00"), d("10.00"), 1, 0),
        ("aetna", "99214", "2025-04", 1, d("0.00"), d("0.00"), d("0.00"), d("0.00"), 1, 1),
    ]
    assert report.total_underpayment == Decimal("10.00")
    assert [(claim, line.underpayment) for claim, line in report.worst] == [
        ("C-1001", Decimal("10.00")),
    ]
    by_payer = report.by("payer_id")
    assert [(r.payer_id, r.procedure, r.lines, r.underpayment) for r in by_payer] == [
        ("aetna", "*", 3, Decimal("10.00"))
    ]
    (by_provider,) = report.by("provider")
    assert by_provider.provider == "1234567893"
    assert by_provider.denied_lines == 1


def test_quarters_merge_months_and_worst_is_capped() -> None:
    report = VarianceReport.from_checks(_checks(), period=ReportPeriod.QUARTER, worst=0)
    assert [(r.procedure, r.period, r.lines, r.underpayment) for r in report.rows] == [
        ("36415", "2025-Q1", 1, Decimal("0.00")),
        ("99214", "2025-Q1", 1, Decimal("10.00")),
        ("99214", "2025-Q2", 1, Decimal("0.00")),
    ]
    assert report.worst == ()
    yearly = VarianceReport.from_checks(_checks(), period=ReportPeriod.YEAR)
    assert [(r.procedure, r.lines) for r in yearly.rows] == [("36415", 1), ("99214", 2)]


def test_csv_round_trips_through_the_csv_module() -> None:
    report = VarianceReport.from_checks(_checks())
    stream = io.StringIO()
    text = report.to_csv(stream)
    assert stream.getvalue() == text
    records = list(csv.DictReader(io.StringIO(text)))
    assert [r["underpayment"] for r in records] == ["0.00", "10.00", "0.00"]
    assert records[1]["expected_allowed"] == "120.00"
    assert records[1]["allowed_variance"] == "-10.00"  # a negative amount stays a number
    worst = list(csv.DictReader(io.StringIO(report.worst_to_csv(), newline="")))
    assert [(w["claim_id"], w["verdict"], w["underpayment"]) for w in worst] == [
        ("C-1001", "underpaid", "10.00"),
    ]


@pytest.mark.parametrize("payload", ["=1+2", "+1+2", "-1+2", "@SUM(A1:A9)", "\t=1"])
def test_every_cell_is_neutralised_against_formula_injection(payload: str) -> None:
    # OWASP CSV injection: a claim id from a payer's file must not run as a formula.
    claim = clean_claim(line("1", "99214", "210.00"), claim_id=payload, coverage=payer_coverage())
    short = claim_payment(
        pay("1", "99214", "210.00", "110.00", adj("CO", "45", "100.00")), claim_id=payload
    )
    report = VarianceReport.from_checks([check_payment(claim, short, CONTRACT)])
    (record,) = list(csv.DictReader(io.StringIO(report.worst_to_csv(), newline="")))
    assert record["claim_id"] == "'" + payload
    assert neutralise_cell(Decimal("-10.00")) == "-10.00"
    assert neutralise_cell("\r=1") == "'\r=1"
