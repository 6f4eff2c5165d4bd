"""Posting remittances to the ledger through their plans (:func:`medbill.claims.plan_remittance`).

The whole file is planned with :func:`medbill.claims.plan_remittances` and posted as one
atomic batch: every remittance is checked against the 835 balancing rules first, the
charges of a claim the ledger has not seen yet are posted in the same batch (so a
remittance can be posted to a new ledger), and one refused remittance leaves nothing
posted. Posting a file again posts nothing and reports each remittance as already posted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from medbill import Claim, Coverage, Remittance
from medbill.claims import plan_remittances as plan_file
from medbill.claims._plan import PlanOutcome, RemittanceFilePlan, RemittancePlan
from medbill.claims._remittance import RemittanceException
from medbill.ledger import EntryKind, Ledger

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
    """The plan of every remittance of the file (all balanced, else none), nothing posted."""
    plan = _plan_file(ledger, remittances, claims, coverages)
    return list(plan.plans)


def _plan_file(
    ledger: Ledger,
    remittances: Sequence[Remittance],
    claims: Mapping[str, Claim],
    coverages: Sequence[Coverage],
    sha256: str | None = None,
) -> RemittanceFilePlan:
    named = {str(p.claim_id) for remittance in remittances for p in remittance.claim_payments}
    charges = [claim for claim_id, claim in claims.items() if claim_id in named]
    plan = plan_file(ledger, remittances, list(claims.values()), coverages=coverages,
                     charges=charges)  # fmt: skip
    return plan if sha256 is None else plan.with_source(sha256)


def post_remittances(
    ledger: Ledger,
    remittances: Sequence[Remittance],
    claims: Mapping[str, Claim],
    *,
    coverages: Sequence[Coverage] = (),
    sha256: str | None = None,
) -> Posted:
    """Post the whole file (all balanced, else none) as **one** atomic batch: the charges
    of claims the ledger has not seen, then every remittance; ``coverages`` give each loop
    its coverage level and the patient's next payer; ``sha256``, the file's hash, makes
    each entry name its source (TRN02 and the hash)."""
    plan = _plan_file(ledger, remittances, claims, coverages, sha256)
    charged = [
        str(e.references.claim)
        for e in plan.entries
        if e.kind is EntryKind.CHARGE and e.references.claim is not None
    ]
    results = plan.post(ledger)
    plans = plan.plans
    return Posted(
        remittances=len(remittances),
        entries=sum(len(r.entries) for r in results),
        claim_payments=sum(_applied(p) for p in plans),
        already_posted=sum(1 for p in plans if p.already_posted),
        charges_posted=tuple(charged),
        exceptions=tuple(e for p in plans for e in p.exceptions),
        plans=tuple(plans),
    )
