"""A payer contract's expected allowed amount for a table of lines.

The precedence of :class:`medbill.fees.Contract` (carve-outs, fixed rates, fee schedules,
percentage of Medicare, percentage of billed, then the lesser-of rule), one column
expression per term: a contract has a handful of terms, a table has millions of lines.
"""

from __future__ import annotations

from decimal import Decimal
from typing import cast

import polars as pl

from medbill.batch._keys import Lines
from medbill.batch._pricing import MODIFIER_COLUMNS, medicare_prices
from medbill.batch._schedule import prepare
from medbill.batch._tables import ENGINE, round_div, scaled, to_scaled
from medbill.fees import (
    CarveOut,
    Contract,
    FeeScheduleTerm,
    FixedRate,
    PercentOfBilled,
    PercentOfMedicare,
)
from medbill.fees._contract import CodeRange

__all__ = ["expected_allowed"]


def _in_range(code: pl.Expr, span: CodeRange) -> pl.Expr:
    """:meth:`CodeRange.contains` as an expression (same shape, within the bounds)."""
    first_digit = span.first[0].isdigit()
    last_digit = span.first[-1].isdigit()
    return (
        (code >= span.first)
        & (code <= span.last)
        & (code.str.slice(0, 1).str.contains(r"^\d$") == first_digit)
        & (code.str.slice(-1, 1).str.contains(r"^\d$") == last_digit)
    )


def _narrowest(code: pl.Expr, spans: tuple[CodeRange, ...]) -> tuple[pl.Expr, pl.Expr]:
    """(width, label) of the narrowest range holding the code; nulls when none does."""
    width: pl.Expr = pl.lit(None, dtype=pl.Int64)
    label: pl.Expr = pl.lit(None, dtype=pl.String)
    for span in sorted(spans, key=lambda s: s.width, reverse=True):
        hit = _in_range(code, span)
        width = pl.when(hit).then(pl.lit(span.width, dtype=pl.Int64)).otherwise(width)
        label = pl.when(hit).then(pl.lit(str(span))).otherwise(label)
    return width, label


def _times_units(cents: int, units: pl.Expr) -> pl.Expr:
    return round_div(pl.lit(cents, dtype=pl.Int64) * units, 1000)


def _percent(amount: pl.Expr, rate: Decimal) -> pl.Expr:
    num, den = scaled(rate)
    return round_div(amount * num, den)


def _percent_text(rate: Decimal) -> str:
    return f"{rate:%}"


def _fee_schedule(frame: pl.LazyFrame, term: FeeScheduleTerm, index: int) -> pl.LazyFrame:
    """Join the schedule's entry in force (first modifier's, else the code's own)."""
    rows = []
    for entry in term.schedule.entries:
        rows.append(
            (
                str(entry.code),
                str(entry.modifier or ""),
                entry.valid_from,
                entry.valid_to,
                to_scaled(entry.amount, 2),
            )
        )
    table = pl.DataFrame(
        rows,
        schema={
            "procedure": pl.String,
            "_fs_modifier": pl.String,
            "_from": pl.Date,
            "_to": pl.Date,
            "_fs_cents": pl.Int64,
        },
        orient="row",
    ).lazy()
    found = []
    for name, modifier in (("own", pl.col("modifier_1")), ("plain", pl.lit(""))):
        hits = (
            frame.select("_sigrow", "procedure", "service_date", modifier.alias("_fs_modifier"))
            .join(table, on=["procedure", "_fs_modifier"], how="inner")
            .filter(
                (pl.col("_from") <= pl.col("service_date"))
                & (pl.col("_to").is_null() | (pl.col("service_date") <= pl.col("_to")))
            )
            .select("_sigrow", pl.col("_fs_cents").alias(f"_fs{index}_{name}"))
        )
        found.append(hits)
    for hits in found:
        frame = frame.join(hits, on="_sigrow", how="left", coalesce=True, maintain_order="left")
    return frame.with_columns(
        pl.coalesce(f"_fs{index}_own", f"_fs{index}_plain").alias(f"_fs{index}")
    ).drop(f"_fs{index}_own", f"_fs{index}_plain")


