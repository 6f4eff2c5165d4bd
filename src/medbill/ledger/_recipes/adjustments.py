"""Write-offs, transfers of responsibility and payer overpayments."""

from __future__ import annotations

from decimal import Decimal

import pendulum

from medbill._common import ClaimId, PatientId
from medbill._deprecation import renamed_parameters
from medbill._encounter import Claim
from medbill._errors import LedgerError
from medbill._parties import Coverage, Patient
from medbill.ledger._accounts import Account, WriteOffReason
from medbill.ledger._entries import EntryKind, JournalEntry, References
from medbill.ledger._ledger import Ledger, atomic_recipe
from medbill.ledger._recipes._common import (
    ZERO,
    _claim_accounts,
    _claim_owner,
    _move_claim_balance,
    _party,
    _positive,
    _Postings,
    _receivable,
    _replayed,
    check_not_before_charge,
    claim_id_of,
    patient_id_of,
)

__all__ = [
    "write_off",
    "write_off_small_balances",
    "transfer_responsibility",
    "recognize_payer_overpayment",
]


@renamed_parameters("write_off", claim="claim_id")
@atomic_recipe  # its balance checks run inside the write transaction
def write_off(
    ledger: Ledger,
    claim_id: ClaimId | Claim,
    *,
    reason: WriteOffReason | str,
    effective: pendulum.Date,
    amount: Decimal | None = None,
    coverage: Coverage | None = None,
    recorded_at: pendulum.DateTime | None = None,
    key: str | None = None,
) -> JournalEntry:
    """Write off (part of) a claim's open balance for a reason.

    ``claim_id`` is the claim's :data:`~medbill.ClaimId` (or the :class:`~medbill.Claim`).

    The balance is the patient's (``coverage=None``) or one payer's (e.g. a timely-filing
    denial). ``amount`` defaults to the whole open balance and may not exceed it. Default
    key: ``"write-off:<claim>:<party>:<reason>:<effective>"`` (the party written off: the
    patient, or ``<payer>/<level>``). It may not take effect before the claim's charge.

    >>> from medbill.ledger import Ledger, post_charges, write_off
    >>> from medbill.ledger._examples import example_claim
    >>> ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 9, 1, 18))
    >>> _ = post_charges(ledger, example_claim(coverage=None))
    >>> print(write_off(ledger, "C-1", reason="charity", effective=pendulum.date(2025, 9, 1),
    ...                 amount=Decimal("160.00")).render())
    2025-09-01 write-off:C-1:patient:charity:2025-09-01 (write_off)
      ; charity write-off of 160.00 from patient
      Dr write_off.charity[MRN-1/C-1/1]        150.00
      Dr write_off.charity[MRN-1/C-1/2]         10.00
      Cr patient_receivable[MRN-1/C-1/1]       150.00
      Cr patient_receivable[MRN-1/C-1/2]        10.00
    """
    claim = claim_id_of(claim_id)
    why = reason if isinstance(reason, WriteOffReason) else WriteOffReason(reason)
    key = key or f"write-off:{claim}:{_party(coverage)}:{why.value}:{effective}"
    earlier = _replayed(ledger, key, EntryKind.WRITE_OFF, effective, amount, claim=claim)
    if earlier is not None:
        return earlier
    patient = _claim_owner(ledger, claim)
    check_not_before_charge(ledger, claim, effective, f"write-off {key!r}")

    def target(account: Account) -> Account:
        return Account.write_off(
            why,
            patient=patient,
            payer=account.payer,
            level=account.level,
            claim=claim,
            line=account.line,
        )

    postings, wanted = _move_claim_balance(ledger, claim, coverage, amount, target)
    return ledger.post(
        JournalEntry(
            key=key,
            effective=effective,
            kind=EntryKind.WRITE_OFF,
            memo=f"{why.value.replace('_', ' ')} write-off of {wanted} from {_party(coverage)}",
            references=References(
                patient=patient,
                claim=claim,
                payer=None if coverage is None else coverage.payer.id,
            ),
            recorded_at=recorded_at,
            postings=sorted(postings.postings(), key=lambda p: p.cents < 0),
        )
    )


