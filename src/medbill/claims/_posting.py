"""Posting a remittance in one call: :func:`plan_remittance`, then :meth:`RemittancePlan.post`.

The plan matches each CLP loop to its claim, coverage level and lines and computes every
entry; posting it is one atomic batch, so a file is posted whole or not at all, and a
re-post is a no-op. See :mod:`medbill.claims._plan` for the rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pendulum

from medbill._common import ClaimId, PayerId
from medbill._encounter import Claim
from medbill._parties import Coverage
from medbill._payment import Remittance
from medbill.claims._build import SecondaryClaim
from medbill.claims._plan import PostingResult, plan_remittance, plan_remittances
from medbill.ledger import Ledger

__all__ = ["PostingResult", "post_remittance", "post_remittances"]


def post_remittance(
    ledger: Ledger,
    remittance: Remittance,
    claims: Iterable[Claim | SecondaryClaim] | Mapping[ClaimId, Claim | SecondaryClaim],
    *,
    coverages: Sequence[Coverage] = (),
    payer_id: PayerId | None = None,
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


def post_remittances(
    ledger: Ledger,
    remittances: Sequence[Remittance],
    claims: Iterable[Claim | SecondaryClaim] | Mapping[ClaimId, Claim | SecondaryClaim],
    *,
    coverages: Sequence[Coverage] = (),
    charges: Sequence[Claim] = (),
    recorded_at: pendulum.DateTime | None = None,
    source_sha256: str | None = None,
) -> tuple[PostingResult, ...]:
    """Plan and post every remittance of one 835 file as **one** atomic batch.

    The one-call form of :func:`plan_remittances` and :meth:`RemittanceFilePlan.post`:
    the file is posted whole or not at all (an unbalanced transaction set, a refused
    entry or a stale balance leaves the ledger as it was). One :class:`PostingResult`
    per remittance, in file order. ``source_sha256`` (the SHA-256 of the file's bytes,
    in hex) makes every entry name its source: the remittance's TRN02 trace and the
    file's hash (:meth:`RemittanceFilePlan.with_source`).

    >>> from medbill.claims import post_remittances
    >>> from medbill.ledger import Ledger, post_charges
    >>> from medbill.testing import make_claim, make_remittance
    >>> ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 4, 1, 18))
    >>> claim = make_claim()
    >>> _ = post_charges(ledger, claim)
    >>> results = post_remittances(ledger, [make_remittance()], [claim])
    >>> [len(r.entries) for r in results], len(ledger)
    ([2], 3)
    """
    plan = plan_remittances(
        ledger, remittances, claims, coverages=coverages, charges=charges, recorded_at=recorded_at
    )
    if source_sha256 is not None:
        plan = plan.with_source(source_sha256)
    return plan.post(ledger)
