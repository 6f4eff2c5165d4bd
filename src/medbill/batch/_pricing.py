"""Medicare physician fee schedule pricing of a table of claim lines, in scaled integers.

The same rules as :meth:`medbill.fees.MedicareFeeSchedule.price_claim`, from the same rule
tables (:mod:`medbill.fees._modifiers`, :mod:`medbill.fees._mppr`,
:attr:`medbill.codes.PlaceOfService.is_facility`), expressed as Polars column expressions:

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
from functools import cache
from typing import Final

import polars as pl

from medbill._parties import ProviderKind
from medbill.batch._keys import Lines
from medbill.batch._schedule import GROUP_CODES, PreparedSchedule
from medbill.batch._segments import (
    LIMIT,
    extent,
    first_max,
    first_of,
    runs,
    seg_sum,
    segments,
    starts,
)
from medbill.batch._tables import ENGINE, round_div, scaled
from medbill.codes._pos import PLACES_OF_SERVICE
from medbill.fees._global_surgery import GLOBAL_SURGERY_SHARES, SPLIT_MODIFIERS
from medbill.fees._modifiers import (
    AS_NON_PHYSICIAN_ASSISTANT,
    ASSISTANT_AT_SURGERY,
    ASSISTANT_MODIFIERS,
    ASSISTANT_NOT_PAID,
    CO_SURGEON,
    NON_PHYSICIAN_PRACTITIONER,
    PCTC_MEANINGS,
    STATUS_MEANINGS,
)
from medbill.fees._mppr import COMPONENT_REDUCTIONS, SUBSEQUENT_SURGERY

__all__ = ["MODIFIER_COLUMNS", "RULE_COLUMNS", "medicare_prices", "normalise_lines"]

MODIFIER_COLUMNS: Final = ("modifier_1", "modifier_2", "modifier_3", "modifier_4")
KEY: Final = ("claim_id", "service_date")
_ONE: Final = Decimal(1)
_FACILITY: Final = sorted(code for code, info in PLACES_OF_SERVICE.items() if info.facility)
_PLACES: Final = sorted(PLACES_OF_SERVICE)
_NPP: Final = ProviderKind.NON_PHYSICIAN_PRACTITIONER.value
_KINDS: Final = sorted(kind.value for kind in ProviderKind)
_SPLIT_ORDER: Final = SPLIT_MODIFIERS


_MODIFIER_BITS: Final = {
    m: 1 << n
    for n, m in enumerate(
        ("26", "TC", "53", "50", "62", "66", *sorted(ASSISTANT_MODIFIERS), "AS", *SPLIT_MODIFIERS)
    )
}
"""The modifiers the fee schedule rules read, as bits of one integer column ``_mods``."""


def _has(modifier: str) -> pl.Expr:
    return (pl.col("_mods") & _MODIFIER_BITS[modifier]) != 0


def _has_any(modifiers: Sequence[str]) -> pl.Expr:
    mask = 0
    for modifier in modifiers:
        mask |= _MODIFIER_BITS[modifier]
    return (pl.col("_mods") & mask) != 0


def _nulls(name: str, height: int, dtype: pl.DataType | type[pl.DataType]) -> pl.Series:
    """A column of ``height`` nulls (built in Polars, not from a Python list)."""
    return pl.Series(name, [], dtype=dtype).extend_constant(None, height)


def _text(value: str) -> pl.Expr:
    return pl.lit(value, dtype=pl.String)


def normalise_lines(frame: pl.LazyFrame, columns: Sequence[str]) -> pl.LazyFrame:
    """Upper-case codes, empty modifiers for missing ones, the modifiers as bits
    (``_mods``), the locality key zero-padded as CMS prints it."""
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
    bits: pl.Expr = pl.lit(0, dtype=pl.Int64)
    for column in MODIFIER_COLUMNS:
        bits = bits | pl.col(column).replace_strict(
            _MODIFIER_BITS, default=0, return_dtype=pl.Int64
        )
    return frame.with_columns(
        *mods,
        pl.col("procedure").cast(pl.String).str.strip_chars().str.to_uppercase(),
        pl.col("place_of_service").cast(pl.String).str.strip_chars(),
        kind.alias("provider_kind"),
        pl.when(locality_ok).then(locality).otherwise(None).alias("_locality"),
        locality_ok.alias("_locality_ok"),
    ).with_columns(bits.alias("_mods"))


def _factor_chain(amount: pl.Expr, steps: Sequence[tuple[pl.Expr, pl.Expr | int, int]]) -> pl.Expr:
    """Apply each (condition, numerator, denominator) percentage with its own rounding."""
    for condition, numerator, denominator in steps:
        amount = (
            pl.when(condition).then(round_div(amount * numerator, denominator)).otherwise(amount)
        )
    return amount


def _fee(prepared: PreparedSchedule, prefix: str) -> pl.Expr:
    return round_div(_exact(prefix), prepared.cent_divisor)


def _exact(prefix: str) -> pl.Expr:
    """The unrounded fee of the row (or its ``prefix`` component row), in scaled units."""
    pe = (
        pl.when(pl.col("_facility"))
        .then(pl.col(f"{prefix}pe_facility"))
        .otherwise(pl.col(f"{prefix}pe_nonfacility"))
    )
    return (
        pl.col(f"{prefix}work") * pl.col("gpci_work")
        + pe * pl.col("gpci_pe")
        + pl.col(f"{prefix}mp") * pl.col("gpci_mp")
    ) * pl.col("_cf")


def _conversion_factor(prepared: PreparedSchedule, day: pl.Expr, qualifying_apm: bool) -> pl.Expr:
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
    frame = frame.with_columns(
        component.alias("_lookup"), _release(prepared, pl.col("_day")).alias("_release")
    )
    # the signatures are few, the file's rows many: look each up in the schedule's index
    keyed = frame.collect(engine=ENGINE)
    positions = prepared.row_positions()
    found = pl.Series(
        "_position",
        [
            positions.get(key)
            for key in zip(
                keyed["_release"].to_list(),
                keyed["procedure"].to_list(),
                keyed["_lookup"].to_list(),
                strict=True,
            )
        ],
        dtype=pl.UInt32,
    )
    picked = prepared.rows.drop("_release", "procedure", "lookup")[found]
    frame = (
        pl.concat([keyed, picked], how="horizontal")
        .lazy()
        .join(
            prepared.gpcis.lazy(),
            left_on=["_release", "_locality"],
            right_on=["_release", "locality"],
            how="left",
            maintain_order="left",
            coalesce=True,
        )
    )
    return frame.with_columns(
        pl.col("place_of_service").is_in(_FACILITY).alias("_facility"),
        _conversion_factor(prepared, pl.col("_day"), qualifying_apm).alias("_cf"),
    )


def _release(prepared: PreparedSchedule, day: pl.Expr) -> pl.Expr:
    """The position of the release in force on ``day`` (null when none is): the date as
    an integer day number, within each release's first and last day."""
    number = day.cast(pl.Int32)
    result: pl.Expr = pl.lit(None, dtype=pl.Int32)
    for index, first, last in reversed(prepared.periods):
        condition: pl.Expr = pl.lit(True)
        if first is not None:
            condition = number >= first
        if last is not None:
            condition = condition & (number <= last)
        result = pl.when(condition).then(pl.lit(index, dtype=pl.Int32)).otherwise(result)
    return result


