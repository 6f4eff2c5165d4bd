"""The strict/lenient policy of docs/x12.md, one row at a time (issue 15).

Strict refuses every departure that could change money or identity; lenient reads it
with an X12Warning. Each case is a one-edit mutation of a valid file whose effect is
worked out by hand in the comment.
"""

from __future__ import annotations

import pickle
import time
import warnings
from decimal import Decimal
from pathlib import Path

import pytest

from medbill import ParseError
from medbill.x12 import SAMPLE_835, X12Warning, parse_interchange, read_835

MULTIPLE = "badx12/tests/files/edi/X221-multiple-claims-single-check.edi"

# SAMPLE_835: one claim C-1, charge 300.00, paid 210.00; line CAS*CO*45*50.00, CAS*PR*2*40.00.
MUTATIONS = {
    "misspelled CAS (caS drops the 40.00 coinsurance)": (
        SAMPLE_835.replace("CAS*PR*2*40.00", "caS*PR*2*40.00"),
        r"segment 20 \(caS\): unknown segment caS",
    ),
    "amount without reason (CAS*CO*45*50.00***0.01: the 0.01 has no CAS05)": (
        SAMPLE_835.replace("CAS*CO*45*50.00~", "CAS*CO*45*50.00***0.01~"),
        r"segment 19 \(CAS\), element 5: an adjustment amount '0.01' has no reason",
    ),
    "an amount of 19 digits": (
        SAMPLE_835.replace("AMT*B6*250.00", "AMT*B6*00000000000000250.00"),
        r"segment 22 \(AMT\), element 2: an amount has 19 digits",
    ),
    "a duplicated BPR": (
        SAMPLE_835.replace("TRN*1*", "BPR*I*0*C*NON************20250401~TRN*1*").replace(
            "SE*22*", "SE*23*"
        ),
        r"segment 5 \(BPR\): BPR appears twice",
    ),
    "a duplicated N1*PR": (
        SAMPLE_835.replace("REF*2U*60054~", "REF*2U*60054~N1*PR*OTHER PAYER~").replace(
            "SE*22*", "SE*23*"
        ),
        r"segment 11 \(N1\): N1\*PR appears twice",
    ),
    "a duplicated NM1*QC": (
        SAMPLE_835.replace("DTM*050*", "NM1*QC*1*ROE*RICHARD~DTM*050*").replace("SE*22*", "SE*23*"),
        r"segment 16 \(NM1\): NM1\*QC appears twice",
    ),
    "an unknown transaction set id (ST*8351)": (
        SAMPLE_835.replace("ST*835*0001", "ST*8351*0001"),
        r"segment 3 \(ST\), element 1: unknown transaction set identifier '8351'",
    ),
    "a count that disagrees (SE01)": (
        SAMPLE_835.replace("SE*22*", "SE*23*"),
        r"segment 24 \(SE\), element 1: SE01 says 23 segments",
    ),
}


@pytest.mark.parametrize("case", list(MUTATIONS))
def test_strict_refuses_and_lenient_warns(case: str) -> None:
    text, message = MUTATIONS[case]
    with pytest.raises(ParseError, match=message) as caught:
        read_835(text)
    assert len(str(caught.value)) <= ParseError.MESSAGE_LIMIT
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        read_835(text, strict=False)
    assert any(issubclass(w.category, X12Warning) for w in seen)


def test_lenient_reading_of_a_dropped_amount_does_not_balance() -> None:
    # CAS*PR*2*40.00 misspelled: the line reads 300.00 - 50.00 - 210.00 = off by 40.00
    text, _ = MUTATIONS["misspelled CAS (caS drops the 40.00 coinsurance)"]
    with pytest.warns(X12Warning):
        [era] = read_835(text, strict=False)
    assert era.claim_payments[0].lines[0].imbalance == Decimal("40.00")


def test_misspelled_clp_no_longer_merges_claims(reference_dir: Path) -> None:
    # issue 15: renaming the second CLP to CLQ gave 8 claims instead of 9
    text = (reference_dir / MULTIPLE).read_text()
    assert len(read_835(text)[0].claim_payments) == 9
    first = text.index("CLP*")
    second = text.index("CLP*", first + 1)
    mutated = text[:second] + "CLQ" + text[second + 3 :]
    with pytest.raises(ParseError, match=r"unknown segment CLQ"):
        read_835(mutated)


def test_plb_amount_without_reason_is_refused() -> None:
    # PLB*1234567893*20251231**-5.00: PLB04 without PLB03 (the interest would be lost)
    text = SAMPLE_835.replace("SE*22*0001", "PLB*1234567893*20251231**-5.00~SE*23*0001").replace(
        "BPR*I*210.00", "BPR*I*215.00"
    )
    with pytest.raises(ParseError, match=r"segment 24 \(PLB\), element 3: a provider adjustment"):
        read_835(text)
    with pytest.warns(X12Warning, match="has no reason"):
        [era] = read_835(text, strict=False)
    assert era.imbalances()  # 210.00 paid vs 215.00 BPR02: visible, not silent


