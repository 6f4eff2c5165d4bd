"""Shared pieces of the X12 writers: element formatting and the ISA/GS/ST envelopes."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import attrs
import pendulum

from medbill._common import PersonName, Sex, non_empty
from medbill._errors import ValidationError
from medbill._validation import check, validate
from medbill.x12._limits import over_long
from medbill.x12._tokenizer import Delimiters

__all__ = ["Party", "SegmentWriter", "amount", "demographics", "interchange", "person_nm1"]

_D = Delimiters()
# Segments whose values may be PHI (names, addresses, member ids, birth dates).
_PHI_SEGMENTS = frozenset({"NM1", "N3", "N4", "DMG", "REF", "PER", "CLM", "CLP", "PAT"})


@attrs.frozen(kw_only=True)
class Party:
    """A trading partner in an envelope: the submitter or receiver of an interchange.

    ``id`` goes in ISA06/ISA08 (padded to 15), GS02/GS03 and the 1000A/1000B NM109;
    ``contact_name`` and ``phone`` fill the submitter's PER segment (837P loop 1000A).

    >>> from medbill.x12 import Party
    >>> Party(name="Springfield Family Medicine", id="SFM001", phone="2175550100").id
    'SFM001'
    """

    name: str
    id: str
    contact_name: str | None = None
    phone: str | None = None

    def __attrs_post_init__(self) -> None:
        validate(
            self,
            [
                non_empty("name", self.name),
                non_empty("id", self.id),
                check(
                    isinstance(self.id, str) and len(self.id) <= 15,
                    "id",
                    self.id,
                    "must be at most 15 characters (ISA06/ISA08)",
                ),
            ],
        )


def amount(value: Decimal) -> str:
    """An X12 decimal (type R): no exponent, no plus sign."""
    return format(value, "f")


class SegmentWriter:
    """Collects segments, refusing values that contain a delimiter."""

    def __init__(self, delimiters: Delimiters = _D) -> None:
        self.delimiters = delimiters
        self.segments: list[str] = []
        self._forbidden = {
            delimiters.element,
            delimiters.component,
            delimiters.segment,
            delimiters.repetition,
        } - {""}

    def add(self, segment_id: str, *elements: str) -> None:
        """Append a segment; trailing empty elements are dropped (X12.6)."""
        values = list(elements)
        while values and values[-1] == "":
            values.pop()
        component = self.delimiters.component
        for position, value in enumerate(values, start=1):
            if any(ch in value for ch in self._forbidden if ch != self.delimiters.component):
                raise ValidationError(
                    f"{segment_id}{position:02d}",
                    value,
                    "contains an X12 delimiter; it cannot be written",
                    phi=segment_id in _PHI_SEGMENTS,
                )
            # composites are checked by their parts' writers
            limit = None if component in value else over_long(segment_id, position, value)
            if limit is not None:
                raise ValidationError(
                    f"{segment_id}{position:02d}",
                    value,
                    f"is longer than the {limit} characters the implementation guide allows",
                    phi=segment_id in _PHI_SEGMENTS,
                )
        self.segments.append(self.delimiters.element.join([segment_id, *values]))

    def text(self, value: str | None, field: str) -> str:
        """A free-text value, checked for delimiters (composites are joined by callers)."""
        if value is None:
            return ""
        if any(ch in value for ch in self._forbidden):
            # free text (a name, an address, a memo) may be PHI: masked, never echoed
            raise ValidationError(
                field, value, "contains an X12 delimiter; it cannot be written", phi=True
            )
        return value

    def composite(self, *parts: str) -> str:
        """Components joined by the component separator, trailing empties dropped."""
        values = list(parts)
        while values and values[-1] == "":
            values.pop()
        return self.delimiters.component.join(values)


def interchange(
    transactions: Sequence[tuple[str, list[str]]],
    *,
    functional_id: str,
    version: str,
    sender: Party,
    receiver: Party,
    control_number: int,
    created: pendulum.DateTime,
    usage: str,
    delimiters: Delimiters = _D,
) -> str:
    """Wrap transaction bodies in ST/SE, one GS/GE and one ISA/IEA.

    ``transactions`` holds ``(transaction set id, body segments)``; ST02 runs from 0001.
    """
    if usage not in ("P", "T"):
        raise ValidationError("usage", usage, "must be P (production) or T (test)")
    if not 1 <= control_number <= 999_999_999:
        raise ValidationError("control_number", control_number, "must be 1 to 999999999")
    e = delimiters.element
    term = delimiters.segment + "\n"
    isa = e.join(
        [
            "ISA", "00", " " * 10, "00", " " * 10,
            "ZZ", sender.id.ljust(15), "ZZ", receiver.id.ljust(15),
            created.format("YYMMDD"), created.format("HHmm"), delimiters.repetition,
            "00501", f"{control_number:09d}", "0", usage, delimiters.component,
        ]
    )  # fmt: skip
    out = [
        isa,
        e.join(
            [
                "GS",
                functional_id,
                sender.id,
                receiver.id,
                created.format("YYYYMMDD"),
                created.format("HHmm"),
                str(control_number),
                "X",
                version,
            ]
        ),
    ]
    for index, (set_id, body) in enumerate(transactions, start=1):
        control = f"{index:04d}"
        # ST03 names the guide (837 005010X222A1, 270 005010X279A1, ...); the 835 guide
        # marks it "not used"
        header = [set_id, control] + ([version] if set_id != "835" else [])
        out.append(e.join(["ST", *header]))
        out.extend(body)
        out.append(e.join(["SE", str(len(body) + 2), control]))
    out.append(e.join(["GE", str(len(transactions)), str(control_number)]))
    out.append(e.join(["IEA", "1", f"{control_number:09d}"]))
    return term.join(out) + term


def person_nm1(
    out: SegmentWriter, role: str, name: PersonName, field: str, member_id: str | None = None
) -> None:
    """An NM1 for a person (NM102 = 1): family, given, middle, suffix and the member id (MI)."""
    identifier = () if member_id is None else ("MI", out.text(member_id, "member_id"))
    out.add(
        "NM1", role, "1", out.text(name.family, field), out.text(name.given, field),
        out.text(name.middle, field), "", out.text(name.suffix, field), *identifier,
    )  # fmt: skip


def demographics(out: SegmentWriter, birth_date: pendulum.Date | None, sex: Sex | None) -> None:
    """A DMG segment (D8 birth date, M/F gender) when the birth date is known."""
    if birth_date is None:
        return
    gender = sex.value if sex is not None and sex.value in ("M", "F") else ""
    out.add("DMG", "D8", birth_date.format("YYYYMMDD"), gender)
