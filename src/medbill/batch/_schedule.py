"""A Medicare fee schedule as small Polars tables of scaled integers, built once.

The relative value file becomes one row per lookup key ``(code, component)`` carrying the
row's RVUs (hundredths) and indicators, plus the RVUs of the rows the claim-level rules
read beside it: the code's professional (26) and technical (TC) component rows (imaging,
cardiovascular and ophthalmology reductions) and the family's base endoscopy. The GPCIs
(thousandths) and the conversion factors (ten-thousandths) keep the file's exact digits:
scales are the most decimal places found, so no digit is ever dropped.

A schedule of several CMS releases (:class:`~medbill.fees.MedicareRelease`) gives one set
of rows and GPCIs per release, keyed by the release's position; each release's period is
kept as integer day numbers, so a line joins the release in force on its date of service,
as :meth:`MedicareFeeSchedule.release` picks it. The unadjusted national locality
(:data:`Locality.NATIONAL`, GPCI 1.000) is in every release's GPCIs unless the file has it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Final

import polars as pl

from medbill._errors import ValidationError
from medbill.batch._tables import decimal_scale, scaled, to_scaled
from medbill.fees import Gpci, Locality, MedicareFeeSchedule, MedicareRelease, RvuRow
from medbill.fees._modifiers import (
    ASSISTANT_NOT_PAID,
    BILATERAL,
    CO_SURGERY_PAID,
    COMPONENT_MODIFIERS,
    PAYABLE_STATUSES,
    PCTC_MEANINGS,
)
from medbill.fees._mppr import COMPONENT_REDUCTIONS, MPPR_GROUPS
from medbill.fees._rvu_row import NATIONAL_GPCI

__all__ = ["GROUP_CODES", "PreparedSchedule", "prepare"]

_RVUS: Final = ("work", "pe_nonfacility", "pe_facility", "mp")
_SPLITS: Final = ("pre_op", "intra_op", "post_op")
_LIMIT: Final = 2**62


class PreparedSchedule:
    """The tables of one :class:`~medbill.fees.MedicareFeeSchedule` (see the module doc)."""

    __slots__ = (
        "_positions",
        "cent_divisor",
        "factors",
        "gpcis",
        "periods",
        "reduction_scale",
        "release_names",
        "rows",
        "rvu_scale",
        "schedule",
        "split_scale",
    )

    def __init__(self, schedule: MedicareFeeSchedule) -> None:
        self.schedule = schedule
        releases = schedule.releases
        every = [r for release in releases for r in release.rows.values()]
        self.rvu_scale = max(2, decimal_scale(getattr(r, f) for r in every for f in _RVUS))
        self.split_scale = max(2, decimal_scale(getattr(r, f) for r in every for f in _SPLITS))
        gpcis = [_release_gpcis(release.gpcis) for release in releases]
        gpci_scale = max(
            3, decimal_scale(v for g in gpcis for x in g.values() for v in (x.work, x.pe, x.mp))
        )
        factors = schedule.conversion_factors
        cf_scale = max(4, decimal_scale(f.amount for f in factors))
        # fee in 10**-(rvu+gpci+cf) dollars; whole cents need 10**(rvu+gpci+cf-2)
        self.cent_divisor = 10 ** (self.rvu_scale + gpci_scale + cf_scale - 2)
        # component reductions keep the unrounded fee in 1/reduction_scale of those units
        self.reduction_scale = math.lcm(
            *(scaled(_ONE - f)[1] for parts in COMPONENT_REDUCTIONS.values() for _, f in parts)
        )
        biggest = (
            max((max(getattr(r, f) for f in _RVUS) for r in every), default=Decimal(0))
            * 3
            * max((max(x.work, x.pe, x.mp) for g in gpcis for x in g.values()), default=Decimal(0))
            * max(f.amount for f in factors)
            * self.reduction_scale
        )
        if to_scaled(biggest, self.rvu_scale + gpci_scale + cf_scale) >= _LIMIT:
            raise ValidationError("schedule", repr(schedule), "values too large for 64-bit cents")
        self.rows = _row_table(releases, self.rvu_scale, self.split_scale).with_columns(
            *_rule_flags()
        )
        self.gpcis = pl.DataFrame(
            {
                "_release": [i for i, g in enumerate(gpcis) for _ in g],
                "locality": [str(loc) for g in gpcis for loc in g],
                "gpci_work": [to_scaled(x.work, gpci_scale) for g in gpcis for x in g.values()],
                "gpci_pe": [to_scaled(x.pe, gpci_scale) for g in gpcis for x in g.values()],
                "gpci_mp": [to_scaled(x.mp, gpci_scale) for g in gpcis for x in g.values()],
            },
            schema={
                "_release": pl.Int32,
                "locality": pl.String,
                "gpci_work": pl.Int64,
                "gpci_pe": pl.Int64,
                "gpci_mp": pl.Int64,
            },
        )
        self.factors = tuple(
            (f.valid_from, f.valid_to, f.qualifying_apm, to_scaled(f.amount, cf_scale))
            for f in factors
        )
        # (release, first day, last day) as integer day numbers (days since 1970-01-01);
        # None for a release without a period (it prices every date)
        self.periods = tuple(
            (index, None, None)
            if release.period is None
            else (
                index,
                _day_number(release.period.start),
                None if release.period.end is None else _day_number(release.period.end),
            )
            for index, release in enumerate(releases)
        )
        self.release_names = ", ".join(r.describe() for r in releases)
        self._positions: dict[tuple[int, str, str], int] | None = None

    def row_positions(self) -> dict[tuple[int, str, str], int]:
        """The position in :attr:`rows` of each (release, code, lookup modifier), built on
        first use."""
        if self._positions is None:
            self._positions = {
                key: n
                for n, key in enumerate(
                    zip(
                        self.rows["_release"].to_list(),
                        self.rows["procedure"].to_list(),
                        self.rows["lookup"].to_list(),
                        strict=True,
                    )
                )
            }
        return self._positions


_EPOCH: Final = dt.date(1970, 1, 1)
_ONE: Final = Decimal(1)


def _day_number(day: dt.date) -> int:
    return (dt.date(day.year, day.month, day.day) - _EPOCH).days


def _release_gpcis(gpcis: Mapping[Locality, Gpci]) -> dict[Locality, Gpci]:
    """The release's GPCIs, with the unadjusted national locality unless the file has it
    (as :meth:`MedicareFeeSchedule.gpci` reads :data:`Locality.NATIONAL`)."""
    return {Locality.NATIONAL: NATIONAL_GPCI, **gpcis}


GROUP_CODES: Final = {name: n for n, name in enumerate(dict.fromkeys(MPPR_GROUPS.values()), 1)}
"""The multiple procedure groups of :data:`medbill.fees._mppr.MPPR_GROUPS` as small integers."""


def _rule_flags() -> list[pl.Expr]:
    """The rule tables' answers for each row, computed once per schedule."""
    with_components = sorted(
        indicator
        for indicator, group in MPPR_GROUPS.items()
        if any(attr in ("pc", "tc") for attr, _ in COMPONENT_REDUCTIONS.get(group, ()))
    )
    bilateral = pl.col("bilateral")
    return [
        pl.col("status").is_in(sorted(PAYABLE_STATUSES)).alias("r_payable"),
        (pl.col("status") == "T").alias("r_status_t"),
        pl.col("mult_proc")
        .replace_strict(
            {k: GROUP_CODES[v] for k, v in MPPR_GROUPS.items()}, default=0, return_dtype=pl.Int8
        )
        .alias("r_group"),
        (pl.col("mult_proc") == "3").alias("r_endoscopy"),
        pl.col("mult_proc").is_in(with_components).alias("r_components"),
        bilateral.replace_strict(
            {k: scaled(v)[0] for k, v in BILATERAL.items()}, default=None, return_dtype=pl.Int64
        ).alias("r_bilateral_num"),
        bilateral.replace_strict(
            {k: scaled(v)[1] for k, v in BILATERAL.items()}, default=None, return_dtype=pl.Int64
        ).alias("r_bilateral_den"),
        pl.col("co_surgery").is_in(sorted(CO_SURGERY_PAID)).alias("r_co_paid"),
        (pl.col("co_surgery") == "0").alias("r_co_refused"),
        pl.col("assistant").is_in(sorted(ASSISTANT_NOT_PAID)).alias("r_assistant_refused"),
    ]


