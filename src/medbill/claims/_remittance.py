"""Checking and matching a remittance before anything is posted.

First the 835 balancing rules (005010X221A1 section 1.10.2): per service line, charge −
adjustments = paid; per claim, charge − adjustments = paid and patient responsibility =
the sum of PR adjustments; per remittance, claim payments − provider-level adjustments =
the payment. An unbalanced remittance is refused whole. Then each claim payment is matched
to its claim (CLP01 is the claim id the provider sent) and each adjudicated line to a claim
line; whatever cannot be matched goes to the exceptions, never dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs

from medbill._common import ClaimId
from medbill._encounter import Claim
from medbill._enums import MedbillEnum
from medbill._errors import UnbalancedRemittanceError
from medbill._money import ZERO
from medbill._payment import ClaimPayment, LinePayment, Remittance, claim_unbalanced
from medbill.claims._matching import LineMatch, match_lines

__all__ = [
    "ClaimMatch",
    "ExceptionReason",
    "RemittanceException",
    "RemittanceMatch",
    "UnbalancedRemittanceError",
    "check_balanced",
    "match_remittance",
]


def check_balanced(remittance: Remittance) -> None:
    """Raise :class:`UnbalancedRemittanceError` unless every balancing rule holds.

    >>> import pendulum
    >>> from decimal import Decimal
    >>> from medbill import ClaimPayment, Remittance
    >>> from medbill.claims import check_balanced
    >>> era = Remittance(id="EFT-1", payer_name="Aetna", payment_amount=Decimal("80.00"),
    ...     paid_on=pendulum.date(2025, 4, 1), claim_payments=[ClaimPayment(
    ...         claim_id="C-1", status="1", charge=Decimal("100.00"), paid=Decimal("80.00"))])
    >>> check_balanced(era)
    Traceback (most recent call last):
    ...
    medbill.UnbalancedRemittanceError: remittance: does not balance, nothing was posted: claim C-1: charge - adjustments - paid is off by 20.00 (got 'EFT-1')
    """
    if _balanced(remittance):
        return
    found = remittance.imbalances()
    if found:
        raise UnbalancedRemittanceError(remittance.id, found)


def _balanced(remittance: Remittance) -> bool:
    """Whether :meth:`~medbill.Remittance.imbalances` is empty, without building it: the
    same exact sums in one pass (a plan of a large file checks every claim first)."""
    total = ZERO
    for claim in remittance.claim_payments:
        if claim_unbalanced(claim):
            return False
        total += claim.paid
    for provider_adjustment in remittance.provider_adjustments:
        total -= provider_adjustment.amount
    return total == remittance.signed_payment


class ExceptionReason(MedbillEnum):
    """Why part of a remittance could not be matched.

    >>> from medbill.claims import ExceptionReason
    >>> ExceptionReason.UNKNOWN_CLAIM.value
    'unknown-claim'
    """

    UNKNOWN_CLAIM = "unknown-claim"
    UNMATCHED_LINE = "unmatched-line"
    NO_COVERAGE = "no-coverage"
    UNMATCHED_REVERSAL = "unmatched-reversal"
    NOT_CHARGED = "not-charged"
    UNPOSTABLE = "unpostable"


@attrs.frozen(kw_only=True)
class RemittanceException:
    """A claim payment or line payment that matched nothing, kept for a person to work.

    ``position`` is the CLP loop's 1-based position in the remittance (0 when not known);
    ``next_action`` says what a person does next. Its cash waits in unapplied insurance
    cash (suspense) until then.

    >>> from medbill.claims import ExceptionReason
    >>> from medbill.testing import make_claim_payment
    >>> unknown = RemittanceException(reason=ExceptionReason.UNKNOWN_CLAIM,
    ...     claim_payment=make_claim_payment(claim_id="CLM-9999"), message="no claim on file")
    >>> unknown.reason.value, unknown.claim_payment.claim_id, unknown.claim_payment.paid
    ('unknown-claim', 'CLM-9999', Decimal('80.00'))
    """

    reason: ExceptionReason
    claim_payment: ClaimPayment
    line_payment: LinePayment | None = None
    message: str = ""
    position: int = 0
    next_action: str = ""


def _line_matches(values: Iterable[LineMatch]) -> tuple[LineMatch, ...]:
    return tuple(values)


@attrs.frozen(kw_only=True)
class ClaimMatch:
    """A claim, the payer's adjudication of it, and its lines matched.

    >>> from medbill.testing import make_claim, make_claim_payment
    >>> match = ClaimMatch(claim=make_claim(), payment=make_claim_payment(), lines=[])
    >>> match.claim.id == match.payment.claim_id, match.lines
    (True, ())
    """

    claim: Claim
    payment: ClaimPayment
    lines: tuple[LineMatch, ...] = attrs.field(converter=_line_matches)


def _claim_matches(values: Iterable[ClaimMatch]) -> tuple[ClaimMatch, ...]:
    return tuple(values)


def _exceptions(values: Iterable[RemittanceException]) -> tuple[RemittanceException, ...]:
    return tuple(values)


@attrs.frozen(kw_only=True)
class RemittanceMatch:
    """A balanced remittance split into matched claims and exceptions
    (:func:`match_remittance` builds it).

    >>> [f.name for f in attrs.fields(RemittanceMatch)]
    ['remittance', 'matched', 'exceptions']
    """

    remittance: Remittance
    matched: tuple[ClaimMatch, ...] = attrs.field(converter=_claim_matches)
    exceptions: tuple[RemittanceException, ...] = attrs.field(converter=_exceptions)


def _index(claims: Iterable[Claim] | Mapping[ClaimId, Claim]) -> dict[str, Claim]:
    if isinstance(claims, Mapping):
        return {str(k): v for k, v in claims.items()}
    return {str(c.id): c for c in claims}


def match_remittance(
    remittance: Remittance, claims: Iterable[Claim] | Mapping[ClaimId, Claim]
) -> RemittanceMatch:
    """Check the balancing rules, then match claim payments to ``claims`` and lines to lines.

    >>> import pendulum
    >>> from decimal import Decimal
    >>> from medbill import Adjustment, ClaimPayment, Remittance
    >>> from medbill.claims import match_remittance
    >>> from medbill.testing import make_claim, make_claim_line
    >>> era = Remittance(id="EFT-1", payer_name="Aetna", payment_amount=Decimal("0.00"),
    ...     paid_on=pendulum.date(2025, 4, 1), claim_payments=[
    ...         ClaimPayment(claim_id="C-1001", status="4", charge=Decimal("210.00"),
    ...                      paid=Decimal("0.00"), adjustments=[
    ...                          Adjustment(group="CO", reason="50", amount=Decimal("210.00"))]),
    ...         ClaimPayment(claim_id="C-404", status="4", charge=Decimal("0.00"),
    ...                      paid=Decimal("0.00"))])
    >>> claim = make_claim(id="C-1001", lines=[make_claim_line(charge=Decimal("210.00"))])
    >>> result = match_remittance(era, [claim])
    >>> [m.claim.id for m in result.matched], [e.reason.name for e in result.exceptions]
    (['C-1001'], ['UNKNOWN_CLAIM'])
    """
    check_balanced(remittance)
    by_id = _index(claims)
    matched: list[ClaimMatch] = []
    exceptions: list[RemittanceException] = []
    for payment in remittance.claim_payments:
        claim = by_id.get(str(payment.claim_id))
        if claim is None:
            exceptions.append(
                RemittanceException(
                    reason=ExceptionReason.UNKNOWN_CLAIM,
                    claim_payment=payment,
                    message=f"no claim {payment.claim_id!r} among the claims given",
                )
            )
            continue
        lines, unmatched = match_lines(claim, payment.lines)
        matched.append(ClaimMatch(claim=claim, payment=payment, lines=lines))
        for line in unmatched:
            exceptions.append(
                RemittanceException(
                    reason=ExceptionReason.UNMATCHED_LINE,
                    claim_payment=payment,
                    line_payment=line,
                    message=f"no line of claim {claim.id!r} matches "
                    f"{line.procedure or line.revenue_code} "
                    f"{'-'.join(map(str, line.modifiers))} on {line.service_date or 'any date'}",
                )
            )
    return RemittanceMatch(remittance=remittance, matched=matched, exceptions=exceptions)
