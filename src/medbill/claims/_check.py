"""The contractual-discount check: every paid line against what the payer owes, to the cent.

Per line (all amounts in dollars, Decimal, two places):

- **allowed terms**: the expected allowed amount (the payer's :class:`~medbill.fees.Contract`,
  with its trace) against the payer's allowed amount (AMT*B6, or else the charge less its
  contractual CO/PI adjustments; payment reductions such as CARC 253 are not counted);
- **patient share**: the expected share (the coverage's :class:`~medbill.Benefits` and
  :class:`~medbill.Accumulators` applied to the expected allowed amounts in claim order:
  copay, then deductible, then coinsurance, capped at the out-of-pocket maximum; the rule
  of :func:`medbill.fees.estimate_responsibility`) against the 835's PR adjustments by
  CARC (3 copay, 1 deductible, 2 coinsurance, any other PR);
- **payment terms**: expected paid = expected allowed − expected patient share − Medicare
  sequestration (2%, CARC 253) − what prior payers paid on the line (never below zero),
  against what the payer paid.

Verdicts, first match wins: a line no contract term prices is ``not-checked`` (with the
reason); a line the payer did not pay for a non-contract reason (eligibility, timely
filing, duplicate, missing information, authorization, medical necessity, bundling,
capitation, non-covered) is ``denied``, with the classification and next action of
:func:`~medbill.claims.classify_denial`; then ``underpaid``/``overpaid`` when the payer's
allowed amount differs from the contract (contract variance); then
``patient-share-too-high``/``patient-share-too-low`` when the payer moved too much or too
little to the patient; ``correct`` otherwise. Totals add payment-terms variance only.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Final, Literal

import attrs
import pendulum

from medbill._common import PayerId
from medbill._encounter import Claim
from medbill._enums import MedbillEnum
from medbill._errors import PricingError, ValidationError
from medbill._money import ZERO, as_money, as_rate, round_cents
from medbill._parties import Accumulators, Benefits, PayerKind, ServiceCategory
from medbill._payment import Adjustment, ClaimPayment, LinePayment
from medbill._trusted import trusted_positional
from medbill.claims._denials import (
    DenialCategory,
    DenialClassification,
    NextAction,
    classify_denial,
)
from medbill.claims._matching import match_lines
from medbill.codes import AdjustmentGroup, Rarc
from medbill.fees import Contract
from medbill.fees._contract import ExpectedLine
from medbill.fees._responsibility import opening_limits, split_amounts
from medbill.fees._trace import Trace

__all__ = [
    "COST_SHARING",
    "PAYMENT_REDUCTIONS",
    "LineCheck",
    "PatientShare",
    "PaymentCheck",
    "Tolerance",
    "Verdict",
    "check_payment",
]

PAYMENT_REDUCTIONS = frozenset({"253"})
"""CARCs that reduce the payment without reducing the allowed amount: 253 is Medicare's
sequestration (2% of the payment since 2013, Budget Control Act of 2011)."""

COST_SHARING: Final = {"3": "copay", "1": "deductible", "2": "coinsurance"}
"""The PR CARCs of ordinary cost sharing (X12 CARC list: 1 deductible, 2 coinsurance,
3 co-payment); any other PR amount is ``other`` (non-covered, billed to the patient...)."""

# CARCs whose presence on an unpaid line names a denial outcome the generic denial table
# folds into a wider category (X12 CARC list): 16 "claim/service lacks information",
# 24 "charges are covered under a capitation agreement/managed care plan".
_OUTCOME_BY_CARC: Final = {"16": "missing-information", "24": "capitation"}

_HUNDRED = Decimal(100)
_RATE_PLACES = Decimal("0.0001")
_CO = AdjustmentGroup.CONTRACTUAL_OBLIGATION
_PI = AdjustmentGroup.PAYER_INITIATED_REDUCTION
_PR = AdjustmentGroup.PATIENT_RESPONSIBILITY


class Verdict(MedbillEnum):
    """What the check concluded about a line.

    Contract variance: ``underpaid``, ``overpaid`` (``correct`` within tolerance);
    patient-share variance: ``patient-share-too-high`` (the payer moved too much to the
    patient), ``patient-share-too-low``; non-contract outcomes: ``denied`` (see
    :attr:`LineCheck.denial`); ``not-checked`` (see :attr:`LineCheck.reason`).

    The names of medbill 0.x stay as deprecated aliases: ``DENIED_BUT_CONTRACTED`` is
    ``DENIED``, ``NOT_COVERED_BY_CONTRACT`` is ``NOT_CHECKED`` and
    ``PATIENT_RESPONSIBILITY_MISMATCH`` is ``PATIENT_SHARE_TOO_HIGH``.

    >>> from medbill.claims import Verdict
    >>> Verdict.UNDERPAID.is_problem, Verdict.CORRECT.is_problem
    (True, False)
    >>> Verdict.UNDERPAID.is_contract_variance, Verdict.DENIED.is_contract_variance
    (True, False)
    """

    CORRECT = "correct"
    UNDERPAID = "underpaid"
    OVERPAID = "overpaid"
    PATIENT_SHARE_TOO_HIGH = "patient-share-too-high"
    PATIENT_SHARE_TOO_LOW = "patient-share-too-low"
    DENIED = "denied"
    NOT_CHECKED = "not-checked"
    # deprecated aliases (same members), kept for one minor release
    DENIED_BUT_CONTRACTED = "denied"
    NOT_COVERED_BY_CONTRACT = "not-checked"
    PATIENT_RESPONSIBILITY_MISMATCH = "patient-share-too-high"

    @property
    def is_problem(self) -> bool:
        """Anything but correct: a line for the billing office to look at."""
        return self is not Verdict.CORRECT

    @property
    def is_contract_variance(self) -> bool:
        """Underpaid or overpaid: the payer's allowed amount is not the contract's."""
        return self is Verdict.UNDERPAID or self is Verdict.OVERPAID

    @property
    def is_patient_share_variance(self) -> bool:
        """The payer moved too much or too little of the allowed amount to the patient."""
        return self is Verdict.PATIENT_SHARE_TOO_HIGH or self is Verdict.PATIENT_SHARE_TOO_LOW


def _money(value: object) -> Decimal:
    return as_money(value, "amount", signed=False)


def _optional_rate(value: object) -> Decimal | None:
    if value is None:
        return None
    rate = as_rate(value, "rate")
    if rate < 0:
        raise ValidationError("rate", value, "must not be negative")
    return rate


def _combine(value: object) -> Literal["or", "and"]:
    if value == "or":
        return "or"
    if value == "and":
        return "and"
    raise ValidationError("combine", value, "must be 'or' or 'and'")


@attrs.frozen(kw_only=True, init=False)
class Tolerance:
    """How far a variance may go before it counts: ``amount`` dollars and/or ``rate`` (a
    Decimal fraction of the expected amount, ``Decimal("0.02")`` is 2 %, as every rate in
    medbill).

    With both thresholds, ``combine="or"`` (the default) forgives a variance within
    *either* one: a line is flagged only when it is off by more than the dollar amount
    *and* more than the rate, which keeps cents on cheap lines and fractions of a percent
    on expensive ones out of the work queue (the "exceeds $X and Y %" rule of contract
    management tools). ``combine="and"`` forgives only within both. The default
    ``Tolerance()`` forgives nothing.

    ``percent=`` (a number of percent points, medbill 0.x) still works with a
    :class:`DeprecationWarning`: ``percent=2`` is ``rate=Decimal("0.02")``.

    >>> from decimal import Decimal
    >>> from medbill.claims import Tolerance
    >>> loose = Tolerance(amount=Decimal("1.00"), rate=Decimal("0.02"))
    >>> loose.allows(Decimal("-1.50"), Decimal("100.00")), loose.allows(Decimal("-2.50"), Decimal("100.00"))
    (True, False)
    >>> strict = Tolerance(amount=Decimal("1.00"), rate=Decimal("0.02"), combine="and")
    >>> strict.allows(Decimal("-1.50"), Decimal("100.00"))
    False
    """

    amount: Decimal | None
    rate: Decimal | None
    combine: Literal["or", "and"]

    def __init__(
        self,
        *,
        amount: Decimal | int | str | None = None,
        rate: Decimal | int | str | None = None,
        combine: Literal["or", "and"] = "or",
        percent: Decimal | int | str | None = None,
    ) -> None:
        if percent is not None:
            warnings.warn(
                "Tolerance(percent=...) counts percent points and is deprecated; pass "
                "rate= as a fraction (percent=2 is rate=Decimal('0.02'))",
                DeprecationWarning,
                stacklevel=2,
            )
            if rate is not None:
                raise ValidationError("percent", percent, "give rate or percent, not both")
            points = _optional_rate(percent)
            rate = None if points is None else points / _HUNDRED
        self.__attrs_init__(
            amount=None if amount is None else _money(amount),
            rate=_optional_rate(rate),
            combine=_combine(combine),
        )

    @property
    def percent(self) -> Decimal | None:
        """Deprecated: the rate in percent points (``rate`` × 100)."""
        return None if self.rate is None else self.rate * _HUNDRED

    def allows(self, variance: Decimal, expected: Decimal) -> bool:
        """Whether ``variance`` against ``expected`` is within tolerance."""
        if not variance:
            return True
        size = abs(variance)
        by_amount = None if self.amount is None else size <= self.amount
        by_rate = None if self.rate is None else size <= self.rate * abs(expected)
        if by_amount is None:
            return bool(by_rate)
        if by_rate is None:
            return by_amount
        return (by_amount or by_rate) if self.combine == "or" else (by_amount and by_rate)


_EXACT: Final = Tolerance()


@attrs.frozen(kw_only=True)
class PatientShare:
    """A patient's share of a line, by kind: copay, deductible, coinsurance, other.

    >>> from decimal import Decimal as D
    >>> from medbill import Adjustment
    >>> share = PatientShare.from_adjustments([
    ...     Adjustment(group="PR", reason="3", amount=D("25.00")),
    ...     Adjustment(group="PR", reason="2", amount=D("11.00")),
    ...     Adjustment(group="CO", reason="45", amount=D("60.00"))])
    >>> share.copay, share.coinsurance, share.total
    (Decimal('25.00'), Decimal('11.00'), Decimal('36.00'))
    """

    copay: Decimal = ZERO
    deductible: Decimal = ZERO
    coinsurance: Decimal = ZERO
    other: Decimal = ZERO
    total: Decimal = attrs.field(init=False, eq=False, repr=False)
    """Everything the patient owes on the line."""

    def __attrs_post_init__(self) -> None:
        object.__setattr__(
            self, "total", self.copay + self.deductible + self.coinsurance + self.other
        )

    @classmethod
    def from_adjustments(cls, adjustments: Iterable[Adjustment]) -> PatientShare:
        """The PR adjustments of an 835 line by CARC (see :data:`COST_SHARING`)."""
        copay = deductible = coinsurance = other = ZERO
        found = False
        for adjustment in adjustments:
            if adjustment.group is _PR:
                found = True
                kind = COST_SHARING.get(adjustment.reason)  # a Carc is a str
                if kind == "coinsurance":
                    coinsurance += adjustment.amount
                elif kind == "deductible":
                    deductible += adjustment.amount
                elif kind == "copay":
                    copay += adjustment.amount
                else:
                    other += adjustment.amount
        if not found:
            return _NO_SHARE
        if cls is PatientShare:
            return _share(copay, deductible, coinsurance, other)
        return cls(copay=copay, deductible=deductible, coinsurance=coinsurance, other=other)

    def describe(self) -> str:
        """``copay 25.00 + deductible 0.00 + coinsurance 11.00 = 36.00`` (other if any)."""
        # {x!s}: str() of a Decimal is its format() with no spec, at a third of the cost
        text = (
            f"copay {self.copay!s} + deductible {self.deductible!s} + "
            f"coinsurance {self.coinsurance!s}"
        )
        if self.other:
            text += f" + other {self.other!s}"
        return f"{text} = {self.total!s}"


_NO_SHARE: Final = PatientShare()
_PATIENT_SHARE: Final = trusted_positional(
    PatientShare, "copay", "deductible", "coinsurance", "other", "total"
)
_DEFAULT_REDUCTIONS: Final = tuple(PAYMENT_REDUCTIONS)


def _rate(variance: Decimal, expected: Decimal | None) -> Decimal | None:
    if expected is None or not expected:
        return None
    return (variance / expected).quantize(_RATE_PLACES)


@attrs.frozen(kw_only=True)
class LineCheck:
    """The check of one line in allowed terms, patient-share terms and payment terms.

    ``allowed_variance`` = payer allowed − expected allowed; ``patient_share_variance`` =
    the 835's patient share − the expected one (positive: too much moved to the
    patient); ``payment_variance`` = paid − expected paid (negative: the payer owes more).
    A ``denied`` line the contract prices keeps its expected amounts (``at_stake`` is what
    overturning the denial would bring) but adds nothing to the underpayment; on
    ``not-checked`` lines the expected amounts are ``None`` and the variances zero.
    :func:`check_payment` builds them.

    >>> [f.name for f in attrs.fields(LineCheck)][:4]
    ['claim_id', 'line_id', 'procedure', 'modifiers']
    """

    claim_id: str
    line_id: str
    procedure: str
    modifiers: tuple[str, ...]
    service_date: pendulum.Date
    payer_id: str
    provider: str | None
    billed: Decimal
    expected_allowed: Decimal | None
    term: str | None
    trace: Trace | None
    payer_allowed: Decimal
    expected_patient_share: PatientShare | None
    payer_patient_share: PatientShare
    prior_paid: Decimal
    expected_paid: Decimal | None
    paid: Decimal
    allowed_variance: Decimal
    patient_share_variance: Decimal
    payment_variance: Decimal
    verdict: Verdict
    reason: str
    denial: DenialClassification | None = None
    outcome: str | None = None

    @property
    def underpayment(self) -> Decimal:
        """What the payer owes on top, in payment terms (underpaid or patient share too
        high; zero otherwise)."""
        verdict = self.verdict
        if (
            verdict is Verdict.UNDERPAID or verdict is Verdict.PATIENT_SHARE_TOO_HIGH
        ) and self.payment_variance < 0:
            return -self.payment_variance
        return ZERO

    @property
    def overpayment(self) -> Decimal:
        """What the payer paid too much, in payment terms (overpaid or patient share too
        low; zero otherwise)."""
        verdict = self.verdict
        if (
            verdict is Verdict.OVERPAID or verdict is Verdict.PATIENT_SHARE_TOO_LOW
        ) and self.payment_variance > 0:
            return self.payment_variance
        return ZERO

    @property
    def at_stake(self) -> Decimal:
        """On a denied line the contract prices: the expected payment not received."""
        if self.verdict is Verdict.DENIED and self.payment_variance < 0:
            return -self.payment_variance
        return ZERO

    @property
    def patient_responsibility(self) -> Decimal:
        """The 835's patient share of the line (all PR adjustments)."""
        return self.payer_patient_share.total

    @property
    def variance(self) -> Decimal:
        """Deprecated: the allowed-terms variance (use ``allowed_variance``)."""
        return self.allowed_variance

    @property
    def allowed_variance_rate(self) -> Decimal | None:
        """``allowed_variance`` as a fraction of the expected allowed amount (4 places)."""
        return _rate(self.allowed_variance, self.expected_allowed)

    @property
    def payment_variance_rate(self) -> Decimal | None:
        """``payment_variance`` as a fraction of the expected payment (4 places)."""
        return _rate(self.payment_variance, self.expected_paid)

    @property
    def variance_percent(self) -> Decimal | None:
        """Deprecated: the allowed variance in percent points, rounded to the cent."""
        rate = _rate(self.allowed_variance, self.expected_allowed)
        if rate is None or self.expected_allowed is None:
            return None
        return (self.allowed_variance * _HUNDRED / self.expected_allowed).quantize(Decimal("0.01"))


