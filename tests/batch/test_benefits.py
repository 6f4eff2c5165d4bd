"""The running-sum cost sharing of check_payments equals split_amounts, claim by claim.

``expected_shares`` (running sums per member) against ``_loop_shares``, the loop that
calls :func:`medbill.fees._responsibility.split_amounts` (the scalar check's rule) on
each claim's paid lines, then its denied lines, carrying the accumulators from claim to
claim: every part of the rule (copays by category, deductible, coinsurance that rounds
half-up, an out-of-pocket maximum that binds, family amounts, starting accumulators,
sequestration) on generated tables.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medbill import Accumulators, Benefits, Copay, ServiceCategory
from medbill.batch._benefits import _loop_shares, expected_shares

MONEY = st.sampled_from(("0.00", "5.00", "30.00", "100.00", "250.00"))
CATEGORIES = (ServiceCategory.OFFICE_VISIT, ServiceCategory.LAB, ServiceCategory.SPECIALIST)


@st.composite
def benefits(draw: st.DrawFn) -> Benefits:
    copays = [
        Copay(category=c, amount=Decimal(draw(st.sampled_from(("10.00", "25.00", "0.00")))))
        for c in draw(st.lists(st.sampled_from(CATEGORIES), unique=True, max_size=3))
    ]
    oop = draw(st.sampled_from((None, "0.00", "40.00", "120.00", "900.00")))
    family_deductible = draw(st.sampled_from((None, "50.00")))
    family_oop = draw(st.sampled_from((None, "70.00")))
    return Benefits(
        deductible=Decimal(draw(MONEY)),
        coinsurance=Decimal(draw(st.sampled_from(("0", "0.20", "0.125", "0.333", "0.5", "1")))),
        copays=copays,
        out_of_pocket_max=None if oop is None else Decimal(oop),
        family_deductible=None if family_deductible is None else Decimal(family_deductible),
        family_out_of_pocket_max=None if family_oop is None else Decimal(family_oop),
    )


@st.composite
def accumulators(draw: st.DrawFn) -> Accumulators:
    return Accumulators(
        deductible_met=Decimal(draw(MONEY)),
        out_of_pocket_met=Decimal(draw(MONEY)),
        family_deductible_met=draw(st.sampled_from((None, Decimal("20.00")))),
        family_out_of_pocket_met=draw(st.sampled_from((None, Decimal("60.00")))),
    )


@st.composite
def tables(draw: st.DrawFn) -> pl.DataFrame:
    count = draw(st.integers(1, 30))
    return pl.DataFrame(
        {
            "_row": list(range(count)),
            "claim_id": [f"c-{draw(st.integers(0, 5))}" for _ in range(count)],
            "line_id": [str(n % 4 + 1) for n in range(count)],
            "_expected": [
                draw(st.one_of(st.none(), st.integers(0, 30000), st.sampled_from((0, 1, 5))))
                for _ in range(count)
            ],
            "_denied": [draw(st.booleans()) for _ in range(count)],
            "_payer_problem": [
                draw(st.sampled_from((None, None, None, None, "payer"))) for _ in range(count)
            ],
            "member_id": [draw(st.sampled_from(("m-1", "m-2", None))) for _ in range(count)],
            "service_category": [
                draw(st.sampled_from((None, *(c.value for c in CATEGORIES)))) for _ in range(count)
            ],
        },
        schema_overrides={"_expected": pl.Int64, "_payer_problem": pl.String},
    )


@settings(max_examples=60)
@given(
    frame=tables(),
    plan=benefits(),
    met=st.one_of(st.none(), accumulators()),
    by_member=st.booleans(),
    members=st.booleans(),
    sequestration=st.booleans(),
)
def test_running_sums_equal_split_amounts(
    frame: pl.DataFrame,
    plan: Benefits,
    met: Accumulators | None,
    by_member: bool,
    members: bool,
    sequestration: bool,
) -> None:
    if not members:
        frame = frame.drop("member_id")
    starting: Accumulators | dict[str, Accumulators] | None = met
    if by_member and members and met is not None:
        frame = frame.with_columns(pl.col("member_id").fill_null("m-1"))
        starting = {"m-1": met, "m-2": Accumulators(deductible_met=Decimal("10.00"))}
    got = expected_shares(frame, plan, starting, sequestration=sequestration)
    want = _loop_shares(frame, plan, starting, sequestration=sequestration)
    assert got.to_dicts() == want.to_dicts()


def test_out_of_pocket_binds_once() -> None:
    """Copay, then deductible, then coinsurance, capped at the out-of-pocket maximum
    (45 CFR 156.130; medbill.fees' rule). Plan: deductible 100.00, 20%, office copay
    25.00, maximum 150.00. Claim A: 112.50 is copay 25.00 + deductible 87.50 = 112.50;
    80.00 (lab) is deductible 12.50 + 20% of 67.50 = 13.50, 26.00 (138.50 so far). Claim
    B: 112.50 would be copay 25.00 + coinsurance 17.50, but 11.50 is left: 11.50. Its
    denied line (60.00, after the paid one) has nothing left either: 0.00."""
    plan = Benefits(
        deductible=Decimal("100.00"),
        coinsurance=Decimal("0.20"),
        copays=[Copay(category=ServiceCategory.OFFICE_VISIT, amount=Decimal("25.00"))],
        out_of_pocket_max=Decimal("150.00"),
    )
    frame = pl.DataFrame(
        {
            "_row": [0, 1, 2, 3],
            "claim_id": ["A", "A", "B", "B"],
            "line_id": ["1", "2", "1", "2"],
            "_expected": [11250, 8000, 11250, 6000],
            "_denied": [False, False, False, True],
            "_payer_problem": [None, None, None, None],
            "member_id": ["m"] * 4,
            "service_category": ["office-visit", "lab", "office-visit", "lab"],
        },
        schema_overrides={"_payer_problem": pl.String},
    )
    got = expected_shares(frame, plan, None, sequestration=False)
    assert got["_expected_share"].to_list() == [11250, 2600, 1150, 0]


@pytest.mark.parametrize("allowed", [-500])
def test_negative_allowed_takes_the_loop(allowed: int) -> None:
    plan = Benefits(deductible=Decimal("10.00"), coinsurance=Decimal("0.20"))
    frame = pl.DataFrame(
        {
            "_row": [0, 1],
            "claim_id": ["A", "A"],
            "line_id": ["1", "2"],
            "_expected": [allowed, 5000],
            "_denied": [False, False],
            "_payer_problem": [None, None],
        },
        schema_overrides={"_payer_problem": pl.String},
    )
    got = expected_shares(frame, plan, None, sequestration=False)
    want = _loop_shares(frame, plan, None, sequestration=False)
    assert got.to_dicts() == want.to_dicts()


def test_a_total_beyond_64_bit_running_sums_takes_the_loop() -> None:
    # two lines of 2**61 cents each: their running sum would leave int64's safe range
    plan = Benefits(deductible=Decimal("10.00"), coinsurance=Decimal("0"))
    frame = pl.DataFrame(
        {
            "_row": [0, 1, 2],
            "claim_id": ["A", "A", "B"],
            "line_id": ["1", "2", "1"],
            "_expected": [2**61, 2**61, 5000],
            "_denied": [False, False, False],
            "_payer_problem": [None, None, None],
            "member_id": ["m", "m", "m"],
        },
        schema_overrides={"_payer_problem": pl.String},
    )
    got = expected_shares(frame, plan, None, sequestration=False)
    want = _loop_shares(frame, plan, None, sequestration=False)
    assert got.to_dicts() == want.to_dicts()
    assert got["_expected_share"].to_list() == [1000, 0, 0]


@settings(max_examples=40)
@given(
    claims=st.lists(
        st.tuples(st.sampled_from(("a", "b", "c", "d")), st.sampled_from(("m-1", "m-2", "m-3"))),
        min_size=1,
        max_size=25,
    ),
    plan=benefits(),
)
def test_claims_of_one_member_and_claims_shared_by_members(
    claims: list[tuple[str, str]], plan: Benefits
) -> None:
    # a claim id with one member (claim numbers number the pairs) and with several
    count = len(claims)
    frame = pl.DataFrame(
        {
            "_row": list(range(count)),
            "claim_id": [c for c, _ in claims],
            "line_id": [str(n) for n in range(count)],
            "_expected": [1000 + 700 * (n % 5) for n in range(count)],
            "_denied": [n % 4 == 3 for n in range(count)],
            "_payer_problem": [None] * count,
            "member_id": [m for _, m in claims],
        },
        schema_overrides={"_payer_problem": pl.String},
    )
    for table in (frame, frame.with_columns(pl.col("claim_id") + pl.col("member_id"))):
        got = expected_shares(table, plan, None, sequestration=False)
        want = _loop_shares(table, plan, None, sequestration=False)
        assert got.to_dicts() == want.to_dicts()
