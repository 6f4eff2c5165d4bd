"""Claim-level multiple procedure payment reductions among lines of one date of service.

Medicare Claims Processing Manual (Pub. 100-04), Chapter 12:
- s. 40.6: multiple surgery (MULT PROC indicator 2): the highest-valued procedure at
  100%, the second to fifth at 50%, ranked by fee after the bilateral adjustment.
  (Procedures after the fifth are priced by the contractor; medbill applies 50% and says
  so in the trace.)
- s. 40.6.2 (endoscopy, indicator 3): within a family (the ENDO BASE code of the file),
  the highest-valued endoscopy is paid in full and each other one at its fee minus the
  base endoscopy's fee (the base code itself then adds nothing); each family's total then
  counts as one procedure in the multiple surgery ranking.
- s. 220 / CY2012 and CY2017 PFS final rules: diagnostic imaging (indicator 4): the
  technical component of the second and later procedures at 50%, their professional
  component at 95%.
- CY2013 PFS final rule: diagnostic cardiovascular services (indicator 6): the technical
  component of the second and later procedures at 75%; diagnostic ophthalmology
  (indicator 7): at 80%. The professional component is not reduced. A global-test-only
  code (PC/TC indicator 4) has no component rows in the file and is not reduced.
- s. 220.1 / CY2013 PFS: therapy (indicator 5): 50% of the practice-expense portion for
  every unit after the unit with the highest practice-expense payment.

Every unit counts as one procedure. Rounding (one rule, as CMS computes these payments):
a reduction that acts on a component (imaging TC/PC, cardiovascular and ophthalmology TC,
therapy PE) works on the unrounded RVU arithmetic, fee = (work x GPCI + PE x GPCI + MP x
GPCI) x CF, and the reduced fee is rounded half-up to the cent once:

    reduced = round((work x GPCI + PE x GPCI x 50% + MP x GPCI) x CF)     (therapy)

Reductions of the whole fee (multiple surgery 50%) apply to the rounded fee and round
again, as the percentage modifiers do. The percentages are plain data (the module's
constants) for the scalar and the batch pricing paths.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Final

from medbill._errors import PricingError
from medbill._money import ZERO, round_cents

__all__ = ["COMPONENT_REDUCTIONS", "MPPR_GROUPS", "Occurrence", "apply_reductions"]

SUBSEQUENT_SURGERY: Final = Decimal("0.50")
IMAGING_TC: Final = Decimal("0.50")
IMAGING_PC: Final = Decimal("0.95")
THERAPY_PE: Final = Decimal("0.50")
CARDIOVASCULAR_TC: Final = Decimal("0.75")
OPHTHALMOLOGY_TC: Final = Decimal("0.80")
_ONE: Final = Decimal(1)

COMPONENT_REDUCTIONS: Final[dict[str, tuple[tuple[str, Decimal], ...]]] = {
    "imaging": (("tc", IMAGING_TC), ("pc", IMAGING_PC)),
    "cardiovascular": (("tc", CARDIOVASCULAR_TC),),
    "ophthalmology": (("tc", OPHTHALMOLOGY_TC),),
    "therapy": (("pe", THERAPY_PE),),
}
"""Group -> the component each later procedure is reduced on, and the share paid (the
scalar and the batch pricing paths read this one table)."""

MPPR_GROUPS: Final = {
    "2": "surgery",
    "3": "surgery",
    "4": "imaging",
    "5": "therapy",
    "6": "cardiovascular",
    "7": "ophthalmology",
}
"""The ranking group of each MULT PROC indicator of the relative value file."""


class Occurrence:
    """One unit of a line taking part in a multiple procedure ranking."""

    __slots__ = (
        "amount",
        "base_fee",
        "exact",
        "family",
        "fee",
        "index",
        "pc",
        "pe",
        "steps",
        "tc",
    )

    def __init__(
        self,
        index: int,
        fee: Decimal,
        pc: Decimal,
        tc: Decimal,
        pe: Decimal,
        family: str | None = None,
        base_fee: Decimal = ZERO,
        exact: Decimal | None = None,
    ) -> None:
        self.index = index
        self.family = family
        self.base_fee = base_fee
        self.fee = fee
        self.amount = fee
        # the unrounded fee the component reductions work on (pc, tc, pe are unrounded)
        self.exact = fee if exact is None else exact
        self.pc = pc
        self.tc = tc
        self.pe = pe
        # (rule, template, arguments, amount): the words are written from the template
        # only when the trace is read (formatting Decimals costs more than the arithmetic)
        self.steps: list[tuple[str, str, tuple[object, ...], Decimal]] = []


def whole_units(units: Decimal, code: str) -> int:
    """The number of procedures a line's units count for."""
    if units != units.to_integral_value():
        raise PricingError(
            "units", units, f"must be whole for the multiple procedure rules of {code}"
        )
    return int(units)