_LINE_CHECK: Final = trusted_positional(
    LineCheck, *(field.name for field in attrs.fields(LineCheck))
)


def _line_checks(values: Iterable[LineCheck]) -> tuple[LineCheck, ...]:
    return tuple(values)


def _line_payments(values: Iterable[LinePayment]) -> tuple[LinePayment, ...]:
    return tuple(values)


@attrs.frozen(kw_only=True)
class PaymentCheck:
    """The check of one claim payment, line by line; ``unmatched`` payment lines are kept.

    Totals add payment-terms amounts only: ``underpayment`` and ``overpayment`` sum the
    lines' payment variances on contract and patient-share verdicts; denied and
    not-checked lines add nothing (see :attr:`denials` and :attr:`not_checked`).

    >>> "underpayment" in dir(PaymentCheck)
    True
    """

    claim_id: str
    payer_id: str
    contract: str
    lines: tuple[LineCheck, ...] = attrs.field(converter=_line_checks)
    unmatched: tuple[LinePayment, ...] = attrs.field(default=(), converter=_line_payments)

    @property
    def expected_allowed(self) -> Decimal:
        """Sum of the expected allowed amounts of the checked lines."""
        return sum((c.expected_allowed or ZERO for c in self.lines), ZERO)

    @property
    def expected_paid(self) -> Decimal:
        """Sum of the expected payments of the checked lines."""
        return sum((c.expected_paid or ZERO for c in self.lines), ZERO)

    @property
    def paid(self) -> Decimal:
        """Sum of the paid amounts of the matched lines."""
        return sum((c.paid for c in self.lines), ZERO)

    @property
    def underpayment(self) -> Decimal:
        """What the payer owes on top, in payment terms, over all lines."""
        return sum((c.underpayment for c in self.lines), ZERO)

    @property
    def overpayment(self) -> Decimal:
        """What the payer paid too much, in payment terms, over all lines."""
        return sum((c.overpayment for c in self.lines), ZERO)

    @property
    def at_stake(self) -> Decimal:
        """What the denied lines would bring under the contract were they overturned."""
        return sum((c.at_stake for c in self.lines), ZERO)

    @property
    def problems(self) -> tuple[LineCheck, ...]:
        """The lines whose verdict is not correct."""
        return tuple(c for c in self.lines if c.verdict is not Verdict.CORRECT)

    @property
    def denials(self) -> tuple[LineCheck, ...]:
        """The denied lines, each with its classification and next action."""
        return tuple(c for c in self.lines if c.verdict is Verdict.DENIED)

    @property
    def not_checked(self) -> tuple[LineCheck, ...]:
        """The lines that could not be checked, each with its reason."""
        return tuple(c for c in self.lines if c.verdict is Verdict.NOT_CHECKED)