Coded = list[tuple[pl.Expr, pl.Expr]]
"""(condition, message) pairs: the first true condition's message applies."""


@cache
def _early_problems(release_names: str = "") -> Coded:
    code = pl.col("procedure")
    component = pl.col("_lookup")
    return [
        (
            ~(pl.col("_units_milli") > 0).fill_null(False),
            pl.format("units: must be a positive number (got {})", pl.col("_units_milli") / 1000),
        ),
        (
            ~pl.col("place_of_service").is_in(_PLACES).fill_null(False),
            pl.format(
                "place_of_service: is not an assigned CMS place-of-service code (got {})",
                pl.col("place_of_service"),
            ),
        ),
        (
            ~pl.col("_locality_ok"),
            pl.format("locality: must look like '13202-01' (got {})", pl.col("locality")),
        ),
        (
            ~pl.col("provider_kind").is_in(_KINDS),
            pl.format("provider_kind: unknown (got {})", pl.col("provider_kind")),
        ),
        (
            pl.col("service_date").is_null(),
            _text("service_date: must be a date (got None)"),
        ),
        (
            pl.col("_release").is_null(),
            pl.format(
                "service_date: no Medicare fee schedule release loaded covers that date "
                "(releases: {}); load that year's release or ask for nearest_release=True "
                "(got {})",
                _text(release_names),
                pl.col("_day"),
            ),
        ),
        (
            pl.col("_charge_bad").is_not_null(),
            pl.format("charge: must be whole cents (got {})", pl.col("_charge_bad")),
        ),
        (
            _has("26") & _has("TC"),
            pl.format(
                "modifiers: 26 (professional) and TC (technical) exclude each other (got {}-26-TC)",
                code,
            ),
        ),
        (
            pl.col("found").is_null(),
            pl.format(
                "code: not in the Medicare relative value file (modifier {}) (got {})",
                pl.when(component == "").then(_text("none")).otherwise(component),
                code,
            ),
        ),
        (
            ~pl.col("found").fill_null(True),
            pl.format(
                "modifiers: modifier {} does not apply to {}: PC/TC indicator {} ({}) (got {}-{})",
                component,
                code,
                pl.col("pctc"),
                pl.col("pctc").replace_strict(PCTC_MEANINGS, default="unknown"),
                code,
                component,
            ),
        ),
    ]


@cache
def _setting_reasons() -> Coded:
    status = pl.col("status")
    na = (
        pl.when(pl.col("_facility")).then(pl.col("facility_na")).otherwise(pl.col("nonfacility_na"))
    )
    return [
        (
            ~pl.col("r_payable"),
            pl.format(
                "status {}: {}", status, status.replace_strict(STATUS_MEANINGS, default="unknown")
            ),
        ),
        (
            na,
            pl.format(
                "PE RVU is NA in the {} setting (place of service {})",
                pl.when(pl.col("_facility"))
                .then(_text("facility"))
                .otherwise(_text("non-facility")),
                pl.col("place_of_service"),
            ),
        ),
    ]


def _split_text(separator: str) -> pl.Expr:
    return pl.concat_str(
        [pl.when(_has(m)).then(_text(m)) for m in _SPLIT_ORDER],
        separator=separator,
        ignore_nulls=True,
    )


@cache
def _late_problems() -> Coded:
    code = pl.col("procedure")
    return [
        (
            pl.col("_cf").is_null(),
            pl.format(
                "service_date: no Medicare conversion factor in force (got {})", pl.col("_day")
            ),
        ),
        (
            pl.col("gpci_work").is_null(),
            pl.format("locality: not in the GPCI file (got {})", pl.col("_locality")),
        ),
        (
            _has("50") & pl.col("r_bilateral_num").is_null(),
            pl.format(
                "modifiers: modifier 50 does not apply to {} (bilateral indicator {}) (got {}-50)",
                code,
                pl.col("bilateral"),
                code,
            ),
        ),
        (
            _has_any(_SPLIT_ORDER) & (pl.col("_split_share") == 0),
            pl.format(
                "modifiers: {} has no pre/intra/post-operative split (global days {}) (got {}-{})",
                code,
                pl.col("global_days"),
                code,
                _split_text("-"),
            ),
        ),
        (
            _has("66"),
            pl.format(
                "modifiers: team surgery (66) is priced by the contractor by report (got {}-66)",
                code,
            ),
        ),
        (
            _has("62") & ~pl.col("r_co_paid") & ~pl.col("r_co_refused"),
            pl.format(
                "modifiers: modifier 62 does not apply to {} (co-surgery indicator {}) (got {}-62)",
                code,
                pl.col("co_surgery"),
                code,
            ),
        ),
    ]


_ASSISTANTS: Final = (*sorted(ASSISTANT_MODIFIERS), "AS")


