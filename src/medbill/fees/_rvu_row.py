"""The CMS relative value file (PPRRVU), the GPCI file and conversion factors.

File layouts: CMS "RVU25A" package (PPRRVU25_JAN.csv: a few title rows, then a header
whose last row starts ``HCPCS,MOD,DESCRIPTION``, then one row per code and modifier) and
Addendum E of the PFS final rule (GPCI2025.csv). The older files re-published by the
``arkrvu`` project (one header row in snake case, same column order) read the same way.
The DESCRIPTION column (CPT short descriptors, copyright AMA) is never kept.
"""

from __future__ import annotations

import csv
import operator
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import attrs
import pendulum

from medbill._deprecation import folded_modifier
from medbill._errors import ParseError, ValidationError
from medbill._files import open_text
from medbill._validation import to_date, to_one_modifier_text
from medbill.fees._locality import Locality

__all__ = [
    "MEDICARE_CONVERSION_FACTORS",
    "NATIONAL_GPCI",
    "ConversionFactor",
    "Gpci",
    "RvuRow",
    "row_from_cells",
    "read_gpci",
    "read_pprrvu",
]


def _text(field: str) -> Any:
    def check(_: object, attribute: attrs.Attribute[str], value: object) -> None:
        if not isinstance(value, str):
            raise ValidationError(field, value, "must be a str")

    return check


def _decimal(field: str) -> Any:
    def check(_: object, attribute: attrs.Attribute[Decimal], value: object) -> None:
        if not isinstance(value, Decimal) or not value.is_finite():
            raise ValidationError(field, value, "must be a finite Decimal")

    return check


def _flag(field: str) -> Any:
    def check(_: object, attribute: attrs.Attribute[bool], value: object) -> None:
        if not isinstance(value, bool):
            raise ValidationError(field, value, "must be a bool")

    return check


_ZERO: Final = Decimal(0)


def _str_field(name: str, default: str) -> Any:
    return attrs.field(default=default, validator=_text(name))


@folded_modifier
@attrs.frozen(kw_only=True, slots=True)
class RvuRow:
    """One row of the PPRRVU file (without its AMA descriptor), keyword-only.

    Indicators keep the file's text (``"1"``, ``"XXX"``); RVUs and percentages are Decimals
    (``pre_op``, ``intra_op``, ``post_op`` are the global surgery shares as fractions of
    1, the file's percentages divided by 100 as the file prints them: ``0.10`` is 10 %).
    ``nonfacility_na``/``facility_na`` are true where the file prints ``NA``: the service
    is not paid in that setting. Every field but ``code`` has a default, and a wrong type
    is a :class:`~medbill.ValidationError` naming the field. ``modifiers`` is the file's
    MOD column as a list of at most one (``["26"]``; ``modifier=`` is deprecated since
    0.2.0); ``modifier`` reads it as text, ``""`` when there is none.

    >>> from decimal import Decimal
    >>> RvuRow(code="71046", modifiers=["26"]).modifier
    '26'
    >>> row = RvuRow(code="99213", work=Decimal("1.30"), pe_nonfacility=Decimal("1.35"),
    ...              pe_facility=Decimal("0.57"), mp=Decimal("0.10"))
    >>> row.status, row.work, row.mult_proc
    ('A', Decimal('1.30'), '0')
    >>> RvuRow(code="99213", work=1.3)
    Traceback (most recent call last):
    ...
    medbill.ValidationError: work: must be a finite Decimal (got 1.3)
    """

    code: str = attrs.field(validator=_text("code"))
    modifiers: tuple[str, ...] = attrs.field(default=(), converter=to_one_modifier_text)
    status: str = _str_field("status", "A")
    work: Decimal = attrs.field(default=_ZERO, validator=_decimal("work"))
    pe_nonfacility: Decimal = attrs.field(default=_ZERO, validator=_decimal("pe_nonfacility"))
    nonfacility_na: bool = attrs.field(default=False, validator=_flag("nonfacility_na"))
    pe_facility: Decimal = attrs.field(default=_ZERO, validator=_decimal("pe_facility"))
    facility_na: bool = attrs.field(default=False, validator=_flag("facility_na"))
    mp: Decimal = attrs.field(default=_ZERO, validator=_decimal("mp"))
    pctc: str = _str_field("pctc", "0")
    global_days: str = _str_field("global_days", "XXX")
    pre_op: Decimal = attrs.field(default=_ZERO, validator=_decimal("pre_op"))
    intra_op: Decimal = attrs.field(default=_ZERO, validator=_decimal("intra_op"))
    post_op: Decimal = attrs.field(default=_ZERO, validator=_decimal("post_op"))
    mult_proc: str = _str_field("mult_proc", "0")
    bilateral: str = _str_field("bilateral", "0")
    assistant: str = _str_field("assistant", "0")
    co_surgery: str = _str_field("co_surgery", "0")
    team_surgery: str = _str_field("team_surgery", "0")
    endo_base: str = _str_field("endo_base", "")
    imaging_family: str = _str_field("imaging_family", "")
    modifier: str = attrs.field(init=False, eq=False, repr=False)
    """The MOD column as text (``modifiers[0]``), ``""`` when the row has none."""

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "modifier", self.modifiers[0] if self.modifiers else "")


