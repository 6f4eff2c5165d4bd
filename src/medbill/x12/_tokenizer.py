"""Split an X12 interchange into segments and elements.

The delimiters come from the ISA segment of each interchange (X12.5 / X12.6; the
005010 implementation guides, appendix B "Delimiters"): the 4th character is the element
separator, ISA11 the repetition separator (from version 00501 on), ISA16 the component
separator, and the character after ISA16 the segment terminator. Line breaks around
segment terminators are ignored, so wrapped and unwrapped files read the same.

The tokenizer reads its input in chunks, so a large file is never held in memory whole.
"""

from __future__ import annotations

import operator
import warnings
from collections.abc import Iterable, Iterator

import attrs

from medbill._errors import ParseError

__all__ = [
    "Delimiters",
    "Lenience",
    "Location",
    "Tokenizer",
    "X12Warning",
    "location",
    "shown",
    "warn",
]

_BLANK = " \t\r\n\ufeff"
_FIRST = operator.itemgetter(0)  # a segment's id
_ISA_ELEMENTS = 17  # the id ISA and ISA01..ISA16


class Location(str):
    """The text of a position (``segment 12 (CLP), element 3``) that keeps its parts.

    :class:`~medbill.ParseError` reads ``segment_index``, ``segment_id``, ``element``
    and ``value`` from it into its structured fields.
    """

    __slots__ = ("element", "segment_id", "segment_index", "value")

    segment_index: int
    segment_id: str
    element: int | None
    value: str | None


def location(
    number: int, segment_id: str, element: int | None = None, value: str | None = None
) -> Location:
    """The position of a problem: ``segment 12 (CLP), element 3``."""
    segment_id = segment_id[:10]
    where = f"segment {number} ({shown_id(segment_id)})"
    found = Location(f"{where}, element {element}" if element is not None else where)
    found.segment_index = number
    found.segment_id = segment_id
    found.element = element
    found.value = value
    return found


def shown_id(segment_id: str) -> str:
    """A segment id as a message shows it: printable and at most 6 characters."""
    text = segment_id[:6]
    return text if text.isascii() and text.isprintable() else repr(text)[1:-1][:12]


_SHOWN = 20


def shown(value: str) -> str:
    """An element value as a message shows it: quoted, cut, and masked when it may be PHI.

    Codes, qualifiers, dates and amounts are shown (at most 20 characters); a value that
    looks like a name or an identifier (four or more letters, or more than eight
    characters mixing letters and digits) is masked, since shifted elements put names
    and member ids where a code was expected.

    >>> shown("3OO.00"), shown("CO"), shown("JOHNSON"), shown("W123456789"), shown("1" * 40)
    ("'3OO.00'", "'CO'", "'J******'", "'******6789'", "'11111111111111111...'")
    """
    letters = sum(ch.isalpha() for ch in value[:200])
    if letters and (
        (letters >= 4 and letters == len(value)) or len(value) > 8 or " " in value.strip()
    ):
        from medbill._privacy import mask_value

        return mask_value(value[:_SHOWN])
    if len(value) > _SHOWN:
        return repr(value[: _SHOWN - 3] + "...")
    return repr(value)


class X12Warning(UserWarning):
    """A departure from the X12 standard that ``strict=False`` reading tolerated.

    The message names the segment and element, as a :class:`~medbill.ParseError` would.

    >>> import warnings
    >>> from medbill.x12 import SAMPLE_835, X12Warning, read_835
    >>> miscounted = SAMPLE_835.replace("SE*22*", "SE*23*")
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = read_835(miscounted, strict=False)
    >>> [w.category is X12Warning for w in caught], str(caught[0].message)[:26]
    ([True], 'segment 24 (SE), element 1')
    """


class Lenience:
    """What to do with a tolerable problem: raise (strict) or warn and go on."""

    __slots__ = ("strict",)

    def __init__(self, strict: bool) -> None:
        self.strict = strict

    def report(self, message: str, where: str, *, lenient: str = "") -> None:
        """Raise :class:`~medbill.ParseError` when strict, else warn with :class:`X12Warning`.

        ``lenient`` says what lenient reading does instead (``"skipped"``); it is
        appended to the warning only, so a strict error never claims to go on.
        """
        if self.strict:
            raise ParseError(message, location=where)
        warn(f"{message}; {lenient}" if lenient else message, where)


