"""Text and HTML renderings of a :class:`~medbill.ledger.Statement`.

Every value that comes from data (names, ids, codes, payer names, messages) goes through
:func:`clean` first: control characters (newlines, tabs, escapes, bidi overrides, ...) are
shown as ``\\uXXXX`` so that no field can start a line of its own in the text statement;
HTML additionally escapes ``& < > " '``.
"""

from __future__ import annotations

import html
import textwrap
import unicodedata
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from medbill.ledger._statements import Statement, StatementService

__all__ = ["clean", "render_html", "render_text"]

BUCKETS = ("Current", "31-60 days", "61-90 days", "91-120 days", "Over 120 days")


def clean(value: object) -> str:
    """``value`` as one line of text: control and format characters escaped.

    >>> clean("Acme\\nAmount due 0.00")
    'Acme\\\\u000aAmount due 0.00'
    """
    text = str(value)
    return "".join(
        f"\\u{ord(ch):04x}" if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch
        for ch in text
    )


def money(amount: Decimal) -> str:
    """``1234.5`` as ``$1,234.50`` (a credit as ``-$5.00``)."""
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


def _date(day: object) -> str:
    return f"{day:%m/%d/%Y}" if hasattr(day, "month") else str(day)


def _e(value: object) -> str:
    return html.escape(clean(value), quote=True)


def line_details(line: StatementService) -> list[tuple[str, Decimal]]:
    """The money rows of a service line, as labelled on every rendering."""
    rows: list[tuple[str, Decimal]] = [("Charge", line.charge)]
    rows += [(f"Paid by {payer}", paid) for payer, paid in line.insurance_paid]
    if line.insurance_discount:
        rows.append(("Insurance discount", line.insurance_discount))
    if line.adjustments:
        rows.append(("Adjustments", line.adjustments))
    if line.share_split:
        rows += [(f"Your {part}", amount) for part, amount in line.share_split]
    elif line.patient_share:
        rows.append(("Your share", line.patient_share))
    if line.paid_at_visit:
        rows.append(("Paid at the visit", line.paid_at_visit))
    if line.patient_paid - line.paid_at_visit:
        rows.append(("Your payments", line.patient_paid - line.paid_at_visit))
    return rows


def summary_rows(statement: Statement) -> list[tuple[str, Decimal]]:
    """Balance forward, payments, adjustments, new charges, account balance."""
    since = f" since {_date(statement.last_statement)}" if statement.last_statement else ""
    return [
        ("Balance forward", statement.balance_forward),
        (f"Payments received{since}", statement.payments_received),
        ("Adjustments", statement.adjustments),
        ("New charges (your share)", statement.new_charges),
        ("Account balance", statement.account_balance),
    ]


def address_lines(statement: Statement) -> tuple[list[str], list[str]]:
    """(practice header lines, remit-to lines)."""
    practice = statement.practice
    office = practice.address
    head = [
        practice.name,
        office.line1,
        *([office.line2] if office.line2 else []),
        f"{office.city}, {office.state} {office.postal_code}",
        f"Phone {practice.phone}",
        f"NPI {practice.npi}  TIN {practice.tax_id[:2]}-{practice.tax_id[2:]}",
    ]
    remit = practice.remit_address
    remit_lines = [
        practice.remit_name or practice.name,
        remit.line1,
        *([remit.line2] if remit.line2 else []),
        f"{remit.city}, {remit.state} {remit.postal_code}",
    ]
    return head, remit_lines


def amount_due_label(statement: Statement) -> str:
    """ "Amount due", or the plan's installment."""
    return "Installment due" if statement.plan else "Amount due"


# -- text -------------------------------------------------------------------------------


def _wrap(text: str, width: int, indent: int = 0) -> list[str]:
    """``text`` wrapped at spaces only (a word longer than a line stays whole)."""
    pad = " " * indent
    return textwrap.wrap(
        clean(text), width, initial_indent=pad, subsequent_indent=pad,
        break_long_words=False, break_on_hyphens=False,
    ) or [pad]  # fmt: skip


def _pair(label: str, amount: Decimal, width: int, indent: int = 0) -> list[str]:
    figure = money(amount)
    room = width - indent - len(figure) - 1
    lines = _wrap(label, room + indent, indent)
    out = lines[:-1]
    out.append(f"{lines[-1]:<{room + indent}} {figure}")
    return out


