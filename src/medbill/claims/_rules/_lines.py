"""Line rules: duplicate lines and modifiers that contradict each other."""

from __future__ import annotations

from collections.abc import Iterator

from medbill._encounter import Claim
from medbill.claims._scrub import Finding, ScrubContext, Severity

__all__ = ["conflicting_modifiers", "duplicate_lines"]


def duplicate_lines(claim: Claim, context: ScrubContext) -> Iterator[Finding]:
    """Rule ``duplicate-line``: the same code, modifiers and date billed twice (CARC 18)."""
    seen: dict[tuple[str, frozenset[str], object], int] = {}
    for index, line in enumerate(claim.lines):
        key = (str(line.procedure), frozenset(map(str, line.modifiers)), line.service_date)
        if key in seen:
            yield Finding(
                rule="duplicate-line",
                severity=Severity.ERROR,
                path=f"lines[{index}]",
                message=f"repeats lines[{seen[key]}] ({line.procedure} on {line.service_date})",
                hint="bill one line with the total units, or mark a repeat with 76, 77 or 91",
            )
        else:
            seen[key] = index


# Modifier pairs that cannot share a line: 26 (professional component) with TC (technical
# component) is the global service billed without either; 50 (bilateral) already says
# both sides, so RT or LT contradicts it (Medicare Claims Processing Manual, Pub. 100-04,
# chapter 12, sections 20.4 and 40.7).
_CONFLICTS = (
    ("26", "TC", "bill the global service without 26 or TC, or split into two lines"),
    ("50", "RT", "use 50 alone for a bilateral procedure"),
    ("50", "LT", "use 50 alone for a bilateral procedure"),
)


def conflicting_modifiers(claim: Claim, context: ScrubContext) -> Iterator[Finding]:
    """Rule ``conflicting-modifiers``: 26 with TC, 50 with RT or LT on one line."""
    for index, line in enumerate(claim.lines):
        present = set(map(str, line.modifiers))
        for first, second, hint in _CONFLICTS:
            if first in present and second in present:
                yield Finding(
                    rule="conflicting-modifiers",
                    severity=Severity.ERROR,
                    path=f"lines[{index}].modifiers",
                    message=f"{first} and {second} on one line",
                    hint=hint,
                )