def _payer_allowed(payment: LinePayment, reductions: frozenset[str]) -> Decimal:
    if payment.allowed is not None:
        return payment.allowed
    contractual = ZERO
    for adjustment in payment.adjustments:
        group = adjustment.group
        if (group is _CO or group is _PI) and adjustment.reason not in reductions:
            contractual += adjustment.amount
    return payment.charge - contractual


_text = str.__str__  # a code's canonical text, as a plain str


def _expected_lines(claim: Claim, contract: Contract) -> dict[str, ExpectedLine | str]:
    # Price the whole claim (claim-level rules such as multiple procedures apply); if one
    # line cannot be priced, price each line alone so the others are still checked.
    try:
        return {e.line_id: e for e in contract.expected_allowed(claim).lines}
    except PricingError:
        pass
    found: dict[str, ExpectedLine | str] = {}
    for line in claim.lines:
        try:
            found[line.line_id] = contract.expected_line(
                code=str(line.procedure),
                billed=line.charge,
                service_date=line.service_date,
                modifiers=[str(m) for m in line.modifiers],
                units=line.units,
                line_id=line.line_id,
                place_of_service=str(line.place_of_service or claim.place_of_service),
            )
        except PricingError as error:
            found[line.line_id] = error.reason
    return found


def denial_of(
    adjustments: Iterable[Adjustment], remarks: Iterable[Rarc | str]
) -> tuple[DenialClassification, str] | None:
    """The classification and outcome of an unpaid line's adjustments and remarks, unless
    they are cost sharing (the one rule of the scalar and the batch checks)."""
    codes = [
        a for a in adjustments if a.amount > 0 and not (a.group is _PR and a.reason in COST_SHARING)
    ]
    if not codes:
        return None
    outcome = next(
        (_OUTCOME_BY_CARC[str(a.reason)] for a in codes if str(a.reason) in _OUTCOME_BY_CARC),
        None,
    )
    denial = classify_denial(codes, remarks)
    if denial is None:
        if outcome != "capitation":
            return None
        # CARC 24: paid under the capitation agreement, not line by line: nothing to
        # collect from this remittance (the denial table counts it as a normal payment).
        denial = DenialClassification(
            category=DenialCategory.OTHER,
            action=NextAction.WRITE_OFF,
            reasons=tuple((f"{a.group.value}-{a.reason}", DenialCategory.OTHER) for a in codes),
        )
    return denial, outcome or denial.category.value


