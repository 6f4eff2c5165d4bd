"""write_835 output reads back into the same remittances (hypothesis round trips)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
import pendulum
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyx12_support import pyx12_errors

from medbill import (
    Adjustment,
    ClaimPayment,
    LinePayment,
    PersonName,
    ProviderAdjustment,
    Remittance,
    ValidationError,
)
from medbill.codes import Modifier, Npi, ProcedureCode, Rarc, RevenueCode
from medbill.testing import strategies as mst
from medbill.x12 import SAMPLE_835, Party, read_835, write_835

_codes = st.text("ABCDEFGHJKLMNPQRSTUVWXYZ", min_size=1, max_size=3)


@st.composite
def rich_lines(draw: Any) -> LinePayment:
    """Service lines using the fields the base strategy leaves out."""
    line = draw(st.from_type(LinePayment))
    start = draw(st.none() | mst.dates())
    submitted = draw(st.none() | st.from_type(ProcedureCode))
    evolved: LinePayment = attrs.evolve(
        line,
        service_date=start,
        service_date_end=None if start is None else draw(st.none() | st.just(start.add(days=1))),
        submitted_procedure=submitted,
        submitted_modifiers=[]
        if submitted is None
        else draw(st.lists(st.from_type(Modifier), max_size=2)),
        units_billed=draw(st.none() | st.integers(1, 9).map(Decimal)),
        revenue_code=draw(st.none() | st.from_type(RevenueCode)),
        amounts=draw(
            st.lists(st.tuples(st.sampled_from(["KH", "T", "ZK"]), mst.amounts()), max_size=2)
        ),
        quantities=draw(
            st.lists(st.tuples(st.just("ZL"), st.integers(1, 9).map(Decimal)), max_size=1)
        ),
    )
    return evolved


@st.composite
def rich_claims(draw: Any) -> ClaimPayment:
    claim = draw(mst.claim_payments())
    name = st.none() | st.from_type(PersonName)
    evolved: ClaimPayment = attrs.evolve(
        claim,
        lines=draw(st.lists(rich_lines(), max_size=3)),
        adjustments=draw(st.lists(st.from_type(Adjustment), max_size=8)),
        status=draw(st.sampled_from(["1", "2", "4", "22", "23"])),
        patient_name=draw(name),
        member_id=draw(st.none() | _codes),
        insured_name=draw(name),
        insured_id=draw(st.none() | _codes),
        corrected_name=draw(name),
        filing_indicator=draw(st.sampled_from(["12", "MB", "MC"])),
        facility_code=draw(st.none() | st.just("11")),
        frequency=draw(st.none() | st.sampled_from(["1", "7", "8"])),
        statement_start=draw(st.none() | mst.dates()),
        statement_end=draw(st.none() | mst.dates()),
        received_on=draw(st.none() | mst.dates()),
        remarks=draw(st.lists(st.from_type(Rarc), max_size=5)),  # one MOA holds five
        amounts=draw(
            st.lists(st.tuples(st.sampled_from(["AU", "I", "F5"]), mst.amounts()), max_size=2)
        ),
        quantities=draw(
            st.lists(st.tuples(st.just("CA"), st.integers(1, 9).map(Decimal)), max_size=1)
        ),
    )
    return evolved


@st.composite
def rich_remittances(draw: Any) -> Remittance:
    era = draw(mst.remittances())
    evolved: Remittance = attrs.evolve(
        era,
        claim_payments=draw(st.lists(rich_claims(), max_size=3)),
        provider_adjustments=draw(st.lists(st.from_type(ProviderAdjustment), max_size=8)),
        production_date=draw(st.none() | mst.dates()),
        payee_tax_id=draw(st.none() | st.just("371234567")),
        currency=draw(st.none() | st.just("USD")),
    )
    return evolved


@settings(max_examples=40, deadline=None)
@given(st.lists(mst.remittances(), min_size=1, max_size=3))
def test_balanced_remittances_round_trip(eras: list[Remittance]) -> None:
    assert read_835(write_835(eras), require_balanced=True) == eras


@settings(max_examples=40, deadline=None)
@given(rich_remittances())
def test_every_field_the_writer_knows_round_trips(era: Remittance) -> None:
    assert read_835(write_835(era)) == [era]


def test_envelope_and_control_numbers() -> None:
    era = Remittance(
        id="EFT-1", payer_name="Acme", payment_amount=Decimal("0"), method="NON",
        paid_on=pendulum.date(2025, 4, 1),
    )  # fmt: skip
    text = write_835(
        [era, era],
        sender=Party(name="Acme", id="ACME"),
        receiver=Party(name="Clinic", id="CLINIC01"),
        control_number=42,
        created=pendulum.datetime(2025, 4, 2, 9, 30),
        usage="P",
    )
    lines = text.splitlines()
    assert lines[0] == (
        "ISA*00*          *00*          *ZZ*ACME           *ZZ*CLINIC01       "
        "*250402*0930*^*00501*000000042*0*P*:~"
    )
    assert lines[1] == "GS*HP*ACME*CLINIC01*20250402*0930*42*X*005010X221A1~"
    assert lines[3] == "BPR*H*0.00*C*NON************20250401~"  # amounts hold cents
    assert lines[-2:] == ["GE*2*42~", "IEA*1*000000042~"]
    assert [line for line in lines if line.startswith("SE")] == [
        "SE*9*0001~",
        "SE*9*0002~",
    ]  # ST BPR TRN N1 N3 N4 PER N1 SE


def test_a_value_holding_a_delimiter_is_refused() -> None:
    era = Remittance(
        id="EFT*1", payer_name="Acme", payment_amount=Decimal("0"),
        paid_on=pendulum.date(2025, 4, 1),
    )  # fmt: skip
    with pytest.raises(ValidationError, match="id: contains an X12 delimiter"):
        write_835(era)


def test_written_835_is_valid_for_pyx12() -> None:
    [sample] = read_835(SAMPLE_835)
    reversal = ClaimPayment(
        claim_id="C-0", status="22", charge=Decimal("-100.00"), paid=Decimal("-80.00"),
        patient_responsibility=Decimal("-20.00"), filing_indicator="12",
        payer_claim_control_number="PCN-0", facility_code="11", frequency="1",
        patient_name=PersonName(family="DOE", given="JANE"), member_id="W1",
        corrected_name=PersonName(family="DOE", given="JANET"), corrected_id="W2",
        lines=[LinePayment(procedure="99213", modifiers=["25"], charge=Decimal("-100.00"),
                           paid=Decimal("-80.00"), service_date=pendulum.date(2025, 2, 3),
                           submitted_procedure="99214", units_paid=Decimal(1), units_billed=Decimal(1),
                           line_id="1", allowed=Decimal("-80.00"),
                           adjustments=[Adjustment(group="PR", reason="2", amount=Decimal("-20.00"))],
                           remarks=["N130"])],
        statement_start=pendulum.date(2025, 2, 3), statement_end=pendulum.date(2025, 2, 3),
        amounts=[("AU", Decimal("80.00"))], remarks=["MA01"],
    )  # fmt: skip
    era = attrs.evolve(
        sample,
        claim_payments=[*sample.claim_payments, reversal],
        payment_amount=Decimal("131.27"),
        provider_adjustments=[
            ProviderAdjustment(provider_id="1234567893", fiscal_period_end=pendulum.date(2025, 12, 31),
                               reason="L6", amount=Decimal("-1.27"), reference="INT-1"),
        ],
    )  # fmt: skip
    checks = attrs.evolve(era, id="CHK-2", method="CHK")
    text = write_835([era, checks], usage="P")
    assert pyx12_errors(text) == []
    assert read_835(text, require_balanced=True) == [era, checks]


@st.composite
def complete_remittances(draw: Any) -> Remittance:
    """Generated remittances carrying everything 005010X221A1 requires of the sender."""
    era: Remittance = draw(mst.remittances())
    claims = [
        attrs.evolve(
            claim,
            filing_indicator=draw(st.sampled_from(["12", "MB", "MC", "HM"])),  # CLP06 codes
            payer_claim_control_number=claim.payer_claim_control_number or "PCN-1",
            patient_name=draw(st.from_type(PersonName)),
            member_id=draw(st.text("ABCDEFGHJK0123456789", min_size=2, max_size=12)),
        )
        for claim in era.claim_payments
    ]
    # One PLB segment: the TR3 repeats PLB (one per provider and fiscal period, six
    # adjustments each), but pyx12 4.0 counts a second PLB as a second FOOTER loop and
    # reports "Loop FOOTER exceeded max count".
    plb = [attrs.evolve(p, provider_id="1234567893") for p in era.provider_adjustments[:1]]
    payment = sum((c.paid for c in claims), Decimal(0)) - sum((p.amount for p in plb), Decimal(0))
    return attrs.evolve(
        era,
        claim_payments=claims,
        provider_adjustments=plb,
        payment_amount=abs(payment),
        credit=payment >= 0,
        payee_name=draw(st.sampled_from(["SPRINGFIELD FM", "Dr Ada Lovelace"])),
        payee_npi=draw(st.from_type(Npi)),
    )


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(complete_remittances(), min_size=1, max_size=2))
def test_generated_835_is_valid_for_pyx12(eras: list[Remittance]) -> None:
    assert pyx12_errors(write_835(eras)) == []