@renamed_parameters("write_off_small_balances", patient="patient_id")
@atomic_recipe  # its balance checks run inside the write transaction
def write_off_small_balances(
    ledger: Ledger,
    *,
    threshold: Decimal,
    effective: pendulum.Date,
    patient_id: PatientId | Patient | None = None,
    recorded_at: pendulum.DateTime | None = None,
) -> tuple[JournalEntry, ...]:
    """Write off every claim's patient balance above zero and at most ``threshold``.

    The threshold is the practice's own small-balance policy (a statement costs more than
    it collects); it is applied per claim (of one patient with ``patient_id``, a
    :data:`~medbill.PatientId` or the :class:`~medbill.Patient`), as one atomic batch of
    :data:`~medbill.ledger.WriteOffReason.SMALL_BALANCE` write-offs keyed
    ``"write-off:<claim>:patient:small_balance:<effective>"``.

    >>> from medbill.ledger import Ledger, write_off_small_balances
    >>> write_off_small_balances(Ledger.in_memory(), threshold=Decimal("5.00"),
    ...                          effective=pendulum.date(2025, 9, 1))
    ()
    """
    patient = None if patient_id is None else patient_id_of(patient_id)
    limit = _positive(threshold, "threshold")
    claims: list[str] = []
    for account in ledger.accounts("patient_receivable", patient=patient):
        claim = account.claim
        if claim is None or claim in claims:
            continue
        if ZERO < ledger.total("patient_receivable", claim=claim) <= limit:
            claims.append(claim)
    entries: list[JournalEntry] = []
    for claim in claims:
        owner = _claim_owner(ledger, claim)
        if f"write-off:{claim}:patient:small_balance:{effective}" in ledger:
            continue

        def target(account: Account, owner: str = owner, claim: str = claim) -> Account:
            return Account.write_off(
                WriteOffReason.SMALL_BALANCE, patient=owner, claim=claim, line=account.line
            )

        postings, wanted = _move_claim_balance(ledger, claim, None, None, target)
        entries.append(
            JournalEntry(
                key=f"write-off:{claim}:patient:small_balance:{effective}",
                effective=effective,
                kind=EntryKind.WRITE_OFF,
                memo=f"small balance write-off of {wanted} (threshold {limit})",
                references=References(patient=owner, claim=claim),
                recorded_at=recorded_at,
                postings=sorted(postings.postings(), key=lambda p: p.cents < 0),
            )
        )
    return ledger.post_batch(entries)


