"""The columnar 835 stage's keys agree with read_835's loops on every reference sample."""

from __future__ import annotations

import random
import warnings
from collections.abc import Callable
from functools import partial
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medbill import MedbillError, Remittance
from medbill.batch import remittance_tables
from medbill.batch._columnar835 import (
    _IDS,
    Delimiters,
    _codes_by_bytes,
    _codes_by_text,
    _pieces,
    columnar_tables,
    delimiters,
    segment_frame,
    segment_rows,
)
from medbill.batch._remittance import RemittanceTables, Source, scalar_remittance_tables
from medbill.testing import strategies
from medbill.x12 import SAMPLE_835, read_835, write_835


def shape(eras: list[object]) -> list[list[int]]:
    return [[len(c.lines) for c in era.claim_payments] for era in eras]  # type: ignore[attr-defined]


def test_keys_match_the_object_reader_on_every_reference_835(reference_dir: Path) -> None:
    texts, expected = [], []
    for path in sorted(reference_dir.rglob("*.835")):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                eras = read_835(path, strict=False)
        except MedbillError:
            continue
        texts.append(path.read_text(encoding="latin-1"))
        expected.append(shape(list(eras)))
    if not texts:
        pytest.skip("no readable 835 sample in the reference folder")
    segments = segment_frame([*texts, SAMPLE_835])
    expected.append(shape(list(read_835(SAMPLE_835))))
    assert segments.unreadable == ()
    got: list[list[list[int]]] = [[] for _ in expected]
    sets = segments.frame.group_by("file", "set_number").agg(
        pl.col("claim_number").max().alias("claims")
    )
    for row in sets.filter(pl.col("set_number") > 0).sort("file", "set_number").iter_rows():
        got[row[0]].append([0] * row[2])
    lines = (
        segments.frame.filter(pl.col("claim_number") > 0)
        .group_by("file", "set_number", "claim_number")
        .agg(pl.col("line_number").max())
    )
    for file, number, claim, count in lines.iter_rows():
        got[file][number - 1][claim - 1] = count
    assert got == expected
    frame = segments.frame
    # each claim's rows open with its CLP, each line's with its SVC (TR3 loops 2100, 2110)
    opening = frame.group_by("file", "set_number", "claim_number", "line_number").agg(
        pl.col("segment_id").first()
    )
    assert set(opening.filter(pl.col("line_number") > 0)["segment_id"]) == {"SVC"}
    claims = opening.filter((pl.col("claim_number") > 0) & (pl.col("line_number") == 0))
    assert set(claims["segment_id"]) == {"CLP"}
    # loop 2000's LX/TS3/TS2, PLB and the trailers belong to no claim
    outside = frame.filter(pl.col("segment_id").is_in(["LX", "TS3", "TS2", "PLB", "SE"]))
    assert outside.height > 0
    assert set(outside["claim_number"]) == {0}


def test_positions_count_segments_and_claims_key_their_segments() -> None:
    frame = segment_frame([SAMPLE_835]).frame
    assert frame["position"].to_list() == list(range(1, frame.height + 1))
    # SAMPLE_835 holds one claim with one line: CLP opens claim 1, SVC opens line 1
    clp = frame.filter(pl.col("segment_id") == "CLP")
    assert clp["claim_number"].to_list() == [1]
    assert clp["line_number"].to_list() == [0]
    svc = frame.filter(pl.col("segment_id") == "SVC")
    assert svc["line_number"].to_list() == [1]
    assert frame.filter(pl.col("segment_id").is_in(["SE", "PLB"]))["claim_number"].to_list() == (
        [0] * frame.filter(pl.col("segment_id").is_in(["SE", "PLB"])).height
    )


@pytest.mark.parametrize(
    "text",
    ["", "GS*HP~", "ISA*00*short~", "  junk ISA" + "*" * 120],
)
def test_a_text_without_a_fixed_width_isa_is_left_to_the_object_reader(text: str) -> None:
    assert delimiters(text) is None
    assert segment_frame([text]).unreadable == (0,)


def test_delimiters_come_from_the_isa_offsets() -> None:
    found = delimiters(SAMPLE_835)
    assert found is not None
    # X12 ISA: element at offset 3, ISA11 at 82, ISA16 at 104, terminator at 105
    assert (found.element, found.component, found.segment) == (
        SAMPLE_835[3],
        SAMPLE_835[104],
        SAMPLE_835[105],
    )


