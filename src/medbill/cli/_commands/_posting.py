"""Posting remittances to the ledger with :func:`medbill.claims.post_remittance`.

Every remittance is checked against the 835 balancing rules before anything is posted
(:func:`medbill.claims.check_balanced`), so a file with one unbalanced transaction set posts
nothing. A claim the ledger has not seen yet has its charges posted first
(:func:`medbill.ledger.post_charges`), so a remittance can be posted to a new ledger.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from medbill import Claim, Coverage, Remittance
from medbill.claims import RemittanceException, check_balanced, post_remittance
from medbill.ledger import Ledger, post_charges

__all__ = ["Posted", "post_remittances"]


@attrs.frozen(kw_only=True)
class Posted:
    """What posting did: entries posted (or found already posted), claim payments
    matched, the claims whose charges were posted first, and the exceptions."""

    remittances: int
    entries: int
    claim_payments: int
    charges_posted: tuple[str, ...]
    exceptions: tuple[RemittanceException, ...]


def post_remittances(
    ledger: Ledger,
    remittances: Sequence[Remittance],
    claims: Mapping[str, Claim],
    *,
    coverages: Sequence[Coverage] = (),
) -> Posted:
    """Post every remittance (all balanced, else none); ``coverages`` lets the patient's
    next payer receive the patient-responsibility amounts."""
    for remittance in remittances:
        check_balanced(remittance)
    entries = 0
    matched = 0
    charged: list[str] = []
    exceptions: list[RemittanceException] = []
    for remittance in remittances:
        for payment in remittance.claim_payments:
            claim = claims.get(str(payment.claim_id))
            if claim is not None and ledger.claim_patient(str(claim.id)) is None:
                post_charges(ledger, claim)
                charged.append(str(claim.id))
        result = post_remittance(ledger, remittance, list(claims.values()), coverages=coverages)
        entries += len(result.entries)
        matched += len(result.matched)
        exceptions.extend(result.exceptions)
    return Posted(
        remittances=len(remittances),
        entries=entries,
        claim_payments=matched,
        charges_posted=tuple(charged),
        exceptions=tuple(exceptions),
    )
