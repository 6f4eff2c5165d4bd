"""The testing kit balances what it builds, and ``adjudicate`` answers as a payer would.

Expected numbers are worked out by hand below from the published rules: the 835 balancing
equations (005010X221A1 section 1.10.2), CARC 45 (charge exceeds the fee schedule/contracted
amount), 1 (deductible), 2 (coinsurance), 3 (copay), 253 (sequestration) and, for Medicare,
80% of the fee schedule amount (42 CFR 410.152) less the 2% sequestration.
"""

from __future__ import annotations

from decimal import Decimal

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from medbill import Accumulators, Benefits, Period, ValidationError
from medbill.fees import Contract, FixedRate
from medbill.testing import (
    DEMO_LOCALITY,
    adjudicate,
    demo_medicare_schedule,
    make_benefits,
    make_claim,
    make_claim_line,
    make_claim_payment,
    make_coverage,
    make_line_payment,
    make_payer,
    make_provider_adjustment,
    make_remittance,
)
from medbill.testing.strategies import amounts
from medbill.x12 import read_835, write_835

D = Decimal
ACME = Contract(
    payer_id="acme",
    name="Acme PPO 2025",
    effective=Period(pendulum.date(2025, 1, 1), pendulum.date(2025, 12, 31)),
    terms=[FixedRate(codes=["99213"], amount="95.00"), FixedRate(codes=["36415"], amount="3.00")],
)
TWO_LINES = make_claim(
    lines=(
        make_claim_line(),
        make_claim_line(line_id="2", procedure="36415", charge=D("12.00")),
    )
)


def _cas(payment_line: object) -> list[str]:
    return [f"{a.group.value}-{a.reason} {a.amount}" for a in payment_line.adjustments]  # type: ignore[attr-defined]


def test_commercial_copay_deductible_and_coinsurance() -> None:
    # make_benefits: $25 office copay, 20% coinsurance, $1,000 deductible of which $960 met.
    # Line 1 99213: billed 150.00, contract 95.00 -> CO-45 55.00; copay 25.00 (PR-3);
    #   deductible min(40.00 left, 70.00) = 40.00 (PR-1); coinsurance 20% x 30.00 = 6.00
    #   (PR-2); paid 95.00 - 71.00 = 24.00.
    # Line 2 36415: billed 12.00, contract 3.00 -> CO-45 9.00; copay taken (one per
    #   category), deductible used up; coinsurance 20% x 3.00 = 0.60; paid 2.40.
    payment = adjudicate(TWO_LINES, ACME, accumulators=Accumulators(deductible_met=D("960.00")))
    one, two = payment.lines
    assert _cas(one) == ["CO-45 55.00", "PR-3 25.00", "PR-1 40.00", "PR-2 6.00"]
    assert (one.allowed, one.paid) == (D("95.00"), D("24.00"))
    assert _cas(two) == ["CO-45 9.00", "PR-2 0.60"]
    assert (two.allowed, two.paid) == (D("3.00"), D("2.40"))
    assert (payment.charge, payment.paid, payment.patient_responsibility) == (
        D("162.00"),
        D("26.40"),
        D("71.60"),
    )
    assert payment.status.value == "1"
    assert make_remittance(claim_payments=[payment]).imbalances() == ()


def test_medicare_pays_80_percent_less_sequestration() -> None:
    # 99213 in Rest of Illinois, CY2025: (1.30 x 1 + 1.35 x 0.912 + 0.10 x 1.381) x 32.3465
    # = 86.3425 -> allowed 86.34; CO-45 150.00 - 86.34 = 63.66. Part B deductible met:
    # coinsurance 20% x 86.34 = 17.268 -> 17.27 (PR-2); plan 69.07; sequestration 2% x 69.07
    # = 1.3814 -> 1.38 (CO-253); paid 67.69. Check: 63.66 + 17.27 + 1.38 + 67.69 = 150.00.
    medicare = make_coverage(
        payer=make_payer(id="mcr", name="Medicare Part B", kind="medicare"),
        benefits=Benefits(coinsurance=D("0.20")),
    )
    payment = adjudicate(
        make_claim(coverage=medicare), demo_medicare_schedule(), locality=DEMO_LOCALITY
    )
    [line] = payment.lines
    assert _cas(line) == ["CO-45 63.66", "PR-2 17.27", "CO-253 1.38"]
    assert (line.allowed, line.paid) == (D("86.34"), D("67.69"))
    assert payment.imbalance == D("0.00")