# ---- stages 2 and 3: the columnar tables equal the object reader's, or the file falls back

TABLES = ("remittances", "claims", "lines", "adjustments", "provider_adjustments")


def outcome(read: Callable[[], RemittanceTables]) -> tuple[object, list[str]]:
    """The tables (or the error class) and the warnings raised on the way."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            tables: object = read()
        except MedbillError as error:
            tables = type(error)
    return tables, [str(w.message) for w in caught]


def assert_same(items: list[Source], *, strict: bool = True) -> None:
    fast, fast_warnings = outcome(lambda: remittance_tables(items, strict=strict))
    slow, slow_warnings = outcome(lambda: scalar_remittance_tables(items, strict=strict))
    assert fast_warnings == slow_warnings
    if isinstance(slow, type) or isinstance(fast, type):
        assert fast == slow
        return
    assert isinstance(fast, RemittanceTables)
    assert isinstance(slow, RemittanceTables)
    for name in TABLES:
        assert getattr(fast, name).schema == getattr(slow, name).schema, name
        assert getattr(fast, name).equals(getattr(slow, name)), name


# reference samples the columnar reader reads itself, leniently (the others fall back:
# not X12, envelope counts that disagree, ...): payee NPI or BPR date warnings given
# again, a 004010 file, several LX loops, and sets read whole by the transaction reader
# (claim-level warnings: composites with another separator, an SVC without a code)
_LFH = "linuxforhealth-x12/src/tests/resources/835_005010X221A1/"
_OOP = "oopfactory-x12parser/tests/OopFactory.X12.Tests.Unit/Parsing/_SampleEdiFiles/INS/_835/"
COLUMNAR_SAMPLES = {
    "linuxforhealth-x12/demo-file/demo.835",
    _LFH + "medicare-part-a.835",
    _LFH + "managed-care.835",
    _LFH + "cob-contractural-adjustment.835",
    _LFH + "secondary-payment.835",
    _LFH + "tertiary-payment.835",
    "pyx12/test_x12testdata/835id.x12.txt",
    "pyx12/tests/835_mult_loops.txt",
    # a UTF-8 byte order mark before the ISA (and two interchanges)
    _OOP + "_5010/FromNth/835_WithMultipleInterchanges.txt",
}


def test_every_reference_835_gives_the_scalar_tables(
    reference_dir: Path, reference_835s: list[Path]
) -> None:
    paths = reference_835s
    columnar = set()
    for path in paths:
        for strict in (True, False):
            assert_same([path], strict=strict)
        text = path.read_bytes().decode("utf-8", errors="replace")
        if not columnar_tables([text], [str(path)], strict=False).fallback:
            columnar.add(path.relative_to(reference_dir).as_posix())
    present = {name for name in COLUMNAR_SAMPLES if (reference_dir / name).is_file()}
    assert present <= columnar, sorted(present - columnar)
    # and all of them at once (files in order, fallbacks interleaved with columnar ones)
    assert_same([*paths, SAMPLE_835, generated(30)], strict=False)


def generated(claims: int, seed: int = 3, per_set: int = 7) -> str:
    """A valid 005010X221A1 835 in the shape of benchmarks/x12.py's (claims with 1-4
    lines, CO/PR adjustments, REF*6R, AMT*B6, claim and line dates, PLB)."""
    rng = random.Random(seed)
    out = [
        "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PROVIDER       "
        "*250401*1200*^*00501*000000001*0*P*:~",
        "GS*HP*PAYER*PROVIDER*20250401*1200*1*X*005010X221A1~",
    ]
    sets = 0
    for first in range(0, claims, per_set):
        sets += 1
        body: list[str] = []
        total = 0
        for number in range(first, min(first + per_set, claims)):
            lines: list[str] = []
            charge_sum = paid_sum = pr_sum = 0
            for line_no in range(1, rng.randint(1, 4) + 1):
                charge = rng.randint(5_000, 40_000)
                contractual = rng.randint(0, charge // 3)
                pr = rng.randint(0, (charge - contractual) // 4)
                paid = charge - contractual - pr
                charge_sum, paid_sum, pr_sum = charge_sum + charge, paid_sum + paid, pr_sum + pr
                code = rng.choice(["99213", "99214:25", "71046:26", "20610:RT:LT", "J1100"])
                lines += [
                    f"SVC*HC:{code}*{charge / 100:.2f}*{paid / 100:.2f}*{rng.choice(['', '0450'])}*"
                    f"{rng.choice(['1', '2', '1.5'])}",
                    *([f"DTM*472*2025030{rng.randint(1, 9)}"] if rng.random() < 0.8 else []),
                    *([f"CAS*CO*45*{contractual / 100:.2f}"] if contractual else []),
                    *([f"CAS*PR*2*{pr / 100:.2f}**1*0.00"] if pr else []),
                    *([f"REF*6R*{line_no}"] if rng.random() < 0.7 else []),
                    *([f"AMT*B6*{(charge - contractual) / 100:.2f}"] if rng.random() < 0.7 else []),
                    *(["LQ*HE*N130"] if rng.random() < 0.2 else []),
                ]
            total += paid_sum
            body.append(
                f"CLP*C{number:07d}*{rng.choice(['1', '2', '4'])}*{charge_sum / 100:.2f}*"
                f"{paid_sum / 100:.2f}*{pr_sum / 100:.2f}*12*PCN{number:09d}*11*1"
            )
            body.append(f"NM1*QC*1*PATIENT*TEST****MI*M{number:09d}")
            if rng.random() < 0.3:
                body.append("CAS*OA*23*0.00")
            body += ["DTM*050*20250320", "DTM*232*20250301"]
            body += lines
        header = [
            f"ST*835*{sets:04d}",
            f"BPR*I*{(total - 500) / 100:.2f}*C*CHK************20250401",
            f"TRN*1*CHK{sets:06d}*1512345678",
            "DTM*405*20250331",
            "N1*PR*ACME HEALTH",
            "N3*PO BOX 1",
            "N4*CHICAGO*IL*60601",
            "REF*2U*60054",
            "PER*BL**TE*8005550100",
            "N1*PE*SPRINGFIELD FAMILY MEDICINE*XX*1234567893",
            "LX*1",
        ]
        trailer = ["PLB*1234567893*20251231*WO:ABC*5.00"]
        out += [s + "~" for s in header + body + trailer]
        out.append(f"SE*{len(header) + len(body) + len(trailer) + 1}*{sets:04d}~")
    out += [f"GE*{sets}*1~", "IEA*1*000000001~"]
    return "\n".join(out) + "\n"


def test_generated_remittances_take_the_columnar_path_and_match() -> None:
    texts = [generated(40, seed) for seed in range(4)] + [SAMPLE_835]
    assert columnar_tables(texts, [f"t{i}" for i in range(len(texts))]).fallback == frozenset()
    assert_same(list(texts))
    assert_same([("a", texts[0]), ("b", "ISA*00*broken~"), ("c", texts[1])], strict=False)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(remittances=st.lists(strategies.remittances(), min_size=1, max_size=3))
def test_written_remittances_match(remittances: list[Remittance]) -> None:
    text = write_835(remittances)
    assert_same([text])


def mutations(text: str) -> list[str]:
    """Single-segment changes: drop, duplicate, misspell the id, add or drop an element,
    over-long or emptied elements, odd amounts."""
    segments = text.split("~")
    found = []
    for index, segment in enumerate(segments):
        parts = segment.split("*")
        changed = [
            None,
            segment + "~" + segment,
            "X" + segment[1:],
            segment + "*",
            segment + "*Z",
            "*".join(parts[:-1]),
        ]
        for position in range(1, len(parts)):
            for value in ("", "X" * 90, "1.234", "-0", "2025133"):
                changed.append("*".join([*parts[:position], value, *parts[position + 1 :]]))
        for change in changed:
            copy = list(segments)
            if change is None:
                del copy[index]
            else:
                copy[index] = change
            found.append("~".join(copy))
    return found


def test_single_segment_mutations_match_or_raise_alike() -> None:
    base = generated(2, seed=11, per_set=1)
    every = mutations(base)
    assert len(every) > 500
    # all mutations through the columnar reader at once: each file it keeps must be one
    # the object reader reads without an error, to the same tables and warnings
    fast = columnar_tables(every, ["t"] * len(every))
    accepted = [i for i in range(len(every)) if i not in fast.fallback]
    assert 0 < len(accepted) < len(every)
    for index in accepted:
        slow, slow_warnings = outcome(partial(scalar_remittance_tables, [("t", every[index])]))
        assert slow_warnings == [str(w.message) for w in fast.warnings.get(index, [])]
        assert isinstance(slow, RemittanceTables), every[index]
        for name in TABLES:
            table = fast.tables[name]
            mine = table.filter(pc.equal(table.column("_file"), index)).drop_columns(["_file"])
            assert mine.equals(getattr(slow, name)), (name, every[index])
    # and end to end (columnar or fallback) on a sample, in both modes
    for text in every[::7]:
        for strict in (True, False):
            assert_same([("t", text)], strict=strict)


def test_each_file_is_judged_alone() -> None:
    # a set left open in one file does not hide a stray segment between sets in the next
    good = generated(4, per_set=2)
    broken = good.replace("SE*", "XX*", 1)
    stray = good.replace("~\nST*835*0002", "~\nREF*EV*1~\nST*835*0002", 1)
    assert stray != good
    assert columnar_tables([broken, stray, good], ["a", "b", "c"]).fallback == {0, 1}
    assert_same([("a", broken), ("b", stray), ("c", good)], strict=False)
    assert_same([("c", good), ("b", stray)])


def test_a_group_whose_every_file_falls_back_does_not_fail_the_batch() -> None:
    # every claim of the group dropped (no claims left to place) and an SVC composite
    # without a code: neither may raise, or the whole batch would go to the object reader
    good = generated(3, per_set=2)
    odd = good.replace("SVC*HC:99213*", "SVC*HC*", 1).replace("SVC*HC:99214:25*", "SVC*HC*", 1)
    odd = odd.replace("CLP*", "CLP**", 1)
    assert columnar_tables([odd], ["a"]).fallback == {0}
    assert columnar_tables([odd, good], ["a", "b"]).fallback == {0}
    assert_same([("a", odd), ("b", good)], strict=False)


def test_header_warnings_are_given_again_in_file_order() -> None:
    good = generated(4, per_set=2)
    # a payee NPI whose check digit fails: read_835 warns (in both modes) and keeps it
    npi = good.replace("*XX*1234567893~", "*XX*1234567890~")
    assert npi != good
    # an over-long TS302 in a loop 2000 opened after the set's first claim: the header
    # reader would number it wrongly, so the file is left to the object reader
    second = good.index("CLP*C0000001")
    late = good[:second] + "LX*2~\nTS3*1234567893*111*20251231*1*100.00~\n" + good[second:]
    batch = [("a", npi), ("b", late), ("c", good), ("d", npi)]
    for strict in (True, False):
        fast = columnar_tables([t for _, t in batch], ["a", "b", "c", "d"], strict=strict)
        assert fast.fallback == {1}
        assert sorted(fast.warnings) == [0, 3]
        assert all("check digit" in str(w.message) for w in fast.warnings[0])
        assert_same(list(batch), strict=strict)
    given = outcome(lambda: remittance_tables(batch, strict=False))[1]
    # a's (one per set), then b's, then d's: the files' order
    assert [w.split(",")[0] for w in given] == [
        "segment 12 (N1)",
        "segment 48 (N1)",
        "segment 30 (TS3)",
        "segment 40 (SE)",
        "segment 12 (N1)",
        "segment 48 (N1)",
    ]


def as_4010(text: str) -> str:
    """``text`` (from :func:`generated`) as an 004010X091A1 interchange: ISA12 00401,
    ISA11 the standards identifier U (no repetition separator), GS08 004010X091A1."""
    isa, rest = text[:106], text[106:]
    isa = isa.replace("*^*00501*", "*U*00401*")
    return isa + rest.replace("*005010X221A1~", "*004010X091A1~")


def test_4010_files_take_the_columnar_path_and_match() -> None:
    base = generated(6, seed=5, per_set=3)
    old = as_4010(base).replace("NM1*QC*1*PATIENT*", "NM1*QC*1*PUTNAM^U*", 1)
    # CR (correction and reversal) is a 004010 group: kept there, refused in 005010
    old = old.replace("CAS*CO*45*", "CAS*CR*45*", 1)
    new_cr = base.replace("CAS*CO*45*", "CAS*CR*45*", 1)
    assert "*U*00401*" in old
    assert "CAS*CR" in old
    assert "CAS*CR" in new_cr
    texts = [old, base, new_cr]
    for strict in (True, False):
        fast = columnar_tables(texts, ["a", "b", "c"], strict=strict)
        # the 005010 set holding CR is read whole by the transaction reader (it refuses
        # or skips that CAS as read_835 does); strict, it raises, so the file falls back
        assert fast.fallback == ({2} if strict else set())
        assert fast.whole_sets == (set() if strict else {(2, 1)})
        assert_same([("a", old), ("b", base), ("c", new_cr)], strict=strict)


def test_a_byte_order_mark_before_the_isa_goes_columnar_and_matches() -> None:
    # Windows tools save X12 as UTF-8 with a BOM (oopfactory's samples do); the tokenizer
    # takes U+FEFF as a blank, so read_835 reads such a file as if it had none
    base = generated(5, seed=9, per_set=2)
    marked = "\ufeff" + base
    fast = columnar_tables([marked, base], ["t", "t"], strict=True)
    assert fast.fallback == set()
    for name in TABLES:
        table = fast.tables[name]
        first = table.filter(pc.equal(table.column("_file"), 0)).drop_columns(["_file"])
        second = table.filter(pc.equal(table.column("_file"), 1)).drop_columns(["_file"])
        assert first.num_rows > 0 or name == "provider_adjustments", name
        assert first.equals(second), name
    for strict in (True, False):
        assert_same([("a", marked), ("b", base)], strict=strict)


def test_several_interchanges_and_groups_in_one_file_go_columnar_and_match() -> None:
    first = generated(5, seed=7, per_set=2)
    second = generated(4, seed=8, per_set=3).replace("000000001", "000000002")
    both = first + second
    # two functional groups in one interchange: the second GS..GE after the first GE
    body = second[second.index("GS*") : second.index("IEA*")].replace("*1*X*", "*2*X*", 1)
    body = body.replace("GE*2*1~", "GE*2*2~")
    groups = first.replace("IEA*1*", body + "IEA*2*")
    assert groups.count("GS*HP") == 2
    # a later ISA with other delimiters, or a wrong IEA01, is left to the object reader
    other = first + second.replace("*^*00501*", "*|*00501*", 1)
    miscounted = groups.replace("IEA*2*", "IEA*1*")
    texts = [both, groups, other, miscounted, first]
    for strict in (True, False):
        fast = columnar_tables(texts, ["a", "b", "c", "d", "e"], strict=strict)
        assert fast.fallback == {2, 3}
        assert_same(list(zip("abcde", texts, strict=True)), strict=strict)
    tables = remittance_tables([("a", both)])
    assert tables.remittances.column("remittance_number").to_pylist() == [1, 2, 3, 4, 5]


def test_files_read_in_batches_give_the_same_tables_and_warnings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import medbill.batch._remittance as remittance

    good = generated(4, per_set=2)
    npi = good.replace("*XX*1234567893~", "*XX*1234567890~")
    broken = good.replace("SE*", "XX*", 1)
    batch = [("a", npi), ("b", broken), ("c", good), ("d", npi), ("e", SAMPLE_835)]
    monkeypatch.setattr(remittance, "_BATCH_CHARACTERS", len(good) + 10)
    assert len(list(remittance._batches(list(batch)))) >= 3
    for strict in (True, False):
        assert_same(list(batch), strict=strict)
    assert_same([("c", good), ("e", SAMPLE_835)])


def test_warnings_given_again_show_as_often_as_read_835_shows_them() -> None:
    # under the "default" action a warning shows once per text and place: the columnar
    # reader's given-again warnings go through the same module registry
    npi = generated(2, per_set=2).replace("*XX*1234567893~", "*XX*1234567890~")
    batch: list[Source] = [("a", npi), ("b", npi)]
    shown = []
    for read in (remittance_tables, scalar_remittance_tables):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("default")
            read(batch, strict=False)
        shown.append([(str(w.message), w.filename, w.lineno) for w in caught])
    assert len(shown[1]) == 1
    assert shown[0] == shown[1]


def test_files_of_other_delimiters_keep_the_files_order() -> None:
    # two delimiter groups read columnar, their files interleaved among the inputs
    a, c = generated(3, seed=1), generated(3, seed=3)
    b = generated(3, seed=2).replace("*", "|")
    assert columnar_tables([a, b, c], ["a", "b", "c"]).fallback == frozenset()
    assert_same([("a", a), ("b", b), ("c", c)])


def test_a_set_outside_the_whitelist_is_read_whole_and_the_others_stay_columnar() -> None:
    good = generated(6, seed=4, per_set=2)
    # an unknown segment in a claim of the second set: read_835 warns and skips it
    # (lenient) or raises (strict)
    third = good.index("CLP*C0000002")
    odd = good[:third] + good[third:].replace("DTM*050*", "ZZZ*1~\nDTM*050*", 1)
    seconds = [line for line in odd.split("~\n") if line.startswith("SE*")]
    # the set grew by one segment: its SE01 follows
    count, control = seconds[1].split("*")[1:]
    odd = odd.replace(seconds[1], f"SE*{int(count) + 1}*{control}")
    lenient = columnar_tables([odd, good], ["a", "b"], strict=False)
    assert lenient.fallback == frozenset()
    assert lenient.whole_sets == {(0, 2)}
    assert [str(w.message).split(":")[0] for w in lenient.warnings[0]] == ["segment 64 (ZZZ)"]
    assert columnar_tables([odd], ["a"], strict=True).fallback == {0}
    for strict in (True, False):
        assert_same([("a", odd), ("b", good)], strict=strict)


def test_segment_codes_are_those_of_the_ids_split_off() -> None:
    # the segment code comes from the first three characters and the first separator: an
    # id one character longer or shorter than a known one, or a bare id, is coded by its
    # own id (0 when unknown), as splitting the segment would name it
    base = generated(2, seed=12, per_set=1)
    segments = base.split("~\n")
    texts = [base]
    for index, segment in enumerate(segments[1:-1], start=1):
        segment_id, _, rest = segment.partition("*")
        for changed in (segment_id + "X*" + rest, segment_id[:-1] + "*" + rest, segment_id):
            texts.append("~\n".join([*segments[:index], changed, *segments[index + 1 :]]))
    pipes = generated(2, seed=12, per_set=1).replace("*", "|")
    texts += [pipes, pipes.replace("LQ|", "LQQ|").replace("SE|", "SE")]
    by_id = dict(zip(_IDS, range(1, len(_IDS) + 1), strict=True))
    for text in texts:
        found = delimiters(text)
        assert found is not None
        rows = segment_rows([text], found)
        ids = [segment.split(found.element)[0] for segment in rows["text"]]
        assert rows["code"].to_list() == [by_id.get(i, 0) for i in ids]
    for text in texts[:: max(1, len(texts) // 40)]:
        assert_same([("t", text)], strict=False)


def plain_rows(texts: list[str], element: str, terminator: str) -> list[tuple[int, int, str, int]]:
    """segment_rows' rows (file, position, text, set number) by Python's own split and strip."""
    out = []
    for file, text in enumerate(texts):
        position = sets = 0
        for segment in text.split(terminator):
            segment = segment.strip(" \t\r\n\ufeff")
            if segment:
                position += 1
                sets += segment.split(element)[0] == "ST"
                out.append((file, position, segment, sets))
    return out


_PIECES = ["ST*835*1", "CLP*1*1*1*1", "SVC*HC:99213*1*1", "", " ", "\n", "\r\n", "\ufeff", "é*1"]


@settings(max_examples=200, deadline=None)
@given(
    texts=st.lists(
        st.tuples(
            st.lists(st.sampled_from(_PIECES), max_size=8),
            st.sampled_from(["", "~", "~\n", "~ \r\n", "\n", "~~"]),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_segment_rows_split_as_python_splits(texts: list[tuple[list[str], str]]) -> None:
    # empty segments (doubled terminators, blank ones, the one after the last terminator),
    # blanks and byte order marks around segments, non-ASCII text: the same rows
    whole = [ISA + "~".join(pieces) + end for pieces, end in texts]
    rows = segment_rows(whole, Delimiters("*", "^", ":", "~"))
    got = list(rows.select("file", "position", "text", "set_number").iter_rows())
    assert got == plain_rows(whole, "*", "~")


ISA = (
    "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PROVIDER       "
    "*250401*1200*^*00501*000000001*0*P*:~"
)


def test_decimals_without_numpy_are_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    # the amounts become Arrow decimals by numpy when it is there, else by Polars' cast
    import medbill.batch._tables as tables

    texts = [generated(12, seed=21), SAMPLE_835]
    with_numpy = remittance_tables(texts)
    monkeypatch.setattr(tables, "_np", None)
    without = remittance_tables(texts)
    for name in TABLES:
        assert getattr(with_numpy, name).equals(getattr(without, name)), name
    assert_same(list(texts))


def test_dates_and_single_use_segments_out_of_place_match() -> None:
    # a claim date in a line, a line date in a claim, a second NM1*QC or REF*6R: the
    # object reader's placement rules decide (the columnar reader leaves those sets to it)
    base = generated(6, seed=13, per_set=3)
    first_line = base.index("SVC*")
    changed = [
        base[:first_line] + base[first_line:].replace("DTM*472*", "DTM*050*", 1),
        base.replace("DTM*050*20250320~", "DTM*472*20250320~", 1),
        base.replace("DTM*050*20250320~", "DTM*050*20250320~\nDTM*050*20250321~", 1),
        base.replace("REF*6R*1~", "REF*6R*1~\nREF*6R*9~", 1),
        base.replace("NM1*QC*", "NM1*QC*1*OTHER~\nNM1*QC*", 1),
    ]
    assert_left_to_the_object_reader(changed, base)


def assert_left_to_the_object_reader(changed: list[str], base: str) -> None:
    """Each of ``changed`` (renumbered) is never read columnar: the file, or the set, is
    left to the object reader, and both paths give the same tables beside ``base``."""
    for text in map(renumbered, changed):
        assert text != base
        fast = columnar_tables([text], ["t"], strict=False)
        assert fast.fallback or fast.whole_sets
        for strict in (True, False):
            assert_same([("t", text), ("b", base)], strict=strict)


def renumbered(text: str) -> str:
    """``text`` with each SE01 counting its set's segments again."""
    out, count = [], 0
    for segment in text.split("~\n"):
        count = 1 if segment.startswith("ST*") else count + 1
        if segment.startswith("SE*"):
            segment = "SE*" + str(count) + "*" + segment.split("*")[2]
        out.append(segment)
    return "~\n".join(out)


