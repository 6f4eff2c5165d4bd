"""The payer's side of a test: adjudicate a claim into the ``ClaimPayment`` an 835 carries.

Integrators testing remittance posting need the payer's answer to their own claims; this
builds it from the same rules medbill checks payments with, so the result balances by
construction (005010X221A1 section 1.10.2: per line, charge − adjustments = paid; per claim,
CLP04 = the lines' payments and CLP05 = the PR adjustments):

* the allowed amount of each line comes from the contract (``Contract.expected_allowed``)
  or the fee schedule (``price_claim``), never more than the line's charge;
* CO-45 (charge exceeds the fee schedule / contracted amount) carries charge − allowed;
* the patient's share is split by the cost-sharing rule of ``medbill.fees``
  (``estimate_responsibility``: copay, deductible, coinsurance, out-of-pocket maximum) into
  PR-3 (copay), PR-1 (deductible) and PR-2 (coinsurance); for Medicare, CO-253 carries the
  2% sequestration reduction;
* a denied line pays nothing and carries its whole charge under the CARC given (CO by
  default; ``"PR-204"`` assigns it to the patient);
* ``reverse=True`` gives the payer's reversal of that payment: CLP02 = 22 with every amount
  negated (TR3 1.10.2, "Reversals and Corrections").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from medbill._encounter import Claim, ClaimLine
from medbill._errors import ValidationError
from medbill._money import ZERO
from medbill._parties import Accumulators, Benefits, PayerKind
from medbill._payment import Adjustment, ClaimPayment, LinePayment, PayerClaimStatus
from medbill.fees import Contract, FeeSchedule, Locality, MedicareFeeSchedule
from medbill.fees._responsibility import split_shares

__all__ = ["adjudicate"]

Pricing = Contract | FeeSchedule | MedicareFeeSchedule

# 005010X221A1 CLP06 (claim filing indicator) codes for the payer kinds that have one
_CLP06 = {
    "medicare": "MB",
    "medicaid": "MC",
    "medicare-advantage": "16",
    "tricare": "CH",
    "workers-comp": "WC",
    "auto": "AM",
}


def _allowed(claim: Claim, pricing: Pricing, locality: Locality | None) -> dict[str, Decimal]:
    if isinstance(pricing, Contract):
        lines: Sequence[Any] = pricing.expected_allowed(claim).lines
    elif isinstance(pricing, MedicareFeeSchedule):
        if locality is None:
            raise ValidationError("locality", None, "is required to price with a Medicare schedule")
        lines = pricing.price_claim(claim, locality=locality).lines
    elif isinstance(pricing, FeeSchedule):
        lines = pricing.price_claim(claim).lines
    else:
        raise ValidationError(
            "contract_or_schedule",
            pricing,
            "must be a Contract, FeeSchedule or MedicareFeeSchedule",
        )
    charges = {line.line_id: line.charge for line in claim.lines}
    return {str(p.line_id): min(p.allowed, charges[str(p.line_id)]) for p in lines}


def _denials(claim: Claim, deny: str | Mapping[str, str] | None) -> dict[str, Adjustment]:
    if deny is None:
        return {}
    by_line = {line.line_id: deny for line in claim.lines} if isinstance(deny, str) else deny
    found = {}
    for line_id, code in by_line.items():
        claim.line(line_id)  # an unknown line id is an error, not a silent no-op
        group, _, reason = code.rpartition("-")
        line = claim.line(line_id)
        found[line_id] = Adjustment(group=group or "CO", reason=reason, amount=line.charge)
    return found


def _negated(payment: ClaimPayment) -> ClaimPayment:
    def adjustments(values: Sequence[Adjustment]) -> list[Adjustment]:
        return [attrs.evolve(a, amount=-a.amount) for a in values]

    return attrs.evolve(
        payment,
        status=PayerClaimStatus.REVERSAL,
        charge=-payment.charge,
        paid=-payment.paid,
        patient_responsibility=-payment.patient_responsibility,
        allowed=None if payment.allowed is None else -payment.allowed,
        adjustments=adjustments(payment.adjustments),
        lines=[
            attrs.evolve(
                line,
                charge=-line.charge,
                paid=-line.paid,
                allowed=None if line.allowed is None else -line.allowed,
                adjustments=adjustments(line.adjustments),
            )
            for line in payment.lines
        ],
    )


def _line_payment(
    line: ClaimLine, allowed: Decimal, paid: Decimal, adjustments: list[Adjustment]
) -> LinePayment:
    return LinePayment(
        line_id=line.line_id,
        procedure=line.procedure,
        modifiers=line.modifiers,
        charge=line.charge,
        allowed=allowed,
        paid=paid,
        units_billed=line.units,
        service_date=line.service_date,
        service_date_end=None if line.service_period is None else line.last_service_date,
        adjustments=[a for a in adjustments if a.amount],
    )


def adjudicate(
    claim: Claim,
    contract_or_schedule: Pricing,
    benefits: Benefits | None = None,
    *,
    deny: str | Mapping[str, str] | None = None,
    reverse: bool = False,
    locality: Locality | None = None,
    accumulators: Accumulators | None = None,
    **overrides: Any,
) -> ClaimPayment:
    """The payer's balanced adjudication of ``claim``, as a test 835 would carry it.

    ``benefits`` defaults to those of the claim's coverage, ``accumulators`` to the
    coverage's; ``locality`` is needed with a :class:`~medbill.fees.MedicareFeeSchedule`.
    ``deny`` is a CARC for every line (``"50"``, or ``"PR-204"`` for a patient-assigned
    denial) or a mapping of line ids to CARCs. ``overrides`` set other ``ClaimPayment``
    fields (``payer_claim_control_number`` defaults to ``"PCN-0001"``).

    >>> from decimal import Decimal
    >>> from medbill.fees import FeeSchedule
    >>> from medbill.testing import adjudicate, make_benefits, make_claim
    >>> schedule = FeeSchedule.from_csv_text(
    ...     "code,modifier,amount,valid_from,valid_to\\n99213,,95.00,2025-01-01,\\n")
    >>> # allowed 95.00 of 150.00 billed; copay 25.00, deductible met, 20% of the other 70.00
    >>> payment = adjudicate(make_claim(), schedule, make_benefits(deductible=Decimal("0.00")))
    >>> [f"{a.group.value}-{a.reason} {a.amount}" for a in payment.lines[0].adjustments]
    ['CO-45 55.00', 'PR-3 25.00', 'PR-2 14.00']
    >>> payment.paid, payment.patient_responsibility, payment.imbalance
    (Decimal('56.00'), Decimal('39.00'), Decimal('0.00'))
    >>> adjudicate(make_claim(), schedule, deny="50").lines[0].adjustments
    (Adjustment(group=<AdjustmentGroup.CONTRACTUAL_OBLIGATION: 'CO'>, reason=Carc('50'), amount=Decimal('150.00'), quantity=None),)
    """
    coverage = claim.coverage
    if coverage is None:
        raise ValidationError(
            "claim.coverage", None, "a self-pay claim has no payer to adjudicate it"
        )
    denials = _denials(claim, deny)
    paying = [line for line in claim.lines if line.line_id not in denials]
    allowed: dict[str, Decimal] = {}
    if paying:  # price the paid lines only: a claim-level rule never counts a denied line
        paid_part = attrs.evolve(
            claim, lines=paying, total_charge=sum((line.charge for line in paying), ZERO)
        )
        allowed = _allowed(paid_part, contract_or_schedule, locality)
    shares = split_shares(
        [(line.line_id, allowed[line.line_id]) for line in paying],
        benefits or coverage.benefits,
        accumulators or coverage.accumulators,
        sequestration=coverage.payer.kind is PayerKind.MEDICARE,
    )
    share_of = {share.line_id: share for share in shares}
    lines = []
    for line in claim.lines:
        if line.line_id in denials:
            lines.append(_line_payment(line, ZERO, ZERO, [denials[line.line_id]]))
            continue
        share = share_of[line.line_id]
        adjustments = [
            Adjustment(group="CO", reason="45", amount=line.charge - share.allowed),
            Adjustment(group="PR", reason="3", amount=share.copay),
            Adjustment(group="PR", reason="1", amount=share.deductible),
            Adjustment(group="PR", reason="2", amount=share.coinsurance),
            Adjustment(group="CO", reason="253", amount=share.sequestration),
        ]
        lines.append(_line_payment(line, share.allowed, share.payment, adjustments))
    status = (
        PayerClaimStatus.DENIED if not paying else PayerClaimStatus(str(coverage.priority.rank))
    )
    payment = ClaimPayment(
        **{
            "claim_id": claim.id,
            "status": status,
            "charge": sum((line.charge for line in lines), ZERO),
            "paid": sum((line.paid for line in lines), ZERO),
            "patient_responsibility": sum((line.patient_responsibility for line in lines), ZERO),
            "lines": lines,
            "payer_claim_control_number": "PCN-0001",
            # CLP06, required by 005010X221A1 (its code list has no "CI", which is the 837's
            # SBR09 code for commercial insurance): by payer kind, else 12 (PPO)
            "filing_indicator": _CLP06.get(coverage.payer.kind.value, "12"),
            **overrides,
        }
    )
    return _negated(payment) if reverse else payment
