"""The contractual-discount check: every paid line against what the contract says it owes.

Per line: the expected allowed amount (from the payer's :class:`~medbill.fees.Contract`,
with its trace), the payer's allowed amount (the allowed amount it reported, AMT*B6, or
else the charge less its contractual adjustments), what it paid, the patient's share, the
variance (payer's allowed − expected allowed, in dollars and percent) and a
:class:`Verdict`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

import attrs
import pendulum

from medbill._encounter import Claim, ClaimLine
from medbill._enums import MedbillEnum
from medbill._errors import PricingError, ValidationError
from medbill._money import ZERO, as_money, as_rate, round_cents
from medbill._parties import Benefits
from medbill._payment import ClaimPayment, LinePayment
from medbill.claims._denials import DenialClassification, classify_denial
from medbill.claims._matching import match_lines
from medbill.codes import AdjustmentGroup
from medbill.fees import Contract, ExpectedLine, Trace

__all__ = [
    "PAYMENT_REDUCTIONS",
    "LineCheck",
    "PaymentCheck",
    "Tolerance",
    "Verdict",
    "check_payment",
]

PAYMENT_REDUCTIONS = frozenset({"253"})
"""CARCs that reduce the payment without reducing the allowed amount: 253 is Medicare's
sequestration (2% of the payment since 2013, Budget Control Act of 2011)."""

_HUNDRED = Decimal(100)
_CO = AdjustmentGroup.CONTRACTUAL_OBLIGATION
_PI = AdjustmentGroup.PAYER_INITIATED_REDUCTION
_PR = AdjustmentGroup.PATIENT_RESPONSIBILITY


class Verdict(MedbillEnum):
    """What the check concluded about a line.

    >>> from medbill.claims import Verdict
    >>> Verdict.UNDERPAID.is_problem, Verdict.CORRECT.is_problem
    (True, False)
    """

    CORRECT = "correct"
    UNDERPAID = "underpaid"
    OVERPAID = "overpaid"
    DENIED_BUT_CONTRACTED = "denied-but-contracted"
    PATIENT_RESPONSIBILITY_MISMATCH = "patient-responsibility-mismatch"
    NOT_COVERED_BY_CONTRACT = "not-covered-by-contract"

    @property
    def is_problem(self) -> bool:
        """Anything but correct: a line for the billing office to look at."""
        return self is not Verdict.CORRECT


def _money(value: object) -> Decimal:
    return as_money(value, "amount", signed=False)


def _optional_rate(value: object) -> Decimal | None:
    return None if value is None else as_rate(value, "percent")


@attrs.frozen(kw_only=True)
class Tolerance:
    """How far a variance may go before it counts: ``amount`` dollars, or ``percent`` of the
    expected allowed amount (either one forgives). The default tolerates nothing.

    >>> from decimal import Decimal
    >>> from medbill.claims import Tolerance
    >>> loose = Tolerance(amount=Decimal("1.00"), percent=Decimal("2"))
    >>> loose.allows(Decimal("-1.50"), Decimal("100.00")), loose.allows(Decimal("-2.50"), Decimal("100.00"))
    (True, False)
    """

    amount: Decimal = attrs.field(default=ZERO, converter=_money)
    percent: Decimal | None = attrs.field(default=None, converter=_optional_rate)

    def allows(self, variance: Decimal, expected: Decimal) -> bool:
        """Whether ``variance`` against ``expected`` is within tolerance."""
        size = abs(variance)
        if size <= self.amount:
            return True
        return self.percent is not None and size * _HUNDRED <= self.percent * abs(expected)


def _percent(variance: Decimal, expected: Decimal | None) -> Decimal | None:
    if expected is None or expected == ZERO:
        return None
    return round_cents(variance * _HUNDRED / expected)


@attrs.frozen(kw_only=True)
class LineCheck:
    """The check of one line: expected against actual, the variance and the verdict.

    ``variance`` is the payer's allowed amount minus the expected allowed amount (negative
    means underpaid); ``variance_percent`` is it as a percentage of the expected amount,
    rounded half-up to the cent. ``expected_allowed`` and ``trace`` are ``None`` when no
    contract term covers the line. :func:`check_payment` builds them.

    >>> from medbill.claims import LineCheck
    >>> [f.name for f in attrs.fields(LineCheck)][:4]
    ['claim_id', 'line_id', 'procedure', 'modifiers']
    """

    claim_id: str
    line_id: str
    procedure: str
    modifiers: tuple[str, ...]
    service_date: pendulum.Date
    billed: Decimal
    expected_allowed: Decimal | None
    term: str | None
    trace: Trace | None
    payer_allowed: Decimal
    paid: Decimal
    patient_responsibility: Decimal
    variance: Decimal
    variance_percent: Decimal | None
    verdict: Verdict
    reason: str
    denial: DenialClassification | None = None

    @property
    def underpayment(self) -> Decimal:
        """How much the payer owes on top (zero unless underpaid or denied-but-contracted)."""
        if self.verdict in {Verdict.UNDERPAID, Verdict.DENIED_BUT_CONTRACTED}:
            return -self.variance if self.variance < ZERO else ZERO
        return ZERO


def _line_checks(values: Iterable[LineCheck]) -> tuple[LineCheck, ...]:
    return tuple(values)


def _line_payments(values: Iterable[LinePayment]) -> tuple[LinePayment, ...]:
    return tuple(values)


@attrs.frozen(kw_only=True)
class PaymentCheck:
    """The check of one claim payment, line by line; ``unmatched`` payment lines are kept.

    >>> from medbill.claims import PaymentCheck
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
        """Sum of the expected allowed amounts of the lines the contract covers."""
        return sum((c.expected_allowed or ZERO for c in self.lines), ZERO)

    @property
    def paid(self) -> Decimal:
        """Sum of the paid amounts of the checked lines."""
        return sum((c.paid for c in self.lines), ZERO)

    @property
    def underpayment(self) -> Decimal:
        """What the payer owes on top, over all lines."""
        return sum((c.underpayment for c in self.lines), ZERO)

    @property
    def problems(self) -> tuple[LineCheck, ...]:
        """The lines whose verdict is not correct."""
        return tuple(c for c in self.lines if c.verdict.is_problem)