def test_claim_segments_after_a_plb_or_an_lx_without_a_clp_match() -> None:
    # segments of a claim's kinds after PLB (or after LX before the next CLP) belong to no
    # claim: the object reader's rules decide (the columnar reader leaves the set to it)
    base = generated(6, seed=13, per_set=3)
    plb = "PLB*1234567893*20251231*WO:ABC*5.00~"
    changed = [
        base.replace(plb, plb + "\nCAS*CO*45*1.00~", 1),
        base.replace(plb, plb + "\nDTM*050*20250320~", 1),
        base.replace("LX*1~", "LX*1~\nREF*6R*1~", 1),
        base.replace("LX*1~", "LX*1~\nAMT*B6*1.00~", 1),
    ]
    assert_left_to_the_object_reader(changed, base)


def _pool() -> list[tuple[str, str]]:
    """Files of every route: columnar, columnar with one set read whole, columnar with
    header warnings given again, another delimiter group, and files the object reader
    reads (envelope counts that disagree: it warns, leniently)."""
    good = generated(5, seed=31, per_set=2)
    third = good.index("CLP*C0000002")
    odd = renumbered(good[:third] + good[third:].replace("DTM*050*", "ZZZ*1~\nDTM*050*", 1))
    return [
        ("good", good),
        ("other", generated(3, seed=32)),
        ("whole-set", odd),
        ("npi", good.replace("*XX*1234567893~", "*XX*1234567890~")),
        ("pipes", generated(2, seed=33).replace("*", "|")),
        ("se-count", good.replace("SE*", "SE*9", 1)),
        ("ge-count", good.replace("GE*3*", "GE*4*", 1)),
        ("sample", SAMPLE_835),
    ]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(picks=st.lists(st.integers(0, 7), min_size=1, max_size=7))
