"""Spark gives the batch answers: the same tables, row for row, from local[2] with small
Arrow batches (7 rows) so that claims straddle batches and partitions."""

from __future__ import annotations

import random
import warnings
from pathlib import Path

import polars as pl
import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.pandas.types import from_arrow_schema
from pyspark.sql.types import StructType

from batch.generate import code_pool, many_claims
from batch.test_check_payments import PLANS, contracts, payment_for, payments_table
from medbill.batch import check_payments, lines_table, price_lines, remittance_tables
from medbill.claims import Tolerance
from medbill.fees import MedicareFeeSchedule
from medbill.spark import check_payments_spark, price_lines_spark, read_835_spark
from medbill.x12 import SAMPLE_835


def _rows(frame: pl.DataFrame | pa.Table, key: list[str]) -> list[dict[str, object]]:
    table = frame if isinstance(frame, pl.DataFrame) else pl.from_arrow(frame)
    assert isinstance(table, pl.DataFrame)
    return table.sort(key).to_dicts()


def _collect(df: DataFrame) -> pl.DataFrame:
    frame = pl.from_arrow(df.toArrow())
    assert isinstance(frame, pl.DataFrame)
    return frame


def test_price_lines_spark_equals_price_lines(
    spark: SparkSession, cy2025: MedicareFeeSchedule
) -> None:
    made = many_claims(code_pool(cy2025), 30, seed=5)
    table = lines_table([c for c, _ in made], locality={str(c.id): loc for c, loc in made})
    expected = price_lines(table, cy2025, contract=contracts(cy2025)[0])
    df = spark.createDataFrame(table.to_pylist(), schema=_spark_schema(spark, table))
    got = price_lines_spark(df, cy2025, contracts(cy2025)[0], partitions=3)
    key = ["claim_id", "line_id"]
    assert _rows(_collect(got), key) == _rows(expected, key)


def test_check_payments_spark_equals_check_payments(
    spark: SparkSession, cy2025: MedicareFeeSchedule
) -> None:
    rng = random.Random(3)
    made = many_claims(code_pool(cy2025), 20, seed=6)
    frame = payments_table([(claim, payment_for(claim, rng)) for claim, _ in made])
    # Three members, their claims interleaved: the accumulators must run over each
    # member's claims in table order although Spark moves the rows around.
    frame = frame.with_columns(
        pl.format("M-{}", pl.col("claim_id").rank("dense").cast(pl.Int64) % 3).alias("member_id")
    )
    contract = contracts(cy2025)[0]
    tolerance = Tolerance()
    plan = PLANS[1]
    expected = check_payments(frame, contract, plan, tolerance=tolerance)
    fresh = check_payments(frame.drop("member_id"), contract, plan, tolerance=tolerance)
    chained = expected["expected_patient_share"] != fresh["expected_patient_share"]
    assert chained.sum() > 0  # the data exercises the accumulators across claims
    table = frame.to_arrow()
    df = spark.createDataFrame(table.to_pylist(), schema=_spark_schema(spark, table))
    got = check_payments_spark(df, contract, plan, tolerance=tolerance, partitions=2)
    key = ["claim_id", "line_id"]
    assert _rows(_collect(got), key) == _rows(expected, key)


def test_read_835_spark_equals_remittance_tables(spark: SparkSession, tmp_path: Path) -> None:
    for number in range(3):
        (tmp_path / f"era-{number}.835").write_text(SAMPLE_835)
    frames = read_835_spark(spark, str(tmp_path / "*.835"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tables = remittance_tables(sorted(tmp_path.glob("*.835")))
    for name in ("claims", "lines", "adjustments", "remittances"):
        got = _collect(frames[name]).with_columns(pl.col("source").str.replace(r"^file:(//)?", ""))
        key = ["source", "remittance_number"]
        assert _rows(got, key) == _rows(getattr(tables, name), key), name


def _spark_schema(spark: SparkSession, table: pa.Table) -> StructType:
    schema: StructType = from_arrow_schema(table.schema)
    return schema
