"""The ICD-10-CM Tabular List as CDC/NCHS publishes it (``icd10cm-tabular-YYYY.xml``).

The XML holds every chapter, section (block) and code with its instructional notes. From
it medbill takes the code list (a ``diag`` without child ``diag`` is billable; where a
``sevenChrDef`` applies, the billable codes are the leaf padded with the placeholder ``X``
to six characters plus each 7th character, ICD-10-CM Official Guidelines I.A.5 and
I.B.1) and the notes that tie codes to a patient's sex or age:

- a chapter or category note that the codes are for the maternal record only (chapter 15
  "for use only on maternal records", Z3A, Z37) means a female patient who is not a newborn;
- a note that they are for the newborn record (chapter 16, Z38) means a newborn, the first
  28 days after birth (chapter 16's includes note). Chapter 16 adds "even if morbidity
  occurs later": such a code on an older patient is suspicious, not wrong; Z38 is for the
  "initial birth record only";
- a section titled for the female or male genital organs (C51-C58, C60-C63, N40-N53,
  N70-N77, N80-N98) means a patient of that sex.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from typing import NamedTuple

from medbill._enums import MedbillEnum
from medbill._errors import CodeError, ParseError
from medbill.codes._icd10 import Icd10Cm

__all__ = ["Icd10Note", "Icd10NoteKind", "read_icd10_tabular"]


class Icd10NoteKind(MedbillEnum):
    """What an ICD-10-CM note restricts."""

    FEMALE = "female"
    MALE = "male"
    MATERNAL = "maternal"
    NEWBORN = "newborn"
    NEWBORN_INITIAL_RECORD = "newborn-initial-record"


class Icd10Note(NamedTuple):
    """A sex or age restriction of the Tabular List, with where it is written and its text."""

    kind: Icd10NoteKind
    scope: str
    """Where the note stands: ``chapter 15``, ``section N40-N53``, ``category Z38``."""
    text: str


class TabularContent(NamedTuple):
    version: str
    billable: list[str]
    headers: list[str]
    notes: dict[str, tuple[Icd10Note, ...]]
    outside_format: list[str]


_NEGATED = re.compile(r"\b(not|never)\b", re.IGNORECASE)
_MATERNAL = re.compile(r"maternal record|mother's record", re.IGNORECASE)
_NEWBORN = re.compile(r"newborn record|record of a newborn", re.IGNORECASE)
_FEMALE = re.compile(r"\bfemale\b", re.IGNORECASE)
_MALE = re.compile(r"\bmale\b", re.IGNORECASE)


def _note_kinds(text: str) -> list[Icd10NoteKind]:
    kinds: list[Icd10NoteKind] = []
    for clause in re.split(r"[.,;]", text):
        if _NEGATED.search(clause):
            continue
        if _MATERNAL.search(clause):
            kinds.append(Icd10NoteKind.MATERNAL)
        elif _NEWBORN.search(clause):
            initial = "initial" in text.lower()
            kinds.append(Icd10NoteKind.NEWBORN_INITIAL_RECORD if initial else Icd10NoteKind.NEWBORN)
    return kinds


def _own_notes(element: ET.Element, scope: str) -> list[Icd10Note]:
    found: list[Icd10Note] = []
    for holder in ("notes", "inclusionTerm"):
        for group in element.findall(holder):
            for note in group.findall("note"):
                text = " ".join((note.text or "").split())
                found.extend(Icd10Note(kind, scope, text) for kind in _note_kinds(text))
    return found


def _section_notes(section: ET.Element) -> list[Icd10Note]:
    desc = " ".join((section.findtext("desc") or "").split())
    scope = f"section {section.get('id', '')}"
    notes = _own_notes(section, scope)
    if _FEMALE.search(desc):
        notes.append(Icd10Note(Icd10NoteKind.FEMALE, scope, desc))
    elif _MALE.search(desc):
        notes.append(Icd10Note(Icd10NoteKind.MALE, scope, desc))
    return notes


# A 7th-character note may exclude some characters for some 6th characters (category S06:
# "7th characters D and S do not apply to codes in category S06 with 6th character 7 ...,
# or 8 ..."); those codes do not exist.
_EXCLUDED_7TH = re.compile(
    r"7th characters? ((?:[A-Z](?:, | and | or )?)+) do(?:es)? not apply to codes in category "
    r"\w+ with 6th characters? (\d)(?:.*?, or (\d))?"
)


def _seven_rule(diag: ET.Element, definition: ET.Element) -> tuple[list[str], set[str]]:
    characters = [e.get("char", "") for e in definition.findall("extension")]
    excluded: set[str] = set()
    holders = [*diag.findall("sevenChrNote"), *diag.findall("notes")]
    for text in [n.text or "" for holder in holders for n in holder.findall("note")]:
        match = _EXCLUDED_7TH.search(text)
        if match:
            letters = re.findall(r"[A-Z]", match.group(1))
            sixths = [d for d in match.groups()[1:] if d]
            excluded |= {s + c for s in sixths for c in letters}
    return characters, excluded


def _seven(code: str, rule: tuple[list[str], set[str]]) -> list[str]:
    bare = code.replace(".", "").ljust(6, "X")
    characters, excluded = rule
    return [bare + c for c in characters if bare[5] + c not in excluded]


def read_icd10_tabular(path: str | os.PathLike[str]) -> TabularContent:
    """Read the code list and sex/age notes of a CDC ICD-10-CM Tabular List XML file."""
    location = os.fspath(path)
    try:
        root = ET.parse(location).getroot()
    except (ET.ParseError, OSError) as error:
        raise ParseError(
            f"not a readable Tabular List XML file: {error}", location=location
        ) from None
    if root.tag != "ICD10CM.tabular":
        raise ParseError(f"root element is {root.tag!r}, not ICD10CM.tabular", location=location)
    billable: list[str] = []
    headers: list[str] = []
    notes: dict[str, tuple[Icd10Note, ...]] = {}
    outside: list[str] = []

    def walk(
        diag: ET.Element, inherited: list[Icd10Note], seventh: tuple[list[str], set[str]]
    ) -> None:
        name = (diag.findtext("name") or "").strip()
        try:
            code = str(Icd10Cm(name))
        except CodeError:
            outside.append(name)  # e.g. the FY2026 "QA0x" codes: reported, not dropped silently
            return
        scope = f"{'category' if len(code) == 3 else 'code'} {code}"
        own = _own_notes(diag, scope)
        mine = inherited + own
        if mine:
            notes[code] = tuple(mine)
        definition = diag.find("sevenChrDef")
        if definition is not None:
            seventh = _seven_rule(diag, definition)
        children = diag.findall("diag")
        if children:
            headers.append(code)
            for child in children:
                walk(child, mine, seventh)
        elif seventh[0]:
            headers.append(code)
            billable.extend(_seven(code, seventh))
        else:
            billable.append(code)

    for chapter in root.findall("chapter"):
        chapter_notes = _own_notes(chapter, f"chapter {chapter.findtext('name', '').strip()}")
        for section in chapter.findall("section"):
            section_notes = chapter_notes + _section_notes(section)
            for diag in section.findall("diag"):
                walk(diag, section_notes, ([], set()))
    version = (root.findtext("version") or "").strip()
    return TabularContent(version, billable, headers, notes, outside)
