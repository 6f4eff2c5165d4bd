"""Flat, effective-dated fee schedules: a chargemaster or a payer's fixed fee schedule."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pendulum

from medbill._deprecation import folded_modifier, renamed_parameters, warn_renamed
from medbill._encounter import Claim
from medbill._errors import ParseError, PricingError, ValidationError
from medbill._files import open_text
from medbill._money import as_money, round_cents
from medbill._validation import as_date, to_one_modifier
from medbill.codes import Modifier, ProcedureCode
from medbill.fees._priced import PricedClaim, PricedLine
from medbill.fees._trace import Trace, TraceStep

__all__ = ["FeeEntry", "FeeSchedule"]

CSV_COLUMNS = ("code", "modifier", "amount", "valid_from", "valid_to")


def _date(text: str, field: str) -> pendulum.Date:
    try:
        parsed = pendulum.parse(text.strip(), exact=True)
    except ValueError:
        raise ValidationError(field, text, "must be a date YYYY-MM-DD") from None
    if not isinstance(parsed, pendulum.Date) or isinstance(parsed, pendulum.DateTime):
        raise ValidationError(field, text, "must be a date YYYY-MM-DD")
    return parsed


def _amount(value: object) -> Decimal:
    return as_money(value, "amount", signed=False)


def _valid_from(value: dt.date) -> pendulum.Date:
    return as_date(value, "valid_from")


def _valid_to(value: dt.date | None) -> pendulum.Date | None:
    return None if value is None else as_date(value, "valid_to")


@folded_modifier
@attrs.frozen(kw_only=True)
class FeeEntry:
    """One amount for a code (and optionally one modifier), in force from ``valid_from`` to
    ``valid_to`` (both included; ``None``: open-ended).

    ``modifiers`` is a list of at most one modifier (``["26"]``); ``modifier=`` (one
    string) is deprecated since 0.2.0. ``modifier`` reads the one modifier, or ``None``.

    >>> import pendulum
    >>> from decimal import Decimal
    >>> entry = FeeEntry(code="71046", modifiers=["26"], amount=Decimal("30.00"),
    ...                  valid_from=pendulum.date(2025, 1, 1))
    >>> entry.code, entry.modifiers, entry.modifier, entry.in_force(pendulum.date(2030, 1, 1))
    (ProcedureCode('71046'), (Modifier('26'),), Modifier('26'), True)
    """

    code: ProcedureCode = attrs.field(converter=ProcedureCode)
    amount: Decimal = attrs.field(converter=_amount)
    valid_from: pendulum.Date = attrs.field(converter=_valid_from)
    valid_to: pendulum.Date | None = attrs.field(default=None, converter=_valid_to)
    modifiers: tuple[Modifier, ...] = attrs.field(default=(), converter=to_one_modifier)
    modifier: Modifier | None = attrs.field(init=False, eq=False, repr=False)
    """The entry's one modifier (``modifiers[0]``), or ``None``: what a look-up matches."""

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "modifier", self.modifiers[0] if self.modifiers else None)
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValidationError(
                "valid_to", self.valid_to, f"must be a date not before {self.valid_from}"
            )

    def in_force(self, day: dt.date) -> bool:
        """Whether the entry applies on ``day`` (a ``datetime.date`` or ``pendulum.Date``)."""
        day = as_date(day, "day")
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


def _overlap(a: FeeEntry, b: FeeEntry) -> bool:
    a_end = a.valid_to or pendulum.Date.max
    b_end = b.valid_to or pendulum.Date.max
    return a.valid_from <= b_end and b.valid_from <= a_end