def test_files_read_together_equal_each_read_alone(picks: list[int]) -> None:
    # one call over many files (one set of queries for all of them) gives each file's
    # tables and warnings as reading it alone would, in the files' order, with the same
    # sources and positions
    pool = _pool()
    items: list[Source] = [(f"{pool[i][0]}-{n}", pool[i][1]) for n, i in enumerate(picks)]
    together, together_warnings = outcome(partial(remittance_tables, items, strict=False))
    alone = [outcome(partial(remittance_tables, [item], strict=False)) for item in items]
    assert together_warnings == [w for _, found in alone for w in found]
    assert isinstance(together, RemittanceTables)
    for name in TABLES:
        parts = [getattr(tables, name) for tables, _ in alone]
        assert getattr(together, name).equals(pa.concat_tables(parts)), name


def test_the_pool_takes_every_route() -> None:
    pool = _pool()
    fast = columnar_tables([text for _, text in pool], [name for name, _ in pool], strict=False)
    assert fast.fallback == {5, 6}
    assert fast.whole_sets == {(2, 2)}
    assert sorted(fast.warnings) == [2, 3]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), quantity=st.booleans())
def test_files_of_single_triplet_adjustments_match(seed: int, quantity: bool) -> None:
    # every CAS one triplet (with or without its quantity): the adjustments are read row
    # by row, without exploding the triplets; with one two-triplet CAS, by exploding
    text = generated(6, seed=seed, per_set=3).replace("**1*0.00~", "*1~" if quantity else "~")
    assert "CAS*CO*45" in text
    assert columnar_tables([text], ["t"]).fallback == frozenset()
    assert_same([("t", text)])
    assert_same([("t", text), ("u", generated(3, seed=seed))])


