"""What the patient owes: cost sharing, coordination of benefits, Medicare adjudication.

Cost sharing (per line, in claim order): the copay of the service category first (once
per category per claim, at most the line's allowed amount), then the deductible still
open, then coinsurance on the rest; the patient's share is capped at what remains of the
out-of-pocket maximum (copays, deductible and coinsurance all count toward it).
Coinsurance is rounded half-up to the cent per line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Final, Protocol

import attrs

from medbill._deprecation import renamed_attributes
from medbill._errors import ValidationError
from medbill._money import ZERO, round_cents
from medbill._parties import (
    Accumulators,
    Benefits,
    CobMethod,
    Coverage,
    PayerKind,
    ServiceCategory,
)
from medbill.fees._trace import Trace, TraceStep

__all__ = [
    "MEDICARE_COINSURANCE",
    "SEQUESTRATION",
    "AllowedLine",
    "CobMethod",
    "CoordinatedPayment",
    "LineShare",
    "MedicareEstimate",
    "Priced",
    "Responsibility",
    "SecondaryPayment",
    "estimate_responsibility",
    "medicare_payment",
    "medicare_secondary_payment",
    "secondary_payment",
    "split_shares",
]

# Budget Control Act of 2011 sequestration: 2% off Medicare FFS payments after deductible,
# coinsurance and MSP are applied (CMS MLN "Mandatory Payment Reductions", 2013 onward).
SEQUESTRATION: Final = Decimal("0.02")
MEDICARE_COINSURANCE: Final = Decimal("0.20")  # 42 CFR 410.152: Part B pays 80%


class AllowedLine(Protocol):
    """A priced line as the estimate reads it: its ``line_id`` and ``allowed`` amount
    (a :class:`~medbill.fees.PricedLine`, a contract's :class:`~medbill.fees.ExpectedLine`)."""

    @property
    def line_id(self) -> str | None: ...
    @property
    def allowed(self) -> Decimal: ...


class Priced(Protocol):
    """What :func:`estimate_responsibility` prices from: anything with ``lines`` of
    :class:`AllowedLine` (a :class:`~medbill.fees.PricedClaim` from a fee schedule, a
    contract's :class:`~medbill.fees.ContractPricing`)."""

    @property
    def lines(self) -> Sequence[AllowedLine]: ...


@renamed_attributes(patient="patient_share")
@attrs.frozen(kw_only=True)
class LineShare:
    """One line's split between the patient (copay, deductible, coinsurance) and the plan.

    >>> from decimal import Decimal as D
    >>> share = LineShare(line_id="1", allowed=D("100.00"), copay=D("20.00"),
    ...                   deductible=D("30.00"), coinsurance=D("10.00"))
    >>> share.patient_share, share.plan, share.payment
    (Decimal('60.00'), Decimal('40.00'), Decimal('40.00'))
    """

    line_id: str | None
    allowed: Decimal
    copay: Decimal
    deductible: Decimal
    coinsurance: Decimal
    sequestration: Decimal = ZERO

    @property
    def patient_share(self) -> Decimal:
        """Copay + deductible + coinsurance."""
        return self.copay + self.deductible + self.coinsurance

    @property
    def plan(self) -> Decimal:
        """Allowed minus the patient's share (the plan's share before sequestration)."""
        return self.allowed - self.patient_share

    @property
    def payment(self) -> Decimal:
        """What the plan pays: its share minus any Medicare sequestration reduction."""
        return self.plan - self.sequestration


@attrs.frozen(kw_only=True)
class Responsibility:
    """The estimate: per-line shares, totals and the accumulators after this claim.

    >>> from decimal import Decimal as D
    >>> from medbill import Accumulators
    >>> result = Responsibility(lines=(LineShare(line_id="1", allowed=D("100.00"),
    ...     copay=D("0.00"), deductible=D("0.00"), coinsurance=D("20.00")),),
    ...     accumulators=Accumulators(), trace=Trace())
    >>> result.patient_total, result.plan_total
    (Decimal('20.00'), Decimal('80.00'))
    """

    lines: tuple[LineShare, ...]
    accumulators: Accumulators
    trace: Trace
    coordination: tuple[CoordinatedPayment, ...] = ()
    """What each later payer (secondary, tertiary) pays under its COB method."""

    @property
    def primary_patient_total(self) -> Decimal:
        """The patient's share after the primary payer only (copay + deductible + coinsurance)."""
        return sum((line.patient_share for line in self.lines), ZERO)

    @property
    def patient_total(self) -> Decimal:
        """What the patient owes for the claim after every payer."""
        return max(self.primary_patient_total - self.secondary_total, ZERO)

    @property
    def secondary_total(self) -> Decimal:
        """What the payers after the primary pay, together."""
        return sum((c.paid for c in self.coordination), ZERO)

    @property
    def plan_total(self) -> Decimal:
        """The plan's share of the claim (before any sequestration)."""
        return sum((line.plan for line in self.lines), ZERO)

    @property
    def payment_total(self) -> Decimal:
        """What the plan pays for the claim, after any sequestration."""
        return sum((line.payment for line in self.lines), ZERO)


@attrs.frozen(kw_only=True)
class CoordinatedPayment:
    """A later payer's share of the claim under its coordination-of-benefits method.

    >>> from decimal import Decimal as D
    >>> CoordinatedPayment(payer_id="medigap", priority="secondary",
    ...     method=CobMethod.MEDICARE_SUPPLEMENT, paid=D("26.10"), trace=Trace()).paid
    Decimal('26.10')
    """

    payer_id: str
    priority: str
    method: CobMethod
    paid: Decimal
    trace: Trace


def _coordinate(
    later: Coverage,
    allowed: Sequence[tuple[str | None, Decimal]],
    primary: Sequence[LineShare],
    paid_before: Decimal,
    left: Decimal,
    category: ServiceCategory,
    categories: Mapping[str, ServiceCategory] | None,
) -> CoordinatedPayment:
    """``later``'s payment of what is ``left`` of the patient's share after earlier payers.

    The secondary's allowed amount is taken equal to the primary's (one priced claim)."""
    method = later.cob_method or CobMethod.STANDARD
    if method is CobMethod.MEDICARE_SUPPLEMENT:
        # The supplement applies its own cost sharing to Medicare's, line by line.
        own = split_shares(
            [(share.line_id, share.patient_share) for share in primary],
            later.benefits, later.accumulators, category=category, categories=categories,
        )  # fmt: skip
        kept = sum((s.patient_share for s in own), ZERO)
        paid = min(max(left - kept, ZERO), left)
        trace = Trace(
            (
                TraceStep("Medicare cost sharing", "copay + deductible + coinsurance", left),
                TraceStep("supplement's own cost sharing", "its benefits on that", kept),
                TraceStep(method.value, f"{left} - {kept}", paid),
            )
        )
    else:
        total = sum((a for _, a in allowed), ZERO)
        normal = split_shares(
            allowed, later.benefits, later.accumulators, category=category, categories=categories
        )
        benefit = sum((s.plan for s in normal), ZERO)
        found = secondary_payment(
            method, primary_allowed=total, primary_paid=paid_before,
            secondary_allowed=total, secondary_normal_benefit=benefit,
        )  # fmt: skip
        paid = min(found.amount, left)
        trace = found.trace
    return CoordinatedPayment(
        payer_id=str(later.payer.id),
        priority=later.priority.value,
        method=method,
        paid=paid,
        trace=trace,
    )


def estimate_responsibility(
    priced: Priced,
    coverage: Coverage | Sequence[Coverage],
    *,
    category: ServiceCategory = ServiceCategory.OFFICE_VISIT,
    categories: Mapping[str, ServiceCategory] | None = None,
    accumulators: Accumulators | None = None,
    sequestration: bool | None = None,
) -> Responsibility:
    """Split each line's allowed amount between patient and plan under ``coverage``.

    ``coverage`` may be all the patient's coverages: they are ranked by priority, the
    primary's benefits split each line, and each later payer then pays under its
    ``cob_method`` (see :class:`~medbill.CobMethod`), in turn, out of what is left of the
    patient's share; ``patient_total`` is the share after every payer.

    ``priced`` is a :class:`PricedClaim` or a :class:`ContractPricing` (anything whose
    ``lines`` have ``line_id`` and ``allowed``). ``categories`` maps line ids to service
    categories for copays (default ``category``); ``accumulators`` defaults to the
    coverage's own. ``sequestration`` (default: when the payer is Medicare) reduces the
    plan's payment by 2% after cost sharing, rounded half-up per line.

    >>> import pendulum
    >>> from decimal import Decimal
    >>> from medbill import Accumulators, Benefits, Coverage, Payer, Period
    >>> from medbill.fees import PricedClaim, PricedLine, estimate_responsibility
    >>> plan = Benefits(deductible=Decimal("500.00"), coinsurance=Decimal("0.20"),
    ...                 out_of_pocket_max=Decimal("3000.00"))
    >>> coverage = Coverage(id="cov-1", patient_id="MRN-1", member_id="W1234567",
    ...     payer=Payer(id="acme", name="Acme", kind="commercial"), priority="primary",
    ...     effective=Period(pendulum.date(2025, 1, 1)), benefits=plan,
    ...     accumulators=Accumulators(deductible_met=Decimal("400.00")))
    >>> claim = PricedClaim(claim_id="c-1", lines=(PricedLine(code="99213",
    ...     allowed=Decimal("250.00"), unit_fee=Decimal("250.00"),
    ...     service_date=pendulum.date(2025, 3, 4), line_id="1"),))
    >>> result = estimate_responsibility(claim, coverage)
    >>> share = result.lines[0]
    >>> share.deductible, share.coinsurance, share.patient_share, share.plan
    (Decimal('100.00'), Decimal('30.00'), Decimal('130.00'), Decimal('120.00'))
    >>> result.accumulators.deductible_met, result.accumulators.out_of_pocket_met
    (Decimal('500.00'), Decimal('130.00'))
    """
    if isinstance(coverage, Coverage):
        ranked = [coverage]
    else:
        ranked = sorted(coverage, key=lambda c: c.priority.rank)
        if not ranked:
            raise ValidationError("coverage", coverage, "needs at least one coverage")
    coverage, later = ranked[0], ranked[1:]
    benefits = coverage.benefits
    acc = accumulators or coverage.accumulators
    if sequestration is None:
        sequestration = coverage.payer.kind is PayerKind.MEDICARE
    lines = []
    for index, line in enumerate(priced.lines):
        if line.allowed < 0:
            raise ValidationError(f"lines[{index}].allowed", line.allowed, "must not be negative")
        lines.append((line.line_id, line.allowed))
    shares = split_shares(
        lines,
        benefits,
        acc,
        sequestration=sequestration,
        category=category,
        categories=categories,
    )
    trace = Trace(
        tuple(
            TraceStep(
                f"line {share.line_id}",
                f"allowed {share.allowed}: copay {share.copay}, deductible {share.deductible}, "
                f"coinsurance {share.coinsurance} ({benefits.coinsurance:%}), plan {share.plan}"
                + (
                    f", sequestration {share.sequestration}, paid {share.payment}"
                    if sequestration
                    else ""
                ),
                share.patient_share,
            )
            for share in shares
        )
    )
    paid = sum((s.patient_share for s in shares), ZERO)
    updated = acc.plus(deductible=sum((s.deductible for s in shares), ZERO), out_of_pocket=paid)
    coordination: list[CoordinatedPayment] = []
    paid_before = sum((s.payment for s in shares), ZERO)
    left = paid
    for other in later:
        found = _coordinate(other, lines, shares, paid_before, left, category, categories)
        coordination.append(found)
        paid_before += found.paid
        left -= found.paid
    return Responsibility(
        lines=tuple(shares), accumulators=updated, trace=trace, coordination=tuple(coordination)
    )


def split_shares(
    lines: Sequence[tuple[str | None, Decimal]],
    benefits: Benefits,
    accumulators: Accumulators,
    *,
    sequestration: bool = False,
    category: ServiceCategory = ServiceCategory.OFFICE_VISIT,
    categories: Mapping[str, ServiceCategory] | None = None,
) -> list[LineShare]:
    """The cost-sharing rule of this module over ``(line_id, allowed)`` pairs, in order.

    The one implementation behind :func:`estimate_responsibility` and the payment check
    (no trace is built, so it is cheap enough to run on every checked line).
    """
    return [
        LineShare(
            line_id=line_id,
            allowed=allowed,
            copay=copay,
            deductible=deductible,
            coinsurance=coinsurance,
            sequestration=cut,
        )
        for (line_id, allowed), (copay, deductible, coinsurance, cut) in zip(
            lines,
            split_amounts(
                [allowed for _, allowed in lines],
                [line_id for line_id, _ in lines],
                benefits,
                accumulators,
                sequestration=sequestration,
                category=category,
                categories=categories,
            ),
            strict=True,
        )
    ]


def opening_limits(
    benefits: Benefits, accumulators: Accumulators
) -> tuple[Decimal, Decimal | None]:
    """(deductible still open, out-of-pocket left or ``None``) before a claim's lines.

    An embedded family deductible (out-of-pocket maximum) is met for everyone once the
    family's is, even if this person's own is not. Shared by :func:`split_amounts` and the
    batch check's running sums, so both start from the same limits.
    """
    deductible_left = max(benefits.deductible - accumulators.deductible_met, ZERO)
    oop_max = benefits.out_of_pocket_max
    oop_left = None if oop_max is None else max(oop_max - accumulators.out_of_pocket_met, ZERO)
    if benefits.family_deductible is not None:
        family_met = accumulators.family_deductible_met or ZERO
        deductible_left = min(deductible_left, max(benefits.family_deductible - family_met, ZERO))
    if benefits.family_out_of_pocket_max is not None:
        family_paid = accumulators.family_out_of_pocket_met or ZERO
        family_left = max(benefits.family_out_of_pocket_max - family_paid, ZERO)
        oop_left = family_left if oop_left is None else min(oop_left, family_left)
    return deductible_left, oop_left


def split_amounts(
    allowed_amounts: Sequence[Decimal],
    line_ids: Sequence[str | None],
    benefits: Benefits,
    accumulators: Accumulators,
    *,
    sequestration: bool = False,
    category: ServiceCategory = ServiceCategory.OFFICE_VISIT,
    categories: Mapping[str, ServiceCategory] | None = None,
) -> list[tuple[Decimal, Decimal, Decimal, Decimal]]:
    """:func:`split_shares` as ``(copay, deductible, coinsurance, sequestration)`` per
    line (the payment check's hot path builds no :class:`LineShare`)."""
    deductible_left, oop_left = opening_limits(benefits, accumulators)
    rate = benefits.coinsurance
    has_copays = bool(benefits.copays)
    copaid: set[ServiceCategory] = set()
    shares: list[tuple[Decimal, Decimal, Decimal, Decimal]] = []
    for line_id, allowed in zip(line_ids, allowed_amounts, strict=True):
        copay = ZERO
        if has_copays:
            line_category = categories.get(line_id or "", category) if categories else category
            if line_category not in copaid:
                copay = min(benefits.copay_for(line_category), allowed)
                if copay > 0:
                    copaid.add(line_category)
        deductible = min(deductible_left, allowed - copay) if deductible_left else ZERO
        coinsurance = round_cents((allowed - copay - deductible) * rate) if rate else ZERO
        if oop_left is not None:
            copay = min(copay, oop_left)
            oop_left -= copay
            deductible = min(deductible, oop_left)
            oop_left -= deductible
            coinsurance = min(coinsurance, oop_left)
            oop_left -= coinsurance
        deductible_left -= deductible
        cut = ZERO
        if sequestration:
            cut = round_cents((allowed - copay - deductible - coinsurance) * SEQUESTRATION)
        shares.append((copay, deductible, coinsurance, cut))
    return shares


@attrs.frozen(kw_only=True)
class SecondaryPayment:
    """A secondary payer's share and how it was found.

    >>> from decimal import Decimal as D
    >>> SecondaryPayment(amount=D("12.00"), trace=Trace()).amount
    Decimal('12.00')
    """

    amount: Decimal
    trace: Trace


def secondary_payment(
    method: CobMethod,
    *,
    primary_allowed: Decimal,
    primary_paid: Decimal,
    secondary_allowed: Decimal,
    secondary_normal_benefit: Decimal,
) -> SecondaryPayment:
    """The secondary payer's share of one service or claim under ``method``.

    ``secondary_normal_benefit`` is what the secondary would pay were it primary.

    >>> from decimal import Decimal as D
    >>> args = dict(primary_allowed=D("100.00"), primary_paid=D("80.00"),
    ...             secondary_allowed=D("90.00"), secondary_normal_benefit=D("72.00"))
    >>> [secondary_payment(m, **args).amount for m in list(CobMethod)[:3]]
    [Decimal('20.00'), Decimal('0.00'), Decimal('2.00')]
    """
    if method is CobMethod.MEDICARE_SUPPLEMENT:
        raise ValidationError(
            "method",
            method.value,
            "a Medicare supplement pays on Medicare's cost sharing: use estimate_responsibility",
        )
    allowable = max(primary_allowed, secondary_allowed)
    balance = max(allowable - primary_paid, ZERO)
    trace = Trace(
        (
            TraceStep(
                "allowable expense",
                f"higher of {primary_allowed} and {secondary_allowed}",
                allowable,
            ),
            TraceStep("balance", f"{allowable} - primary paid {primary_paid}", balance),
        )
    )
    if method is CobMethod.STANDARD:
        amount = min(secondary_normal_benefit, balance)
        why = f"lesser of normal benefit {secondary_normal_benefit} and balance {balance}"
    elif method is CobMethod.NON_DUPLICATION:
        amount = min(max(secondary_normal_benefit - primary_paid, ZERO), balance)
        why = f"normal benefit {secondary_normal_benefit} - primary paid {primary_paid}"
    else:
        share = max(secondary_allowed - secondary_normal_benefit, ZERO)
        amount = max(balance - share, ZERO)
        why = f"balance {balance} - secondary plan's cost sharing {share}"
    return SecondaryPayment(amount=amount, trace=trace.add(method.value, why, amount))


def medicare_secondary_payment(
    *,
    actual_charge: Decimal,
    primary_paid: Decimal,
    primary_allowed: Decimal,
    medicare_allowed: Decimal,
    medicare_payment: Decimal,
) -> SecondaryPayment:
    """Medicare's payment as secondary payer, 42 CFR 411.33(e): the lowest of

    1. the actual charge (or the amount the provider must accept as payment in full,
       if less) minus the primary's payment;
    2. what Medicare would pay were it primary (``medicare_payment``);
    3. the higher of Medicare's allowed amount and the primary's allowed amount, minus the
       primary's payment.

    >>> from decimal import Decimal as D
    >>> medicare_secondary_payment(actual_charge=D("175.00"), primary_paid=D("120.00"),
    ...     primary_allowed=D("150.00"), medicare_allowed=D("125.00"),
    ...     medicare_payment=D("100.00")).amount
    Decimal('30.00')
    """
    first = max(actual_charge - primary_paid, ZERO)
    higher = max(medicare_allowed, primary_allowed)
    third = max(higher - primary_paid, ZERO)
    amount = min(first, medicare_payment, third)
    trace = Trace(
        (
            TraceStep(
                "411.33(e)(1)", f"charge {actual_charge} - primary paid {primary_paid}", first
            ),
            TraceStep("411.33(e)(2)", "Medicare's payment as primary", medicare_payment),
            TraceStep(
                "411.33(e)(3)",
                f"higher of Medicare allowed {medicare_allowed} and primary allowed "
                f"{primary_allowed}, minus primary paid {primary_paid}",
                third,
            ),
            TraceStep("Medicare secondary payment", "the lowest of the three", amount),
        )
    )
    return SecondaryPayment(amount=amount, trace=trace)


@renamed_attributes(patient="patient_share")
@attrs.frozen(kw_only=True)
class MedicareEstimate:
    """Medicare Part B adjudication of an allowed amount (see :func:`medicare_payment`).

    >>> from decimal import Decimal as D
    >>> medicare_payment(D("50.00")).patient_share
    Decimal('10.00')
    """

    allowed: Decimal
    deductible: Decimal
    coinsurance: Decimal
    before_sequestration: Decimal
    sequestration: Decimal
    payment: Decimal
    trace: Trace

    @property
    def patient_share(self) -> Decimal:
        """Deductible plus coinsurance."""
        return self.deductible + self.coinsurance


def medicare_payment(
    allowed: Decimal,
    *,
    deductible_remaining: Decimal = ZERO,
    coinsurance: Decimal = MEDICARE_COINSURANCE,
    sequestration: bool = True,
) -> MedicareEstimate:
    """Medicare's payment: deductible, then 20% coinsurance, then the 2% sequestration
    reduction on the payment (the patient's share is not reduced).

    >>> from decimal import Decimal as D
    >>> estimate = medicare_payment(D("100.00"), deductible_remaining=D("20.00"))
    >>> estimate.deductible, estimate.coinsurance, estimate.before_sequestration
    (Decimal('20.00'), Decimal('16.00'), Decimal('64.00'))
    >>> estimate.sequestration, estimate.payment
    (Decimal('1.28'), Decimal('62.72'))
    """
    deductible = min(max(deductible_remaining, ZERO), allowed)
    coins = round_cents((allowed - deductible) * coinsurance)
    before = allowed - deductible - coins
    cut = round_cents(before * SEQUESTRATION) if sequestration else ZERO
    trace = Trace(
        (
            TraceStep("Part B deductible", f"{deductible} of {allowed}", deductible),
            TraceStep("coinsurance", f"{coinsurance:%} of {allowed - deductible}", coins),
            TraceStep("payment", f"{allowed} - {deductible} - {coins}", before),
            TraceStep(
                "sequestration",
                f"{SEQUESTRATION:%} of {before}" if sequestration else "not applied",
                before - cut,
            ),
        )
    )
    return MedicareEstimate(
        allowed=allowed,
        deductible=deductible,
        coinsurance=coins,
        before_sequestration=before,
        sequestration=cut,
        payment=before - cut,
        trace=trace,
    )