class FeeSchedule:
    """Amounts keyed by procedure code and modifier, effective-dated.

    A lookup with a modifier falls back to the code's no-modifier amount; a lookup picks the
    entry in force on the date of service. Two entries for one code and modifier whose
    periods overlap are rejected when the schedule is built. A code with no entry is a
    :class:`~medbill.PricingError` naming code, modifier and date, never a silent zero.

    >>> import pendulum
    >>> from decimal import Decimal
    >>> chargemaster = FeeSchedule.from_csv_text('''code,modifier,amount,valid_from,valid_to
    ... 99213,,150.00,2025-01-01,2025-06-30
    ... 99213,,160.00,2025-07-01,
    ... 71046,26,30.00,2025-01-01,
    ... 71046,,95.00,2025-01-01,
    ... ''', name="chargemaster")
    >>> chargemaster.amount("99213", service_date=pendulum.date(2025, 8, 1))
    Decimal('160.00')
    >>> chargemaster.amount("71046", modifiers=["26"], service_date=pendulum.date(2025, 3, 1))
    Decimal('30.00')
    >>> chargemaster.amount("71046", modifiers=["TC"], service_date=pendulum.date(2025, 3, 1))
    Decimal('95.00')
    >>> chargemaster.amount("99214", service_date=pendulum.date(2025, 3, 1))
    Traceback (most recent call last):
    ...
    medbill.PricingError: code: no entry in fee schedule 'chargemaster' for 99214
    (modifier none) on 2025-03-01 (got '99214')
    """

    __slots__ = ("_entries", "name")

    def __init__(self, entries: Iterable[FeeEntry], *, name: str = "fee schedule") -> None:
        self.name = name
        indexed: dict[tuple[str, str], list[tuple[int, FeeEntry]]] = {}
        for index, entry in enumerate(entries):
            if not isinstance(entry, FeeEntry):
                raise ValidationError(f"entries[{index}]", entry, "must be a FeeEntry")
            key = (str(entry.code), str(entry.modifier or ""))
            indexed.setdefault(key, []).append((index, entry))
        # Overlaps: sort each code's entries by start and compare each with the latest end
        # seen so far, O(n log n) in all (a pairwise check took 13 s for 16,000 rows).
        table: dict[tuple[str, str], list[FeeEntry]] = {}
        for key, bucket in indexed.items():
            bucket.sort(key=lambda pair: (pair[1].valid_from, pair[0]))
            reach: tuple[int, FeeEntry] | None = None
            for index, entry in bucket:
                if reach is not None and _overlap(entry, reach[1]):
                    later, other = (index, reach[1]) if index > reach[0] else (reach[0], entry)
                    raise ValidationError(
                        f"entries[{later}]",
                        f"{key[0]} {key[1] or ''}".strip(),
                        f"overlaps the entry in force {other.valid_from} to "
                        f"{other.valid_to or 'open'} in {name!r}",
                    )
                end = entry.valid_to or pendulum.Date.max
                if reach is None or end > (reach[1].valid_to or pendulum.Date.max):
                    reach = (index, entry)
            table[key] = [entry for _, entry in bucket]
        self._entries: Mapping[tuple[str, str], Sequence[FeeEntry]] = table

    def __repr__(self) -> str:
        return f"FeeSchedule(name={self.name!r}, keys={len(self._entries)})"

    def __len__(self) -> int:
        return sum(len(v) for v in self._entries.values())

    @property
    def entries(self) -> tuple[FeeEntry, ...]:
        """Every entry, by code and modifier, then by date."""
        return tuple(e for bucket in self._entries.values() for e in bucket)

    @classmethod
    def from_csv_text(cls, text: str, *, name: str = "fee schedule") -> FeeSchedule:
        """Read CSV with the header ``code,modifier,amount,valid_from,valid_to``.

        ``modifier`` and ``valid_to`` may be empty. A malformed row raises
        :class:`~medbill.ParseError` naming the line number.
        """
        return cls(_read_rows(io.StringIO(text), name), name=name)

    @classmethod
    def from_csv(cls, path: str | Path, *, name: str | None = None) -> FeeSchedule:
        """Read a CSV file in the layout of :meth:`from_csv_text`."""
        path = Path(path)
        with open_text(path, newline="", encoding="utf-8") as handle:
            return cls(_read_rows(handle, str(path)), name=name or path.stem)

    @renamed_parameters("FeeSchedule.entry", date_of_service="service_date")
    def entry(
        self,
        code: str,
        *,
        service_date: dt.date,
        modifiers: Sequence[str] = (),
        modifier: str | None = None,
    ) -> FeeEntry:
        """The entry in force for ``code`` with the first of ``modifiers`` that has one of
        its own, else the entry without a modifier.

        ``modifier=`` (one string) is deprecated since 0.2.0: pass ``modifiers=[...]``.
        """
        mods = _modifiers(modifiers, modifier, "FeeSchedule.entry")
        day = as_date(service_date, "service_date")
        upper = str(code).upper()
        for key in [*((upper, m) for m in mods), (upper, "")]:
            for candidate in self._entries.get(key, ()):
                if candidate.in_force(day):
                    return candidate
        raise PricingError(
            "code",
            str(code),
            f"no entry in fee schedule {self.name!r} for {code} "
            f"(modifier {', '.join(mods) or 'none'}) on {day}",
        )

    @renamed_parameters("FeeSchedule.amount", date_of_service="service_date")
    def amount(
        self,
        code: str,
        *,
        service_date: dt.date,
        modifiers: Sequence[str] = (),
        modifier: str | None = None,
    ) -> Decimal:
        """The amount in force for ``code`` on ``service_date`` (see :meth:`entry`)."""
        mods = _modifiers(modifiers, modifier, "FeeSchedule.amount")
        return self.entry(code, service_date=service_date, modifiers=mods).amount

    @renamed_parameters("FeeSchedule.price_line", date_of_service="service_date")
    def price_line(
        self,
        code: str,
        *,
        service_date: pendulum.Date,
        modifiers: Sequence[str] = (),
        units: Decimal | int = 1,
        line_id: str | None = None,
    ) -> PricedLine:
        """The schedule's amount times ``units`` as a :class:`PricedLine` with its trace.

        The first modifier with an entry of its own is used; otherwise the no-modifier
        amount.

        >>> import pendulum
        >>> from decimal import Decimal
        >>> schedule = FeeSchedule([FeeEntry(code="97110", amount=Decimal("45.00"),
        ...                                  valid_from=pendulum.date(2025, 1, 1))], name="cm")
        >>> line = schedule.price_line("97110", units=3, service_date=pendulum.date(2025, 2, 1))
        >>> line.allowed
        Decimal('135.00')
        >>> print(line.trace)
        fee schedule: cm 97110 in force from 2025-01-01 -> 45.00
        units: 45.00 x 3 -> 135.00
        """
        count = Decimal(units) if isinstance(units, int) and not isinstance(units, bool) else units
        if not isinstance(count, Decimal) or not count.is_finite() or count <= 0:
            raise ValidationError("units", units, "must be a positive Decimal or int")
        mods = _modifiers(modifiers, None, "FeeSchedule.price_line")
        upper = str(code).upper()
        entry = self.entry(upper, service_date=service_date, modifiers=mods)
        mod = f"-{entry.modifier}" if entry.modifier else ""
        steps = [
            TraceStep(
                "fee schedule",
                f"{self.name} {upper}{mod} in force from {entry.valid_from}",
                entry.amount,
            )
        ]
        allowed = entry.amount * count
        if count != 1:
            allowed = round_cents(allowed)
            steps.append(TraceStep("units", f"{entry.amount} x {count}", allowed))
        return PricedLine(
            code=upper,
            allowed=allowed,
            unit_fee=entry.amount,
            service_date=service_date,
            modifiers=mods,
            units=count,
            line_id=line_id,
            trace=Trace(tuple(steps)),
        )

    def price_claim(self, claim: Claim) -> PricedClaim:
        """Every line of ``claim`` priced with :meth:`price_line` (no claim-level rules)."""
        lines = []
        for line in claim.lines:
            try:
                lines.append(
                    self.price_line(
                        line.procedure,
                        service_date=line.service_date,
                        modifiers=[str(m) for m in line.modifiers],
                        units=line.units,
                        line_id=line.line_id,
                    )
                )
            except ValidationError as error:
                raise error.at(f"lines[{line.line_id}]") from None
        return PricedClaim(claim_id=claim.id, lines=tuple(lines))

    @renamed_parameters("FeeSchedule.has", date_of_service="service_date")
    def has(
        self,
        code: str,
        *,
        service_date: dt.date,
        modifiers: Sequence[str] = (),
        modifier: str | None = None,
    ) -> bool:
        """Whether :meth:`amount` would find an entry."""
        mods = _modifiers(modifiers, modifier, "FeeSchedule.has")
        try:
            self.entry(code, service_date=service_date, modifiers=mods)
        except PricingError:
            return False
        return True