def test_a_medicare_schedule_needs_a_locality() -> None:
    with pytest.raises(ValidationError, match="locality"):
        adjudicate(make_claim(), demo_medicare_schedule())


def test_denials_whole_claim_one_line_and_patient_assigned() -> None:
    # CO-50 (not medically necessary) on every line: nothing paid, CLP02 = 4 (denied).
    denied = adjudicate(make_claim(), ACME, deny="50")
    assert denied.status.value == "4"
    assert (_cas(denied.lines[0]), denied.paid, denied.patient_responsibility) == (
        ["CO-50 150.00"],
        D("0.00"),
        D("0.00"),
    )
    # PR-204 (not covered under the patient's benefit plan): the patient owes the charge.
    patient = adjudicate(make_claim(), ACME, deny="PR-204")
    assert patient.patient_responsibility == D("150.00")
    # Only line 2 denied: line 1 is paid as usual (deductible met: 95 - 25 copay = 70,
    # coinsurance 14.00, paid 56.00) and the claim is processed as primary.
    partial = adjudicate(TWO_LINES, ACME, make_benefits(deductible=D("0.00")), deny={"2": "97"})
    assert partial.status.value == "1"
    assert [_cas(line) for line in partial.lines] == [
        ["CO-45 55.00", "PR-3 25.00", "PR-2 14.00"],
        ["CO-97 12.00"],
    ]
    assert partial.paid == D("56.00")
    with pytest.raises(ValidationError, match="no such line"):
        adjudicate(make_claim(), ACME, deny={"9": "50"})


def test_reversal_negates_the_payment_and_nets_to_zero() -> None:
    benefits = make_benefits(deductible=D("0.00"))
    original = adjudicate(make_claim(), ACME, benefits)
    reversal = adjudicate(make_claim(), ACME, benefits, reverse=True)
    assert reversal.status.value == "22"
    assert (reversal.charge, reversal.paid, reversal.patient_responsibility) == (
        -original.charge,
        -original.paid,
        -original.patient_responsibility,
    )
    assert _cas(reversal.lines[0]) == ["CO-45 -55.00", "PR-3 -25.00", "PR-2 -14.00"]
    # the payer takes back 56.00 and pays 56.00 again: a zero remittance that balances
    era = make_remittance(claim_payments=[reversal, original])
    assert (era.payment_amount, era.imbalances()) == (D("0.00"), ())


def test_secondary_status_and_self_pay() -> None:
    secondary = make_claim(coverage=make_coverage(priority="secondary"))
    assert adjudicate(secondary, ACME).status.value == "2"
    with pytest.raises(ValidationError, match="self-pay"):
        adjudicate(make_claim(coverage=None), ACME)


def test_an_adjudicated_remittance_survives_the_835_writer_and_reader() -> None:
    payment = adjudicate(TWO_LINES, ACME, make_benefits(deductible=D("0.00")))
    [era] = read_835(write_835(make_remittance(claim_payments=[payment])), require_balanced=True)
    assert era.claim_payments[0].paid == payment.paid
    assert era.imbalances() == ()


# --- the factories derive their totals -----------------------------------------------------

_cents = amounts(D("0.00"), D("2000.00"))


@given(st.lists(st.tuples(_cents, _cents, _cents), min_size=1, max_size=5), _cents)
def test_payments_built_from_lines_balance(
    lines: list[tuple[Decimal, Decimal, Decimal]], recoupment: Decimal
) -> None:
    payments = [
        make_line_payment(line_id=str(n), charge=max(x), allowed=sorted(x)[1], paid=min(x))
        for n, x in enumerate(lines, 1)
    ]
    payment = make_claim_payment(lines=payments)
    assert payment.imbalance == payment.patient_responsibility_imbalance == D("0.00")
    assert payment.charge == sum((max(x) for x in lines), D("0.00"))
    era = make_remittance(
        claim_payments=[payment], provider_adjustments=[make_provider_adjustment(amount=recoupment)]
    )
    assert era.imbalances() == ()
    assert era.signed_payment == payment.paid - recoupment


def test_an_explicit_total_is_kept_so_unbalanced_payments_can_be_built() -> None:
    payment = make_claim_payment(patient_responsibility=D("25.00"))
    assert payment.patient_responsibility_imbalance == D("5.00")
