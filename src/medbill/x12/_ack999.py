"""The 999 implementation acknowledgment (005010X231A1): read one, or write one for a file.

Structure (one per functional group acknowledged): AK1 (the group: GS01, GS06, GS08),
then per transaction set an AK2 loop (AK2 set id and ST02; IK3 segment errors each with
CTX context and IK4 element errors; IK5 the set's status and error codes), then AK9 (the
group's status and counts). A 997 (the 4010 functional acknowledgment, AK3/AK4/AK5) reads
the same way.

:func:`acknowledge` checks a received file (envelopes, counts, control numbers and, for an
835, the whole transaction set as :func:`~medbill.x12.read_835` reads it) and returns the
acknowledgements; :func:`write_999` writes them, so an integrator can acknowledge an 835.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from typing import Any

import attrs
import pendulum

from medbill._claim_status import (
    AckStatus,
    ElementError,
    FunctionalAcknowledgement,
    SegmentError,
    TransactionAcknowledgement,
)
from medbill._errors import ParseError, ValidationError
from medbill.x12._envelope import RawTransaction, Source
from medbill.x12._fields import Segments, checked_transactions, el, read_transactions
from medbill.x12._tokenizer import Lenience, X12Warning
from medbill.x12._write import Party, SegmentWriter, interchange

__all__ = ["acknowledge", "read_999", "write_999"]

IMPLEMENTATION = "005010X231A1"
_STATUS = {member.value: member for member in AckStatus}
_ALIASES = {"AK3": "IK3", "AK4": "IK4", "AK5": "IK5"}  # the 997's names


@attrs.define
class _Set:
    id: str
    control: str
    implementation: str | None
    errors: list[SegmentError] = attrs.Factory(list)
    segment: dict[str, Any] | None = None


class _Reader:
    def __init__(self, segments: Segments) -> None:
        self.segments = segments

    def read(self) -> list[FunctionalAcknowledgement]:
        found: list[FunctionalAcknowledgement] = []
        group: dict[str, Any] | None = None
        acks: list[TransactionAcknowledgement] = []
        current: _Set | None = None
        reading = self.segments
        for number, segment in reading:
            tag = _ALIASES.get(segment[0], segment[0])
            if tag == "AK1":
                group = {"functional_id": el(segment, 1), "group_control_number": el(segment, 2),
                         "version": el(segment, 3) or None}  # fmt: skip
                acks = []
            elif group is None:
                reading.problem(f"{segment[0]} before the AK1", number, segment, None)
            elif tag == "AK2":
                self._flush(current)
                current = _Set(el(segment, 1), el(segment, 2), el(segment, 3) or None)
            elif tag in ("IK3", "IK4", "CTX", "IK5") and current is None:
                reading.problem(f"{segment[0]} outside an AK2 loop", number, segment, None)
            elif tag == "IK3" and current is not None:
                self._flush(current)
                current.segment = {
                    "segment_id": el(segment, 1),
                    "position": reading.integer(segment, 2, number) or 0,
                    "loop": el(segment, 3) or None,
                    "code": el(segment, 4),
                    "context": [],
                    "elements": [],
                }
            elif tag == "CTX" and current is not None and current.segment is not None:
                text = "*".join(part for part in segment[1:])
                current.segment["context"].append(text)
            elif tag == "IK4" and current is not None:
                self._element(current, segment, number)
            elif tag == "IK5" and current is not None:
                status = _STATUS.get(el(segment, 1))
                if status is None:
                    reading.problem(f"unknown acknowledgment code {el(segment, 1)!r}", number,
                                    segment, 1)  # fmt: skip
                    continue
                self._flush(current)
                acks.append(
                    TransactionAcknowledgement(
                        transaction_set_id=current.id,
                        control_number=current.control,
                        implementation=current.implementation,
                        status=status,
                        errors=tuple(el(segment, i) for i in range(2, 7) if el(segment, i)),
                        segment_errors=tuple(current.errors),
                        group_control_number=str(group["group_control_number"]),
                    )
                )
                current = None
            elif tag == "AK9":
                found.append(self._group(group, acks, segment, number))
                group, acks, current = None, [], None
        if group is not None:
            reading.problem("the functional group acknowledgement has no AK9", number, ["AK9"],
                            None)  # fmt: skip
        return found

    def _element(self, current: _Set, segment: list[str], number: int) -> None:
        reading = self.segments
        if current.segment is None:
            reading.problem("IK4 without an IK3", number, segment, None)
            return
        position = [*reading.components(el(segment, 1)), "", "", ""]
        numbers = [int(p) if p.isdigit() else None for p in position[:3]]
        if numbers[0] is None:
            reading.problem(f"expected an element position, found {el(segment, 1)!r}", number,
                            segment, 1)  # fmt: skip
            return
        current.segment["elements"].append(
            ElementError(
                position=numbers[0],
                component=numbers[1],
                repetition=numbers[2],
                reference=el(segment, 2) or None,
                code=el(segment, 3),
                value=el(segment, 4) or None,
            )
        )

    @staticmethod
    def _flush(current: _Set | None) -> None:
        if current is None or current.segment is None:
            return
        fields = current.segment
        current.errors.append(
            SegmentError(
                **{
                    **fields,
                    "context": tuple(fields["context"]),
                    "elements": tuple(fields["elements"]),
                }
            )
        )
        current.segment = None

    def _group(
        self,
        group: dict[str, Any],
        acks: list[TransactionAcknowledgement],
        segment: list[str],
        number: int,
    ) -> FunctionalAcknowledgement:
        reading = self.segments
        status = _STATUS.get(el(segment, 1))
        if status is None:
            reading.problem(f"unknown acknowledgment code {el(segment, 1)!r}", number, segment, 1)
            status = (
                AckStatus.REJECTED
                if any(a.status.is_rejected for a in acks)
                else (AckStatus.ACCEPTED)
            )
        return FunctionalAcknowledgement(
            status=status,
            included=reading.integer(segment, 2, number),
            received=reading.integer(segment, 3, number),
            accepted=reading.integer(segment, 4, number),
            errors=tuple(el(segment, i) for i in range(5, 10) if el(segment, i)),
            transactions=tuple(acks),
            **group,
        )


def read_999(source: Source, *, strict: bool = True) -> list[FunctionalAcknowledgement]:
    """Read a 999 (or 997): one acknowledgement per functional group acknowledged.

    >>> from medbill.x12 import read_999
    >>> text = ("ISA*00*          *00*          *ZZ*CLEARING       *ZZ*CLINIC         "
    ...     "*250304*1900*^*00501*000000005*0*P*:~GS*FA*CLEARING*CLINIC*20250304*1900*5*X*"
    ...     "005010X231A1~ST*999*0001*005010X231A1~AK1*HC*17*005010X222A1~"
    ...     "AK2*837*0001*005010X222A1~IK3*NM1*8*2010AA*8~IK4*9*67*7*123~IK5*R*5~"
    ...     "AK9*R*1*1*0~SE*8*0001~GE*1*5~IEA*1*000000005~")
    >>> [ack] = read_999(text)
    >>> ack.status.value, ack.transactions[0].reasons
    ('R', ('IK5 5: One or More Segments in Error', 'NM1 (segment 8): Segment Has Data Element Errors; element 9 (67): Invalid Code Value'))
    """
    found: list[FunctionalAcknowledgement] = []
    for _, segments in read_transactions(source, ("999", "997"), strict):
        found.extend(_Reader(segments).read())
    return found


# -- acknowledging a received file --------------------------------------------------------

_WHERE = re.compile(r"segment (\d+) \((\w*)\)(?:, element (\d+))?")


def _content_error(raw: RawTransaction) -> tuple[tuple[str, ...], tuple[SegmentError, ...]]:
    """The IK5 codes and IK3 errors of one transaction set, read as its guide says."""
    if raw.id != "835":
        return (), ()
    from medbill.x12._reader835 import read_835  # the 835 reader checks every value

    d = raw.delimiters
    body = [d.element.join(["ST", raw.id, raw.control_number])]
    body += [d.element.join(segment) for segment in raw.segments]
    body.append(d.element.join(["SE", str(len(raw.segments) + 2), raw.control_number]))
    text = d.segment.join(body) + d.segment
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", X12Warning)  # only the missing envelope
            read_835(text, strict=False)
    except ParseError as error:
        match = _WHERE.search(error.location)
        if match is None:
            return ("5",), ()
        position, segment_id, element = match.groups()
        elements = () if element is None else (ElementError(position=int(element), code="7"),)
        return ("5",), (
            SegmentError(
                segment_id=segment_id,
                position=int(position),
                code="8" if elements else "2",
                context=(error.detail[:80],),
                elements=elements,
            ),
        )
    return (), ()


class _Collect(Lenience):
    """A lenience that keeps the departures of the open transaction set."""

    def __init__(self) -> None:
        super().__init__(False)
        self.problems: list[str] = []

    def report(self, message: str, where: str) -> None:
        self.problems.append(f"{where}: {message}")


def acknowledge(source: Source) -> list[FunctionalAcknowledgement]:
    """The acknowledgements to send for a received file, one per functional group.

    A transaction set is rejected when its SE count (IK5 code 4) or SE02 (code 3) is
    wrong, or when its content cannot be read (code 5, with the segment and element in
    an IK3/IK4); only 835s are read for content. A group with some sets rejected is
    partially accepted (AK9 P). Errors in the interchange envelope itself (a truncated
    file) raise :class:`~medbill.ParseError`: there is no group to acknowledge.

    >>> from medbill.x12 import SAMPLE_835, acknowledge
    >>> [ack] = acknowledge(SAMPLE_835)
    >>> ack.functional_id, ack.status.value, ack.transactions[0].control_number
    ('HP', 'A', '0001')
    """
    collect = _Collect()
    groups: list[FunctionalAcknowledgement] = []
    sets: list[TransactionAcknowledgement] = []
    gs: list[str] | None = None

    def close_group(segment: list[str], number: int, delimiters: object) -> None:
        nonlocal gs, sets
        if segment[0] == "GS":
            gs, sets = segment, []
        elif segment[0] == "GE" and gs is not None:
            groups.append(_group_ack(gs, sets))
            gs = None

    for raw in checked_transactions(source, collect, close_group):
        codes: list[str] = []
        for problem in collect.problems:
            if "SE01" in problem:
                codes.append("4")
            elif "SE02" in problem:
                codes.append("3")
        collect.problems.clear()
        errors, segment_errors = _content_error(raw)
        codes += [c for c in errors if c not in codes]
        implementation = _echo(raw.implementation)
        if raw.implementation and implementation != raw.implementation:
            codes.append("I6")  # implementation convention not supported
        control = _echo(raw.control_number)
        if control != raw.control_number:
            codes.append("7")  # invalid transaction set control number
        sets.append(
            TransactionAcknowledgement(
                transaction_set_id=_echo(raw.id) or "?",
                control_number=control or "0",
                implementation=implementation or None,
                status=AckStatus.REJECTED if codes else AckStatus.ACCEPTED,
                errors=tuple(codes),
                segment_errors=segment_errors,
                group_control_number=_echo(raw.gs[6]),
            )
        )
    return groups


def _echo(value: str) -> str:
    """A received identifier as a 999 may echo it: letters, digits, ``.`` and ``-`` only
    (the X12 AN type allows more, but not our delimiters)."""
    return "".join(ch for ch in value.strip() if ch.isascii() and (ch.isalnum() or ch in ".-"))


def _group_ack(gs: list[str], sets: list[TransactionAcknowledgement]) -> FunctionalAcknowledgement:
    accepted = sum(1 for s in sets if not s.status.is_rejected)
    version, control = _echo(gs[8]), _echo(gs[6])
    errors: tuple[str, ...] = ()
    if version != gs[8].strip():
        errors += ("2",)  # functional group version not supported
    if control != gs[6].strip():
        errors += ("6",)  # group control number violates syntax
    if errors:
        status, accepted = AckStatus.REJECTED, 0
    elif accepted == len(sets):
        status = AckStatus.ACCEPTED
    elif accepted:
        status = AckStatus.PARTIALLY_ACCEPTED
    else:
        status = AckStatus.REJECTED
    return FunctionalAcknowledgement(
        functional_id=_echo(gs[1]) or "?",
        group_control_number=control or "0",
        version=version or None,
        status=status,
        included=len(sets),
        received=len(sets),
        accepted=accepted,
        errors=errors,
        transactions=tuple(sets),
    )


def _body(out: SegmentWriter, ack: FunctionalAcknowledgement) -> None:
    out.add("AK1", out.text(ack.functional_id, "functional_id"),
            out.text(ack.group_control_number, "group_control_number"),
            out.text(ack.version, "version"))  # fmt: skip
    for item in ack.transactions:
        out.add("AK2", out.text(item.transaction_set_id, "transaction_set_id"),
                out.text(item.control_number, "control_number"),
                out.text(item.implementation, "implementation"))  # fmt: skip
        for error in item.segment_errors:
            out.add("IK3", out.text(error.segment_id, "segment_id"), str(error.position),
                    out.text(error.loop, "loop"), out.text(error.code, "code"))  # fmt: skip
            for element in error.elements:
                position = out.composite(
                    str(element.position),
                    "" if element.component is None else str(element.component),
                    "" if element.repetition is None else str(element.repetition),
                )
                out.add("IK4", position, out.text(element.reference, "reference"),
                        out.text(element.code, "code"), out.text(element.value, "value"))  # fmt: skip
        out.add("IK5", item.status.value, *(out.text(code, "errors") for code in item.errors[:5]))
    out.add(
        "AK9", ack.status.value,
        str(ack.included if ack.included is not None else len(ack.transactions)),
        str(ack.received if ack.received is not None else len(ack.transactions)),
        str(ack.accepted if ack.accepted is not None
            else sum(1 for t in ack.transactions if not t.status.is_rejected)),
        *(out.text(code, "errors") for code in ack.errors[:5]),
    )  # fmt: skip


def write_999(
    acknowledgements: Iterable[FunctionalAcknowledgement],
    *,
    sender: Party,
    receiver: Party,
    control_number: int,
    created: pendulum.DateTime,
    usage: str = "P",
) -> str:
    """A 999 (005010X231A1) with one transaction set per functional group acknowledged.

    >>> import pendulum
    >>> from medbill.x12 import SAMPLE_835, Party, acknowledge, write_999
    >>> text = write_999(acknowledge(SAMPLE_835), sender=Party(name="CLINIC", id="CLINIC"),
    ...     receiver=Party(name="ACME", id="ACME"), control_number=3,
    ...     created=pendulum.datetime(2025, 4, 1, 12))
    >>> [s for s in text.split("~\\n") if s[:3] in ("AK1", "AK2", "IK5", "AK9")]
    ['AK1*HP*1*005010X221A1', 'AK2*835*0001*005010X221A1', 'IK5*A', 'AK9*A*1*1*1']
    """
    bodies: list[tuple[str, list[str]]] = []
    for index, ack in enumerate(acknowledgements):
        if not isinstance(ack, FunctionalAcknowledgement):
            raise ValidationError(
                f"acknowledgements[{index}]", ack, "must be a FunctionalAcknowledgement"
            )
        out = SegmentWriter()
        _body(out, ack)
        bodies.append(("999", out.segments))
    if not bodies:
        raise ValidationError("acknowledgements", [], "must hold at least one acknowledgement")
    return interchange(
        bodies,
        functional_id="FA",
        version=IMPLEMENTATION,
        sender=sender,
        receiver=receiver,
        control_number=control_number,
        created=created,
        usage=usage,
    )