_ROW_FIELDS: Final = tuple(f.name for f in attrs.fields(RvuRow) if f.init)
_NUMBERS: Final = frozenset(
    {"work", "pe_nonfacility", "pe_facility", "mp", "pre_op", "intra_op", "post_op"}
)
_FLAGS: Final = frozenset({"nonfacility_na", "facility_na"})


def row_from_cells(cells: Sequence[str]) -> RvuRow:
    """An :class:`RvuRow` from its 21 cells as text, in field order (``"NA"`` marks the
    two not-payable flags; RVUs and percentages as the file prints them).

    >>> row_from_cells(("20610", "", "A", "0.79", "1.04", "", "0.44", "", "0.13", "0",
    ...                 "000", "0", "0", "0", "2", "1", "1", "0", "0", "", "99")).bilateral
    '1'
    """
    if len(cells) != len(_ROW_FIELDS):
        raise ValidationError("cells", list(cells), f"needs {len(_ROW_FIELDS)} cells")
    values: dict[str, Any] = {}
    for name, cell in zip(_ROW_FIELDS, cells, strict=True):
        text = cell.strip()
        if name in _NUMBERS:
            try:
                values[name] = Decimal(text or "0")
            except ArithmeticError:
                raise ValidationError(name, cell, "must be a number") from None
        elif name in _FLAGS:
            values[name] = text.upper() == "NA"
        else:
            values[name] = text.upper() if name in ("code", "status") else text
    values["modifiers"] = [values["modifiers"].upper()] if values["modifiers"] else []
    return RvuRow(**values)


def _gpci_decimal(field: str) -> Any:
    def check(_: object, attribute: attrs.Attribute[Decimal], value: object) -> None:
        if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
            raise ValidationError(field, value, "must be a non-negative Decimal")

    return check


@attrs.frozen(slots=True)
class Gpci:
    """Geographic practice cost indices of one locality (work, practice expense, malpractice).

    >>> from medbill.fees import Locality, MedicareFeeSchedule
    >>> MedicareFeeSchedule.demo().gpci(Locality.parse("13202-01")).pe
    Decimal('1.166')
    >>> Gpci("1.0", Decimal(1), Decimal(1), "X")
    Traceback (most recent call last):
    ...
    medbill.ValidationError: gpci.work: must be a non-negative Decimal (got '1.0')
    """

    work: Decimal = attrs.field(validator=_gpci_decimal("gpci.work"))
    pe: Decimal = attrs.field(validator=_gpci_decimal("gpci.pe"))
    mp: Decimal = attrs.field(validator=_gpci_decimal("gpci.mp"))
    name: str = attrs.field(validator=_text("gpci.name"))
    state: str = attrs.field(default="", validator=_text("gpci.state"))


NATIONAL_GPCI: Final = Gpci(Decimal(1), Decimal(1), Decimal(1), "NATIONAL (unadjusted)")
"""The unadjusted GPCIs (1.000 each) of :data:`Locality.NATIONAL`."""


def _cf_date(value: object) -> pendulum.Date:
    converted = to_date(value)  # type: ignore[arg-type]  # checked just below
    if not isinstance(converted, pendulum.Date):
        raise ValidationError("valid_from", value, "must be a pendulum.Date")
    return converted


@attrs.frozen(kw_only=True)
class ConversionFactor:
    """A Medicare conversion factor in force from ``valid_from`` to ``valid_to`` (included).

    ``qualifying_apm`` is ``None`` when the factor applies to everyone, ``True`` for the
    qualifying APM participant factor and ``False`` for everyone else (CY2026 onwards).

    >>> import pendulum
    >>> from decimal import Decimal
    >>> cf = ConversionFactor(amount=Decimal("32.3465"), valid_from=pendulum.date(2025, 1, 1),
    ...                       valid_to=pendulum.date(2025, 12, 31), label="CY2025")
    >>> cf.applies(pendulum.date(2025, 7, 4), qualifying_apm=False)
    True
    """

    amount: Decimal
    valid_from: pendulum.Date = attrs.field(converter=_cf_date)
    valid_to: pendulum.Date | None = None
    label: str = ""
    qualifying_apm: bool | None = None

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.amount, Decimal) or self.amount <= 0:
            raise ValidationError("amount", self.amount, "must be a positive Decimal")

    def applies(self, day: pendulum.Date, *, qualifying_apm: bool) -> bool:
        """Whether the factor prices a service on ``day`` for this kind of practitioner."""
        if day < self.valid_from or (self.valid_to is not None and day > self.valid_to):
            return False
        return self.qualifying_apm is None or self.qualifying_apm == qualifying_apm