def warn(message: str, where: str) -> None:
    """Report a departure that is read in both modes (an :class:`X12Warning`)."""
    text = f"{where}: {message}"
    if len(text) > ParseError.MESSAGE_LIMIT:
        text = text[: ParseError.MESSAGE_LIMIT - 3] + "..."
    warnings.warn(X12Warning(text), stacklevel=3)


def guess_bare(text: str) -> Delimiters | None:
    """Delimiters of a transaction set sent without its ISA envelope (``ST*835*...``)."""
    if not text.startswith("ST") or len(text) < 8 or text[2].isalnum():
        return None
    separator = text[2]
    for char in text[3:200]:
        if not char.isalnum() and char != separator and char not in " \r\n":
            return Delimiters(element=separator, segment=char)
    return None


@attrs.frozen(kw_only=True)
class Delimiters:
    """The four delimiters of an interchange, as declared by its ISA segment.

    >>> Delimiters().element, Delimiters().segment
    ('*', '~')
    """

    element: str = "*"
    component: str = ":"
    repetition: str = "^"
    segment: str = "~"


def read_isa(
    text: str, number: int, lenience: Lenience | None = None
) -> tuple[Delimiters, list[str], int]:
    """Read the delimiters from the ISA at the start of ``text``.

    Returns them, the ISA's elements and the index just past its segment terminator.
    """
    if not text.startswith("ISA"):
        head = text[:3] or "end of input"
        raise ParseError(
            f"expected an ISA segment to open an interchange, found {shown(head)}",
            location=location(number, head),
        )
    if len(text) < 4:
        raise ParseError("the input ends inside the ISA segment", location=location(number, "ISA"))
    separator = text[3]
    if separator.isalnum() or separator in _BLANK:
        raise ParseError(
            f"element separator {separator!r} (the 4th character) must be a special character",
            location=location(number, "ISA", 1),
        )
    index = 3
    for _ in range(_ISA_ELEMENTS - 2):
        index = text.find(separator, index + 1)
        if index < 0:
            raise ParseError(
                "the ISA segment is truncated or its element separator "
                f"{separator!r} is used inconsistently: expected 16 elements",
                location=location(number, "ISA"),
            )
    # ISA16 is one character; the segment terminator follows it, possibly after a line
    # break written before the terminator (some writers wrap as "\n~").
    component = text[index + 1 : index + 2]
    end = index + 2
    while end < len(text) and text[end] in "\r\n \t":
        end += 1
    if end >= len(text):
        raise ParseError("the input ends after the ISA segment", location=location(number, "ISA"))
    terminator = text[end]
    if terminator.isalnum():  # a bare line break terminates the segments
        terminator = text[index + 2]
        end = index + 2
    elements = text[: index + 2].split(separator)
    if len(elements) != _ISA_ELEMENTS or len(component) != 1:
        raise ParseError(
            f"expected 16 ISA elements separated by {separator!r}, found {len(elements) - 1}",
            location=location(number, "ISA"),
        )
    version = elements[12]
    repetition = elements[11] if version >= "00501" else ""
    if repetition and repetition in (component, separator, terminator):
        # Some senders fill ISA11 with the component separator; without a distinct
        # repetition separator, repeated elements cannot be told apart, so lenient
        # reading does without one.
        (lenience or Lenience(True)).report(
            f"the repetition separator {repetition!r} (ISA11) repeats another delimiter",
            location(number, "ISA", 11),
        )
        repetition = ""
    used = [separator, component, terminator] + ([repetition] if repetition else [])
    if len(set(used)) != len(used) or component.isalnum():
        raise ParseError(
            "the ISA declares conflicting delimiters: element "
            f"{separator!r}, repetition {repetition!r}, component {component!r}, "
            f"segment {terminator!r}",
            location=location(number, "ISA", 16),
        )
    delimiters = Delimiters(
        element=separator, component=component, repetition=repetition, segment=terminator
    )
    return delimiters, elements, end + 1


