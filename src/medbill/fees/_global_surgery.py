"""Split global surgery: modifiers 54, 55 and 56 and the shares of the relative value file.

Medicare Claims Processing Manual (Pub. 100-04), Chapter 12, section 40 (surgeons and
global surgery), 40.2 A (billing requirements for split care): when physicians split the
global package, each is paid the share of the fee schedule amount of the care given, by
the PRE OP, INTRA OP and POST OP percentages of the PPRRVU file:

- ``54`` (surgical care only) is paid the pre-operative **and** intra-operative shares
  (the surgeon also does the pre-operative care of the day before and the day of surgery);
- ``55`` (post-operative management only) the post-operative share, prorated by the days
  of post-operative care furnished over the global period when they are given
  (``care_days``; the dates care was assumed and relinquished on the claim);
- ``56`` (pre-operative management only) the pre-operative share.

Modifiers combine by adding their shares, each share counted once (54 with 55 is the
whole package). The table is plain data, for the scalar and the batch pricing paths.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from medbill._errors import PricingError, ValidationError
from medbill.fees._rvu_row import RvuRow

__all__ = ["GLOBAL_SURGERY_SHARES", "SPLIT_MODIFIERS", "global_surgery_share"]

GLOBAL_SURGERY_SHARES: Final[dict[str, tuple[str, ...]]] = {
    "54": ("pre_op", "intra_op"),
    "55": ("post_op",),
    "56": ("pre_op",),
}
"""Modifier -> the RvuRow share fields it is paid (Pub. 100-04 Ch. 12 s. 40.2 A)."""

SPLIT_MODIFIERS: Final = ("56", "54", "55")
_MEANING: Final = {
    "54": "surgical care only",
    "55": "post-operative care only",
    "56": "pre-operative care only",
}
_LABEL: Final = {"pre_op": "pre-op", "intra_op": "intra-op", "post_op": "post-op"}


def global_surgery_share(
    row: RvuRow, code: str, modifiers: frozenset[str], care_days: int | None = None
) -> tuple[str, str, Decimal] | None:
    """The split-care step of ``row`` for ``modifiers`` (rule, explanation, share), or
    ``None`` without 54/55/56. A code with no split in the file is a PricingError.

    >>> from decimal import Decimal
    >>> row = RvuRow(code="27447", global_days="090", pre_op=Decimal("0.10"),
    ...              intra_op=Decimal("0.69"), post_op=Decimal("0.21"))
    >>> global_surgery_share(row, "27447", frozenset({"54"}))[2]
    Decimal('0.79')
    >>> global_surgery_share(row, "27447", frozenset({"55"}), care_days=45)[2]
    Decimal('0.105')
    """
    split = [m for m in SPLIT_MODIFIERS if m in modifiers]
    if not split:
        return None
    fields: list[str] = []
    for modifier in split:
        fields.extend(f for f in GLOBAL_SURGERY_SHARES[modifier] if f not in fields)
    shares = {f: getattr(row, f) for f in fields}
    if sum(shares.values(), Decimal(0)) == 0:
        raise PricingError(
            "modifiers",
            f"{code}-{'-'.join(split)}",
            f"{code} has no pre/intra/post-operative split (global days {row.global_days})",
        )
    why = [f"{m} {_MEANING[m]}" for m in split]
    parts = [f"{_LABEL[f]} {shares[f]:%}" for f in fields]
    if care_days is not None and "post_op" in shares:
        if isinstance(care_days, bool) or not isinstance(care_days, int) or care_days < 0:
            raise ValidationError("care_days", care_days, "must be a whole number of days")
        if not row.global_days.isdigit() or int(row.global_days) == 0:
            raise PricingError(
                "care_days", care_days, f"{code} has no post-operative period to prorate"
            )
        period = int(row.global_days)
        days = min(care_days, period)
        shares["post_op"] = shares["post_op"] * days / period
        parts[fields.index("post_op")] = f"post-op {row.post_op:%} x {days}/{period} days"
    share = sum(shares.values(), Decimal(0))
    rule = f"modifier {'/'.join(split)}"
    return rule, f"{', '.join(why)}: {' + '.join(parts)} = {share:%}", share