def _medicare_term(
    lines: Lines, term: PercentOfMedicare, index: int, whole_claims: pl.Series | None
) -> pl.DataFrame:
    """The term's Medicare amount: the claim priced with the claim-level rules, or, where
    one line of the claim cannot be priced, each line alone (as the scalar path falls back).

    Gives ``_pm{index}`` (cents, null where the term does not price the line) and
    ``_pm{index}_release``, the problem of a line whose (term year's) date of service no
    release of the term's schedule covers: the scalar path fails such a line rather than
    price it with another year's rates or go on to the next term.
    """
    prepared = prepare(term.schedule)
    locality = str(term.locality)
    sigs = lines.sigs.with_columns(pl.lit(True).alias("_locality_ok"))
    base = Lines(lines.rows, sigs)
    lesser = term.lesser_of_charge
    together = medicare_prices(
        prepared, base, locality=locality, year=term.year, lesser_of_charge=lesser, full=False
    )
    if together["_problem"].null_count() == together.height:
        failed = pl.Series([], dtype=pl.Boolean).extend_constant(False, together.height)
    else:
        failed = (
            pl.DataFrame({"claim_id": lines.rows["claim_id"], "_p": together["_problem"]})
            .select(pl.col("_p").is_not_null().any().over("claim_id"))
            .to_series()
        )
    if whole_claims is not None:
        failed = failed | ~whole_claims
    amount = pl.when(pl.col("_payable")).then(pl.col("_allowed"))
    chosen = together.select(amount.alias(f"_pm{index}")).to_series()
    if failed.any():
        # each line of a claim the term cannot price whole is priced alone
        alone = medicare_prices(
            prepared,
            base,
            locality=locality,
            year=term.year,
            claim_rules=False,
            physician=True,
            lesser_of_charge=lesser,
            full=False,
        ).select(amount)
        chosen = chosen.zip_with(~failed, alone.to_series())
    release = together.select(
        pl.when(pl.col("_release_missing")).then(pl.col("_problem")).alias(f"_pm{index}_release")
    )
    return release.with_columns(chosen.alias(f"_pm{index}"))


def _is_label(name: str) -> bool:
    return name == "_fx_label" or name.startswith("_co")