class Tokenizer:
    """Iterate the segments of X12 text as lists of elements (``[id, e1, e2, ...]``).

    ``number`` is the 1-based position of the last segment returned, counted from the
    start of the input; ``delimiters`` those of the current interchange.

    >>> text = ("ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       "
    ...         "*250401*1200*^*00501*000000001*0*P*:~GS*HP*S*R*20250401*1200*1*X*005010X221A1~")
    >>> tokens = Tokenizer([text])
    >>> [segment[0] for segment in tokens], tokens.number, tokens.delimiters.component
    (['ISA', 'GS'], 2, ':')
    """

    def __init__(self, chunks: Iterable[str], lenience: Lenience | None = None) -> None:
        self._chunks = iter(chunks)
        self.number = 0
        self.delimiters = Delimiters()
        self._lenience = lenience or Lenience(True)

    def _more(self) -> str | None:
        for chunk in self._chunks:
            if chunk:
                return chunk
        return None

    def __iter__(self) -> Iterator[list[str]]:
        for batch in self.batches():
            first = self.number - len(batch)
            for offset, segment in enumerate(batch, start=1):
                self.number = first + offset
                yield segment

    def batches(self) -> Iterator[list[list[str]]]:
        """The segments in lists (one per chunk read); ``number`` counts those returned.

        Reading in batches lets the splitting run in list comprehensions; a batch ends
        at an IEA, since the next interchange may declare other delimiters.
        """
        buffer = ""
        while True:
            # Start of an interchange: read its delimiters from the ISA.
            buffer = buffer.lstrip(_BLANK)
            while len(buffer) < 200:
                chunk = self._more()
                if chunk is None:
                    break
                buffer = (buffer + chunk).lstrip(_BLANK)
            if not buffer:
                return
            bare = None if buffer.startswith("ISA") else guess_bare(buffer)
            if bare is not None:
                self._lenience.report(
                    "the transaction set has no ISA/GS envelope", location(self.number + 1, "ST")
                )
                self.delimiters = bare
            else:
                self.delimiters, isa, start = read_isa(buffer, self.number + 1, self._lenience)
                buffer = buffer[start:]
                self.number += 1
                yield [isa]
            separator = self.delimiters.element
            terminator = self.delimiters.segment
            closing = "SE" if bare is not None else "IEA"
            # ``buffer`` holds text that may end inside a segment; chunks without a
            # terminator wait in ``pending`` and are joined once one arrives, so each
            # character is scanned a bounded number of times (linear in the input).
            pending: list[str] = []
            while True:
                parts = buffer.split(terminator)
                buffer = parts.pop()  # text after the last terminator: incomplete
                # Blanks around a segment are line breaks or indentation; trailing blanks
                # inside the last element are insignificant (X12.6 suppresses them).
                batch = [text.split(separator) for raw in parts if (text := raw.strip(_BLANK))]
                ids = list(map(_FIRST, batch))  # scanned in C, not in a Python loop
                index = ids.index(closing) if closing in ids else -1
                if index >= 0:
                    rest = batch[index + 1 :]
                    del batch[index + 1 :]
                    if rest:
                        buffer = (
                            terminator.join(separator.join(s) for s in rest) + terminator + buffer
                        )
                    self.number += len(batch)
                    yield batch
                    break
                if batch:
                    self.number += len(batch)
                    yield batch
                while True:
                    chunk = self._more()
                    if chunk is None or terminator in chunk:
                        break
                    pending.append(chunk)
                if pending:
                    buffer = buffer + "".join(pending)
                    pending.clear()
                if chunk is None:
                    tail = buffer.strip(_BLANK)
                    if tail:
                        head = tail[:3]
                        where = location(self.number + 1, head.split(separator, 1)[0])
                        if not tail.startswith(closing + separator) or closing != "IEA":
                            raise ParseError(
                                f"the input ends inside a segment (no segment terminator "
                                f"{terminator!r}): the file is truncated",
                                location=where,
                            )
                        self._lenience.report(
                            f"the IEA has no segment terminator {terminator!r}", where
                        )
                        self.number += 1
                        yield [tail.split(separator)]
                    return
                buffer += chunk


def chunked(text: str, size: int = 1 << 20) -> Iterator[str]:
    """Slices of ``text`` of about ``size`` characters."""
    for start in range(0, len(text), size):
        yield text[start : start + size]
