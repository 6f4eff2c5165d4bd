"""Structure checks of a 270 (005010X279A1) and a 276 (005010X212), written from the guides.

pyx12 4.0 has no 5010 map for either, so the writers' output is checked here against the
implementation guides' (TR3) segment and loop rules: the loops in their order with their
usage (R required, S situational) and repeat limits, each loop's segments in order with
their repeat limits, the HL hierarchy (parent and level codes, HL04 child codes), the
element values the guide allows where the writers set them, and the envelope counts.
The guides' own examples (the linuxforhealth copies in ../shared/reference) pass it.

Sources: ASC X12N 005010X279A1 (Health Care Eligibility Benefit Inquiry and Response),
section 2.4 (270 transaction set listing) and the segment pages of loops 2000A-2110D;
ASC X12N 005010X212 (Health Care Claim Status Request and Response), section 2.4 (276
listing) and the segment pages of loops 2000A-2210E.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

Rule = frozenset[str] | str | Callable[[str], bool]
UNBOUNDED = 10**9  # ">1" in the guide

D8 = r"\d{8}"
TIME = r"\d{4}(\d{2}(\d{2})?)?"


def length(low: int, high: int) -> str:
    """An element of ``low`` to ``high`` characters."""
    return rf".{{{low},{high}}}"


def codes(*values: str) -> frozenset[str]:
    return frozenset(values)


@dataclass(frozen=True)
class Seg:
    """A segment of a loop: id, usage, maximum use and element rules (position: rule).

    ``when`` tells apart segments of one id in one loop (by their qualifier), ``unused``
    lists element positions the guide marks "not used".
    """

    id: str
    usage: str
    max: int
    elements: Mapping[int, Rule] = field(default_factory=dict)
    required: tuple[int, ...] = ()
    unused: tuple[int, ...] = ()
    when: Callable[[list[str]], bool] | None = None

    def starts(self, segment: list[str]) -> bool:
        return segment[0] == self.id and (self.when is None or self.when(segment))


@dataclass(frozen=True)
class Loop:
    """A loop: name, usage, repeat limit and its body (the first item starts the loop)."""

    name: str
    usage: str
    max: int
    body: tuple[Seg | Loop, ...]

    def starts(self, segment: list[str]) -> bool:
        return self.body[0].starts(segment)


class StructureError(AssertionError):
    """The transaction breaks a rule of the guide."""


def _element_problems(spec: Seg, segment: list[str], where: str) -> list[str]:
    found = []
    values = segment[1:]
    for position in spec.required:
        if position > len(values) or not values[position - 1]:
            found.append(f"{where}: {spec.id}{position:02d} is required")
    for position in spec.unused:
        if position <= len(values) and values[position - 1]:
            found.append(f"{where}: {spec.id}{position:02d} is not used by the guide")
    for position, rule in spec.elements.items():
        value = values[position - 1] if position <= len(values) else ""
        if not value:
            continue
        if isinstance(rule, frozenset):
            ok = value in rule
        elif isinstance(rule, str):
            ok = re.fullmatch(rule, value) is not None
        else:
            ok = rule(value)
        if not ok:
            found.append(f"{where}: {spec.id}{position:02d} {value!r} is not allowed")
    return found


class _Matcher:
    def __init__(self, segments: list[list[str]]) -> None:
        self.segments = segments
        self.at = 0
        self.problems: list[str] = []

    def peek(self) -> list[str] | None:
        return self.segments[self.at] if self.at < len(self.segments) else None

    def body(self, loop: Loop, path: str) -> None:
        for index, item in enumerate(loop.body):
            if isinstance(item, Seg):
                count = 0
                # the segment that starts the loop is used once per repeat of the loop
                stop = 1 if index == 0 else item.max + 1
                while (
                    (segment := self.peek()) is not None and item.starts(segment) and count < stop
                ):
                    count += 1
                    where = f"{path} {item.id} (segment {self.at + 1})"
                    self.problems += _element_problems(item, segment, where)
                    self.at += 1
                if count > item.max:
                    self.problems.append(f"{path}: {item.id} {count} times, at most {item.max}")
                if count == 0 and item.usage == "R":
                    self.problems.append(f"{path}: required {item.id} is missing")
            else:
                self.loop(item, path)

    def loop(self, loop: Loop, path: str) -> None:
        count = 0
        while (segment := self.peek()) is not None and loop.starts(segment):
            count += 1
            self.body(loop, f"{path}/{loop.name}[{count}]")
        if count > loop.max:
            self.problems.append(f"{path}: loop {loop.name} {count} times, at most {loop.max}")
        if count == 0 and loop.usage == "R":
            self.problems.append(f"{path}: required loop {loop.name} is missing")


def _hl_problems(segments: list[list[str]], parents: Mapping[str, str | None]) -> list[str]:
    found = []
    levels: dict[str, str] = {}
    children: dict[str, int] = {}
    hls = [s for s in segments if s[0] == "HL"]
    for index, hl in enumerate(hls, start=1):
        hl = hl + [""] * (5 - len(hl))
        number, parent, level, _child = hl[1], hl[2], hl[3], hl[4]
        if number != str(index):
            found.append(f"HL01 {number!r}: HL01 counts 1, 2, 3... (expected {index})")
        if level not in parents:
            found.append(f"HL03 {level!r} is not a level of this transaction")
            continue
        expected = parents[level]
        if expected is None:
            if parent:
                found.append(f"HL {number}: level {level} has no parent (HL02 empty)")
        elif levels.get(parent) != expected:
            found.append(f"HL {number}: level {level} needs a parent of level {expected}")
        levels[number] = level
        children.setdefault(number, 0)
        if parent:
            children[parent] = children.get(parent, 0) + 1
    for hl in hls:
        hl = hl + [""] * (5 - len(hl))
        has = children.get(hl[1], 0) > 0
        if hl[4] and hl[4] != ("1" if has else "0"):
            found.append(f"HL {hl[1]}: HL04 {hl[4]!r} but it has {children.get(hl[1], 0)} children")
    return found


def check(
    text: str, grammar: Loop, parents: Mapping[str, str | None], versions: tuple[str, ...]
) -> None:
    """Raise :class:`StructureError` listing every rule of the guide ``text`` breaks.

    Line breaks and indentation between segments (and a byte order mark) are ignored.
    """
    flat = text.lstrip("\ufeff").replace("\n", "").replace("\r", "")
    if not flat.startswith("ISA") or len(flat) < 106:
        raise StructureError("no ISA header")
    element, terminator = flat[3], flat[105]
    segments = [s.lstrip().split(element) for s in flat.split(terminator) if s.strip()]
    problems: list[str] = []
    gs = [s for s in segments if s[0] == "GS"]
    if len(gs) != 1 or gs[0][8] not in versions:
        problems.append(f"GS08 must be {' or '.join(versions)}")
    starts = [i for i, s in enumerate(segments) if s[0] == "ST"]
    for start in starts:
        end = next(i for i in range(start, len(segments)) if segments[i][0] == "SE")
        body = segments[start : end + 1]
        if gs and len(body[0]) > 3 and body[0][3] != gs[0][8]:
            problems.append(f"ST03 {body[0][3]} must be the GS08 version {gs[0][8]}")
        if body[-1][1] != str(len(body)):
            problems.append(f"SE01 {body[-1][1]} but the transaction has {len(body)} segments")
        if body[-1][2] != body[0][2]:
            problems.append("SE02 must repeat ST02")
        matcher = _Matcher(body)
        matcher.body(grammar, grammar.name)
        problems += matcher.problems
        if matcher.at != len(body):
            segment = body[matcher.at]
            problems.append(
                f"segment {matcher.at + 1} {element.join(segment)!r} is out of place for the guide"
            )
        problems += _hl_problems(body, parents)
    ge = [s for s in segments if s[0] == "GE"]
    if not ge or ge[0][1] != str(len(starts)):
        problems.append("GE01 must count the transaction sets")
    if problems:
        raise StructureError("\n".join(problems))


def _qualifier(*values: str) -> Callable[[list[str]], bool]:
    return lambda segment: len(segment) > 1 and segment[1] in values


def _hl(level: str) -> Callable[[list[str]], bool]:
    return lambda segment: len(segment) > 3 and segment[3] == level


HL = (1, 3)
NAME = (1, 2)
TRACE = Seg("TRN", "S", 2, {1: codes("1"), 2: length(1, 50), 3: r"[139]\d{9}"}, required=(1, 2))
PERIOD = {2: codes("D8", "RD8")}

# 005010X279A1, 270: loops 2000A (source) > 2000B (receiver) > 2000C (subscriber) >
# 2000D (dependent); 2110C/2110D eligibility or benefit inquiry, repeat 99.
# fmt: off
INQUIRY_270 = Loop(
    "270",
    "R",
    1,
    (
        Seg("ST", "R", 1, {1: codes("270"), 2: length(4, 9), 3: codes("005010X279A1", "005010X279")}, (1, 2, 3)),
        Seg("BHT", "R", 1, {1: codes("0022"), 2: codes("01", "13"), 3: length(1, 50), 4: D8,
                            5: TIME}, (1, 2, 4, 5)),
        Loop("2000A", "R", UNBOUNDED, (
            Seg("HL", "R", 1, {3: codes("20"), 4: codes("1")}, (*HL, 4), (2,), _hl("20")),
            Loop("2100A", "R", 1, (
                Seg("NM1", "R", 1, {1: codes("2B", "36", "GP", "P5", "PR"), 2: codes("1", "2"),
                                    3: length(1, 60), 8: codes("24", "46", "FI", "NI", "PI",
                                                               "XV", "XX"),
                                    9: length(2, 80)}, (*NAME, 3, 8, 9)),
            )),
            Loop("2000B", "R", UNBOUNDED, (
                Seg("HL", "R", 1, {3: codes("21"), 4: codes("1")}, (*HL, 2, 4), (), _hl("21")),
                Loop("2100B", "R", 1, (
                    Seg("NM1", "R", 1, {1: codes("1P", "2B", "36", "80", "FA", "GP", "P5", "PR"),
                                        2: codes("1", "2"), 3: length(1, 60),
                                        8: codes("24", "34", "FI", "PI", "PP", "SV", "XV",
                                                 "XX"), 9: length(2, 80)}, (*NAME, 3, 8, 9)),
                    Seg("REF", "S", 9, {2: length(1, 50)}, (1, 2)),
                    Seg("N3", "S", 1, {1: length(1, 55)}, (1,)),
                    Seg("N4", "S", 1, {1: length(2, 30)}, (1,)),
                    Seg("PRV", "S", 1, {1: codes("AD", "AT", "BI", "CO", "CV", "H", "HH", "LA",
                                                 "OT", "P1", "P2", "PC", "PE", "R", "RF", "SB",
                                                 "SK", "SU")}, (1,)),
                )),
                Loop("2000C", "R", UNBOUNDED, (
                    Seg("HL", "R", 1, {3: codes("22"), 4: codes("0", "1")}, (*HL, 2, 4), (),
                        _hl("22")),
                    TRACE,
                    Loop("2100C", "R", 1, (
                        Seg("NM1", "R", 1, {1: codes("IL"), 2: codes("1", "2"), 3: length(1, 60),
                                            8: codes("II", "MI"), 9: length(2, 80)}, (1, 2)),
                        Seg("REF", "S", 9, {1: codes("18", "49", "6P", "HJ", "N6", "1L", "1W",
                                                     "3H", "CE", "CT", "EA", "EJ", "F6", "GH",
                                                     "IG", "ML", "NQ", "Q4", "SY", "Y4"),
                                            2: length(1, 50)}, (1, 2)),
                        Seg("N3", "S", 1, {1: length(1, 55)}, (1,)),
                        Seg("N4", "S", 1, {1: length(2, 30)}, (1,)),
                        Seg("PRV", "S", 1, {}, (1,)),
                        Seg("DMG", "S", 1, {1: codes("D8"), 2: D8, 3: codes("F", "M", "U")},
                            (1, 2)),
                        Seg("INS", "S", 1, {1: codes("Y"), 2: codes("18")}, (1, 2)),
                        Seg("HI", "S", 1, {}, (1,)),
                        Seg("DTP", "S", 2, {1: codes("102", "291"), **PERIOD}, (1, 2, 3)),
                        Loop("2110C", "S", 99, (
                            Seg("EQ", "S", 1, {1: length(1, 2)}),
                            Seg("AMT", "S", 2, {1: codes("R", "PB")}, (1, 2)),
                            Seg("III", "S", 10, {}, (1, 2)),
                            Seg("REF", "S", 1, {1: codes("9F", "G1")}, (1, 2)),
                            Seg("DTP", "S", 1, {1: codes("291"), **PERIOD}, (1, 2, 3)),
                        )),
                    )),
                    Loop("2000D", "S", UNBOUNDED, (
                        Seg("HL", "R", 1, {3: codes("23"), 4: codes("0")}, (*HL, 2, 4), (),
                            _hl("23")),
                        TRACE,
                        Loop("2100D", "R", 1, (
                            Seg("NM1", "R", 1, {1: codes("03"), 2: codes("1"), 3: length(1, 60)},
                                (1, 2), (8, 9)),
                            Seg("REF", "S", 9, {2: length(1, 50)}, (1, 2)),
                            Seg("N3", "S", 1, {1: length(1, 55)}, (1,)),
                            Seg("N4", "S", 1, {1: length(2, 30)}, (1,)),
                            Seg("PRV", "S", 1, {}, (1,)),
                            Seg("DMG", "S", 1, {1: codes("D8"), 2: D8, 3: codes("F", "M", "U")},
                                (1, 2)),
                            # INS02: 01 spouse, 19 child, 34 other adult
                            Seg("INS", "S", 1, {1: codes("N"), 2: codes("01", "19", "34")},
                                (1, 2)),
                            Seg("HI", "S", 1, {}, (1,)),
                            Seg("DTP", "S", 2, {1: codes("102", "291"), **PERIOD}, (1, 2, 3)),
                            Loop("2110D", "S", 99, (
                                Seg("EQ", "R", 1, {1: length(1, 2)}),
                                Seg("III", "S", 10, {}, (1, 2)),
                                Seg("REF", "S", 1, {1: codes("9F", "G1")}, (1, 2)),
                                Seg("DTP", "S", 1, {1: codes("291"), **PERIOD}, (1, 2, 3)),
                            )),
                        )),
                    )),
                )),
            )),
        )),
        Seg("SE", "R", 1, {}, (1, 2)),
    ),
)
# fmt: on
PARENTS_270: Mapping[str, str | None] = {"20": None, "21": "20", "22": "21", "23": "22"}


# fmt: off
def _claim_loops(suffix: str) -> tuple[Loop, ...]:
    """Loops 2200D/E (claim status tracking number) and 2210D/E (service line)."""
    return (
        Loop(f"2200{suffix}", "S", UNBOUNDED, (
            Seg("TRN", "R", 1, {1: codes("1"), 2: length(1, 50)}, (1, 2)),
            # payer claim control number, bill type, location system, group number,
            # patient control number, prescription number, clearinghouse claim number
            Seg("REF", "S", 7, {1: codes("1K", "BLT", "LU", "6P", "EJ", "XZ", "D9"),
                                2: length(1, 50)}, (1, 2)),
            Seg("AMT", "S", 1, {1: codes("T3"), 2: r"\d{1,10}(\.\d{1,2})?"}, (1, 2)),
            Seg("DTP", "S", 1, {1: codes("472"), **PERIOD}, (1, 2, 3)),
            Loop(f"2210{suffix}", "S", UNBOUNDED, (
                Seg("SVC", "R", 1, {}, (1, 2)),
                Seg("REF", "S", 1, {1: codes("FJ")}, (1, 2)),
                Seg("DTP", "S", 1, {1: codes("472"), **PERIOD}, (1, 2, 3)),
            )),
        )),
    )


# 005010X212, 276: 2000A (source) > 2000B (receiver) > 2000C (service provider) >
# 2000D (subscriber) > 2000E (dependent); 2200D/E claims, 2210D/E service lines.
INQUIRY_276 = Loop(
    "276",
    "R",
    1,
    (
        Seg("ST", "R", 1, {1: codes("276"), 2: length(4, 9), 3: codes("005010X212")}, (1, 2, 3)),
        Seg("BHT", "R", 1, {1: codes("0010"), 2: codes("13"), 3: length(1, 50), 4: D8,
                            5: TIME}, (1, 2, 4, 5)),
        Loop("2000A", "R", UNBOUNDED, (
            Seg("HL", "R", 1, {3: codes("20"), 4: codes("1")}, (*HL, 4), (2,), _hl("20")),
            Loop("2100A", "R", 1, (
                Seg("NM1", "R", 1, {1: codes("PR"), 2: codes("2"), 3: length(1, 60),
                                    8: codes("24", "46", "FI", "NI", "PI", "XV", "XX"),
                                    9: length(2, 80)}, (1, 2, 3, 8, 9)),
            )),
            Loop("2000B", "R", UNBOUNDED, (
                Seg("HL", "R", 1, {3: codes("21"), 4: codes("1")}, (*HL, 2, 4), (), _hl("21")),
                Loop("2100B", "R", 1, (
                    Seg("NM1", "R", 1, {1: codes("41"), 2: codes("1", "2"), 3: length(1, 60),
                                        8: codes("46", "FI", "XX"), 9: length(2, 80)},
                        (1, 2, 3, 8, 9)),
                )),
                Loop("2000C", "R", UNBOUNDED, (
                    Seg("HL", "R", 1, {3: codes("19"), 4: codes("1")}, (*HL, 2, 4), (),
                        _hl("19")),
                    Loop("2100C", "R", 1, (
                        Seg("NM1", "R", 1, {1: codes("1P"), 2: codes("1", "2"), 3: length(1, 60),
                                            8: codes("FI", "SV", "XX"), 9: length(2, 80)},
                            (1, 2, 8, 9)),
                    )),
                    Loop("2000D", "R", UNBOUNDED, (
                        Seg("HL", "R", 1, {3: codes("22"), 4: codes("0", "1")}, (*HL, 2, 4), (),
                            _hl("22")),
                        Seg("DMG", "S", 1, {1: codes("D8"), 2: D8, 3: codes("F", "M", "U")},
                            (1, 2)),
                        Loop("2100D", "R", 1, (
                            Seg("NM1", "R", 1, {1: codes("IL"), 2: codes("1", "2"),
                                                3: length(1, 60), 8: codes("24", "II", "MI"),
                                                9: length(2, 80)}, (1, 2, 3, 8, 9)),
                        )),
                        *_claim_loops("D"),
                        Loop("2000E", "S", UNBOUNDED, (
                            Seg("HL", "R", 1, {3: codes("23"), 4: codes("0")}, (*HL, 2), (),
                                _hl("23")),
                            Seg("DMG", "S", 1, {1: codes("D8"), 2: D8, 3: codes("F", "M", "U")},
                                (1, 2)),
                            Loop("2100E", "R", 1, (
                                Seg("NM1", "R", 1, {1: codes("QC"), 2: codes("1"),
                                                    3: length(1, 60)}, (1, 2, 3)),
                            )),
                            *_claim_loops("E"),
                        )),
                    )),
                )),
            )),
        )),
        Seg("SE", "R", 1, {}, (1, 2)),
    ),
)
# fmt: on
PARENTS_276: Mapping[str, str | None] = {
    "20": None,
    "21": "20",
    "19": "21",
    "22": "19",
    "23": "22",
}


def check_270(text: str, versions: tuple[str, ...] = ("005010X279A1",)) -> None:
    """Raise :class:`StructureError` for every 005010X279A1 rule a 270 breaks."""
    check(text, INQUIRY_270, PARENTS_270, versions)


def check_276(text: str) -> None:
    """Raise :class:`StructureError` for every 005010X212 rule a 276 breaks."""
    check(text, INQUIRY_276, PARENTS_276, ("005010X212",))


def segments_of(text: str) -> Sequence[str]:
    """The segments of ``text`` (``~`` terminated, newlines ignored)."""
    return [s for s in text.replace("\n", "").split("~") if s]
