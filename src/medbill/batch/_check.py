"""``check_payments``: every paid line of a table against the payer's contract."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

import polars as pl

from medbill._errors import ValidationError
from medbill._parties import Benefits
from medbill.batch._contract import expected_allowed
from medbill.batch._lines import prepare_lines
from medbill.batch._tables import (
    ENGINE,
    cents_exact,
    from_cents,
    like_input,
    scaled,
    to_cents,
    to_polars,
)
from medbill.claims import Tolerance, Verdict
from medbill.fees import Contract, PercentOfMedicare

__all__ = ["CHECK_COLUMNS", "PAYMENT_COLUMNS", "check_payments"]

PAYMENT_COLUMNS: Final = {
    "claim_id": "the claim (CLP01, the provider's claim id)",
    "line_id": "the line (REF*6R, the line item control number)",
    "service_date": "date of service",
    "procedure": "CPT/HCPCS code billed",
    "modifier_1": "modifiers billed (optional columns modifier_1 to modifier_4)",
    "units": "units billed (optional; default 1)",
    "charge": "billed charge (SVC02)",
    "paid": "amount paid (SVC03)",
    "allowed": "allowed amount the payer reported (AMT*B6; optional, null when absent)",
    "contractual": "sum of the line's CO and PI adjustments but payment reductions (CARC 253)",
    "patient_responsibility": "sum of the line's PR adjustments",
    "coinsurance": "the line's PR-2 adjustments (optional; for the coinsurance check)",
    "deductible_and_copay": "the line's PR-1 and PR-3 adjustments (optional)",
    "payer_id": "the payer, when ``contracts`` maps payer ids to contracts",
    "place_of_service": "place of service (optional; default 11, office)",
}
"""The input columns of :func:`check_payments`: those ``remittance_tables`` writes for
lines, plus the claim's modifiers and units where the payer did not echo them."""

CHECK_COLUMNS: Final = {
    "expected_allowed": "the contract's expected allowed amount (null when no term covers it)",
    "contract_term": "the term that priced the line",
    "payer_allowed": "the payer's allowed amount: AMT*B6, else charge less CO/PI adjustments",
    "variance": "payer allowed minus expected allowed (negative: underpaid)",
    "variance_percent": "the variance as a percentage of the expected amount, to the cent",
    "verdict": "the medbill.claims.Verdict value",
    "contract_problem": "why no contract term covers the line",
}
"""The columns :func:`check_payments` adds."""

_MONEY: Final = ("charge", "paid", "allowed", "contractual", "patient_responsibility")
_OPTIONAL: Final = ("coinsurance", "deductible_and_copay")


def _signed_round(numerator: pl.Expr, denominator: pl.Expr | int) -> pl.Expr:
    """numerator / denominator rounded half away from zero (Decimal's ROUND_HALF_UP)."""
    size = (numerator.abs() * 2 + denominator) // (denominator * 2)
    return pl.when(numerator < 0).then(-size).otherwise(size)


def _allows(tolerance: Tolerance, variance: pl.Expr, expected: pl.Expr) -> pl.Expr:
    amount = int(tolerance.amount * 100)
    within = variance.abs() <= amount
    if tolerance.percent is None:
        return within
    num, den = scaled(tolerance.percent)
    return within | (variance.abs() * 100 * den <= expected.abs() * num)


def _money_columns(frame: pl.DataFrame) -> list[pl.Expr]:
    schema = frame.schema
    exprs = []
    for name in (*_MONEY, *_OPTIONAL):
        if name in schema:
            dtype = schema[name]
            target = "_allowed_reported" if name == "allowed" else f"_{name}"
            exprs.append(
                pl.when(cents_exact(pl.col(name), dtype))
                .then(to_cents(pl.col(name), dtype, name))
                .alias(target)
            )
        elif name in ("charge", "paid"):
            raise ValidationError("table", name, "lacks the required column")
        elif name == "allowed":
            exprs.append(pl.lit(None, dtype=pl.Int64).alias("_allowed_reported"))
        else:
            exprs.append(pl.lit(0, dtype=pl.Int64).alias(f"_{name}"))
    return exprs