@cache
def _post_reasons() -> Coded:
    code = pl.col("procedure")
    refusal = pl.coalesce(
        [
            pl.when(pl.col("assistant") == indicator).then(
                pl.format(text.replace("{code}", "{}"), code)
            )
            for indicator, text in ASSISTANT_NOT_PAID.items()
        ]
    )
    return [
        (
            _has("62") & pl.col("r_co_refused"),
            pl.format("co-surgeons not permitted for {} (co-surgery indicator 0)", code),
        ),
        (_has_any(_ASSISTANTS) & pl.col("r_assistant_refused"), refusal),
    ]


_T_RULE: Final = (
    "status T: injection not paid when another fee-schedule service is paid the same day"
)


@cache
def _whole_units_problem() -> Coded:
    return [
        (
            pl.lit(True),
            pl.format(
                "units: must be whole for the multiple procedure rules of {} (got {})",
                pl.col("procedure"),
                (pl.col("_units_milli") / 1000).cast(pl.String),
            ),
        )
    ]


def _code(items: Coded, offset: int) -> pl.Expr:
    """The number (``offset`` + position) of the first true condition, else null."""
    return pl.coalesce(
        [
            pl.when(condition).then(pl.lit(offset + n, dtype=pl.Int16))
            for n, (condition, _) in enumerate(items)
        ]
    )


def _message_text(column: str, families: Sequence[Coded]) -> pl.Expr:
    """The message of the coded column ``column`` (family ``offset``, item ``n``: code
    ``offset * 100 + n``)."""
    branches: list[pl.Expr] = []
    for offset, items in enumerate(families):
        for n, (_, message) in enumerate(items):
            branches.append(pl.when(pl.col(column) == offset * 100 + n).then(message))
    return pl.coalesce(branches).alias(column)


@cache
def _problem_text(release_names: str) -> pl.Expr:
    return _message_text("_problem_code", (_early_problems(release_names), _late_problems()))


@cache
def _reason_text() -> pl.Expr:
    return _message_text("_reason_code", (_setting_reasons(), _post_reasons()))


def _messages(frame: pl.DataFrame, column: str, text: pl.Expr) -> pl.Series:
    """Render the messages of the coded column ``column`` (``text``, see
    :func:`_message_text`), only where it is set."""
    codes = frame[column]
    result = _nulls(column, frame.height, pl.String)
    if codes.null_count() == frame.height:
        return result
    where = codes.is_not_null().arg_true()
    subset = frame[where]
    return result.scatter(where, subset.select(text).to_series())


def _post_steps(prepared: PreparedSchedule) -> list[tuple[pl.Expr, pl.Expr | int, int]]:
    return _steps(prepared.split_scale)


@cache
def _steps(split_scale: int) -> list[tuple[pl.Expr, pl.Expr | int, int]]:
    """The modifiers' percentages (see :func:`_post_steps`), built once per split scale."""
    co_num, co_den = scaled(CO_SURGEON)
    asst_num, asst_den = scaled(ASSISTANT_AT_SURGERY)
    as_num, as_den = scaled(AS_NON_PHYSICIAN_ASSISTANT)
    npp_num, npp_den = scaled(NON_PHYSICIAN_PRACTITIONER)
    return [
        (_has_any(_SPLIT_ORDER), pl.col("_split_share"), 10**split_scale),
        (_has("62"), co_num, co_den),
        (_has_any(_ASSISTANTS), asst_num, asst_den),
        (_has("AS"), as_num, as_den),
        (pl.col("_npp") & ~_has("AS"), npp_num, npp_den),
    ]


def _split_share() -> pl.Expr:
    """The split-care share of :data:`GLOBAL_SURGERY_SHARES` (each share counted once; 55
    is not prorated: :meth:`MedicareFeeSchedule.price_claim` has no days of care)."""
    total: pl.Expr = pl.lit(0, dtype=pl.Int64)
    for field in ("pre_op", "intra_op", "post_op"):
        paid_by = [m for m in SPLIT_MODIFIERS if field in GLOBAL_SURGERY_SHARES[m]]
        if paid_by:
            total = total + pl.when(_has_any(paid_by)).then(pl.col(field)).otherwise(0)
    return total


