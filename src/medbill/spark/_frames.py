"""mapInArrow wrappers: the batch functions on each partition of a Spark DataFrame.

Claim-level rules (multiple procedures, status T) need every line of a claim in one
place, so the lines are repartitioned by ``claim_id`` and sorted within each partition;
the function then prices Arrow batches, holding back the last claim of a batch until the
next batch has shown whether it goes on.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping

import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.functions import monotonically_increasing_id
from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema

from medbill._parties import Accumulators, Benefits
from medbill.batch import check_payments, price_lines, remittance_tables
from medbill.batch._schedule import PreparedSchedule, prepare, remember
from medbill.claims import Tolerance
from medbill.fees import Contract, MedicareFeeSchedule, PercentOfMedicare

__all__ = ["check_payments_spark", "price_lines_spark", "read_835_spark"]

Batches = Iterator[pa.RecordBatch]


def _plain(schema: pa.Schema) -> pa.Schema:
    """Arrow types Spark reads: large and view strings as plain strings."""
    fields = []
    for field in schema:
        kind = field.type
        if pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
            kind = pa.string()
        elif pa.types.is_large_list(kind):
            kind = pa.list_(pa.string())
        fields.append(pa.field(field.name, kind, nullable=True))
    return pa.schema(fields)


_CHUNK = 250_000
"""Lines priced at a time: each call has a fixed cost (the signatures' rules), so the
partition's Arrow batches (10,000 rows by default) are gathered up to this size first."""


def _claims_whole(
    batches: Batches,
    compute: Callable[[pa.Table], pa.Table],
    chunk: int = _CHUNK,
    key: str = "claim_id",
) -> Batches:
    """Run ``compute`` on whole claims, about ``chunk`` lines at a time: the rows of a
    claim that may go on in the next batch are carried over to it (the partition is
    sorted by claim)."""
    pending: list[pa.RecordBatch] = []
    size = 0
    for batch in batches:
        if batch.num_rows == 0:
            continue
        pending.append(batch)
        size += batch.num_rows
        if size < chunk:
            continue
        table = pa.Table.from_batches(pending).combine_chunks()
        claims = table.column(key)
        last = claims[table.num_rows - 1]
        keep = table.num_rows
        while keep > 0 and claims[keep - 1] == last:
            keep -= 1
        if keep == 0:  # one claim so far: wait for the next batch
            continue
        yield from compute(table.slice(0, keep)).to_batches()
        held = table.slice(keep)
        pending = held.to_batches() if held.num_rows else []
        size = held.num_rows
    if size:
        yield from compute(pa.Table.from_batches(pending)).to_batches()


_ORDER = "_medbill_order"
"""The row's place in the input, kept while a member's claims are moved together."""


def _by_claim(df: DataFrame, partitions: int | None, by_member: bool = False) -> DataFrame:
    count = partitions or df.rdd.getNumPartitions()
    if by_member:  # a member's claims together, in the order the input lists them
        ordered = df.withColumn(_ORDER, monotonically_increasing_id())
        return ordered.repartition(count, "member_id").sortWithinPartitions("member_id", _ORDER)
    return df.repartition(count, "claim_id").sortWithinPartitions("claim_id")


def _run(
    df: DataFrame,
    compute: Callable[[pa.Table], pa.Table],
    partitions: int | None,
    by_member: bool = False,
) -> DataFrame:
    empty = to_arrow_schema(df.schema).empty_table()
    schema = _plain(compute(empty).schema)
    # read on the driver: lines per call (the tests make it small to split claims)
    chunk = max(1, int(os.environ.get("MEDBILL_SPARK_CHUNK", _CHUNK)))
    key = "member_id" if by_member else "claim_id"

    def run(table: pa.Table) -> pa.Table:
        if by_member:
            table = table.drop_columns([_ORDER])
        return compute(table).cast(schema)

    def each(batches: Batches) -> Batches:
        yield from _claims_whole(batches, run, chunk, key)

    return _by_claim(df, partitions, by_member).mapInArrow(each, from_arrow_schema(schema))


def _prepared(
    schedule: MedicareFeeSchedule | None, *contracts: Contract | None
) -> list[PreparedSchedule]:
    """The schedules' tables, built once on the driver and broadcast with the schedules
    themselves (one pickle keeps them the same objects on the executors)."""
    schedules = [] if schedule is None else [schedule]
    for contract in contracts:
        if contract is not None:
            schedules += [t.schedule for t in contract.terms if isinstance(t, PercentOfMedicare)]
    return [prepare(s) for s in dict.fromkeys(schedules)]


def price_lines_spark(
    df: DataFrame,
    schedule: MedicareFeeSchedule,
    contract: Contract | None = None,
    *,
    qualifying_apm: bool = False,
    lesser_of_charge: bool = True,
    partitions: int | None = None,
) -> DataFrame:
    """:func:`medbill.batch.price_lines` over a Spark DataFrame of claim lines.

    ``df`` has the columns of :data:`medbill.batch.LINE_COLUMNS`; the result adds those of
    :data:`medbill.batch.PRICE_COLUMNS`. Lines are repartitioned by claim (``partitions``,
    default: as many as ``df`` has). The schedule and contract are broadcast once.
    """
    shared = df.sparkSession.sparkContext.broadcast(
        (_prepared(schedule, contract), schedule, contract)
    )

    def compute(table: pa.Table) -> pa.Table:
        tables, fees, terms = shared.value
        for prepared in tables:
            remember(prepared)
        result: pa.Table = price_lines(
            table,
            fees,
            contract=terms,
            qualifying_apm=qualifying_apm,
            lesser_of_charge=lesser_of_charge,
        )
        return result

    return _run(df, compute, partitions)


def check_payments_spark(
    df: DataFrame,
    contracts: Contract | Mapping[str, Contract],
    benefits: Benefits | Mapping[str, Benefits] | None = None,
    *,
    accumulators: Accumulators | Mapping[str, Accumulators] | None = None,
    sequestration: bool = False,
    tolerance: Tolerance | None = None,
    partitions: int | None = None,
) -> DataFrame:
    """:func:`medbill.batch.check_payments` over a Spark DataFrame of paid lines
    (the columns of :data:`medbill.batch.PAYMENT_COLUMNS`).

    With ``benefits`` and a ``member_id`` column, the rows are repartitioned by member
    (each member's claims in one place, in the input's order) so the accumulators run
    over a member's claims as in :func:`~medbill.batch.check_payments`; otherwise by claim.
    """
    every = [contracts] if isinstance(contracts, Contract) else list(contracts.values())
    shared = df.sparkSession.sparkContext.broadcast(
        (_prepared(None, *every), contracts, benefits, accumulators, tolerance)
    )

    def compute(table: pa.Table) -> pa.Table:
        tables, terms, plan, met, rules = shared.value
        for prepared in tables:
            remember(prepared)
        result: pa.Table = check_payments(
            table, terms, plan, accumulators=met, sequestration=sequestration, tolerance=rules
        )
        return result

    by_member = benefits is not None and "member_id" in df.columns
    return _run(df, compute, partitions, by_member)


def read_835_spark(
    spark: SparkSession, path_glob: str, *, strict: bool = True
) -> dict[str, DataFrame]:
    """Read a folder of 835 files (``path_glob``, any path Spark reads) into DataFrames:
    the tables of :func:`medbill.batch.remittance_tables` by name (``remittances``,
    ``claims``, ``lines``, ``adjustments``, ``provider_adjustments``), each file parsed on
    an executor, ``source`` holding its path.
    """
    files = spark.read.text(path_glob, wholetext=True).selectExpr(
        "input_file_name() AS source", "value AS text"
    )
    files = files.cache()
    empty = remittance_tables([])
    frames = {}
    for name in ("remittances", "claims", "lines", "adjustments", "provider_adjustments"):
        schema = _plain(getattr(empty, name).schema)

        def each(batches: Batches, name: str = name, schema: pa.Schema = schema) -> Batches:
            for batch in batches:
                pairs = zip(
                    batch.column("source").to_pylist(),
                    batch.column("text").to_pylist(),
                    strict=True,
                )
                tables = remittance_tables(list(pairs), strict=strict)
                yield from getattr(tables, name).cast(schema).to_batches()

        frames[name] = files.mapInArrow(each, from_arrow_schema(schema))
    return frames
