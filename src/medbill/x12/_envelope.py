"""Interchange (ISA/IEA), functional group (GS/GE) and transaction set (ST/SE) envelopes.

The control structure rules of X12.6 and appendix B of the 005010 implementation guides:
IEA02 repeats ISA13 and IEA01 counts the functional groups; GE02 repeats GS06 and GE01
counts the transaction sets; SE02 repeats ST02 and SE01 counts the segments of the
transaction set, ST and SE included. A violation is a :class:`~medbill.ParseError` naming
the segment, so a file is never half-read silently.
"""

from __future__ import annotations

import codecs
import io
import itertools
import operator
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, cast

import attrs
import pendulum

from medbill._errors import ParseError, ValidationError
from medbill.x12._tokenizer import (
    Delimiters,
    Lenience,
    Tokenizer,
    chunked,
    location,
    shown,
    shown_id,
)

__all__ = [
    "KNOWN_TRANSACTION_SETS",
    "FunctionalGroup",
    "Interchange",
    "RawTransaction",
    "Segment",
    "Source",
    "StreamedTransaction",
    "TransactionSet",
    "count_value",
    "open_source",
    "parse_interchange",
    "stream_transactions",
    "transactions",
]

Source = str | bytes | os.PathLike[str] | IO[str] | IO[bytes]
"""X12 text (``str``, or ``bytes`` in UTF-8), a path (``pathlib.Path``) or an open text file.

A ``str`` is always X12 text, never a file name: pass a ``Path`` to read a file.
"""

# Small chunks keep the segment lists short-lived: a chunk's lists are made at once and
# freed once read, and at 4 KB (about 160 segments) most are freed before the cyclic
# garbage collector's first generation fills (700 objects) and scans them; 16 KB made
# the collector's work about a fifth of the 835 reader's time (benchmarks/x12.py).
_CHUNK = 4 << 10
_FIRST = operator.itemgetter(0)  # a segment's id
_ENVELOPE_OR_SE = frozenset({"ISA", "IEA", "GS", "GE", "ST", "SE", "TA1"})
# Transaction set identifiers (ST01) of the X12 releases medbill meets: HIPAA's and the
# acknowledgments. An ST01 outside this list is a damaged segment, not a set to skip.
KNOWN_TRANSACTION_SETS = frozenset(
    {
        "270", "271", "274", "275", "276", "277", "278", "820", "824", "834", "835",
        "837", "864", "869", "870", "997", "999", "102", "148", "152", "180", "186",
        "810", "850", "855", "856",
    }
)  # fmt: skip


def open_source(source: Source) -> Iterable[str]:
    """Chunks of X12 text from text, UTF-8 bytes, a path or an open text file."""
    if isinstance(source, str):
        return chunked(source, _CHUNK)
    if isinstance(source, bytes | bytearray | memoryview):
        return _decoded(bytes(source[i : i + _CHUNK]) for i in range(0, len(source), _CHUNK))
    if isinstance(source, os.PathLike):
        return _file_chunks(Path(source))
    if isinstance(source, io.TextIOBase | io.RawIOBase | io.BufferedIOBase) or hasattr(
        source, "read"
    ):
        return _read_chunks(source)
    raise ValidationError(
        "source",
        type(source).__name__,
        "expected X12 text (str or bytes), a pathlib.Path or an open file",
    )


def _read_chunks(handle: IO[str] | IO[bytes]) -> Iterator[str]:
    first = handle.read(_CHUNK)
    if isinstance(first, bytes | bytearray):
        raw = cast("IO[bytes]", handle)
        yield from _decoded(itertools.chain([bytes(first)], iter(lambda: raw.read(_CHUNK), b"")))
        return
    text = cast("IO[str]", handle)
    while first:
        yield first
        first = text.read(_CHUNK)


