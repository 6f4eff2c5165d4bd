"""``match_lines``' usual case (the payer echoed every line id, in order) builds its
``LineMatch`` values without the constructor: they must be the constructor's values."""

from __future__ import annotations

from decimal import Decimal

import pendulum
from hypothesis import given
from hypothesis import strategies as st

from medbill import LinePayment
from medbill.claims._matching import LineMatch, MatchMethod, match_lines
from medbill.testing import make_claim, make_claim_line

CODES = ("99213", "36415", "81002", "93000", "99214")


@given(st.lists(st.tuples(st.sampled_from(CODES), st.integers(1, 99_999)), min_size=1, max_size=5))
def test_the_usual_case_builds_the_constructors_matches(lines: list[tuple[str, int]]) -> None:
    day = pendulum.date(2025, 3, 3)
    claim = make_claim(lines=[
        make_claim_line(line_id=str(n), procedure=code, service_date=day,
                        charge=Decimal(cents).scaleb(-2))
        for n, (code, cents) in enumerate(lines, start=1)
    ])  # fmt: skip
    payments = [
        LinePayment(procedure=line.procedure, line_id=line.line_id, charge=line.charge,
                    paid=Decimal("0.00"), service_date=day, adjustments=[])
        for line in claim.lines
    ]  # fmt: skip
    matched, unmatched = match_lines(claim, payments)
    expected = tuple(
        LineMatch(claim_line=line, line_payment=payment, method=MatchMethod.LINE_ID)
        for line, payment in zip(claim.lines, payments, strict=True)
    )
    assert unmatched == ()
    assert matched == expected
    assert [type(m) for m in matched] == [LineMatch] * len(expected)
    assert [m.claim_line is c and m.line_payment is p for m, c, p in
            zip(matched, claim.lines, payments, strict=True)] == [True] * len(expected)  # fmt: skip
