"""Posting remittances to the ledger through the ledger's recipes, idempotently.

The 835 balancing rules are checked first (:meth:`medbill.Remittance.imbalances`): an
unbalanced remittance is refused whole. Each claim payment is then posted against the
claim it names (CLP01, the claim id the practice sent) with
:func:`medbill.ledger.post_claim_payment`, after :func:`medbill.ledger.post_charges` for a
claim the ledger has not seen; a payment naming an unknown claim is reported, never
dropped. Provider-level adjustments go through
:func:`medbill.ledger.post_provider_adjustments`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from medbill import Claim, Coverage, Remittance
from medbill._errors import ValidationError
from medbill.ledger import Ledger, post_charges, post_claim_payment, post_provider_adjustments

__all__ = ["Posted", "post_remittances"]


@attrs.frozen(kw_only=True)
class Posted:
    """What posting did: claim payments posted (or found already posted), the claims whose
    charges were posted first, and the payments that name no known claim."""

    remittances: int
    claim_payments: int
    charges_posted: tuple[str, ...]
    unknown_claims: tuple[str, ...]


def post_remittances(
    ledger: Ledger,
    remittances: Sequence[Remittance],
    claims: Mapping[str, Claim],
    *,
    secondary: Mapping[str, Coverage] | None = None,
) -> Posted:
    """Post every remittance; ``secondary`` maps a patient to the coverage billed next."""
    for remittance in remittances:
        found = remittance.imbalances()
        if found:
            detail = "; ".join(str(i) for i in found)
            raise ValidationError(
                "remittance", remittance.id, f"does not balance, nothing was posted: {detail}"
            )
    next_coverage = secondary or {}
    payments = 0
    charged: list[str] = []
    unknown: list[str] = []
    for remittance in remittances:
        payer: str | None = None
        for payment in remittance.claim_payments:
            claim = claims.get(str(payment.claim_id))
            if claim is None:
                unknown.append(str(payment.claim_id))
                continue
            if ledger.claim_patient(str(claim.id)) is None:
                post_charges(ledger, claim)
                charged.append(str(claim.id))
            follow = next_coverage.get(str(claim.patient.id))
            if follow is not None and claim.coverage is not None and follow == claim.coverage:
                follow = None
            post_claim_payment(ledger, claim, payment, remittance=remittance, next_coverage=follow)
            payments += 1
            if claim.coverage is not None:
                payer = str(claim.coverage.payer.id)
        if remittance.provider_adjustments and payer is not None:
            post_provider_adjustments(ledger, remittance, payer=payer)
    return Posted(
        remittances=len(remittances),
        claim_payments=payments,
        charges_posted=tuple(charged),
        unknown_claims=tuple(unknown),
    )