def _decoded(chunks: Iterable[bytes]) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        for chunk in chunks:
            text = decoder.decode(chunk)
            if text:
                yield text
        text = decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        raise ParseError(f"the input is not UTF-8 text: {error.reason}") from None
    if text:
        yield text


def _file_chunks(path: Path) -> Iterator[str]:
    try:
        with path.open("rb") as handle:
            yield from _decoded(iter(lambda: handle.read(_CHUNK), b""))
    except FileNotFoundError:
        raise ParseError(f"no such file: {str(path)[-60:]!r}") from None
    except IsADirectoryError:
        raise ParseError(f"{str(path)[-60:]!r} is a folder, not an X12 file") from None


@attrs.frozen(kw_only=True)
class Segment:
    """One segment: its id, its elements (``elements[0]`` is element 1) and its position.

    >>> clp = Segment(id="CLP", elements=("C-1", "1", "150.00", "80.00"), number=14)
    >>> clp.element(3), clp.element(9)
    ('150.00', '')
    """

    id: str
    elements: tuple[str, ...]
    number: int

    def element(self, position: int) -> str:
        """Element ``position`` (1-based, as the implementation guides count), or ``""``."""
        return self.elements[position - 1] if 0 < position <= len(self.elements) else ""


@attrs.frozen(kw_only=True)
class TransactionSet:
    """One transaction set (ST..SE): its type (``835``, ``837``), control number, segments.

    ``segments`` holds the segments between ST and SE; ``implementation`` is ST03 (or
    GS08 when ST03 is absent), the implementation guide the set follows.

    >>> from medbill.x12 import SAMPLE_835, parse_interchange
    >>> transaction = parse_interchange(SAMPLE_835)[0].groups[0].transactions[0]
    >>> transaction.id, transaction.implementation, len(transaction.segments)
    ('835', '005010X221A1', 20)
    """

    id: str
    control_number: str
    implementation: str | None
    segments: tuple[Segment, ...]


@attrs.frozen(kw_only=True)
class FunctionalGroup:
    """One functional group (GS..GE) and its transaction sets.

    ``functional_id`` is GS01 (``HP`` remittances, ``HC`` claims), ``version`` GS08.

    >>> from medbill.x12 import SAMPLE_835, parse_interchange
    >>> group = parse_interchange(SAMPLE_835)[0].groups[0]
    >>> group.functional_id, group.control_number, str(group.date)
    ('HP', '1', '2025-04-01')
    """

    functional_id: str
    sender_id: str
    receiver_id: str
    date: pendulum.Date | None
    control_number: str
    version: str
    transactions: tuple[TransactionSet, ...]


@attrs.frozen(kw_only=True)
class Interchange:
    """One interchange (ISA..IEA): sender, receiver, control number and functional groups.

    >>> from medbill.x12 import parse_interchange
    >>> text = (
    ...     "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       "
    ...     "*250401*1200*^*00501*000000001*0*T*:~GS*HC*SENDER*RECEIVER*20250401*1200*7*X*"
    ...     "005010X222A1~ST*837*0001*005010X222A1~BHT*0019*00*1*20250401*1200*CH~SE*3*0001~"
    ...     "GE*1*7~IEA*1*000000001~")
    >>> [interchange] = parse_interchange(text)
    >>> interchange.sender_id, interchange.groups[0].transactions[0].segments[0].id
    ('SENDER', 'BHT')
    """

    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str
    date: pendulum.Date | None
    control_number: str
    usage: str
    delimiters: Delimiters
    groups: tuple[FunctionalGroup, ...]


@attrs.frozen(kw_only=True)
class RawTransaction:
    """A transaction set as the readers consume it: element lists and their positions."""

    id: str
    control_number: str
    implementation: str
    first_number: int  # segment number of the first segment after ST
    segments: list[list[str]]
    delimiters: Delimiters
    isa: list[str]
    gs: list[str]


