"""The PDF rendering of a statement, through fpdf2 (the ``medbill[pdf]`` extra).

fpdf2 is pure Python (no browser, no native build), actively maintained, and writes
US-letter pages with embedded core fonts; text is extractable (checked with pypdf).
The core fonts are Latin-1: characters outside it are shown as ``?``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from medbill._errors import MedbillError
from medbill.ledger._statement_render import (
    BUCKETS,
    _date,
    address_lines,
    amount_due_label,
    clean,
    line_details,
    money,
    summary_rows,
)

if TYPE_CHECKING:
    from medbill.ledger._statements import Statement

__all__ = ["render_pdf"]


class PdfUnavailableError(MedbillError):
    """fpdf2 is not installed: ``pip install medbill[pdf]``."""


def _latin1(value: object) -> str:
    return clean(value).encode("latin-1", "replace").decode("latin-1")


def render_pdf(statement: Statement) -> bytes:
    """The statement as a PDF document (bytes)."""
    try:
        from fpdf import FPDF
        from fpdf.enums import XPos, YPos
    except ImportError as error:  # pragma: no cover - the extra is part of dev
        raise PdfUnavailableError("render_pdf needs fpdf2: pip install 'medbill[pdf]'") from error

    pdf = FPDF(orientation="portrait", unit="pt", format="letter")
    pdf.set_margins(36, 36, 36)
    pdf.set_auto_page_break(auto=True, margin=36)
    pdf.add_page()
    full = pdf.w - pdf.l_margin - pdf.r_margin

    def text(value: object, size: float = 10, style: str = "", width: float = 0) -> None:
        pdf.set_font("Helvetica", style, size)
        pdf.multi_cell(
            width or full, size * 1.35, _latin1(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )

    def pair(label: str, amount: Decimal, indent: float = 0, style: str = "") -> None:
        pdf.set_font("Helvetica", style, 10)
        pdf.set_x(pdf.l_margin + indent)
        pdf.cell(full - indent - 90, 13, _latin1(label))
        pdf.cell(90, 13, _latin1(money(amount)), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    head, remit = address_lines(statement)
    label = amount_due_label(statement)
    text(head[0], 15, "B")
    for line in head[1:]:
        text(line, 9)
    pdf.ln(6)
    text(f"Statement date: {_date(statement.statement_date)}")
    text(f"Account number: {statement.account_number}")
    text(f"Due date: {_date(statement.due_date)}", style="B")
    pair(label, statement.amount_due, style="B")
    pdf.ln(4)
    text(statement.guarantor_name)
    for line in statement.guarantor_address:
        text(line)
    text("Patients: " + ", ".join(statement.patient_names), 9)
    pdf.ln(6)
    text("Services", 12, "B")
    for day in statement.days:
        text(f"{_date(day.service_date)}  {day.patient_name}", 10, "B")
        for service in day.lines:
            text(f"{service.code}  {service.description}  ({service.provider})", 10)
            for item, amount in line_details(service):
                pair(item, amount, indent=18)
            pdf.set_x(pdf.l_margin + 18)
            text(service.note, 9, "I", full - 18)
    if statement.payments:
        pdf.ln(4)
        text("Payments and credits received", 12, "B")
        for payment in statement.payments:
            pair(f"{_date(payment.received_on)} {payment.description}", payment.amount)
    pdf.ln(4)
    for item, amount in summary_rows(statement):
        pair(item, amount, style="B" if item == "Account balance" else "")
    if statement.insurance_pending:
        pair("With insurance, not billed to you", statement.insurance_pending)
    if statement.plan:
        pair("Payment plan balance", statement.plan.remaining)
    pdf.ln(4)
    text("Your balance by age: " + ", ".join(
        f"{name} {money(amount)}" for name, amount in zip(BUCKETS, statement.aging, strict=True)
    ), 9)  # fmt: skip
    text(statement.message, 10, "B")
    # The coupon: kept whole on one page.
    if pdf.get_y() > pdf.h - pdf.b_margin - 150:
        pdf.add_page()
    pdf.ln(10)
    pdf.set_dash_pattern(dash=4, gap=3)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.set_dash_pattern()
    pdf.ln(4)
    text("Please detach and return this part with your payment.", 8)
    text(f"Account number: {statement.account_number}")
    text(f"Due date: {_date(statement.due_date)}")
    pair(label, statement.amount_due, style="B")
    text("Amount enclosed: $__________")
    text("Make checks payable to and mail to:", 9)
    for line in remit:
        text(line)
    return bytes(pdf.output())