def _prior_paid(claim: Claim, prior_payments: Sequence[ClaimPayment]) -> dict[str, Decimal]:
    paid: dict[str, Decimal] = {}
    for index, prior in enumerate(prior_payments):
        if not isinstance(prior, ClaimPayment):
            raise ValidationError(f"prior_payments[{index}]", prior, "must be a ClaimPayment")
        if prior.paid and not prior.lines:
            raise ValidationError(
                f"prior_payments[{index}]",
                prior.claim_id,
                "has no service lines: the prior payment cannot be taken into account per line",
            )
        for match in match_lines(claim, prior.lines)[0]:
            key = match.claim_line.line_id
            paid[key] = paid.get(key, ZERO) + match.line_payment.paid
    return paid


def _payer_of(claim: Claim, contract: Contract, payer_id: str | None) -> str:
    coverage = claim.coverage
    payer = payer_id if payer_id is not None else (None if coverage is None else coverage.payer.id)
    if payer is None:
        return contract.payer_id
    if payer != contract.payer_id:
        raise PricingError(
            "contract",
            contract.name,
            f"is payer {contract.payer_id!r}'s contract and does not apply to payer {payer!r}",
        )
    if coverage is not None and contract.plan is not None and coverage.plan_name != contract.plan:
        raise PricingError(
            "contract",
            contract.name,
            f"covers plan {contract.plan!r}, not payer {payer!r}'s plan {coverage.plan_name!r}",
        )
    return str(payer)