def count_value(value: str, number: int, segment_id: str, element: int) -> int:
    # Counts are type N0 of at most 10 digits (SE01; GE01 6, IEA01 5): ASCII digits only.
    if not (value.isascii() and value.isdigit() and len(value) <= 10):
        raise ParseError(
            f"expected a count of at most 10 digits, found {shown(value)}",
            location=location(number, segment_id, element, value),
        )
    return int(value)


def _control(value: str) -> str:
    return value.strip().lstrip("0") or "0"


_BARE_ISA = [
    "ISA",
    "00",
    "",
    "00",
    "",
    "ZZ",
    "",
    "ZZ",
    "",
    "000101",
    "0000",
    "^",
    "00501",
    "000000000",
    "0",
    "P",
    ":",
]
_BARE_GS = ["GS", "HP", "", "", "20000101", "0000", "0", "X", ""]


@attrs.define
class _Open:
    """The transaction set being read: its ST and the envelopes around it."""

    st: list[str]
    number: int
    isa: list[str]
    gs: list[str]


class _Closed:
    """The SE of the transaction set just read was checked (an event of :func:`_walk`)."""


_CLOSED = _Closed()

EnvelopeHook = Callable[[list[str], int, Delimiters], None]
"""Called with each validated ISA, GS, GE and IEA segment and its number."""


class StreamedTransaction:
    """A transaction set read as it streams: its ST, envelopes, and segments to come.

    ``batches`` yields the segments between ST and SE in lists, in file order; it ends
    once the SE has been checked (a count or control number that disagrees raises
    :class:`~medbill.ParseError` from it, when strict). Only the batch being read is in
    memory, so a transaction set of any size is read in flat memory. It can be iterated
    once; the next transaction set is read only after it is exhausted.
    """

    __slots__ = (
        "batches",
        "control_number",
        "delimiters",
        "first_number",
        "gs",
        "id",
        "implementation",
        "isa",
    )

    def __init__(
        self, opened: _Open, delimiters: Delimiters, batches: Iterator[list[list[str]]]
    ) -> None:
        self.id = _element(opened.st, 1)
        self.control_number = opened.st[2]
        self.implementation = _element(opened.st, 3) or opened.gs[8]
        self.first_number = opened.number + 1
        self.delimiters = delimiters
        self.isa = opened.isa
        self.gs = opened.gs
        self.batches = batches


def stream_transactions(
    source: Source, lenience: Lenience | None = None, on_envelope: EnvelopeHook | None = None
) -> Iterator[StreamedTransaction]:
    """Every transaction set of ``source`` as it streams, with the envelopes validated.

    A transaction set is yielded at its ST; its ``batches`` end after its SE has been
    checked. The GE and IEA after it are checked when iteration continues (a set whose
    segments were not read is read past first), so iterating to the end checks
    everything. With a lenient ``lenience``, count and control-number mismatches and a
    transaction set without envelope are warnings instead of errors. ``on_envelope``
    sees every envelope segment once it has been checked.
    """
    lenience = lenience or Lenience(True)
    tokens = Tokenizer(open_source(source), lenience)
    events = _walk(tokens, lenience, on_envelope or _ignore)
    for event in events:
        if isinstance(event, _Open):
            streamed = StreamedTransaction(event, tokens.delimiters, _body(events))
            yield streamed
            for _ in streamed.batches:  # the caller left the set unread: read past it
                pass


def _body(events: Iterator[_Open | _Closed | list[list[str]]]) -> Iterator[list[list[str]]]:
    for event in events:
        if isinstance(event, list):
            yield event
        else:  # _CLOSED: the SE was checked
            return