def _payer_allowed(payment: LinePayment, reductions: frozenset[str]) -> Decimal:
    if payment.allowed is not None:
        return payment.allowed
    contractual = ZERO
    for adjustment in payment.adjustments:
        group = adjustment.group
        if (group is _CO or group is _PI) and adjustment.reason not in reductions:
            contractual += adjustment.amount
    return payment.charge - contractual


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
                date_of_service=line.service_date,
                modifiers=[str(m) for m in line.modifiers],
                units=line.units,
                line_id=line.line_id,
                place_of_service=str(line.place_of_service or claim.place_of_service),
            )
        except PricingError as error:
            found[line.line_id] = error.reason
    return found


def _coinsurance_problem(
    payment: LinePayment, benefits: Benefits | None, payer_allowed: Decimal, tolerance: Tolerance
) -> str | None:
    # Coinsurance applies to what is left of the allowed amount after the deductible (PR-1)
    # and copay (PR-3): CARC 2 should be the plan's rate of it, rounded to the cent.
    if benefits is None:
        return None
    coinsurance = deductible_and_copay = ZERO
    for adjustment in payment.adjustments:
        if adjustment.group is _PR:
            if adjustment.reason == "2":
                coinsurance += adjustment.amount
            elif adjustment.reason in ("1", "3"):
                deductible_and_copay += adjustment.amount
    if coinsurance == ZERO:
        return None
    base = payer_allowed - deductible_and_copay
    expected = round_cents(base * benefits.coinsurance)
    if tolerance.allows(coinsurance - expected, expected):
        return None
    return (
        f"coinsurance {coinsurance} is not {benefits.coinsurance} x {base} = {expected} "
        "(the plan's benefit)"
    )


def _verdict(
    payment: LinePayment,
    expected: ExpectedLine | str | None,
    payer_allowed: Decimal,
    denial: DenialClassification | None,
    denied: bool,
    tolerance: Tolerance,
    benefits: Benefits | None,
) -> tuple[Verdict, str]:
    if not isinstance(expected, ExpectedLine):
        return (
            Verdict.NOT_COVERED_BY_CONTRACT,
            f"no contract term covers the line: {expected or 'not priced'}",
        )
    allowed = expected.allowed
    variance = payer_allowed - allowed
    if denied and allowed > ZERO:
        why = f" ({denial.category.value})" if denial else ""
        return (
            Verdict.DENIED_BUT_CONTRACTED,
            f"denied{why}, but the contract allows {allowed} ({expected.term})",
        )
    if not tolerance.allows(variance, allowed):
        verdict = Verdict.UNDERPAID if variance < ZERO else Verdict.OVERPAID
        return (
            verdict,
            f"payer allowed {payer_allowed}, contract allows {allowed} ({expected.term})",
        )
    problem = _coinsurance_problem(payment, benefits, payer_allowed, tolerance)
    if problem is not None:
        return Verdict.PATIENT_RESPONSIBILITY_MISMATCH, problem
    return Verdict.CORRECT, f"payer allowed {payer_allowed} as contracted ({expected.term})"