# (claim id, line id, procedure, modifiers, service date, payer, provider, billed): the
# fields every LineCheck of a line starts with
_Head = tuple[str, str, str, tuple[str, ...], pendulum.Date, str, str | None, Decimal]


def _line_check(
    head: _Head, expected_allowed: Decimal | None, term: str | None, trace: Trace | None,
    payer_allowed: Decimal, expected_share: PatientShare | None, share: PatientShare,
    prior: Decimal, expected_paid: Decimal | None, paid: Decimal, allowed_variance: Decimal,
    share_variance: Decimal, payment_variance: Decimal, verdict: Verdict, reason: str,
    denial: DenialClassification | None, outcome: str | None,
) -> LineCheck:  # fmt: skip
    claim_id, line_id, procedure, modifiers, service_date, payer, provider, billed = head
    return LineCheck(
        claim_id=claim_id,
        line_id=line_id,
        procedure=procedure,
        modifiers=modifiers,
        service_date=service_date,
        payer_id=payer,
        provider=provider,
        billed=billed,
        expected_allowed=expected_allowed,
        term=term,
        trace=trace,
        payer_allowed=payer_allowed,
        expected_patient_share=expected_share,
        payer_patient_share=share,
        prior_paid=prior,
        expected_paid=expected_paid,
        paid=paid,
        allowed_variance=allowed_variance,
        patient_share_variance=share_variance,
        payment_variance=payment_variance,
        verdict=verdict,
        reason=reason,
        denial=denial,
        outcome=outcome,
    )


def _unpriced(
    head: _Head, payer_allowed: Decimal, share: PatientShare, prior: Decimal,
    paid: Decimal, verdict: Verdict, reason: str,
    denial: DenialClassification | None = None, outcome: str | None = None,
) -> LineCheck:  # fmt: skip
    return _line_check(
        head, None, None, None, payer_allowed, None, share, prior, None, paid, ZERO, ZERO,
        ZERO, verdict, reason, denial, outcome,
    )  # fmt: skip