def transactions(
    source: Source, lenience: Lenience | None = None, on_envelope: EnvelopeHook | None = None
) -> Iterator[RawTransaction]:
    """Every transaction set of ``source`` whole, with the envelopes around it validated.

    A transaction set is yielded once its SE has been checked; the GE and IEA after it
    are checked when iteration continues (see :func:`stream_transactions`, which does
    not hold a set's segments).
    """
    for streamed in stream_transactions(source, lenience, on_envelope):
        segments = list(itertools.chain.from_iterable(streamed.batches))
        yield RawTransaction(
            id=streamed.id,
            control_number=streamed.control_number,
            implementation=streamed.implementation,
            first_number=streamed.first_number,
            segments=segments,
            delimiters=streamed.delimiters,
            isa=streamed.isa,
            gs=streamed.gs,
        )


def _walk(
    tokens: Tokenizer, lenience: Lenience, hook: EnvelopeHook
) -> Iterator[_Open | _Closed | list[list[str]]]:
    """The envelope state machine: yields a set's ``_Open``, its segments, ``_CLOSED``."""
    isa: list[str] | None = None
    gs: list[str] | None = None
    groups = sets = number = 0
    current: _Open | None = None
    envelope = _ENVELOPE_OR_SE
    for batch in tokens.batches():
        # Segments between envelope segments go to the open transaction set in slices;
        # only the envelope segments go through the state machine below.
        # The positions of the envelope segments, found in C (list.index), not by a
        # Python loop over the batch: most batches hold none, or an SE and an ST.
        ids = list(map(_FIRST, batch))
        marks = []
        for segment_id in envelope.intersection(ids):
            index = -1
            for _ in range(ids.count(segment_id)):
                index = ids.index(segment_id, index + 1)
                marks.append(index)
        marks.sort()
        if not marks and current is not None:
            number += len(batch)
            yield batch
            continue
        marks.append(len(batch))
        position = 0
        for mark in marks:
            if current is not None and mark > position:
                number += mark - position
                yield batch[position:mark]
            elif mark > position:
                segment = batch[position]
                raise ParseError(
                    f"segment {shown_id(segment[0])} outside a transaction set (expected ST, GE, GS or IEA)",
                    location=location(number + 1, segment[0]),
                )
            if mark == len(batch):
                break
            segment = batch[mark]
            position = mark + 1
            number += 1
            segment_id = segment[0]
            if current is not None:
                if segment_id == "SE":
                    _close(current, segment, number, lenience)
                    current = None
                    yield _CLOSED
                    continue
                raise ParseError(
                    f"expected SE closing transaction set {shown(current.st[2])} "
                    f"before {shown_id(segment_id)}",
                    location=location(number, segment_id),
                )
            if segment_id == "ST":
                set_id = _element(segment, 1)
                if set_id not in KNOWN_TRANSACTION_SETS:
                    lenience.report(
                        f"unknown transaction set identifier {shown(set_id)} (ST01)",
                        location(number, "ST", 1, set_id),
                    )
                if not _element(segment, 2):
                    raise ParseError(
                        "ST02 (control number) is empty", location=location(number, "ST", 2)
                    )
                if gs is None or isa is None:
                    if isa is not None or number != 1 or lenience.strict:
                        raise ParseError(
                            "a transaction set (ST) must be inside a functional group (GS)",
                            location=location(number, "ST"),
                        )
                    current = _Open(st=segment, number=number, isa=_BARE_ISA, gs=_BARE_GS)
                    yield current
                    continue
                sets += 1
                current = _Open(st=segment, number=number, isa=isa, gs=gs)
                yield current
            elif segment_id == "GS":
                if isa is None or gs is not None:
                    expected = "an ISA" if isa is None else "GE closing the previous group"
                    raise ParseError(
                        f"unexpected GS: expected {expected}", location=location(number, "GS")
                    )
                if len(segment) < 9:
                    raise ParseError(
                        f"GS needs 8 elements, found {len(segment) - 1}",
                        location=location(number, "GS"),
                    )
                gs, sets = segment, 0
                groups += 1
                hook(segment, number, tokens.delimiters)
            elif segment_id == "GE":
                if gs is None:
                    raise ParseError("GE without a GS", location=location(number, "GE"))
                _check_ge(segment, number, gs, sets, lenience)
                gs = None
                hook(segment, number, tokens.delimiters)
            elif segment_id == "TA1" and isa is not None and gs is None:
                pass  # an interchange acknowledgment rides between ISA and GS
            elif segment_id == "ISA":
                if isa is not None:
                    raise ParseError(
                        "unexpected ISA: expected IEA closing the previous interchange",
                        location=location(number, "ISA"),
                    )
                isa, groups = segment, 0
                hook(segment, number, tokens.delimiters)
            elif segment_id == "IEA":
                if isa is None or gs is not None:
                    expected = "an ISA" if isa is None else "GE closing the open group"
                    raise ParseError(
                        f"unexpected IEA: expected {expected}", location=location(number, "IEA")
                    )
                _check_iea(segment, number, isa, groups, lenience)
                isa = None
                hook(segment, number, tokens.delimiters)
            else:  # an SE without ST
                raise ParseError(
                    f"segment {shown_id(segment_id)} outside a transaction set (expected ST, GE, GS or IEA)",
                    location=location(number, segment_id),
                )
    if number == 0:
        lenience.report("the input is empty: it holds no X12 segment", location(1, "ISA"))
    if current is not None:
        raise ParseError(
            f"the input ends without an SE closing transaction set {shown(current.st[2])}: "
            "the file is truncated",
            location=location(number + 1, "SE"),
        )
    if gs is not None:
        raise ParseError(
            "the input ends without a GE closing the functional group: the file is truncated",
            location=location(number + 1, "GE"),
        )
    if isa is not None:
        raise ParseError(
            "the input ends without an IEA closing the interchange: the file is truncated",
            location=location(number + 1, "IEA"),
        )