def _check_line(
    claim: Claim,
    line: ClaimLine,
    payment: LinePayment,
    expected: ExpectedLine | str | None,
    tolerance: Tolerance,
    benefits: Benefits | None,
    reductions: frozenset[str],
) -> LineCheck:
    payer_allowed = _payer_allowed(payment, reductions)
    responsibility = payment.patient_responsibility
    denied = payment.paid == ZERO and responsibility == ZERO and payment.charge > ZERO
    denial = classify_denial(payment.adjustments, payment.remarks) if denied else None
    verdict, reason = _verdict(
        payment, expected, payer_allowed, denial, denied, tolerance, benefits
    )
    priced = expected if isinstance(expected, ExpectedLine) else None
    variance = ZERO if priced is None else payer_allowed - priced.allowed
    return LineCheck(
        claim_id=str(claim.id),
        line_id=line.line_id,
        procedure=str(line.procedure),
        modifiers=tuple(str(m) for m in line.modifiers),
        service_date=line.service_date,
        billed=line.charge,
        expected_allowed=None if priced is None else priced.allowed,
        term=None if priced is None else priced.term,
        trace=None if priced is None else priced.trace,
        payer_allowed=payer_allowed,
        paid=payment.paid,
        patient_responsibility=responsibility,
        variance=variance,
        variance_percent=None if priced is None else _percent(variance, priced.allowed),
        verdict=verdict,
        reason=reason,
        denial=denial,
    )


def check_payment(
    claim: Claim,
    claim_payment: ClaimPayment,
    contract: Contract,
    *,
    tolerance: Tolerance | None = None,
    benefits: Benefits | None = None,
    payment_reductions: Sequence[str] = tuple(PAYMENT_REDUCTIONS),
) -> PaymentCheck:
    """Check each adjudicated line of ``claim_payment`` against ``contract``.

    Lines are matched to the claim's lines as in :func:`~medbill.claims.match_remittance`;
    unmatched payment lines are returned in ``unmatched``. ``benefits`` (default: the
    claim's coverage's) is used to check the coinsurance. A reversal is not checked. A
    claim payment without service lines (no 835 SVC loops) cannot be checked line by line:
    its ``lines`` are empty.

    >>> import pendulum
    >>> from decimal import Decimal
    >>> from medbill import Period
    >>> from medbill.claims import check_payment
    >>> from medbill.fees import Contract, FixedRate
    >>> from medbill.testing import make_claim, make_claim_payment
    >>> contract = Contract(payer_id="acme", name="Acme PPO 2025",
    ...                     effective=Period(pendulum.date(2025, 1, 1)),
    ...                     terms=[FixedRate(codes=["99213"], amount="100.00")])
    >>> check = check_payment(make_claim(), make_claim_payment(), contract)
    >>> line = check.lines[0]
    >>> line.expected_allowed, line.payer_allowed, line.verdict.value
    (Decimal('100.00'), Decimal('100.00'), 'correct')
    >>> low = Contract(payer_id="acme", name="Acme PPO 2025",
    ...                effective=Period(pendulum.date(2025, 1, 1)),
    ...                terms=[FixedRate(codes=["99213"], amount="112.50")])
    >>> line = check_payment(make_claim(), make_claim_payment(), low).lines[0]
    >>> line.verdict.value, line.variance, line.variance_percent
    ('underpaid', Decimal('-12.50'), Decimal('-11.11'))
    """
    if claim_payment.claim_id != claim.id:
        raise ValidationError(
            "claim_payment.claim_id", claim_payment.claim_id, f"does not pay claim {claim.id!r}"
        )
    if claim_payment.status.is_reversal:
        raise ValidationError(
            "claim_payment.status", claim_payment.status.value, "a reversal is not checked"
        )
    rules = tolerance or Tolerance()
    if benefits is None and claim.coverage is not None:
        benefits = claim.coverage.benefits
    reductions = frozenset(payment_reductions)
    expected = _expected_lines(claim, contract)
    matched, unmatched = match_lines(claim, claim_payment.lines)
    lines = [
        _check_line(
            claim,
            m.claim_line,
            m.line_payment,
            expected.get(m.claim_line.line_id),
            rules,
            benefits,
            reductions,
        )
        for m in matched
    ]
    return PaymentCheck(
        claim_id=str(claim.id),
        payer_id=str(claim.coverage.payer.id) if claim.coverage else contract.payer_id,
        contract=contract.name,
        lines=lines,
        unmatched=unmatched,
    )