# (position, claim line head, payment, expected, payer allowed, 835 patient share, denial)
_Pending = tuple[
    int,
    _Head,
    LinePayment,
    ExpectedLine,
    Decimal,
    PatientShare,
    tuple[DenialClassification, str] | None,
]


def _share(
    copay: Decimal, deductible: Decimal, coinsurance: Decimal, other: Decimal
) -> PatientShare:
    """A :class:`PatientShare` of amounts already validated (the check's hot path sets the
    fields directly; the public constructor does the same with keywords)."""
    return _PATIENT_SHARE(
        copay, deductible, coinsurance, other, copay + deductible + coinsurance + other
    )


def _expected_shares(
    group: Sequence[_Pending],
    benefits: Benefits | None,
    accumulators: Accumulators | None,
    sequestration: bool,
    category: ServiceCategory,
    categories: Mapping[str, ServiceCategory] | None,
    then: bool,
) -> tuple[list[PatientShare | None], list[Decimal], Accumulators | None]:
    if benefits is None or accumulators is None:
        return [None] * len(group), [ZERO] * len(group), accumulators
    split: list[tuple[Decimal, Decimal, Decimal, Decimal]]
    rate = benefits.coinsurance
    if (
        not benefits.copays
        and not sequestration
        and opening_limits(benefits, accumulators)
        == (
            ZERO,
            None,
        )
    ):
        # Coinsurance alone (no copay, the deductible met, no out-of-pocket maximum, no
        # sequestration): what split_amounts computes then, without its per-line steps.
        # Each line's coinsurance is round((allowed - 0.00 - 0.00) x rate); subtracting
        # zero changes neither the value nor the rounding, except for a -0.00 allowed
        # amount (it becomes 0.00), which keeps the subtraction.
        split = []
        for item in group:
            allowed = item[3].allowed
            if not rate:
                coinsurance = ZERO
            elif allowed:
                coinsurance = round_cents(allowed * rate)
            else:
                coinsurance = round_cents((allowed - ZERO - ZERO) * rate)
            split.append((ZERO, ZERO, coinsurance, ZERO))
    else:
        split = split_amounts(
            [item[3].allowed for item in group],
            [item[1][1] for item in group],
            benefits,
            accumulators,
            sequestration=sequestration,
            category=category,
            categories=categories,
        )
    after = accumulators
    if then:  # the accumulators after these lines, for the lines worked out next
        after = accumulators.plus(
            deductible=sum((s[1] for s in split), ZERO),
            out_of_pocket=sum((s[0] + s[1] + s[2] for s in split), ZERO),
        )
    shares: list[PatientShare | None] = []
    for item, (copay, deductible, coinsurance, _) in zip(group, split, strict=True):
        paid_share = item[5]  # the 835's: when the benefits give the same, the same object
        if not (copay or deductible or coinsurance):
            shares.append(_NO_SHARE)
        elif (
            paid_share.coinsurance == coinsurance
            and paid_share.deductible == deductible
            and paid_share.copay == copay
            and not paid_share.other
        ):
            shares.append(paid_share)
        else:
            shares.append(_share(copay, deductible, coinsurance, ZERO))
    return shares, [s[3] for s in split], after


def _denial_reason(
    classification: DenialClassification, outcome: str, at_stake: Decimal | None
) -> str:
    codes = ", ".join(r for r, _ in classification.reasons)
    stake = "" if at_stake is None else f"; {at_stake!s} at stake under the contract"
    return f"denied ({outcome}): {codes}; next action: {classification.action.value}{stake}"


