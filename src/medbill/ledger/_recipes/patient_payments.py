"""Patient money: payments at the desk or by mail, and applying patient credit."""

from __future__ import annotations

from collections.abc import Sequence

import pendulum

from medbill._common import ClaimId, EncounterId, PatientId
from medbill._deprecation import renamed_parameters
from medbill._encounter import Claim
from medbill._errors import LedgerError, ValidationError
from medbill._parties import Patient
from medbill._payment import (
    PatientPayment,
)
from medbill.ledger._accounts import Account
from medbill.ledger._entries import EntryKind, JournalEntry, References
from medbill.ledger._ledger import Ledger, atomic_recipe
from medbill.ledger._recipes._common import (
    ZERO,
    _allocate_credit,
    _claim_accounts,
    _open_patient_claims,
    _Postings,
    _replayed,
    check_not_before_charge,
    claim_id_of,
    patient_id_of,
)

__all__ = ["post_patient_payment", "apply_patient_credit"]


@atomic_recipe  # its balance checks run inside the write transaction
def post_patient_payment(
    ledger: Ledger,
    payment: PatientPayment,
    *,
    apply_to: Sequence[ClaimId | Claim] | None = None,
    encounter_id: EncounterId | None = None,
    recorded_at: pendulum.DateTime | None = None,
    key: str | None = None,
) -> JournalEntry:
    """Post money received from a patient: applied to open balances, the rest to credit.

    The payment goes to the claim it names (``payment.claim_id``), else to the claims in
    ``apply_to`` (claim ids or claims) in that order, else to the patient's open claims oldest first (by date of
    service); within a claim, line by line. A named claim must be the patient's and
    charged on or before the day the money came in (else :class:`~medbill.LedgerError`
    naming both dates); claims charged later are skipped by the oldest-first rule.

    Whatever exceeds the open balances becomes patient credit (a liability), never a
    negative receivable. Money for a named claim whose balance is still with insurance (a
    copay collected at check-in) waits as that claim's credit,
    ``patient_credit[patient/claim]``; ``encounter_id`` names the visit instead when the
    claim is not built yet (credit ``patient_credit[patient/encounter:<id>]``). When the
    claim adjudicates, :func:`medbill.claims.plan_remittance` applies it to the patient's
    share. Default key: ``"patient-payment:<patient>:<payment id>"``.

    >>> from decimal import Decimal
    >>> from medbill import PatientPayment
    >>> from medbill.ledger import Ledger, post_charges, post_patient_payment
    >>> from medbill.ledger._examples import example_claim
    >>> ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 3, 4, 18))
    >>> _ = post_charges(ledger, example_claim(coverage=None))
    >>> payment = PatientPayment(id="pp-1", patient_id="MRN-1", amount=Decimal("250.00"),
    ...                          received_on=pendulum.date(2025, 3, 10), method="card")
    >>> print(post_patient_payment(ledger, payment).render())
    2025-03-10 patient-payment:MRN-1:pp-1 (patient_payment)
      ; card payment of 250.00
      Dr cash                                  250.00
      Cr patient_receivable[MRN-1/C-1/1]       150.00
      Cr patient_receivable[MRN-1/C-1/2]        50.00
      Cr patient_credit[MRN-1]                  50.00
    """
    patient = payment.patient_id
    key = key or f"patient-payment:{patient}:{payment.id}"
    received = payment.received_on
    earlier = _replayed(ledger, key, EntryKind.PATIENT_PAYMENT, received, payment.amount,
                        patient=patient)  # fmt: skip
    if earlier is not None:
        return earlier
    named = payment.claim_id is not None or apply_to is not None
    if payment.claim_id is not None:
        claims: list[str] = [payment.claim_id]
    elif apply_to is not None:
        if isinstance(apply_to, str):  # one id is a sequence of characters
            raise ValidationError("apply_to", apply_to, "must be a list of ClaimIds or Claims")
        claims = [claim_id_of(c, "apply_to") for c in apply_to]
    else:
        claims = [
            c
            for c in _open_patient_claims(ledger, patient)
            if (ledger.service_date(c) or received) <= received
        ]
    postings = _Postings()
    postings.add(Account.cash(), payment.amount)
    left = payment.amount
    for claim in claims:
        if named:
            owner = ledger.claim_patient(claim)
            if owner is None:
                raise LedgerError(
                    f"payment {payment.id!r} names claim {claim!r}, which has no charges in "
                    "the ledger: post its charges first, or name the encounter"
                )
            if owner != patient:
                raise LedgerError(f"claim {claim!r} does not belong to patient {patient!r}")
            check_not_before_charge(ledger, claim, received, f"patient payment {payment.id!r}")
        accounts = _claim_accounts(ledger, "patient_receivable", claim, None)
        left = _allocate_credit(ledger, postings, accounts, left)
    if left > 0:
        if (
            payment.claim_id is not None
            and ledger.total("insurance_receivable", claim=payment.claim_id) > 0
        ):  # collected at check-in while insurance has the balance: waits for adjudication
            credit = Account.patient_credit(patient, payment.claim_id)
        elif encounter_id is not None:
            credit = Account.patient_credit(patient, f"encounter:{encounter_id}")
        else:
            credit = Account.patient_credit(patient)
        postings.add(credit, -left)
    return ledger.post(
        JournalEntry(
            key=key,
            effective=received,
            kind=EntryKind.PATIENT_PAYMENT,
            memo=f"{payment.method.value} payment of {payment.amount}"
            + ("" if encounter_id is None else f" for encounter {encounter_id}"),
            references=References(
                patient=patient,
                claim=claims[0] if len(claims) == 1 else None,
                trace=payment.reference,
            ),
            recorded_at=recorded_at,
            source=f"receipt {payment.id}",  # the audit trail's source document
            postings=postings.postings(),
        )
    )


