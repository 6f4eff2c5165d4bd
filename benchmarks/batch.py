"""Batch repricing and payment checking benchmark (not a test): prints figures, asserts nothing.

    MEDBILL_REFERENCE=/work/shared/reference .venv/bin/python benchmarks/batch.py
    ... benchmarks/batch.py --lines 5000000 --spark-lines 10000000   # the issue's sizes

Each figure is printed next to its baseline, measured in the same run on the same lines:

1. The issue's vectorised ceiling (plain RVU x GPCI x CF in integers with Polars joins,
   no rules), then ``price_lines`` on one core (``POLARS_MAX_THREADS=1``) over a realistic mix (office
   visits, imaging with components, therapy units, surgery with 50/62/80, endoscopy
   families, status T, NPP lines, CY2024 and CY2025 dates, five localities, four places of
   service), against ``MedicareFeeSchedule.price_claim`` on a sample of the same claims;
   the sample's answers are compared to the cent.
2. ``check_payments`` against ``medbill.claims.check_payment`` the same way.
3. ``remittance_tables`` (the columnar 835 reader) on a generated 835 of
   ``--claims-835`` claims and on 200 files of 50 claims, against the object reader
   (``read_835`` and the flattening) and ``read_835`` alone, in claims/s; the tables are
   compared with the object reader's.
4. Memory: Arrow bytes of the input and the priced table per million lines, and the
   process's peak RSS growth while pricing.
5. Spark ``local[1]`` against ``local[2]`` (``--spark-lines``; 0 skips it), when PySpark
   and Java are there.
"""

from __future__ import annotations

import os

os.environ.setdefault("POLARS_MAX_THREADS", "1")  # one core, before Polars starts its pool

import argparse
import random
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TypeVar, cast

import attrs
import pendulum
import polars as pl

from medbill import (
    Adjustment,
    Benefits,
    ClaimPayment,
    Copay,
    LinePayment,
    Period,
    ProviderKind,
    ServiceCategory,
)
from medbill.batch import check_payments, price_lines, remittance_tables
from medbill.batch._columnar835 import (
    _IDS,
    Delimiters,
    columnar_tables,
    delimiters,
    segment_rows,
)
from medbill.batch._remittance import scalar_remittance_tables
from medbill.batch._schedule import prepare
from medbill.claims import check_payment
from medbill.fees import (
    CarveOut,
    Contract,
    FixedRate,
    Locality,
    MedicareFeeSchedule,
    PercentOfBilled,
    PercentOfMedicare,
)
from medbill.x12 import read_835

sys.path.insert(0, str(Path(__file__).parent))
from pricing import MIX as PRICING_MIX
from pricing import build_claims

from x12 import generate

T = TypeVar("T")
REFERENCE = Path(os.environ.get("MEDBILL_REFERENCE", "../shared/reference"))
MIX: list[tuple[str, tuple[str, ...], int]] = [
    *PRICING_MIX,  # the scalar benchmark's mix, plus the rules it leaves out:
    ("99215", ("25",), 1),
    ("96372", (), 1),
    ("74177", ("TC",), 1),
    ("93306", (), 1),
    ("92134", (), 1),
    ("27447", ("62",), 1),
    ("27447", ("80",), 1),
    ("43235", (), 1),
    ("43239", (), 1),
    ("45385", (), 1),
]
LOCALITIES = ["10112-00", "13202-01", "01112-75", "06102-99", "02102-01"]
DAYS = [pendulum.date(2024, 6, 3), pendulum.date(2025, 4, 1)]
PLACES = ["11", "11", "22", "19"]


