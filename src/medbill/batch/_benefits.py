"""The expected patient share of a table of paid lines: benefits and accumulators in claim order.

Cost sharing is sequential by nature: a copay is charged once per service category and
claim, the deductible is used up line by line and claim by claim, and the out-of-pocket
maximum caps whatever is left. So this part of :func:`medbill.batch.check_payments` is a
loop, over each member's claims in the order they appear in the table, and it calls the
very function the scalar check uses (:func:`medbill.fees._responsibility.split_amounts`):
one rule, one implementation, the same cents.

Per claim, as :func:`medbill.claims.check_payment` does: the lines the payer paid (or
adjusted) are split first, in claim order; the denied lines are split after them with
the accumulators those lines leave, so a denial never shifts a paid line's deductible.
The accumulators then carry into the member's next claim, advanced by what the paid
lines put toward the deductible and the out-of-pocket maximum (the denied lines' shares
are only what is at stake, and are not carried).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Final

import polars as pl

from medbill._errors import ValidationError
from medbill._parties import Accumulators, Benefits, ServiceCategory
from medbill.fees._responsibility import split_amounts

__all__ = ["expected_shares"]

_HUNDRED: Final = Decimal(100)


def _lookup(
    value: Benefits | Accumulators | Mapping[str, Benefits] | Mapping[str, Accumulators],
    member: str | None,
    name: str,
) -> Benefits | Accumulators:
    if not isinstance(value, Mapping):
        return value
    if member is None:
        raise ValidationError("member_id", None, f"is needed to choose the member's {name}")
    found = value.get(member)
    if found is None:
        raise ValidationError("member_id", member, f"has no {name} in the mapping given")
    return found


def expected_shares(
    frame: pl.DataFrame,
    benefits: Benefits | Mapping[str, Benefits],
    accumulators: Accumulators | Mapping[str, Accumulators] | None,
    *,
    sequestration: bool,
) -> pl.DataFrame:
    """``_expected_share`` and ``_cut`` (cents) for every row of ``frame``.

    ``frame`` has ``_row``, ``claim_id``, ``line_id``, ``_expected`` (cents, null when no
    term priced the line), ``_denied`` and ``_payer_problem``; optionally ``member_id``
    and ``service_category``. Rows not priced, or of another payer, get nulls.
    """
    has_member = "member_id" in frame.columns
    has_category = "service_category" in frame.columns
    columns = ["_row", "claim_id", "line_id", "_expected", "_denied", "_payer_problem"]
    columns += ["member_id"] * has_member + ["service_category"] * has_category
    rows = frame.select(columns).rows()
    share: list[int | None] = [None] * frame.height
    cut: list[int | None] = [None] * frame.height
    # member -> claim -> (paid lines, denied lines), each (row position, line id, allowed)
    members: dict[str | None, dict[str, tuple[list[tuple[int, str, Decimal]], ...]]] = {}
    categories: dict[tuple[str, int], ServiceCategory] = {}
    for position, row in enumerate(rows):
        _, claim, line, expected, denied, payer_problem = row[:6]
        if expected is None or payer_problem is not None:
            continue
        member = str(row[6]) if has_member and row[6] is not None else None
        claims = members.setdefault(member if has_member else str(claim), {})
        group = claims.setdefault(str(claim), ([], []))
        group[1 if denied else 0].append((position, str(line), Decimal(expected) / _HUNDRED))
        if has_category and row[-1] is not None:
            categories[(str(claim), position)] = ServiceCategory(row[-1])
    start = Accumulators() if accumulators is None else accumulators
    for member, claims in members.items():
        key = member if has_member else None
        plan = _lookup(benefits, key, "benefits")
        running = _lookup(start, key, "accumulators")
        if not isinstance(plan, Benefits) or not isinstance(running, Accumulators):
            raise ValidationError("benefits", plan, "must be Benefits (and Accumulators)")
        for claim, (paid, denied) in claims.items():
            after = running
            for lines in (paid, denied):
                if not lines:
                    continue
                # split_amounts picks a line's category by its line id; key by position
                # so two lines with one id keep their own categories.
                by_line = {
                    str(p): categories[(claim, p)] for p, _, _ in lines if (claim, p) in categories
                }
                split = split_amounts(
                    [allowed for _, _, allowed in lines],
                    [str(p) for p, _, _ in lines],
                    plan,
                    after,
                    sequestration=sequestration,
                    categories=by_line or None,
                )
                for (position, _, _), (copay, deductible, coinsurance, reduction) in zip(
                    lines, split, strict=True
                ):
                    share[position] = int((copay + deductible + coinsurance) * _HUNDRED)
                    cut[position] = int(reduction * _HUNDRED)
                if lines is paid:
                    after = after.plus(
                        deductible=sum((s[1] for s in split), Decimal(0)),
                        out_of_pocket=sum((s[0] + s[1] + s[2] for s in split), Decimal(0)),
                    )
            running = after if has_member else running
    return pl.DataFrame(
        {"_expected_share": share, "_cut": cut},
        schema={"_expected_share": pl.Int64, "_cut": pl.Int64},
    )
