"""Pricing results round-trip through medbill.serialize like every other entity."""

from __future__ import annotations

from decimal import Decimal

import pendulum

from medbill import Period
from medbill.fees import (
    Contract,
    ContractPricing,
    FixedRate,
    GfeItem,
    GoodFaithEstimate,
    Locality,
    MedicareFeeSchedule,
    PercentOfBilled,
    PricedClaim,
)
from medbill.serialize import from_json, to_json

from .builders import claim, line


def test_priced_claim_round_trips_with_its_trace() -> None:
    schedule = MedicareFeeSchedule.demo()
    priced = schedule.price_claim(
        claim(line("1", "99213"), line("2", "20610", units=2)),
        locality=Locality.parse("10112-00"),
    )
    again = from_json(PricedClaim, to_json(priced))
    assert again == priced
    assert str(again.line("2").trace) == str(priced.line("2").trace)


def test_contract_pricing_and_estimate_round_trip() -> None:
    contract = Contract(
        payer_id="acme",
        name="Acme",
        effective=Period(pendulum.date(2025, 1, 1)),
        terms=[FixedRate(codes=["99213"], amount="95.00"), PercentOfBilled(rate="0.5")],
    )
    expected = contract.expected_allowed(claim(line("1", "99213"), line("2", "85025")))
    assert from_json(ContractPricing, to_json(expected)) == expected
    gfe = GoodFaithEstimate(
        issued_on=pendulum.date(2025, 3, 1),
        items=[GfeItem(provider="1234567893", code="99213", expected_charge=Decimal("150.00"))],
    )
    assert from_json(GoodFaithEstimate, to_json(gfe)) == gfe
