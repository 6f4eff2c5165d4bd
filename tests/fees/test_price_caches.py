"""price_claim's caches (cells by date, multiple-procedure outcomes kept per group of
lines, lesser-of outcomes kept per finished amount and charge) give the answers a
schedule with empty caches gives, to the cent and word for word, and a schedule built
with ``extended`` never reuses another schedule's cached answers."""

from __future__ import annotations

import random
from decimal import Decimal

import attrs
import pendulum

from medbill import Claim
from medbill.fees import Locality, MedicareFeeSchedule, PricedClaim

from .builders import claim, line

MIX = [
    ("99213", (), 1),
    ("99214", (), 1),
    ("36415", (), 1),
    ("71046", (), 1),
    ("71046", ("26",), 1),
    ("70450", (), 1),
    ("74177", ("26",), 1),
    ("97110", (), 2),
    ("97140", (), 1),
    ("97530", (), 2),
    ("20610", (), 1),
    ("20610", ("50",), 1),
    ("11042", (), 1),
    ("64483", (), 1),
    ("J1100", (), 1),
]
CHARGES = ["9999.00", "40.00", "25.00", "120.00"]  # some below the fee: the charge wins
DAYS = [pendulum.date(2024, 2, 6), pendulum.date(2024, 3, 19), pendulum.date(2024, 9, 10)]
LOCALITIES = [Locality.parse("10112-00"), Locality.parse("13202-01")]


def _claims(count: int, seed: int) -> list[tuple[Claim, Locality]]:
    rng = random.Random(seed)
    made: list[tuple[Claim, Locality]] = []
    for number in range(count):
        day = DAYS[number % len(DAYS)]
        lines = [
            line(str(i + 1), code, modifiers=mods, units=units, charge=rng.choice(CHARGES), day=day)
            for i, (code, mods, units) in enumerate(
                rng.choice(MIX) for _ in range(rng.randint(1, 8))
            )
        ]
        made.append(
            (claim(*lines, place_of_service=rng.choice(["11", "22"])), rng.choice(LOCALITIES))
        )
    return made


def _same(cached: PricedClaim, plain: PricedClaim) -> None:
    assert cached == plain  # every field, the traces by their steps
    for a, b in zip(cached.lines, plain.lines, strict=True):
        assert attrs.astuple(a, recurse=False) == attrs.astuple(b, recurse=False)
        assert str(a.trace) == str(b.trace)


def test_cached_answers_equal_a_fresh_schedule_per_claim(cy2024: MedicareFeeSchedule) -> None:
    warm = cy2024.extended()  # caches of its own, filled by every claim below
    claims = _claims(60, seed=12)
    for bill, locality in claims * 2:  # the second round answers from the caches
        for lesser in (True, False):
            cached = warm.price_claim(bill, locality=locality, lesser_of_charge=lesser)
            plain = cy2024.extended().price_claim(  # empty caches: the plain path
                bill,
                locality=locality,
                lesser_of_charge=lesser,
            )
            _same(cached, plain)


def test_extended_schedule_does_not_reuse_cached_answers(cy2024: MedicareFeeSchedule) -> None:
    base = cy2024.extended()
    bill = claim(
        line("1", "97110", units=2, charge="40.00", day=DAYS[2]),
        line("2", "97140", day=DAYS[2]),
        line("3", "99213", day=DAYS[2]),
    )
    alabama = LOCALITIES[0]
    before = base.price_claim(bill, locality=alabama)
    # 97110 and 99213 with more work RVUs: the extended schedule must price them anew
    rows = [
        attrs.evolve(base.row(code, service_date=DAYS[2]), work=Decimal("3.00"))
        for code in ("97110", "99213")
    ]
    bigger = base.extended(rows=rows)
    after = bigger.price_claim(bill, locality=alabama)
    assert after.line("3").allowed > before.line("3").allowed
    assert after.line("1").fee_schedule_amount != before.line("1").fee_schedule_amount
    _same(after, bigger.extended().price_claim(bill, locality=alabama))
    _same(base.price_claim(bill, locality=alabama), before)  # the base keeps its answers


def test_ranked_traces_read_in_any_order_say_the_same(cy2024: MedicareFeeSchedule) -> None:
    # A ranked line's trace is written when read, by running its group's ranking again
    # (the cached outcome keeps no occurrences): the order the traces are read in, and
    # whether another claim shares the outcome, changes nothing.
    bills = _claims(40, seed=29)
    warm = cy2024.extended()
    forward = [warm.price_claim(bill, locality=locality) for bill, locality in bills]
    again = [warm.price_claim(bill, locality=locality) for bill, locality in bills]
    fresh = cy2024.extended()
    backward = [fresh.price_claim(bill, locality=locality) for bill, locality in bills]
    words = [[str(x.trace) for x in priced.lines] for priced in forward]
    for priced in reversed(backward):
        for x in reversed(priced.lines):
            assert x.trace.steps  # read last line first
    assert [[str(x.trace) for x in p.lines] for p in backward] == words
    assert [[str(x.trace) for x in p.lines] for p in again] == words
    assert any("multiple surgery" in text or "reduction" in text for row in words for text in row)
