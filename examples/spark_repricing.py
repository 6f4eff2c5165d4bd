"""Reprice a table of claim lines on Spark and check it against the batch path.

    MEDBILL_REFERENCE=/work/shared/reference .venv/bin/python examples/spark_repricing.py

Runs Spark in local mode (``local[2]``); on a cluster, build the session as the platform
says (Databricks gives you ``spark``) and read your own Parquet or Delta table instead of
the lines built here. Prints the repriced lines and exits 0 when Spark and
``medbill.batch`` agree to the cent.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from decimal import Decimal
from pathlib import Path

import polars as pl
from pyspark.sql import SparkSession

from medbill import Period
from medbill.batch import price_lines
from medbill.fees import Contract, Locality, MedicareFeeSchedule, PercentOfBilled, PercentOfMedicare
from medbill.spark import price_lines_spark

REFERENCE = Path(os.environ.get("MEDBILL_REFERENCE", "../shared/reference"))


def main() -> int:
    folder = REFERENCE / "cms-pfs-2025"
    if (folder / "PPRRVU25_JAN.csv").is_file():
        schedule = MedicareFeeSchedule.from_cms_files(
            folder / "PPRRVU25_JAN.csv", folder / "GPCI2025.csv"
        )
    else:  # the few published rows of the demo schedule
        schedule = MedicareFeeSchedule.demo()
    contract = Contract(
        payer_id="acme",
        name="Acme PPO 2025",
        effective=Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
        terms=[
            PercentOfMedicare(schedule=schedule, rate="1.40", locality=Locality.parse("10112-00")),
            PercentOfBilled(rate="0.50"),
        ],
        lesser_of_billed=True,
    )
    lines = pl.DataFrame(
        {
            "claim_id": ["c-1", "c-1", "c-1", "c-2", "c-2"],
            "line_id": ["1", "2", "3", "1", "2"],
            "service_date": [dt.date(2025, 5, 1)] * 5,
            "procedure": ["99213", "20610", "20610", "71046", "99999"],
            "modifier_1": [None, "50", None, "26", None],
            "units": [1, 1, 1, 1, 1],
            "charge": [
                Decimal("150.00"),
                Decimal("300.00"),
                Decimal("200.00"),
                Decimal("60.00"),
                Decimal("10.00"),
            ],
            "place_of_service": ["11"] * 5,
            "locality": ["13202-01"] * 5,
        },
        schema_overrides={"charge": pl.Decimal(18, 2)},
    )
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    ours = SparkSession.getActiveSession() is None  # stop only a session we started
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("medbill-example")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    try:
        df = spark.createDataFrame(lines.to_arrow())  # PySpark 4 reads Arrow tables
        priced = price_lines_spark(df, schedule, contract)
        columns = ["claim_id", "line_id", "procedure", "medicare_allowed", "expected_allowed",
                   "mppr_rank", "problem"]  # fmt: skip
        rows = priced.select(*columns).orderBy("claim_id", "line_id").collect()
        for row in rows:
            print(*(row[c] for c in columns), sep="\t")
        batch = (
            price_lines(lines, schedule, contract=contract)
            .select(columns)
            .sort("claim_id", "line_id")
        )
        same = [tuple(r[c] for c in columns) for r in rows] == batch.rows()
    finally:
        if ours:
            spark.stop()
    print("Spark and medbill.batch agree" if same else "Spark and medbill.batch DIFFER")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
