"""NCCI edit tables: procedure-to-procedure (PTP) edits and medically unlikely edits (MUE).

CMS publishes both tables every quarter (https://www.cms.gov/medicare/coding-billing/
national-correct-coding-initiative-ncci-edits). medbill ships no table: the user loads the
files in CMS's layouts, passing their lines (the caller opens the file; the core does no I/O).

PTP layout (the practitioner and the outpatient hospital files; tab-delimited ``.txt``
or comma-separated, one edit per row, preamble and header rows are skipped)::

    Column 1 | Column 2 | * = in existence prior to 1996 | Effective Date (YYYYMMDD)
    | Deletion Date (YYYYMMDD, * = none) | Modifier (0 = not allowed, 1 = allowed,
    9 = not applicable) | PTP Edit Rationale

    99214	36415		20240101	*	1	Misuse of column two code with column one code

An edit is in force from its effective date through its deletion date, both included.

MUE layout (the practitioner, outpatient hospital and DME supplier files, CSV)::

    HCPCS/CPT Code | MUE Values | MUE Adjudication Indicator | MUE Rationale

    36415,2,"3 Date of Service Edit: Clinical","Clinical: Data"

The adjudication indicator (MAI) says how units are counted: 1 per claim line, 2 and 3
per date of service (2 is a policy limit no appeal overcomes, 3 a clinical one). Sources:
NCCI Policy Manual for Medicare Services, chapter I, sections E (modifiers and modifier
indicators) and V (medically unlikely edits); CMS MUE and PTP file "read me" notes.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping

import attrs
import pendulum

from medbill._enums import MedbillEnum
from medbill._errors import CodeError, ParseError
from medbill.codes import ProcedureCode

__all__ = [
    "ANATOMIC_MODIFIERS",
    "DISTINCT_SERVICE_MODIFIERS",
    "PTP_MODIFIERS",
    "AocEdit",
    "AocType",
    "MueIndicator",
    "MueLimit",
    "NcciEdits",
    "PtpEdit",
    "read_aoc",
    "read_mue",
    "read_ptp",
]

PTP_MODIFIERS = frozenset(
    {
        *("E1", "E2", "E3", "E4", "FA", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9"),
        *("LC", "LD", "LM", "LT", "RC", "RI", "RT"),
        *("TA", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9"),
        *("24", "25", "27", "57", "58", "59", "78", "79", "91"),
        *("XE", "XP", "XS", "XU"),
    }
)
"""The NCCI-associated modifiers that may bypass a PTP edit whose modifier indicator is 1
(NCCI Policy Manual for Medicare Services, chapter I, section E)."""

ANATOMIC_MODIFIERS = frozenset(
    {
        *("E1", "E2", "E3", "E4", "FA", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9"),
        *("LC", "LD", "LM", "LT", "RC", "RI", "RT"),
        *("TA", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9"),
    }
)
"""The anatomic NCCI-associated modifiers: they bypass a PTP edit only when the two codes
carry different ones (different sites), never the same one on both (NCCI Policy Manual,
chapter I, section E)."""

DISTINCT_SERVICE_MODIFIERS = frozenset({"59", "XE", "XP", "XS", "XU"})
"""Modifier 59 and its subsets X{EPSU}: they belong on the column-2 code of the edit pair
(NCCI Policy Manual, chapter I, section E.1; CMS MLN fact sheet "Proper Use of Modifiers
59 & -X{EPSU}")."""


@attrs.frozen(kw_only=True)
class PtpEdit:
    """One procedure-to-procedure edit: the column-2 code is not paid with the column-1 code.

    >>> edit = PtpEdit(column1="99214", column2="36415", effective=pendulum.date(2024, 1, 1),
    ...                deletion=None, modifier_indicator="1")
    >>> edit.in_force(pendulum.date(2025, 3, 4)), edit.modifier_allowed
    (True, True)
    """

    column1: str
    column2: str
    effective: pendulum.Date
    deletion: pendulum.Date | None
    modifier_indicator: str
    rationale: str = ""

    def in_force(self, day: pendulum.Date) -> bool:
        """Whether the edit applies to services on ``day``."""
        return self.effective <= day and (self.deletion is None or day <= self.deletion)

    @property
    def modifier_allowed(self) -> bool:
        """Indicator 1: an NCCI-associated modifier may bypass the edit."""
        return self.modifier_indicator == "1"


class MueIndicator(MedbillEnum):
    """MUE adjudication indicator: how units are counted against the limit.

    >>> MueIndicator("3").per_date_of_service
    True
    """

    LINE = "1"
    DATE_OF_SERVICE_POLICY = "2"
    DATE_OF_SERVICE_CLINICAL = "3"

    @property
    def per_date_of_service(self) -> bool:
        """Units of all lines with the code on one date count together (MAI 2 and 3)."""
        return self is not MueIndicator.LINE


@attrs.frozen(kw_only=True)
class MueLimit:
    """The most units of a code a provider reports for one patient per line or per day.

    >>> MueLimit(code="36415", units=2, indicator=MueIndicator.DATE_OF_SERVICE_CLINICAL).units
    2
    """

    code: str
    units: int
    indicator: MueIndicator
    rationale: str = ""


def _cells(lines: Iterable[str]) -> Iterator[tuple[int, list[str]]]:
    for number, line in enumerate(lines, start=1):
        text = line.rstrip("\r\n")
        if not text.strip():
            continue
        cells = text.split("\t") if "\t" in text else next(csv.reader([text]))
        yield number, [c.strip() for c in cells]


def _is_code(cell: str) -> bool:
    try:
        ProcedureCode(cell)
    except CodeError:
        return False
    return True


def _date(cell: str, number: int, column: str) -> pendulum.Date | None:
    if cell in {"*", ""}:
        return None
    if len(cell) != 8 or not (cell.isascii() and cell.isdigit()):
        raise ParseError(f"{column} must be YYYYMMDD or *, not {cell!r}", location=f"line {number}")
    try:
        return pendulum.date(int(cell[:4]), int(cell[4:6]), int(cell[6:]))
    except ValueError:
        raise ParseError(f"{column} {cell!r} is not a date", location=f"line {number}") from None


def read_ptp(lines: Iterable[str]) -> Iterator[PtpEdit]:
    """Read PTP edits from the lines of a CMS PTP file; preamble and header rows are skipped.

    >>> from medbill.claims import read_ptp
    >>> rows = ["Column 1\\tColumn 2\\t*\\tEffective Date\\tDeletion Date\\tModifier\\tRationale",
    ...         "99214\\t36415\\t\\t20240101\\t*\\t1\\tMisuse of column two code"]
    >>> [(e.column1, e.column2, e.deletion) for e in read_ptp(rows)]
    [('99214', '36415', None)]
    """
    for number, cells in _cells(lines):
        if len(cells) < 6 or not _is_code(cells[0]):
            continue  # preamble, copyright notice or column headers
        if not _is_code(cells[1]):
            raise ParseError(
                f"column 2 {cells[1]!r} is not a procedure code", location=f"line {number}"
            )
        effective = _date(cells[3], number, "effective date")
        if effective is None:
            raise ParseError("the effective date is missing", location=f"line {number}")
        indicator = cells[5]
        if indicator not in {"0", "1", "9"}:
            raise ParseError(
                f"modifier indicator must be 0, 1 or 9, not {indicator!r}",
                location=f"line {number}",
            )
        yield PtpEdit(
            column1=str(ProcedureCode(cells[0])),
            column2=str(ProcedureCode(cells[1])),
            effective=effective,
            deletion=_date(cells[4], number, "deletion date"),
            modifier_indicator=indicator,
            rationale=cells[6] if len(cells) > 6 else "",
        )


def read_mue(lines: Iterable[str]) -> Iterator[MueLimit]:
    """Read MUE limits from the lines of a CMS MUE file; header rows are skipped.

    The adjudication indicator may be the bare digit or CMS's text ("2 Date of Service
    Edit: Policy").

    >>> from medbill.claims import read_mue
    >>> rows = ['"HCPCS/CPT Code","Practitioner Services MUE Values","MUE Adjudication '
    ...         'Indicator","MUE Rationale"',
    ...         '36415,2,"3 Date of Service Edit: Clinical","Clinical: Data"']
    >>> [(m.code, m.units, m.indicator.name) for m in read_mue(rows)]
    [('36415', 2, 'DATE_OF_SERVICE_CLINICAL')]
    """
    for number, cells in _cells(lines):
        if len(cells) < 3 or not _is_code(cells[0]):
            continue
        if not (cells[1].isascii() and cells[1].isdigit()):
            raise ParseError(
                f"MUE value must be a whole number, not {cells[1]!r}", location=f"line {number}"
            )
        try:
            indicator = MueIndicator(cells[2][:1])
        except ValueError:
            raise ParseError(
                f"MUE adjudication indicator must start with 1, 2 or 3, not {cells[2]!r}",
                location=f"line {number}",
            ) from None
        yield MueLimit(
            code=str(ProcedureCode(cells[0])),
            units=int(cells[1]),
            indicator=indicator,
            rationale=cells[3] if len(cells) > 3 else "",
        )


class AocType(MedbillEnum):
    """NCCI add-on code edit type (CMS "Medicare NCCI Add-on Code Edits" page; NCCI Policy
    Manual, chapter I, section R).

    >>> AocType("1").requires_listed_primary, AocType("3").requires_listed_primary
    (True, False)
    """

    LISTED_PRIMARIES = "1"
    """Type 1: only the listed primary codes; never paid unless one is paid the same day."""
    CONTRACTOR_PRIMARIES = "2"
    """Type 2: no primary list; the contractor decides which primaries are acceptable."""
    SOME_PRIMARIES = "3"
    """Type 3: some primaries listed; the contractor may accept others."""

    @property
    def requires_listed_primary(self) -> bool:
        """Whether only a listed primary makes the add-on payable (type 1)."""
        return self is AocType.LISTED_PRIMARIES


@attrs.frozen(kw_only=True)
class AocEdit:
    """One add-on code edit: ``add_on`` is paid only with ``primary`` the same day.

    ``primary`` is ``CCCCC`` where CMS lists no primary (the contractor defines them).

    >>> edit = AocEdit(add_on="11001", primary="11000", type=AocType("1"))
    >>> edit.in_force(pendulum.date(2025, 3, 4))
    True
    """

    add_on: str
    primary: str
    type: AocType
    effective: pendulum.Date | None = None
    deletion: pendulum.Date | None = None

    def in_force(self, day: pendulum.Date) -> bool:
        """Whether the edit applies to services on ``day``."""
        if self.effective is not None and day < self.effective:
            return False
        return self.deletion is None or day <= self.deletion


_AOC_COLUMNS = {
    "add_on": ("add-on code", "add_on_code", "addon code", "aoc"),
    "primary": ("primary code", "primary_code"),
    "type": ("aoc edit type", "aoc_edit_type", "edit type"),
    "effective": ("aoc edit effective date", "aoc_edit_effective_date", "effective date"),
    "deletion": ("aoc edit deletion date", "aoc_edit_deletion_date", "deletion date"),
}


def _aoc_type(cell: str, number: int) -> AocType:
    text = cell.strip().upper().replace("TYPE", "").strip()
    text = {"I": "1", "II": "2", "III": "3"}.get(text, text)
    try:
        return AocType(text)
    except ValueError:
        raise ParseError(
            f"AOC edit type must be 1, 2 or 3, not {cell!r}", location=f"line {number}"
        ) from None


def read_aoc(lines: Iterable[str]) -> Iterator[AocEdit]:
    """Read NCCI add-on code edits from the lines of a CSV with a header row.

    Columns are found by name: CMS's AOC file (``Add-on Code``, ``Primary Code``, ``AOC
    Edit Type``, ``AOC Edit Effective Date``, ``AOC Edit Deletion Date``; dates
    ``YYYYMMDD``, ``*`` for none) or its snake-case re-publication (``primary_code``,
    ``add_on_code``, ``aoc_edit_type``).

    >>> from medbill.claims import read_aoc
    >>> rows = ['"primary_code","add_on_code","aoc_edit_type"', '"11000","11001",1']
    >>> [(e.add_on, e.primary, e.type.value) for e in read_aoc(rows)]
    [('11001', '11000', '1')]
    """
    columns: dict[str, int] | None = None
    for number, cells in _cells(lines):
        if columns is None:
            names = [c.strip().lower() for c in cells]
            picked = {
                key: next((names.index(n) for n in options if n in names), -1)
                for key, options in _AOC_COLUMNS.items()
            }
            if min(picked["add_on"], picked["primary"], picked["type"]) >= 0:
                columns = picked
            continue

        picked = columns

        def cell(key: str, cells: list[str] = cells, picked: dict[str, int] = picked) -> str:
            index = picked[key]
            return cells[index] if 0 <= index < len(cells) else ""

        add_on, primary = cell("add_on").upper(), cell("primary").upper()
        if not _is_code(add_on):
            raise ParseError(
                f"add-on code {add_on!r} is not a procedure code", location=f"line {number}"
            )
        if primary != "CCCCC" and not _is_code(primary):
            raise ParseError(
                f"primary code {primary!r} is not a procedure code", location=f"line {number}"
            )
        yield AocEdit(
            add_on=add_on,
            primary=primary,
            type=_aoc_type(cell("type"), number),
            effective=_date(cell("effective"), number, "AOC edit effective date"),
            deletion=_date(cell("deletion"), number, "AOC edit deletion date"),
        )
    if columns is None:
        raise ParseError("no header row naming the add-on code, primary code and edit type")


@attrs.frozen
class NcciEdits:
    """Loaded PTP edits (by code pair) and MUE limits (by code).

    >>> from medbill.claims import NcciEdits, read_mue, read_ptp
    >>> edits = NcciEdits.from_rows(
    ...     ptp=read_ptp(["99214\\t36415\\t\\t20240101\\t*\\t1\\tMisuse"]),
    ...     mue=read_mue(["36415,2,3 Date of Service Edit: Clinical,Clinical: Data"]))
    >>> [e.column2 for e in edits.ptp_edits("99214", "36415", pendulum.date(2025, 3, 4))]
    ['36415']
    >>> edits.mue_limit("36415").units
    2
    """

    ptp: Mapping[tuple[str, str], tuple[PtpEdit, ...]]
    mue: Mapping[str, MueLimit]
    aoc: Mapping[str, tuple[AocEdit, ...]] = attrs.field(factory=dict, kw_only=True)
    """Add-on code edits by add-on code."""
    mue_releases: tuple[tuple[pendulum.Date, Mapping[str, MueLimit], str], ...] = attrs.field(
        default=(), kw_only=True
    )
    """Quarterly MUE tables ``(effective, limits, label)``; the one in force on the date of
    service wins over :attr:`mue`."""
    source: str = attrs.field(default="", kw_only=True)
    """The tables' release as findings cite it (``NCCI practitioner edits 2024Q3``)."""

    @classmethod
    def from_rows(
        cls,
        *,
        ptp: Iterable[PtpEdit] = (),
        mue: Iterable[MueLimit] = (),
        aoc: Iterable[AocEdit] = (),
        source: str = "",
    ) -> NcciEdits:
        """Index PTP edits, MUE limits (a later row for a code replaces an earlier) and
        add-on code edits."""
        pairs: dict[tuple[str, str], list[PtpEdit]] = {}
        for edit in ptp:
            pairs.setdefault((edit.column1, edit.column2), []).append(edit)
        add_ons: dict[str, list[AocEdit]] = {}
        for addon in aoc:
            add_ons.setdefault(addon.add_on, []).append(addon)
        return cls(
            {k: tuple(v) for k, v in pairs.items()},
            {m.code: m for m in mue},
            aoc={k: tuple(v) for k, v in add_ons.items()},
            source=source,
        )

    def with_mue(
        self, limits: Iterable[MueLimit], *, effective: pendulum.Date, label: str
    ) -> NcciEdits:
        """Add a quarter's MUE table in force from ``effective`` (one call per quarter).

        >>> from medbill.claims import NcciEdits, read_mue
        >>> edits = (NcciEdits.from_rows()
        ...     .with_mue(read_mue(["36415,2,3 Date of Service Edit: Clinical,x"]),
        ...               effective=pendulum.date(2024, 7, 1), label="practitioner MUE 2024Q3")
        ...     .with_mue(read_mue(["36415,3,3 Date of Service Edit: Clinical,x"]),
        ...               effective=pendulum.date(2024, 10, 1), label="practitioner MUE 2024Q4"))
        >>> edits.mue_limit("36415", pendulum.date(2024, 8, 1)).units
        2
        >>> edits.mue_label(pendulum.date(2024, 12, 1))
        'practitioner MUE 2024Q4'
        """
        table = {m.code: m for m in limits}
        releases = sorted((*self.mue_releases, (effective, table, label)), key=lambda r: r[0])
        return attrs.evolve(self, mue_releases=tuple(releases))

    def ptp_edits(self, column1: str, column2: str, day: pendulum.Date) -> list[PtpEdit]:
        """The PTP edits in force on ``day`` for the pair (column 1, column 2)."""
        return [e for e in self.ptp.get((column1, column2), ()) if e.in_force(day)]

    def aoc_edits(self, add_on: str, day: pendulum.Date) -> list[AocEdit]:
        """The add-on code edits in force on ``day`` for ``add_on`` (empty: not an add-on)."""
        return [e for e in self.aoc.get(add_on, ()) if e.in_force(day)]

    def _mue_release(self, day: pendulum.Date | None) -> tuple[Mapping[str, MueLimit], str]:
        if day is not None and self.mue_releases:
            found: tuple[Mapping[str, MueLimit], str] | None = None
            for effective, table, label in self.mue_releases:
                if effective <= day:
                    found = (table, label)
            if found is not None:
                return found
        return self.mue, self.source

    def mue_limit(self, code: str, day: pendulum.Date | None = None) -> MueLimit | None:
        """The MUE for ``code`` in the table in force on ``day``, or ``None``."""
        return self._mue_release(day)[0].get(code)

    def mue_label(self, day: pendulum.Date | None = None) -> str:
        """The MUE table in force on ``day`` as findings cite it."""
        return self._mue_release(day)[1]
