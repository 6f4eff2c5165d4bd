"""Scenario tests of the 835 reader and the tokenizer; expected values read off the text."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pendulum
import pytest

from medbill import ParseError, PayerClaimStatus, PaymentMethod, UnbalancedRemittanceError
from medbill.codes import AdjustmentGroup
from medbill.x12 import SAMPLE_835, X12Warning, iter_835, parse_interchange, read_835
from medbill.x12._reader835 import iter_835_file, read_835_file

ISA = (
    "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PROVIDER       "
    "*250401*1200*^*00501*000000042*0*P*:~"
)


def interchange(*transactions: str, control: str = "000000042", groups: int = 1) -> str:
    """An ISA/GS envelope around 835 bodies; ST/SE counts worked out here."""
    sets = []
    for index, body in enumerate(transactions, start=1):
        segments = [s for s in body.split("~") if s.strip()]
        sets.append(
            f"ST*835*{index:04d}~" + "~".join(segments) + f"~SE*{len(segments) + 2}*{index:04d}~"
        )
    isa = ISA.replace("000000042", control)
    return (
        isa
        + "GS*HP*PAYER*PROVIDER*20250401*1200*7*X*005010X221A1~"
        + "".join(sets)
        + f"GE*{len(transactions)}*7~IEA*{groups}*{control}~"
    )


HEADER = (
    "BPR*I*{paid}*C*CHK************20250401~TRN*1*{trace}*1512345678~DTM*405*20250331~"
    "N1*PR*ACME HEALTH*XV*ACME01~N1*PE*SPRINGFIELD FM*FI*371234567~REF*TJ*371234567~LX*1~"
)

# A reversal and its correction, a denial with six CAS triplets, a changed procedure code
# and a PLB: every figure below is written out by hand.
RICH = HEADER.format(paid="58.73", trace="CHK-77") + (
    "CLP*A-1*22*-200.00*-120.00*-30.00*12*PCN-1*11*8~"
    "CAS*CO*45*-50.00~CAS*PR*1*-30.00~"
    "NM1*QC*1*DOE*JANE*Q**JR*MI*W1~NM1*IL*1*DOE*JOHN****MI*W0~NM1*74*1*DOE*JANET~"
    "DTM*232*20250301~DTM*233*20250302~AMT*AU*150.00~QTY*CA*2~"
    "CLP*A-1*1*200.00*140.00*30.00*12*PCN-2*11*7~"
    "MOA***MA01*N130~"
    "SVC*HC:99214:25:GT*200.00*140.00*0510*1*HC:99215:25*2~DTM*150*20250301~DTM*151*20250302~"
    "CAS*CO*45*20.00*1*59*5.00**94*3.00~CAS*PR*1*10.00**2*15.00**3*5.00~REF*6R*L-1~"
    "AMT*B6*170.00~AMT*KH*2.00~QTY*ZL*1~LQ*HE*N130~LQ*HE*M15~"
    "SVC*NU:0300*10.00*0~DTM*472*20250301~CAS*CO*45*2.00*1*59*1.00*1*94*1.00*1"
    "*97*2.00*1*236*3.00*1*B15*1.00*1~"
    "CLP*A-2*4*75.00*0*0*12*PCN-3*11*1~CAS*CO*50*75.00~"
    "PLB*1234567893*20251231*L6:INT-1*-1.27*WO:A-0*50.00~"
)


def test_sample_835_reads_into_a_balanced_remittance() -> None:
    [era] = read_835(SAMPLE_835)
    assert (era.id, era.payer_name, era.payer_id) == ("EFT-0001", "ACME HEALTH", "60054")
    assert era.payment_amount == Decimal("210.00")
    assert era.method is PaymentMethod.ACH
    assert era.paid_on == pendulum.date(2025, 4, 1)
    assert era.production_date == pendulum.date(2025, 3, 31)
    assert str(era.payee_npi) == "1234567893"
    [claim] = era.claim_payments
    assert claim.received_on == pendulum.date(2025, 3, 20)
    assert claim.patient_name is not None
    assert claim.patient_name.family == "DOE"
    [line] = claim.lines
    assert (str(line.procedure), [str(m) for m in line.modifiers]) == ("99214", ["25"])
    assert line.allowed == Decimal("250.00")
    assert [str(r) for r in line.remarks] == ["N130"]
    assert era.imbalances() == ()


def test_reversal_denial_changed_code_and_plb() -> None:
    [era] = read_835(interchange(RICH))
    reversal, correction, denial = era.claim_payments
    assert reversal.status is PayerClaimStatus.REVERSAL
    assert reversal.status.is_reversal
    assert reversal.paid == Decimal("-120.00")
    assert [(a.group, a.amount) for a in reversal.adjustments] == [
        (AdjustmentGroup.CONTRACTUAL_OBLIGATION, Decimal("-50.00")),
        (AdjustmentGroup.PATIENT_RESPONSIBILITY, Decimal("-30.00")),
    ]
    assert reversal.frequency == "8"
    assert reversal.patient_name is not None
    assert reversal.patient_name.suffix == "JR"
    assert reversal.insured_name is not None
    assert reversal.insured_name.given == "JOHN"
    assert (reversal.member_id, reversal.insured_id) == ("W1", "W0")
    assert reversal.corrected_name is not None
    assert reversal.corrected_name.given == "JANET"
    assert (reversal.statement_start, reversal.statement_end) == (
        pendulum.date(2025, 3, 1),
        pendulum.date(2025, 3, 2),
    )
    assert reversal.amounts == (("AU", Decimal("150.00")),)
    assert reversal.quantities == (("CA", Decimal("2")),)

    assert [str(r) for r in correction.remarks] == ["MA01", "N130"]
    changed, revenue_line = correction.lines
    assert str(changed.procedure) == "99214"
    assert [str(m) for m in changed.modifiers] == ["25", "GT"]
    assert str(changed.submitted_procedure) == "99215"
    assert [str(m) for m in changed.submitted_modifiers] == ["25"]
    assert (changed.units_paid, changed.units_billed) == (Decimal("1"), Decimal("2"))
    assert str(changed.revenue_code) == "0510"
    assert (changed.service_date, changed.service_date_end) == (
        pendulum.date(2025, 3, 1),
        pendulum.date(2025, 3, 2),
    )
    assert changed.line_id == "L-1"
    # 20 + 5 + 3 contractual and 10 + 15 + 5 patient responsibility: 200 - 58 - 140 = 2.
    assert [str(a.reason) for a in changed.adjustments] == ["45", "59", "94", "1", "2", "3"]
    assert changed.adjustments[0].quantity == Decimal("1")
    assert changed.imbalance == Decimal("2.00")
    assert changed.allowed == Decimal("170.00")
    assert changed.amounts == (("KH", Decimal("2.00")),)
    assert [str(r) for r in changed.remarks] == ["N130", "M15"]
    # all six triplets of one CAS segment are read
    assert [str(a.reason) for a in revenue_line.adjustments] == [
        "45",
        "59",
        "94",
        "97",
        "236",
        "B15",
    ]
    assert str(revenue_line.revenue_code) == "0300"
    assert revenue_line.procedure is None

    assert denial.status.is_denial
    assert denial.paid == Decimal("0")
    plb = era.provider_adjustments
    assert [(p.reason, p.reference, p.amount) for p in plb] == [
        ("L6", "INT-1", Decimal("-1.27")),
        ("WO", "A-0", Decimal("50.00")),
    ]
    assert era.payer_id == "ACME01"
    assert era.payee_tax_id == "371234567"
    # claims paid -120 + 140 + 0 = 20; less PLB (-1.27 + 50.00) = -28.73, the BPR says 58.73.
    imbalances = {(i.where, i.difference) for i in era.imbalances()}
    assert ("claim A-1 line L-1", Decimal("2.00")) in imbalances
    # the correction: 200 - (58 + 10 line adjustments) - 140 = -8
    assert ("claim A-1", Decimal("-8.00")) in imbalances
    assert ("remittance CHK-77", Decimal("-87.46")) in imbalances


def test_require_balanced_names_the_claim_line_and_difference() -> None:
    # One imbalance error type wherever the imbalance is found (issue 14).
    with pytest.raises(
        UnbalancedRemittanceError,
        match=r"claim A-1 line L-1: charge - adjustments - paid is off by 2.00",
    ):
        read_835(interchange(RICH), require_balanced=True)


def test_several_transaction_sets_and_interchanges() -> None:
    one = HEADER.format(paid="10.00", trace="T-1") + "CLP*X*1*10*10*0*12~"
    two = HEADER.format(paid="5.00", trace="T-2") + "CLP*Y*2*5*5*0*12~"
    text = interchange(one, two) + "\n" + interchange(two, control="000000043")
    eras = read_835(text)
    assert [e.id for e in eras] == ["T-1", "T-2", "T-2"]
    assert [e.claim_payments[0].status for e in eras] == [
        PayerClaimStatus.PROCESSED_AS_PRIMARY,
        PayerClaimStatus.PROCESSED_AS_SECONDARY,
        PayerClaimStatus.PROCESSED_AS_SECONDARY,
    ]
    [first, second] = parse_interchange(text)
    assert [t.control_number for t in first.groups[0].transactions] == ["0001", "0002"]
    assert second.control_number == "000000043"


def test_other_delimiters_and_line_breaks() -> None:
    text = interchange(HEADER.format(paid="10.00", trace="T-1") + "CLP*X*1*10*10*0*12~")
    odd = text.replace("*", "|").replace("~", "\r\n").replace("^|00501", "^|00501")
    odd = odd.replace("|:\r\n", "|>\r\n", 1)
    [era] = read_835(odd)
    assert era.claim_payments[0].claim_id == "X"
    wrapped = text.replace("~", "~\n")
    assert read_835(wrapped) == read_835(text)


def test_reads_a_path_and_an_open_file(tmp_path: Path) -> None:
    path = tmp_path / "era.835"
    path.write_text(SAMPLE_835)
    assert read_835(path) == read_835(SAMPLE_835) == read_835_file(str(path))
    assert list(iter_835_file(path)) == read_835(SAMPLE_835.encode())
    with path.open() as handle:
        assert list(iter_835(handle)) == read_835(SAMPLE_835)
    with path.open("rb") as binary:
        assert list(iter_835(binary)) == read_835(SAMPLE_835)


@pytest.mark.parametrize("text", ["", " \n", "\x00", "/etc/passwd", "era.835"])
def test_a_str_is_x12_text_never_a_path(text: str) -> None:
    # issue 15: a str that did not start with ISA was opened as a file
    with pytest.raises(ParseError) as caught:
        read_835(text)
    assert caught.value.segment_index == 1
    with pytest.raises(ParseError):
        parse_interchange(text)


def test_empty_input_is_a_warning_when_lenient() -> None:
    with pytest.warns(X12Warning, match="the input is empty"):
        assert read_835("", strict=False) == []


def test_a_missing_file_is_a_parse_error(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="no such file"):
        read_835_file(tmp_path / "missing.835")
    with pytest.raises(ParseError, match="is a folder"):
        read_835_file(tmp_path)


CLAIM = HEADER.format(paid="10.00", trace="T-1") + "CLP*X*1*10.00*10.00*0*12~"
GOOD = interchange(CLAIM)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD[:-30], r"segment 12 \(SE\): the input ends inside a segment"),
        (GOOD.replace("GE*1*7~", ""), r"segment 13 \(IEA\): unexpected IEA: expected GE"),
        (
            GOOD.replace("~IEA*1*000000042~", "~"),
            r"segment 14 \(IEA\): the input ends without an IEA",
        ),
        (
            GOOD.replace("SE*10*0001~", ""),
            r"segment 12 \(GE\): expected SE closing transaction set '0001'",
        ),
        (GOOD.replace("SE*10*", "SE*9*"), r"segment 12 \(SE\), element 1: SE01 says 9 segments"),
        (GOOD.replace("SE*10*0001", "SE*10*0002"), r"segment 12 \(SE\), element 2: SE02 '0002'"),
        (GOOD.replace("GE*1*7", "GE*2*7"), r"segment 13 \(GE\), element 1: GE01 says 2"),
        (GOOD.replace("GE*1*7", "GE*1*8"), r"segment 13 \(GE\), element 2: GE02 '8'"),
        (GOOD.replace("IEA*1*", "IEA*2*"), r"segment 14 \(IEA\), element 1: IEA01 says 2"),
        (GOOD.replace("IEA*1*000000042", "IEA*1*000000043"), r"element 2: IEA02 '000000043'"),
        (
            GOOD.replace("CLP*X*1*10.00", "CLP*X*1*1O.00"),
            r"segment 11 \(CLP\), element 3: expected a number, found '1O.00'",
        ),
        (
            GOOD.replace("BPR*I*10.00", "BPR*I*1e3"),
            r"segment 4 \(BPR\), element 2: expected a number",
        ),
        (
            GOOD.replace("CLP*X*1*", "CLP*X*9*"),
            r"segment 11 \(CLP\), element 2: unknown claim status code '9'",
        ),
        (
            GOOD.replace("*CHK*", "*CASH*"),
            r"segment 4 \(BPR\), element 4: unknown payment method 'CASH'",
        ),
        (GOOD + "", None),
        (
            interchange(CLAIM + "CAS*XX*45*1.00~"),
            r"segment 12 \(CAS\), element 1: unknown adjustment group 'XX'",
        ),
        (
            interchange(CLAIM + "SVC*QQ:123*10*10~"),
            r"segment 12 \(SVC\), element 1: unknown product/service qualifier 'QQ'",
        ),
        (
            interchange(CLAIM + "DTM*999*20250101~"),
            r"segment 12 \(DTM\), element 1: unknown claim date qualifier '999'",
        ),
        (
            GOOD.replace("20250331", "20250231"),
            r"segment 6 \(DTM\), element 2: '20250231' is not a calendar date",
        ),
        (GOOD.replace("ISA*00*", "ISA:00:", 1), r"segment 1 \(ISA\)"),
        (
            GOOD.replace("*:~GS", "*~~GS", 1),
            r"segment 1 \(ISA\), element 16: the ISA declares conflicting delimiters",
        ),
        (
            GOOD.replace("SE*10*0001~", "SE*10*0001~CLP*Z*1*1*1~"),
            r"segment 13 \(CLP\): segment CLP outside a transaction set",
        ),
        (
            interchange(CLAIM + "SVC*HC>99213*10*10~"),
            r"segment 12 \(SVC\), element 1: expected qualifier:code, found 'HC>99213'",
        ),
        (GOOD[:50], r"segment 1 \(ISA\): the ISA segment is truncated"),
        (GOOD.replace("GS*HP", "GX*HP"), r"segment 2 \(GX\): segment GX outside a transaction set"),
        ("GS*HP*X~", r"segment 1 \(GS\*\): expected an ISA segment to open an interchange"),
        ("  \nGS*HP*X~", r"expected an ISA segment"),
    ],
)
def test_bad_input_raises_with_position(text: str, message: str | None) -> None:
    if message is None:
        assert len(read_835(text)) == 1
        return
    with pytest.raises(ParseError, match=message):
        read_835(text)


def test_streaming_raises_after_good_transactions_when_the_file_is_damaged() -> None:
    two = interchange(
        HEADER.format(paid="10.00", trace="T-1"), HEADER.format(paid="10.00", trace="T-2")
    )
    damaged = two.replace("GE*2*7", "GE*3*7")
    stream = iter_835(damaged)
    assert next(stream).id == "T-1"
    assert next(stream).id == "T-2"
    with pytest.raises(ParseError, match="GE01 says 3"):
        next(stream)
    with pytest.raises(ParseError):
        read_835(damaged)  # the list API returns nothing at all
