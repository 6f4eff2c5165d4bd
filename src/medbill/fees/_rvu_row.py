"""The CMS relative value file (PPRRVU), the GPCI file and conversion factors.

File layouts: CMS "RVU25A" package (PPRRVU25_JAN.csv: a few title rows, then a header
whose last row starts ``HCPCS,MOD,DESCRIPTION``, then one row per code and modifier) and
Addendum E of the PFS final rule (GPCI2025.csv). The older files re-published by the
``arkrvu`` project (one header row in snake case, same column order) read the same way.
The DESCRIPTION column (CPT short descriptors, copyright AMA) is never kept.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Final, NamedTuple

import attrs
import pendulum

from medbill._errors import ParseError, ValidationError
from medbill._files import open_text
from medbill._validation import to_date
from medbill.fees._locality import Locality

__all__ = [
    "MEDICARE_CONVERSION_FACTORS",
    "ConversionFactor",
    "Gpci",
    "RvuRow",
    "read_gpci",
    "read_pprrvu",
]


class RvuRow(NamedTuple):
    """One row of the PPRRVU file (without its AMA descriptor).

    Indicators keep the file's text (``"1"``, ``"XXX"``); RVUs and percentages are Decimals.
    ``nonfacility_na``/``facility_na`` are true where the file prints ``NA``: the service
    is not paid in that setting.

    >>> from medbill.fees import MedicareFeeSchedule
    >>> row = MedicareFeeSchedule.demo().row("20610")
    >>> row.work, row.bilateral, row.mult_proc
    (Decimal('0.79'), '1', '2')
    """

    code: str
    modifier: str
    status: str
    work: Decimal
    pe_nonfacility: Decimal
    nonfacility_na: bool
    pe_facility: Decimal
    facility_na: bool
    mp: Decimal
    pctc: str
    global_days: str
    pre_op: Decimal
    intra_op: Decimal
    post_op: Decimal
    mult_proc: str
    bilateral: str
    assistant: str
    co_surgery: str
    team_surgery: str
    endo_base: str
    imaging_family: str


class Gpci(NamedTuple):
    """Geographic practice cost indices of one locality (work, practice expense, malpractice).

    >>> from medbill.fees import Locality, MedicareFeeSchedule
    >>> MedicareFeeSchedule.demo().gpci(Locality.parse("13202-01")).pe
    Decimal('1.166')
    """

    work: Decimal
    pe: Decimal
    mp: Decimal
    name: str
    state: str = ""


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


def read_pprrvu(path: str | Path) -> dict[tuple[str, str], RvuRow]:
    """Read a PPRRVU CSV file into rows keyed by ``(code, modifier)``.

    Raises :class:`~medbill.ParseError` naming the file and line of a malformed row.
    """
    path = Path(path)
    numbers: dict[str, Decimal] = {}

    def dec(text: str, line: int, column: str) -> Decimal:
        value = numbers.get(text)
        if value is None:
            try:
                value = Decimal(text.strip() or "0")
            except ArithmeticError:
                raise ParseError(
                    f"{column} must be a number, got {text!r}", location=f"{path}, line {line}"
                ) from None
            numbers[text] = value
        return value

    table: dict[tuple[str, str], RvuRow] = {}
    with open_text(path, newline="", encoding="latin-1") as handle:
        reader = csv.reader(handle)
        in_data = False
        for row in reader:
            if not in_data:
                if row and row[0].strip().lower() == "hcpcs":
                    in_data = True
                continue
            if not row or not row[0].strip():
                continue
            line = reader.line_num
            if len(row) < _PPRRVU_COLUMNS:
                raise ParseError(
                    f"expected at least {_PPRRVU_COLUMNS} columns, found {len(row)}",
                    location=f"{path}, line {line}",
                )
            code = row[0].strip().upper()
            modifier = row[1].strip().upper()
            table[(code, modifier)] = RvuRow(
                code,
                modifier,
                row[3].strip().upper(),
                dec(row[5], line, "WORK RVU"),
                dec(row[6], line, "NON-FAC PE RVU"),
                row[7].strip().upper() == "NA",
                dec(row[8], line, "FACILITY PE RVU"),
                row[9].strip().upper() == "NA",
                dec(row[10], line, "MP RVU"),
                row[13].strip(),
                row[14].strip(),
                dec(row[15], line, "PRE OP"),
                dec(row[16], line, "INTRA OP"),
                dec(row[17], line, "POST OP"),
                row[18].strip(),
                row[19].strip(),
                row[20].strip(),
                row[21].strip(),
                row[22].strip(),
                row[23].strip(),
                row[27].strip() if len(row) > 27 else "",
            )
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
                )
            except (ValidationError, ArithmeticError) as error:
                raise ParseError(str(error), location=f"{path}, line {reader.line_num}") from None
            result[locality] = gpci
    if not result:
        raise ParseError("no GPCI rows found", location=str(path))
    return result
