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

from medbill import (
    Accumulators,
    Adjustment,
    Benefits,
    Claim,
    ClaimPayment,
    Copay,
    LinePayment,
    Period,
    ServiceCategory,
)
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
# Plans for the benefits comparison: coinsurance only (the 835s here mostly agree), and a
# plan with a copay, a deductible and a low out-of-pocket maximum, so copays, deductibles
# carried across claims and the cap all come into play.
PLANS = (
    BENEFITS,
    Benefits(
        deductible=Decimal("60.00"),
        coinsurance=Decimal("0.20"),
        copays=[Copay(category=ServiceCategory.OFFICE_VISIT, amount=Decimal("20.00"))],
        out_of_pocket_max=Decimal("150.00"),
    ),
)
SEEN: Counter[str] = Counter()


def contracts(schedule: MedicareFeeSchedule) -> list[Contract]:
    payer_fees = FeeSchedule(
        [
            FeeEntry(code="99214", amount="120.00", valid_from=pendulum.date(2024, 1, 1)),
            FeeEntry(code="71046", modifiers=["26"], amount="11.00", valid_from=pendulum.date(2024, 1, 1)),
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
            FixedRate(codes=["97110"], amount="29.99", modifiers=["59"]),
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
    contract: Contract,
    batch: list[tuple[Claim, ClaimPayment]],
    tolerance: Tolerance,
    benefits: Benefits | None = None,
    member: bool = False,
) -> int:
    """Every line of ``check_payments`` equals ``check_payment``'s, to the cent.

    With ``benefits``, the scalar check gets the accumulators the member's earlier claims
    left (``member``: all claims are one member's, in order; else each starts at zero),
    advanced by the paid lines' expected shares as ``check_payments`` documents.
    """
    table = payments_table(batch)
    if member:
        table = table.with_columns(pl.lit("M-1").alias("member_id"))
    checked = check_payments(table, contract, benefits, tolerance=tolerance)
    rows = iter(checked.to_dicts())
    count = 0
    seen = SEEN
    running = Accumulators()
    for claim, payment in batch:
        start = running if member else Accumulators()
        expected = check_payment(
            claim,
            payment,
            contract,
            tolerance=tolerance,
            benefits=benefits,
            accumulators=start if benefits is not None else None,
            sequestration=False,
        )
        if benefits is not None:
            paid_shares = [
                line.expected_patient_share
                for line in expected.lines
                if line.expected_patient_share is not None and line.denial is None
            ]
            running = start.plus(
                deductible=sum((s.deductible for s in paid_shares), Decimal(0)),
                out_of_pocket=sum((s.total for s in paid_shares), Decimal(0)),
            )
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
            share = line.expected_patient_share
            assert row["expected_patient_share"] == (None if share is None else share.total), (
                context
            )
            assert row["patient_share_variance"] == line.patient_share_variance, context
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
    plan = data.draw(st.sampled_from((None, *PLANS)))
    compare(contract, batch, tolerance, plan, member=data.draw(st.booleans()))


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


def test_benefits_run_over_a_members_claims_in_order() -> None:
    """Hand-worked: copay, then deductible, then coinsurance, capped at out-of-pocket.

    The plan: a 20.00 office-visit copay, a 60.00 deductible, 20 % coinsurance and a
    150.00 out-of-pocket maximum (the cap on cost sharing, 45 CFR 156.130); nothing met
    yet. Each claim is one 99213 the contract allows at 100.00.
    - C-1: copay 20.00; deductible min(60.00, 80.00) = 60.00; coinsurance
      (100 - 20 - 60) x 20 % = 4.00; share 84.00, expected paid 16.00. The payer took
      only 20.00 coinsurance and paid 80.00: the patient share is too low.
    - C-2: copay 20.00; deductible met; coinsurance 80 x 20 % = 16.00; share 36.00
      (out-of-pocket 120.00), expected paid 64.00: correct.
    - C-3: copay 20.00 (140.00); coinsurance 16.00 capped at the 10.00 left; share 30.00,
      expected paid 70.00: correct.
    - The same C-2 for another member starts from nothing met: share 84.00 again.
    """
    contract = Contract(
        payer_id="acme",
        name="Acme PPO",
        effective=Period(pendulum.date(2025, 1, 1)),
        terms=[FixedRate(codes=["99213"], amount="100.00")],
    )
    plan = PLANS[1]
    cents = pl.Decimal(18, 2)
    table = pl.DataFrame(
        {
            "claim_id": ["C-1", "C-2", "C-3", "C-9"],
            "line_id": ["1", "1", "1", "1"],
            "member_id": ["M-1", "M-1", "M-1", "M-2"],
            "service_date": [pendulum.date(2025, 3, d) for d in (4, 11, 18, 25)],
            "procedure": ["99213"] * 4,
            "charge": [Decimal("150.00")] * 4,
            "paid": [Decimal(v) for v in ("80.00", "64.00", "70.00", "64.00")],
            "contractual": [Decimal("50.00")] * 4,
            "patient_responsibility": [Decimal(v) for v in ("20.00", "36.00", "30.00", "36.00")],
            "adjustment_codes": [["CO-45", "PR-2"], ["CO-45", "PR-3", "PR-2"]] * 2,
        },
        schema_overrides={
            "charge": cents,
            "paid": cents,
            "contractual": cents,
            "patient_responsibility": cents,
        },
    )
    checked = check_payments(table, contract, plan)
    assert checked.select(
        "expected_patient_share", "expected_paid", "patient_share_variance", "verdict"
    ).rows() == [
        (Decimal("84.00"), Decimal("16.00"), Decimal("-64.00"), "patient-share-too-low"),
        (Decimal("36.00"), Decimal("64.00"), Decimal("0.00"), "correct"),
        (Decimal("30.00"), Decimal("70.00"), Decimal("0.00"), "correct"),
        (Decimal("84.00"), Decimal("16.00"), Decimal("-48.00"), "patient-share-too-low"),
    ]
    # Benefits by member, and a member already part-way through the year.
    met = Accumulators(deductible_met=Decimal("60.00"), out_of_pocket_met=Decimal("60.00"))
    by_member = check_payments(
        table, contract, {"M-1": plan, "M-2": plan}, accumulators={"M-1": met, "M-2": met}
    )
    assert by_member["expected_patient_share"].to_list() == [
        Decimal("36.00"),  # 20.00 copay + 16.00 coinsurance, out-of-pocket 96.00
        Decimal("36.00"),  # 132.00
        Decimal("18.00"),  # copay 18.00, the 18.00 left; no coinsurance
        Decimal("36.00"),
    ]
    # Without benefits, the 835's share is taken: nothing to compare it with.
    plain = check_payments(table, contract)
    assert plain["expected_patient_share"].to_list() == [None] * 4
    assert plain["verdict"].to_list() == ["correct"] * 4


def test_benefits_mapping_needs_the_member() -> None:
    from medbill import ValidationError

    contract = Contract(
        payer_id="acme",
        name="Acme PPO",
        effective=Period(pendulum.date(2025, 1, 1)),
        terms=[FixedRate(codes=["99213"], amount="100.00")],
    )
    table = pl.DataFrame(
        {"claim_id": ["C-1"], "line_id": ["1"], "member_id": ["M-7"],
         "service_date": [pendulum.date(2025, 3, 4)], "procedure": ["99213"],
         "charge": [Decimal("150.00")], "paid": [Decimal("80.00")],
         "contractual": [Decimal("50.00")], "patient_responsibility": [Decimal("20.00")],
         "adjustment_codes": [["CO-45", "PR-2"]]},
    )  # fmt: skip
    with pytest.raises(ValidationError, match=r"member_id: has no benefits .*\(got 'M-7'\)"):
        check_payments(table, contract, {"M-1": PLANS[0]})
