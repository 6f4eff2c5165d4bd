"""Code-set rules: codes and modifiers in force on the date of service, what the PPRRVU
indicators allow (PC/TC, global surgery, setting), and ICD-10-CM sex and age notes.

All of them need ``code_sets`` (a :class:`~medbill.claims.CodeSets`); without it, or for a
date no loaded release covers, they stay silent.
"""

from __future__ import annotations

from collections.abc import Iterator

import pendulum

from medbill._common import Sex
from medbill._encounter import Claim, ClaimLine
from medbill.claims._code_sets import CodeSetsOn
from medbill.claims._scrub import Finding, ScrubContext, Severity
from medbill.codes import Icd10NoteKind

__all__ = [
    "code_in_force",
    "diagnosis_required",
    "diagnosis_sex_age",
    "global_surgery",
    "modifier_valid",
    "pctc_modifiers",
    "place_of_service_setting",
]

_ERROR = Severity.ERROR


def _on(context: ScrubContext, line: ClaimLine) -> CodeSetsOn | None:
    sets = context.code_sets
    return None if sets is None else sets.on(line.service_date)


def code_in_force(claim: Claim, context: ScrubContext) -> Iterator[Finding]:
    """Rule ``code-not-in-force``: each procedure and diagnosis valid and billable on its date
    of service (HCPCS add/termination dates, the PPRRVU release, the ICD-10-CM fiscal year)."""
    if context.code_sets is None:
        return
    for index, line in enumerate(claim.lines):
        day = context.code_sets.on(line.service_date)
        status = day.procedure(str(line.procedure))
        if status.known and not status.billable:
            yield Finding(
                rule="code-not-in-force",
                severity=_ERROR,
                path=f"lines[{index}].procedure",
                message=f"{line.procedure} on {line.service_date}: {status.reason} ({status.source})",
                hint="use the code in force on the date of service (see the code set's "
                "replacement or crosswalk)",
            )
    seen: set[tuple[int, pendulum.Date]] = set()
    for line in claim.lines:
        day = context.code_sets.on(line.service_date)
        for pointer in line.diagnosis_pointers:
            if not 1 <= pointer <= len(claim.diagnoses) or (pointer, line.service_date) in seen:
                continue
            seen.add((pointer, line.service_date))
            diagnosis = claim.diagnoses[pointer - 1]
            status = day.diagnosis(str(diagnosis))
            if status.known and not status.billable:
                yield Finding(
                    rule="code-not-in-force",
                    severity=_ERROR,
                    path=f"diagnoses[{pointer - 1}]",
                    message=f"{diagnosis} on {line.service_date}: {status.reason} ({status.source})",
                    hint="code to the highest specificity in the fiscal year's code list",
                )


def modifier_valid(claim: Claim, context: ScrubContext) -> Iterator[Finding]:
    """Rule ``modifier-invalid``: every modifier is on the modifier list loaded."""
    for index, line in enumerate(claim.lines):
        day = _on(context, line)
        if day is None or day.modifiers is None:
            return
        for position, modifier in enumerate(line.modifiers):
            status = day.modifier(str(modifier))
            if not status.valid:
                yield Finding(
                    rule="modifier-invalid",
                    severity=_ERROR,
                    path=f"lines[{index}].modifiers[{position}]",
                    message=f"{modifier} is not on the modifier list ({status.source})",
                    hint="use a HCPCS Level I or II modifier in force, or remove it",
                )


def diagnosis_required(claim: Claim, context: ScrubContext) -> Iterator[Finding]:
    """Rule ``diagnosis-required``: each line points at a diagnosis billable on its date."""
    for index, line in enumerate(claim.lines):
        day = _on(context, line)
        if day is None or day.icd10 is None:
            continue
        usable = [
            p
            for p in line.diagnosis_pointers
            if 1 <= p <= len(claim.diagnoses)
            and day.diagnosis(str(claim.diagnoses[p - 1])).billable
        ]
        if not usable:
            yield Finding(
                rule="diagnosis-required",
                severity=_ERROR,
                path=f"lines[{index}].diagnosis_pointers",
                message=f"the line points at no diagnosis billable on {line.service_date} "
                f"({day.icd10.label})",
                hint="point the line at the diagnosis that supports the service, coded in the "
                "fiscal year's code list",
            )