def _line_fees(prepared: PreparedSchedule, frame: pl.LazyFrame) -> pl.LazyFrame:
    """Per-line amounts before the claim-level rules: fee, bilateral, components.

    ``_exact``, ``_pc``, ``_tc`` and ``_pe_exact`` are unrounded (scaled units, see
    :attr:`PreparedSchedule.cent_divisor`): the component reductions work on them and
    round once (:mod:`medbill.fees._rvu`'s rounding convention, rule 2). After a bilateral
    percentage the fee is rounded, and that rounded fee is what a reduction starts from.
    """
    base = pl.col("_base")
    numerator, denominator = pl.col("r_bilateral_num"), pl.col("r_bilateral_den")
    bilateral = _has("50") & (numerator != denominator)
    unit_fee = (
        pl.when(bilateral)
        .then((base * numerator + denominator // 2) // denominator)
        .otherwise(base)
    )
    pe = (
        pl.when(pl.col("_facility")).then(pl.col("pe_facility")).otherwise(pl.col("pe_nonfacility"))
    )
    frame = frame.with_columns(
        _exact("").alias("_base_exact"),
        (pe * pl.col("gpci_pe") * pl.col("_cf")).alias("_pe_exact"),
        _split_share().alias("_split_share"),
        (pl.col("provider_kind") == _NPP).alias("_npp"),
    ).with_columns(round_div(pl.col("_base_exact"), prepared.cent_divisor).alias("_base"))
    frame = frame.with_columns(unit_fee.alias("_unit_fee")).with_columns(
        pl.when(bilateral)
        .then(pl.col("_unit_fee") * prepared.cent_divisor)
        .otherwise(pl.col("_base_exact"))
        .alias("_exact")
    )
    whole = pl.col("_base_exact")
    components = pl.col("r_components")
    row_mod = pl.col("modifier_row")
    pc = (
        pl.when(~components)
        .then(0)
        .when(row_mod == "26")
        .then(whole)
        .when(row_mod == "TC")
        .then(0)
        .when(pl.col("components"))
        .then(_exact("pc_"))
        .when(pl.col("pctc") == "2")
        .then(whole)
        .otherwise(0)
    )
    tc = (
        pl.when(~components)
        .then(0)
        .when(row_mod == "26")
        .then(0)
        .when(row_mod == "TC")
        .then(whole)
        .when(pl.col("components"))
        .then(_exact("tc_"))
        .when(pl.col("pctc") == "3")
        .then(whole)
        .otherwise(0)
    )
    endo = pl.when(pl.col("r_endoscopy") & pl.col("endo_found")).then(_fee(prepared, "endo_"))
    return frame.with_columns(pc.alias("_pc"), tc.alias("_tc"), endo.alias("_endo_fee"))


_SURGERY: Final = GROUP_CODES["surgery"]
_GROUP_NAMES: Final = {code: name for name, code in GROUP_CODES.items()}
_PORTION_COLUMNS: Final = {"tc": "_tc", "pc": "_pc", "pe": "_pe_exact"}
_T_REASON: Final = 200
_WHOLE_UNITS: Final = 200


def _ranks(column: str) -> pl.Expr:
    """The dense rank (1, 2, ...) of a positive per-signature amount, 0 where it is not
    positive: the ranking compares amounts only for equality and order."""
    amount = pl.col(column)
    return (
        pl.when(amount > 0)
        .then(amount)
        .rank("dense")
        .fill_null(0)
        .cast(pl.Int64)
        .alias(f"{column}_rank")
    )


def _rank_inputs(sig: pl.DataFrame) -> pl.DataFrame:
    """The per-signature columns the ranking reads (ranks of the amounts it compares)."""
    return sig.with_columns(_ranks("_unit_fee"), *(_ranks(c) for c in _PORTION_COLUMNS.values()))


def _claim_rules(
    rows: pl.DataFrame, sig: pl.DataFrame, prepared: PreparedSchedule
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Status T and the multiple procedure rules among the lines of each claim and date.

    Returns (``changed``, ``ranked``): the lines whose problem or reason code the rules
    set (``_row``, ``_problem_code``, ``_reason_code``), and the lines ranked in a group
    (``_row``, ``_group``, ``mppr_rank``, ``_ranked``: the amount for all units in cents,
    after the modifiers' percentages). Only the lines the rules read are gathered: every
    priced line for status T (when a line has it), else the grouped lines; their windows
    are linear passes over runs of the claim and date (:mod:`medbill.batch._segments`).
    """
    index = rows["_sig"]
    ok = sig["_problem_code"].is_null() & sig["_reason_code"].is_null()
    status_t = ok & sig["r_status_t"].fill_null(False)
    grouped = ok & (sig["r_group"].fill_null(0) > 0)
    changed = pl.DataFrame(
        schema={"_row": pl.UInt32, "_problem_code": pl.Int16, "_reason_code": pl.Int16}
    )
    ranked = pl.DataFrame(
        schema={"_row": pl.UInt32, "_group": pl.Int8, "mppr_rank": pl.Int8, "_ranked": pl.Int64}
    )
    if not (status_t.any() or grouped.any()):
        return changed, ranked
    any_t = bool(status_t.any()) and bool(status_t.gather(index).any())
    wanted = (ok if any_t else grouped).gather(index)
    if not wanted.any():
        return changed, ranked
    narrow = pl.DataFrame(
        {
            "_row": pl.int_range(0, rows.height, dtype=pl.UInt32, eager=True),
            "_sig": index,
            "_units_milli": rows["_units_milli"],
            "claim_id": rows["claim_id"],
            "service_date": rows["service_date"],
        }
    ).filter(wanted)
    narrow = _claim_days(narrow, windows=any_t)
    narrow = narrow.with_columns(
        sig["r_group"].fill_null(0).gather(narrow["_sig"]).alias("_group"),
        status_t.gather(narrow["_sig"]).alias("_t"),
    )
    t_rule: pl.Expr = pl.lit(False)
    if any_t:
        narrow = narrow.with_columns(
            (pl.col("_t") & (seg_sum((~pl.col("_t")).cast(pl.Int64)) > 0)).alias("_t_rule")
        )
        t_rule = pl.col("_t_rule")
    in_group = (pl.col("_group") > 0) & ~t_rule
    whole = pl.col("_units_milli") % 1000 == 0
    # two queries of the same (collected) lines, evaluated together
    changed, eligible = pl.collect_all(
        [
            narrow.lazy()
            .filter(t_rule | (in_group & ~whole))
            .select(
                "_row",
                pl.when(in_group & ~whole)
                .then(pl.lit(_WHOLE_UNITS, dtype=pl.Int16))
                .alias("_problem_code"),
                pl.when(t_rule).then(pl.lit(_T_REASON, dtype=pl.Int16)).alias("_reason_code"),
            ),
            narrow.lazy()
            .filter(in_group & whole)
            .select(
                "_row",
                "_sig",
                "_group",
                (pl.col("_units_milli") // 1000).alias("_n"),
                pl.col("_seg").alias("_key"),
            ),
        ],
        engine=ENGINE,
    )
    if eligible.height == 0:
        return changed, ranked
    inputs = _rank_inputs(sig)
    parts = []
    present = eligible["_group"].unique().sort().to_list()
    # each group's lines with their runs: one query per group, evaluated together
    split = pl.collect_all(
        [
            (
                eligible.lazy()
                if len(present) == 1
                else eligible.lazy().filter(pl.col("_group") == code)
            )
            .with_columns(runs("_key"))
            .with_columns(segments())
            for code in present
        ],
        engine=ENGINE,
    )
    for code, part in zip(present, split, strict=True):
        if code == _SURGERY:
            part = _surgery(part, inputs)
        else:
            part = _portions(part, inputs, code, prepared)
        parts.append(part.select("_row", "_sig", "_group", "_n", "_first", "_other", "mppr_rank"))
    frame = pl.concat(parts)
    # the modifiers' percentages, each rounded: per signature, (1, 1) where one does not apply
    used = [
        n
        for n in range(len(_post_steps(prepared)))
        if (sig[f"_step{n}_den"] != 1).any() or (sig[f"_step{n}_num"] != 1).any()
    ]
    if used:
        # only the lines of a signature with a percentage ((1, 1) leaves an amount as it is)
        factors = [f"_step{n}_{part}" for n in used for part in ("num", "den")]
        stepped = sig.select(
            pl.any_horizontal(
                (pl.col(f"_step{n}_num") != 1) | (pl.col(f"_step{n}_den") != 1) for n in used
            ).fill_null(True)
        ).to_series()
        where = stepped.gather(frame["_sig"]).arg_true()
        if where.len():
            chained = frame.select("_first", "_other")[where].hstack(
                sig.select(factors)[frame["_sig"].gather(where)].get_columns()
            )
            first, other = pl.col("_first"), pl.col("_other")
            for n in used:
                numerator, denominator = pl.col(f"_step{n}_num"), pl.col(f"_step{n}_den")
                first = (first * numerator + denominator // 2) // denominator
                other = (other * numerator + denominator // 2) // denominator
            chained = chained.select(first, other)
            frame = frame.with_columns(
                frame["_first"].scatter(where, chained["_first"]),
                frame["_other"].scatter(where, chained["_other"]),
            )
    amount = pl.col("_first") + (pl.col("_n") - 1) * pl.col("_other")
    ranked = frame.select(
        "_row",
        pl.col("_group").cast(pl.Int8),
        pl.col("mppr_rank").cast(pl.Int8),
        amount.alias("_ranked"),
    )
    return changed, ranked


def _claim_days(narrow: pl.DataFrame, *, windows: bool) -> pl.DataFrame:
    """The lines with runs of each claim and date of service (``_start``, ``_seg`` and,
    for the windows of :mod:`medbill.batch._segments` (``windows``), ``_end``,
    ``_first_row`` and ``_last_row``): in the table's order when its lines of one claim
    and date are together already, else sorted by claim and date (stably)."""
    keyed = narrow.with_columns(starts("claim_id", "service_date"))
    firsts = keyed.filter(pl.col("_start")).select(pl.struct("claim_id", "service_date").hash())
    # distinct hashes imply distinct runs; a shared hash (rarely a collision) sorts, still exact
    if firsts.to_series().n_unique() != firsts.height:
        keyed = narrow.sort(
            "claim_id", "service_date", maintain_order=True, nulls_last=True
        ).with_columns(starts("claim_id", "service_date"))
    if windows:
        return keyed.with_columns(runs("claim_id", "service_date")).with_columns(segments())
    return keyed.with_columns((pl.col("_start").cast(pl.Int64).cum_sum() - 1).alias("_seg"))


_SURGERY_INPUTS: Final = (
    "_unit_fee", "_unit_fee_rank", "_base", "_endo_fee", "r_endoscopy", "_base_id", "_proc_id",
)  # fmt: skip


def _surgery(part: pl.DataFrame, sig: pl.DataFrame) -> pl.DataFrame:
    """Multiple surgery with endoscopy families (Pub. 100-04 Ch. 12 s. 40.6, 40.6.2), over
    runs of one claim and date (``_key``): adds ``_first``, ``_other`` (cents of the first
    and of each other unit) and ``mppr_rank``.

    A family is the endoscopies of one base code on the claim and date, with the base code
    itself when it is billed (without a component modifier): it counts as one procedure,
    the base's fee once. The highest value (a family's total, a line's fee) is paid in
    full, the first of equal ones by position; every other procedure at 50 %."""
    frame = pl.concat(
        [
            part,
            sig.select(*_SURGERY_INPUTS, (pl.col("modifier_row") == "").alias("_plain"))[
                part["_sig"]
            ],
        ],
        how="horizontal",
    )
    fee, row = pl.col("_unit_fee"), pl.col("_row")
    codes = (
        int(
            sig.select(pl.max_horizontal(pl.col("_proc_id").max(), pl.col("_base_id").max())).item()
        )
        + 1
    )
    endoscopies = frame.select("_key", "_base_id").filter(
        frame["r_endoscopy"] & frame["_base_id"].is_not_null()
    )
    own = pl.when(pl.col("_endo_fee").is_not_null()).then(pl.col("_base_id"))
    family: pl.Expr = own
    if endoscopies.height:
        keys = int(frame["_key"].max()) + 1  # type: ignore[arg-type]
        if keys * codes < LIMIT:
            bases = endoscopies.select(pl.col("_key") * codes + pl.col("_base_id")).to_series()
            is_base = (pl.col("_key") * codes + pl.col("_proc_id")).is_in(bases.unique())
        else:
            pairs = endoscopies.select(pl.struct("_key", pl.col("_base_id").alias("_proc_id")))
            is_base = pl.struct("_key", "_proc_id").is_in(pairs.to_series().unique())
        family = own.when(is_base & pl.col("_plain")).then(pl.col("_proc_id"))
    frame = frame.with_columns(
        family.alias("_fam"),
        fee.alias("_fam_first"),
        fee.alias("_fam_other"),
        fee.alias("_value"),
        row.alias("_block"),
    )
    is_family = pl.col("_fam").is_not_null()
    has_families = frame["_fam"].null_count() < frame.height
    if has_families:
        frame = _families(frame.with_row_index("_pos"), sig, codes).drop("_pos")
    count, width = extent(frame)
    block = pl.col("_block")
    # the top is the first of the highest values, a line before a family of equal value:
    # the first row of each run at the highest ``2 * value + (not a family)``
    order = pl.col("_value") * 2 + (~is_family).cast(pl.Int64)
    bound = 2 * int(frame["_value"].max()) + 2  # type: ignore[arg-type]
    lazy = frame.lazy().with_columns(first_max(order, bound, count, width).alias("_top_row"))
    if has_families:  # the top line's family
        top = block == block.gather(pl.col("_top_row"))
    else:  # every line is its own block
        top = pl.int_range(pl.len(), dtype=pl.Int64) == pl.col("_top_row")
    num, den = scaled(SUBSEQUENT_SURGERY)
    first, other = pl.col("_fam_first"), pl.col("_fam_other")
    return lazy.with_columns(
        pl.when(top).then(first).otherwise(round_div(first * num, den)).alias("_first"),
        # a family counts as one procedure; a line's other units are later procedures
        pl.when(top & is_family).then(other).otherwise(round_div(other * num, den)).alias("_other"),
        pl.when(top).then(1).otherwise(2).cast(pl.Int8).alias("mppr_rank"),
    ).collect(engine=ENGINE)


def _families(frame: pl.DataFrame, sig: pl.DataFrame, codes: int) -> pl.DataFrame:
    """Each family's first and other unit amounts, total (``_value``) and first line
    (``_block``), set on its lines of ``frame`` (by ``_pos``; ``codes``: more than any
    ``_fam``)."""
    fee, n = pl.col("_unit_fee"), pl.col("_n")
    # the columns read, then the members (filtering the frame's every column costs more)
    members = frame.select(
        "_pos", "_row", "_key", "_fam", "_n", "_unit_fee", "_unit_fee_rank", "_base", "_endo_fee"
    ).filter(pl.col("_fam").is_not_null())  # fmt: skip
    keys = int(frame["_key"].max()) + 1  # type: ignore[arg-type]
    if keys * codes < LIMIT:  # one integer key sorts faster than two columns
        members = members.with_columns(
            (pl.col("_key") * codes + pl.col("_fam")).alias("_family")
        ).sort("_family", maintain_order=True)
        members = members.with_columns(runs("_family"))
    else:
        members = members.sort("_key", "_fam", maintain_order=True)
        members = members.with_columns(runs("_key", "_fam"))
    members = members.with_columns(segments())
    count, width = extent(members)
    bound = int(sig["_unit_fee_rank"].max()) + 1  # type: ignore[arg-type]
    rank = pl.col("_unit_fee_rank")
    index = pl.int_range(pl.len(), dtype=pl.Int64)
    members = members.with_columns(
        (seg_sum(n) >= 2).alias("_several"),
        (index == first_max(rank, bound, count, width)).alias("_top"),
    )
    base_fee = (
        pl.when(pl.col("_endo_fee").is_not_null())
        .then(pl.col("_endo_fee"))
        .otherwise(pl.col("_base"))
    )
    reduced = pl.max_horizontal(fee - base_fee, pl.lit(0, dtype=pl.Int64))
    several = pl.col("_several")
    members = members.with_columns(
        pl.when(several & ~pl.col("_top")).then(reduced).otherwise(fee).alias("_fam_first"),
        pl.when(several).then(reduced).otherwise(fee).alias("_fam_other"),
    ).with_columns(
        seg_sum(pl.col("_fam_first") + (n - 1) * pl.col("_fam_other")).alias("_value"),
        first_of(pl.col("_row").cast(pl.Int64)).alias("_block"),
    )
    where = members["_pos"]
    return frame.with_columns(
        frame[name].scatter(where, members[name])
        for name in ("_fam_first", "_fam_other", "_value", "_block")
    )


def _portions(
    part: pl.DataFrame, sig: pl.DataFrame, code: int, prepared: PreparedSchedule
) -> pl.DataFrame:
    """Reductions of one component of each later procedure (imaging, cardiovascular and
    ophthalmology technical/professional components, therapy practice expense), from the
    unrounded fee, rounded once (as :func:`medbill.fees._mppr.apply_reductions`), over
    runs of one claim and date: adds ``_first``, ``_other`` and ``mppr_rank``.

    ``_first_x``/``_other_x`` carry the unrounded fee of the first and the other units in
    ``1/reduction_scale`` scaled units, so that every reduction is exact in integers. The
    highest component (the first line of equal ones) keeps its amount when the group has
    two or more units on the claim and date."""
    reductions = COMPONENT_REDUCTIONS.get(_GROUP_NAMES[code], ())
    if not reductions:
        fee = sig["_unit_fee"].gather(part["_sig"])
        return part.with_columns(
            fee.alias("_first"), fee.alias("_other"), pl.lit(None, dtype=pl.Int8).alias("mppr_rank")
        )
    columns = sorted({_PORTION_COLUMNS[attr] for attr, _ in reductions})
    frame = pl.concat(
        [part, sig.select("_exact", *columns, *(f"{c}_rank" for c in columns))[part["_sig"]]],
        how="horizontal",
    )
    count, width = extent(frame)
    scale = prepared.reduction_scale
    n = pl.col("_n")
    index = pl.int_range(pl.len(), dtype=pl.Int64)
    lazy = frame.lazy().with_columns(
        (pl.col("_exact") * scale).alias("_first_x"),
        (pl.col("_exact") * scale).alias("_other_x"),
        pl.lit(None, dtype=pl.Int8).alias("mppr_rank"),
    )
    for position, (attr, factor) in enumerate(reductions):
        num, den = scaled(_ONE - factor)
        column = _PORTION_COLUMNS[attr]
        portion, rank = pl.col(column), pl.col(f"{column}_rank")
        bound = int(sig[f"{column}_rank"].max()) + 1  # type: ignore[arg-type]
        has = rank > 0
        lazy = lazy.with_columns(
            (has & (seg_sum(pl.when(has).then(n).otherwise(0)) >= 2)).alias("_active"),
            (has & (index == first_max(rank, bound, count, width))).alias("_top"),
        )
        active, top = pl.col("_active"), pl.col("_top")
        cut = portion * (num * (scale // den))
        updates = [
            (pl.col("_first_x") - pl.when(active & ~top).then(cut).otherwise(0)).alias("_first_x"),
            (pl.col("_other_x") - pl.when(active).then(cut).otherwise(0)).alias("_other_x"),
        ]
        if position == 0:
            updates.append(
                pl.when(active)
                .then(pl.when(top).then(1).otherwise(2))
                .otherwise(pl.col("mppr_rank"))
                .cast(pl.Int8)
                .alias("mppr_rank")
            )
        lazy = lazy.with_columns(updates)
    divisor = prepared.cent_divisor * scale
    # one query for every step (each was an eager step of its own)
    return lazy.with_columns(
        round_div(pl.col("_first_x"), divisor).alias("_first"),
        round_div(pl.col("_other_x"), divisor).alias("_other"),
    ).collect(engine=ENGINE)


@cache
def _codes() -> tuple[pl.Expr, pl.Expr, pl.Expr, pl.Expr]:
    """The early, setting, late and post codes of a signature (see :func:`_code`)."""
    return (
        _code(_early_problems(), 0),
        _code(_setting_reasons(), 0),
        _code(_late_problems(), 100),
        _code(_post_reasons(), 100),
    )


@cache
def _team() -> pl.Expr:
    return (
        pl.when(_has("62"))
        .then(_text("co-surgeon 62.5%"))
        .when(_has("AS"))
        .then(_text("non-physician assistant 85% of 16%"))
        .when(_has_any(_ASSISTANTS))
        .then(_text("assistant at surgery 16%"))
    )


def _signature_prices(
    prepared: PreparedSchedule,
    sigs: pl.DataFrame,
    *,
    qualifying_apm: bool,
    locality: str | None,
    year: int | None,
    physician: bool,
) -> pl.DataFrame:
    """Every rule of a line but the claim-level ones and its units, per signature."""
    frame = sigs.lazy()
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
    frame = _lookup(prepared, frame, qualifying_apm)
    frame = _line_fees(prepared, frame)
    early, setting, late, post = _codes()
    frame = frame.with_columns(early.alias("_early")).with_columns(
        pl.when(pl.col("_early").is_null()).then(setting).alias("_setting")
    )
    priced = pl.col("_early").is_null() & pl.col("_setting").is_null()
    frame = frame.with_columns(pl.when(priced).then(late).alias("_late")).with_columns(
        pl.coalesce("_early", "_late").alias("_problem_code"),
        pl.coalesce("_setting", pl.when(priced & pl.col("_late").is_null()).then(post)).alias(
            "_reason_code"
        ),
    )
    collected = frame.collect(engine=ENGINE)
    steps = _post_steps(prepared)
    team = _team()
    codes = pl.concat([collected["procedure"], collected["endo_base"]]).unique().drop_nulls()
    numbers = dict(zip(codes.to_list(), range(codes.len()), strict=True))
    return collected.with_columns(
        pl.col("procedure").replace_strict(numbers, return_dtype=pl.Int64).alias("_proc_id"),
        pl.col("endo_base")
        .replace_strict(numbers, default=None, return_dtype=pl.Int64)
        .alias("_base_id"),
        _factor_chain(pl.col("_unit_fee"), steps).alias("_unit_chain"),
        *(
            expr.alias(f"_step{n}_{part}")
            for n, (condition, numerator, denominator) in enumerate(steps)
            for part, expr in (
                ("num", pl.when(condition).then(numerator).otherwise(1).cast(pl.Int64)),
                ("den", pl.when(condition).then(denominator).otherwise(1).cast(pl.Int64)),
            )
        ),
        _messages(collected, "_problem_code", _problem_text(prepared.release_names)).alias(
            "_problem"
        ),
        _messages(collected, "_reason_code", _reason_text()).alias("_reason"),
        pl.when(_has("50")).then(pl.col("bilateral")).alias("_bilateral_applied"),
        team.alias("_team"),
        (pl.col("_npp") & ~_has("AS")).alias("_non_physician"),
        pl.when(_has_any(_SPLIT_ORDER)).then(_split_text("/")).alias("_split"),
        pl.col("_release").is_null().alias("_release_missing"),
    )


def medicare_prices(
    prepared: PreparedSchedule,
    lines: Lines,
    *,
    claim_rules: bool = True,
    qualifying_apm: bool = False,
    locality: str | None = None,
    year: int | None = None,
    physician: bool = False,
    lesser_of_charge: bool = False,
    full: bool = True,
) -> pl.DataFrame:
    """The Medicare price of every line of ``lines``, one row per line in its order.

    ``locality``, ``year`` and ``physician`` price the lines as a percentage-of-Medicare
    contract term does: in the term's locality, on the same days of its year, as a
    physician. The columns: ``_allowed`` (cents; null when the line cannot be priced),
    ``_fee_amount`` (the fee schedule amount before the lesser of the charge),
    ``_lesser_of`` (the charge, lower, was taken: ``lesser_of_charge``, SSA s. 1848(a)(1)),
    ``_payable``, ``_problem``, ``_release_missing`` (no release covers the
    date) and (``full``) ``_reason`` and the rule columns of
    :data:`medbill.batch.PRICE_COLUMNS`.
    """
    sig = _signature_prices(
        prepared,
        lines.sigs,
        qualifying_apm=qualifying_apm,
        locality=locality,
        year=year,
        physician=physician,
    )
    rows = lines.rows
    index = rows["_sig"]
    height = rows.height
    problem_code = _gather(sig["_problem_code"], index)
    reason_code = _gather(sig["_reason_code"], index)
    group = _nulls("_group", height, pl.Int8)
    rank = _nulls("mppr_rank", height, pl.Int8)
    ranked = _nulls("_ranked", height, pl.Int64)
    changed = None
    if claim_rules:
        changed, by_rank = _claim_rules(rows, sig, prepared)
        if by_rank.height:
            where = by_rank["_row"]
            group = group.scatter(where, by_rank["_group"])
            rank = rank.scatter(where, by_rank["mppr_rank"])
            ranked = ranked.scatter(where, by_rank["_ranked"])
        if changed.height:
            where = changed["_row"]
            problem_code = problem_code.scatter(where, changed["_problem_code"])
            reason_code = reason_code.scatter(
                where,
                changed.select(pl.coalesce("_reason_code", reason_code.gather(where))).to_series(),
            )
        else:
            changed = None
    problem, reason = pl.col("_problem_code"), pl.col("_reason_code")
    payable = pl.col("_payable")
    allowed = pl.coalesce(
        pl.col("_ranked"), round_div(pl.col("_unit_chain") * pl.col("_units_milli"), 1000)
    )
    fee_amount = pl.when(problem.is_null()).then(pl.when(payable).then(allowed).otherwise(0))
    fee = pl.col("_fee")
    charge_wins = (payable & (pl.col("_charge") < fee)).fill_null(False)
    amounts = (
        pl.DataFrame(
            [
                sig["_unit_chain"].gather(index),
                problem_code.alias("_problem_code"),
                reason_code.alias("_reason_code"),
                ranked,
                rows["_units_milli"],
                rows["_charge"],
            ]
        )
        .lazy()
        .with_columns((problem.is_null() & reason.is_null()).alias("_payable"))
        .with_columns(fee_amount.alias("_fee"))
    )
    if lesser_of_charge:
        amounts = amounts.with_columns(charge_wins.alias("_lesser_of"))
    else:
        amounts = amounts.with_columns(pl.lit(False).alias("_lesser_of"))
    amounts = amounts.select(
        pl.when(pl.col("_lesser_of")).then(pl.col("_charge")).otherwise(fee).alias("_allowed"),
        pl.when(payable).then(fee).alias("_fee_amount"),
        "_lesser_of",
        "_payable",
    )
    amounts_frame = amounts.collect(engine=ENGINE)  # one query (it was four eager steps)
    # the texts: each signature's, gathered; then the lines the claim rules changed
    texts = sig.select(
        pl.col("_problem"),
        pl.col("_reason"),
        pl.col("_release_missing"),
        *_coded_rule_texts(),
    )
    if not full:
        texts = texts.select("_problem", "_release_missing")
    # a column no signature sets (no problem, no bilateral line, ...) needs no gather
    result = amounts_frame.hstack(_gather_texts(texts, index))
    if full:
        number = group.fill_null(0)
        named = pl.DataFrame(
            [number.alias("_group"), _GROUP_NAME_TEXTS.gather(number).alias("mppr_group")]
        ).select(pl.when(pl.col("_group") > 0).then(pl.col("mppr_group")).alias("mppr_group"))
        result = result.hstack([named["mppr_group"], rank])
    if changed is not None:
        where = changed["_row"]
        picked = sig[index.gather(where)].with_columns(
            problem_code.gather(where).alias("_problem_code"),
            reason_code.gather(where).alias("_reason_code"),
            rows["_units_milli"].gather(where),
        )
        problem_text = pl.when(pl.col("_problem_code") == _WHOLE_UNITS).then(
            _whole_units_problem()[0][1]
        )
        reason_text = pl.when(pl.col("_reason_code") == _T_REASON).then(_text(_T_RULE))
        patch = picked.select(
            problem_text.otherwise(pl.col("_problem")).alias("_problem"),
            reason_text.otherwise(pl.col("_reason")).alias("_reason"),
            *_coded_rule_texts(),
        )
        if not full:
            patch = patch.select("_problem")
        result = result.with_columns(
            result[name].scatter(where, patch[name]) for name in patch.columns
        )
    return result


def _gather(column: pl.Series, index: pl.Series) -> pl.Series:
    """``column`` (one value per signature) for every line; nulls built, not gathered,
    when no signature sets it."""
    if column.null_count() == column.len():
        return _nulls(column.name, index.len(), column.dtype)
    return column.gather(index)


def _gather_texts(texts: pl.DataFrame, index: pl.Series) -> list[pl.Series]:
    """The columns of ``texts`` (one row per signature) for every line (``index``: each
    line's signature). A column no signature sets is nulls, and one that every signature
    sets to one value (no release missing, ...) is that value, built, not gathered; a text or
    flag column with nulls is gathered filled and its nulls set again from a gathered
    flag (Polars gathers text with nulls several times slower than without)."""
    height = index.len()
    empty = [name for name in texts.columns if texts[name].null_count() == texts.height]
    constant = {
        name: texts[name][0]
        for name in texts.columns
        if texts.height and texts[name].null_count() == 0 and texts[name].n_unique() == 1
    }
    built = [*empty, *constant]
    fill = {
        name: ("" if dtype == pl.String else False)
        for name, dtype in texts.schema.items()
        if name not in built and dtype in (pl.String, pl.Boolean) and texts[name].null_count() > 0
    }
    kept = [name for name in texts.columns if name not in built]
    filled = texts.select(
        *(pl.col(name).fill_null(fill[name]) if name in fill else pl.col(name) for name in kept),
        *(pl.col(name).is_not_null().alias(f"_set{n}") for n, name in enumerate(fill)),
    )
    gathered = (
        pl.DataFrame()
        if not kept
        else filled[index].select(
            *(
                pl.when(pl.col(f"_set{list(fill).index(name)}")).then(pl.col(name)).alias(name)
                if name in fill
                else pl.col(name)
                for name in kept
            )
        )
    )
    return [
        pl.repeat(constant[name], height, dtype=texts.schema[name], eager=True).alias(name)
        if name in constant
        else _nulls(name, height, texts.schema[name])
        if name in empty
        else gathered[name]
        for name in texts.columns
    ]


@cache
def _coded_rule_texts() -> list[pl.Expr]:
    """:func:`_rule_texts` of the problem and reason codes."""
    return _rule_texts(
        pl.col("_problem_code").is_null(),
        pl.col("_problem_code").is_null() & pl.col("_reason_code").is_null(),
    )


def _rule_texts(priced: pl.Expr, payable: pl.Expr) -> list[pl.Expr]:
    """The rule columns that a signature decides (see :data:`RULE_COLUMNS`)."""
    return [
        pl.when(priced).then(pl.col("status")).alias("status"),
        pl.when(priced).then(pl.col("pctc")).alias("pctc"),
        pl.when(priced).then(pl.col("modifier_row")).alias("component"),
        pl.when(payable).then(pl.col("_bilateral_applied")).alias("bilateral"),
        pl.when(payable).then(pl.col("_team")).alias("surgical_team"),
        (payable & pl.col("_non_physician")).alias("non_physician"),
        pl.when(payable).then(pl.col("_split")).alias("global_split"),
    ]


_GROUP_NAME_LIST: Final = pl.Series(
    "mppr_group",
    [None, *(name for name, _ in sorted(GROUP_CODES.items(), key=lambda item: item[1]))],
    dtype=pl.String,
)
"""The group names by group number (0: no group)."""
_GROUP_NAME_TEXTS: Final = _GROUP_NAME_LIST.fill_null("")
"""The same, without nulls (gathered, then set null where the number is 0)."""

RULE_COLUMNS: Final = (
    "status",
    "pctc",
    "component",
    "bilateral",
    "mppr_group",
    "mppr_rank",
    "surgical_team",
    "non_physician",
    "global_split",
)
"""The columns of :func:`medicare_prices` that say which rule decided each amount."""