def expected_allowed(
    lines: Lines, contract: Contract, *, whole_claims: pl.Series | None = None
) -> pl.DataFrame:
    """``_expected`` (cents), ``_term``, ``_lesser`` and ``_contract_problem`` of every line.

    What a term decides from the code, the modifiers and the date (code ranges, fixed
    rates, fee schedule entries, the contract's period) is worked out per signature; the
    amounts per line. ``whole_claims`` (true where the claim's every line is priced by the
    contract) makes percentage-of-Medicare terms price the other lines alone, as
    :func:`medbill.claims.check_payment` does when one line of the claim has no term.
    """
    code = pl.col("procedure")
    units = pl.col("_units_milli")
    billed = pl.col("_charge")
    terms = contract.terms
    sig_frame = lines.sigs.with_row_index("_sigrow").lazy()
    on_sigs: list[pl.Expr] = []
    gathered: list[str] = []
    medicare_parts: list[pl.DataFrame] = []
    # Evaluated from the lowest precedence up, so that each higher one overrides.
    chosen: list[tuple[pl.Expr, pl.Expr, pl.Expr, bool]] = []
    # a line a term fails (rather than passes over) gets its amount null and this problem
    failing: dict[int, pl.Expr] = {}
    carve_outs = [t for t in terms if isinstance(t, CarveOut)]
    for number, carve in enumerate(carve_outs):
        width, span = _narrowest(code, carve.codes)
        name = f"_co{number}"
        on_sigs.append(
            pl.when(width.is_not_null()).then(pl.format("carve-out {}", span)).alias(name)
        )
        gathered.append(name)
        if carve.amount is not None:
            value = _times_units(to_scaled(carve.amount, 2), units)
        else:
            # the carve-out's attrs validator requires an amount or a billed rate
            value = _percent(billed, cast(Decimal, carve.billed_rate))
        chosen.append((pl.col(name).is_not_null(), value, pl.col(name), True))
    fixed = [t for t in terms if isinstance(t, FixedRate)]
    if fixed:
        best_width: pl.Expr = pl.lit(None, dtype=pl.Int64)
        best_value: pl.Expr = pl.lit(None, dtype=pl.Int64)
        best_label: pl.Expr = pl.lit(None, dtype=pl.String)
        for rate in fixed:
            width, span = _narrowest(code, rate.codes)
            if rate.modifier is not None:
                mod = rate.modifier.upper()
                allowed = pl.any_horizontal([pl.col(c) == mod for c in MODIFIER_COLUMNS])
                width = pl.when(allowed).then(width)
            better = width.is_not_null() & (best_width.is_null() | (width < best_width))
            suffix = f"-{rate.modifier}" if rate.modifier else ""
            best_value = (
                pl.when(better)
                .then(pl.lit(to_scaled(rate.amount, 2), dtype=pl.Int64))
                .otherwise(best_value)
            )
            best_label = (
                pl.when(better)
                .then(pl.format("fixed rate {}" + suffix, span))
                .otherwise(best_label)
            )
            best_width = pl.when(better).then(width).otherwise(best_width)
        on_sigs += [best_value.alias("_fx"), best_label.alias("_fx_label")]
        gathered += ["_fx", "_fx_label"]
        chosen.append(
            (
                pl.col("_fx_label").is_not_null(),
                round_div(pl.col("_fx") * units, 1000),
                pl.col("_fx_label"),
                False,
            )
        )
    # as Contract prices a line: every fee schedule term, then every percentage of Medicare
    ordered: list[tuple[int, FeeScheduleTerm | PercentOfMedicare]] = [
        (i, t) for i, t in enumerate(terms) if isinstance(t, FeeScheduleTerm)
    ]
    ordered += [(i, t) for i, t in enumerate(terms) if isinstance(t, PercentOfMedicare)]
    for index, term in ordered:
        if isinstance(term, FeeScheduleTerm):
            sig_frame = _fee_schedule(sig_frame, term, index)
            gathered.append(f"_fs{index}")
            fee = pl.col(f"_fs{index}")
            value = round_div(fee * units * scaled(term.rate)[0], 1000 * scaled(term.rate)[1])
            chosen.append(
                (fee.is_not_null(), value, pl.lit(f"fee schedule {term.schedule.name}"), False)
            )
        elif isinstance(term, PercentOfMedicare):
            medicare_parts.append(_medicare_term(lines, term, index, whole_claims))
            medicare = pl.col(f"_pm{index}")
            year = f" {term.year}" if term.year else ""
            release_problem = pl.col(f"_pm{index}_release")
            # no release for the date: the line fails here (never the next term)
            failing[len(chosen)] = release_problem
            chosen.append(
                (release_problem.is_not_null(), pl.lit(None, dtype=pl.Int64), pl.lit(None), False)
            )
            chosen.append(
                (
                    medicare.is_not_null(),
                    _percent(medicare, term.rate),
                    pl.lit(f"{_percent_text(term.rate)} of Medicare{year}"),
                    False,
                )
            )
    billed_terms = [t for t in terms if isinstance(t, PercentOfBilled)]
    if billed_terms:
        first = billed_terms[0]
        chosen.append(
            (
                billed.is_not_null(),
                _percent(billed, first.rate),
                pl.lit(f"{_percent_text(first.rate)} of billed"),
                False,
            )
        )
    period = contract.effective
    day = pl.col("service_date")
    in_force = day >= pl.lit(period.start, dtype=pl.Date)
    if period.end is not None:
        in_force = in_force & (day <= pl.lit(period.end, dtype=pl.Date))
    on_sigs.append(in_force.alias("_in_force"))
    gathered.append("_in_force")
    sigs = sig_frame.with_columns(on_sigs).collect(engine=ENGINE).select(gathered)
    rows = lines.rows
    # the lines read the labels only for whether they are set: gathered as flags (null
    # where the label is), not as text
    labels_only = [name for name in gathered if _is_label(name)]
    flags = sigs.with_columns(
        pl.when(pl.col(name).is_not_null()).then(True).alias(name) for name in labels_only
    )
    frame = pl.concat(
        [
            rows.select("_units_milli", "_charge", "_sig"),
            flags[rows["_sig"]],
            *medicare_parts,
        ],
        how="horizontal",
    )
    # the term of each line as its position in ``chosen`` (len(chosen): none)
    none = len(chosen)
    position: pl.Expr = pl.lit(none, dtype=pl.Int64)
    for number in reversed(range(len(chosen))):
        condition = chosen[number][0]
        position = pl.when(condition).then(pl.lit(number, dtype=pl.Int64)).otherwise(position)
    frame = frame.with_columns(position.alias("_position"))
    at = pl.col("_position")
    amount: pl.Expr = pl.lit(None, dtype=pl.Int64)
    for number in reversed(range(len(chosen))):
        amount = pl.when(at == number).then(chosen[number][1]).otherwise(amount)
    failure: pl.Expr = pl.lit(None, dtype=pl.String)
    for number, problem in failing.items():
        failure = pl.when(at == number).then(problem).otherwise(failure)
    exempt = at.is_in([n for n, (_, _, _, is_exempt) in enumerate(chosen) if is_exempt])
    frame = frame.with_columns(
        amount.alias("_contracted"), exempt.alias("_exempt"), failure.alias("_failure")
    )
    forced = pl.col("_in_force")
    lesser = (
        pl.lit(contract.lesser_of_billed) & ~pl.col("_exempt") & (billed < pl.col("_contracted"))
    ).fill_null(False)
    frame = frame.with_columns(lesser.alias("_lesser_billed"))
    lesser = pl.col("_lesser_billed")
    # the term's text per signature, position and lesser-of (a small table), then gathered
    count = sigs.height
    term_texts = []
    for number in range(none + 1):
        text = chosen[number][2] if number < none else pl.lit(None, dtype=pl.String)
        base = pl.when(forced).then(text.cast(pl.String))
        term_texts.append(sigs.select(base.alias("_term")))
        term_texts.append(sigs.select((base + ", lesser of billed").alias("_term")))
    labels = pl.concat(term_texts, rechunk=True)["_term"]
    which = (at * 2 + lesser.cast(pl.Int64)) * count + pl.col("_sig").cast(pl.Int64)
    result = frame.select(
        pl.when(~forced)
        .then(None)
        .when(lesser)
        .then(billed)
        .otherwise(pl.col("_contracted"))
        .alias("_expected"),
        which.alias("_label"),
        (lesser & forced).alias("_lesser"),
        pl.when(~forced).then(None).otherwise(pl.col("_failure")).alias("_contract_problem"),
    )
    result = result.select(
        "_expected",
        labels.gather(result["_label"]).alias("_term"),
        "_lesser",
        "_contract_problem",
    )
    # the messages naming the line, only where a line has one
    not_in_force = (~forced).fill_null(False)
    flags = frame.select(
        not_in_force.alias("_out"),
        (not_in_force | (pl.col("_failure").is_null() & pl.col("_contracted").is_null())).alias(
            "_missing"
        ),
    )
    if flags["_missing"].any():
        where = flags["_missing"].arg_true()
        texts = (
            pl.DataFrame(
                {
                    "_out": flags["_out"].gather(where),
                    "line_id": rows["line_id"].gather(where).cast(pl.String),
                    "procedure": lines.sigs["procedure"].gather(rows["_sig"].gather(where)),
                    "service_date": rows["service_date"].gather(where),
                }
            )
            .select(
                pl.when(pl.col("_out"))
                .then(
                    pl.format(
                        "service_date: contract {} is not in force on that date (got {})",
                        pl.lit(repr(contract.name)),
                        day,
                    )
                )
                .otherwise(
                    pl.format(
                        "code: no term of contract {} prices line {} (got {})",
                        pl.lit(repr(contract.name)),
                        pl.col("line_id"),
                        code,
                    )
                )
            )
            .to_series()
        )
        result = result.with_columns(result["_contract_problem"].scatter(where, texts))
    return result