@renamed_parameters("transfer_responsibility", claim="claim_id")
@atomic_recipe  # its balance checks run inside the write transaction
def transfer_responsibility(
    ledger: Ledger,
    claim_id: ClaimId | Claim,
    *,
    source: Coverage | None,
    target: Coverage | None,
    effective: pendulum.Date,
    amount: Decimal | None = None,
    recorded_at: pendulum.DateTime | None = None,
    key: str | None = None,
) -> JournalEntry:
    """Move (part of) a claim's open balance from one responsible party to another.

    ``claim_id`` is the claim's :data:`~medbill.ClaimId` (or the :class:`~medbill.Claim`).

    ``None`` stands for the patient: ``source=None, target=secondary`` bills a balance to a
    secondary payer found later; ``source=primary, target=None`` makes the patient
    responsible (say, after a non-covered denial). ``amount`` defaults to the whole open
    balance of ``source``. Default key: ``"transfer:<claim>:<source>-><target>:<effective>"``.

    >>> from medbill.ledger import Ledger, post_charges, transfer_responsibility
    >>> from medbill.ledger._examples import example_claim
    >>> ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 6, 1, 18))
    >>> claim = example_claim()
    >>> _ = post_charges(ledger, claim)
    >>> print(transfer_responsibility(ledger, "C-1", source=claim.coverage, target=None,
    ...                               effective=pendulum.date(2025, 6, 1)).render())
    2025-06-01 transfer:C-1:acme/primary->patient:2025-06-01 (transfer)
      ; 200.00 from acme/primary to patient
      Dr patient_receivable[MRN-1/C-1/1]       150.00
      Dr patient_receivable[MRN-1/C-1/2]        50.00
      Cr insurance_receivable[MRN-1/acme/primary/C-1/1]    150.00
      Cr insurance_receivable[MRN-1/acme/primary/C-1/2]     50.00
    """
    claim = claim_id_of(claim_id)
    if _party(source) == _party(target):
        raise LedgerError(f"claim {claim!r}: source and target are both {_party(source)}")
    key = key or f"transfer:{claim}:{_party(source)}->{_party(target)}:{effective}"
    earlier = _replayed(ledger, key, EntryKind.TRANSFER, effective, amount)
    if earlier is not None:
        return earlier
    patient = _claim_owner(ledger, claim)
    check_not_before_charge(ledger, claim, effective, f"transfer {key!r}")

    def destination(account: Account) -> Account:
        return _receivable(target, patient, claim, account.line)

    postings, wanted = _move_claim_balance(ledger, claim, source, amount, destination)
    return ledger.post(
        JournalEntry(
            key=key,
            effective=effective,
            kind=EntryKind.TRANSFER,
            memo=f"{wanted} from {_party(source)} to {_party(target)}",
            references=References(patient=patient, claim=claim),
            recorded_at=recorded_at,
            postings=sorted(postings.postings(), key=lambda p: p.cents < 0),
        )
    )


@renamed_parameters("recognize_payer_overpayment", claim="claim_id")
@atomic_recipe  # its balance checks run inside the write transaction
def recognize_payer_overpayment(
    ledger: Ledger,
    claim_id: ClaimId | Claim,
    *,
    coverage: Coverage,
    effective: pendulum.Date,
    recorded_at: pendulum.DateTime | None = None,
    key: str | None = None,
) -> JournalEntry | None:
    """Move a payer's credit balance on a claim (it paid too much) to ``payer_overpayment``.

    ``claim_id`` is the claim's :data:`~medbill.ClaimId` (or the :class:`~medbill.Claim`).

    The overpayment then waits as a liability to the payer until it is refunded or the
    payer recoups it from a later remittance (835 PLB WO, see
    :func:`post_provider_adjustments`). ``None`` when the payer has no credit balance on the
    claim. Default key: ``"payer-overpayment:<claim>:<payer>/<level>:<effective>"``.

    >>> from decimal import Decimal
    >>> from medbill.ledger import Ledger, recognize_payer_overpayment
    >>> from medbill.ledger._examples import example_coverage
    >>> recognize_payer_overpayment(Ledger.in_memory(), "C-1", coverage=example_coverage(),
    ...                             effective=pendulum.date(2025, 5, 1)) is None
    True
    """
    claim = claim_id_of(claim_id)
    key = key or f"payer-overpayment:{claim}:{_party(coverage)}:{effective}"
    earlier = _replayed(ledger, key, EntryKind.TRANSFER, effective)
    if earlier is not None:
        return earlier
    payer = coverage.payer.id
    accounts = _claim_accounts(ledger, "insurance_receivable", claim, coverage)
    overpaid = -sum((ledger.balance(a) for a in accounts), ZERO)
    if overpaid <= 0:
        return None
    patient = _claim_owner(ledger, claim)
    postings = _Postings()
    postings.move(
        Account(code="payer_overpayment", payer=payer),
        _receivable(coverage, patient, claim),
        overpaid,
    )
    return ledger.post(
        JournalEntry(
            key=key,
            effective=effective,
            kind=EntryKind.TRANSFER,
            memo=f"{_party(coverage)} overpaid claim {claim} by {overpaid}",
            references=References(patient=patient, claim=claim, payer=payer),
            recorded_at=recorded_at,
            postings=sorted(postings.postings(), key=lambda p: p.cents < 0),
        )
    )
