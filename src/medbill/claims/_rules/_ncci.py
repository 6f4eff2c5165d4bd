"""NCCI rules: procedure-to-procedure edits, medically unlikely edits, add-on code edits.

Sources: NCCI Policy Manual for Medicare Services, chapter I, section E (modifiers and
modifier indicators), R (add-on codes) and V (medically unlikely edits); the CMS pages
"Medicare NCCI Add-on Code Edits" and "Medically Unlikely Edits"; the MLN fact sheet
"Proper Use of Modifiers 59 & -X{EPSU}".
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from medbill._encounter import Claim, ClaimLine
from medbill.claims._ncci import (
    ANATOMIC_MODIFIERS,
    DISTINCT_SERVICE_MODIFIERS,
    PTP_MODIFIERS,
    AocEdit,
    NcciEdits,
    PtpEdit,
)
from medbill.claims._scrub import Finding, ScrubContext, Severity

__all__ = ["ncci_aoc", "ncci_mue", "ncci_ptp"]

_OTHER_BYPASS = PTP_MODIFIERS - ANATOMIC_MODIFIERS - DISTINCT_SERVICE_MODIFIERS
_SECTION_E = "NCCI Policy Manual, chapter I, section E"


def _table(edits: NcciEdits) -> str:
    return f" ({edits.source})" if edits.source else ""


def _bypass(edit: PtpEdit, column1: ClaimLine, column2: ClaimLine) -> tuple[bool, str]:
    """Whether the modifiers bypass ``edit``; otherwise the reason they do not."""
    if edit.modifier_indicator == "9":
        return True, ""
    if not edit.modifier_allowed:
        return False, "remove the column-2 service: no modifier bypasses this edit (indicator 0)"
    first = {str(m) for m in column1.modifiers}
    second = {str(m) for m in column2.modifiers}
    if second & DISTINCT_SERVICE_MODIFIERS or (first | second) & _OTHER_BYPASS:
        return True, ""
    sites1, sites2 = first & ANATOMIC_MODIFIERS, second & ANATOMIC_MODIFIERS
    if sites1 and sites2 and not sites1 & sites2:
        return True, ""
    if first & DISTINCT_SERVICE_MODIFIERS:
        return False, (
            f"{', '.join(sorted(first & DISTINCT_SERVICE_MODIFIERS))} is on the column-1 code; "
            f"59 and X{{EPSU}} belong on the column-2 code {edit.column2} ({_SECTION_E}.1)"
        )
    if sites1 & sites2:
        return False, (
            f"the same anatomic modifier {', '.join(sorted(sites1 & sites2))} on both codes "
            f"is one site; an anatomic modifier bypasses only when the sites differ ({_SECTION_E})"
        )
    return False, (
        "if the service was distinct (other session, site or encounter), append 59 or "
        "XE/XP/XS/XU to the column-2 line, or different anatomic modifiers to both"
    )


def ncci_ptp(claim: Claim, context: ScrubContext) -> Iterator[Finding]:
    """Rule ``ncci-ptp``: a column-2 code billed with its column-1 code on the same day.

    Modifier indicator 0: no modifier bypasses the edit. Indicator 1: 59 or X{EPSU} on the
    column-2 code, a global-surgery or other NCCI modifier (24, 25, 27, 57, 58, 78, 79,
    91) on either code, or different anatomic modifiers on the two codes bypass it (the
    documentation must support a distinct service). Indicator 9: the edit does not apply.
    """
    edits = context.ncci
    if edits is None or not edits.ptp:
        return
    lines = claim.lines
    codes = [str(line.procedure) for line in lines]
    for i, first in enumerate(lines):
        for j, second in enumerate(lines):
            if i == j or first.service_date != second.service_date:
                continue
            if (codes[i], codes[j]) not in edits.ptp:
                continue
            for edit in edits.ptp_edits(codes[i], codes[j], first.service_date):
                bypassed, hint = _bypass(edit, first, second)
                if bypassed:
                    continue
                yield Finding(
                    rule="ncci-ptp",
                    severity=Severity.ERROR,
                    path=f"lines[{j}].procedure",
                    message=f"{edit.column2} is bundled into {edit.column1} "
                    f"(lines[{i}]) on {first.service_date}: NCCI PTP edit{_table(edits)}, "
                    f"modifier indicator {edit.modifier_indicator}",
                    hint=hint,
                )
                break


def ncci_mue(claim: Claim, context: ScrubContext) -> Iterator[Finding]:
    """Rule ``ncci-mue``: units over the medically unlikely edit in force on the date of
    service (per line for MAI 1, per date of service for MAI 2 and 3)."""
    edits = context.ncci
    if edits is None or not (edits.mue or edits.mue_releases):
        return
    per_day: dict[tuple[str, object], tuple[Decimal, int]] = {}
    for index, line in enumerate(claim.lines):
        code = str(line.procedure)
        limit = edits.mue_limit(code, line.service_date)
        if limit is None:
            continue
        if limit.indicator.per_date_of_service:
            units, first = per_day.get((code, line.service_date), (Decimal(0), index))
            per_day[(code, line.service_date)] = (units + line.units, first)
        elif line.units > limit.units:
            label = edits.mue_label(line.service_date)
            yield Finding(
                rule="ncci-mue",
                severity=Severity.ERROR,
                path=f"lines[{index}].units",
                message=f"{line.units} units of {code} on one line; the MUE is "
                f"{limit.units} (MAI 1, per line{', ' + label if label else ''})",
                hint="bill the excess units on another line with a modifier "
                "only if medically justified",
            )
    for (code, day), (units, first) in per_day.items():
        line_day = claim.lines[first].service_date
        limit = edits.mue_limit(code, line_day)
        if limit is not None and units > limit.units:
            kind = "policy" if limit.indicator.value == "2" else "clinical"
            label = edits.mue_label(line_day)
            yield Finding(
                rule="ncci-mue",
                severity=Severity.ERROR,
                path=f"lines[{first}].units",
                message=f"{units} units of {code} on {day}; the MUE is {limit.units} "
                f"per date of service (MAI {limit.indicator.value}, {kind}"
                f"{', ' + label if label else ''})",
                hint="reduce the units"
                + ("" if kind == "policy" else "; appeal with records if justified"),
            )


def _aoc_finding(
    index: int,
    code: str,
    day: object,
    edits: list[AocEdit],
    severity: Severity,
    why: str,
    source: str,
) -> Finding:
    listed = sorted({e.primary for e in edits if e.primary != "CCCCC"})
    shown = ", ".join(listed[:8]) + (f" and {len(listed) - 8} more" if len(listed) > 8 else "")
    kind = edits[0].type.value
    return Finding(
        rule="ncci-aoc",
        severity=severity,
        path=f"lines[{index}].procedure",
        message=f"add-on code {code} on {day} {why}: NCCI add-on code edit type {kind}{source}",
        hint=(f"bill it with its primary procedure ({shown}) on the same day, or remove it"
              if listed else "bill it with the primary procedure it adds to, or remove it"),
    )  # fmt: skip


def ncci_aoc(claim: Claim, context: ScrubContext) -> Iterator[Finding]:
    """Rule ``ncci-aoc``: an add-on code needs its primary procedure on the same date.

    Type 1: an error unless one of the listed primaries is on the claim that day. Type 2
    (no list; primary ``CCCCC``): an error only when no other procedure is billed that
    day. Type 3: an error when billed alone, a warning when the listed primaries are
    missing but another procedure is there (the contractor may accept it).
    """
    edits = context.ncci
    if edits is None or not edits.aoc:
        return
    by_day: dict[object, set[str]] = {}
    for line in claim.lines:
        by_day.setdefault(line.service_date, set()).add(str(line.procedure))
    source = _table(edits)
    for index, line in enumerate(claim.lines):
        code = str(line.procedure)
        if code not in edits.aoc:
            continue
        found = edits.aoc_edits(code, line.service_date)
        if not found:
            continue
        codes = by_day[line.service_date]
        if any(e.primary in codes for e in found):
            continue
        others = {c for c in codes if c not in edits.aoc}
        kind = found[0].type
        if kind.requires_listed_primary:
            yield _aoc_finding(index, code, line.service_date, found, Severity.ERROR,
                               "has none of its listed primary codes", source)  # fmt: skip
        elif not others:
            yield _aoc_finding(index, code, line.service_date, found, Severity.ERROR,
                               "is billed without any primary procedure", source)  # fmt: skip
        elif kind.value == "3":
            yield _aoc_finding(index, code, line.service_date, found, Severity.WARNING,
                               "has none of the primary codes CMS lists (the contractor may accept others)", source)  # fmt: skip
