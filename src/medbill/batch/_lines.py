"""``price_lines``: a table of claim lines priced by the Medicare fee schedule and a contract."""

from __future__ import annotations

from typing import Any, Final

import polars as pl

from medbill._errors import ValidationError
from medbill.batch._contract import expected_allowed
from medbill.batch._keys import Lines, signatures
from medbill.batch._pricing import RULE_COLUMNS, medicare_prices, normalise_lines
from medbill.batch._schedule import PreparedSchedule, prepare
from medbill.batch._tables import (
    ENGINE,
    cents_exact,
    cents_to_decimal,
    like_input,
    to_cents,
    to_polars,
)
from medbill.fees import Contract, MedicareFeeSchedule

__all__ = ["LINE_COLUMNS", "PRICE_COLUMNS", "price_lines", "prepare_lines"]

LINE_COLUMNS: Final = {
    "claim_id": "the claim (lines of one claim and date are ranked together)",
    "line_id": "the line within its claim",
    "service_date": "date of service (Arrow date32 / Polars Date)",
    "procedure": "CPT/HCPCS code",
    "modifier_1": "first modifier (optional column, as are modifier_2 to modifier_4)",
    "units": "units: integer or Decimal (optional column; default 1)",
    "charge": "billed charge: Decimal with 2 places (needed by contracts)",
    "place_of_service": "CMS place-of-service code, two digits",
    "locality": "Medicare locality, MAC-locality such as 13202-01",
    "provider_kind": "physician (default), non-physician-practitioner or organization",
}
"""The input columns of :func:`price_lines` (the first four, the place and the locality are
required)."""

_REQUIRED: Final = (
    "claim_id",
    "line_id",
    "service_date",
    "procedure",
    "place_of_service",
    "locality",
)

PRICE_COLUMNS: Final = {
    "medicare_allowed": "Medicare allowed amount for all units: the lesser of the charge and "
    "the fee schedule amount (null when not priced)",
    "medicare_fee_schedule_amount": "the fee schedule amount after every modifier and "
    "multiple procedure rule, before the lesser of the charge",
    "medicare_lesser_of_charge": "whether the actual charge, lower, was the allowed amount",
    "payable": "whether Medicare pays the line",
    "reason": "why a priced line is not payable (status, setting, rule)",
    "problem": "why the line cannot be priced: field, reason and value; nothing is dropped",
    "status": "status indicator of the RVU row",
    "pctc": "PC/TC indicator of the RVU row",
    "component": "the component row that priced the line: 26, TC or empty (global)",
    "bilateral": "bilateral indicator applied for modifier 50",
    "mppr_group": "multiple procedure group the line was ranked in",
    "mppr_rank": "1 when the line's first unit is paid in full, else its rank (2 or more)",
    "surgical_team": "co-surgeon or assistant-at-surgery percentage applied",
    "non_physician": "whether the 85% non-physician practitioner rate applied",
    "global_split": "split global surgery modifiers applied (56/54/55)",
    "expected_allowed": "the contract's expected allowed amount (with a contract)",
    "contract_term": "the contract term that priced the line (with a contract)",
    "lesser_of_billed": "whether the billed charge was lower and was taken (with a contract)",
    "contract_problem": "why the contract does not price the line (with a contract)",
}
"""The columns :func:`price_lines` adds."""


