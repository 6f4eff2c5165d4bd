"""Patient money: payments at the desk or by mail, and applying patient credit."""

from __future__ import annotations

from collections.abc import Sequence

import pendulum

from medbill._common import ClaimId
from medbill._errors import LedgerError
from medbill._payment import (
    PatientPayment,
)
from medbill.ledger._accounts import Account
from medbill.ledger._entries import EntryKind, JournalEntry, References
from medbill.ledger._ledger import Ledger
from medbill.ledger._recipes._common import (
    _allocate_credit,
    _claim_accounts,
    _open_patient_claims,
    _Postings,
    _replayed,
)

__all__ = ["post_patient_payment", "apply_patient_credit"]


def post_patient_payment(
    ledger: Ledger,
    payment: PatientPayment,
    *,
    apply_to: Sequence[ClaimId | str] | None = None,
    recorded_at: pendulum.DateTime | None = None,
    key: str | None = None,
) -> JournalEntry:
    """Post money received from a patient: applied to open balances, the rest to credit.

    The payment goes to the claim it names (``payment.claim_id``), else to the claims in
    ``apply_to`` in that order, else to the patient's open claims oldest first (by date of
    service); within a claim, line by line. Whatever exceeds the open balances becomes
    patient credit (a liability), never a negative receivable. Default key:
    ``"patient-payment:<payment id>"``.

    >>> from decimal import Decimal
    >>> from medbill import PatientPayment
    >>> from medbill.ledger import Ledger, post_charges, post_patient_payment
    >>> from medbill.ledger._examples import example_claim
    >>> ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 3, 4, 18))
    >>> _ = post_charges(ledger, example_claim(coverage=None))
    >>> payment = PatientPayment(id="pp-1", patient_id="MRN-1", amount=Decimal("250.00"),
    ...                          received_on=pendulum.date(2025, 3, 10), method="card")
    >>> print(post_patient_payment(ledger, payment).render())
    2025-03-10 patient-payment:pp-1 (patient_payment)
      ; card payment of 250.00
      Dr cash                                  250.00
      Cr patient_receivable[MRN-1/C-1/1]       150.00
      Cr patient_receivable[MRN-1/C-1/2]        50.00
      Cr patient_credit[MRN-1]                  50.00
    """
    patient = payment.patient_id
    key = key or f"patient-payment:{payment.id}"
    earlier = _replayed(ledger, key, EntryKind.PATIENT_PAYMENT, payment.received_on, payment.amount)
    if earlier is not None:
        return earlier
    if payment.claim_id is not None:
        claims: list[str] = [payment.claim_id]
    elif apply_to is not None:
        claims = list(apply_to)
    else:
        claims = _open_patient_claims(ledger, patient)
    postings = _Postings()
    postings.add(Account.cash(), payment.amount)
    left = payment.amount
    for claim in claims:
        owner = ledger.claim_patient(claim)
        if owner is not None and owner != patient:
            raise LedgerError(f"claim {claim!r} does not belong to patient {patient!r}")
        accounts = _claim_accounts(ledger, "patient_receivable", claim, None)
        left = _allocate_credit(ledger, postings, accounts, left)
    if left > 0:
        postings.add(Account.patient_credit(patient), -left)
    return ledger.post(
        JournalEntry(
            key=key,
            effective=payment.received_on,
            kind=EntryKind.PATIENT_PAYMENT,
            memo=f"{payment.method.value} payment of {payment.amount}",
            references=References(
                patient=patient,
                claim=claims[0] if len(claims) == 1 else None,
                trace=payment.reference,
            ),
            recorded_at=recorded_at,
            postings=postings.postings(),
        )
    )


def apply_patient_credit(
    ledger: Ledger,
    patient: str,
    *,
    effective: pendulum.Date,
    recorded_at: pendulum.DateTime | None = None,
    key: str | None = None,
) -> JournalEntry | None:
    """Apply a patient's credit to their open balances, oldest first; ``None`` if nothing to do.

    Default key: ``"apply-credit:<patient>:<effective>"``.

    >>> from decimal import Decimal
    >>> from medbill.ledger import Ledger, apply_patient_credit
    >>> ledger = Ledger.in_memory()
    >>> apply_patient_credit(ledger, "MRN-1", effective=pendulum.date(2025, 3, 1)) is None
    True
    """
    key = key or f"apply-credit:{patient}:{effective}"
    earlier = _replayed(ledger, key, EntryKind.CREDIT_APPLIED, effective)
    if earlier is not None:
        return earlier
    credit = ledger.balance(Account.patient_credit(patient))
    if credit <= 0:
        return None
    postings = _Postings()
    left = credit
    for claim in _open_patient_claims(ledger, patient):
        accounts = _claim_accounts(ledger, "patient_receivable", claim, None)
        left = _allocate_credit(ledger, postings, accounts, left)
    used = credit - left
    if used <= 0:
        return None
    postings.add(Account.patient_credit(patient), used)
    return ledger.post(
        JournalEntry(
            key=key,
            effective=effective,
            kind=EntryKind.CREDIT_APPLIED,
            memo=f"credit of {used} applied to open balances",
            references=References(patient=patient),
            recorded_at=recorded_at,
            postings=postings.postings(),
        )
    )
