"""check_payments gives medbill.claims.check_payment's answers, line by line."""

from __future__ import annotations

import os
import random
from collections import Counter
from decimal import Decimal

import pendulum
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medbill import Adjustment, Benefits, Claim, ClaimPayment, LinePayment, Period
from medbill.batch import check_payments
from medbill.claims import Tolerance, check_payment
from medbill.fees import (
    CarveOut,
    Contract,
    FeeEntry,
    FeeSchedule,
    FeeScheduleTerm,
    FixedRate,
    Locality,
    MedicareFeeSchedule,
    PercentOfBilled,
    PercentOfMedicare,
)

from .generate import claims, code_pool, many_claims

BENEFITS = Benefits(coinsurance=Decimal("0.20"))
SEEN: Counter[str] = Counter()


def contracts(schedule: MedicareFeeSchedule) -> list[Contract]:
    payer_fees = FeeSchedule(
        [
            FeeEntry(code="99214", amount="120.00", valid_from=pendulum.date(2024, 1, 1)),
            FeeEntry(code="71046", modifier="26", amount="11.00", valid_from=pendulum.date(2024, 1, 1)),
            FeeEntry(code="71046", amount="40.00", valid_from=pendulum.date(2024, 1, 1),
                     valid_to=pendulum.date(2024, 12, 31)),
            FeeEntry(code="71046", amount="42.00", valid_from=pendulum.date(2025, 1, 1)),
        ],
        name="acme fees",
    )  # fmt: skip
    alabama = Locality.parse("10112-00")
    everything = Contract(
        payer_id="acme",
        name="Acme PPO",
        effective=Period(pendulum.date(2024, 1, 1), pendulum.date(2025, 12, 31)),
        terms=[
            CarveOut(codes=["J0000-J9999"], billed_rate="0.60"),
            CarveOut(codes=["A4000-A4999", "A4210"], amount="7.25"),
            FixedRate(codes=["99213"], amount="95.00"),
            FixedRate(codes=["97000-97999"], amount="31.10"),
            FixedRate(codes=["97110"], amount="29.99", modifier="59"),
            FeeScheduleTerm(schedule=payer_fees, rate="0.95"),
            PercentOfMedicare(schedule=schedule, rate="1.40", locality=alabama),
            PercentOfBilled(rate="0.50"),
        ],
        lesser_of_billed=True,
    )
    medicare_only = Contract(
        payer_id="acme",
        name="Acme Medicare Advantage",
        effective=Period(pendulum.date(2024, 1, 1)),
        terms=[
            FixedRate(codes=["99213"], amount="88.00"),
            PercentOfMedicare(
                schedule=schedule, rate="1.05", locality=Locality.parse("13202-01"), year=2024
            ),
        ],
    )
    return [everything, medicare_only]


def payment_for(claim: Claim, rng: random.Random) -> ClaimPayment:
    """A plausible adjudication of every line: paid, CO-45, PR-1/2/3, CO-253, denials."""
    lines = []
    for line in claim.lines:
        charge = line.charge
        kind = rng.random()
        adjustments: list[Adjustment] = []
        allowed = None
        if kind < 0.15:  # denied: medical necessity, duplicate, eligibility, capitation
            reason = rng.choice(("50", "18", "27", "24", "16", "45"))
            adjustments.append(Adjustment(group="CO", reason=reason, amount=charge))
            paid = Decimal("0.00")
        else:
            allowed_amount = (charge * Decimal(rng.choice(("0.4", "0.55", "0.7", "1")))).quantize(
                Decimal("0.01")
            )
            deductible = Decimal(rng.choice(("0", "0", "5.00"))).min(allowed_amount)
            coinsurance = ((allowed_amount - deductible) * Decimal("0.20")).quantize(
                Decimal("0.01")
            )
            if rng.random() < 0.2:
                coinsurance += Decimal("1.00")
            sequestration = Decimal("0.50") if rng.random() < 0.2 else Decimal("0.00")
            paid = allowed_amount - deductible - coinsurance - sequestration
            adjustments.append(Adjustment(group="CO", reason="45", amount=charge - allowed_amount))
            if deductible:
                adjustments.append(Adjustment(group="PR", reason="1", amount=deductible))
            adjustments.append(Adjustment(group="PR", reason="2", amount=coinsurance))
            if sequestration:
                adjustments.append(Adjustment(group="CO", reason="253", amount=sequestration))
            if rng.random() < 0.3:
                allowed = allowed_amount
        lines.append(
            LinePayment(
                procedure=str(line.procedure),
                modifiers=line.modifiers,
                charge=charge,
                paid=paid,
                adjustments=adjustments,
                line_id=line.line_id,
                service_date=line.service_date,
                allowed=allowed,
            )
        )
    return ClaimPayment(
        claim_id=claim.id,
        status="1",
        charge=sum((line.charge for line in claim.lines), Decimal(0)),
        paid=sum((p.paid for p in lines), Decimal(0)),
        lines=lines,
    )


def _sum(
    payment: LinePayment, groups: tuple[str, ...], reasons: tuple[str, ...] | None = None
) -> Decimal:
    return sum(
        (
            a.amount
            for a in payment.adjustments
            if a.group.value in groups
            and (reasons is None or str(a.reason) in reasons)
            and str(a.reason) != "253"
        ),
        Decimal("0.00"),
    )


