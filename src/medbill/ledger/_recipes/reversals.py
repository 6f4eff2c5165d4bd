"""Reversals: a payer takes back a payment (835 CLP02 = 22).

X12 005010X221A1 section 1.10.2.8 ("Reversals and corrections"): the payer reverses the
original claim payment with a CLP loop whose amounts negate it (CLP02 22, charge and paid
negative) and carries the original's payer claim control number (CLP07); the corrected
payment follows, but no order within the file is mandated. So the payment to reverse is
found by CLP07 and amounts, then CLP07 alone when one payment fits, then amounts alone:
exactly that payment is mirrored, whatever came before it in the file.
"""

from __future__ import annotations

import pendulum

from medbill._encounter import Claim
from medbill._parties import Coverage
from medbill._payment import ClaimPayment
from medbill.ledger._accounts import Account
from medbill.ledger._entries import EntryKind, JournalEntry, Posting, References
from medbill.ledger._recipes._common import (
    ZERO,
    BalanceView,
    _party,
    cash_of,
    charge_of,
    clp07_of,
)

__all__: list[str] = []


def find_payment_to_reverse(
    view: BalanceView, claim: str, payer: str, reversal: ClaimPayment
) -> JournalEntry | None:
    """The unreversed payment of ``claim`` by ``payer`` that ``reversal`` negates, or ``None``."""
    candidates = [
        entry
        for entry in view.payment_entries(claim)
        if entry.kind in (EntryKind.CLAIM_PAYMENT, EntryKind.DENIAL)
        and entry.postings
        and entry.references.payer == payer
        and view.reversed_key(entry.key) is None
    ]
    clp07 = (reversal.payer_claim_control_number or "").replace(":", "_") or None

    def negates(entry: JournalEntry) -> bool:
        charge = charge_of(entry)
        # CLP03 of a reversal is the original's charge negated; some payers send it unsigned
        return cash_of(entry) == -reversal.paid and (
            charge is None or abs(charge) == abs(reversal.charge)
        )

    by_number = [e for e in candidates if clp07 is not None and clp07_of(e) == clp07]
    both = [e for e in by_number if negates(e)]
    if both:  # the earliest: a duplicate payment of it stays a payer overpayment
        return both[0]
    if len(by_number) == 1:
        return by_number[0]
    by_amount = [e for e in candidates if negates(e)]
    return by_amount[0] if by_amount else None


def reversal_entries(
    view: BalanceView,
    claim: Claim,
    target: JournalEntry,
    *,
    key: str,
    effective: pendulum.Date,
    coverage: Coverage,
    recorded_at: pendulum.DateTime | None,
) -> None:
    """Plan the mirror of ``target`` and, when the patient already paid part of the share it
    takes back, the patient credit that part becomes (key ``"<key>/patient-credit"``)."""
    reversal = view.add(
        JournalEntry(
            key=key,
            effective=effective,
            kind=EntryKind.REVERSAL,
            memo=f"{_party(coverage)} reversed payment {target.key} of claim {claim.id} (CLP02 22)",
            references=target.references,
            recorded_at=recorded_at,
            reverses=target.key,
            postings=[p.mirrored() for p in target.postings],
        )
    )
    # What the patient no longer owes of a share the reversal takes back was either
    # written off (that write-off is undone) or paid: the patient's money becomes credit,
    # never a negative receivable.
    patient = claim.patient.id
    moved = {p.account for p in reversal.postings if p.account.code == "patient_receivable"}
    negative = [a for a in moved if view.balance(a) < 0]
    if not negative:
        return
    total = sum((-view.balance(a) for a in negative), ZERO)
    postings = [Posting.debit(a, -view.balance(a)) for a in negative]
    undone = ZERO
    for code in sorted({a.code for a in view.claim_accounts_like("write_off.", str(claim.id))}):
        for account in view.claim_accounts(code, str(claim.id)):
            if account.payer is not None or undone >= total:
                continue
            part = min(view.balance(account), total - undone)
            if part > 0:
                postings.append(Posting.credit(account, part))
                undone += part
    if total - undone > 0:
        postings.append(Posting.credit(Account.patient_credit(patient), total - undone))
    view.add(
        JournalEntry(
            key=f"{key}/patient-credit",
            effective=effective,
            kind=EntryKind.TRANSFER,
            memo=f"{total} the patient no longer owes on claim {claim.id}: "
            f"{undone} of write-offs undone, {total - undone} becomes credit",
            references=References(patient=patient, claim=claim.id),
            recorded_at=recorded_at,
            postings=postings,
        )
    )
