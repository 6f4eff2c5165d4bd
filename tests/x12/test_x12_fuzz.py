"""Fuzz targets for the X12 readers (issue 15), with hypothesis.

Property 1: every input either reads or raises ParseError (never another exception),
for read_835, iter_835 and parse_interchange, strict and lenient.
Property 2: mutating one segment id, or deleting one amount's reason, never yields the
same totals silently: strict reading refuses it, or the totals differ.

The runs are seeded (``derandomize``) and short in the test command; set
``MEDBILL_FUZZ_LONG=1`` for a long run. Inputs that once crashed are kept in
``tests/x12/corpus/`` and replayed on every run.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medbill import ParseError, Remittance
from medbill.testing import strategies as mst
from medbill.x12 import SAMPLE_835, iter_835, parse_interchange, read_835, write_835

LONG = os.environ.get("MEDBILL_FUZZ_LONG") == "1"
FUZZ = settings(
    max_examples=20_000 if LONG else 150,
    deadline=None,
    derandomize=not LONG,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CORPUS = Path(__file__).parent / "corpus"
SEEDS = [SAMPLE_835]


def _segments(text: str) -> list[str]:
    return [s for s in text.split("~") if s.strip()]


def _totals(eras: list[Remittance]) -> tuple[Decimal, ...]:
    return (
        sum((e.payment_amount for e in eras), Decimal(0)),
        sum((c.paid for e in eras for c in e.claim_payments), Decimal(0)),
        sum((c.charge for e in eras for c in e.claim_payments), Decimal(0)),
        sum((a.amount for e in eras for c in e.claim_payments for a in c.all_adjustments()), Decimal(0)),
        sum((p.amount for e in eras for p in e.provider_adjustments), Decimal(0)),
        Decimal(sum(len(e.claim_payments) for e in eras)),
    )  # fmt: skip


def _every_reader(data: str | bytes) -> None:
    """Run each reader in both modes: anything but a ParseError fails the test."""
    for strict in (True, False):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with contextlib.suppress(ParseError):
                read_835(data, strict=strict)
            with contextlib.suppress(ParseError):
                list(iter_835(data, strict=strict))
            with contextlib.suppress(ParseError):
                parse_interchange(data, strict=strict)


_SPECIAL = st.sampled_from([*"*~:^\n\r\x00²-.0123456789 ABCISEGCLPSVCAS", "ISA", "ST*"])


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A valid 835 with a few edits: characters replaced, inserted or deleted, cut short."""
    base = draw(st.sampled_from(SEEDS))
    text = base
    for _ in range(draw(st.integers(1, 4))):
        if not text:
            break
        where = draw(st.integers(0, len(text) - 1))
        action = draw(st.sampled_from(["replace", "insert", "delete", "cut", "repeat"]))
        if action == "replace":
            text = text[:where] + draw(_SPECIAL) + text[where + 1 :]
        elif action == "insert":
            text = text[:where] + draw(st.text(max_size=8) | _SPECIAL) + text[where:]
        elif action == "delete":
            text = text[:where] + text[where + draw(st.integers(1, 20)) :]
        elif action == "cut":
            text = text[:where]
        else:
            text = text[:where] + text[where : where + 40] * draw(st.integers(2, 50)) + text[where:]
    return text


@FUZZ
@given(mutated())
def test_mutated_files_read_or_raise_parse_error(text: str) -> None:
    _every_reader(text)


@FUZZ
@given(st.text(max_size=300) | st.binary(max_size=300))
def test_arbitrary_input_reads_or_raises_parse_error(data: str | bytes) -> None:
    _every_reader(data)
    if isinstance(data, str):
        _every_reader(SAMPLE_835[:106] + data)  # a valid ISA, then anything


@FUZZ
@given(st.sampled_from(SEEDS), st.data())
def test_a_mutated_segment_id_never_leaves_the_totals_unchanged_silently(
    text: str, data: st.DataObject
) -> None:
    segments = _segments(text)
    # inside the transaction set: between ST and SE (the envelope has its own checks)
    start = next(i for i, s in enumerate(segments) if s.lstrip().startswith("ST*")) + 1
    end = next(i for i, s in enumerate(segments) if s.lstrip().startswith("SE*"))
    index = data.draw(st.integers(start, end - 1))
    segment = segments[index].lstrip()
    old_id, _, rest = segment.partition("*")
    new_id = data.draw(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabc0123456789", min_size=2, max_size=3))
    if new_id == old_id:
        return
    segments[index] = new_id + "*" + rest
    mutated_text = "~".join(segments) + "~"
    original = _totals(read_835(text))
    try:
        changed = _totals(read_835(mutated_text))
    except ParseError:
        return
    assert changed != original, f"{old_id} -> {new_id} was read silently with the same totals"


@FUZZ
@given(st.lists(mst.remittances(), min_size=1, max_size=2), st.data())
def test_deleting_an_amounts_reason_is_never_silent(
    eras: list[Remittance], data: st.DataObject
) -> None:
    text = write_835(eras)
    segments = _segments(text)
    reasons = [
        (i, position)
        for i, s in enumerate(segments)
        for position in (2, 5, 8, 11, 14, 17)
        if s.startswith("CAS*") and position < len(s.split("*")) and s.split("*")[position]
    ] + [
        (i, position)
        for i, s in enumerate(segments)
        for position in (3, 5, 7, 9, 11, 13)
        if s.startswith("PLB*") and position < len(s.split("*")) and s.split("*")[position]
    ]
    if not reasons:
        return
    index, position = data.draw(st.sampled_from(reasons))
    elements = segments[index].split("*")
    elements[position] = ""
    segments[index] = "*".join(elements)
    with pytest.raises(ParseError, match="has no reason"):
        read_835("~".join(segments) + "~")


def _corpus() -> list[Path]:
    return sorted(CORPUS.glob("*.x12"))


@pytest.mark.parametrize("path", _corpus(), ids=lambda p: p.name)
def test_the_regression_corpus_reads_or_raises_parse_error(path: Path) -> None:
    data = path.read_bytes()
    _every_reader(data)
    with contextlib.suppress(UnicodeDecodeError):
        _every_reader(data.decode("utf-8"))


def test_the_corpus_is_not_empty() -> None:
    assert len(_corpus()) >= 5
