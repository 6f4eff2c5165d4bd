"""Code sets in force on the date of service: HCPCS Level II, CPT (PPRRVU), ICD-10-CM, modifiers.

Each set is loaded from the file CMS or CDC publishes, release by release, and answers for
a date: :meth:`CodeSets.on` gives the sets in force that day, and each of its questions
returns a :class:`CodeStatus` (valid, billable, why not, which file said so).

- **HCPCS Level II** (a letter and four digits): the HCPCS file's add date and termination
  date (CMS "HCPCS Quarterly Update" record layout: ``ADD DT``, ``TERM DT``; the file's
  termination date is the last day the code may be used).
- **CPT** (and the HCPCS codes the fee schedule prices): the PPRRVU relative value file in
  force. A code absent from it, or with status D (deleted), F (deleted, no grace period),
  G or I (not valid for Medicare: Medicare uses another code), is invalid on that date;
  status B and P (bundled) is valid but never billed on its own (PPRRVU README, status
  codes). Anesthesia codes (00100-01999, priced from the anesthesia file) and PLA codes
  (``U``, clinical laboratory fee schedule) are not in the PPRRVU file and are not judged by it.
- **ICD-10-CM** by fiscal year: the FY release is in force from October 1 of the year
  before through September 30 (an April 1 update is a release of its own).
- **Modifiers**: a list (HCPCS Level I and II modifiers).

A new quarter is one call (``sets = sets.with_pprrvu(path)``); nothing is hard-coded.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Generic, NamedTuple, TypeVar

import attrs
import pendulum

from medbill._errors import ParseError, ValidationError
from medbill._validation import to_date
from medbill.codes import Icd10CodeSet, Icd10Status
from medbill.fees import RvuRow, read_pprrvu

__all__ = ["CodeSets", "CodeSetsOn", "CodeStatus", "HcpcsCode", "read_hcpcs"]

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class CodeStatus:
    """What the code sets in force on a date say about one code.

    ``known`` is false when no loaded file covers the code on that date: nothing was
    checked, and the code is reported valid.

    >>> status = CodeStatus(code="K0552", valid=False, billable=False,
    ...                     reason="terminated 2016-12-31", source="HCPCS Level II 2024 July")
    >>> print(status)
    K0552: not valid: terminated 2016-12-31 (HCPCS Level II 2024 July)
    """

    code: str
    valid: bool
    billable: bool
    reason: str = ""
    source: str = ""
    known: bool = True

    def __str__(self) -> str:
        if self.billable:
            verdict = "billable"
        elif self.valid:
            verdict = "valid, not billable"
        else:
            verdict = "not valid"
        why = f": {self.reason}" if self.reason else ""
        return f"{self.code}: {verdict}{why} ({self.source or 'no code set loaded'})"


class HcpcsCode(NamedTuple):
    """One HCPCS Level II code of the HCPCS file: when it was added and terminated."""

    code: str
    added: pendulum.Date | None
    terminated: pendulum.Date | None
    action: str = ""


class _Release(NamedTuple, Generic[T]):
    effective: pendulum.Date
    through: pendulum.Date | None
    table: T
    label: str


def _in_force(releases: tuple[_Release[T], ...], day: pendulum.Date) -> _Release[T] | None:
    found = None
    for release in releases:  # sorted by effective date; a later one replaces an earlier
        if release.effective <= day and (release.through is None or day <= release.through):
            found = release
    return found


def _add(releases: tuple[_Release[T], ...], release: _Release[T]) -> tuple[_Release[T], ...]:
    return tuple(sorted((*releases, release), key=lambda r: r.effective))


_HCPCS_COLUMNS = {
    "code": ("hcpc", "hcpcs", "hcpcs_code", "hcpcs code"),
    "added": ("add dt", "add_dt", "date_added", "add date"),
    "terminated": ("term dt", "term_dt", "date_term", "termination date"),
    "action": ("action cd", "action_cd", "action", "action code"),
}


def _hcpcs_date(text: str, where: str) -> pendulum.Date | None:
    value = text.strip()
    if not value:
        return None
    digits = value.replace("-", "")
    if len(digits) != 8 or not digits.isdigit():
        raise ParseError(f"date {value!r} must be YYYYMMDD or YYYY-MM-DD", location=where)
    try:
        return pendulum.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise ParseError(f"{value!r} is not a date", location=where) from None


def read_hcpcs(path: str | os.PathLike[str]) -> dict[str, HcpcsCode]:
    """Read the HCPCS Level II file (CSV export of CMS's quarterly file) by code.

    Columns are found by their header (``HCPC``, ``ADD DT``, ``TERM DT``, ``ACTION CD`` in
    CMS's file; ``hcpcs_code``, ``date_added``, ``date_term``, ``action`` in its snake-case
    re-publications). A code's continuation rows (long descriptions) are merged.

    >>> import pathlib, tempfile
    >>> from medbill.claims import read_hcpcs
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "HCPC2025_APR.csv"
    >>> _ = path.write_text("HCPC,ADD DT,TERM DT,ACTION CD\\nG2211,20210101,,N\\n")
    >>> read_hcpcs(path)["G2211"].added
    Date(2021, 1, 1)
    """
    location = os.fspath(path)
    found: dict[str, HcpcsCode] = {}
    with open(location, newline="", encoding="latin-1") as handle:
        reader = csv.reader(handle)
        columns: dict[str, int] | None = None
        for row in reader:
            where = f"{location}, line {reader.line_num}"
            if columns is None:
                names = [cell.strip().lower() for cell in row]
                picked = {
                    key: next((names.index(n) for n in options if n in names), -1)
                    for key, options in _HCPCS_COLUMNS.items()
                }
                if picked["code"] >= 0 and picked["added"] >= 0:
                    columns = picked
                continue
            code = row[columns["code"]].strip().upper() if len(row) > columns["code"] else ""
            if len(code) != 5 or code in found:
                continue
            cells = {k: row[i] if 0 <= i < len(row) else "" for k, i in columns.items()}
            found[code] = HcpcsCode(
                code,
                _hcpcs_date(cells["added"], where),
                _hcpcs_date(cells["terminated"], where),
                cells["action"].strip(),
            )
    if columns is None:
        raise ParseError(
            "no header row naming the HCPCS code and add date columns", location=location
        )
    return found


_INVALID_STATUS = {
    "D": "deleted code (PPRRVU status D)",
    "F": "deleted code, no grace period (PPRRVU status F)",
    "G": "not valid for Medicare; Medicare uses another code (PPRRVU status G)",
    "I": "not valid for Medicare; Medicare uses another code (PPRRVU status I)",
}
_BUNDLED_STATUS = {
    "B": "bundled: always included in another service, never billed alone (PPRRVU status B)",
    "P": "bundled or excluded (PPRRVU status P)",
}
_RELEASE_NAME = re.compile(r"(\d{2})[a-z]{0,2}_(jan|apr|jul|oct)", re.IGNORECASE)
_MONTHS = {"jan": 1, "apr": 4, "jul": 7, "oct": 10}


def _pprrvu_effective(path: Path) -> pendulum.Date:
    match = _RELEASE_NAME.search(path.stem)
    if match is None:
        raise ValidationError(
            "effective", None, f"cannot tell the release date from {path.name!r}; pass effective="
        )
    return pendulum.date(2000 + int(match.group(1)), _MONTHS[match.group(2).lower()], 1)


def _not_in_pprrvu(code: str) -> bool:
    # Anesthesia (00100-01999) and PLA (...U) codes are priced outside the PPRRVU file.
    return code.endswith("U") or (code.isdigit() and 100 <= int(code) <= 1999)


def _fiscal_year_start(fiscal_year: int) -> pendulum.Date:
    return pendulum.date(fiscal_year - 1, 10, 1)


def _fiscal_year_end(fiscal_year: int) -> pendulum.Date:
    return pendulum.date(fiscal_year, 9, 30)


@attrs.frozen(kw_only=True)
class CodeSets:
    """The code set releases loaded so far; :meth:`on` gives those in force on a date.

    Immutable: each ``with_*`` call returns new code sets with one more release.

    >>> import pendulum
    >>> from medbill.claims import CodeSets, HcpcsCode
    >>> from medbill.codes import Icd10CodeSet
    >>> sets = (CodeSets()
    ...     .with_hcpcs_codes([HcpcsCode("K0552", pendulum.date(2003, 1, 1), pendulum.date(2016, 12, 31))],
    ...                       effective=pendulum.date(2024, 7, 1), label="HCPCS 2024 July")
    ...     .with_icd10(Icd10CodeSet(billable=["E11.9"], headers=["E11"]), fiscal_year=2025)
    ...     .with_modifiers(["25", "59", "RT"], label="modifier list"))
    >>> day = sets.on(pendulum.date(2025, 3, 4))
    >>> print(day.procedure("K0552"))
    K0552: not valid: terminated 2016-12-31, before the date of service 2025-03-04 (HCPCS 2024 July)
    >>> day.diagnosis("E11").reason
    'a category header, not billable: code to the highest specificity'
    >>> day.modifier("ZZ").valid
    False
    >>> sets.on(pendulum.date(2025, 10, 1)).diagnosis("E11.9").known  # FY2026 not loaded
    False
    """

    pprrvu: tuple[_Release[Mapping[str, RvuRow]], ...] = ()
    hcpcs: tuple[_Release[Mapping[str, HcpcsCode]], ...] = ()
    icd10: tuple[_Release[Icd10CodeSet], ...] = ()
    modifiers: frozenset[str] | None = None
    modifier_source: str = ""
    _days: dict[pendulum.Date, CodeSetsOn] = attrs.field(factory=dict, eq=False, repr=False)

    # -- loading ----------------------------------------------------------------------

    def with_pprrvu(
        self,
        path: str | os.PathLike[str],
        *,
        effective: pendulum.Date | None = None,
        through: pendulum.Date | None = None,
    ) -> CodeSets:
        """Add a PPRRVU release (CMS's CSV, read by :func:`medbill.fees.read_pprrvu`).

        ``effective`` defaults to the release named in the file name (``PPRRVU25_JAN`` is
        2025-01-01, ``rvu24b_apr`` 2024-04-01); ``through`` to the end of that year.
        """
        file = Path(path)
        start = to_date(effective) if effective is not None else _pprrvu_effective(file)
        end = to_date(through) if through is not None else pendulum.date(start.year, 12, 31)
        by_code: dict[str, RvuRow] = {}
        for (code, modifier), row in read_pprrvu(file).items():
            if not modifier or code not in by_code:
                by_code[code] = row
        label = f"PPRRVU {start.year} release of {start} ({file.name})"
        table: Mapping[str, RvuRow] = by_code
        return attrs.evolve(
            self, pprrvu=_add(self.pprrvu, _Release(start, end, table, label)), days={}
        )

    def with_hcpcs(self, path: str | os.PathLike[str], *, effective: pendulum.Date) -> CodeSets:
        """Add a HCPCS Level II quarterly file (see :func:`read_hcpcs`) in force from ``effective``."""
        name = os.path.basename(os.fspath(path))
        day = to_date(effective)
        return self.with_hcpcs_codes(
            read_hcpcs(path).values(), effective=day, label=f"HCPCS Level II {day} ({name})"
        )

    def with_hcpcs_codes(
        self, codes: Iterable[HcpcsCode], *, effective: pendulum.Date, label: str
    ) -> CodeSets:
        """Add HCPCS Level II codes already read, in force from ``effective``."""
        table: Mapping[str, HcpcsCode] = {c.code: c for c in codes}
        release = _Release(to_date(effective), None, table, label)
        return attrs.evolve(self, hcpcs=_add(self.hcpcs, release), days={})

    def with_icd10(
        self,
        codes: Icd10CodeSet,
        *,
        fiscal_year: int | None = None,
        effective: pendulum.Date | None = None,
        through: pendulum.Date | None = None,
    ) -> CodeSets:
        """Add an ICD-10-CM release: fiscal year ``N`` runs from October 1 of ``N - 1``
        through September 30 of ``N``; an April update passes ``effective``."""
        if fiscal_year is None and effective is None:
            raise ValidationError("fiscal_year", None, "give the fiscal year or the effective date")
        start = (
            to_date(effective) if effective is not None else _fiscal_year_start(fiscal_year or 0)
        )
        if through is not None:
            end: pendulum.Date = to_date(through)
        elif fiscal_year is not None:
            end = _fiscal_year_end(fiscal_year)
        else:
            end = _fiscal_year_end(start.year + (1 if start.month >= 10 else 0))
        year = fiscal_year or end.year
        label = f"ICD-10-CM FY{year} from {start}" + (f" ({codes.source})" if codes.source else "")
        release = _Release(start, end, codes, label)
        return attrs.evolve(self, icd10=_add(self.icd10, release), days={})

    def with_modifiers(self, modifiers: Iterable[str], *, label: str) -> CodeSets:
        """Add modifiers to the list of valid ones."""
        codes = {m.strip().upper() for m in modifiers if m.strip()}
        merged = codes | (self.modifiers or frozenset())
        source = f"{self.modifier_source}; {label}" if self.modifier_source else label
        return attrs.evolve(self, modifiers=frozenset(merged), modifier_source=source, days={})

    def with_modifier_file(self, path: str | os.PathLike[str]) -> CodeSets:
        """Add the modifiers of a CSV list (column ``mod_code``, ``modifier`` or ``MOD``)."""
        location = os.fspath(path)
        with open(location, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            header = {name.strip().lower(): name for name in reader.fieldnames or []}
            column = next((header[n] for n in ("mod_code", "modifier", "mod") if n in header), None)
            if column is None:
                raise ParseError(
                    "no mod_code, modifier or MOD column", location=f"{location}, line 1"
                )
            codes = [row[column] for row in reader if row[column]]
        return self.with_modifiers(codes, label=f"modifier list ({os.path.basename(location)})")

    # -- asking -------------------------------------------------------------------------

    def on(self, day: pendulum.Date) -> CodeSetsOn:
        """The code sets in force on ``day``."""
        found = self._days.get(day)
        if found is None:
            found = CodeSetsOn(self, to_date(day))
            self._days[day] = found
        return found


class CodeSetsOn:
    """The code sets in force on one date (from :meth:`CodeSets.on`); answers are cached.

    >>> import pendulum
    >>> from medbill.claims import CodeSets
    >>> day = CodeSets().with_modifiers(["25"], label="modifiers").on(pendulum.date(2025, 3, 4))
    >>> day.modifier("25").valid, day.procedure("99213").known, day.rvu("99213") is None
    (True, False, True)
    """

    __slots__ = ("_cache", "day", "hcpcs", "icd10", "modifiers", "pprrvu", "sets")

    def __init__(self, sets: CodeSets, day: pendulum.Date) -> None:
        self.sets = sets
        self.day = day
        self.pprrvu = _in_force(sets.pprrvu, day)
        self.hcpcs = _in_force(sets.hcpcs, day) or (sets.hcpcs[0] if sets.hcpcs else None)
        self.icd10 = _in_force(sets.icd10, day)
        self.modifiers = sets.modifiers
        self._cache: dict[tuple[str, str], CodeStatus] = {}

    def rvu(self, code: str) -> RvuRow | None:
        """The PPRRVU row of ``code`` (its global row) in the release in force, if any."""
        return None if self.pprrvu is None else self.pprrvu.table.get(str(code))

    def rvu_source(self) -> str:
        """The PPRRVU release in force, as findings cite it."""
        return "" if self.pprrvu is None else self.pprrvu.label

    def procedure(self, code: str) -> CodeStatus:
        """Whether a CPT or HCPCS code may be billed on this date, and why not."""
        key = ("procedure", str(code))
        found = self._cache.get(key)
        if found is None:
            found = self._procedure(str(code))
            self._cache[key] = found
        return found

    def _procedure(self, code: str) -> CodeStatus:
        if code[0].isalpha() and self.hcpcs is not None:
            entry = self.hcpcs.table.get(code)
            source = self.hcpcs.label
            if entry is None:
                return CodeStatus(code=code, valid=False, billable=False, source=source,
                                  reason="not in the HCPCS Level II file")  # fmt: skip
            if entry.added is not None and self.day < entry.added:
                return CodeStatus(code=code, valid=False, billable=False, source=source,
                                  reason=f"added {entry.added}, after the date of service {self.day}")  # fmt: skip
            if entry.terminated is not None and self.day > entry.terminated:
                return CodeStatus(code=code, valid=False, billable=False, source=source,
                                  reason=f"terminated {entry.terminated}, before the date of service {self.day}")  # fmt: skip
        row = self.rvu(code)
        if self.pprrvu is not None:
            source = self.pprrvu.label
            if row is None and code[0].isdigit() and not _not_in_pprrvu(code):
                return CodeStatus(code=code, valid=False, billable=False, source=source,
                                  reason="not in the relative value file in force")  # fmt: skip
            if row is not None and row.status in _INVALID_STATUS:
                return CodeStatus(code=code, valid=False, billable=False, source=source,
                                  reason=_INVALID_STATUS[row.status])  # fmt: skip
            if row is not None and row.status in _BUNDLED_STATUS:
                return CodeStatus(code=code, valid=True, billable=False, source=source,
                                  reason=_BUNDLED_STATUS[row.status])  # fmt: skip
        sources = [r.label for r in (self.hcpcs if code[0].isalpha() else None, self.pprrvu) if r]
        known = bool(sources) and (row is not None or code[0].isalpha() or not _not_in_pprrvu(code))
        return CodeStatus(
            code=code, valid=True, billable=True, source="; ".join(sources), known=known
        )

    def diagnosis(self, code: str) -> CodeStatus:
        """Whether an ICD-10-CM code is valid and billable in the fiscal year of this date."""
        key = ("diagnosis", str(code))
        found = self._cache.get(key)
        if found is not None:
            return found
        release = self.icd10
        if release is None:
            found = CodeStatus(code=str(code), valid=True, billable=True, known=False,
                               reason=f"no ICD-10-CM release loaded for {self.day}")  # fmt: skip
        else:
            status = release.table.status(code)
            if status is Icd10Status.BILLABLE:
                found = CodeStatus(code=str(code), valid=True, billable=True, source=release.label)
            elif status is Icd10Status.HEADER:
                found = CodeStatus(code=str(code), valid=True, billable=False, source=release.label,
                                   reason="a category header, not billable: code to the highest specificity")  # fmt: skip
            else:
                found = CodeStatus(code=str(code), valid=False, billable=False, source=release.label,
                                   reason=f"not in the ICD-10-CM code list in force on {self.day}")  # fmt: skip
        self._cache[key] = found
        return found

    def modifier(self, code: str) -> CodeStatus:
        """Whether a modifier is on the modifier list."""
        if self.modifiers is None:
            return CodeStatus(code=str(code), valid=True, billable=True, known=False)
        if str(code) in self.modifiers:
            return CodeStatus(
                code=str(code), valid=True, billable=True, source=self.sets.modifier_source
            )
        return CodeStatus(code=str(code), valid=False, billable=False, source=self.sets.modifier_source,
                          reason="not on the modifier list")  # fmt: skip