def _priced_check(
    item: _Pending,
    expected_share: PatientShare | None,
    cut: Decimal,
    prior_paid: Decimal,
    rules: Tolerance,
) -> LineCheck:
    _, head, payment, found, payer_allowed, share, denial = item
    paid = payment.paid
    allowed = found.allowed
    basis = share if expected_share is None else expected_share
    # allowed - total - cut - prior_paid; the ZERO object (no sequestration, no prior
    # payer) is not subtracted: the difference has two places or more (the allowed amount
    # has two), so taking 0.00 off changes neither its value, its places nor its sign
    expected_paid = allowed - basis.total
    if cut is not ZERO:
        expected_paid -= cut
    if prior_paid is not ZERO:
        expected_paid -= prior_paid
    if expected_paid < ZERO:
        expected_paid = ZERO
    allowed_variance = payer_allowed - allowed
    payment_variance = paid - expected_paid
    share_variance = ZERO if expected_share is None else share.total - expected_share.total
    classification = outcome = None
    if denial is not None:
        classification, outcome = denial
        verdict = Verdict.DENIED
        reason = _denial_reason(classification, outcome, expected_paid - paid)
    # what _verdict decides, with the variances computed once
    elif allowed_variance and not rules.allows(allowed_variance, allowed):
        verdict = Verdict.UNDERPAID if allowed_variance < 0 else Verdict.OVERPAID
        reason = (
            f"payer allowed {payer_allowed!s}, contract allows {allowed!s} ({found.term}); "
            f"paid {paid!s}, expected {expected_paid!s}"
        )
    elif (
        expected_share is not None
        and share_variance
        and not rules.allows(share_variance, expected_share.total)
    ):
        verdict = (
            Verdict.PATIENT_SHARE_TOO_HIGH if share_variance > 0 else Verdict.PATIENT_SHARE_TOO_LOW
        )
        reason = (
            f"patient share {share.describe()}; the benefits give "
            f"{expected_share.describe()}; paid {paid!s}, expected {expected_paid!s}"
        )
    elif payment_variance and not rules.allows(payment_variance, expected_paid):
        verdict = Verdict.UNDERPAID if payment_variance < 0 else Verdict.OVERPAID
        reason = f"paid {paid!s}, expected {expected_paid!s} ({found.term})"
    else:
        verdict = Verdict.CORRECT
        reason = f"paid {paid!s} as contracted ({found.term})"
    # LineCheck(claim_id=..., ...) without the constructor's per-field cost: the head's
    # eight values come first, in field order, and every value here is already checked.
    return _LINE_CHECK(
        *head, allowed, found.term, found.trace, payer_allowed, expected_share, share,
        prior_paid, expected_paid, paid, allowed_variance, share_variance, payment_variance,
        verdict, reason, classification, outcome,
    )  # fmt: skip


