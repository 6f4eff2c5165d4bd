"""Claim-by-claim reading of 835 files (``stream_835``): same claims, flat memory, verdicts.

The figures are those of SAMPLE_835 (one claim: 300.00 charged, 50.00 CO-45, 40.00
PR-2, 210.00 paid; BPR02 210.00), changed by hand where a test says so.
"""

from __future__ import annotations

import gc
import tracemalloc
import warnings
import weakref
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from test_x12_samples import EXPECTED

from medbill import ParseError, UnbalancedRemittanceError, ValidationError
from medbill.x12 import SAMPLE_835, X12Warning, read_835, stream_835
from medbill.x12._reader835 import stream_835_file

CLAIM = (
    "CLP*C-{n}*1*300.00*210.00*40.00*12*PCN-{n}*11*1~NM1*QC*1*DOE*JANE****MI*W{n:09d}~"
    "DTM*050*20250320~SVC*HC:99214:25*300.00*210.00**1~DTM*472*20250304~CAS*CO*45*50.00~"
    "CAS*PR*2*40.00~REF*6R*1~AMT*B6*250.00~LQ*HE*N130~"
)
CLAIM_SEGMENTS = 10


def one_set(claims: int) -> str:
    """SAMPLE_835 with ``claims`` copies of its claim in its one transaction set."""
    head, _, rest = SAMPLE_835.partition("CLP*")
    tail = rest[rest.index("SE*") :]
    body = "".join(CLAIM.format(n=n) for n in range(claims))
    count = 12 + CLAIM_SEGMENTS * claims  # ST, 10 header segments, LX, the claims, SE
    text = head.replace("BPR*I*210.00*", f"BPR*I*{210 * claims}.00*") + body + tail
    return text.replace("SE*22*0001", f"SE*{count}*0001")


def test_stream_yields_the_claims_read_835_reads() -> None:
    [era] = read_835(one_set(3))
    stream = next(stream_835(one_set(3)))
    assert stream.header == attrs.evolve(era, claim_payments=(), provider_adjustments=())
    assert stream.header.control_number == "0001"
    assert list(stream) == list(era.claim_payments)
    assert stream.complete
    # 3 claims of 210.00 paid, no PLB, BPR02 630.00: balanced
    assert (stream.claim_count, stream.claims_paid, stream.imbalances()) == (
        3,
        Decimal("630.00"),
        (),
    )


def test_stream_of_a_file_path(tmp_path: Path) -> None:
    path = tmp_path / "era.835"
    path.write_bytes(one_set(2).encode())
    streams = [
        (stream.header.id, [claim.claim_id for claim in stream]) for stream in stream_835_file(path)
    ]
    assert streams == [("EFT-0001", ["C-0", "C-1"])]


def test_claims_are_not_kept_while_the_set_streams() -> None:
    # Flat memory inside one transaction set: a claim already yielded is freed once the
    # caller drops it, before the set's SE is read.
    stream = next(stream_835(one_set(50)))
    claims = iter(stream)
    first = weakref.ref(next(claims))
    second = next(claims)  # the stream holds at most the claim it last yielded
    gc.collect()
    assert first() is None
    assert second.claim_id == "C-1"
    assert sum(1 for _ in claims) == 48


def _peak_while_streaming(text: str) -> int:
    tracemalloc.start()
    try:
        for stream in stream_835(text):
            for _ in stream:
                pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_claims_of_one_set() -> None:
    # 2,000 claims in one set need no more traced memory than 200 do (beyond the text,
    # which the caller holds): neither segments nor claims are kept.
    small, large = one_set(200), one_set(2_000)
    assert _peak_while_streaming(large) < _peak_while_streaming(small) * 1.5


def test_trailer_error_raises_after_the_claims_and_the_verdict_stays_unknown() -> None:
    # SE01 says 31 segments; ST..SE of 2 claims holds 12 + 20 = 32.
    text = one_set(2).replace("SE*32*0001", "SE*31*0001")
    stream = next(stream_835(text))
    seen: list[str] = []

    def read() -> None:
        for claim in stream:
            seen.append(claim.claim_id)

    with pytest.raises(ParseError, match=r"SE01 says 31 segments, the transaction set holds 32"):
        read()
    # C-0 was yielded before the trailer was read: the caller discards it. (The last
    # claim closes only at the SE, so it comes after the SE check.)
    assert seen == ["C-0"]
    assert not stream.complete
    with pytest.raises(ValidationError, match="not read to its end"):
        stream.imbalances()