def _cf(
    amount: str,
    start: tuple[int, int, int],
    end: tuple[int, int, int],
    label: str,
    apm: bool | None = None,
) -> ConversionFactor:
    return ConversionFactor(
        amount=Decimal(amount),
        valid_from=pendulum.date(*start),
        valid_to=pendulum.date(*end),
        label=label,
        qualifying_apm=apm,
    )


MEDICARE_CONVERSION_FACTORS: Final[tuple[ConversionFactor, ...]] = (
    # PFS final rules (CMS-1715-F ... CMS-1832-F) and the Consolidated Appropriations
    # Act, 2024 (the second CY2024 factor, from 2024-03-09).
    _cf("36.0896", (2020, 1, 1), (2020, 12, 31), "CY2020"),
    _cf("34.8931", (2021, 1, 1), (2021, 12, 31), "CY2021"),
    _cf("34.6062", (2022, 1, 1), (2022, 12, 31), "CY2022"),
    _cf("33.8872", (2023, 1, 1), (2023, 12, 31), "CY2023"),
    _cf("32.7442", (2024, 1, 1), (2024, 3, 8), "CY2024 to 2024-03-08"),
    _cf("33.2875", (2024, 3, 9), (2024, 12, 31), "CY2024 from 2024-03-09"),
    _cf("32.3465", (2025, 1, 1), (2025, 12, 31), "CY2025"),
    _cf("33.5675", (2026, 1, 1), (2026, 12, 31), "CY2026 qualifying APM participant", True),
    _cf("33.4009", (2026, 1, 1), (2026, 12, 31), "CY2026 non-qualifying", False),
)

_PPRRVU_COLUMNS: Final = 25  # HCPCS ... CONV FACTOR at least; later columns are optional


_KEPT_CELLS: Final = (0, 1, 3, 5, 6, 7, 8, 9, 10, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23)
_COLUMN_NAMES: Final = {
    "work": "WORK RVU", "pe_nonfacility": "NON-FAC PE RVU", "pe_facility": "FACILITY PE RVU",
    "mp": "MP RVU", "pre_op": "PRE OP", "intra_op": "INTRA OP", "post_op": "POST OP",
}  # fmt: skip


def _parse_row(
    cells: tuple[str, ...], numbers: dict[str, Decimal], path: Path, line: int
) -> RvuRow:
    """One PPRRVU row from its kept cells (the reader's fast path; the cells are text
    from the file, so the types are right by construction)."""

    def dec(text: str, field: str) -> Decimal:
        value = numbers.get(text)
        if value is None:
            try:
                value = Decimal(text.strip() or "0")
            except ArithmeticError:
                raise ParseError(
                    f"{_COLUMN_NAMES[field]} must be a number, got {text!r}",
                    location=f"{path}, line {line}",
                ) from None
            if not value.is_finite():
                raise ParseError(
                    f"{_COLUMN_NAMES[field]} must be a finite number, got {text!r}",
                    location=f"{path}, line {line}",
                )
            numbers[text] = value
        return value

    (code, modifier, status, work, pe_nf, nf_na, pe_f, f_na, mp, pctc, glob,
     pre, intra, post, mult, bilat, asst, co, team, endo, family) = cells  # fmt: skip
    mod = modifier.strip().upper()
    values = (
        code.strip().upper(),
        (mod,) if mod else (),
        status.strip().upper(),
        dec(work, "work"),
        dec(pe_nf, "pe_nonfacility"),
        nf_na.strip().upper() == "NA",
        dec(pe_f, "pe_facility"),
        f_na.strip().upper() == "NA",
        dec(mp, "mp"),
        pctc.strip(),
        glob.strip(),
        dec(pre, "pre_op"),
        dec(intra, "intra_op"),
        dec(post, "post_op"),
        mult.strip(),
        bilat.strip(),
        asst.strip(),
        co.strip(),
        team.strip(),
        endo.strip(),
        family.strip(),
    )
    # The values are str, bool and finite Decimal by construction: set the slots without
    # running the field validators again (the reader's hot loop; 18,000 rows a file).
    row: RvuRow = object.__new__(RvuRow)
    for name, value in zip(_ROW_FIELDS, values, strict=True):
        object.__setattr__(row, name, value)
    object.__setattr__(row, "modifier", mod)
    return row