def _modifiers(modifiers: Sequence[str], modifier: str | None, where: str) -> tuple[str, ...]:
    """The modifiers asked for, upper-cased; the deprecated ``modifier=`` comes first."""
    if isinstance(modifiers, str):
        raise ValidationError("modifiers", modifiers, "must be a list of modifiers, not one string")
    if modifier is not None:
        warn_renamed(where, "modifier=", "modifiers=[...]", stacklevel=4)
        modifiers = (modifier, *modifiers)
    return tuple(str(m).upper() for m in modifiers if m)


def _read_rows(handle: io.TextIOBase | Iterable[str], source: str) -> list[FeeEntry]:
    reader = csv.reader(handle)
    try:
        return _rows(reader, source)
    except csv.Error as error:  # a stray carriage return, a NUL byte, a field too large
        raise ParseError(
            f"not a readable CSV file: {error}", location=f"{source}, line {reader.line_num}"
        ) from None


def _rows(reader: Any, source: str) -> list[FeeEntry]:
    header = next(reader, None)
    if header is None or tuple(h.strip().lower() for h in header[:5]) != CSV_COLUMNS:
        raise ParseError(f"header must be {','.join(CSV_COLUMNS)}", location=f"{source}, line 1")
    entries: list[FeeEntry] = []
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(CSV_COLUMNS):
            raise ParseError(
                f"expected {len(CSV_COLUMNS)} columns, found {len(row)}",
                location=f"{source}, line {line}",
            )
        code, modifier, amount, start, end = (cell.strip() for cell in row)
        try:
            entries.append(
                FeeEntry(
                    code=code,
                    modifiers=[modifier] if modifier else [],
                    amount=amount,
                    valid_from=_date(start, "valid_from"),
                    valid_to=_date(end, "valid_to") if end else None,
                )
            )
        except ValidationError as error:
            raise ParseError(str(error), location=f"{source}, line {line}") from None
    return entries
