"""The columnar 835 stage's keys agree with read_835's loops on every reference sample."""

from __future__ import annotations

import warnings
from pathlib import Path

import polars as pl
import pytest

from medbill import MedbillError
from medbill.batch._columnar835 import delimiters, segment_frame
from medbill.x12 import SAMPLE_835, read_835


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
