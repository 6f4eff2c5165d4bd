"""Embedded family deductible and out-of-pocket maximum in the patient's share (properties).

With an embedded family deductible each person owes deductible until their own or the
family's is met, whichever comes first; the same for the out-of-pocket maximum. So a
family amount can only lower what a person owes, never raise it, and what is charged
toward the deductible never exceeds what is left of either.
"""

from __future__ import annotations

from decimal import Decimal

import attrs
import pendulum
from hypothesis import given, settings
from hypothesis import strategies as st

from medbill import Accumulators, Benefits
from medbill._money import ZERO
from medbill.fees import PricedClaim, PricedLine, estimate_responsibility
from medbill.testing import make_coverage
from medbill.testing.strategies import amounts


def _claim(allowed: list[Decimal]) -> PricedClaim:
    return PricedClaim(
        claim_id="c-1",
        lines=tuple(
            PricedLine(
                code="99213",
                allowed=a,
                unit_fee=a,
                line_id=str(n + 1),
                service_date=pendulum.date(2025, 3, 4),
            )
            for n, a in enumerate(allowed)
        ),
    )


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.from_type(Benefits),
    st.from_type(Accumulators),
    amounts(max_value=Decimal("20000.00")),
    amounts(max_value=Decimal("20000.00")),
    st.one_of(st.none(), amounts(max_value=Decimal("40000.00"))),
    st.one_of(st.none(), amounts(max_value=Decimal("40000.00"))),
    st.lists(amounts(max_value=Decimal("3000.00")), min_size=1, max_size=5),
)
def test_a_family_amount_only_lowers_the_share(
    plan: Benefits,
    met: Accumulators,
    family_deductible: Decimal,
    family_met: Decimal,
    family_out_of_pocket: Decimal | None,
    family_paid: Decimal | None,
    allowed: list[Decimal],
) -> None:
    claim = _claim(allowed)
    alone = estimate_responsibility(claim, make_coverage(benefits=plan, accumulators=met))
    family_plan = attrs.evolve(
        plan, family_deductible=family_deductible, family_out_of_pocket_max=family_out_of_pocket
    )
    family = attrs.evolve(
        met, family_deductible_met=family_met, family_out_of_pocket_met=family_paid
    )
    shared = estimate_responsibility(
        claim, make_coverage(benefits=family_plan, accumulators=family)
    )
    assert shared.patient_total <= alone.patient_total
    charged = sum((s.deductible for s in shared.lines), ZERO)
    assert charged <= max(family_deductible - family_met, ZERO)
    assert charged <= max(plan.deductible - met.deductible_met, ZERO)
    paid = sum((s.patient_share for s in shared.lines), ZERO)
    if family_out_of_pocket is not None:
        assert paid <= max(family_out_of_pocket - (family_paid or ZERO), ZERO)
    after = shared.accumulators
    assert after.family_deductible_met == family_met + charged
    assert after.family_out_of_pocket_met == (None if family_paid is None else family_paid + paid)
    assert after.deductible_met == met.deductible_met + charged


def test_without_family_amounts_nothing_changes() -> None:
    # 1000.00 deductible with 900.00 met, 20% coinsurance, no copay; allowed 300.00:
    # deductible 100.00, coinsurance 20% of 200.00 = 40.00; the patient owes 140.00
    plan = Benefits(deductible="1000.00", coinsurance="0.20")
    met = Accumulators(deductible_met="900.00")
    result = estimate_responsibility(
        _claim([Decimal("300.00")]), make_coverage(benefits=plan, accumulators=met)
    )
    [share] = result.lines
    assert (share.deductible, share.coinsurance) == (Decimal("100.00"), Decimal("40.00"))
    assert result.accumulators == Accumulators(deductible_met="1000.00", out_of_pocket_met="140.00")