# PPRRVU "PCTC IND" (RVU25A README; Pub. 100-04, chapter 12, section 20.4.3): 26 applies to
# diagnostic tests with both components (1) and to laboratory physician interpretation
# codes (6, 8); TC only to indicator 1. Every other indicator takes neither.
_PCTC_ALLOWS = {"26": {"1", "6", "8"}, "TC": {"1"}}
_PCTC_MEANING = {
    "0": "a physician service: 26 and TC do not apply",
    "1": "a diagnostic test with professional and technical components",
    "2": "a professional-component-only code: 26 and TC do not apply",
    "3": "a technical-component-only code: 26 and TC do not apply",
    "4": "a global-test-only code: bill the component codes instead of 26 or TC",
    "5": "an incident-to code: 26 and TC do not apply",
    "6": "a laboratory physician interpretation code: TC does not apply",
    "7": "a physical therapy service: 26 and TC do not apply",
    "8": "a physician interpretation code: TC does not apply",
    "9": "a code where the component concept does not apply",
}


def pctc_modifiers(claim: Claim, context: ScrubContext) -> Iterator[Finding]:
    """Rule ``pctc-modifier``: 26 or TC only where the PPRRVU PC/TC indicator allows it."""
    for index, line in enumerate(claim.lines):
        day = _on(context, line)
        row = None if day is None else day.rvu(str(line.procedure))
        if day is None or row is None:
            continue
        for position, modifier in enumerate(line.modifiers):
            allowed = _PCTC_ALLOWS.get(str(modifier))
            if allowed is None or row.pctc in allowed:
                continue
            yield Finding(
                rule="pctc-modifier",
                severity=_ERROR,
                path=f"lines[{index}].modifiers[{position}]",
                message=f"{modifier} on {line.procedure}, PC/TC indicator {row.pctc}: "
                f"{_PCTC_MEANING.get(row.pctc, 'unknown indicator')} ({day.rvu_source()})",
                hint=f"remove {modifier} and bill the code as defined",
            )


def _is_evaluation_and_management(code: str) -> bool:
    return code.isdigit() and 99202 <= int(code) <= 99499


# Days before and after the surgery in its global period, by GLOB DAYS (printed "090" or "90").
_GLOBAL_WINDOW = {0: (0, 0), 10: (0, 10), 90: (1, 90)}
_GLOBAL_MODIFIERS = {"24", "25", "57"}


def global_surgery(claim: Claim, context: ScrubContext) -> Iterator[Finding]:
    """Rule ``global-surgery``: an E/M inside a surgery's global period needs 24, 25 or 57.

    The global period (PPRRVU GLOB DAYS; Pub. 100-04, chapter 12, sections 40.1-40.2): a
    major surgery (090) covers the day before, the day of and 90 days after; a minor one
    (010) the day of and 10 days after; an endoscopy or minor procedure (000) the day of.
    Surgeries on ``history`` claims count too.
    """
    if context.code_sets is None:
        return
    surgeries: list[tuple[pendulum.Date, str, int, str]] = []
    for other in (claim, *context.history):
        for index, line in enumerate(other.lines):
            row = context.code_sets.on(line.service_date).rvu(str(line.procedure))
            days = int(row.global_days) if row is not None and row.global_days.isdigit() else -1
            if days in _GLOBAL_WINDOW:
                where = f"lines[{index}]" if other is claim else f"claim {other.id}"
                surgeries.append((line.service_date, str(line.procedure), days, where))
    if not surgeries:
        return
    for index, line in enumerate(claim.lines):
        code = str(line.procedure)
        if not _is_evaluation_and_management(code):
            continue
        if _GLOBAL_MODIFIERS & {str(m) for m in line.modifiers}:
            continue
        for day, surgery, days, where in surgeries:
            before, after = _GLOBAL_WINDOW[days]
            offset = line.service_date.toordinal() - day.toordinal()
            if not -before <= offset <= after:
                continue
            if line.service_date < day:
                hint = "57 if this visit is the decision for surgery"
            elif line.service_date == day:
                hint = "25 for a significant, separately identifiable E/M" + (
                    ", 57 for the decision for major surgery" if days == 90 else ""
                )
            else:
                hint = "24 for an E/M unrelated to the surgery during the post-operative period"
            yield Finding(
                rule="global-surgery",
                severity=_ERROR,
                path=f"lines[{index}].modifiers",
                message=f"E/M {code} on {line.service_date} is inside the {days:03d}-day global "
                f"period of {surgery} on {day} ({where}; Pub. 100-04, chapter 12, section 40.1)",
                hint=f"append {hint}; otherwise the visit is part of the surgical package",
            )
            break