def test_lenient_trailer_error_warns_and_completes() -> None:
    text = one_set(2).replace("SE*32*0001", "SE*31*0001")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        stream = next(stream_835(text, strict=False))
        assert len(list(stream)) == 2
    assert stream.complete
    # counted from the start of the input: ISA, GS, then ST..SE as segments 3..34
    assert [str(w.message)[:26] for w in caught if w.category is X12Warning] == [
        "segment 34 (SE), element 1"
    ]


def test_payment_that_disagrees_with_claims_and_plb_is_found_at_the_trailer() -> None:
    # BPR02 400.00 against 2 x 210.00 paid and a PLB of 15.00 (WO, overpayment recovery):
    # 420.00 - 15.00 - 400.00 = 5.00 off.
    text = (
        one_set(2)
        .replace("BPR*I*420.00*", "BPR*I*400.00*")
        .replace("SE*32*0001", "PLB*1234567893*20251231*WO*15.00~SE*33*0001")
    )
    stream = next(stream_835(text))
    assert len(list(stream)) == 2
    assert [a.amount for a in stream.provider_adjustments] == [Decimal("15.00")]
    assert [str(i) for i in stream.imbalances()] == [
        "remittance EFT-0001: claim payments - provider adjustments - payment amount is off by 5.00"
    ]
    assert [str(i) for i in stream.imbalances()] == [str(i) for i in read_835(text)[0].imbalances()]
    strict_stream = next(stream_835(text, require_balanced=True))
    with pytest.raises(UnbalancedRemittanceError, match=r"off by 5\.00"):
        list(strict_stream)


def test_claim_imbalances_are_gathered_as_claims_stream() -> None:
    # The second claim's CO-45 of 49.90: 300.00 - 89.90 - 210.00 = 0.10 off on its line and claim.
    text = one_set(2)
    second = text.index("CLP*C-1*")
    text = text[:second] + text[second:].replace("CAS*CO*45*50.00", "CAS*CO*45*49.90", 1)
    stream = next(stream_835(text))
    list(stream)
    assert [str(i) for i in stream.imbalances()] == [
        "claim C-1 line 1: charge - adjustments - paid is off by 0.10",
        "claim C-1: charge - adjustments - paid is off by 0.10",
    ]


def two_sets() -> str:
    """SAMPLE_835 with its transaction set twice (ST02 0001 and 0002) in its one group."""
    text = one_set(1)
    start, end = text.index("ST*835*0001"), text.index("GE*1*1~")
    second = text[start:end].replace("*0001~", "*0002~")
    return text[:end] + second + text[end:].replace("GE*1*1~", "GE*2*1~")


def test_unread_stream_is_read_past_and_checked() -> None:
    streams = list(stream_835(two_sets()))  # claims never iterated: read past
    assert [stream.header.control_number for stream in streams] == ["0001", "0002"]
    with pytest.raises(ValidationError, match=r"iterate each stream's claims before"):
        list(streams[0])
    broken = two_sets().replace("SE*22*0001", "SE*21*0001")
    with pytest.raises(ParseError, match="SE01 says 21"):
        list(stream_835(broken))
    # a claim error in a set left unread is raised too: its claims are checked
    damaged = two_sets().replace("CLP*C-0*1*300.00", "CLP*C-0*1*3OO.00", 1)
    with pytest.raises(ParseError, match="expected a number"):
        list(stream_835(damaged))


def test_header_errors_raise_before_any_claim() -> None:
    no_trn = one_set(1).replace("TRN*1*EFT-0001*1512345678~\n", "").replace("SE*22*", "SE*21*")
    with pytest.raises(ParseError, match="has no TRN segment"):
        next(stream_835(no_trn))
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        assert list(stream_835(no_trn, strict=False)) == []


def test_public_samples_stream_as_they_read(reference_dir: Path) -> None:
    for name, _ in EXPECTED:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            remittances = read_835(reference_dir / name, strict=False)
            streamed = []
            for stream in stream_835_file(reference_dir / name, strict=False):
                streamed.append((stream.header, list(stream), stream.provider_adjustments))
        assert len(streamed) == len(remittances), name
        for era, (header, claims, plb) in zip(remittances, streamed, strict=True):
            assert header.id == era.id, name
            assert header.payment_amount == era.payment_amount, name
            assert tuple(claims) == era.claim_payments, name
            assert plb == era.provider_adjustments, name