def read_pprrvu(
    path: str | Path, *, shared: dict[tuple[str, ...], RvuRow] | None = None
) -> dict[tuple[str, str], RvuRow]:
    """Read a PPRRVU CSV file into rows keyed by ``(code, modifier)``.

    ``shared`` (a dict you keep between calls) lets several releases share the rows that
    did not change from one release to the next: reading CY2020 to CY2025 parses each
    distinct row once. Raises :class:`~medbill.ParseError` naming the file and line of a
    malformed row.
    """
    path = Path(path)
    seen: dict[tuple[str, ...], RvuRow] = {} if shared is None else shared
    table: dict[tuple[str, str], RvuRow] = {}
    numbers: dict[str, Decimal] = {}
    pick = operator.itemgetter(*_KEPT_CELLS)
    with open_text(path, newline="", encoding="latin-1") as handle:
        reader = csv.reader(handle)
        for row in reader:
            if row and row[0].strip().lower() == "hcpcs":
                break
        for row in reader:
            if not row or not row[0]:
                continue
            if len(row) < _PPRRVU_COLUMNS:
                if not row[0].strip():
                    continue
                raise ParseError(
                    f"expected at least {_PPRRVU_COLUMNS} columns, found {len(row)}",
                    location=f"{path}, line {reader.line_num}",
                )
            key = (*pick(row), row[27] if len(row) > 27 else "")
            found = seen.get(key)
            if found is None:
                if not key[0].strip():
                    continue
                found = _parse_row(key, numbers, path, reader.line_num)
                seen[key] = found
            table[(found.code, found.modifier)] = found
    if not table:
        raise ParseError("no header row starting with HCPCS and no data", location=str(path))
    return table


def _column(header: Sequence[str], *needles: str) -> int:
    for index, cell in enumerate(header):
        text = cell.strip().lower().replace("_", " ")
        if all(n in text for n in needles):
            return index
    raise ParseError(f"no column containing {' '.join(needles)!r} in the GPCI header")


def read_gpci(path: str | Path) -> dict[Locality, Gpci]:
    """Read a GPCI file (CMS Addendum E, or the ``mac,locality_number,...`` layout).

    The header row is the first whose first cell mentions the MAC; columns are found by
    name (locality number, locality name, PW/work, PE, MP GPCI).
    """
    path = Path(path)
    result: dict[Locality, Gpci] = {}
    with open_text(path, newline="", encoding="latin-1") as handle:
        reader = csv.reader(handle)
        header: list[str] | None = None
        for row in reader:
            if header is None:
                first = row[0].strip().lower() if row else ""
                if first == "mac" or first.startswith("medicare administrative contractor"):
                    header = row
                    try:
                        cols = (
                            _column(header, "locality", "number"),
                            _column(header, "locality", "name"),
                            next(
                                i
                                for i, c in enumerate(header)
                                if "pw" in c.lower() or "gpci_work" in c.lower()
                            ),
                            next(
                                i
                                for i, c in enumerate(header)
                                if "pe gpci" in c.lower() or "gpci_pe" in c.lower()
                            ),
                            next(
                                i
                                for i, c in enumerate(header)
                                if "mp gpci" in c.lower() or "gpci_mp" in c.lower()
                            ),
                        )
                    except StopIteration:
                        raise ParseError(
                            "GPCI header lacks a work, PE or MP column",
                            location=f"{path}, line {reader.line_num}",
                        ) from None
                    state_col = next(
                        (i for i, c in enumerate(header) if c.strip().lower() == "state"), None
                    )
                continue
            if not row or not row[0].strip().isdigit():
                continue  # footnotes
            needed = max(*cols, state_col or 0) + 1
            if len(row) < needed:
                raise ParseError(
                    f"expected at least {needed} columns, found {len(row)}",
                    location=f"{path}, line {reader.line_num}",
                )
            number, name, work, pe, mp = (row[i].strip() for i in cols)
            try:
                locality = Locality(row[0].strip(), number)
                gpci = Gpci(
                    Decimal(work),
                    Decimal(pe),
                    Decimal(mp),
                    name.rstrip("*").strip(),
                    row[state_col].strip() if state_col is not None else "",
                )  # one Gpci per locality and file: identical ones are cheap
            except (ValidationError, ArithmeticError) as error:
                raise ParseError(str(error), location=f"{path}, line {reader.line_num}") from None
            result[locality] = gpci
    if not result:
        raise ParseError("no GPCI rows found", location=str(path))
    return result
