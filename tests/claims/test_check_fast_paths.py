"""check_payment's fast paths give the general path's answers, field for field and word
for word (issue 12's speed work; never an answer changed).

- Coinsurance-only benefits (no copay, the deductible met, no out-of-pocket maximum, no
  sequestration) skip ``split_amounts``: the same claim checked with an out-of-pocket
  maximum too large to bind (which takes the general path) gives the same checks.
- Verdict and patient-share reasons format amounts with ``str()`` (``{x!s}``), which is
  what a Decimal's ``format()`` with no spec prints, whatever its exponent or sign.
"""

from __future__ import annotations

from decimal import Decimal

import attrs
import pendulum
from hypothesis import given, settings
from hypothesis import strategies as st

from medbill import Accumulators, Adjustment, Benefits, ClaimLine, ClaimPayment, LinePayment, Period
from medbill.claims import PaymentCheck, Tolerance, check_payment
from medbill.fees import Contract, FixedRate, PercentOfBilled
from medbill.testing import make_claim, make_coverage

DAY = pendulum.date(2025, 3, 4)
CONTRACTS = [
    Contract(
        payer_id="acme",
        name="Acme PPO 2025",
        effective=Period(pendulum.date(2025, 1, 1)),
        terms=[FixedRate(codes=["99213"], amount="92.00"), PercentOfBilled(rate="0.55")],
        lesser_of_billed=lesser,
    )
    for lesser in (False, True)
]
CODES = ["99213", "99214", "36415"]
cents = st.integers(min_value=0, max_value=60_000).map(lambda n: Decimal(n).scaleb(-2))


@st.composite
def _case(draw: st.DrawFn) -> tuple[list[ClaimLine], list[LinePayment]]:
    lines: list[ClaimLine] = []
    paid: list[LinePayment] = []
    for number in range(1, draw(st.integers(min_value=1, max_value=6)) + 1):
        charge = draw(cents)
        line = ClaimLine(
            line_id=str(number),
            procedure=draw(st.sampled_from(CODES)),
            charge=charge,
            diagnosis_pointers=(1,),
            service_date=DAY,
        )
        allowed = min(draw(cents), charge)
        coinsurance = min(draw(cents), allowed)
        adjustments = [Adjustment(group="CO", reason="45", amount=charge - allowed)]
        if coinsurance:
            adjustments.append(Adjustment(group="PR", reason="2", amount=coinsurance))
        lines.append(line)
        paid.append(
            LinePayment(
                line_id=line.line_id,
                procedure=line.procedure,
                charge=charge,
                paid=allowed - coinsurance,
                service_date=DAY,
                adjustments=tuple(adjustments),
            )
        )
    return lines, paid


def _rows(check: PaymentCheck) -> list[tuple[object, ...]]:
    return [
        (*attrs.astuple(line, recurse=False), str(line.trace), line.reason) for line in check.lines
    ]


@settings(max_examples=150, deadline=None)
@given(
    _case(),
    st.sampled_from(["0", "0.10", "0.20", "0.125", "0.3333"]),
    st.sampled_from([Decimal(0), Decimal("150.00"), Decimal("500.00")]),
    st.sampled_from(CONTRACTS),
    st.sampled_from([None, Tolerance(amount=Decimal("1.00")), Tolerance(rate=Decimal("0.02"))]),
)
def test_coinsurance_only_benefits_check_as_the_general_path(
    case: tuple[list[ClaimLine], list[LinePayment]],
    rate: str,
    met: Decimal,
    contract: Contract,
    tolerance: Tolerance | None,
) -> None:
    lines, paid = case
    # the deductible is met (or there is none): the fast path's case
    fast = Benefits(coinsurance=Decimal(rate), deductible=met)
    general = attrs.evolve(fast, out_of_pocket_max=Decimal("9999999999.99"))
    accumulators = Accumulators(deductible_met=met)
    claim = make_claim(id="C-1", lines=lines, coverage=make_coverage())
    payment = ClaimPayment(
        claim_id=claim.id,
        status="1",
        charge=claim.total_charge,
        paid=sum((p.paid for p in paid), Decimal("0.00")),
        patient_responsibility=sum((p.patient_responsibility for p in paid), Decimal("0.00")),
        lines=paid,
    )
    checks = [
        check_payment(
            claim, payment, contract, benefits=b, accumulators=accumulators, tolerance=tolerance
        )
        for b in (fast, general)
    ]
    assert _rows(checks[0]) == _rows(checks[1])
    assert [c.underpayment for c in checks] == [checks[1].underpayment] * 2


@settings(max_examples=300)
@given(
    st.decimals(allow_nan=False, allow_infinity=False, places=None)
    | st.sampled_from([Decimal("-0.00"), Decimal("0E-7"), Decimal("1E+2"), Decimal("73.6")])
)
def test_a_decimal_prints_alike_with_str_and_with_format(value: Decimal) -> None:
    assert f"{value!s}" == f"{value}" == format(value, "")
