"""Reading helpers shared by the 271, 277 and 999 readers: checked values, lenient or strict.

Each helper reads one element of a segment (``[id, e1, e2, ...]``, numbered as the
implementation guides number them) and raises :class:`~medbill.ParseError` naming the
segment and element when the value is malformed; when reading leniently it warns with
:class:`~medbill.x12.X12Warning` and gives ``None`` instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

import attrs
import pendulum

from medbill._common import Period, PersonName
from medbill._errors import ParseError
from medbill.x12._envelope import EnvelopeHook, RawTransaction, Source, transactions
from medbill.x12._tokenizer import Lenience, location

__all__ = ["Segments", "checked_transactions", "el", "read_transactions"]


def el(segment: list[str], position: int) -> str:
    """Element ``position`` of ``segment`` with blanks stripped, or ``""``."""
    return segment[position].strip() if position < len(segment) else ""


def checked_transactions(
    source: Source, lenience: Lenience, on_envelope: EnvelopeHook | None = None
) -> Iterator[RawTransaction]:
    """:func:`~medbill.x12._envelope.transactions`, with an unreadable source (text that
    is neither X12 nor a readable file's path) a :class:`~medbill.ParseError` too."""
    try:
        yield from transactions(source, lenience, on_envelope)
    except OSError as error:
        raise ParseError(
            f"{str(source)[:40]!r} is neither X12 text nor a readable file: {error.strerror}"
        ) from None


def read_transactions(
    source: Source, kinds: tuple[str, ...], strict: bool
) -> Iterator[tuple[RawTransaction, Segments]]:
    """The transaction sets of ``source`` of the given ids (``("271",)``), ready to read.

    Other transaction sets are skipped (an interchange may bundle several kinds).
    """
    lenience = Lenience(strict)
    for raw in checked_transactions(source, lenience):
        if raw.id in kinds:
            yield raw, Segments(raw, lenience)


@attrs.define
class Segments:
    """The segments of one transaction set, with their numbers and checked readers."""

    raw: RawTransaction
    lenience: Lenience

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        for offset, segment in enumerate(self.raw.segments):
            yield self.raw.first_number + offset, segment

    def problem(self, message: str, number: int, segment: list[str], position: int | None) -> None:
        """Raise (strict) or warn about a malformed value."""
        self.lenience.report(message, location(number, segment[0], position))

    def fail(self, message: str, number: int, segment: list[str], position: int | None) -> None:
        """Raise a :class:`~medbill.ParseError`: a problem no reading can go past."""
        raise ParseError(message, location=location(number, segment[0], position))

    def repeats(self, value: str) -> list[str]:
        """A repeated element split on the repetition separator (or, without one, on the
        component separator: some senders declare the same character for both)."""
        separator = self.raw.delimiters.repetition or self.raw.delimiters.component
        return [part.strip() for part in value.split(separator) if part.strip()]

    def components(self, value: str) -> list[str]:
        """A composite split on the component separator."""
        return [part.strip() for part in value.split(self.raw.delimiters.component)]

    def decimal(
        self, segment: list[str], position: int, number: int, *, money: bool = True
    ) -> Decimal | None:
        """An X12 decimal (type R) or ``None`` when empty."""
        value = el(segment, position)
        if not value:
            return None
        bad = value.strip("0123456789.-") or value.count(".") > 1 or "-" in value[1:]
        if not bad:
            try:
                amount = Decimal(value)
            except InvalidOperation:
                bad = True
        if bad or not amount.is_finite():
            self.problem(f"expected a number, found {value!r}", number, segment, position)
            return None
        if money and amount != amount.quantize(Decimal("0.01")):
            self.problem(
                f"an amount of money has at most 2 decimal places, found {value!r}",
                number,
                segment,
                position,
            )
            return None
        return amount.quantize(Decimal("0.01")) if money else amount

    def integer(self, segment: list[str], position: int, number: int) -> int | None:
        """A whole number (type N0) or ``None`` when empty."""
        value = el(segment, position)
        if not value:
            return None
        if not value.isdigit() or not value.isascii():
            self.problem(f"expected a whole number, found {value!r}", number, segment, position)
            return None
        return int(value)

    def date(
        self, value: str, number: int, segment: list[str], position: int, *, phi: bool = False
    ) -> pendulum.Date | None:
        """A CCYYMMDD date or ``None`` when empty; a ``phi`` date (a birth date) is masked
        in the error message."""
        if not value:
            return None
        shown = repr("*" * len(value)) if phi else repr(value)
        if len(value) != 8 or not value.isdigit() or not value.isascii():
            self.problem(f"expected a date CCYYMMDD, found {shown}", number, segment, position)
            return None
        try:
            return pendulum.date(int(value[:4]), int(value[4:6]), int(value[6:]))
        except ValueError:
            self.problem(f"{shown} is not a calendar date", number, segment, position)
            return None

    def period(
        self, qualifier: str, value: str, number: int, segment: list[str], position: int
    ) -> Period | None:
        """A date (D8) or range of dates (RD8 ``CCYYMMDD-CCYYMMDD``) as a :class:`Period`."""
        if qualifier == "RD8" or (not qualifier and "-" in value):
            start_text, _, end_text = value.partition("-")
            start = self.date(start_text, number, segment, position)
            end = self.date(end_text, number, segment, position)
            if start is None or end is None:
                return None
            if end < start:
                self.problem(
                    f"the range {value!r} ends before it starts", number, segment, position
                )
                return None
            return Period(start, end)
        day = self.date(value, number, segment, position)
        return None if day is None else Period(day, day)

    def dtp(self, segment: list[str], number: int) -> tuple[str, Period] | None:
        """A DTP segment: (qualifier DTP01, period from DTP02/DTP03)."""
        found = self.period(el(segment, 2), el(segment, 3), number, segment, 3)
        return None if found is None else (el(segment, 1), found)


def person_name(segment: list[str]) -> PersonName | None:
    """The person of an NM1 (NM103 family, NM104 given, NM105 middle, NM107 suffix)."""
    family, given = el(segment, 3), el(segment, 4)
    if el(segment, 2) == "2" or not family or not given:
        return None
    return PersonName(
        family=family,
        given=given,
        middle=el(segment, 5) or None,
        suffix=el(segment, 7) or None,
    )


def entity_name(segment: list[str]) -> str | None:
    """An NM1's name as one text: an organisation's NM103, a person's given and family."""
    family, given = el(segment, 3), el(segment, 4)
    return " ".join(part for part in (given, family) if part) or None