def check_payment(
    claim: Claim,
    claim_payment: ClaimPayment,
    contract: Contract,
    *,
    tolerance: Tolerance | None = None,
    benefits: Benefits | None = None,
    accumulators: Accumulators | None = None,
    prior_payments: Sequence[ClaimPayment] = (),
    payer_id: PayerId | None = None,
    category: ServiceCategory = ServiceCategory.OFFICE_VISIT,
    categories: Mapping[str, ServiceCategory] | None = None,
    sequestration: bool | None = None,
    payment_reductions: Sequence[str] = _DEFAULT_REDUCTIONS,
) -> PaymentCheck:
    """Check each adjudicated line of ``claim_payment`` against ``contract``, in payment
    terms (see the module documentation for the amounts and verdicts).

    ``contract`` must be the remittance payer's (``payer_id``, default the claim's
    coverage's payer): another payer's contract is a :class:`~medbill.PricingError`
    naming both. ``benefits`` and ``accumulators`` (default: the claim's coverage's, as
    they stood before this claim) give the expected patient share; without either, the
    patient share is not checked and the 835's is taken. ``prior_payments`` are the
    earlier payers' :class:`~medbill.ClaimPayment` of this claim (a secondary's check takes
    the primary's payment off what it owes). ``category``/``categories`` pick the copay
    per line as in :func:`~medbill.fees.estimate_responsibility`; ``sequestration``
    (default: a Medicare payer) takes 2% off the expected payment.

    Lines are matched to the claim's lines as in :func:`~medbill.claims.match_remittance`;
    unmatched payment lines are returned in ``unmatched``. A reversal is not checked. A
    claim payment without service lines (no 835 SVC loops) cannot be checked line by line:
    its ``lines`` are empty.

    >>> import pendulum
    >>> from decimal import Decimal
    >>> from medbill import Benefits, Period
    >>> from medbill.claims import check_payment
    >>> from medbill.fees import Contract, FixedRate
    >>> from medbill.testing import make_claim, make_claim_payment
    >>> contract = Contract(payer_id="acme", name="Acme PPO 2025",
    ...                     effective=Period(pendulum.date(2025, 1, 1)),
    ...                     terms=[FixedRate(codes=["99213"], amount="100.00")])
    >>> plan = Benefits(coinsurance=Decimal("0.20"))  # 20% coinsurance, nothing else
    >>> check = check_payment(make_claim(), make_claim_payment(), contract, benefits=plan)
    >>> line = check.lines[0]
    >>> line.expected_allowed, line.payer_allowed, line.expected_paid, line.paid
    (Decimal('100.00'), Decimal('100.00'), Decimal('80.00'), Decimal('80.00'))
    >>> line.verdict.value
    'correct'
    >>> low = Contract(payer_id="acme", name="Acme PPO 2025",
    ...                effective=Period(pendulum.date(2025, 1, 1)),
    ...                terms=[FixedRate(codes=["99213"], amount="112.50")])
    >>> line = check_payment(make_claim(), make_claim_payment(), low, benefits=plan).lines[0]
    >>> line.verdict.value, line.allowed_variance, line.payment_variance
    ('underpaid', Decimal('-12.50'), Decimal('-10.00'))
    """
    if not isinstance(contract, Contract):
        raise ValidationError("contract", contract, "must be a medbill.fees.Contract")
    if claim_payment.claim_id != claim.id:
        raise ValidationError(
            "claim_payment.claim_id", claim_payment.claim_id, f"does not pay claim {claim.id!r}"
        )
    if claim_payment.status.is_reversal:
        raise ValidationError(
            "claim_payment.status", claim_payment.status.value, "a reversal is not checked"
        )
    payer = _payer_of(claim, contract, payer_id)
    rules = _EXACT if tolerance is None else tolerance
    coverage = claim.coverage
    if benefits is None and coverage is not None:
        benefits = coverage.benefits
    if accumulators is None and coverage is not None:
        accumulators = coverage.accumulators
    if sequestration is None:
        sequestration = coverage is not None and coverage.payer.kind is PayerKind.MEDICARE
    reductions = (
        PAYMENT_REDUCTIONS
        if payment_reductions is _DEFAULT_REDUCTIONS
        else frozenset(payment_reductions)
    )
    prior = _prior_paid(claim, prior_payments) if prior_payments else {}
    expected = _expected_lines(claim, contract)
    claim_lines, paid_lines = claim.lines, claim_payment.lines
    unmatched: tuple[LinePayment, ...] = ()
    if len(paid_lines) == len(claim_lines) and all(
        p.line_id == c.line_id for p, c in zip(paid_lines, claim_lines, strict=True)
    ):  # the usual case: the payer echoed every line item control number, in order
        pairs = list(zip(claim_lines, paid_lines, strict=True))
    else:
        matched, unmatched = match_lines(claim, paid_lines)
        pairs = [(m.claim_line, m.line_payment) for m in matched]
    provider = claim.rendering_provider or claim.billing_provider
    npi = None if provider is None else str(provider.npi)
    claim_id = str(claim.id)
    cost_sharing = COST_SHARING
    checks: list[LineCheck | None] = []
    priced: list[_Pending] = []
    denied: list[_Pending] = []
    for position, (line, payment) in enumerate(pairs):
        line_id = line.line_id
        modifiers = line.modifiers
        head: _Head = (
            claim_id, line_id, _text(line.procedure),
            tuple(map(_text, modifiers)) if modifiers else (), line.service_date, payer, npi,
            line.charge,
        )  # fmt: skip
        # The payer's allowed amount (as _payer_allowed) and the 835's patient share by
        # CARC (as PatientShare.from_adjustments), in one pass over the adjustments.
        contractual = copay = deductible = coinsurance = other = ZERO
        shared = False
        adjustments = payment.adjustments
        for adjustment in adjustments:
            kind_of = adjustment.group
            if kind_of is _PR:
                shared = True
                kind = cost_sharing.get(adjustment.reason)  # a Carc is a str
                if kind == "coinsurance":
                    coinsurance += adjustment.amount
                elif kind == "deductible":
                    deductible += adjustment.amount
                elif kind == "copay":
                    copay += adjustment.amount
                else:
                    other += adjustment.amount
            elif (kind_of is _CO or kind_of is _PI) and adjustment.reason not in reductions:
                contractual += adjustment.amount
        payer_allowed = payment.allowed
        if payer_allowed is None:
            payer_allowed = payment.charge - contractual
        share = _share(copay, deductible, coinsurance, other) if shared else _NO_SHARE
        found = expected.get(line_id)
        # an unpaid line's classification and outcome, unless it is cost sharing
        denial = (
            None
            if payment.paid or payment.charge <= ZERO
            else denial_of(adjustments, payment.remarks)
        )
        if not isinstance(found, ExpectedLine):
            if denial is None:
                verdict = Verdict.NOT_CHECKED
                reason = f"no contract term prices the line: {found or 'not priced'}"
                classification = outcome = None
            else:
                verdict = Verdict.DENIED
                classification, outcome = denial
                reason = _denial_reason(classification, outcome, None)
            checks.append(
                _unpriced(
                    head, payer_allowed, share, prior.get(line_id, ZERO), payment.paid,
                    verdict, reason, classification, outcome,
                )
            )  # fmt: skip
            continue
        checks.append(None)
        item = (position, head, payment, found, payer_allowed, share, denial)
        (priced if denial is None else denied).append(item)
    # Cost sharing runs over the paid lines in claim order, as the payer adjudicated
    # them; a denied line's expected payment (what is at stake if the denial is
    # overturned) is worked out after them, so it never shifts their deductible.
    running = accumulators
    for group in (priced, denied):
        if not group:
            continue
        shares, cuts, running = _expected_shares(
            group,
            benefits,
            running,
            sequestration,
            category,
            categories,
            group is priced and bool(denied),
        )
        for item, expected_share, cut in zip(group, shares, cuts, strict=True):
            checks[item[0]] = _priced_check(
                item, expected_share, cut, prior.get(item[1][1], ZERO) if prior else ZERO, rules
            )
    return PaymentCheck(
        claim_id=claim_id,
        payer_id=payer,
        contract=contract.name,
        lines=[c for c in checks if c is not None],
        unmatched=unmatched,
    )