def _ignore(segment: list[str], number: int, delimiters: Delimiters) -> None:
    pass


def _check_ge(
    segment: list[str], number: int, gs: list[str], sets: int, lenience: Lenience
) -> None:
    if count_value(_element(segment, 1), number, "GE", 1) != sets:
        lenience.report(
            f"GE01 says {segment[1]} transaction sets, the group holds {sets}",
            location(number, "GE", 1),
        )
    if _control(_element(segment, 2)) != _control(gs[6]):
        lenience.report(
            f"GE02 {shown(_element(segment, 2))} does not match GS06 {shown(gs[6])}",
            location(number, "GE", 2),
        )


def _check_iea(
    segment: list[str], number: int, isa: list[str], groups: int, lenience: Lenience
) -> None:
    if count_value(_element(segment, 1), number, "IEA", 1) != groups:
        lenience.report(
            f"IEA01 says {segment[1]} functional groups, the interchange holds {groups}",
            location(number, "IEA", 1),
        )
    if _element(segment, 2) != isa[13]:
        lenience.report(
            f"IEA02 {shown(_element(segment, 2))} does not match ISA13 {shown(isa[13])}",
            location(number, "IEA", 2),
        )


def _element(segment: list[str], position: int) -> str:
    return segment[position] if position < len(segment) else ""


def _close(current: _Open, se: list[str], number: int, lenience: Lenience) -> None:
    control = current.st[2]
    count = count_value(_element(se, 1), number, "SE", 1)
    actual = number - current.number + 1
    if count != actual:
        lenience.report(
            f"SE01 says {count} segments, the transaction set holds {actual}",
            location(number, "SE", 1),
        )
    if _element(se, 2) != control:
        lenience.report(
            f"SE02 {shown(_element(se, 2))} does not match ST02 {shown(control)}",
            location(number, "SE", 2),
        )