def _rvus(row: RvuRow | None, scale: int) -> tuple[int | None, ...]:
    if row is None:
        return (None, None, None, None)
    return tuple(to_scaled(getattr(row, f), scale) for f in _RVUS)


def _row_table(releases: Sequence[MedicareRelease], scale: int, split_scale: int) -> pl.DataFrame:
    """One row per release and lookup key. Releases share the rows that did not change
    between them: each distinct row (with its component and base rows) is worked out once
    and joined to the releases that hold it."""
    columns: dict[str, list[object]] = {
        name: []
        for name in (
            "procedure",
            "lookup",
            "found",
            "modifier_row",
            "status",
            "work",
            "pe_nonfacility",
            "pe_facility",
            "mp",
            "nonfacility_na",
            "facility_na",
            "pctc",
            "global_days",
            "pre_op",
            "intra_op",
            "post_op",
            "mult_proc",
            "bilateral",
            "assistant",
            "co_surgery",
            "endo_base",
            "components",
            "pc_work",
            "pc_pe_nonfacility",
            "pc_pe_facility",
            "pc_mp",
            "tc_work",
            "tc_pe_nonfacility",
            "tc_pe_facility",
            "tc_mp",
            "endo_found",
            "endo_work",
            "endo_pe_nonfacility",
            "endo_pe_facility",
            "endo_mp",
        )
    }

    known: dict[tuple[object, ...], int] = {}
    keep: list[object] = []  # the rows behind the ids in ``known``, alive while it is
    held_by: list[int] = []
    held: list[int] = []

    def add(by_key: Mapping[tuple[str, str], RvuRow], lookup: str, row: RvuRow) -> int:
        pc = by_key.get((row.code, "26"))
        tc = by_key.get((row.code, "TC"))
        endo = by_key.get((row.endo_base, "")) if row.endo_base else None
        key = (lookup, id(row), id(pc), id(tc), id(endo))
        number = known.get(key)
        if number is not None:
            return number
        keep.append((row, pc, tc, endo))
        values: dict[str, object] = {
            "procedure": row.code,
            "lookup": lookup,
            # 53 has no row of its own: the code's row prices it; 26/TC without a row
            # of their own do not apply (the PC/TC indicator says why).
            "found": lookup == row.modifier or lookup == "53",
            "modifier_row": row.modifier,
            "status": row.status,
            "nonfacility_na": row.nonfacility_na,
            "facility_na": row.facility_na,
            "pctc": row.pctc,
            "global_days": row.global_days,
            "mult_proc": row.mult_proc,
            "bilateral": row.bilateral,
            "assistant": row.assistant,
            "co_surgery": row.co_surgery,
            "endo_base": row.endo_base,
            "components": pc is not None and tc is not None,
            "endo_found": endo is not None,
        }
        for name in _SPLITS:
            values[name] = to_scaled(getattr(row, name), split_scale)
        for prefix, source in (("", row), ("pc_", pc), ("tc_", tc), ("endo_", endo)):
            for name, value in zip(_RVUS, _rvus(source, scale), strict=True):
                values[prefix + name] = value
        for name, column in columns.items():
            column.append(values[name])
        number = known[key] = len(known)
        return number

    for index, release in enumerate(releases):
        by_key = release.rows
        for (code, modifier), row in by_key.items():
            held_by.append(index)
            held.append(add(by_key, modifier, row))
            if modifier:
                continue
            for component in COMPONENT_MODIFIERS:
                if (code, component) not in by_key:
                    held_by.append(index)
                    held.append(add(by_key, component, row))
    flags = {"found", "nonfacility_na", "facility_na", "components", "endo_found"}
    numbers = {p + f for p in ("", "pc_", "tc_", "endo_") for f in _RVUS} | set(_SPLITS)
    schema: dict[str, pl.DataType] = {
        name: pl.Boolean() if name in flags else pl.Int64() if name in numbers else pl.String()
        for name in columns
    }
    distinct = pl.DataFrame(columns, schema=schema).with_row_index("_distinct")
    by_release = pl.DataFrame(
        {"_release": held_by, "_distinct": held},
        schema={"_release": pl.Int32, "_distinct": pl.UInt32},
    )
    return by_release.join(distinct, on="_distinct", how="left", maintain_order="left").drop(
        "_distinct"
    )


def pctc_meaning(indicator: str) -> str:
    """The PC/TC indicator's meaning (for the problems column)."""
    return PCTC_MEANINGS.get(indicator, "unknown")


_CACHE: OrderedDict[int, PreparedSchedule] = OrderedDict()


def prepare(schedule: MedicareFeeSchedule | PreparedSchedule) -> PreparedSchedule:
    """The prepared tables of ``schedule``, built once and kept for the last few schedules."""
    if isinstance(schedule, PreparedSchedule):
        return schedule
    if not isinstance(schedule, MedicareFeeSchedule):
        raise ValidationError("schedule", type(schedule).__name__, "must be a MedicareFeeSchedule")
    cached = _CACHE.get(id(schedule))
    if cached is not None and cached.schedule is schedule:
        _CACHE.move_to_end(id(schedule))
        return cached
    prepared = PreparedSchedule(schedule)
    _CACHE[id(schedule)] = prepared
    while len(_CACHE) > 8:
        _CACHE.popitem(last=False)
    return prepared


def remember(prepared: PreparedSchedule) -> None:
    """Keep ``prepared`` as the tables of its schedule (after unpickling on a worker)."""
    _CACHE[id(prepared.schedule)] = prepared
