"""Charges: a claim's lines to the responsible party's receivable."""

from __future__ import annotations

import pendulum

from medbill._encounter import Claim
from medbill.ledger._accounts import Account
from medbill.ledger._entries import EntryKind, JournalEntry, References
from medbill.ledger._ledger import Ledger, atomic_recipe
from medbill.ledger._recipes._common import (
    _party,
    _Postings,
    _receivable,
)

__all__ = ["post_charges"]


@atomic_recipe  # its balance checks run inside the write transaction
def post_charges(
    ledger: Ledger,
    claim: Claim,
    *,
    effective: pendulum.Date | None = None,
    recorded_at: pendulum.DateTime | None = None,
    key: str | None = None,
) -> JournalEntry:
    """Post a claim's charges to the responsible party's receivable, line by line.

    The claim's coverage (primary payer, at its priority) is responsible; a self-pay claim
    (``coverage=None``) goes to the patient's receivable. Each line debits the receivable
    and credits gross charges, both with the claim and line as dimensions. ``effective``
    defaults to the claim's first date of service, which the entry also records for aging.
    Default key: ``"charge:<claim id>"``.

    >>> from medbill.ledger import Ledger, post_charges
    >>> from medbill.ledger._examples import example_claim
    >>> ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 3, 4, 18))
    >>> print(post_charges(ledger, example_claim()).render())
    2025-03-04 charge:C-1 (charge)
      ; charges of claim C-1 to acme/primary
      Dr insurance_receivable[MRN-1/acme/primary/C-1/1]    150.00
      Dr insurance_receivable[MRN-1/acme/primary/C-1/2]     50.00
      Cr gross_charges[MRN-1/C-1/1]                   150.00
      Cr gross_charges[MRN-1/C-1/2]                    50.00
    """
    return ledger.post(charge_entry(claim, effective=effective, recorded_at=recorded_at, key=key))


def charge_entry(
    claim: Claim,
    *,
    effective: pendulum.Date | None = None,
    recorded_at: pendulum.DateTime | None = None,
    key: str | None = None,
) -> JournalEntry:
    """The entry :func:`post_charges` posts (for a plan that posts charges in its batch)."""
    first_day = claim.service_dates[0]
    postings = _Postings()
    for line in claim.lines:
        postings.move(
            Account.gross_charges(claim.patient.id, claim.id, line.line_id),
            _receivable(claim.coverage, claim.patient.id, claim.id, line.line_id),
            line.charge,
        )
    return JournalEntry(
        key=key or f"charge:{claim.id}",
        effective=effective or first_day,
        kind=EntryKind.CHARGE,
        memo=f"charges of claim {claim.id} to {_party(claim.coverage)}",
        references=References(
            patient=claim.patient.id,
            claim=claim.id,
            payer=None if claim.coverage is None else claim.coverage.payer.id,
            service_date=first_day,
            provider=str((claim.rendering_provider or claim.billing_provider).npi),
        ),
        recorded_at=recorded_at,
        postings=postings.postings(),
    )
