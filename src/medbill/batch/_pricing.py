"""Medicare physician fee schedule pricing of a table of claim lines, in scaled integers.

The same rules as :meth:`medbill.fees.MedicareFeeSchedule.price_claim`, from the same rule
tables (:mod:`medbill.fees._modifiers`, :mod:`medbill.fees._mppr`,
:data:`medbill.codes.PLACES_OF_SERVICE`), expressed as Polars column expressions:

- the fee ``(work x GPCI + PE x GPCI + MP x GPCI) x CF`` is computed exactly in integers
  (RVUs in hundredths, GPCIs in thousandths, the conversion factor in ten-thousandths) and
  rounded half-up to the cent once, as the scalar path rounds it;
- every percentage (bilateral, multiple procedure, split care, co-surgery, assistant,
  non-physician practitioner) is then applied to whole cents and rounded half-up again, at
  the same points as the scalar path;
- the claim-level rules (status T, multiple procedure ranking) are window operations over
  each claim and date of service, never a Python loop over lines.

A line is priced from its first occurrence ("unit") and its other occurrences: the scalar
path ranks every unit as a procedure, and all units of a line after the first are reduced
alike, so two amounts per line give the same sums.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Final

import pendulum
import polars as pl

from medbill._parties import ProviderKind
from medbill.batch._schedule import PreparedSchedule
from medbill.batch._tables import round_div, scaled
from medbill.codes import PLACES_OF_SERVICE
from medbill.fees._modifiers import (
    AS_NON_PHYSICIAN_ASSISTANT,
    ASSISTANT_AT_SURGERY,
    ASSISTANT_MODIFIERS,
    ASSISTANT_NOT_PAID,
    BILATERAL,
    CO_SURGEON,
    CO_SURGERY_PAID,
    GLOBAL_SPLIT,
    NON_PHYSICIAN_PRACTITIONER,
    PAYABLE_STATUSES,
    PCTC_MEANINGS,
    STATUS_MEANINGS,
)
from medbill.fees._mppr import MPPR_GROUPS, PORTION_REDUCTIONS, SUBSEQUENT_SURGERY

__all__ = ["MODIFIER_COLUMNS", "medicare_prices", "normalise_lines"]

MODIFIER_COLUMNS: Final = ("modifier_1", "modifier_2", "modifier_3", "modifier_4")
KEY: Final = ("claim_id", "service_date")
_FACILITY: Final = sorted(code for code, info in PLACES_OF_SERVICE.items() if info.facility)
_PLACES: Final = sorted(PLACES_OF_SERVICE)
_NPP: Final = ProviderKind.NON_PHYSICIAN_PRACTITIONER.value
_KINDS: Final = sorted(kind.value for kind in ProviderKind)
_SPLIT_ORDER: Final = ("56", "54", "55")


def _has(modifier: str) -> pl.Expr:
    return pl.any_horizontal([pl.col(c) == modifier for c in MODIFIER_COLUMNS])


def _text(value: str) -> pl.Expr:
    return pl.lit(value, dtype=pl.String)


def normalise_lines(frame: pl.LazyFrame, columns: Sequence[str]) -> pl.LazyFrame:
    """Upper-case codes, empty modifiers for missing ones, units in thousandths
    (``units_milli``), the locality key zero-padded as CMS prints it, a row number."""
    present = set(columns)
    mods = [
        pl.col(c).cast(pl.String).str.strip_chars().str.to_uppercase().fill_null("").alias(c)
        if c in present
        else _text("").alias(c)
        for c in MODIFIER_COLUMNS
    ]
    kind = (
        pl.col("provider_kind").cast(pl.String).fill_null(ProviderKind.PHYSICIAN.value)
        if "provider_kind" in present
        else _text(ProviderKind.PHYSICIAN.value)
    )
    mac_number = pl.col("locality").cast(pl.String).str.strip_chars()
    locality_ok = mac_number.str.contains(r"^\d{1,5}-\d{1,2}$").fill_null(False)
    parts = mac_number.str.split_exact("-", 1)
    locality = (
        parts.struct.field("field_0").str.zfill(5)
        + "-"
        + parts.struct.field("field_1").str.zfill(2)
    )
    return frame.with_columns(
        *mods,
        pl.col("procedure").cast(pl.String).str.strip_chars().str.to_uppercase(),
        pl.col("place_of_service").cast(pl.String).str.strip_chars(),
        kind.alias("provider_kind"),
        pl.when(locality_ok).then(locality).otherwise(None).alias("_locality"),
        locality_ok.alias("_locality_ok"),
    )


def _factor_chain(amount: pl.Expr, steps: Sequence[tuple[pl.Expr, pl.Expr | int, int]]) -> pl.Expr:
    """Apply each (condition, numerator, denominator) percentage with its own rounding."""
    for condition, numerator, denominator in steps:
        amount = pl.when(condition).then(round_div(amount * numerator, denominator)).otherwise(
            amount
        )
    return amount


def _fee(prepared: PreparedSchedule, prefix: str) -> pl.Expr:
    pe = (
        pl.when(pl.col("_facility"))
        .then(pl.col(f"{prefix}pe_facility"))
        .otherwise(pl.col(f"{prefix}pe_nonfacility"))
    )
    exact = (
        pl.col(f"{prefix}work") * pl.col("gpci_work")
        + pe * pl.col("gpci_pe")
        + pl.col(f"{prefix}mp") * pl.col("gpci_mp")
    ) * pl.col("_cf")
    return round_div(exact, prepared.cent_divisor)


def _conversion_factor(
    prepared: PreparedSchedule, day: pl.Expr, qualifying_apm: bool
) -> pl.Expr:
    chain: pl.Expr | None = None
    result: pl.Expr = pl.lit(None, dtype=pl.Int64)
    conditions = []
    for valid_from, valid_to, apm, amount in prepared.factors:
        if apm is not None and apm != qualifying_apm:
            continue
        condition = day >= pl.lit(valid_from, dtype=pl.Date)
        if valid_to is not None:
            condition = condition & (day <= pl.lit(valid_to, dtype=pl.Date))
        conditions.append((condition, amount))
    for condition, amount in conditions:
        chain = (
            pl.when(condition).then(pl.lit(amount, dtype=pl.Int64))
            if chain is None
            else chain.when(condition).then(pl.lit(amount, dtype=pl.Int64))  # type: ignore[attr-defined]
        )
    if chain is not None:
        result = chain.otherwise(pl.lit(None, dtype=pl.Int64))  # type: ignore[attr-defined]
    return result


def _lookup(prepared: PreparedSchedule, frame: pl.LazyFrame, qualifying_apm: bool) -> pl.LazyFrame:
    component = (
        pl.when(_has("26"))
        .then(_text("26"))
        .when(_has("TC"))
        .then(_text("TC"))
        .when(_has("53"))
        .then(_text("53"))
        .otherwise(_text(""))
    )
    frame = frame.with_columns(component.alias("_lookup"))
    frame = frame.join(
        prepared.rows.lazy(),
        left_on=["procedure", "_lookup"],
        right_on=["procedure", "lookup"],
        how="left",
        coalesce=True,
    ).join(
        prepared.gpcis.lazy(),
        left_on="_locality",
        right_on="locality",
        how="left",
        coalesce=True,
    )
    return frame.with_columns(
        pl.col("place_of_service").is_in(_FACILITY).alias("_facility"),
        _conversion_factor(prepared, pl.col("_day"), qualifying_apm).alias("_cf"),
    )


def _early_problem(units_ok: pl.Expr) -> pl.Expr:
    code = pl.col("procedure")
    component = pl.col("_lookup")
    return pl.coalesce(
        pl.when(~units_ok).then(_text("units: must be a positive number")),
        pl.when(~pl.col("place_of_service").is_in(_PLACES).fill_null(False)).then(
            pl.format(
                "place_of_service: is not an assigned CMS place-of-service code (got {})",
                pl.col("place_of_service"),
            )
        ),
        pl.when(~pl.col("_locality_ok")).then(
            pl.format("locality: must look like '13202-01' (got {})", pl.col("locality"))
        ),
        pl.when(~pl.col("provider_kind").is_in(_KINDS)).then(
            pl.format("provider_kind: unknown (got {})", pl.col("provider_kind"))
        ),
        pl.when(_has("26") & _has("TC")).then(
            pl.format(
                "modifiers: 26 (professional) and TC (technical) exclude each other (got {}-26-TC)",
                code,
            )
        ),
        pl.when(pl.col("found").is_null()).then(
            pl.format(
                "code: not in the Medicare relative value file (modifier {}) (got {})",
                pl.when(component == "").then(_text("none")).otherwise(component),
                code,
            )
        ),
        pl.when(~pl.col("found").fill_null(True)).then(
            pl.format(
                "modifiers: modifier {} does not apply to {}: PC/TC indicator {} ({}) (got {}-{})",
                component,
                code,
                pl.col("pctc"),
                pl.col("pctc").replace_strict(PCTC_MEANINGS, default="unknown"),
                code,
                component,
            )
        ),
    )


def _setting_reason() -> pl.Expr:
    status = pl.col("status")
    na = pl.when(pl.col("_facility")).then(pl.col("facility_na")).otherwise(pl.col("nonfacility_na"))
    return pl.coalesce(
        pl.when(~status.is_in(sorted(PAYABLE_STATUSES))).then(
            pl.format(
                "status {}: {}", status, status.replace_strict(STATUS_MEANINGS, default="unknown")
            )
        ),
        pl.when(na).then(
            pl.format(
                "PE RVU is NA in the {} setting (place of service {})",
                pl.when(pl.col("_facility"))
                .then(_text("facility"))
                .otherwise(_text("non-facility")),
                pl.col("place_of_service"),
            )
        ),
    )


def _late_problem(split_share: pl.Expr) -> pl.Expr:
    code = pl.col("procedure")
    co = pl.col("co_surgery")
    split = pl.any_horizontal([_has(m) for m in _SPLIT_ORDER])
    split_text = pl.concat_str(
        [pl.when(_has(m)).then(_text(m)) for m in _SPLIT_ORDER], separator="-", ignore_nulls=True
    )
    return pl.coalesce(
        pl.when(pl.col("_cf").is_null()).then(
            pl.format("date_of_service: no Medicare conversion factor in force (got {})", pl.col("_day"))
        ),
        pl.when(pl.col("gpci_work").is_null()).then(
            pl.format("locality: not in the GPCI file (got {})", pl.col("_locality"))
        ),
        pl.when(_has("50") & ~pl.col("bilateral").is_in(sorted(BILATERAL))).then(
            pl.format(
                "modifiers: modifier 50 does not apply to {} (bilateral indicator {}) (got {}-50)",
                code,
                pl.col("bilateral"),
                code,
            )
        ),
        pl.when(split & (split_share == 0)).then(
            pl.format(
                "modifiers: {} has no pre/intra/post-operative split (global days {}) (got {}-{})",
                code,
                pl.col("global_days"),
                code,
                split_text,
            )
        ),
        pl.when(_has("66")).then(
            pl.format(
                "modifiers: team surgery (66) is priced by the contractor by report (got {}-66)",
                code,
            )
        ),
        pl.when(_has("62") & ~co.is_in(sorted(CO_SURGERY_PAID)) & (co != "0")).then(
            pl.format(
                "modifiers: modifier 62 does not apply to {} (co-surgery indicator {}) (got {}-62)",
                code,
                co,
                code,
            )
        ),
    )


def _assistant() -> pl.Expr:
    return pl.any_horizontal([_has(m) for m in (*sorted(ASSISTANT_MODIFIERS), "AS")])


def _post_reason() -> pl.Expr:
    code = pl.col("procedure")
    refusals = pl.coalesce(
        [
            pl.when(pl.col("assistant") == indicator).then(
                pl.format(text.replace("{code}", "{}"), code)
            )
            for indicator, text in ASSISTANT_NOT_PAID.items()
        ]
    )
    return pl.coalesce(
        pl.when(_has("62") & (pl.col("co_surgery") == "0")).then(
            pl.format("co-surgeons not permitted for {} (co-surgery indicator 0)", code)
        ),
        pl.when(_assistant()).then(refusals),
    )


def _post_steps(prepared: PreparedSchedule) -> list[tuple[pl.Expr, pl.Expr | int, int]]:
    co_num, co_den = scaled(CO_SURGEON)
    asst_num, asst_den = scaled(ASSISTANT_AT_SURGERY)
    as_num, as_den = scaled(AS_NON_PHYSICIAN_ASSISTANT)
    npp_num, npp_den = scaled(NON_PHYSICIAN_PRACTITIONER)
    split = pl.any_horizontal([_has(m) for m in _SPLIT_ORDER])
    return [
        (split, pl.col("_split_share"), 10**prepared.split_scale),
        (_has("62"), co_num, co_den),
        (_assistant(), asst_num, asst_den),
        (_has("AS"), as_num, as_den),
        ((pl.col("provider_kind") == _NPP) & ~_has("AS"), npp_num, npp_den),
    ]


def _split_share() -> pl.Expr:
    total: pl.Expr = pl.lit(0, dtype=pl.Int64)
    for modifier in _SPLIT_ORDER:
        column = GLOBAL_SPLIT[modifier][0]
        total = total + pl.when(_has(modifier)).then(pl.col(column)).otherwise(0)
    return total


def _line_fees(prepared: PreparedSchedule, frame: pl.LazyFrame) -> pl.LazyFrame:
    """Per-line amounts before the claim-level rules: fee, bilateral, components."""
    bilateral_num = {k: scaled(v)[0] for k, v in BILATERAL.items()}
    bilateral_den = {k: scaled(v)[1] for k, v in BILATERAL.items()}
    base = pl.col("_base")
    numerator = pl.col("bilateral").replace_strict(bilateral_num, default=1, return_dtype=pl.Int64)
    denominator = pl.col("bilateral").replace_strict(
        bilateral_den, default=1, return_dtype=pl.Int64
    )
    unit_fee = (
        pl.when(_has("50") & (numerator != denominator))
        .then((base * numerator + denominator // 2) // denominator)
        .otherwise(base)
    )
    frame = frame.with_columns(
        _fee(prepared, "").alias("_base"),
        round_div(
            pl.when(pl.col("_facility"))
            .then(pl.col("pe_facility"))
            .otherwise(pl.col("pe_nonfacility"))
            * pl.col("gpci_pe")
            * pl.col("_cf"),
            prepared.cent_divisor,
        ).alias("_pe_fee"),
        _fee(prepared, "pc_").alias("_pc_fee"),
        _fee(prepared, "tc_").alias("_tc_fee"),
        _fee(prepared, "endo_").alias("_endo_fee"),
        _split_share().alias("_split_share"),
    ).with_columns(unit_fee.alias("_unit_fee"))
    fee = pl.col("_unit_fee")
    components = pl.col("mult_proc").is_in(["4", "6", "7"])
    row_mod = pl.col("modifier_row")
    pc = (
        pl.when(~components)
        .then(0)
        .when(row_mod == "26")
        .then(fee)
        .when(row_mod == "TC")
        .then(0)
        .when(pl.col("components"))
        .then(pl.col("_pc_fee"))
        .when(pl.col("pctc") == "2")
        .then(fee)
        .otherwise(0)
    )
    tc = (
        pl.when(~components)
        .then(0)
        .when(row_mod == "26")
        .then(0)
        .when(row_mod == "TC")
        .then(fee)
        .when(pl.col("components"))
        .then(pl.col("_tc_fee"))
        .when(pl.col("pctc") == "3")
        .then(fee)
        .otherwise(0)
    )
    return frame.with_columns(pc.alias("_pc"), tc.alias("_tc"))


def _surgery(frame: pl.LazyFrame, eligible: pl.Expr) -> pl.LazyFrame:
    """Multiple surgery with endoscopy families (Pub. 100-04 Ch. 12 s. 40.6, 40.6.2)."""
    day_key = list(KEY)
    surgical = eligible & (pl.col("_group") == "surgery")
    families = (
        frame.filter(eligible & (pl.col("mult_proc") == "3"))
        .select(*day_key, pl.col("endo_base").alias("procedure"))
        .unique()
        .with_columns(pl.lit(True).alias("_is_base"))
    )
    frame = frame.join(families, on=[*day_key, "procedure"], how="left", coalesce=True)
    own_family = eligible & (pl.col("mult_proc") == "3") & pl.col("endo_found").fill_null(False)
    family = (
        pl.when(own_family)
        .then(pl.col("endo_base"))
        .when(surgical & pl.col("_is_base").fill_null(False) & (pl.col("modifier_row") == ""))
        .then(pl.col("procedure"))
        .otherwise(None)
    )
    frame = frame.with_columns(
        pl.when(surgical).then(family).otherwise(None).alias("_family"),
        pl.when(own_family).then(pl.col("_endo_fee")).otherwise(pl.col("_base")).alias("_base_fee"),
    )
    fam_key = [*day_key, "_family"]
    fee, n, row = pl.col("_unit_fee"), pl.col("_n"), pl.col("_row")
    top_fee = fee.max().over(fam_key)
    top_row = pl.when(fee == top_fee).then(row).otherwise(None).min().over(fam_key)
    reduced = pl.max_horizontal(fee - pl.col("_base_fee"), pl.lit(0, dtype=pl.Int64))
    several = n.sum().over(fam_key) >= 2
    frame = frame.with_columns(
        pl.when(several & (row != top_row)).then(reduced).otherwise(fee).alias("_fam_first"),
        pl.when(several).then(reduced).otherwise(fee).alias("_fam_other"),
    )
    is_family = pl.col("_family").is_not_null()
    frame = frame.with_columns(
        pl.when(is_family)
        .then((pl.col("_fam_first") + (n - 1) * pl.col("_fam_other")).sum().over(fam_key))
        .otherwise(fee)
        .alias("_value"),
        pl.when(is_family).then(row.min().over(fam_key)).otherwise(row).alias("_block"),
    )
    group_key = [*day_key, "_group"]
    value, block = pl.col("_value"), pl.col("_block")
    best = pl.when(surgical).then(value).otherwise(None).max().over(group_key)
    at_best = surgical & (value == best)
    single_best = (at_best & ~is_family).any().over(group_key)
    top_block = (
        pl.when(single_best)
        .then(pl.when(at_best & ~is_family).then(block).otherwise(None).min().over(group_key))
        .otherwise(pl.when(at_best & is_family).then(block).otherwise(None).min().over(group_key))
    )
    num, den = scaled(SUBSEQUENT_SURGERY)
    first = pl.when(is_family).then(pl.col("_fam_first")).otherwise(fee)
    other = pl.when(is_family).then(pl.col("_fam_other")).otherwise(fee)
    top = block == top_block
    # rank of the line's first procedure: procedures of better-valued blocks, plus one
    better = pl.when(surgical).then(value).otherwise(None)
    rank = better.rank("min", descending=True).over(group_key).cast(pl.Int64)
    return frame.with_columns(
        pl.when(surgical & top)
        .then(first)
        .when(surgical)
        .then(round_div(first * num, den))
        .otherwise(pl.col("_first"))
        .alias("_first"),
        # a family counts as one procedure; a line's other units are later procedures
        pl.when(surgical & top & is_family)
        .then(other)
        .when(surgical)
        .then(round_div(other * num, den))
        .otherwise(pl.col("_other"))
        .alias("_other"),
        pl.when(surgical)
        .then(pl.when(top).then(1).otherwise(pl.max_horizontal(rank, pl.lit(2))))
        .otherwise(pl.col("mppr_rank"))
        .alias("mppr_rank"),
    )


def _portions(frame: pl.LazyFrame, eligible: pl.Expr) -> pl.LazyFrame:
    """Reductions of one portion of each later procedure: imaging, cardiovascular and
    ophthalmology technical/professional components, therapy practice expense."""
    group_key = [*KEY, "_group"]
    n, row = pl.col("_n"), pl.col("_row")
    portion_of = {"tc": pl.col("_tc"), "pc": pl.col("_pc"), "pe": pl.col("_pe_fee")}
    for group, portions in PORTION_REDUCTIONS.items():
        in_group = eligible & (pl.col("_group") == group)
        for position, (attr, factor, _rule, _what) in enumerate(portions):
            num, den = scaled(factor)
            portion = pl.when(in_group).then(portion_of[attr]).otherwise(0)
            part = in_group & (portion > 0)
            total = pl.when(part).then(n).otherwise(0).sum().over(group_key)
            best = pl.when(part).then(portion).otherwise(None).max().over(group_key)
            top_row = pl.when(part & (portion == best)).then(row).otherwise(None).min().over(
                group_key
            )
            active = part & (total >= 2)
            cut = portion - round_div(portion * num, den)
            updates = [
                (pl.col("_first") - pl.when(active & (row != top_row)).then(cut).otherwise(0)).alias(
                    "_first"
                ),
                (pl.col("_other") - pl.when(active).then(cut).otherwise(0)).alias("_other"),
            ]
            if position == 0:
                rank = pl.when(part).then(portion).otherwise(None).rank("min", descending=True)
                updates.append(
                    pl.when(active)
                    .then(
                        pl.when(row == top_row)
                        .then(1)
                        .otherwise(pl.max_horizontal(rank.over(group_key).cast(pl.Int64), pl.lit(2)))
                    )
                    .otherwise(pl.col("mppr_rank"))
                    .alias("mppr_rank")
                )
            frame = frame.with_columns(updates)
    return frame


def medicare_prices(
    prepared: PreparedSchedule,
    frame: pl.LazyFrame,
    *,
    claim_rules: bool = True,
    qualifying_apm: bool = False,
    locality: str | None = None,
    year: int | None = None,
    physician: bool = False,
) -> pl.LazyFrame:
    """The Medicare price of every line of ``frame`` (normalised by :func:`normalise_lines`).

    ``locality``, ``year`` and ``physician`` price the lines as a percentage-of-Medicare
    contract term does: in the term's locality, on the same days of its year, as a
    physician. Adds ``_allowed`` (cents; null when the line cannot be priced),
    ``_problem``, ``_reason`` and the rule columns.
    """
    day = pl.col("service_date")
    if year is not None:
        leap = (day.dt.month() == 2) & (day.dt.day() == 29)
        day = pl.date(pl.lit(year), day.dt.month(), pl.when(leap).then(28).otherwise(day.dt.day()))
    frame = frame.with_columns(day.alias("_day"))
    if locality is not None:
        frame = frame.with_columns(
            pl.lit(locality).alias("_locality"), pl.lit(True).alias("_locality_ok")
        )
    if physician:
        frame = frame.with_columns(_text(ProviderKind.PHYSICIAN.value).alias("provider_kind"))
    units = pl.col("_units_milli")
    units_ok = (units > 0).fill_null(False)
    frame = _lookup(prepared, frame, qualifying_apm)
    frame = _line_fees(prepared, frame)
    early = _early_problem(units_ok)
    frame = frame.with_columns(early.alias("_early"))
    setting = pl.when(pl.col("_early").is_null()).then(_setting_reason())
    frame = frame.with_columns(setting.alias("_setting"))
    priced = pl.col("_early").is_null() & pl.col("_setting").is_null()
    frame = frame.with_columns(
        pl.when(priced).then(_late_problem(pl.col("_split_share"))).alias("_late")
    )
    frame = frame.with_columns(
        pl.coalesce("_early", "_late").alias("_problem"),
        pl.coalesce(
            "_setting", pl.when(priced & pl.col("_late").is_null()).then(_post_reason())
        ).alias("_reason"),
    )
    ok = pl.col("_problem").is_null() & pl.col("_reason").is_null()
    post = _post_steps(prepared)
    n = units // 1000
    plain = round_div(_factor_chain(pl.col("_unit_fee"), post) * units, 1000)
    frame = frame.with_columns(
        pl.lit(None, dtype=pl.String).alias("_group"),
        pl.lit(None, dtype=pl.Int64).alias("mppr_rank"),
    )
    if claim_rules:
        others = (ok & (pl.col("status") != "T")).any().over(list(KEY))
        t_rule = ok & (pl.col("status") == "T") & others
        frame = frame.with_columns(
            pl.when(t_rule)
            .then(
                _text(
                    "status T: injection not paid when another fee-schedule "
                    "service is paid the same day"
                )
            )
            .otherwise(pl.col("_reason"))
            .alias("_reason")
        )
        ok = pl.col("_problem").is_null() & pl.col("_reason").is_null()
        group = pl.when(ok).then(
            pl.col("mult_proc").replace_strict(MPPR_GROUPS, default=None, return_dtype=pl.String)
        )
        frame = frame.with_columns(group.alias("_group"))
        whole = (units % 1000) == 0
        frame = frame.with_columns(
            pl.when(pl.col("_group").is_not_null() & ~whole)
            .then(
                pl.format(
                    "units: must be whole for the multiple procedure rules of {} (got {})",
                    pl.col("procedure"),
                    (units.cast(pl.Float64) / 1000).cast(pl.String),
                )
            )
            .otherwise(pl.col("_problem"))
            .alias("_problem"),
        )
        eligible = pl.col("_problem").is_null() & pl.col("_group").is_not_null()
        frame = frame.with_columns(
            pl.when(eligible).then(pl.col("_group")).alias("_group"),
            n.alias("_n"),
            pl.col("_unit_fee").alias("_first"),
            pl.col("_unit_fee").alias("_other"),
        )
        eligible = pl.col("_group").is_not_null()
        frame = _surgery(frame, eligible)
        frame = _portions(frame, eligible)
        ranked = (
            _factor_chain(pl.col("_first"), post)
            + (pl.col("_n") - 1) * _factor_chain(pl.col("_other"), post)
        )
        allowed = pl.when(eligible).then(ranked).otherwise(plain)
    else:
        allowed = plain
    ok = pl.col("_problem").is_null() & pl.col("_reason").is_null()
    return frame.with_columns(
        pl.when(pl.col("_problem").is_not_null())
        .then(None)
        .when(pl.col("_reason").is_not_null())
        .then(0)
        .otherwise(allowed)
        .alias("_allowed"),
        ok.alias("_payable"),
    )


def rule_columns() -> list[pl.Expr]:
    """The columns that say which rule decided each amount."""
    split = pl.concat_str(
        [pl.when(_has(m)).then(_text(m)) for m in _SPLIT_ORDER], separator="/", ignore_nulls=True
    )
    priced = pl.col("_problem").is_null()
    payable = pl.col("_payable")
    team = (
        pl.when(payable & _has("62"))
        .then(_text("co-surgeon 62.5%"))
        .when(payable & _has("AS"))
        .then(_text("non-physician assistant 85% of 16%"))
        .when(payable & _assistant())
        .then(_text("assistant at surgery 16%"))
    )
    return [
        pl.when(priced).then(pl.col("status")).alias("status"),
        pl.when(priced).then(pl.col("pctc")).alias("pctc"),
        pl.when(priced).then(pl.col("modifier_row")).alias("component"),
        pl.when(payable & _has("50")).then(pl.col("bilateral")).alias("bilateral"),
        pl.col("_group").alias("mppr_group"),
        pl.col("mppr_rank"),
        team.alias("surgical_team"),
        (payable & (pl.col("provider_kind") == _NPP) & ~_has("AS")).alias("non_physician"),
        pl.when(payable & (split != "")).then(split).alias("global_split"),
    ]


def day_of(value: pendulum.Date | None) -> pendulum.Date | None:
    """A date as pendulum's (kept for the public signatures' documentation)."""
    return value


_ZERO: Final = Decimal(0)
