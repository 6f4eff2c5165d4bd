"""Posting remittances to the ledger through their plans (:func:`medbill.claims.plan_remittance`).

Every remittance is checked against the 835 balancing rules before anything is posted
(:func:`medbill.claims.check_balanced`), so a file with one unbalanced transaction set posts
nothing. A claim the ledger has not seen yet has its charges posted first
(:func:`medbill.ledger.post_charges`), so a remittance can be posted to a new ledger. Each
remittance is then planned and posted as one atomic batch; posting a file again posts
nothing and reports each remittance as already posted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from medbill import Claim, Coverage, Remittance
from medbill.claims import (
    PlanOutcome,
    RemittanceException,
    RemittancePlan,
    check_balanced,
    plan_remittance,
)
from medbill.ledger import Ledger, post_charges

__all__ = ["Posted", "plan_remittances", "post_remittances"]


@attrs.frozen(kw_only=True)
class Posted:
    """What posting did: the plans, entries posted (or found already posted), claim
    payments applied to claims, the remittances that were already posted, the claims
    whose charges were posted first, and the exceptions."""

    remittances: int
    entries: int
    claim_payments: int
    already_posted: int
    charges_posted: tuple[str, ...]
    exceptions: tuple[RemittanceException, ...]
    plans: tuple[RemittancePlan, ...]


def _applied(plan: RemittancePlan) -> int:
    return sum(1 for item in plan.claims if item.outcome is not PlanOutcome.SUSPENSE)


def plan_remittances(
    ledger: Ledger,
    remittances: Sequence[Remittance],
    claims: Mapping[str, Claim],
    *,
    coverages: Sequence[Coverage] = (),
) -> list[RemittancePlan]:
    """The plan of every remittance (all balanced, else none), nothing posted."""
    for remittance in remittances:
        check_balanced(remittance)
    return [
        plan_remittance(ledger, remittance, list(claims.values()), coverages=coverages)
        for remittance in remittances
    ]


def post_remittances(
    ledger: Ledger,
    remittances: Sequence[Remittance],
    claims: Mapping[str, Claim],
    *,
    coverages: Sequence[Coverage] = (),
) -> Posted:
    """Post every remittance (all balanced, else none), each as one atomic batch;
    ``coverages`` give each loop its coverage level and the patient's next payer."""
    for remittance in remittances:
        check_balanced(remittance)
    charged: list[str] = []
    for remittance in remittances:
        for payment in remittance.claim_payments:
            claim = claims.get(str(payment.claim_id))
            if claim is not None and ledger.claim_patient(str(claim.id)) is None:
                post_charges(ledger, claim)
                charged.append(str(claim.id))
    plans: list[RemittancePlan] = []
    entries = 0
    for remittance in remittances:
        plan = plan_remittance(ledger, remittance, list(claims.values()), coverages=coverages)
        result = plan.post(ledger)
        entries += len(result.entries)
        plans.append(plan)
    return Posted(
        remittances=len(remittances),
        entries=entries,
        claim_payments=sum(_applied(p) for p in plans),
        already_posted=sum(1 for p in plans if p.already_posted),
        charges_posted=tuple(charged),
        exceptions=tuple(e for p in plans for e in p.exceptions),
        plans=tuple(plans),
    )