@pytest.mark.parametrize("triplet", [1, 2, 3])
def test_a_refused_reason_in_any_triplet_matches(triplet: int) -> None:
    # a CARC the whitelist's shape allows but the object reader's type refuses, in the
    # first, second or third triplet of a CAS (the reasons' places are all checked)
    base = generated(4, seed=41, per_set=2)
    reasons = ["2", "1", "3"]
    reasons[triplet - 1] = "ZZZZZ"
    cas = "CAS*PR*" + "**".join(f"{reason}*0.00" for reason in reasons) + "~"
    text = renumbered(base.replace("DTM*050*", cas + "\nDTM*050*", 1))
    fast = columnar_tables([text], ["t"], strict=False)
    assert fast.fallback or fast.whole_sets
    for strict in (True, False):
        assert_same([("t", text), ("b", base)], strict=strict)


@settings(max_examples=100, deadline=None)
@given(keys=st.lists(st.integers(0, 6), max_size=40))
def test_pieces_are_partition_by_s_parts(keys: list[int]) -> None:
    frame = pl.DataFrame(
        {"k": keys, "row": list(range(len(keys))), "text": [f"s{n}" for n in range(len(keys))]},
        schema={"k": pl.Int16, "row": pl.Int64, "text": pl.String},
    )
    want = frame.partition_by("k", as_dict=True, include_key=False)
    got = _pieces(frame, "k")
    assert sorted(key for key, _ in got) == sorted(key for (key,) in want)
    for key, piece in got:
        assert piece.equals(want[(key,)])


