"""The reader checks every element it reads against the guide's maximum length (issue 15).

Limits from the 005010X221A1 element summaries (the same ELEMENT_LIMITS the writers use):
CLP01 1/38, CLP07 1/50, NM103 1/60, NM109 2/80, REF02 1/50, SVC05 and CAS04 1/15
(type R: digits only, sign and decimal point not counted), TRN02 1/50, N102 1/60,
PLB01 1/50. Strict reading refuses a longer value; lenient reading reads it as sent
with an X12Warning.
"""

from __future__ import annotations

import warnings
from decimal import Decimal

import pytest

from medbill import ParseError
from medbill.x12 import SAMPLE_835, X12Warning, read_835, stream_835

# SAMPLE_835 segments: 14 CLP, 15 NM1*QC, 17 SVC, 19 CAS*CO, 21 REF*6R (counted from ISA).
OVER_LONG = {
    "CLP01 of 39 characters": (
        SAMPLE_835.replace("CLP*C-1*", "CLP*" + "C" * 39 + "*"),
        r"segment 14 \(CLP\), element 1: CLP01 is longer than the 38 characters",
    ),
    "CLP07 of 51 characters": (
        SAMPLE_835.replace("*PCN-99*", "*" + "9" * 51 + "*"),
        r"segment 14 \(CLP\), element 7: CLP07 is longer than the 50 characters",
    ),
    "NM103 of 61 characters": (
        SAMPLE_835.replace("NM1*QC*1*DOE*", "NM1*QC*1*" + "D" * 61 + "*"),
        r"segment 15 \(NM1\), element 3: NM103 is longer than the 60 characters",
    ),
    "NM109 of 81 characters": (
        SAMPLE_835.replace("*MI*W123456789~", "*MI*W" + "1" * 80 + "~"),
        r"segment 15 \(NM1\), element 9: NM109 is longer than the 80 characters",
    ),
    "REF02 of 51 characters": (
        SAMPLE_835.replace("REF*6R*1~", "REF*6R*" + "1" * 51 + "~"),
        r"segment 21 \(REF\), element 2: REF02 is longer than the 50 characters",
    ),
    "SVC05 of 16 digits": (
        SAMPLE_835.replace("*210.00**1~", "*210.00**1234567890123456~"),
        r"segment 17 \(SVC\), element 5: SVC05 is longer than the 15 characters",
    ),
    "CAS04 of 16 digits": (
        SAMPLE_835.replace("CAS*CO*45*50.00~", "CAS*CO*45*50.00*-123456789012345.6~"),
        r"segment 19 \(CAS\), element 4: CAS04 is longer than the 15 characters",
    ),
    "TRN02 of 51 characters": (
        SAMPLE_835.replace("TRN*1*EFT-0001*", "TRN*1*" + "E" * 51 + "*"),
        r"segment 5 \(TRN\), element 2: TRN02 is longer than the 50 characters",
    ),
    "N102 of 61 characters": (
        SAMPLE_835.replace("N1*PR*ACME HEALTH~", "N1*PR*" + "A" * 61 + "~"),
        r"segment 7 \(N1\), element 2: N102 is longer than the 60 characters",
    ),
    "SVC01 code of 49 characters": (
        SAMPLE_835.replace("SVC*HC:99214:25*", "SVC*ZZ:" + "9" * 49 + "*"),
        r"segment 17 \(SVC\), element 1: SVC01 holds a product/service qualifier or code",
    ),
}


@pytest.mark.parametrize("case", list(OVER_LONG))
def test_over_long_element_is_refused_strict_and_read_lenient(case: str) -> None:
    text, message = OVER_LONG[case]
    with pytest.raises(ParseError, match=message) as caught:
        read_835(text)
    assert len(str(caught.value)) <= ParseError.MESSAGE_LIMIT
    with pytest.raises(ParseError, match=message):
        [list(stream) for stream in stream_835(text)]
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        [era] = read_835(text, strict=False)
    assert [str(w.message)[:60] for w in seen if w.category is X12Warning] == [
        message.replace("\\", "")[:60]
    ]
    assert "read as sent" in str(seen[0].message)
    assert era.payment_amount == Decimal("210.00")  # nothing else changes


def test_values_at_the_limit_are_read() -> None:
    # 38 characters of CLP01, 50 of REF02; SVC05 "12345678901234.5" is 16 characters
    # but 15 digits (type R counts digits only): all within the guide.
    text = (
        SAMPLE_835.replace("CLP*C-1*", "CLP*" + "C" * 38 + "*")
        .replace("REF*6R*1~", "REF*6R*" + "1" * 50 + "~")
        .replace("*210.00**1~", "*210.00**12345678901234.5~")
    )
    [era] = read_835(text)
    claim = era.claim_payments[0]
    assert claim.claim_id == "C" * 38
    assert claim.lines[0].line_id == "1" * 50
    assert claim.lines[0].units_paid == Decimal("12345678901234.5")


def test_the_masked_message_does_not_show_a_long_name() -> None:
    text, _ = OVER_LONG["NM103 of 61 characters"]
    with pytest.raises(ParseError) as caught:
        read_835(text)
    assert "DDDDDDDDDDDD" not in str(caught.value)


def test_plb_reference_of_51_characters() -> None:
    # PLB03-2 (C042-02) is 1/50; the WO recovery of 10.00 balances against BPR02 200.00.
    text = SAMPLE_835.replace("BPR*I*210.00*", "BPR*I*200.00*").replace(
        "SE*22*", "PLB*1234567893*20251231*WO:" + "R" * 51 + "*10.00~SE*23*"
    )
    with pytest.raises(ParseError, match=r"segment 24 \(PLB\), element 3: the PLB reference"):
        read_835(text)
    with pytest.warns(X12Warning, match="read as sent"):
        [era] = read_835(text, strict=False)
    assert era.provider_adjustments[0].reference == "R" * 51
    assert era.imbalances() == ()