def test_thirty_digit_amount_is_refused_even_when_lenient() -> None:
    # 30 digits exceed Decimal's 28-digit precision: a sum would round the 0.01 away
    amount = "1" * 27 + "0.01"
    text = SAMPLE_835.replace("AMT*B6*250.00", f"AMT*B6*{amount}")
    for strict in (True, False):
        with pytest.raises(ParseError, match="cannot be read exactly"):
            read_835(text, strict=strict)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (SAMPLE_835.replace("SE*22*", "SE*²*"), r"segment 24 \(SE\), element 1: expected a count"),
        (SAMPLE_835.replace("GE*1*1", "GE*" + "9" * 5000 + "*1"), r"\(GE\), element 1"),
        (SAMPLE_835.replace("IEA*1*", "IEA*-1*"), r"\(IEA\), element 1: expected a count"),
    ],
)
def test_odd_control_counts_are_parse_errors(text: str, message: str) -> None:
    # issue 15: these raised a bare ValueError
    for strict in (True, False):
        with pytest.raises(ParseError, match=message) as caught:
            parse_interchange(text, strict=strict)
        assert len(str(caught.value)) <= ParseError.MESSAGE_LIMIT


def test_a_payee_npi_failing_its_check_digit_is_read_with_a_warning() -> None:
    # 1234567890 fails the Luhn check (1234567893 passes); the payer's file still pays
    text = SAMPLE_835.replace("XX*1234567893", "XX*1234567890")
    with pytest.warns(X12Warning, match=r"segment 12 \(N1\), element 4"):
        [era] = read_835(text)
    assert era.payee_npi is None
    assert era.payee_npi_as_sent == "1234567890"
    assert era.payment_amount == Decimal("210.00")


def test_parse_error_fields_survive_pickling_and_mask_phi() -> None:
    # a patient name shifted into CLP03 (the charge): the message must not show it
    text = SAMPLE_835.replace("CLP*C-1*1*300.00", "CLP*C-1*1*JOHNSON")
    with pytest.raises(ParseError) as caught:
        read_835(text)
    error = caught.value
    assert (error.segment_index, error.segment_id, error.element) == (14, "CLP", 3)
    assert error.value == "JOHNSON"
    assert "JOHNSON" not in str(error)
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is ParseError
    assert str(again) == str(error)
    assert (again.segment_index, again.segment_id, again.element, again.value) == (
        14,
        "CLP",
        3,
        "JOHNSON",
    )


def test_messages_are_short_however_long_the_value() -> None:
    text = SAMPLE_835.replace("CLP*C-1*1*300.00", "CLP*C-1*1*" + "9" * 100_000 + "X")
    with pytest.raises(ParseError) as caught:
        read_835(text)
    assert len(str(caught.value)) <= ParseError.MESSAGE_LIMIT
    assert caught.value.value is not None
    assert len(caught.value.value) <= 80


def test_the_old_parse_error_constructor_still_works() -> None:
    error = ParseError("expected a number", location="line 3")
    assert str(error) == "line 3: expected a number"
    assert error.segment_index is None
    assert pickle.loads(pickle.dumps(error)).location == "line 3"


def test_new_fields_are_read() -> None:
    # ST02, the LX header number, TS3, payer N3/N4 and PER, CUR, a corrected first name
    text = (
        SAMPLE_835.replace("TRN*1*EFT-0001*1512345678~", "TRN*1*EFT-0001*1512345678~CUR*PR*USD~")
        .replace("LX*1~", "LX*1~TS3*1234567893*11*20251231*1*300.00~")
        .replace("DTM*050*", "NM1*74*1******C*NEWID~DTM*050*")
        .replace("SE*22*", "SE*25*")
    )
    text = text.replace("NM1*74*1******C*NEWID", "NM1*74*1**JANIE****C*NEWID")
    [era] = read_835(text)
    assert era.control_number == "0001"
    assert era.currency == "USD"
    assert era.payer_address is not None
    assert (era.payer_address.line1, era.payer_address.city) == ("1 MAIN ST", "CHICAGO")
    [contact] = era.payer_contacts
    assert (contact.function, contact.name, contact.numbers) == (
        "BL",
        "ACME EDI SUPPORT",
        (("TE", "8005550100"),),
    )
    [summary] = era.provider_summaries
    assert (summary.header_number, summary.claim_count, summary.total_charge) == (
        1,
        1,
        Decimal("300.00"),
    )
    claim = era.claim_payments[0]
    assert claim.header_number == 1
    assert claim.corrected_name is None  # no family name: not a PersonName
    assert claim.corrected_given_name == "JANIE"
    assert claim.corrected_id == "NEWID"


def _refuse_seconds(text: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        with pytest.raises(ParseError, match="no segment terminator"):
            read_835(text)
        best = min(best, time.process_time() - start)
    return best


def test_the_tokenizer_is_linear_in_the_input() -> None:
    # issue 15: a file without segment terminator took 0.11 / 0.43 / 1.61 / 6.49 s at
    # 1 / 2 / 4 / 8 MB (quadratic: x64 for 8x the input). Linear time grows x8; the
    # bound of x24 leaves room for a busy machine and still fails a quadratic scan.
    head = SAMPLE_835[: SAMPLE_835.index("GS*")]
    small = head + "GS*" + "A" * 4_000_000
    large = head + "GS*" + "A" * 32_000_000
    ratio = _refuse_seconds(large) / max(_refuse_seconds(small), 0.02)
    assert ratio < 24, f"8x the input took {ratio:.1f}x the time"
