"""Reversals: a payer takes back a payment (835 CLP02 = 22)."""

from __future__ import annotations

import pendulum

from medbill._encounter import Claim
from medbill._errors import LedgerError
from medbill._parties import Coverage
from medbill.ledger._accounts import Account
from medbill.ledger._entries import EntryKind, JournalEntry, Posting, References
from medbill.ledger._ledger import Ledger
from medbill.ledger._recipes._common import (
    ZERO,
    _party,
)

__all__ = []


def _reverse_payment(
    ledger: Ledger,
    claim: Claim,
    coverage: Coverage,
    key: str,
    effective: pendulum.Date,
    recorded_at: pendulum.DateTime | None,
) -> JournalEntry:
    if key in ledger:
        return ledger.get(key)
    payer = coverage.payer.id
    candidates = [
        entry
        for entry in ledger.entries(claim=claim.id)
        if entry.kind is EntryKind.CLAIM_PAYMENT
        and entry.references.payer == payer
        and ledger.reversal_of(entry.key) is None
    ]
    if not candidates:
        raise LedgerError(
            f"payer {payer!r} reverses claim {claim.id!r}, but no payment of it is left to reverse"
        )
    target = candidates[-1]
    reversal = JournalEntry(
        key=key,
        effective=effective,
        kind=EntryKind.REVERSAL,
        memo=f"{_party(coverage)} reversed its payment of claim {claim.id} (CLP02 22)",
        references=target.references,
        recorded_at=recorded_at,
        reverses=target.key,
        postings=[p.mirrored() for p in target.postings],
    )
    # What the patient already paid of a share the reversal takes back is now the
    # patient's money: it becomes patient credit, never a negative receivable.
    patient = claim.patient.id
    after = ledger.total("patient_receivable", claim=claim.id) + sum(
        (
            p.amount
            for p in reversal.postings
            if p.account.code == "patient_receivable" and p.account.claim == claim.id
        ),
        ZERO,
    )
    batch = [reversal]
    if after < 0:
        batch.append(
            JournalEntry(
                key=f"{key}/patient-credit",
                effective=effective,
                kind=EntryKind.TRANSFER,
                memo=f"{-after} paid by the patient on claim {claim.id} becomes credit",
                references=References(patient=patient, claim=claim.id),
                recorded_at=recorded_at,
                postings=[
                    Posting.debit(Account.patient_receivable(patient, claim.id), -after),
                    Posting.credit(Account.patient_credit(patient), -after),
                ],
            )
        )
    return ledger.post_batch(batch)[0]