def check_payments(
    table: Any,
    contracts: Contract | Mapping[str, Contract],
    benefits: Benefits | None = None,
    *,
    tolerance: Tolerance | None = None,
) -> Any:
    """Check every line of ``table`` as :func:`medbill.claims.check_payment` checks a claim
    payment's lines, and return the table with the columns of :data:`CHECK_COLUMNS`.

    ``table`` (Arrow or Polars) has the columns of :data:`PAYMENT_COLUMNS`, one row per
    adjudicated line matched to its claim line. ``contracts`` is one contract, or contracts
    by payer id (then the table needs ``payer_id``). ``benefits`` checks the coinsurance
    (PR-2) as the scalar path does. Verdicts are the values of
    :class:`medbill.claims.Verdict`.

    >>> import datetime as dt
    >>> import pendulum
    >>> import polars as pl
    >>> from decimal import Decimal
    >>> from medbill import Period
    >>> from medbill.batch import check_payments
    >>> from medbill.fees import Contract, FixedRate
    >>> contract = Contract(payer_id="acme", name="Acme PPO 2025",
    ...     effective=Period(pendulum.date(2025, 1, 1)),
    ...     terms=[FixedRate(codes=["99213"], amount="112.50")])
    >>> paid = pl.DataFrame({
    ...     "claim_id": ["C-1", "C-2"], "line_id": ["1", "1"],
    ...     "service_date": [dt.date(2025, 3, 4)] * 2, "procedure": ["99213", "99214"],
    ...     "charge": [Decimal("150.00")] * 2, "paid": [Decimal("80.00"), Decimal("0.00")],
    ...     "contractual": [Decimal("50.00"), Decimal("150.00")],
    ...     "patient_responsibility": [Decimal("20.00"), Decimal("0.00")]})
    >>> checked = check_payments(paid, contract)
    >>> checked.select("expected_allowed", "payer_allowed", "variance", "variance_percent",
    ...                "verdict").rows()
    [(Decimal('112.50'), Decimal('100.00'), Decimal('-12.50'), Decimal('-11.11'), 'underpaid'), (None, Decimal('0.00'), Decimal('0.00'), None, 'not-covered-by-contract')]
    """
    frame = to_polars(table)
    rules = tolerance or Tolerance()
    if "locality" not in frame.columns or "place_of_service" not in frame.columns:
        defaults = []
        if "locality" not in frame.columns:
            defaults.append(pl.lit("00000-00").alias("locality"))
        if "place_of_service" not in frame.columns:
            defaults.append(pl.lit("11").alias("place_of_service"))
        work = frame.with_columns(defaults)
    else:
        work = frame
    lazy = prepare_lines(work).with_columns(_money_columns(frame))
    by_payer = {contracts.payer_id: contracts} if isinstance(contracts, Contract) else contracts
    if not isinstance(contracts, Contract) and "payer_id" not in frame.columns:
        raise ValidationError("table", "payer_id", "is needed to choose among the contracts")
    checked = []
    for payer_id, contract in by_payer.items():
        part = lazy
        if not isinstance(contracts, Contract):
            part = lazy.filter(pl.col("payer_id") == payer_id)
        part_frame = part.collect(engine=ENGINE)
        first = expected_allowed(part_frame.lazy(), contract).collect(engine=ENGINE)
        whole = first.select(
            pl.col("_contract_problem").is_null().all().over("claim_id").alias("_whole")
        )
        if not whole["_whole"].all() and any(
            isinstance(t, PercentOfMedicare) for t in contract.terms
        ):
            first = expected_allowed(
                part_frame.lazy().with_columns(whole["_whole"]),
                contract,
                whole_claims=pl.col("_whole"),
            ).collect(engine=ENGINE)
        checked.append(first)
    if isinstance(contracts, Contract):
        result = checked[0]
    else:
        matched = pl.concat(checked, how="diagonal_relaxed") if checked else None
        rest = lazy.filter(~pl.col("payer_id").is_in(list(by_payer))).collect(engine=ENGINE)
        rest = rest.with_columns(
            pl.lit(None, dtype=pl.Int64).alias("_expected"),
            pl.lit(None, dtype=pl.String).alias("_term"),
            pl.format("payer_id: no contract for the payer (got {})", pl.col("payer_id")).alias(
                "_contract_problem"
            ),
        )
        parts = [p for p in (matched, rest) if p is not None and p.height]
        result = pl.concat(parts, how="diagonal_relaxed").sort("_row") if parts else rest
    result = result.with_columns(_verdicts(rules, benefits))
    added = [
        from_cents(pl.col("_expected")).alias("expected_allowed"),
        pl.col("_term").alias("contract_term"),
        from_cents(pl.col("_payer_allowed")).alias("payer_allowed"),
        from_cents(pl.col("_variance")).alias("variance"),
        (
            pl.col("_variance_hundredths").cast(pl.Decimal(18, 0))
            * pl.lit(_CENT, dtype=pl.Decimal(3, 2))
        )
        .cast(pl.Decimal(18, 2))
        .alias("variance_percent"),
        pl.col("_verdict").alias("verdict"),
        pl.col("_contract_problem").alias("contract_problem"),
    ]
    computed = result.select(added)
    kept = frame.drop([c for c in CHECK_COLUMNS if c in frame.columns])
    return like_input(kept.hstack(computed.get_columns()), table)


def _verdicts(tolerance: Tolerance, benefits: Benefits | None) -> list[pl.Expr]:
    charge, paid = pl.col("_charge"), pl.col("_paid")
    payer_allowed = pl.coalesce(pl.col("_allowed_reported"), charge - pl.col("_contractual"))
    expected = pl.col("_expected")
    responsibility = pl.col("_patient_responsibility")
    denied = (paid == 0) & (responsibility == 0) & (charge > 0)
    variance = payer_allowed - expected
    coinsurance_ok: pl.Expr = pl.lit(True)
    if benefits is not None:
        coinsurance = pl.col("_coinsurance")
        base = payer_allowed - pl.col("_deductible_and_copay")
        num, den = scaled(benefits.coinsurance)
        due = _signed_round(base * num, den)
        coinsurance_ok = (coinsurance == 0) | _allows(tolerance, coinsurance - due, due)
    verdict = (
        pl.when(expected.is_null())
        .then(pl.lit(Verdict.NOT_COVERED_BY_CONTRACT.value))
        .when(denied & (expected > 0))
        .then(pl.lit(Verdict.DENIED_BUT_CONTRACTED.value))
        .when(~_allows(tolerance, variance, expected) & (variance < 0))
        .then(pl.lit(Verdict.UNDERPAID.value))
        .when(~_allows(tolerance, variance, expected))
        .then(pl.lit(Verdict.OVERPAID.value))
        .when(~coinsurance_ok)
        .then(pl.lit(Verdict.PATIENT_RESPONSIBILITY_MISMATCH.value))
        .otherwise(pl.lit(Verdict.CORRECT.value))
    )
    return [
        payer_allowed.alias("_payer_allowed"),
        pl.when(expected.is_null()).then(0).otherwise(variance).alias("_variance"),
        pl.when(expected.is_null() | (expected == 0))
        .then(None)
        .otherwise(_signed_round(variance * 10000 * expected.sign(), expected.abs()))
        .alias("_variance_hundredths"),
        verdict.alias("_verdict"),
    ]


_CENT: Final = Decimal("0.01")
