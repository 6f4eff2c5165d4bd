"""Posting a remittance in one call: :func:`plan_remittance`, then :meth:`RemittancePlan.post`.

The plan matches each CLP loop to its claim, coverage level and lines and computes every
entry; posting it is one atomic batch, so a file is posted whole or not at all, and a
re-post is a no-op. See :mod:`medbill.claims._plan` for the rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pendulum

from medbill._common import ClaimId
from medbill._encounter import Claim
from medbill._parties import Coverage
from medbill._payment import Remittance
from medbill.claims._build import SecondaryClaim
from medbill.claims._plan import PostingResult, plan_remittance
from medbill.ledger import Ledger

__all__ = ["PostingResult", "post_remittance"]


def post_remittance(
    ledger: Ledger,
    remittance: Remittance,
    claims: Iterable[Claim | SecondaryClaim] | Mapping[ClaimId, Claim | SecondaryClaim],
    *,
    coverages: Sequence[Coverage] = (),
    payer_id: str | None = None,
    recorded_at: pendulum.DateTime | None = None,
) -> PostingResult:
    """Plan and post ``remittance`` as one atomic batch; return the entries and exceptions.

    The one-call form of :func:`plan_remittance` and :meth:`RemittancePlan.post` (same
    arguments). What cannot be applied to a claim posts its cash to unapplied insurance
    cash and is returned in ``exceptions``; posting the same remittance again posts nothing
    and says so (``already_posted``).

    >>> from medbill.claims import post_remittance
    >>> from medbill.ledger import Ledger, claim_balance, post_charges
    >>> from medbill.testing import make_claim, make_remittance
    >>> ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 4, 1, 18))
    >>> claim = make_claim()
    >>> _ = post_charges(ledger, claim)
    >>> era = make_remittance()  # Acme pays 80.00 of 150.00: CO-45 50.00, PR-2 20.00
    >>> result = post_remittance(ledger, era, [claim])
    >>> [entry.key for entry in result.entries], result.exceptions
    (['claim-payment:60054:EFT-0001:PCN-0001:1', 'remittance:60054:EFT-0001'], ())
    >>> claim_balance(ledger, "CLM-0001").patient_share
    Decimal('20.00')
    >>> again = post_remittance(ledger, era, [claim])  # idempotent: nothing new
    >>> again.already_posted, len(ledger)  # the charge, the payment, the remittance record
    (True, 3)
    """
    plan = plan_remittance(
        ledger, remittance, claims, coverages=coverages, payer_id=payer_id, recorded_at=recorded_at
    )
    return plan.post(ledger)
