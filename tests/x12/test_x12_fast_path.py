"""The 835 reader's fast loop reads exactly as its general loop (issue 15).

``_TransactionReader.claims`` reads the common shapes of the common segments itself and
hands every other segment to the general reading (``_segment``); with ``fast = False``
every segment goes through the general reading. Both ways must give the same records,
the same errors (message and position) at the same point of a stream, and the same
warnings: on every reference 835, strict and lenient, on generated files (written by
``write_835`` from hypothesis remittances, and of the kind benchmarks/x12.py reads) and
on those files with one segment or element changed.
"""

from __future__ import annotations

import itertools
import random
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_x12_samples import EXPECTED

from medbill import ParseError, Remittance
from medbill.testing import strategies as mst
from medbill.x12 import SAMPLE_835, _reader835, read_835, stream_835, write_835

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@contextmanager
def _general() -> Iterator[None]:
    """Every segment through the general reading."""
    _reader835._TransactionReader.fast = False
    try:
        yield
    finally:
        _reader835._TransactionReader.fast = True


def _error(error: ParseError) -> tuple[Any, ...]:
    return (type(error), str(error), error.segment_index, error.segment_id, error.element)


def _observed(data: str | bytes | Path, strict: bool) -> list[Any]:
    """What a caller sees: streamed headers, claims and trailers, errors where they come,
    every warning, and what ``read_835`` returns or raises."""
    events: list[Any] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            for stream in stream_835(data, strict=strict):
                events.append(("header", stream.header))
                events.extend(("claim", claim) for claim in stream)
                events.append(
                    (
                        "trailer",
                        stream.imbalances(),
                        stream.provider_adjustments,
                        stream.provider_summaries,
                        stream.claim_count,
                        stream.claims_paid,
                    )
                )
        except ParseError as error:
            events.append(("error", *_error(error)))
        try:
            events.append(("read", read_835(data, strict=strict)))
        except ParseError as error:
            events.append(("read error", *_error(error)))
    events.append([(w.category, str(w.message)) for w in caught])
    return events


def _same_both_ways(data: str | bytes | Path) -> None:
    for strict in (True, False):
        fast = _observed(data, strict)
        with _general():
            general = _observed(data, strict)
        assert fast == general, f"strict={strict}"


@pytest.mark.parametrize("name", [name for name, _ in EXPECTED])
def test_reference_samples_read_the_same_both_ways(reference_dir: Path, name: str) -> None:
    _same_both_ways(reference_dir / name)


