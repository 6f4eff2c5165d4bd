"""Refunds of patient credit: owed, then paid out."""

from __future__ import annotations

from decimal import Decimal

import pendulum

from medbill._common import PatientId
from medbill._deprecation import renamed_parameters
from medbill._errors import LedgerError
from medbill._parties import Patient
from medbill.ledger._accounts import Account
from medbill.ledger._entries import EntryKind, JournalEntry, Posting, References
from medbill.ledger._ledger import Ledger, atomic_recipe
from medbill.ledger._recipes._common import (
    _positive,
    _replayed,
    patient_id_of,
)

__all__ = ["refund_credit", "pay_refund"]


@renamed_parameters("refund_credit", patient="patient_id")
@atomic_recipe  # its balance checks run inside the write transaction
def refund_credit(
    ledger: Ledger,
    patient_id: PatientId | Patient,
    *,
    effective: pendulum.Date,
    amount: Decimal | None = None,
    paid: bool = False,
    recorded_at: pendulum.DateTime | None = None,
    key: str | None = None,
) -> JournalEntry:
    """Refund (part of) a patient's credit: to refunds payable, or straight from cash.

    ``patient_id`` is the patient's :data:`~medbill.PatientId` (or the :class:`~medbill.Patient`).

    ``amount`` defaults to the whole credit and may not exceed it. With ``paid=False`` the
    refund waits in ``refunds_payable`` until :func:`pay_refund`; with ``paid=True`` it is
    paid out of cash at once. Default key: ``"refund:<patient>:<effective>"``.

    >>> from decimal import Decimal
    >>> from medbill.ledger import Account, JournalEntry, Ledger, Posting, refund_credit
    >>> ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 3, 20, 18))
    >>> _ = ledger.post(JournalEntry(key="overpaid", effective=pendulum.date(2025, 3, 10),
    ...     postings=[Posting.debit(Account.cash(), Decimal("50.00")),
    ...               Posting.credit(Account.patient_credit("MRN-1"), Decimal("50.00"))]))
    >>> print(refund_credit(ledger, "MRN-1", effective=pendulum.date(2025, 3, 20)).render())
    2025-03-20 refund:MRN-1:2025-03-20 (refund)
      ; refund of 50.00 of credit
      Dr patient_credit[MRN-1]                  50.00
      Cr refunds_payable[MRN-1]                 50.00
    """
    patient = patient_id_of(patient_id)
    key = key or f"refund:{patient}:{effective}"
    earlier = _replayed(ledger, key, EntryKind.REFUND, effective, amount)
    if earlier is not None:
        return earlier
    credit_account = Account.patient_credit(patient)
    credit = ledger.balance(credit_account)
    amount = credit if amount is None else _positive(amount, "amount")
    if amount <= 0 or amount > credit:
        raise LedgerError(f"refund of {amount} exceeds the patient's credit of {credit}")
    target = Account.cash() if paid else Account.refunds_payable(patient)
    return ledger.post(
        JournalEntry(
            key=key,
            effective=effective,
            kind=EntryKind.REFUND,
            memo=f"refund of {amount} of credit",
            references=References(patient=patient),
            recorded_at=recorded_at,
            postings=[Posting.debit(credit_account, amount), Posting.credit(target, amount)],
        )
    )


@renamed_parameters("pay_refund", patient="patient_id")
@atomic_recipe  # its balance checks run inside the write transaction
def pay_refund(
    ledger: Ledger,
    patient_id: PatientId | Patient,
    *,
    effective: pendulum.Date,
    amount: Decimal | None = None,
    reference: str | None = None,
    recorded_at: pendulum.DateTime | None = None,
    key: str | None = None,
) -> JournalEntry:
    """Pay out a refund owed to a patient (refunds payable → cash).

    ``patient_id`` is the patient's :data:`~medbill.PatientId` (or the :class:`~medbill.Patient`).

    Default key: ``"refund-paid:<patient>:<effective>"``.

    >>> from medbill.ledger import Ledger, pay_refund
    >>> pay_refund(Ledger.in_memory(), "MRN-1", effective=pendulum.date(2025, 3, 21))
    Traceback (most recent call last):
    ...
    medbill.LedgerError: refund payment of 0.00 exceeds the refunds owed of 0.00
    """
    patient = patient_id_of(patient_id)
    key = key or f"refund-paid:{patient}:{effective}"
    earlier = _replayed(ledger, key, EntryKind.REFUND_PAID, effective, amount)
    if earlier is not None:
        return earlier
    payable = Account.refunds_payable(patient)
    owed = ledger.balance(payable)
    amount = owed if amount is None else _positive(amount, "amount")
    if amount <= 0 or amount > owed:
        raise LedgerError(f"refund payment of {amount} exceeds the refunds owed of {owed}")
    return ledger.post(
        JournalEntry(
            key=key,
            effective=effective,
            kind=EntryKind.REFUND_PAID,
            memo=f"refund of {amount} paid",
            references=References(patient=patient, trace=reference),
            recorded_at=recorded_at,
            postings=[Posting.debit(payable, amount), Posting.credit(Account.cash(), amount)],
        )
    )
