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

That loop is the reference; :func:`expected_shares` gives its answers without it, with
running sums per member (integer cents):

- the copay goes to the first line of each (claim, paid/denied group, category) whose
  allowed amount is positive (``split_amounts`` charges ``min(copay, allowed)`` once);
- the deductible taken through a line is ``min(open, S)``, ``S`` the running sum of the
  lines' allowed amounts less copay (each line takes ``min(left, base)``, so the sums
  telescope): a line takes ``min(open, S) - min(open, S_before)``;
- the out-of-pocket cap binds on one line at most: before it nothing was capped, so the
  running sum ``T`` of uncapped shares is exact up to there; the line where it binds
  gets what is left (copay, then deductible, then coinsurance) and every later line of
  the member gets nothing (the maximum is met);
- a denied line's running sums start from its claim's paid lines' and add only the
  denied lines of the same claim before it.

Only an allowed amount below zero (``split_amounts`` then goes negative), a family
deductible or maximum whose amount met is not known (``Accumulators.plus`` keeps it
unknown, so each claim starts the family's amount afresh) or a coinsurance rate of more
than eight places takes the loop.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Final

import polars as pl
import pyarrow.compute as pc

from medbill._errors import ValidationError
from medbill._parties import Accumulators, Benefits, ServiceCategory
from medbill.batch._keys import signatures
from medbill.batch._tables import decimal_scale, round_div, scaled, to_scaled
from medbill.fees._responsibility import SEQUESTRATION, opening_limits, split_amounts

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


def _loop_shares(
    frame: pl.DataFrame,
    benefits: Benefits | Mapping[str, Benefits],
    accumulators: Accumulators | Mapping[str, Accumulators] | None,
    *,
    sequestration: bool,
) -> pl.DataFrame:
    """:func:`expected_shares` by ``split_amounts`` itself, claim by claim.

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


_NO_MEMBER: Final = "\x00none"
"""The chain of the lines whose ``member_id`` is null (they share one, as in the loop)."""
_MAX_RATE_PLACES: Final = 8
_LIMIT: Final = 2**62
"""The lines' total (cents) up to which the running sums are exact in 64 bits."""
_CATEGORIES: Final = [c.value for c in ServiceCategory]
_CATEGORY_CODES: Final = {value: n for n, value in enumerate(_CATEGORIES)}


def _cents(amount: Decimal) -> int:
    return int(amount * 100)


def _member_terms(
    benefits: Benefits, accumulators: Accumulators
) -> tuple[int, int | None, Decimal, dict[str, int]]:
    """(deductible open, out-of-pocket left or None, coinsurance rate, copays by category)
    as :func:`medbill.fees.split_amounts` starts them, in cents."""
    deductible_left, oop_left = opening_limits(benefits, accumulators)
    copays = {c.category.value: _cents(c.amount) for c in benefits.copays}
    return (
        _cents(deductible_left),
        None if oop_left is None else _cents(oop_left),
        benefits.coinsurance,
        copays,
    )


def _terms_table(
    members: list[str],
    benefits: Benefits | Mapping[str, Benefits],
    accumulators: Accumulators | Mapping[str, Accumulators] | None,
) -> tuple[pl.Series, pl.DataFrame, pl.Series, int, bool]:
    """The starting terms of each member: (the number of the member's terms, by member;
    the terms by number: ``_ded0``, ``_oop0``, ``_rate``; the copays by number and
    category, at ``number * (categories + 1) + category``; the common denominator of the
    rates; whether a family amount met is not known, when the loop gives the answer).
    Members with the same plan and accumulators share one number."""
    zero = Accumulators()
    numbers: dict[tuple[int, int], int] = {}
    found: list[tuple[int, int | None, Decimal, dict[str, int]]] = []
    ids: list[int] = []
    unknown_family = False
    for member in members:
        key = None if member == _NO_MEMBER else member
        plan = _lookup(benefits, key, "benefits")
        met = zero if accumulators is None else _lookup(accumulators, key, "accumulators")
        pair = (id(plan), id(met))
        number = numbers.get(pair)
        if number is None:
            if not isinstance(plan, Benefits) or not isinstance(met, Accumulators):
                raise ValidationError("benefits", plan, "must be Benefits (and Accumulators)")
            if (plan.family_deductible is not None and met.family_deductible_met is None) or (
                plan.family_out_of_pocket_max is not None and met.family_out_of_pocket_met is None
            ):
                # the family's amount met is not known: Accumulators.plus leaves it
                # unknown, so split_amounts starts the family's amount afresh on every
                # claim (and on its denied lines): no running sum gives that, the loop does
                unknown_family = True
            number = numbers[pair] = len(found)
            found.append(_member_terms(plan, met))
        ids.append(number)
    scale = decimal_scale([rate for _, _, rate, _ in found])
    table = pl.DataFrame(
        {
            "_ded0": [d for d, _, _, _ in found],
            "_oop0": [o for _, o, _, _ in found],
            "_rate": [to_scaled(r, scale) for _, _, r, _ in found],
        },
        schema={"_ded0": pl.Int64, "_oop0": pl.Int64, "_rate": pl.Int64},
    )
    width = len(_CATEGORIES) + 1
    copays = [0] * (len(found) * width)
    for number, (_, _, _, by_category) in enumerate(found):
        for category, amount in by_category.items():
            copays[number * width + _CATEGORY_CODES[category]] = amount
    return (
        pl.Series("_terms", ids, dtype=pl.UInt32),
        table,
        pl.Series("_copay_amount", copays, dtype=pl.Int64),
        10**scale,
        unknown_family,
    )


def expected_shares(
    frame: pl.DataFrame,
    benefits: Benefits | Mapping[str, Benefits],
    accumulators: Accumulators | Mapping[str, Accumulators] | None,
    *,
    sequestration: bool,
) -> pl.DataFrame:
    """``_expected_share`` and ``_cut`` (cents) for every row of ``frame``, in the
    order of the module documentation, with running sums (see there).

    ``frame`` has ``_row``, ``claim_id``, ``line_id``, ``_expected`` (cents, null when no
    term priced the line), ``_denied`` and ``_payer_problem``; optionally ``member_id``
    and ``service_category``. Rows not priced, or of another payer, get nulls.

    Members, claims and categories are numbered exactly (:func:`medbill.batch._keys.signatures`)
    and the lines sorted by member, claim (in the order the member's claims first appear)
    and paid/denied group, so each running sum is one cumulative sum read at the runs'
    starts (integer cents, exact while the lines' total stays below ``2**62``; above it
    the loop gives the answer).
    """
    columns = frame.columns
    has_member = "member_id" in columns
    category = ServiceCategory.OFFICE_VISIT.value
    if "service_category" in columns:
        line_category = pl.col("service_category").cast(pl.String).fill_null(category)
        for value in frame["service_category"].drop_nulls().cast(pl.String).unique().to_list():
            ServiceCategory(value)  # an unknown category fails as in the loop
    else:
        line_category = pl.lit(category, dtype=pl.String)
    taking = pl.col("_expected").is_not_null() & pl.col("_payer_problem").is_null()
    keyed = [pl.col("claim_id").cast(pl.String).alias("_claim")]
    if has_member:
        keyed.append(pl.col("member_id").cast(pl.String).fill_null(_NO_MEMBER).alias("_member"))
    keyed_names = ["_claim", "_member"][: len(keyed)]
    work = (
        frame.with_row_index("_position")
        .filter(taking)
        .select(
            "_position",
            *keyed,
            pl.col("_denied").fill_null(False).cast(pl.Int8).alias("_group"),
            line_category.replace_strict(_CATEGORY_CODES, default=len(_CATEGORIES))
            .cast(pl.Int64)
            .alias("_cat"),
            pl.col("_expected").alias("_allowed"),
        )
    )
    if work.height == 0:
        nulls = pl.Series([], dtype=pl.Int64).extend_constant(None, frame.height)
        return pl.DataFrame({"_expected_share": nulls, "_cut": nulls})
    negative = work.select((pl.col("_allowed") < 0).any()).item()
    claim, _ = signatures(work, ["_claim"])
    if has_member:
        member, distinct = signatures(work, ["_member"])
        members = distinct["_member"].to_list()
    else:
        member = pl.Series("_sig", [], dtype=pl.UInt32).extend_constant(0, work.height)
        members = [_NO_MEMBER]
    ids, terms, copays, rate_den, unknown_family = _terms_table(members, benefits, accumulators)
    total = work["_allowed"].sum()
    if negative or unknown_family or rate_den > 10**_MAX_RATE_PLACES or total >= _LIMIT:
        return _loop_shares(frame, benefits, accumulators, sequestration=sequestration)
    # the chain of running sums: the member's lines, else the claim's; a claim is one
    # claim id of one chain, numbered in the order it first appears
    chain = member if has_member else claim
    pair = claim.cast(pl.Int64)
    if has_member and not _one_member_per_claim(member, claim):
        composite = member.cast(pl.Int64) * (int(claim.max()) + 1) + pair  # type: ignore[arg-type]
        pair = pl.Series(pc.dictionary_encode(composite.to_arrow()).indices).cast(pl.Int64)
    number = ids.gather(member)
    work = work.with_columns(
        chain.cast(pl.Int64).alias("_chain"),
        pair.alias("_pair"),
        terms["_ded0"].gather(number),
        terms["_oop0"].gather(number),
        terms["_rate"].gather(number),
        # no copay for a category the plan has none for (nor for an unknown one)
        copays.gather(number.cast(pl.Int64) * (len(_CATEGORIES) + 1) + work["_cat"]),
    )
    # by chain, then the chain's claims in first-seen order (pair numbers are), paid first
    chains = work["_chain"].gather(work["_pair"].arg_unique())  # by pair number
    order = (
        pl.DataFrame({"_chain": chains}).with_row_index("_n").sort("_chain", maintain_order=True)
    )
    rank = (
        pl.Series([], dtype=pl.Int64)
        .extend_constant(0, chains.len())
        .scatter(order["_n"], pl.int_range(0, chains.len(), dtype=pl.Int64, eager=True))
    )
    key = rank.gather(work["_pair"]) * 2 + work["_group"].cast(pl.Int64)
    work = work.drop(keyed_names)
    if not key.is_sorted():
        work = work.sort(key, maintain_order=True)
    chain_start = _starts("_chain")
    pair_start = _starts("_pair")
    allowed = pl.col("_allowed")
    eligible = (allowed > 0) & (pl.col("_copay_amount") > 0)
    width = len(_CATEGORIES) + 1
    copay_key = (pl.col("_pair") * 2 + pl.col("_group").cast(pl.Int64)) * width + pl.col("_cat")
    first = pl.when(eligible).then(copay_key).is_first_distinct()
    work = work.with_columns(chain_start.alias("_chain_start"), pair_start.alias("_pair_start"))
    work = work.with_columns(
        pl.when(eligible & first)
        .then(pl.min_horizontal(pl.col("_copay_amount"), allowed))
        .otherwise(0)
        .alias("_copay")
    )
    work = _running(work.with_columns((allowed - pl.col("_copay")).alias("_base")), "_base", "_s")
    work = work.with_columns(
        (
            pl.min_horizontal(pl.col("_ded0"), pl.col("_s"))
            - pl.min_horizontal(pl.col("_ded0"), pl.col("_s") - pl.col("_base"))
        ).alias("_ded")
    )
    rest = (pl.col("_base") - pl.col("_ded")) * pl.col("_rate")
    work = work.with_columns((round_div(rest, rate_den) if rate_den > 1 else rest).alias("_coins"))
    work = _running(
        work.with_columns((pl.col("_copay") + pl.col("_ded") + pl.col("_coins")).alias("_all")),
        "_all",
        "_t",
    )
    uncapped = pl.col("_oop0").is_null()
    left = pl.max_horizontal(
        pl.col("_oop0") - (pl.col("_t") - pl.col("_all")), pl.lit(0, dtype=pl.Int64)
    )
    work = work.with_columns(left.alias("_left")).with_columns(
        pl.when(uncapped)
        .then(pl.col("_copay"))
        .otherwise(pl.min_horizontal(pl.col("_copay"), pl.col("_left")))
        .alias("_copay")
    )
    work = work.with_columns(
        pl.when(uncapped)
        .then(pl.col("_ded"))
        .otherwise(pl.min_horizontal(pl.col("_ded"), pl.col("_left") - pl.col("_copay")))
        .alias("_ded")
    )
    work = work.with_columns(
        pl.when(uncapped)
        .then(pl.col("_coins"))
        .otherwise(
            pl.min_horizontal(pl.col("_coins"), pl.col("_left") - pl.col("_copay") - pl.col("_ded"))
        )
        .alias("_coins")
    )
    share = pl.col("_copay") + pl.col("_ded") + pl.col("_coins")
    if sequestration:
        num, den = scaled(SEQUESTRATION)
        cut = round_div((allowed - share) * num, den)  # CARC 253: 2% off the payment
    else:
        cut = pl.lit(0, dtype=pl.Int64)
    shares = work.select("_position", share.alias("_expected_share"), cut.alias("_cut"))
    positions = shares["_position"]
    out_share = pl.Series([], dtype=pl.Int64).extend_constant(None, frame.height)
    out_cut = pl.Series([], dtype=pl.Int64).extend_constant(None, frame.height)
    return pl.DataFrame(
        {
            "_expected_share": out_share.scatter(positions, shares["_expected_share"]),
            "_cut": out_cut.scatter(positions, shares["_cut"]),
        }
    )


def _one_member_per_claim(member: pl.Series, claim: pl.Series) -> bool:
    """Whether every line of a claim id has the same member (then the claim numbers
    number the (member, claim) pairs already)."""
    first = claim.arg_unique()
    owner = pl.Series([], dtype=pl.UInt32).extend_constant(0, first.len())
    owner = owner.scatter(claim.gather(first), member.gather(first))
    return bool((owner.gather(claim) == member).all())


def _starts(key: str) -> pl.Expr:
    """Whether each row (of rows sorted by ``key``) is the first of its ``key``."""
    column = pl.col(key)
    return column.ne_missing(column.shift(1)) | (pl.int_range(pl.len()) == 0)


def _within(value: pl.Expr, start: str) -> pl.Expr:
    """The cumulative sum of ``value`` (non-null integers) within each run whose first row
    ``start`` flags: the running total less the total before the run's first row."""
    total = value.cum_sum()
    return total - pl.when(pl.col(start)).then(total - value).forward_fill()


def _running(work: pl.DataFrame, amount: str, name: str) -> pl.DataFrame:
    """``work`` with the running sum of ``amount`` through each line (rows sorted): a paid
    line's over the member's paid lines; a denied line's from its claim's paid lines'
    total (the paid running sum there: a claim's paid lines come first) plus the claim's
    denied lines through it."""
    value = pl.col(amount)
    paid = pl.col("_group") == 0
    through = _within(pl.when(paid).then(value).otherwise(0), "_chain_start")
    more = _within(pl.when(paid).then(0).otherwise(value), "_pair_start")
    return work.with_columns(pl.when(paid).then(through).otherwise(through + more).alias(name))