def prepare_lines(frame: pl.DataFrame) -> Lines:
    """Check the columns, add ``_units_milli``, ``_charge`` (cents) and ``_sig`` to the
    rows, and normalise the distinct signatures (see :mod:`medbill.batch._keys`): their
    ``_units_milli`` is the line's where it is not positive (the problem names it), else 1,
    and ``_charge_bad`` the charge as text where it is not whole cents."""
    missing = [c for c in _REQUIRED if c not in frame.columns]
    if missing:
        raise ValidationError("table", ", ".join(missing), "lacks the required columns")
    schema = frame.schema
    converted: list[pl.Expr] = []
    if schema["service_date"] != pl.Date:
        if schema["service_date"] == pl.String:
            converted.append(pl.col("service_date").str.to_date(strict=False))
        elif isinstance(schema["service_date"], pl.Datetime):
            raise ValidationError("service_date", str(schema["service_date"]), "must be a date")
        else:
            converted.append(pl.col("service_date").cast(pl.Date))
    units_milli: pl.Expr
    if "units" in schema:
        dtype = schema["units"]
        if isinstance(dtype, pl.Decimal):
            scale = dtype.scale or 0
            physical = pl.col("units").cast(pl.Decimal(38, scale)).to_physical().cast(pl.Int64)
            if scale <= 3:
                units_milli = physical * 10 ** (3 - scale)
            else:
                step = 10 ** (scale - 3)
                units_milli = pl.when(physical % step == 0).then(physical // step)
        elif dtype.is_integer():
            units_milli = pl.col("units").cast(pl.Int64) * 1000
        else:
            raise ValidationError("units", str(dtype), "must be an integer or Decimal column")
    else:
        units_milli = pl.lit(1000, dtype=pl.Int64)
    charge: pl.Expr
    charge_bad: pl.Expr | None = None
    if "charge" in schema:
        dtype = schema["charge"]
        exact = cents_exact(pl.col("charge"), dtype)
        if isinstance(dtype, pl.Decimal) and (dtype.scale or 0) > 2:
            charge = pl.when(exact).then(to_cents(pl.col("charge"), dtype, "charge"))
            charge_bad = pl.when(~exact).then(pl.col("charge").cast(pl.String))
        else:
            charge = to_cents(pl.col("charge"), dtype, "charge")
    else:
        charge = pl.lit(None, dtype=pl.Int64)
    added = [
        *converted,
        units_milli.alias("_units_milli"),
        charge.alias("_charge"),
        pl.when(units_milli > 0).then(1).otherwise(units_milli).alias("_units_key"),
    ]
    if charge_bad is not None:
        added.append(charge_bad.alias("_charge_bad"))
    rows = frame.with_columns(added)
    present = set(frame.columns)
    keys: list[str] = [c for c in _SIGNATURE if c in present or c == "_units_key"]
    if charge_bad is not None:
        keys.append("_charge_bad")
    sig, distinct = signatures(rows, keys)
    rows = rows.with_columns(sig).drop("_units_key")
    distinct = distinct.rename({"_units_key": "_units_milli"})
    if charge_bad is None:
        distinct = distinct.with_columns(pl.lit(None, dtype=pl.String).alias("_charge_bad"))
    else:
        rows = rows.drop("_charge_bad")
    sigs = normalise_lines(distinct.lazy(), distinct.columns).collect(engine=ENGINE)
    return Lines(rows, sigs)


_SIGNATURE: Final = (
    "procedure",
    "modifier_1",
    "modifier_2",
    "modifier_3",
    "modifier_4",
    "place_of_service",
    "locality",
    "provider_kind",
    "service_date",
    "_units_key",
)
"""The columns a line's rules read, but its units and charge (see :mod:`medbill.batch._keys`)."""


def price_lines(
    table: Any,
    schedule: MedicareFeeSchedule | PreparedSchedule,
    *,
    contract: Contract | None = None,
    qualifying_apm: bool = False,
    lesser_of_charge: bool = True,
) -> Any:
    """Price every line of ``table`` as :meth:`MedicareFeeSchedule.price_claim` prices
    each claim (and, given ``contract``, as :meth:`Contract.expected_allowed` does).

    ``table`` is a ``pyarrow.Table`` or ``polars.DataFrame`` with the columns of
    :data:`LINE_COLUMNS`; the result is the same kind of table with every input column
    and row, in order, plus the columns of :data:`PRICE_COLUMNS`. Amounts are exact
    Decimal(18, 2): the arithmetic is in integers (RVU hundredths, GPCI thousandths, the
    conversion factor in ten-thousandths) with the scalar path's half-up roundings.
    Each line is priced with the schedule's release in force on its date of service (a
    date no release covers is the line's ``problem``), and its allowed amount is the
    lesser of its charge and the fee schedule amount (``lesser_of_charge=False`` keeps
    the fee schedule amount, as ``price_claim(lesser_of_charge=False)``).
    A line that cannot be priced keeps its row, with a null amount and the ``problem``;
    the lines beside it are still priced, with the claim-level rules among themselves.

    >>> import datetime as dt
    >>> from decimal import Decimal
    >>> import polars as pl
    >>> from medbill.batch import price_lines
    >>> from medbill.fees import MedicareFeeSchedule
    >>> lines = pl.DataFrame({
    ...     "claim_id": ["c-1", "c-1", "c-2"], "line_id": ["1", "2", "1"],
    ...     "service_date": [dt.date(2025, 5, 1)] * 3,
    ...     "procedure": ["99213", "20610", "99999"],
    ...     "modifier_1": [None, "50", None],
    ...     "units": [1, 1, 1],
    ...     "place_of_service": ["11", "11", "11"],
    ...     "locality": ["10112-00"] * 3,
    ... })
    >>> priced = price_lines(lines, MedicareFeeSchedule.demo())
    >>> priced.select("procedure", "medicare_allowed", "bilateral", "mppr_rank").rows()
    [('99213', Decimal('81.86'), None, None), ('20610', Decimal('85.82'), '1', 1), ('99999', None, None, None)]
    >>> priced["problem"][2]
    'code: not in the Medicare relative value file (modifier none) (got 99999)'
    """
    frame = to_polars(table)
    prepared = prepare(schedule)
    lines = prepare_lines(frame)
    priced = medicare_prices(
        prepared, lines, qualifying_apm=qualifying_apm, lesser_of_charge=lesser_of_charge
    )
    columns = [
        cents_to_decimal(priced["_allowed"]).alias("medicare_allowed"),
        cents_to_decimal(priced["_fee_amount"]).alias("medicare_fee_schedule_amount"),
        priced["_lesser_of"].alias("medicare_lesser_of_charge"),
        priced["_payable"].alias("payable"),
        priced["_reason"].alias("reason"),
        priced["_problem"].alias("problem"),
        *(priced[c] for c in RULE_COLUMNS),
    ]
    if contract is not None:
        expected = expected_allowed(lines, contract)
        columns += [
            cents_to_decimal(expected["_expected"]).alias("expected_allowed"),
            expected["_term"].alias("contract_term"),
            expected["_lesser"].alias("lesser_of_billed"),
            expected["_contract_problem"].alias("contract_problem"),
        ]
    names = {c.name for c in columns}
    kept = frame.drop([c for c in frame.columns if c in names])
    return like_input(kept.hstack(columns), table)