@renamed_parameters("apply_patient_credit", patient="patient_id")
@atomic_recipe  # its balance checks run inside the write transaction
def apply_patient_credit(
    ledger: Ledger,
    patient_id: PatientId | Patient,
    *,
    effective: pendulum.Date,
    recorded_at: pendulum.DateTime | None = None,
    key: str | None = None,
) -> JournalEntry | None:
    """Apply a patient's credit to their open balances; ``None`` if nothing to do.

    ``patient_id`` is the patient's :data:`~medbill.PatientId` (or the :class:`~medbill.Patient`).

    The one rule for unapplied patient credit: money collected for a claim (a check-in
    copay) goes to that same claim first and otherwise keeps waiting for it; the rest of
    the credit goes to the open balances oldest first (by date of service). Default key:
    ``"apply-credit:<patient>:<effective>"``.

    >>> from decimal import Decimal
    >>> from medbill.ledger import Ledger, apply_patient_credit
    >>> ledger = Ledger.in_memory()
    >>> apply_patient_credit(ledger, "MRN-1", effective=pendulum.date(2025, 3, 1)) is None
    True
    """
    patient = patient_id_of(patient_id)
    key = key or f"apply-credit:{patient}:{effective}"
    earlier = _replayed(ledger, key, EntryKind.CREDIT_APPLIED, effective, patient=patient)
    if earlier is not None:
        return earlier
    postings = _Postings()
    used = ZERO
    for account in ledger.accounts("patient_credit", patient=patient):
        if account.claim is None or account.claim.startswith("encounter:"):
            continue
        credit = ledger.balance(account)
        if credit > 0:  # same claim first
            claim_accounts = _claim_accounts(ledger, "patient_receivable", account.claim, None)
            left = _allocate_credit(ledger, postings, claim_accounts, credit)
            postings.add(account, credit - left)
            used += credit - left
    general = Account.patient_credit(patient)
    credit = ledger.balance(general)
    if credit > 0:  # then the oldest open balance
        left = credit
        for claim in _open_patient_claims(ledger, patient):
            accounts = _claim_accounts(ledger, "patient_receivable", claim, None)
            left = _allocate_credit(ledger, postings, accounts, left)
        postings.add(general, credit - left)
        used += credit - left
    if used <= 0:
        return None
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