def place_of_service_setting(claim: Claim, context: ScrubContext) -> Iterator[Finding]:
    """Rule ``place-of-service``: a code the PPRRVU marks NA in the non-facility setting
    (facility only) is not billed with an office or other non-facility place of service."""
    for index, line in enumerate(claim.lines):
        day = _on(context, line)
        row = None if day is None else day.rvu(str(line.procedure))
        if day is None or row is None or not row.nonfacility_na:
            continue
        place = line.place_of_service or claim.place_of_service
        if place.is_facility:
            continue
        yield Finding(
            rule="place-of-service",
            severity=_ERROR,
            path=f"lines[{index}].place_of_service"
            if line.place_of_service
            else "place_of_service",
            message=f"{line.procedure} is a facility-only service (non-facility PE NA in "
            f"{day.rvu_source()}) billed with place of service {place} ({place.name})",
            hint="bill the place of service where it was given (Pub. 100-04, chapter 12, "
            "section 20.4.2)",
        )


def _age_days(claim: Claim, day: pendulum.Date) -> int:
    return day.toordinal() - claim.patient.birth_date.toordinal()


_NEWBORN_DAYS = 28  # chapter 16 includes note: "the first 28 days after birth"


def diagnosis_sex_age(claim: Claim, context: ScrubContext) -> Iterator[Finding]:
    """Rules ``diagnosis-sex`` and ``diagnosis-age``: the ICD-10-CM Tabular List's own notes.

    A maternal-record code (chapter 15, Z3A, Z37) needs a female patient who is not a
    newborn; a code of a female or male genital organ section, a patient of that sex; a
    newborn-record code (chapter 16: a warning past 28 days, as "morbidity may occur
    later"; Z38 "initial birth record only": an error).
    """
    if context.code_sets is None:
        return
    sex = claim.patient.sex
    first = claim.service_dates[0]
    release = context.code_sets.on(first).icd10
    if release is None:
        return
    age = _age_days(claim, first)
    for index, diagnosis in enumerate(claim.diagnoses):
        for note in release.table.notes(str(diagnosis)):
            cited = f'ICD-10-CM {release.label}, {note.scope}: "{note.text}"'
            kind = note.kind
            if (kind is Icd10NoteKind.MALE and sex is Sex.FEMALE) or (
                kind in (Icd10NoteKind.FEMALE, Icd10NoteKind.MATERNAL) and sex is Sex.MALE
            ):
                yield Finding(
                    rule="diagnosis-sex",
                    severity=_ERROR,
                    path=f"diagnoses[{index}]",
                    message=f"{diagnosis} conflicts with the patient's sex {sex.value} ({cited})",
                    hint="check the diagnosis and the patient's recorded sex",
                )
            elif kind is Icd10NoteKind.MATERNAL and age <= _NEWBORN_DAYS:
                yield Finding(
                    rule="diagnosis-age",
                    severity=_ERROR,
                    path=f"diagnoses[{index}]",
                    message=f"{diagnosis} is for the maternal record; the patient is a "
                    f"newborn (28 days old or younger) ({cited})",
                    hint="code the newborn's own conditions (chapter 16 or Z38)",
                )
            elif kind is Icd10NoteKind.NEWBORN_INITIAL_RECORD and age > _NEWBORN_DAYS:
                yield Finding(
                    rule="diagnosis-age",
                    severity=_ERROR,
                    path=f"diagnoses[{index}]",
                    message=f"{diagnosis} is for a newborn's initial birth record; the patient "
                    f"is older than 28 days ({cited})",
                    hint="remove the liveborn-infant code after the birth episode",
                )
            elif kind is Icd10NoteKind.NEWBORN and age > _NEWBORN_DAYS:
                yield Finding(
                    rule="diagnosis-age",
                    severity=Severity.WARNING,
                    path=f"diagnoses[{index}]",
                    message=f"{diagnosis} is a newborn-record (perinatal) code; the patient is "
                    f"older than 28 days ({cited})",
                    hint="keep it only for a perinatal condition that persists; otherwise code "
                    "the current condition",
                )
            else:
                continue
            break
