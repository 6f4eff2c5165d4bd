"""Invariants of Medicare pricing, checked with hypothesis over real CY2025 rows."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pendulum
from hypothesis import given, settings
from hypothesis import strategies as st

from medbill import PricingError, ProviderKind
from medbill.fees import Locality, MedicareFeeSchedule

CODES = [
    "99213",
    "99214",
    "20610",
    "11042",
    "64483",
    "97110",
    "71046",
    "70450",
    "74177",
    "93000",
    "G0117",
]
BILATERAL_1 = ["20610", "64483", "19301", "27447", "29881"]
POS = ["11", "22", "21", "02", "10", "24", "12"]
MODIFIERS = [(), ("26",), ("TC",), ("50",), ("62",), ("80",), ("54",)]
localities = st.sampled_from(
    [Locality.parse(x) for x in ("10112-00", "13202-01", "02102-01", "01112-75", "06102-99")]
)
days = st.dates(min_value=pendulum.date(2025, 1, 1), max_value=pendulum.date(2026, 12, 31))


@settings(max_examples=60, deadline=None)
@given(
    code=st.sampled_from(CODES),
    locality=localities,
    pos=st.sampled_from(POS),
    modifiers=st.sampled_from(MODIFIERS),
    units=st.integers(1, 12),
    kind=st.sampled_from(list(ProviderKind)),
    day=days,
)
def test_allowed_is_never_negative_and_more_units_never_price_lower(
    cy2025: MedicareFeeSchedule,
    code: str,
    locality: Locality,
    pos: str,
    modifiers: tuple[str, ...],
    units: int,
    kind: ProviderKind,
    day: datetime.date,
) -> None:
    dos = pendulum.date(day.year, day.month, day.day)
    try:
        fewer = cy2025.price_line(
            code,
            locality=locality,
            place_of_service=pos,
            service_date=dos,
            modifiers=modifiers,
            units=units,
            provider_kind=kind,
        )
    except PricingError:  # a meaningless combination (26 on a 99213): refused, not priced
        return
    more = cy2025.price_line(
        code,
        locality=locality,
        place_of_service=pos,
        service_date=dos,
        modifiers=modifiers,
        units=units + 1,
        provider_kind=kind,
    )
    assert fewer.allowed >= 0
    assert more.allowed >= fewer.allowed


@settings(max_examples=40, deadline=None)
@given(code=st.sampled_from(BILATERAL_1), locality=localities, pos=st.sampled_from(POS))
def test_bilateral_indicator_1_is_one_and_a_half_times_the_single_fee(
    cy2025: MedicareFeeSchedule, code: str, locality: Locality, pos: str
) -> None:
    assert cy2025.row(code).bilateral == "1"
    day = pendulum.date(2025, 6, 1)
    single = cy2025.price_line(code, locality=locality, place_of_service=pos, service_date=day)
    both = cy2025.price_line(
        code, locality=locality, place_of_service=pos, service_date=day, modifiers=["50"]
    )
    assert abs(both.allowed - single.allowed * Decimal("1.5")) <= Decimal("0.01")


CLAIM_CODES = [
    "99213",
    "20610",
    "11042",
    "64483",
    "97110",
    "97140",
    "70450",
    "74177",
    "93306",
    "93880",
    "45378",
    "45380",
    "45385",
    "43239",
    "G0117",
    "27447",
]


@settings(max_examples=40, deadline=None)
@given(
    picks=st.lists(
        st.tuples(st.sampled_from(CLAIM_CODES), st.integers(1, 3), st.booleans()),
        min_size=1,
        max_size=8,
    ),
    pos=st.sampled_from(["11", "22"]),
    locality=localities,
)
def test_claim_rules_never_raise_a_line_above_its_own_price(
    cy2025: MedicareFeeSchedule,
    picks: list[tuple[str, int, bool]],
    pos: str,
    locality: Locality,
) -> None:
    from .builders import claim, line

    lines = [
        line(str(i + 1), code, units=units, day=pendulum.date(2025, 3, 4 + int(later)))
        for i, (code, units, later) in enumerate(picks)
    ]
    priced = cy2025.price_claim(claim(*lines, place_of_service=pos), locality=locality)
    for claim_line, result in zip(lines, priced.lines, strict=True):
        alone = cy2025.price_line(
            claim_line.procedure,
            locality=locality,
            place_of_service=pos,
            service_date=claim_line.service_date,
            units=claim_line.units,
        )
        assert Decimal(0) <= result.allowed <= alone.allowed
        assert result.payable or result.allowed == 0