def lines_frame(count: int, seed: int = 17) -> pl.DataFrame:
    """``count`` lines in claims of 10 lines, one date per claim, built column-wise."""
    rng = random.Random(seed)
    picks = [rng.choice(MIX) for _ in range(count)]
    claims = count // 10 + 1
    days = [rng.choice(DAYS) for _ in range(claims)]
    where = [rng.choice(LOCALITIES) for _ in range(claims)]
    places = [rng.choice(PLACES) for _ in range(claims)]
    kinds = [
        ProviderKind.NON_PHYSICIAN_PRACTITIONER.value if rng.random() < 0.1 else "physician"
        for _ in range(claims)
    ]
    return pl.DataFrame(
        {
            "claim_id": [f"c-{n // 10}" for n in range(count)],
            "line_id": [str(n % 10 + 1) for n in range(count)],
            "service_date": [days[n // 10] for n in range(count)],
            "procedure": [p[0] for p in picks],
            "modifier_1": [p[1][0] if p[1] else None for p in picks],
            "units": [p[2] for p in picks],
            "charge": [Decimal("250.00")] * count,
            "place_of_service": [places[n // 10] for n in range(count)],
            "locality": [where[n // 10] for n in range(count)],
            "provider_kind": [kinds[n // 10] for n in range(count)],
        },
        schema_overrides={"charge": pl.Decimal(18, 2)},
    )


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:>12,.0f}/s"


REPEAT = 3


def measure(run: Callable[[], T], repeat: int | None = None) -> tuple[T, float, float]:
    """(result, best CPU seconds, best wall seconds) of ``repeat`` runs (CPU time is what
    a shared machine measures fairly; wall time is printed beside it)."""
    cpu = wall = float("inf")
    for _ in range(max(1, repeat or REPEAT)):
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        result = run()
        cpu = min(cpu, time.process_time() - start_cpu)
        wall = min(wall, time.perf_counter() - start_wall)
    return result, cpu, wall


def figures(label: str, count: int, unit: str, cpu: float, wall: float) -> None:
    print(
        f"{label:<24} {count:>11,} {unit} CPU {cpu:7.3f} s {rate(count, cpu)} "
        f"| wall {wall:7.3f} s {rate(count, wall)}"
    )


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ceiling_tables(schedule: MedicareFeeSchedule) -> tuple[pl.DataFrame, pl.DataFrame, int, int]:
    """The issue's vectorised ceiling's inputs: the last release's global RVU rows
    (hundredths) and GPCIs (thousandths), its conversion factor (ten-thousandths) and the
    divisor to whole cents, from the prepared schedule."""
    prepared = prepare(schedule)
    last = len(prepared.periods) - 1
    rvus = prepared.rows.filter((pl.col("_release") == last) & (pl.col("lookup") == "")).select(
        "procedure", "work", "pe_nonfacility", "mp"
    )
    gpcis = prepared.gpcis.filter(pl.col("_release") == last).drop("_release")
    return rvus, gpcis, prepared.factors[-1][3], prepared.cent_divisor


def ceiling(
    frame: pl.DataFrame, tables: tuple[pl.DataFrame, pl.DataFrame, int, int]
) -> pl.DataFrame:
    """Plain RVU x GPCI x CF repricing in integers with Polars joins (no modifiers, no
    claim rules, no problems column): the issue's ceiling, about 6.5M lines/s on one core."""
    rvus, gpcis, factor, divisor = tables
    fee = (
        pl.col("work") * pl.col("gpci_work")
        + pl.col("pe_nonfacility") * pl.col("gpci_pe")
        + pl.col("mp") * pl.col("gpci_mp")
    ) * factor
    return (
        frame.lazy()
        .select("procedure", "locality", "units")
        .join(rvus.lazy(), on="procedure", how="left")
        .join(gpcis.lazy(), on="locality", how="left")
        .select(((fee + divisor // 2) // divisor * pl.col("units")).alias("allowed_cents"))
        .collect()
    )


def bench_pricing(schedule: MedicareFeeSchedule, count: int, sample_claims: int) -> pl.DataFrame:
    frame = lines_frame(count)
    price_lines(frame.head(1000), schedule)  # builds the schedule's tables once
    tables = ceiling_tables(schedule)
    _, cpu, wall = measure(lambda: ceiling(frame, tables))
    figures("  ceiling RVUxGPCIxCF", count, "lines", cpu, wall)
    before = peak_rss_mb()
    priced, cpu, wall = measure(lambda: price_lines(frame, schedule))
    grown = peak_rss_mb() - before
    figures("price_lines", count, "lines", cpu, wall)
    per_million = 1_000_000 / count
    print(
        f"  memory per million lines: input {frame.estimated_size('mb') * per_million:,.0f} MB, "
        f"priced {priced.estimated_size('mb') * per_million:,.0f} MB, "
        f"peak RSS growth {grown * per_million:,.0f} MB"
    )
    # baseline: the scalar path on a sample of the same claims
    sample = frame.head(sample_claims * 10)
    claims, localities = _claims_of(sample)
    scalar, cpu, wall = measure(
        lambda: [
            schedule.price_claim(c, locality=loc) for c, loc in zip(claims, localities, strict=True)
        ],
        1,
    )
    lines = sample.height
    figures("  baseline price_claim", lines, "lines", cpu, wall)
    got = priced.head(lines)["medicare_allowed"].to_list()
    want = [line.allowed for claim in scalar for line in claim.lines]
    print(f"  same answers to the cent on the sample: {'yes' if got == want else 'NO'}")
    return frame


def _claims_of(frame: pl.DataFrame) -> tuple[list[object], list[Locality]]:
    from medbill import Claim, ClaimLine

    template = build_claims(1, random.Random(0))[0]
    claims: list[object] = []
    localities = []
    for part in frame.partition_by("claim_id", maintain_order=True):
        rows = part.to_dicts()
        lines = [
            ClaimLine(
                line_id=r["line_id"],
                procedure=r["procedure"],
                charge=r["charge"],
                diagnosis_pointers=(1,),
                service_date=r["service_date"],
                modifiers=(r["modifier_1"],) if r["modifier_1"] else (),
                units=Decimal(r["units"]),
            )
            for r in rows
        ]
        provider = template.billing_provider
        kind = ProviderKind(rows[0]["provider_kind"])
        claims.append(
            Claim(
                id=rows[0]["claim_id"],
                patient=template.patient,
                coverage=None,
                billing_provider=provider,
                rendering_provider=attrs.evolve(provider, kind=kind),
                place_of_service=rows[0]["place_of_service"],
                diagnoses=["M17.11"],
                lines=lines,
            )
        )
        localities.append(Locality.parse(rows[0]["locality"]))
    return claims, localities


def bench_checking(schedule: MedicareFeeSchedule, frame: pl.DataFrame, sample_claims: int) -> None:
    contract = Contract(
        payer_id="acme",
        name="Acme PPO",
        effective=Period(pendulum.date(2024, 1, 1), pendulum.date(2025, 12, 31)),
        terms=[
            CarveOut(codes=["J0000-J9999"], billed_rate="0.60"),
            FixedRate(codes=["99213"], amount="95.00"),
            PercentOfMedicare(schedule=schedule, rate="1.40", locality=Locality.parse("10112-00")),
            PercentOfBilled(rate="0.50"),
        ],
        lesser_of_billed=True,
    )
    money = pl.Decimal(18, 2)
    paid = frame.with_columns(
        pl.lit(Decimal("80.00"), dtype=money).alias("paid"),
        pl.lit(Decimal("150.00"), dtype=money).alias("contractual"),
        pl.lit(Decimal("20.00"), dtype=money).alias("patient_responsibility"),
    )
    check_payments(paid.head(1000), contract)
    _, cpu, wall = measure(lambda: check_payments(paid, contract))
    figures("check_payments", paid.height, "lines", cpu, wall)
    # with benefits: 20,000 members, each claim's expected patient share in claim order
    plan = Benefits(
        deductible=Decimal("250.00"),
        coinsurance=Decimal("0.20"),
        copays=[Copay(category=ServiceCategory.OFFICE_VISIT, amount=Decimal("25.00"))],
        out_of_pocket_max=Decimal("900.00"),
    )
    members = paid.with_columns(
        (pl.int_range(0, pl.len()) // 10 % 20_000).cast(pl.String).alias("member_id")
    )
    _, cpu, wall = measure(lambda: check_payments(members, contract, plan))
    figures("check_payments benefits", paid.height, "lines", cpu, wall)
    claims, _ = _claims_of(paid.head(sample_claims * 10))
    payments = [
        ClaimPayment(
            claim_id=c.id,  # type: ignore[attr-defined]
            status="1",
            charge=sum((line.charge for line in c.lines), Decimal(0)),  # type: ignore[attr-defined]
            paid=Decimal("80.00") * len(c.lines),  # type: ignore[attr-defined]
            lines=[
                LinePayment(
                    procedure=str(line.procedure),
                    charge=line.charge,
                    paid=Decimal("80.00"),
                    line_id=line.line_id,
                    adjustments=[
                        Adjustment(group="CO", reason="45", amount=Decimal("150.00")),
                        Adjustment(group="PR", reason="2", amount=Decimal("20.00")),
                    ],
                )
                for line in c.lines  # type: ignore[attr-defined]
            ],
        )
        for c in claims
    ]

    def scalar() -> None:
        for claim, payment in zip(claims, payments, strict=True):
            check_payment(claim, payment, contract)  # type: ignore[arg-type]

    _, cpu, wall = measure(scalar, 1)
    figures("  baseline check_payment", sample_claims * 10, "lines", cpu, wall)


def bench_remittances(claims: int, small_files: int = 200, claims_per_file: int = 50) -> None:
    """``remittance_tables`` (the columnar reader) on one large file and on many small
    ones, each next to the object reader alone (``scalar_remittance_tables``: read_835
    and the flattening) and ``read_835``'s parse, in the same run."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "large.835"
        generate(path, claims)
        small = []
        for index in range(small_files):
            small.append(Path(folder) / f"small-{index:04d}.835")
            generate(small[-1], claims_per_file, seed=index)
        for label, paths in ((f"one file of {claims:,} claims", [path]),
                             (f"{small_files} files of {claims_per_file} claims", small)):  # fmt: skip
            print(f"  835: {label}")
            fast = remittance_tables(paths)
            slow = scalar_remittance_tables(paths)
            same = all(
                getattr(fast, name).equals(getattr(slow, name))
                for name in (
                    "remittances",
                    "claims",
                    "lines",
                    "adjustments",
                    "provider_adjustments",
                )
            )
            texts = [p.read_text(encoding="utf-8") for p in paths]
            names = [str(p) for p in paths]
            fallback = columnar_tables(texts, names).fallback
            print(
                f"    same tables as the object reader: {same}; files read by it: {len(fallback)}"
            )
            tables, cpu, wall = measure(lambda paths=paths: remittance_tables(paths))
            figures("remittance_tables", tables.claims.num_rows, "claims", cpu, wall)
            tables, cpu, wall = measure(lambda paths=paths: scalar_remittance_tables(paths))
            figures("  baseline object reader", tables.claims.num_rows, "claims", cpu, wall)
            count, cpu, wall = measure(
                lambda paths=paths: sum(len(e.claim_payments) for p in paths for e in read_835(p))
            )
            figures("  baseline read_835 alone", count, "claims", cpu, wall)
            # generated with one well-formed ISA shape: delimiters() finds them
            found_delimiters = cast(Delimiters, delimiters(texts[0]))
            rows, cpu, wall = measure(
                lambda texts=texts, found=found_delimiters: segment_rows(texts, found)
            )
            found = rows.filter(pl.col("code") == _IDS.index("CLP") + 1).height
            figures("  columnar stage 1 alone", found, "claims", cpu, wall)


def tree_cpu_seconds(root: int) -> float:
    """User+system CPU seconds of process ``root`` and its live descendants, from
    ``/proc`` (Linux; the JVM and its Python workers), including reaped children's."""
    tick = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        stats[int(entry.name)] = fields
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        if pid in stats:  # fields after ")": state ppid ... utime(11) stime cutime cstime
            total += sum(int(value) for value in stats[pid][11:15])
        todo.extend(children.get(pid, []))
    return total / tick


def bench_spark(schedule: MedicareFeeSchedule, count: int) -> None:
    if count <= 0:
        return
    try:
        from pyspark.sql import SparkSession

        from medbill.spark import price_lines_spark
    except ImportError:
        print("spark: PySpark not installed, skipped")
        return
    if shutil.which("java") is None:
        print("spark: no Java, skipped")
        return
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    with tempfile.TemporaryDirectory() as folder:
        chunk = 1_000_000
        written = 0
        base = lines_frame(min(chunk, count))  # one mix, each file its own claims
        for part in range(0, count, chunk):
            size = min(chunk, count - part)
            base.head(size).with_columns(
                (pl.lit(f"p{part}-") + pl.col("claim_id")).alias("claim_id")
            ).write_parquet(Path(folder) / f"lines-{part:09d}.parquet")
            written += size
        seconds: dict[int, float] = {}
        for cores in (1, 2):
            spark = (
                SparkSession.builder.master(f"local[{cores}]")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.shuffle.partitions", str(4 * cores))
                .getOrCreate()
            )
            spark.sparkContext.setLogLevel("ERROR")
            df = spark.read.parquet(str(Path(folder) / "lines-*.parquet"))
            jvm = spark.sparkContext._gateway.proc.pid  # type: ignore[union-attr]
            start, start_cpu = time.perf_counter(), tree_cpu_seconds(jvm)
            start_self = time.process_time()
            result = price_lines_spark(df, schedule, partitions=4 * cores)
            total = result.selectExpr("count(*) AS n", "sum(medicare_allowed) AS total").collect()
            elapsed = time.perf_counter() - start
            cpu = tree_cpu_seconds(jvm) - start_cpu + time.process_time() - start_self
            seconds[cores] = elapsed
            print(
                f"spark local[{cores}]     {written:>11,} lines wall {elapsed:8.3f} s "
                f"{rate(written, elapsed)} lines; CPU (driver + JVM + workers) {cpu:8.3f} s "
                f"(rows {total[0]['n']:,}, total {total[0]['total']:,}); "
                f"load average {os.getloadavg()[0]:.1f}",
                flush=True,
            )
            spark.stop()
        print(f"  speed-up local[2] / local[1]: {seconds[1] / seconds[2]:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--sample-claims", type=int, default=5_000)
    parser.add_argument("--claims-835", type=int, default=20_000)
    parser.add_argument("--spark-lines", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (best kept)")
    parser.add_argument(
        "--skip", nargs="*", default=[], choices=["pricing", "checking", "remittances"]
    )
    args = parser.parse_args()
    global REPEAT
    REPEAT = args.repeat
    folder = REFERENCE / "cms-pfs-2025"
    older = REFERENCE / "arkrvu-cms-pfs" / "rvu_source_2024"
    # two years of schedules: CY2024's releases (A, AR, B, C) and CY2025 A, each line
    # priced with the release in force on its date of service
    pairs = [
        (rvu, older / f"gpci_{rvu.stem.split('_')[1]}.csv")
        for rvu in sorted(older.glob("pprrvu_rvu*.csv"))
    ]
    pairs.append((folder / "PPRRVU25_JAN.csv", folder / "GPCI2025.csv"))
    schedule = MedicareFeeSchedule.from_cms_files(pairs)
    print(f"Polars threads: {pl.thread_pool_size()}")
    if "pricing" not in args.skip:
        frame = bench_pricing(schedule, args.lines, args.sample_claims)
    else:
        frame = lines_frame(args.lines)
    if "checking" not in args.skip:
        bench_checking(schedule, frame, args.sample_claims)
    if "remittances" not in args.skip:
        bench_remittances(args.claims_835)
    bench_spark(schedule, args.spark_lines)


if __name__ == "__main__":
    main()