def x12_date(value: str, number: int, segment_id: str, element: int) -> pendulum.Date:
    """A date of format CCYYMMDD (D8) or YYMMDD (the ISA's 6-digit date)."""
    if len(value) == 6 and value.isdigit():
        value = ("20" if int(value[:2]) < 50 else "19") + value
    if len(value) != 8 or not value.isdigit():
        raise ParseError(
            f"expected a date CCYYMMDD, found {shown(value)}",
            location=location(number, segment_id, element, value),
        )
    try:
        return pendulum.date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise ParseError(
            f"{shown(value)} is not a calendar date",
            location=location(number, segment_id, element, value),
        ) from None


def parse_interchange(source: Source, *, strict: bool = True) -> list[Interchange]:
    """Every interchange of ``source`` as a tree of groups, transaction sets and segments.

    Works for any transaction set (835, 837, 270, ...); the envelopes are validated
    (control numbers and counts) and a problem raises :class:`~medbill.ParseError`;
    ``strict=False`` turns count and control-number mismatches, unreadable envelope
    dates (then ``None``) and an ISA11 equal to another delimiter into warnings
    (:class:`~medbill.x12.X12Warning`).

    >>> from medbill.x12 import parse_interchange
    >>> parse_interchange("ISA*00*bad")
    Traceback (most recent call last):
    ...
    medbill.ParseError: segment 1 (ISA): the ISA segment is truncated or its ...
    """
    lenience = Lenience(strict)
    tree = _Tree(lenience)
    for raw in transactions(source, lenience, tree.envelope):
        tree.sets.append(
            TransactionSet(
                id=raw.id,
                control_number=raw.control_number,
                implementation=raw.implementation or None,
                segments=tuple(
                    Segment(id=s[0], elements=tuple(s[1:]), number=raw.first_number + i)
                    for i, s in enumerate(raw.segments)
                ),
            )
        )
        if raw.isa is _BARE_ISA:  # lenient: a transaction set without envelope
            tree.envelope(_BARE_GS, raw.first_number - 1, raw.delimiters)
            tree.envelope(["GE"], raw.first_number + len(raw.segments), raw.delimiters)
            tree.isa = (_BARE_ISA, 0)
            tree.envelope(["IEA"], raw.first_number + len(raw.segments), raw.delimiters)
    return tree.interchanges


class _Tree:
    """Builds interchanges, groups and transaction sets as the envelopes close."""

    def __init__(self, lenience: Lenience) -> None:
        self.lenience = lenience
        self.interchanges: list[Interchange] = []
        self.groups: list[FunctionalGroup] = []
        self.sets: list[TransactionSet] = []
        self.isa: tuple[list[str], int] = (_BARE_ISA, 0)
        self.gs: tuple[list[str], int] = (_BARE_GS, 0)

    def date(self, value: str, number: int, segment_id: str, position: int) -> pendulum.Date | None:
        try:
            return x12_date(value, number, segment_id, position)
        except ParseError as error:
            self.lenience.report(error.detail, error.location)
            return None

    def envelope(self, segment: list[str], number: int, delimiters: Delimiters) -> None:
        segment_id = segment[0]
        if segment_id == "ISA":
            self.isa = (segment, number)
        elif segment_id == "GS":
            self.gs = (segment, number)
        elif segment_id == "GE":
            gs, gs_number = self.gs
            self.groups.append(
                FunctionalGroup(
                    functional_id=gs[1],
                    sender_id=gs[2],
                    receiver_id=gs[3],
                    date=self.date(gs[4], gs_number, "GS", 4),
                    control_number=gs[6],
                    version=gs[8],
                    transactions=tuple(self.sets),
                )
            )
            self.sets = []
        elif segment_id == "IEA":
            isa, isa_number = self.isa
            self.interchanges.append(
                Interchange(
                    sender_qualifier=isa[5],
                    sender_id=isa[6].strip(),
                    receiver_qualifier=isa[7],
                    receiver_id=isa[8].strip(),
                    date=self.date(isa[9], isa_number, "ISA", 9),
                    control_number=isa[13],
                    usage=isa[15],
                    delimiters=delimiters,
                    groups=tuple(self.groups),
                )
            )
            self.groups = []