def benchmark_like(claims: int, seed: int, claims_per_set: int = 7) -> str:
    """A file of the kind payers send (and benchmarks/x12.py reads): NM1, DTM, CAS, REF
    and AMT per line, with now and then the rarer segments and shapes."""
    rng = random.Random(seed)
    out = [
        "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PROVIDER       "
        "*250401*1200*^*00501*000000001*0*P*:~",
        "GS*HP*PAYER*PROVIDER*20250401*1200*1*X*005010X221A1~",
    ]
    sets = 0
    for first in range(0, claims, claims_per_set):
        sets += 1
        body: list[str] = []
        total = 0
        for number in range(first, min(first + claims_per_set, claims)):
            lines: list[str] = []
            claim_charge = claim_paid = claim_pr = 0
            for line_no in range(1, rng.randint(1, 4) + 1):
                charge = rng.randint(5_000, 40_000)
                contractual = rng.randint(0, charge // 3)
                pr = rng.randint(0, (charge - contractual) // 4)
                paid = charge - contractual - pr
                claim_charge += charge
                claim_paid += paid
                claim_pr += pr
                procedure = rng.choice(["99213", "99214:25", "80053", "J1030:JW:59"])
                units = rng.choice(["**1", "", "**2*HC:99215", "*0450"])
                lines.append(
                    f"SVC*HC:{procedure}*{charge / 100:.2f}*{paid / 100:.2f}{units}~"
                    + rng.choice(["DTM*472*20250304~", "DTM*150*20250301~DTM*151*20250302~"])
                )
                lines.append(f"CAS*CO*45*{contractual / 100:.2f}~" if contractual else "")
                if pr > 1 and rng.random() < 0.2:  # two triplets
                    half = pr // 2
                    lines.append(f"CAS*PR*1*{half / 100:.2f}**2*{(pr - half) / 100:.2f}~")
                else:
                    lines.append(f"CAS*PR*2*{pr / 100:.2f}~" if pr else "")
                lines.append(rng.choice([f"REF*6R*{line_no}~", "REF*LU*11~", ""]))
                lines.append(f"AMT*B6*{(charge - contractual) / 100:.2f}~")
                lines.append(rng.choice(["", "", "LQ*HE*N130~", "QTY*ZL*1~", "AMT*KH*0~"]))
            total += claim_paid
            body.append(
                f"CLP*C{number:07d}*1*{claim_charge / 100:.2f}*{claim_paid / 100:.2f}"
                f"*{claim_pr / 100:.2f}*12*PCN{number:09d}*11*1~"
            )
            body.append(f"NM1*QC*1*PATIENT*TEST****MI*M{number:09d}~")
            body.append(rng.choice(["", "NM1*IL*1*INSURED*TEST****MI*X1~", "MOA***MA01~"]))
            body.append(rng.choice(["DTM*050*20250320~", "DTM*232*20250301~DTM*233*20250302~"]))
            body.append(rng.choice(["", "AMT*AU*1.00~", "REF*EA*X~"]))
            body.extend(line for line in lines if line)
        header = [
            f"ST*835*{sets:04d}~",
            f"BPR*I*{total / 100:.2f}*C*CHK************20250401~",
            f"TRN*1*CHK{sets:06d}*1512345678~",
            "DTM*405*20250331~",
            "N1*PR*ACME HEALTH~",
            "N3*PO BOX 1~",
            "N4*CHICAGO*IL*60601~",
            "REF*2U*60054~",
            "PER*BL**TE*8005550100~",
            "N1*PE*SPRINGFIELD FAMILY MEDICINE*XX*1234567893~",
            "LX*1~",
        ]
        segments = [s for s in "".join(body).split("~") if s]
        out.extend(header)
        out.extend(s + "~" for s in segments)
        out.append(f"SE*{len(header) + len(segments) + 1}*{sets:04d}~")
    out.append(f"GE*{sets}*1~")
    out.append("IEA*1*000000001~")
    return "\n".join(out) + "\n"


BENCHMARK_LIKE = benchmark_like(40, 3)


def test_the_fast_loop_reads_most_segments_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    # Not a vacuous comparison: on a file of the kind payers send, the general reading
    # sees the header segments and the first occurrence of each code and date only.
    handed = 0
    original = _reader835._TransactionReader._segment

    def counted(self: Any, segment: list[str], number: int) -> Any:
        nonlocal handed
        handed += 1
        return original(self, segment, number)

    monkeypatch.setattr(_reader835._TransactionReader, "_segment", counted)
    read_835(BENCHMARK_LIKE)
    total = BENCHMARK_LIKE.count("~")
    assert handed < total // 4, (handed, total)


def test_benchmark_like_files_read_the_same_both_ways() -> None:
    _same_both_ways(BENCHMARK_LIKE)
    _same_both_ways(BENCHMARK_LIKE.encode())


def _segments(text: str) -> list[str]:
    return [s.strip() for s in text.split("~") if s.strip()]


_VALUES = st.sampled_from(
    [
        "",
        "0",
        "-5.00",
        "12.345",
        "1" * 19,
        "9" * 60,
        "X" * 81,
        "CO",
        "OA",
        "CR",
        "XX",
        "45",
        "2",
        "HC:99213:25",
        "HC:99213:ZZ",
        "NU:0450",
        "ZZ:ABC",
        "HC:",
        "20250230",
        "20250304",
        "2025030",
        "472",
        "151",
        "050",
        "233",
        "999",
        "6R",
        "B6",
        "AU",
        "QC",
        "IL",
        "74",
        "QQ",
        "1",
        "25",
        "N130",
    ]
)


@st.composite
def edited(draw: st.DrawFn, text: str) -> str:
    """``text`` with one to three segments edited: an element changed, added or dropped,
    the segment repeated, dropped or renamed."""
    segments = _segments(text)
    for _ in range(draw(st.integers(1, 3))):
        index = draw(st.integers(0, len(segments) - 1))
        elements = segments[index].split("*")
        if elements[0] in ("ISA", "GS", "GE", "IEA"):
            continue
        action = draw(
            st.sampled_from(["set", "set", "set", "add", "drop", "repeat", "remove", "rename"])
        )
        if action == "set" and len(elements) > 1:
            elements[draw(st.integers(1, len(elements) - 1))] = draw(_VALUES)
        elif action == "add":
            elements.append(draw(_VALUES))
        elif action == "drop" and len(elements) > 2:
            del elements[draw(st.integers(1, len(elements) - 1))]
        elif action == "repeat":
            segments.insert(index, segments[index])
        elif action == "remove":
            del segments[index]
            continue
        elif action == "rename":
            elements[0] = draw(
                st.sampled_from(
                    [
                        "CLP",
                        "SVC",
                        "CAS",
                        "DTM",
                        "REF",
                        "AMT",
                        "NM1",
                        "LQ",
                        "MOA",
                        "PLB",
                        "LX",
                        "QTY",
                        "CLQ",
                    ]
                )
            )
        segments[index] = "*".join(elements)
    return "~".join(segments) + "~"


@SETTINGS
@given(st.lists(mst.remittances(), min_size=1, max_size=3))
def test_written_files_read_the_same_both_ways(eras: list[Remittance]) -> None:
    text = write_835(eras)
    _same_both_ways(text + text)  # twice: the second interchange meets cached codes


@SETTINGS
@given(st.data())
def test_edited_files_read_the_same_both_ways(data: st.DataObject) -> None:
    base = data.draw(st.sampled_from([BENCHMARK_LIKE, SAMPLE_835 + SAMPLE_835]))
    _same_both_ways(data.draw(edited(base)))


@SETTINGS
@given(st.lists(mst.remittances(), min_size=1, max_size=2), st.data())
def test_edited_written_files_read_the_same_both_ways(
    eras: list[Remittance], data: st.DataObject
) -> None:
    text = write_835(eras)
    _same_both_ways(data.draw(edited(text + text)))


def test_random_edits_of_a_long_file_read_the_same_both_ways() -> None:
    # many edits at once, far into a file whose caches are warm
    rng = random.Random(15)
    segments = _segments(benchmark_like(300, 5))
    for _ in range(40):
        changed = list(segments)
        for _ in range(rng.randint(1, 3)):
            index = rng.randrange(2, len(changed) - 2)
            elements = changed[index].split("*")
            if elements[0] in ("ST", "SE", "GS", "GE"):
                continue
            position = rng.randrange(1, len(elements)) if len(elements) > 1 else 1
            if position < len(elements):
                elements[position] = rng.choice(
                    ["", "9" * 60, "XX", "20251301", "12.345", "CO", "472", "QC", "HC:99999"]
                )
            changed[index] = "*".join(elements)
        _same_both_ways("~".join(changed) + "~")


# Amounts: the fast loop reads the commonest shape (123.45, at most 18 characters) with
# Decimal alone (_reader835._CENTS), the general reading through _fresh_amount/_amount.
_AMOUNT_TEXT = st.one_of(
    st.from_regex(r"-?[0-9]{1,16}\.[0-9]{1,4}", fullmatch=True),
    st.from_regex(r"-?[0-9]{0,17}(\.[0-9]{0,4})?", fullmatch=True),
    st.text(alphabet="0123456789.-+eE _\u0661 ", max_size=20),
    st.sampled_from(["1" * 14 + ".00", "-" + "1" * 14 + ".00", "1" * 15 + ".00", ".50", "5."]),
)


@SETTINGS
@given(_AMOUNT_TEXT)
@example("12.345")
@example("123456789012345.00")
@example("00.00")
@example("-0.00")
def test_the_cents_shape_is_read_by_decimal_alone_as_amount_reads_it(value: str) -> None:
    from decimal import Decimal

    if not _reader835._CENTS(value):
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning either
        read = _reader835._amount(value, 1, "CAS", 3)
        found = _reader835._fresh_amount({}, value, 1, "CAS", 3, _reader835._STRICT)
    # the same number, sign and exponent (-0.00 is not 0.00, 5.00 not 5)
    assert found.as_tuple() == read.as_tuple() == Decimal(value).as_tuple()


def _with_amounts(values: list[str]) -> str:
    """BENCHMARK_LIKE with its amounts (CLP03-05, SVC02/03, CAS03, AMT02) replaced in turn,
    each made unique (digits put in front), so that every one is read uncached."""
    out = []
    taken = itertools.cycle(values)
    positions = {"CLP": (3, 4, 5), "SVC": (2, 3), "CAS": (3,), "AMT": (2,)}
    count = 0
    for segment in _segments(BENCHMARK_LIKE):
        elements = segment.split("*")
        for position in positions.get(elements[0], ()):
            if position < len(elements):
                count += 1
                value = next(taken)
                sign = "-" if value.startswith("-") else ""
                if value[len(sign) : len(sign) + 1].isdigit():
                    value = f"{sign}{count}{value[len(sign) :]}"
                elements[position] = value
        out.append("*".join(elements))
    return "~".join(out) + "~"


@SETTINGS
@given(st.lists(_AMOUNT_TEXT, min_size=1, max_size=4))
@example(["-5.00"])
@example(["12.345", "1.00"])
def test_files_with_amounts_of_any_shape_read_the_same_both_ways(values: list[str]) -> None:
    _same_both_ways(_with_amounts(values))


class _Forgetful(dict[Any, Any]):
    """A cache that keeps nothing: every value is read afresh."""

    def __setitem__(self, key: Any, value: Any) -> None:
        pass


_PAYEES = ["1234567893", "1234567890", "", "12345"]  # valid, bad check digit, none, short
_ADDRESSES = [
    "N3*PO BOX 1~N4*CHICAGO*IL*60601~",
    "N3*PO BOX 1*SUITE 2~N4*CHICAGO*IL*606011234~",
    "N3*PO BOX 1~N4*CHICAGO*ILL*60601~",  # a bad state: reported
    "N4*CHICAGO*IL*60601~",  # no street: reported
    "",
]


@SETTINGS
@given(
    st.lists(
        st.tuples(st.sampled_from(_PAYEES), st.sampled_from(_ADDRESSES)), min_size=1, max_size=6
    )
)
def test_payee_npis_and_payer_addresses_read_once_per_file_read_as_afresh(
    sets: list[tuple[str, str]],
) -> None:
    # The NPI and address caches (one per file) against readings that keep nothing.
    parts = BENCHMARK_LIKE.split("ST*835*")
    text = parts[0]
    for index, (npi, address) in enumerate(sets):
        body = parts[1 + index % (len(parts) - 1)]
        body = body.replace("N3*PO BOX 1~\nN4*CHICAGO*IL*60601~\n", address.replace("~", "~\n"))
        body = body.replace("*XX*1234567893~", f"*XX*{npi}~")
        text += "ST*835*" + body.split("SE*")[0]
        segments = text.split("ST*835*")[-1].count("~")
        control = body.split("~", 1)[0]
        text += f"SE*{segments + 1}*{control}~\n"
    text += f"GE*{len(sets)}*1~\nIEA*1*000000001~\n"

    def observed() -> list[Any]:
        events = _observed(text, False)
        read = [e for e in events if isinstance(e, tuple) and e[0] == "read"]
        addresses = (
            [(era.payer_address, era.payee_npi, era.payee_npi_as_sent) for era in read[0][1]]
            if read
            else []
        )
        return [*events, addresses]

    cached = observed()
    original = _reader835._Codes.__init__

    def forgetful(self: Any) -> None:
        original(self)
        self.npi = _Forgetful()
        self.addresses = _Forgetful()

    _reader835._Codes.__init__ = forgetful  # type: ignore[method-assign]
    try:
        afresh = observed()
    finally:
        _reader835._Codes.__init__ = original  # type: ignore[method-assign]
    assert cached == afresh
    assert any(isinstance(e, tuple) and e[0] == "read" for e in cached)


# Service lines of every shape the fast loop meets: the common run (SVC, DTM, CAS, REF,
# AMT) and its departures, each line written twice so that the second meets warm caches.
# Half the files hold departures (``_mostly`` draws one now and then); the other half
# only shapes the guide allows, so that strict reading reads them whole.
_ODD = st.shared(st.booleans(), key="service lines with departures")


@st.composite
def _mostly(draw: st.DrawFn, common: list[str], odd: list[str]) -> str:
    if draw(_ODD) and draw(st.integers(0, 4)) == 0:
        return draw(st.sampled_from(odd))
    return draw(st.sampled_from(common))


_LINE_AMOUNTS = _mostly(
    ["148.86", "89.86", "0.00", "100", "0"], ["5.", ".50", "-5.00", "12.345", "", "1" * 19]
)
_PROCEDURES = _mostly(["99213", "99214", "J1030", "80053"], ["9921X", ""])
_MODIFIERS = st.lists(_mostly(["25", "59", "JW", "TC"], ["ZZ", ""]), max_size=5)


@st.composite
def _composite(draw: st.DrawFn) -> str:
    qualifier = draw(_mostly(["HC"], ["NU", "ZZ", "XX", ""]))
    parts = [qualifier, draw(_PROCEDURES), *draw(_MODIFIERS)]
    return draw(_mostly([":"], [">", "^"])).join(parts)


@st.composite
def _svc(draw: st.DrawFn) -> str:
    elements = ["SVC", draw(_composite()), draw(_LINE_AMOUNTS), draw(_LINE_AMOUNTS)]
    tail = draw(
        _mostly(
            ["", "*", "**1", "**", "**2.5"],
            ["**" + "1" * 16, "*0450*1", "**1*HC:99215:25", "**1**2", "**1^2", "**1 "],
        )
    )
    return "*".join(elements) + tail


_DATES = _mostly(["20250304", "20250301"], ["20250230", "2025030", "20250304 "])


@st.composite
def _dtm(draw: st.DrawFn) -> str:
    qualifier = draw(_mostly(["472", "150", "151"], ["050", "999"]))
    extra = draw(_mostly([""], ["*X", "*"]))
    return f"DTM*{qualifier}*{draw(_DATES)}{extra}"


@st.composite
def _cas(draw: st.DrawFn) -> str:
    group = draw(_mostly(["CO", "PR", "OA", "PI"], ["CR", "XX", ""]))
    elements = ["CAS", group]
    for _ in range(draw(st.integers(1, 6))):
        reason = draw(_mostly(["45", "2", "1", "253", "A1"], ["", "ZZZ9"]))
        amount = draw(_mostly(["12.34", "0.00", "5", "-3.10"], ["", "1.234", "9" * 19]))
        quantity = draw(_mostly(["", "1"], ["X", "1.5"]))
        elements += [reason, amount, quantity]
    while elements[-1] == "" and len(elements) > 4:
        elements.pop()
    if draw(st.booleans()) and len(elements) > 4:
        elements = elements[:4]  # the commonest shape: one triplet, no quantity
    return "*".join(elements)


_OTHER_LINE_SEGMENTS = _mostly(
    [
        "REF*6R*1",
        "REF*6R*LINE 2",
        "REF*LU*11",
        "AMT*B6*116.52",
        "AMT*B6*100",
        "AMT*KH*0",
        "LQ*HE*N130",
        "LQ*HE*M15",
        "LQ*RX*12",
        "QTY*ZL*1",
    ],
    [
        "REF*6R*",
        "REF*6R*" + "X" * 51,
        "REF*6R*1*X",
        "AMT*B6*",
        "AMT*B6*1.234",
        "AMT*B6X*1.00",
        "LQ*HE*Q",
        "LQ*ZZ*N130",
        "REF*6R*1 ",
    ],
)


@st.composite
def _service_line(draw: st.DrawFn) -> list[str]:
    segments = [draw(_svc())]
    segments += draw(st.lists(_dtm(), max_size=3))
    segments += draw(st.lists(_cas(), max_size=3))
    segments += draw(st.lists(_OTHER_LINE_SEGMENTS, max_size=4))
    if draw(_ODD) and draw(st.integers(0, 9)) == 0:  # out of the guide's order
        segments = draw(st.permutations(segments[1:])) + segments[:1]
    return segments


def _with_lines(claims: list[list[list[str]]]) -> str:
    """A one-set 835 holding ``claims`` (each a list of service lines), written twice."""
    body: list[str] = []
    for repeat in range(2):
        for number, lines in enumerate(claims):
            body.append(f"CLP*C{repeat}{number:05d}*1*300.00*200.00*10.00*12*PCN{number}*11*1")
            body.append(f"NM1*QC*1*PATIENT*TEST****MI*M{number:09d}")
            body.append("DTM*050*20250320")
            for line in lines:
                body += line
    header = [
        "ST*835*0001",
        "BPR*I*1000.00*C*CHK************20250401",
        "TRN*1*CHK000001*1512345678",
        "DTM*405*20250331",
        "N1*PR*ACME HEALTH",
        "N1*PE*SPRINGFIELD FAMILY MEDICINE*XX*1234567893",
        "LX*1",
    ]
    segments = [
        "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PROVIDER       "
        "*250401*1200*^*00501*000000001*0*P*:",
        "GS*HP*PAYER*PROVIDER*20250401*1200*1*X*005010X221A1",
        *header,
        *body,
        f"SE*{len(header) + len(body) + 1}*0001",
        "GE*1*1",
        "IEA*1*000000001",
    ]
    return "~\n".join(segments) + "~\n"


@SETTINGS
@given(st.lists(st.lists(_service_line(), min_size=1, max_size=3), min_size=1, max_size=3))
@example([[["SVC*HC:99213:25*148.86*89.86**1", "DTM*472*20250304", "CAS*CO*45*32.34",
            "CAS*PR*2*26.66", "REF*6R*1", "AMT*B6*116.52"]]])  # fmt: skip
def test_service_lines_of_any_shape_read_the_same_both_ways(
    claims: list[list[list[str]]],
) -> None:
    _same_both_ways(_with_lines(claims))
