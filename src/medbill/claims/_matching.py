"""Matching a payer's adjudicated lines (835 loop 2110) to the claim's lines.

Payers echo the line item control number (REF*6R) when the 837 sent one; when they do
not, or echo something else, lines are matched by what was billed: procedure code,
modifiers and date of service; then by code and date alone, for payers that drop or
change a modifier (SVC06 carries the submitted code and modifiers when they changed it).
A line that matches nothing is returned unmatched, never dropped.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from medbill._encounter import Claim, ClaimLine
from medbill._enums import MedbillEnum
from medbill._payment import LinePayment
from medbill._trusted import trusted_positional

__all__ = ["LineMatch", "MatchMethod", "match_lines"]


class MatchMethod(MedbillEnum):
    """How a payment line was matched to a claim line.

    >>> MatchMethod.CODE_AND_DATE.value
    'code-and-date'
    """

    LINE_ID = "line-id"
    CODE_MODIFIERS_AND_DATE = "code-modifiers-and-date"
    CODE_AND_DATE = "code-and-date"


@attrs.frozen(kw_only=True)
class LineMatch:
    """A claim line and the payer's adjudication of it.

    >>> [f.name for f in attrs.fields(LineMatch)]
    ['claim_line', 'line_payment', 'method']
    """

    claim_line: ClaimLine
    line_payment: LinePayment
    method: MatchMethod


# ``LineMatch(...)`` of a claim's own line and payment line (no converters or validators:
# the same object, without the frozen class's per-field ``__setattr__``).
_LINE_MATCH = trusted_positional(LineMatch, "claim_line", "line_payment", "method")


def _billed(payment: LinePayment) -> tuple[object, tuple[object, ...]]:
    # SVC06 holds the submitted code and modifiers when the payer paid a different code.
    if payment.submitted_procedure is not None:
        return payment.submitted_procedure, payment.submitted_modifiers
    return payment.procedure, payment.modifiers


def _same_date(payment: LinePayment, line: ClaimLine) -> bool:
    return payment.service_date is None or payment.service_date == line.service_date


def match_lines(
    claim: Claim, payments: Sequence[LinePayment]
) -> tuple[tuple[LineMatch, ...], tuple[LinePayment, ...]]:
    """Match each payment line to at most one claim line; return (matches, unmatched).

    Passes, each over the lines still unmatched: the line id; then code, modifiers (as a
    set) and date; then code and date when exactly one claim line fits.

    >>> from decimal import Decimal
    >>> from medbill import LinePayment
    >>> from medbill.testing import make_claim, make_claim_line
    >>> claim = make_claim(lines=[make_claim_line(procedure="99214", modifiers=["25"],
    ...                                           charge=Decimal("210.00"))])
    >>> matched, unmatched = match_lines(claim, [
    ...     LinePayment(procedure="99214", charge=Decimal("210.00"), paid=Decimal("0.00"),
    ...                 adjustments=[])])
    >>> matched[0].method.name, unmatched
    ('CODE_AND_DATE', ())
    """
    lines = claim.lines
    if len(payments) == len(lines) and all(
        p.line_id == c.line_id for p, c in zip(payments, lines, strict=True)
    ):  # the usual case: the payer echoed every line item control number, in order
        method = MatchMethod.LINE_ID
        matches = tuple([_LINE_MATCH(c, p, method) for p, c in zip(payments, lines, strict=True)])
        return matches, ()
    free = list(lines)
    found: dict[int, LineMatch] = {}
    pending = list(enumerate(payments))

    def take(index: int, payment: LinePayment, line: ClaimLine, method: MatchMethod) -> None:
        found[index] = LineMatch(claim_line=line, line_payment=payment, method=method)
        free.remove(line)

    rest = []
    for index, payment in pending:
        line = next((c for c in free if payment.line_id and c.line_id == payment.line_id), None)
        if line is not None:
            take(index, payment, line, MatchMethod.LINE_ID)
        else:
            rest.append((index, payment))
    pending, rest = rest, []
    for index, payment in pending:
        code, modifiers = _billed(payment)
        line = next(
            (
                c
                for c in free
                if c.procedure == code
                and set(c.modifiers) == set(modifiers)
                and _same_date(payment, c)
            ),
            None,
        )
        if line is not None:
            take(index, payment, line, MatchMethod.CODE_MODIFIERS_AND_DATE)
        else:
            rest.append((index, payment))
    pending, rest = rest, []
    for index, payment in pending:
        code, _ = _billed(payment)
        candidates = [c for c in free if c.procedure == code and _same_date(payment, c)]
        if len(candidates) == 1:
            take(index, payment, candidates[0], MatchMethod.CODE_AND_DATE)
        else:
            rest.append((index, payment))
    matches = tuple(found[i] for i in sorted(found))
    return matches, tuple(p for _, p in rest)
