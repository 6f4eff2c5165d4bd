"""One local Spark session for every Spark test (local[2]: two executor threads)."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterator
from typing import NoReturn

import pytest

pytest.importorskip("pyspark", reason="the spark extra (pyspark) is not installed")

from pyspark.sql import SparkSession

from fees.conftest import cy2025  # noqa: F401  # the CY2025 schedule


@pytest.fixture(scope="session")
def spark(service_unavailable: Callable[[str], NoReturn]) -> Iterator[SparkSession]:
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        service_unavailable("no Java runtime for Spark (.ci/services/20-java.sh installs one)")
    # the executors' Python is this one, where medbill is installed
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    # price a few lines per call, so that claims straddle the chunks (and Arrow batches)
    os.environ.setdefault("MEDBILL_SPARK_CHUNK", "5")
    session = (
        SparkSession.builder.master("local[2]")
        .appName("medbill-tests")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "7")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
