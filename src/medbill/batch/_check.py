"""``check_payments``: every paid line of a table against the payer's contract."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

import polars as pl

from medbill._errors import MedbillError, ValidationError
from medbill._parties import Accumulators, Benefits
from medbill._payment import Adjustment
from medbill.batch._benefits import expected_shares
from medbill.batch._contract import expected_allowed
from medbill.batch._keys import Lines
from medbill.batch._lines import prepare_lines
from medbill.batch._tables import (
    ENGINE,
    MONEY,
    cents_exact,
    cents_to_decimal,
    like_input,
    scaled,
    to_cents,
    to_polars,
)
from medbill.claims import Tolerance, Verdict
from medbill.claims._check import denial_of
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
    "adjustment_codes": "the line's CAS group-CARC pairs with a positive amount, such as "
    "['CO-50'] (list of strings; optional, but an unpaid line cannot be told a denial "
    "without it)",
    "remarks": "the line's remark codes (LQ RARCs; optional list of strings)",
    "prior_paid": "what earlier payers paid on the line (optional; default 0)",
    "member_id": "the patient's member id (optional): with ``benefits``, the accumulators "
    "run over each member's claims in table order, and a mapping of benefits or "
    "accumulators is looked up by it",
    "service_category": "the copay category of the line (a medbill.ServiceCategory value; "
    "optional, default office-visit)",
}
"""The input columns of :func:`check_payments`: those ``remittance_tables`` writes for
lines, plus the claim's modifiers and units where the payer did not echo them."""

CHECK_COLUMNS: Final = {
    "expected_allowed": "the contract's expected allowed amount (null when no term prices it)",
    "contract_term": "the term that priced the line",
    "payer_allowed": "the payer's allowed amount: AMT*B6, else charge less CO/PI adjustments",
    "allowed_variance": "payer allowed minus expected allowed (negative: allowed too little)",
    "payer_patient_share": "the 835's patient share of the line (all PR adjustments)",
    "expected_patient_share": "copay + deductible + coinsurance from ``benefits`` and the "
    "accumulators (null without benefits, or when the line is not checked)",
    "patient_share_variance": "the 835's patient share minus the expected (positive: the "
    "payer moved too much to the patient; 0 without benefits)",
    "expected_paid": "expected allowed less the patient share and prior payers' payments "
    "(never below zero; null when not checked)",
    "actual_paid": "what the payer paid (SVC03)",
    "payment_variance": "actual paid minus expected paid (negative: the payer owes more)",
    "variance": "deprecated: the allowed variance (use allowed_variance)",
    "variance_percent": "deprecated: the allowed variance in percent of the expected amount",
    "verdict": "the medbill.claims.Verdict value (null when the line has a problem)",
    "denial_category": "on a denied line, the denial's category (medbill.claims.DenialCategory)",
    "next_action": "on a denied line, what to do next (medbill.claims.NextAction)",
    "outcome": "on a denied line, the outcome (eligibility, duplicate, capitation, ...)",
    "contract_problem": "why no contract term prices the line",
    "problem": "why the batch path cannot check the line (it gives no verdict then)",
}
"""The columns :func:`check_payments` adds."""

_MONEY: Final = ("charge", "paid", "allowed", "contractual", "patient_responsibility")
_OPTIONAL: Final = ("coinsurance", "deductible_and_copay", "prior_paid")