def _endoscopy(family: str, members: list[Occurrence]) -> None:
    ranked = sorted(members, key=lambda o: o.fee, reverse=True)
    if len(ranked) < 2:
        return
    top = ranked[0]
    top.steps.append(
        ("endoscopy family", "{}: highest endoscopy, fee {}: 100%", (family, top.fee), top.amount)
    )
    for occ in ranked[1:]:
        occ.amount = max(occ.amount - occ.base_fee, ZERO)
        occ.steps.append(
            (
                "endoscopy family",
                "{}: fee {} minus base endoscopy {}",
                (family, occ.fee, occ.base_fee),
                occ.amount,
            )
        )


def _surgery(occurrences: Sequence[Occurrence]) -> None:
    procedures: list[list[Occurrence]] = []
    families: dict[str, list[Occurrence]] = {}
    for occ in occurrences:
        if occ.family is None:
            procedures.append([occ])
        else:
            families.setdefault(occ.family, []).append(occ)
    for family, members in families.items():
        _endoscopy(family, members)
        procedures.append(members)
    total = len(procedures)
    if total < 2:
        return
    ranked = sorted(procedures, key=lambda p: sum(o.amount for o in p), reverse=True)
    for rank, procedure in enumerate(ranked, start=1):
        value = sum(o.amount for o in procedure)
        what = f"endoscopy family {procedure[0].family}" if procedure[0].family else "fee"
        for occ in procedure:
            if rank == 1:
                occ.steps.append(
                    (
                        "multiple surgery",
                        "rank 1 of {} by {} {}: 100%",
                        (total, what, value),
                        occ.amount,
                    )
                )
                continue
            extra = "; 6th and later are priced by the contractor" if rank > 5 else ""
            before = occ.amount
            exact = before * SUBSEQUENT_SURGERY
            occ.amount = round_cents(exact)
            occ.steps.append(
                (
                    "multiple surgery",
                    "rank {} of {} by {} {}: {} x 0.50 = {}{}",
                    (rank, total, what, value, before, exact, extra),
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
        before = occ.exact
        occ.exact = before - portion * (_ONE - factor)
        occ.amount = round_cents(occ.exact)
        occ.steps.append(
            (
                rule,
                "rank {} of {}: {} {:.4f} at {:%}: {:.4f} - {:.4f} x {} = {:.4f}",
                (rank, len(ranked), what, portion, factor, before, portion, _ONE - factor,
                 occ.exact),
                occ.amount,
            )
        )  # fmt: skip


_RULES: Final = {
    "imaging": "imaging reduction",
    "cardiovascular": "diagnostic cardiovascular reduction",
    "ophthalmology": "diagnostic ophthalmology reduction",
    "therapy": "therapy reduction",
}
_WHAT: Final = {
    "tc": "technical component",
    "pc": "professional component",
    "pe": "practice expense",
}


def apply_reductions(groups: dict[str, list[Occurrence]]) -> None:
    """Rank and reduce each group of occurrences (keys: ``surgery``, ``imaging``,
    ``cardiovascular``, ``ophthalmology``, ``therapy``) in place."""
    if "surgery" in groups:
        _surgery(groups["surgery"])
    for group, reductions in COMPONENT_REDUCTIONS.items():
        if group in groups:
            for attr, factor in reductions:
                _portion(groups[group], attr, factor, _RULES[group], _WHAT[attr])
