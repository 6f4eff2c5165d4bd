"""Claim-level multiple procedure payment reductions among lines of one date of service.

Medicare Claims Processing Manual (Pub. 100-04), Chapter 12:
- s. 40.6: multiple surgery (MULT PROC indicator 2): the highest-valued procedure at
  100%, the second to fifth at 50%, ranked by fee after the bilateral adjustment.
  (Procedures after the fifth are priced by the contractor; medbill applies 50% and says
  so in the trace.) Indicator 3 (endoscopy families) is priced as indicator 2 here; the
  endoscopic base rule is not applied and the trace says so.
- s. 220 / CY2012 and CY2017 PFS final rules: diagnostic imaging (indicator 4): the
  technical component of the second and later procedures at 50%, their professional
  component at 95%.
- s. 220.1 / CY2013 PFS: therapy (indicator 5): 50% of the practice-expense portion for
  every unit after the unit with the highest practice-expense payment.

Every unit counts as one procedure. Each reduced portion is paid as the portion times the
percentage, rounded half-up to the cent, replacing the full portion in the line's fee.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Final

from medbill._errors import PricingError
from medbill._money import round_cents

__all__ = ["Occurrence", "apply_reductions"]

SUBSEQUENT_SURGERY: Final = Decimal("0.50")
IMAGING_TC: Final = Decimal("0.50")
IMAGING_PC: Final = Decimal("0.95")
THERAPY_PE: Final = Decimal("0.50")


class Occurrence:
    """One unit of a line taking part in a multiple procedure ranking."""

    __slots__ = ("amount", "fee", "index", "pc", "pe", "steps", "tc")

    def __init__(self, index: int, fee: Decimal, pc: Decimal, tc: Decimal, pe: Decimal) -> None:
        self.index = index
        self.fee = fee
        self.amount = fee
        self.pc = pc
        self.tc = tc
        self.pe = pe
        self.steps: list[tuple[str, str, Decimal]] = []


def whole_units(units: Decimal, code: str) -> int:
    """The number of procedures a line's units count for."""
    if units != units.to_integral_value():
        raise PricingError(
            "units", units, f"must be whole for the multiple procedure rules of {code}"
        )
    return int(units)


def _surgery(occurrences: Sequence[Occurrence], indicator_3: set[int]) -> None:
    ranked = sorted(occurrences, key=lambda o: o.fee, reverse=True)
    total = len(ranked)
    for rank, occ in enumerate(ranked, start=1):
        if total == 1:
            break
        note = " (endoscopic base rule not applied)" if occ.index in indicator_3 else ""
        if rank == 1:
            occ.steps.append(
                ("multiple surgery", f"rank 1 of {total} by fee {occ.fee}: 100%{note}", occ.amount)
            )
            continue
        extra = "; 6th and later are priced by the contractor" if rank > 5 else ""
        occ.amount = round_cents(occ.amount * SUBSEQUENT_SURGERY)
        occ.steps.append(
            (
                "multiple surgery",
                f"rank {rank} of {total} by fee {occ.fee}: 50%{extra}{note}",
                occ.amount,
            )
        )


def _portion(
    occurrences: Sequence[Occurrence], attr: str, factor: Decimal, rule: str, what: str
) -> None:
    parts = [o for o in occurrences if getattr(o, attr) > 0]
    if len(parts) < 2:
        return
    ranked = sorted(parts, key=lambda o: getattr(o, attr), reverse=True)
    for rank, occ in enumerate(ranked[1:], start=2):
        portion: Decimal = getattr(occ, attr)
        paid = round_cents(portion * factor)
        occ.amount = occ.amount - portion + paid
        occ.steps.append(
            (
                rule,
                f"rank {rank} of {len(ranked)}: {what} {portion} at {factor:%} = {paid}",
                occ.amount,
            )
        )


def apply_reductions(groups: dict[str, list[Occurrence]], indicator_3: set[int]) -> None:
    """Rank and reduce each group of occurrences (keys: ``surgery``, ``imaging``,
    ``therapy``) in place."""
    if "surgery" in groups:
        _surgery(groups["surgery"], indicator_3)
    if "imaging" in groups:
        imaging = groups["imaging"]
        _portion(imaging, "tc", IMAGING_TC, "imaging reduction", "technical component")
        _portion(imaging, "pc", IMAGING_PC, "imaging reduction", "professional component")
    if "therapy" in groups:
        _portion(groups["therapy"], "pe", THERAPY_PE, "therapy reduction", "practice expense")