def payments_table(batch: list[tuple[Claim, ClaimPayment]]) -> pl.DataFrame:
    rows = []
    for claim, payment in batch:
        kind = (claim.rendering_provider or claim.billing_provider).kind.value
        for line, paid in zip(claim.lines, payment.lines, strict=True):
            mods = [str(m) for m in line.modifiers] + [None] * (4 - len(line.modifiers))
            rows.append(
                {
                    "claim_id": str(claim.id),
                    "line_id": line.line_id,
                    "service_date": line.service_date,
                    "procedure": str(line.procedure),
                    **{f"modifier_{n}": m for n, m in enumerate(mods, start=1)},
                    "units": line.units,
                    "charge": paid.charge,
                    "paid": paid.paid,
                    "allowed": paid.allowed,
                    "contractual": _sum(paid, ("CO", "PI")),
                    "patient_responsibility": _sum(paid, ("PR",)),
                    "coinsurance": _sum(paid, ("PR",), ("2",)),
                    "deductible_and_copay": _sum(paid, ("PR",), ("1", "3")),
                    "adjustment_codes": [
                        f"{a.group.value}-{a.reason}" for a in paid.adjustments if a.amount > 0
                    ],
                    "remarks": [str(r) for r in paid.remarks],
                    "place_of_service": str(line.place_of_service or claim.place_of_service),
                    "provider_kind": kind,
                }
            )
    money = pl.Decimal(18, 2)
    return pl.DataFrame(
        rows,
        schema_overrides={
            "units": pl.Decimal(12, 3),
            **dict.fromkeys(
                (
                    "charge",
                    "paid",
                    "allowed",
                    "contractual",
                    "patient_responsibility",
                    "coinsurance",
                    "deductible_and_copay",
                ),
                money,
            ),
        },
        infer_schema_length=None,
    )


def compare(
    contract: Contract, batch: list[tuple[Claim, ClaimPayment]], tolerance: Tolerance
) -> int:
    checked = check_payments(payments_table(batch), contract, BENEFITS, tolerance=tolerance)
    rows = iter(checked.to_dicts())
    count = 0
    seen = SEEN
    for claim, payment in batch:
        expected = check_payment(claim, payment, contract, tolerance=tolerance, benefits=BENEFITS)
        for line in expected.lines:
            row = next(rows)
            context = (claim.id, line, row)
            assert row["line_id"] == line.line_id, context
            assert row["verdict"] == line.verdict.value, context
            assert row["expected_allowed"] == line.expected_allowed, context
            assert row["contract_term"] == line.term, context
            assert row["payer_allowed"] == line.payer_allowed, context
            assert row["allowed_variance"] == line.allowed_variance, context
            assert row["variance"] == line.variance, context
            assert row["variance_percent"] == line.variance_percent, context
            assert row["expected_paid"] == line.expected_paid, context
            assert row["actual_paid"] == line.paid, context
            assert row["payment_variance"] == line.payment_variance, context
            assert row["payer_patient_share"] == line.patient_responsibility, context
            assert row["problem"] is None, context
            if line.denial is not None:
                assert row["denial_category"] == line.denial.category.value, context
                assert row["next_action"] == line.denial.action.value, context
                assert row["outcome"] == line.outcome, context
            else:
                assert row["denial_category"] is None, context
            seen[line.verdict.value] += 1
            count += 1
    return count


@pytest.fixture(scope="module")
def pool(cy2025: MedicareFeeSchedule) -> list[str]:
    return code_pool(cy2025)


@settings(
    max_examples=int(os.environ.get("MEDBILL_BATCH_EXAMPLES", "100")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_check_payments_equals_check_payment(
    releases: MedicareFeeSchedule, pool: list[str], data: st.DataObject
) -> None:
    rng = random.Random(data.draw(st.integers(0, 2**16)))
    drawn = [
        data.draw(claims(pool, claim_id=f"c-{n}")) for n in range(data.draw(st.integers(1, 3)))
    ]
    batch = [(claim, payment_for(claim, rng)) for claim, _ in drawn]
    contract = data.draw(st.sampled_from(contracts(releases)))
    tolerance = data.draw(
        st.sampled_from(
            (
                Tolerance(),
                Tolerance(amount=Decimal("1.00"), rate=Decimal("0.02")),
                Tolerance(amount=Decimal("1.00"), rate=Decimal("0.02"), combine="and"),
            )
        )
    )
    compare(contract, batch, tolerance)


def test_100000_lines_equal_check_payment(releases: MedicareFeeSchedule, pool: list[str]) -> None:
    rng = random.Random(835)
    made = many_claims(pool, int(os.environ.get("MEDBILL_BATCH_CLAIMS", "21000")), seed=835)
    batch = [(claim, payment_for(claim, rng)) for claim, _ in made]
    everything, medicare_only = contracts(releases)
    half = len(batch) // 2
    assert compare(everything, batch[:half], Tolerance()) > 0
    assert compare(medicare_only, batch[half:], Tolerance(amount=Decimal("0.50"))) > 0
    for verdict in ("correct", "underpaid", "overpaid", "denied", "not-checked"):
        assert SEEN[verdict] > 0, SEEN