def _variance_hundredths(frame: pl.LazyFrame) -> pl.LazyFrame:
    """``_variance_hundredths``: the allowed variance in hundredths of a percent of the
    expected amount, rounded half to even, as ``Decimal.quantize`` rounds in the default
    context (the deprecated ``LineCheck.variance_percent``); null when nothing is expected.
    In three stages, each a column (a division by a column costs more than a
    multiplication): the magnitudes, their quotient, then the rounding (from the
    remainder) and the sign (the variance's and the expected amount's)."""
    expected, variance = pl.col("_expected"), pl.col("_allowed_variance")
    numerator, denominator, quotient = pl.col("_vn"), pl.col("_vd"), pl.col("_vq")
    twice = (numerator - quotient * denominator) * 2
    up = (twice > denominator) | ((twice == denominator) & ((quotient & 1) == 1))
    negative = (variance < 0) != (expected < 0)
    return (
        frame.with_columns(
            pl.when(expected.is_not_null() & (expected != 0))
            .then(variance.abs() * 10000)
            .alias("_vn"),
            expected.abs().alias("_vd"),
        )
        .with_columns((numerator // denominator).alias("_vq"))
        .with_columns(
            ((quotient + up.cast(pl.Int64)) * pl.when(negative).then(-1).otherwise(1)).alias(
                "_variance_hundredths"
            )
        )
        .drop("_vn", "_vd", "_vq")
    )


def _allows(tolerance: Tolerance, variance: pl.Expr, expected: pl.Expr) -> pl.Expr:
    """:meth:`Tolerance.allows` on cents: no variance, or within the dollar amount and/or
    the rate of the expected amount (``combine``)."""
    size = variance.abs()
    by_amount = None if tolerance.amount is None else size <= int(tolerance.amount * 100)
    by_rate = None
    if tolerance.rate is not None:
        num, den = scaled(tolerance.rate)
        by_rate = size * den <= expected.abs() * num
    if by_amount is None and by_rate is None:
        within: pl.Expr = pl.lit(False)
    elif by_amount is None or by_rate is None:
        within = by_amount if by_rate is None else by_rate  # type: ignore[assignment]
    elif tolerance.combine == "or":
        within = by_amount | by_rate
    else:
        within = by_amount & by_rate
    return (variance == 0) | within


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


def _codes(frame: pl.DataFrame, name: str) -> pl.Expr:
    """A list-of-strings column (``adjustment_codes``, ``remarks``) as one text key."""
    if name not in frame.columns:
        return pl.lit(None, dtype=pl.String)
    dtype = frame.schema[name]
    if not isinstance(dtype, pl.List):
        raise ValidationError(name, str(dtype), "must be a list of strings")
    return pl.col(name).list.eval(pl.element().cast(pl.String)).list.join(" ")


def _denials(frame: pl.DataFrame) -> pl.DataFrame:
    """The denial of each unpaid line, as :func:`medbill.claims.check_payment` tells it:
    :func:`~medbill.claims.classify_denial` on the line's codes but cost sharing, once per
    distinct set of codes and remarks. Adds ``_denied``, ``_denial_category``,
    ``_next_action``, ``_outcome``, ``_denial_reasons`` and ``_codes_missing``."""
    unpaid = (pl.col("_paid") == 0) & (pl.col("_charge") > 0)
    if "adjustment_codes" not in frame.columns:
        # without the codes a denial cannot be told from a contractual write-off: the
        # line is a problem unless every adjustment is cost sharing
        other = (
            (pl.col("_contractual") > 0)
            | (
                pl.col("_patient_responsibility")
                - pl.col("_coinsurance")
                - pl.col("_deductible_and_copay")
                > 0
            )
        ).fill_null(True)
        return frame.with_columns(
            pl.lit(False).alias("_denied"),
            pl.lit(None, dtype=pl.String).alias("_denial_category"),
            pl.lit(None, dtype=pl.String).alias("_next_action"),
            pl.lit(None, dtype=pl.String).alias("_outcome"),
            pl.lit(None, dtype=pl.String).alias("_denial_reasons"),
            (unpaid & other).fill_null(False).alias("_codes_missing"),
        )
    keyed = frame.with_columns(
        pl.when(unpaid).then(_codes(frame, "adjustment_codes")).alias("_codes_key"),
        pl.when(unpaid).then(_codes(frame, "remarks")).fill_null("").alias("_remarks_key"),
    )
    pairs = keyed.filter(pl.col("_codes_key").is_not_null()).select("_codes_key", "_remarks_key")
    rows = []
    for codes_text, remarks_text in pairs.unique().iter_rows():
        rows.append((codes_text, remarks_text, *_classify(codes_text, remarks_text)))
    table = pl.DataFrame(
        rows,
        schema={
            "_codes_key": pl.String,
            "_remarks_key": pl.String,
            "_denial_category": pl.String,
            "_next_action": pl.String,
            "_outcome": pl.String,
            "_denial_reasons": pl.String,
        },
        orient="row",
    )
    return (
        keyed.join(table, on=["_codes_key", "_remarks_key"], how="left", maintain_order="left")
        .with_columns(
            pl.col("_denial_category").is_not_null().alias("_denied"),
            pl.lit(False).alias("_codes_missing"),
        )
        .drop("_codes_key", "_remarks_key")
    )


def _classify(codes_text: str, remarks_text: str) -> tuple[str | None, ...]:
    """(category, next action, outcome, codes) of an unpaid line's codes, or nulls."""
    adjustments = []
    for code in codes_text.split():
        group, _, reason = code.partition("-")
        try:
            adjustments.append(Adjustment(group=group, reason=reason, amount=_CENT))
        except MedbillError as error:
            raise ValidationError(
                "adjustment_codes", code, "must be GROUP-CARC, such as CO-50"
            ) from error
    remarks = remarks_text.split()
    found = denial_of(adjustments, remarks)
    if found is None:
        return (None, None, None, None)
    classification, outcome = found
    reasons = ", ".join(r for r, _ in classification.reasons)
    return (classification.category.value, classification.action.value, outcome, reasons)


def check_payments(
    table: Any,
    contracts: Contract | Mapping[str, Contract],
    benefits: Benefits | Mapping[str, Benefits] | None = None,
    *,
    accumulators: Accumulators | Mapping[str, Accumulators] | None = None,
    sequestration: bool = False,
    tolerance: Tolerance | None = None,
) -> Any:
    """Check every line of ``table`` as :func:`medbill.claims.check_payment` checks a claim
    payment's lines, in payment terms, and return the table with the columns of
    :data:`CHECK_COLUMNS`.

    ``table`` (Arrow or Polars) has the columns of :data:`PAYMENT_COLUMNS`, one row per
    adjudicated line matched to its claim line. ``contracts`` is one contract, or contracts
    by payer id (then the table needs ``payer_id``; a line of a payer without a contract,
    or of another payer than the one contract's, is a ``problem``). Verdicts are the
    values of :class:`medbill.claims.Verdict`: ``denied`` (from ``adjustment_codes`` and
    ``remarks``), ``not-checked``, ``underpaid``/``overpaid`` in allowed terms, then in
    payment terms, ``correct``.

    The expected payment is the expected allowed amount less the patient share and the
    prior payers' payments (``prior_paid``). Without ``benefits`` the patient share is the
    835's, as :func:`~medbill.claims.check_payment` takes it without benefits. With
    ``benefits`` (one plan, or plans by ``member_id``) the expected patient share is
    worked out as the scalar check does (copay, then deductible, then coinsurance, capped
    at the out-of-pocket maximum; the paid lines of a claim first, its denied lines after),
    starting from ``accumulators`` (one, or by ``member_id``; default nothing met), and a
    line whose 835 patient share differs from it beyond the tolerance is
    ``patient-share-too-high``/``-low``. With a ``member_id`` column the accumulators run
    over each member's claims in the order the table lists them; without it every claim
    starts from ``accumulators``. ``sequestration`` takes Medicare's 2 % payment
    reduction off the expected payment, as the scalar check does for a Medicare payer.

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
    ...     "service_date": [dt.date(2025, 3, 4)] * 2, "procedure": ["99213", "99213"],
    ...     "charge": [Decimal("150.00")] * 2, "paid": [Decimal("80.00"), Decimal("0.00")],
    ...     "contractual": [Decimal("50.00"), Decimal("150.00")],
    ...     "patient_responsibility": [Decimal("20.00"), Decimal("0.00")],
    ...     "adjustment_codes": [["CO-45", "PR-2"], ["CO-18"]]})
    >>> checked = check_payments(paid, contract)
    >>> checked.select("expected_allowed", "payer_allowed", "expected_paid", "actual_paid",
    ...                "payment_variance", "verdict").rows()
    [(Decimal('112.50'), Decimal('100.00'), Decimal('92.50'), Decimal('80.00'), Decimal('-12.50'), 'underpaid'), (Decimal('112.50'), Decimal('0.00'), Decimal('112.50'), Decimal('0.00'), Decimal('-112.50'), 'denied')]
    >>> checked["outcome"][1], checked["next_action"][1]
    ('duplicate', 'write-off')
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
    lines = prepare_lines(work)
    lines = Lines(lines.rows.with_columns(_money_columns(frame)).with_row_index("_row"), lines.sigs)
    single = isinstance(contracts, Contract)
    by_payer = {contracts.payer_id: contracts} if isinstance(contracts, Contract) else contracts
    if not single and "payer_id" not in frame.columns:
        raise ValidationError("table", "payer_id", "is needed to choose among the contracts")
    checked = []
    for payer_id, contract in by_payer.items():
        part = lines
        if not single or "payer_id" in frame.columns:
            part = lines.where(pl.col("payer_id").cast(pl.String) == payer_id)
        first = expected_allowed(part, contract)
        if first["_contract_problem"].null_count() < first.height and any(
            isinstance(t, PercentOfMedicare) for t in contract.terms
        ):
            whole = (
                pl.DataFrame({"claim_id": part.rows["claim_id"], "_p": first["_contract_problem"]})
                .select(pl.col("_p").is_null().all().over("claim_id"))
                .to_series()
            )
            if not whole.all():
                first = expected_allowed(part, contract, whole_claims=whole)
        checked.append(
            pl.concat([part.rows, first], how="horizontal").with_columns(
                pl.lit(None, dtype=pl.String).alias("_payer_problem")
            )
        )
    if single and "payer_id" not in frame.columns:
        result = checked[0]
    else:
        assert_payer = (
            "payer_id: no contract for the payer (got {})"
            if not single
            else "contract: is payer "
            + repr(next(iter(by_payer)))
            + "'s contract and does not apply to payer {}"
        )
        rest = lines.rows.filter(
            ~pl.col("payer_id").cast(pl.String).is_in(list(by_payer)).fill_null(False)
        )
        rest = rest.with_columns(
            pl.lit(None, dtype=pl.Int64).alias("_expected"),
            pl.lit(None, dtype=pl.String).alias("_term"),
            pl.lit(None, dtype=pl.Boolean).alias("_lesser"),
            pl.lit(None, dtype=pl.String).alias("_contract_problem"),
            pl.format(assert_payer, pl.col("payer_id")).alias("_payer_problem"),
        )
        parts = [p for p in (*checked, rest) if p.height]
        result = pl.concat(parts, how="diagonal_relaxed").sort("_row") if parts else rest
    result = _denials(result)
    if benefits is not None:
        shares = expected_shares(result, benefits, accumulators, sequestration=sequestration)
    else:
        nulls = pl.Series([], dtype=pl.Int64).extend_constant(None, result.height)
        shares = pl.DataFrame({"_expected_share": nulls, "_cut": nulls})
    result = result.hstack(shares)
    # one plan: the verdict reads the amounts' expressions again (common subexpressions)
    result = (
        result.lazy()
        .with_columns(_verdicts(rules))
        .pipe(_variance_hundredths)
        .with_columns(_verdict(rules).alias("_verdict_code"))
        .collect(engine=ENGINE)
    )
    result = result.with_columns(_VERDICTS.gather(result["_verdict_code"]))
    money = {
        "expected_allowed": "_expected",
        "payer_allowed": "_payer_allowed",
        "allowed_variance": "_allowed_variance",
        "payer_patient_share": "_patient_responsibility",
        "expected_patient_share": "_expected_share",
        "patient_share_variance": "_share_variance",
        "expected_paid": "_expected_paid",
        "actual_paid": "_paid",
        "payment_variance": "_payment_variance",
        "variance": "_allowed_variance",
    }
    denied = pl.col("_verdict") == Verdict.DENIED.value
    others = result.select(
        pl.col("_term").alias("contract_term"),
        pl.col("_verdict").alias("verdict"),
        pl.when(denied).then(pl.col("_denial_category")).alias("denial_category"),
        pl.when(denied).then(pl.col("_next_action")).alias("next_action"),
        pl.when(denied).then(pl.col("_outcome")).alias("outcome"),
        pl.col("_contract_problem").alias("contract_problem"),
        pl.col("_check_problem").alias("problem"),
    )
    converted = {}
    for column in set(money.values()):
        name = column[1:]
        if column in ("_paid", "_patient_responsibility") and frame.schema[name] == MONEY:
            converted[column] = frame[name]  # the input's own exact cents
        else:
            converted[column] = cents_to_decimal(result[column])
    amounts = {name: converted[column].alias(name) for name, column in money.items()}
    # hundredths of a percent read with two places: the percent, exactly
    amounts["variance_percent"] = cents_to_decimal(result["_variance_hundredths"]).alias(
        "variance_percent"
    )
    columns = [amounts[name] if name in amounts else others[name] for name in CHECK_COLUMNS]
    kept = frame.drop([c for c in CHECK_COLUMNS if c in frame.columns])
    return like_input(kept.hstack(columns), table)


def _verdicts(tolerance: Tolerance) -> list[pl.Expr]:
    """The amounts of each line (see :data:`CHECK_COLUMNS`)."""
    charge, paid = pl.col("_charge"), pl.col("_paid")
    payer_allowed = pl.coalesce(pl.col("_allowed_reported"), charge - pl.col("_contractual"))
    expected = pl.col("_expected")
    share = pl.coalesce(pl.col("_expected_share"), pl.col("_patient_responsibility"))
    reduction = pl.col("_cut").fill_null(0)
    expected_paid = pl.max_horizontal(
        expected - share - reduction - pl.col("_prior_paid").fill_null(0),
        pl.lit(0, dtype=pl.Int64),
    )
    expected_paid = pl.when(expected.is_not_null()).then(expected_paid)
    variance = payer_allowed - expected
    problem = (
        pl.when(pl.col("_payer_problem").is_not_null())
        .then(pl.col("_payer_problem"))
        .when(pl.col("_codes_missing"))
        .then(
            _text_problem(
                "adjustment_codes: needed to tell a denial from an adjustment on an unpaid "
                "line (got none)"
            )
        )
        .when(paid.is_null() | charge.is_null())
        .then(_text_problem("paid and charge: must be whole cents"))
        .when(expected.is_not_null() & payer_allowed.is_null())
        .then(_text_problem("allowed and contractual: must be whole cents"))
    )
    share_variance = pl.col("_patient_responsibility") - pl.col("_expected_share")
    return [
        payer_allowed.alias("_payer_allowed"),
        expected_paid.alias("_expected_paid"),
        pl.when(pl.col("_expected_share").is_null())
        .then(0)
        .otherwise(share_variance)
        .alias("_share_variance"),
        pl.when(expected.is_null()).then(0).otherwise(variance).alias("_allowed_variance"),
        pl.when(expected.is_null())
        .then(0)
        .otherwise(paid - expected_paid)
        .alias("_payment_variance"),
        problem.alias("_check_problem"),
    ]


def _text_problem(text: str) -> pl.Expr:
    return pl.lit(text, dtype=pl.String)


_VERDICTS: Final = pl.Series(
    "_verdict",
    [
        Verdict.DENIED.value,
        Verdict.NOT_CHECKED.value,
        Verdict.UNDERPAID.value,
        Verdict.OVERPAID.value,
        Verdict.PATIENT_SHARE_TOO_HIGH.value,
        Verdict.PATIENT_SHARE_TOO_LOW.value,
        Verdict.CORRECT.value,
    ],
    dtype=pl.String,
)
"""The verdicts by the code :func:`_verdict` gives."""


def _verdict(tolerance: Tolerance) -> pl.Expr:
    """The verdict's position in :data:`_VERDICTS` (null when the line has a problem),
    first match wins (the order of :func:`medbill.claims.check_payment`)."""
    expected = pl.col("_expected")
    allowed_variance = pl.col("_allowed_variance")
    payment_variance = pl.col("_payment_variance")
    denied = pl.col("_denied")
    share_off = pl.col("_expected_share").is_not_null() & ~_allows(
        tolerance, pl.col("_share_variance"), pl.col("_expected_share")
    )
    allowed_off = ~_allows(tolerance, allowed_variance, expected)
    paid_off = ~_allows(tolerance, payment_variance, pl.col("_expected_paid"))
    code = [pl.lit(n, dtype=pl.UInt32) for n in range(_VERDICTS.len())]
    return (
        pl.when(pl.col("_check_problem").is_not_null())
        .then(pl.lit(None, dtype=pl.UInt32))
        .when(denied)
        .then(code[0])
        .when(expected.is_null())
        .then(code[1])
        .when(allowed_off & (allowed_variance < 0))
        .then(code[2])
        .when(allowed_off)
        .then(code[3])
        .when(share_off & (pl.col("_share_variance") > 0))
        .then(code[4])
        .when(share_off)
        .then(code[5])
        .when(paid_off & (payment_variance < 0))
        .then(code[2])
        .when(paid_off)
        .then(code[3])
        .otherwise(code[6])
    )


_CENT: Final = Decimal("0.01")
