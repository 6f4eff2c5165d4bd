"""Amounts (X12 type R) read by the 835 reader's fast path agree with its full checks.

X12.6 section 3.5.1 (type R): an optional minus sign, digits and an optional decimal
point; 005010X221A1 money elements are 1/18 digits. medbill reads money with at most two
decimal places (trailing zeros beyond are allowed) and refuses exponents, plus signs,
underscores, NaN and non-ASCII digits (issue 15). The common shapes take a fast path;
these tests hold both paths to the same answers.
"""

from __future__ import annotations

import warnings
from decimal import Decimal

import pytest

from medbill import ParseError
from medbill.x12 import SAMPLE_835, read_835, stream_835

READ = {
    "50.00": Decimal("50.00"),
    "50": Decimal("50"),
    "50.": Decimal("50"),
    ".5": Decimal("0.5"),
    "-.5": Decimal("-0.5"),
    "-50.00": Decimal("-50.00"),
    "50.500": Decimal("50.500"),  # zeros beyond the cent change nothing
    "000050.00": Decimal("50.00"),
    "123456789012345.67": Decimal("123456789012345.67"),  # 17 digits, 18 characters
}
REFUSED = ["50.001", "5e1", "+50", "5-0", "50..0", "1_000", "NaN", "\u0665\u0660", "-", "."]


def _with_amount(value: str) -> str:
    # SAMPLE_835's line adjustment CAS*CO*45*50.00, written twice so the second read
    # meets the amount already read (the cache)
    return SAMPLE_835.replace("CAS*CO*45*50.00~", f"CAS*CO*45*{value}~CAS*OA*45*{value}~").replace(
        "SE*22*", "SE*23*"
    )


@pytest.mark.parametrize("value", list(READ))
def test_amount_shapes_are_read_exactly(value: str) -> None:
    [era] = read_835(_with_amount(value))
    adjustments = era.claim_payments[0].lines[0].adjustments
    assert [a.group.value for a in adjustments[:2]] == ["CO", "OA"]
    assert [a.amount for a in adjustments[:2]] == [READ[value], READ[value]]
    assert all(str(a.amount) == str(READ[value]) for a in adjustments[:2])  # same exponent


@pytest.mark.parametrize("value", REFUSED)
def test_malformed_amounts_are_refused(value: str) -> None:
    with pytest.raises(ParseError, match=r"segment 19 \(CAS\), element 3"):
        read_835(_with_amount(value))


def test_stream_and_read_agree_on_imbalance() -> None:
    # CAS*CO 50.00 and CAS*OA 50.00: the line and claim are 50.00 over-adjusted
    # (charge 300.00 - 140.00 adjustments - paid 210.00 = -50.00, 835 TR3 1.10.2.1)
    [era] = read_835(_with_amount("50.00"))
    for stream in stream_835(_with_amount("50.00")):
        assert [claim.claim_id for claim in stream] == ["C-1"]
        assert stream.imbalances() == era.imbalances()
    assert [problem.difference for problem in era.imbalances()] == [
        Decimal("-50.00"),
        Decimal("-50.00"),
    ]


@pytest.mark.parametrize(
    "amount", ["50.00", "0.00", "-12.5", "7", ".5", "12.345", "1e2", "", "1234567890123456789"]
)
def test_one_triplet_cas_reads_as_the_general_path(amount: str) -> None:
    # A CAS with one triplet and no quantity takes the reader's fast path, including for
    # an amount not read before; with an empty CAS04 it goes through the general path
    # (_adjustments). Both give the same adjustments, or the same error.
    fast = SAMPLE_835.replace("CAS*CO*45*50.00~", f"CAS*CO*45*{amount}~")
    general = SAMPLE_835.replace("CAS*CO*45*50.00~", f"CAS*CO*45*{amount}*~")
    outcomes: list[tuple[object, ...]] = []
    for text, strict in ((fast, True), (general, True), (fast, False), (general, False)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                remittance = read_835(text, strict=strict)[0]
            except ParseError as error:
                outcomes.append(("error", error.segment_index, error.element, str(error)))
            else:
                line = remittance.claim_payments[0].lines[0]
                outcomes.append(("read", line.adjustments, [str(w.message) for w in caught]))
    assert outcomes[0] == outcomes[1]
    assert outcomes[2] == outcomes[3]
