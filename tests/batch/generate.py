"""Claims generated for the batch-versus-scalar comparisons: every modifier rule and every
multiple procedure family of the CY2025 file, on dates in 2024 and 2025 (five CMS releases,
two conversion factors; 2019 has no release), several localities (the national one too),
places of service and provider kinds, and charges above and below the fee (lesser-of)."""

from __future__ import annotations

import random
from decimal import Decimal

import pendulum
from hypothesis import strategies as st

from fees.builders import claim as build_claim
from medbill import Claim, ClaimLine, ProviderKind
from medbill.fees import Locality, MedicareFeeSchedule

MODIFIERS = (
    "26", "TC", "53", "50", "62", "66", "80", "81", "82", "AS",
    "54", "55", "56", "25", "59", "LT", "RT", "51",
)  # fmt: skip
PLACES = ("11", "11", "11", "22", "21", "19", "02", "12", "24")
LOCALITIES = (
    "10112-00", "13202-01", "01112-75", "06102-99", "02102-01", "00000-00", "99999-99",
)  # fmt: skip
DAYS = (
    pendulum.date(2025, 3, 4),
    pendulum.date(2025, 3, 4),
    pendulum.date(2025, 7, 1),
    pendulum.date(2024, 2, 1),
    pendulum.date(2024, 3, 15),
    pendulum.date(2024, 6, 3),
    pendulum.date(2024, 8, 1),
    pendulum.date(2019, 6, 3),
)
FAMILIES = (
    "43235", "43239", "43249", "45378", "45380", "45385", "29806", "29819",
)  # fmt: skip


def code_pool(schedule: MedicareFeeSchedule) -> list[str]:
    """A few codes of every MULT PROC indicator and status, endoscopy families, odd ones."""
    by_kind: dict[tuple[str, str], list[str]] = {}
    for row in schedule.releases[-1].rows.values():
        if row.modifier == "" and row.code.isalnum() and len(row.code) == 5:
            by_kind.setdefault((row.mult_proc, row.status), []).append(row.code)
    pool = list(FAMILIES)
    rng = random.Random(17)
    for codes in by_kind.values():
        pool.extend(rng.sample(codes, min(6, len(codes))))
    pool += ["99213", "99214", "20610", "27447", "71046", "70450", "97110", "97140", "93306",
             "92134", "96372", "G0117", "36591", "11042", "64483", "A9999"]  # fmt: skip
    return sorted(set(pool))


CHARGES = ("100.00", "35.00", "250.00", "1000.00", "12.34", "99999.00", "60.01")


def _line(
    number: int,
    code: str,
    mods: list[str],
    units: str,
    day: pendulum.Date,
    charge: str = "100.00",
) -> ClaimLine:
    return ClaimLine(
        line_id=str(number),
        procedure=code,
        charge=Decimal(charge),
        diagnosis_pointers=(1,),
        service_date=day,
        modifiers=tuple(mods),
        units=Decimal(units),
    )


@st.composite
def claims(draw: st.DrawFn, pool: list[str], claim_id: str = "c-1") -> tuple[Claim, Locality]:
    """One claim of 1 to 8 lines (mostly on one day), and its locality."""
    count = draw(st.integers(1, 8))
    day = draw(st.sampled_from(DAYS))
    lines = []
    for number in range(1, count + 1):
        code = draw(st.sampled_from(pool))
        mods = draw(st.lists(st.sampled_from(MODIFIERS), max_size=3, unique=True))
        units = draw(st.sampled_from(("1", "1", "1", "2", "3", "1.5")))
        line_day = day if draw(st.integers(0, 5)) else draw(st.sampled_from(DAYS))
        lines.append(_line(number, code, mods, units, line_day, draw(st.sampled_from(CHARGES))))
    place = draw(st.sampled_from(PLACES))
    kind = draw(st.sampled_from((ProviderKind.PHYSICIAN, ProviderKind.NON_PHYSICIAN_PRACTITIONER)))
    locality = Locality.parse(draw(st.sampled_from(LOCALITIES[:-1])))
    return build_claim(*lines, place_of_service=place, kind=kind, claim_id=claim_id), locality


def many_claims(pool: list[str], count: int, seed: int) -> list[tuple[Claim, Locality]]:
    """``count`` claims drawn with a seeded generator (for the large comparison)."""
    rng = random.Random(seed)
    families = [c for c in pool if c in FAMILIES]
    made = []
    for index in range(count):
        day = rng.choice(DAYS)
        lines = []
        size = rng.choice((1, 2, 3, 4, 5, 6, 8, 10))
        for number in range(1, size + 1):
            code = rng.choice(families) if rng.random() < 0.15 else rng.choice(pool)
            mods = rng.sample(MODIFIERS, rng.choice((0, 0, 0, 1, 1, 2, 3)))
            units = rng.choice(("1", "1", "1", "1", "2", "3", "1.5"))
            line_day = day if rng.random() < 0.9 else rng.choice(DAYS)
            lines.append(_line(number, code, mods, units, line_day, rng.choice(CHARGES)))
        kind = rng.choice(
            (ProviderKind.PHYSICIAN,) * 4 + (ProviderKind.NON_PHYSICIAN_PRACTITIONER,)
        )
        made.append(
            (
                build_claim(
                    *lines, place_of_service=rng.choice(PLACES), kind=kind, claim_id=f"c-{index}"
                ),
                Locality.parse(rng.choice(LOCALITIES[:-1])),
            )
        )
    return made
