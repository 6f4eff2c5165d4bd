"""price_lines gives MedicareFeeSchedule.price_claim's answers, to the cent, line by line."""

from __future__ import annotations

import os
from collections import Counter

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medbill import Claim, MedbillError
from medbill.batch import lines_table, price_lines
from medbill.fees import Locality, MedicareFeeSchedule

from .generate import claims, code_pool, many_claims


def compare(schedule: MedicareFeeSchedule, batch: list[tuple[Claim, Locality]]) -> Counter[str]:
    """Assert the batch answer of every line equals the scalar one; count what was seen."""
    table = lines_table(
        [claim for claim, _ in batch], locality={str(c.id): loc for c, loc in batch}
    )
    priced = pl.from_arrow(price_lines(table, schedule))
    assert isinstance(priced, pl.DataFrame)
    by_claim = priced.partition_by("claim_id", as_dict=True, maintain_order=True)
    seen: Counter[str] = Counter()
    for claim, locality in batch:
        rows = by_claim[(str(claim.id),)].to_dicts()
        assert [r["line_id"] for r in rows] == [line.line_id for line in claim.lines]
        try:
            expected = schedule.price_claim(claim, locality=locality)
        except MedbillError:
            problems = [r["problem"] for r in rows if r["problem"] is not None]
            assert problems, f"scalar raised for {claim.id} but no batch problem: {rows}"
            seen["problem"] += 1
            continue
        for line, row in zip(expected.lines, rows, strict=True):
            context = (claim.id, line.line_id, line.code, line.modifiers, line.units, row)
            assert row["problem"] is None, context
            assert row["medicare_allowed"] == line.allowed, context
            assert row["payable"] == line.payable, context
            assert row["reason"] == line.reason, context
            assert row["medicare_fee_schedule_amount"] == line.fee_schedule_amount, context
            if row["medicare_lesser_of_charge"]:
                assert line.allowed == line.charge, context
                seen["lesser of charge"] += 1
            seen[f"year {line.service_date.year}"] += 1
            if str(locality) == "00000-00":
                seen["national"] += 1
            seen["payable" if line.payable else "not payable"] += 1
            if row["mppr_group"] is not None:
                seen[f"mppr {row['mppr_group']}"] += 1
            for mod in line.modifiers:
                seen[f"modifier {mod}"] += 1
    return seen


@pytest.fixture(scope="module")
def pool(cy2025: MedicareFeeSchedule) -> list[str]:
    return code_pool(cy2025)


@settings(
    max_examples=int(os.environ.get("MEDBILL_BATCH_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_price_lines_equals_price_claim(
    releases: MedicareFeeSchedule, pool: list[str], data: st.DataObject
) -> None:
    batch = [
        data.draw(claims(pool, claim_id=f"c-{n}")) for n in range(data.draw(st.integers(1, 4)))
    ]
    compare(releases, batch)


def test_100000_lines_equal_price_claim(releases: MedicareFeeSchedule, pool: list[str]) -> None:
    # 21,000 claims of 1 to 10 lines: over 100,000 lines covering every modifier rule
    # and every multiple procedure family.
    batch = many_claims(pool, int(os.environ.get("MEDBILL_BATCH_CLAIMS", "21000")), seed=2025)
    seen = compare(releases, batch)
    for family in ("surgery", "imaging", "therapy", "cardiovascular", "ophthalmology"):
        assert seen[f"mppr {family}"] > 0, seen
    for modifier in ("26", "TC", "53", "50", "62", "80", "AS", "54", "55", "56"):
        assert seen[f"modifier {modifier}"] > 0, seen
    for seen_as in ("problem", "lesser of charge", "year 2024", "year 2025", "national"):
        assert seen[seen_as] > 0, seen
    assert seen["not payable"] > 0, seen