def render_text(statement: Statement, width: int = 78) -> str:
    """Fixed width: no line longer than ``width`` unless one word is; no word cut."""
    width = max(width, 40)
    head, remit = address_lines(statement)
    out: list[str] = []
    for text in head:
        out += _wrap(text, width)
    out.append("=" * width)
    out += _wrap(f"Statement date: {_date(statement.statement_date)}", width)
    out += _wrap(f"Account number: {statement.account_number}", width)
    out += _wrap(f"Guarantor: {statement.guarantor_name}", width)
    for line in statement.guarantor_address:
        out += _wrap(line, width)
    out += _wrap("Patients: " + ", ".join(statement.patient_names), width)
    out.append("")
    out += _pair(amount_due_label(statement), statement.amount_due, width)
    out += _wrap(f"Due date: {_date(statement.due_date)}", width)
    out.append("-" * width)
    out.append("Services")
    for day in statement.days:
        out += _wrap(f"{_date(day.service_date)}  {day.patient_name}", width)
        for service in day.lines:
            out += _wrap(f"{service.code}  {service.description}  ({service.provider})", width, 2)
            for label, amount in line_details(service):
                out += _pair(label, amount, width, indent=6)
            out += _wrap(service.note, width, 6)
    if statement.payments:
        out.append("-" * width)
        out.append("Payments and credits received")
        for payment in statement.payments:
            out += _pair(
                f"{_date(payment.received_on)} {payment.description}", payment.amount, width, 2
            )
    out.append("-" * width)
    for label, amount in summary_rows(statement):
        out += _pair(label, amount, width)
    if statement.insurance_pending:
        out += _pair("With insurance, not billed to you", statement.insurance_pending, width)
    if statement.plan:
        out += _pair("Payment plan balance", statement.plan.remaining, width)
    out.append("-" * width)
    out += _wrap("Aging: " + ", ".join(
        f"{label} {money(amount)}" for label, amount in zip(BUCKETS, statement.aging, strict=True)
    ), width)  # fmt: skip
    out += _wrap(statement.message, width)
    out.append("- " * (width // 2))
    out += _wrap("Please detach and return this part with your payment.", width)
    out += _wrap(f"Account number: {statement.account_number}", width)
    out += _pair(amount_due_label(statement), statement.amount_due, width)
    out += _wrap(f"Due date: {_date(statement.due_date)}", width)
    out += _wrap("Make checks payable to and mail to:", width)
    for text in remit:
        out += _wrap(text, width)
    return "\n".join(line.rstrip() for line in out) + "\n"


# -- HTML -------------------------------------------------------------------------------

_CSS = """
@page { size: letter; margin: 0.5in; }
* { box-sizing: border-box; }
html, body { margin: 0; padding: 0; }
body { font: 11pt/1.35 "DejaVu Sans", Arial, Helvetica, sans-serif; color: #111; }
.page { width: 100%; max-width: 7.5in; margin: 0 auto; padding: 0.25in 0.1in; }
header { display: flex; justify-content: space-between; gap: 0.3in; flex-wrap: wrap; }
h1 { font-size: 16pt; margin: 0 0 4px 0; }
.muted { color: #444; font-size: 9.5pt; }
.box { border: 1.5px solid #111; padding: 6px 10px; min-width: 2.6in; }
.box table td { padding: 1px 4px; }
.due { font-size: 15pt; font-weight: bold; }
table { border-collapse: collapse; width: 100%; }
td, th { text-align: left; vertical-align: top; padding: 2px 4px; overflow-wrap: anywhere; }
td.n, th.n { text-align: right; white-space: nowrap; }
.services th { border-bottom: 1.5px solid #111; font-size: 9.5pt; }
.day td { border-top: 1px solid #999; font-weight: bold; padding-top: 6px; }
.note td { font-size: 9.5pt; color: #333; }
.note td.denied { color: #8a1c1c; font-weight: bold; }
.note td.pending { color: #1c4f8a; }
.summary { width: 3.6in; margin-left: auto; margin-top: 8px; }
.summary .total td { border-top: 1.5px solid #111; font-weight: bold; }
.aging td, .aging th { text-align: center; border: 1px solid #999; font-size: 9.5pt; }
.message { border-left: 4px solid #111; padding: 4px 8px; margin: 10px 0; }
.collections { border-left-color: #8a1c1c; }
.coupon { border-top: 2px dashed #111; margin-top: 16px; padding-top: 8px;
          break-inside: avoid; page-break-inside: avoid; }
.coupon .cut { font-size: 8.5pt; text-align: center; margin: 0 0 6px 0; }
.coupon .cols { display: flex; justify-content: space-between; align-items: flex-start;
                gap: 0.3in; flex-wrap: wrap; }
@media print { .page { padding: 0; } }
"""


def _row(label: str, amount: Decimal, css: str = "") -> str:
    cls = f' class="{css}"' if css else ""
    return f'<tr{cls}><td>{_e(label)}</td><td class="n">{_e(money(amount))}</td></tr>'


def _service_rows(statement: Statement) -> str:
    rows: list[str] = []
    for day in statement.days:
        rows.append(
            f'<tr class="day"><td colspan="4"><span class="dos">{_e(_date(day.service_date))}'
            f"</span> &middot; {_e(day.patient_name)}</td></tr>"
        )
        for service in day.lines:
            details = line_details(service)
            rows.append(
                f"<tr><td>{_e(service.code)}</td><td>{_e(service.description)}"
                f'<div class="muted">{_e(service.provider)}</div></td>'
                f'<td>{_e(details[0][0])}</td><td class="n">{_e(money(details[0][1]))}</td></tr>'
            )
            rows += [
                f'<tr><td></td><td></td><td>{_e(label)}</td><td class="n">{_e(money(amount))}</td>'
                "</tr>"
                for label, amount in details[1:]
            ]
            rows.append(
                f'<tr class="note"><td></td><td colspan="3" class="{_e(service.status)}">'
                f"{_e(service.note)}</td></tr>"
            )
    return "".join(rows)


def render_html(statement: Statement) -> str:
    """One self-contained page: inline CSS, no scripts or images fetched from anywhere."""
    head, remit = address_lines(statement)
    label = amount_due_label(statement)
    due_box = (
        '<div class="box"><table>'
        f'<tr><td>Statement date</td><td class="n">{_e(_date(statement.statement_date))}</td></tr>'
        f'<tr><td>Account number</td><td class="n account">{_e(statement.account_number)}</td></tr>'
        f'<tr><td>Due date</td><td class="n due-date">{_e(_date(statement.due_date))}</td></tr>'
        f'<tr class="due"><td>{_e(label)}</td>'
        f'<td class="n amount-due">{_e(money(statement.amount_due))}</td></tr>'
        "</table></div>"
    )
    practice = "<br>".join(_e(text) for text in head[1:])
    guarantor = "<br>".join(
        _e(text) for text in (statement.guarantor_name, *statement.guarantor_address)
    )
    payments = "".join(
        _row(f"{_date(p.received_on)} {p.description}", p.amount) for p in statement.payments
    )
    summary = "".join(
        _row(text, amount, "total" if text == "Account balance" else "")
        for text, amount in summary_rows(statement)
    )
    if statement.insurance_pending:
        summary += _row("With insurance, not billed to you", statement.insurance_pending)
    if statement.plan:
        summary += _row("Payment plan balance", statement.plan.remaining)
    aging = "".join(f"<th>{_e(text)}</th>" for text in BUCKETS)
    aged = "".join(f"<td>{_e(money(amount))}</td>" for amount in statement.aging)
    message_css = "message collections" if statement.collections else "message"
    title = _e(f"Statement {statement.account_number} - {statement.practice.name}")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><style>{_CSS}</style></head>
<body><div class="page">
<header><div><h1>{_e(head[0])}</h1><div class="muted">{practice}</div></div>{due_box}</header>
<section style="margin-top:12px"><div class="muted">Statement for</div>
<div class="guarantor">{guarantor}</div>
<div class="muted">Patients: {_e(", ".join(statement.patient_names))}</div></section>
<h2 style="font-size:12pt;margin:14px 0 4px 0">Services</h2>
<table class="services"><thead><tr><th>Code</th><th>Service</th><th>Item</th>
<th class="n">Amount</th></tr></thead><tbody>{_service_rows(statement)}</tbody></table>
{'<h2 style="font-size:12pt;margin:14px 0 4px 0">Payments and credits received</h2><table>' + payments + "</table>" if payments else ""}
<table class="summary">{summary}</table>
<h2 style="font-size:12pt;margin:14px 0 4px 0">Your balance by age</h2>
<table class="aging"><tr>{aging}</tr><tr>{aged}</tr></table>
<p class="{message_css}">{_e(statement.message)}</p>
<p class="muted">Questions about this bill? Call {_e(statement.practice.phone)}.</p>
<section class="coupon"><p class="cut">&#9986; Please detach and return this part with your payment</p>
<div class="cols"><div><div class="muted">Make checks payable to and mail to</div>
<div>{"<br>".join(_e(text) for text in remit)}</div>
<div class="muted" style="margin-top:6px">From</div><div>{guarantor}</div></div>
<div class="box"><table>
<tr><td>Account number</td><td class="n">{_e(statement.account_number)}</td></tr>
<tr><td>Due date</td><td class="n">{_e(_date(statement.due_date))}</td></tr>
<tr class="due"><td>{_e(label)}</td><td class="n">{_e(money(statement.amount_due))}</td></tr>
<tr><td>Amount enclosed</td><td class="n">$__________</td></tr></table></div></div></section>
</div></body></html>
"""