_ID_PIECES = [*_IDS, "ST", "S", "T", "CL", "P", "X", "é", "*", "|", ":", "1", ""]


@settings(max_examples=300, deadline=None)
@given(
    segments=st.lists(st.lists(st.sampled_from(_ID_PIECES), max_size=4).map("".join), max_size=30),
    element=st.sampled_from(["*", "|", "§"]),
)
def test_codes_by_bytes_are_the_codes_of_the_ids_split_off(
    segments: list[str], element: str
) -> None:
    # the numpy path (first bytes) and Arrow's string kernels give each segment the code
    # of the id before its first separator (0 for another id); a separator of two bytes
    # is left to the string kernels
    texts = pa.array(segments, pa.large_string())
    by_id = dict(zip(_IDS, range(1, len(_IDS) + 1), strict=True))
    want = [by_id.get(segment.split(element)[0], 0) for segment in segments]
    assert _codes_by_text(texts, element).to_pylist() == want
    fast = _codes_by_bytes(texts, element)
    if element == "§":
        assert fast is None
    else:
        assert fast is not None
        assert fast.to_pylist() == want
        sliced = texts.slice(1)  # an array with an offset into its buffers
        assert cast_codes(_codes_by_bytes(sliced, element)) == want[1:]


def cast_codes(codes: object) -> list[int]:
    assert isinstance(codes, pa.Array)
    return [int(code) for code in codes.to_pylist()]


def test_segment_codes_without_numpy_are_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    import medbill.batch._tables as tables

    texts = [generated(5, seed=51), generated(3, seed=52).replace("*", "|"), SAMPLE_835]
    with_numpy = [segment_rows([t], cast_delimiters(t)) for t in texts]
    monkeypatch.setattr(tables, "_np", None)
    for text, rows in zip(texts, with_numpy, strict=True):
        assert segment_rows([text], cast_delimiters(text)).equals(rows)


def cast_delimiters(text: str) -> Delimiters:
    found = delimiters(text)
    assert found is not None
    return found
