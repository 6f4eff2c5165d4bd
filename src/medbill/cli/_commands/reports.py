"""``medbill aging``, ``medbill statement`` and ``medbill ledger trial-balance``."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import click

from medbill._common import PatientId, Period
from medbill._errors import LedgerError
from medbill._files import file_mode, write_private
from medbill.cli._commands._inputs import open_ledger, parse_date, period_options, today
from medbill.cli._output import emit_json, html_page, make_console, money, table
from medbill.ledger import activity, aging, statement, trial_balance
from medbill.ledger._reports import AGING_BUCKETS

__all__ = ["aging_command", "ledger_group", "statement_command"]

_DB = click.option(
    "--db",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="The SQLite ledger.",
)
_JSON = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
_AS_OF = click.option("--as-of", "as_of", help="YYYY-MM-DD (default: today).")


@click.command("aging", short_help="Open receivables by age, insurance and patient apart.")
@_DB
@_AS_OF
@click.option(
    "--basis",
    type=click.Choice(["service", "billing"]),
    default="service",
    show_default=True,
    help="Age from the date of service or from the day the party was first billed.",
)
@_JSON
def aging_command(db: Path, as_of: str | None, basis: str, as_json: bool) -> None:
    """Open receivables in buckets 0-30, 31-60, 61-90, 91-120 and 120+ days, insurance
    (by payer) and patient apart."""
    day = today() if as_of is None else parse_date(as_of, "--as-of")
    with open_ledger(db) as ledger:
        report = aging(ledger, as_of=day, basis=basis)
    if as_json:
        emit_json(
            {
                "as_of": report.as_of,
                "basis": report.basis.value,
                "buckets": list(AGING_BUCKETS),
                "rows": [
                    {"responsibility": r.responsibility, "payer": r.payer,
                     "buckets": list(r.buckets), "total": r.total}
                    for r in report.rows
                ],
                "totals": list(report.totals()),
            }
        )  # fmt: skip
        return
    rows: list[tuple[object, ...]] = [
        (
            r.responsibility,
            r.payer or "-",
            *(money(a) for a in r.buckets),
            money(r.total),
        )
        for r in report.rows
    ]
    totals = report.totals()
    rows.append(("total", "", *(money(a) for a in totals), money(sum(totals, Decimal("0.00")))))
    table(
        f"Aging as of {report.as_of} (from the {report.basis.value} date)",
        ("responsibility", "payer", *AGING_BUCKETS, "total"),
        rows,
        numeric=(*AGING_BUCKETS, "total"),
    )


@click.command("statement", short_help="A patient's statement: balance, lines, insurance pending.")
@click.argument("patient")
@_DB
@click.option(
    "--period",
    help="Days to cover: START..END (YYYY-MM-DD; either side may be open), YYYY-MM or YYYY "
    "(default: the first entry through today).",
)
@click.option("--from", "start", hidden=True, help="Deprecated: use --period START..")
@click.option("--to", "end", hidden=True, help="Deprecated: use --period ..END")
@click.option(
    "--html",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write the statement as HTML to this file.",
)
@_JSON
def statement_command(
    patient: str,
    db: Path,
    period: str | None,
    start: str | None,
    end: str | None,
    html: Path | None,
    as_json: bool,
) -> None:
    """The statement of PATIENT (the account number): previous balance + charges -
    payments - adjustments = new balance, line by line, and what insurance still owes."""
    chosen_start, chosen_end = period_options(period, start, end)
    with open_ledger(db) as ledger:
        entries = list(ledger.entries(patient=patient))
        if not entries:
            raise LedgerError(f"unknown patient {patient!r}: the ledger has no entry for them")
        first = min(e.effective for e in entries)
        last = today() if chosen_end is None else chosen_end
        begin = first if chosen_start is None else chosen_start
        found = statement(ledger, PatientId(patient), period=Period(begin, last))
    if html is not None:
        write_private(
            html, html_page(f"Statement {found.patient_id}", found.render_html()), mode=file_mode()
        )
    if as_json:
        emit_json(
            {
                "patient": found.patient_id, "start": found.period.start, "end": found.period.end,
                "previous_balance": found.previous_balance, "charges": found.charges,
                "payments": found.payments, "adjustments": found.adjustments,
                "new_balance": found.new_balance, "insurance_pending": found.insurance_pending,
                "lines": [
                    {"date": line.date, "claim": line.claim, "category": line.category,
                     "description": line.description, "amount": line.amount}
                    for line in found.lines
                ],
            }
        )  # fmt: skip
        return
    make_console().print(found.render_text(), markup=False, highlight=False)


@click.group("ledger")
def ledger_group() -> None:
    """Questions to the ledger as a whole."""


@ledger_group.command("trial-balance", short_help="Debits and credits by account.")
@_DB
@_AS_OF
@_JSON
def trial_balance_command(db: Path, as_of: str | None, as_json: bool) -> None:
    """Debits and credits by account: they are equal, always."""
    day = None if as_of is None else parse_date(as_of, "--as-of")
    with open_ledger(db) as ledger:
        report = trial_balance(ledger, as_of=day)
    if as_json:
        emit_json(
            {
                "as_of": report.as_of,
                "rows": [
                    {"account": r.code, "kind": r.kind.value, "debit": r.debit,
                     "credit": r.credit}
                    for r in report.rows
                ],
                "total_debits": report.total_debits,
                "total_credits": report.total_credits,
                "balanced": report.is_balanced,
            }
        )  # fmt: skip
        return
    rows: list[tuple[object, ...]] = [
        (r.code, r.kind.value, money(r.debit), money(r.credit)) for r in report.rows
    ]
    rows.append(("total", "", money(report.total_debits), money(report.total_credits)))
    table(
        f"Trial balance{'' if report.as_of is None else ' as of ' + str(report.as_of)}",
        ("account", "kind", "debit", "credit"),
        rows,
        numeric=("debit", "credit"),
    )
    make_console().print("balanced" if report.is_balanced else "NOT BALANCED")


@ledger_group.command(
    "activity", short_help="A period's activity by payer or provider, tied to A/R."
)
@_DB
@click.option(
    "--period", help="Days to cover: START..END (YYYY-MM-DD), a month YYYY-MM or a year YYYY."
)
@click.option("--from", "start", hidden=True, help="Deprecated: use --period START..END")
@click.option("--to", "end", hidden=True, help="Deprecated: use --period START..END")
@click.option(
    "--by",
    type=click.Choice(["payer", "provider"]),
    default="payer",
    show_default=True,
    help="One row per payer (and patient) or per provider (NPI); --json gives both.",
)
@_JSON
def activity_command(
    db: Path, period: str | None, start: str | None, end: str | None, by: str, as_json: bool
) -> None:
    """Charges, payments, adjustments, write-offs, refunds and opening and closing A/R for
    a period, by payer and patient or by provider; the A/R roll-forward ties to the trial
    balance."""
    chosen_start, chosen_end = period_options(period, start, end)
    if chosen_start is None or chosen_end is None:
        raise click.UsageError("--period START..END is required (both ends), or YYYY-MM or YYYY")
    with open_ledger(db) as ledger:
        report = activity(ledger, period=Period(chosen_start, chosen_end))
    if as_json:
        emit_json(
            {
                "from": report.period.start,
                "to": report.period.end,
                "rows": [
                    {"party": r.party, "opening_ar": r.opening_ar, "charges": r.charges,
                     "payments": r.payments, "adjustments": dict(r.adjustments),
                     "write_offs": dict(r.write_offs), "refunds": r.refunds,
                     "closing_ar": r.closing_ar}
                    for r in report.rows
                ],
                "providers": [
                    {"provider": r.party, "opening_ar": r.opening_ar, "charges": r.charges,
                     "payments": r.payments, "adjustments": dict(r.adjustments),
                     "write_offs": dict(r.write_offs), "refunds": r.refunds,
                     "closing_ar": r.closing_ar}
                    for r in report.providers
                ],
                "opening_ar": report.opening_ar,
                "ar_change": report.ar_change,
                "closing_ar": report.closing_ar,
            }
        )  # fmt: skip
        return
    zero = Decimal("0.00")
    rows: list[tuple[object, ...]] = [
        (
            r.party,
            money(r.opening_ar),
            money(r.charges),
            money(r.payments),
            money(sum((a for _, a in r.adjustments), zero)),
            money(sum((a for _, a in r.write_offs), zero)),
            money(r.refunds),
            money(r.closing_ar),
        )
        for r in (report.rows if by == "payer" else report.providers)
    ]
    columns = ("opening", "charges", "payments", "adjustments", "write-offs", "refunds", "closing")
    first = "party" if by == "payer" else "provider"
    table(
        f"Activity {report.period.start} to {report.period.end}",
        (first, *columns),
        rows,
        numeric=columns,
    )
    make_console().print(
        f"A/R {report.opening_ar} + {report.ar_change} = {report.closing_ar}: "
        "ties to the trial balance"
    )
