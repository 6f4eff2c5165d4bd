"""NCCI rules: procedure-to-procedure edits and medically unlikely edits."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from medbill._encounter import Claim
from medbill.claims._ncci import PTP_MODIFIERS
from medbill.claims._scrub import Finding, ScrubContext, Severity

__all__ = ["ncci_mue", "ncci_ptp"]


def ncci_ptp(claim: Claim, context: ScrubContext) -> Iterator[Finding]:
    """Rule ``ncci-ptp``: a column-2 code billed with its column-1 code on the same day.

    Modifier indicator 0: no modifier bypasses the edit. Indicator 1: an NCCI-associated
    modifier on either line of the pair bypasses it (the documentation must support a
    distinct service). Indicator 9: the edit does not apply.
    """
    edits = context.ncci
    if edits is None or not edits.ptp:
        return
    lines = claim.lines
    for i, first in enumerate(lines):
        for j, second in enumerate(lines):
            if i == j or first.service_date != second.service_date:
                continue
            for edit in edits.ptp_edits(
                str(first.procedure), str(second.procedure), first.service_date
            ):
                if edit.modifier_indicator == "9":
                    continue
                modifiers = {str(m) for m in (*first.modifiers, *second.modifiers)}
                if edit.modifier_allowed and modifiers & PTP_MODIFIERS:
                    continue
                if edit.modifier_allowed:
                    hint = (
                        "if the service was distinct (other session, site or encounter), "
                        "append 59 or XE/XP/XS/XU to the column-2 line"
                    )
                else:
                    hint = "remove the column-2 service: no modifier bypasses this edit"
                yield Finding(
                    rule="ncci-ptp",
                    severity=Severity.ERROR,
                    path=f"lines[{j}].procedure",
                    message=f"{edit.column2} is bundled into {edit.column1} "
                    f"(lines[{i}]) on {first.service_date}: NCCI PTP edit, "
                    f"modifier indicator {edit.modifier_indicator}",
                    hint=hint,
                )
                break


def ncci_mue(claim: Claim, context: ScrubContext) -> Iterator[Finding]:
    """Rule ``ncci-mue``: units over the medically unlikely edit (per line or per day)."""
    edits = context.ncci
    if edits is None or not edits.mue:
        return
    per_day: dict[tuple[str, object], tuple[Decimal, int]] = {}
    for index, line in enumerate(claim.lines):
        code = str(line.procedure)
        limit = edits.mue_limit(code)
        if limit is None:
            continue
        if limit.indicator.per_date_of_service:
            units, first = per_day.get((code, line.service_date), (Decimal(0), index))
            per_day[(code, line.service_date)] = (units + line.units, first)
        elif line.units > limit.units:
            yield Finding(
                rule="ncci-mue",
                severity=Severity.ERROR,
                path=f"lines[{index}].units",
                message=f"{line.units} units of {code} on one line; the MUE is "
                f"{limit.units} (MAI 1, per line)",
                hint="bill the excess units on another line with a modifier "
                "only if medically justified",
            )
    for (code, day), (units, first) in per_day.items():
        limit = edits.mue_limit(code)
        if limit is not None and units > limit.units:
            kind = "policy" if limit.indicator.value == "2" else "clinical"
            yield Finding(
                rule="ncci-mue",
                severity=Severity.ERROR,
                path=f"lines[{first}].units",
                message=f"{units} units of {code} on {day}; the MUE is {limit.units} "
                f"per date of service (MAI {limit.indicator.value}, {kind})",
                hint="reduce the units"
                + ("" if kind == "policy" else "; appeal with records if justified"),
            )
