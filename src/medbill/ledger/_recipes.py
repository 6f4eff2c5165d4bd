"""Posting recipes: the only part of the ledger that knows claims, payments and coverages.

Each recipe turns one revenue-cycle event into one journal entry (or a few, posted as one
atomic batch) and returns what it posted. Every recipe has a default idempotency key built
from the event's own identifiers, so posting the same event twice changes nothing; pass
``key=`` to choose another. ``recorded_at`` comes from the caller or the ledger's clock.
The worked example of every recipe, with its entries, is in ``docs/ledger.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

import pendulum

from medbill._common import ClaimId
from medbill._encounter import Claim
from medbill._errors import DuplicateEntryError, LedgerError
from medbill._parties import Coverage, Priority
from medbill._payment import (
    Adjustment,
    ClaimPayment,
    PatientPayment,
    PayerClaimStatus,
    Remittance,
)
from medbill.codes import AdjustmentGroup
from medbill.ledger._accounts import Account, WriteOffReason
from medbill.ledger._entries import EntryKind, JournalEntry, Posting, References
from medbill.ledger._ledger import Ledger

__all__ = [
    "PROVIDER_ADJUSTMENT_ACCOUNTS",
    "apply_patient_credit",
    "pay_refund",
    "post_charges",
    "post_claim_payment",
    "post_patient_payment",
    "post_provider_adjustments",
    "recognize_payer_overpayment",
    "refund_credit",
    "transfer_responsibility",
    "write_off",
    "write_off_small_balances",
]

ZERO = Decimal("0.00")
_EPOCH = pendulum.date(1900, 1, 1)

# 835 PLB03-1 adjustment reason codes (X12 005010X221A1, PLB segment) and where they post.
PROVIDER_ADJUSTMENT_ACCOUNTS: dict[str, str] = {
    "L6": "interest_income",  # interest owed to the provider (prompt-pay interest)
    "WO": "payer_overpayment",  # overpayment recovery: settles what was owed to the payer
    "FB": "payer_forward_balance",  # forward balance carried between remittances
}
"""PLB reason code → chart code; every other reason posts to ``payer_adjustment_suspense``."""


class _Postings:
    """Accumulates signed cents per account, in first-seen order; drops what nets to zero."""

    def __init__(self) -> None:
        self._amounts: dict[Account, Decimal] = {}

    def add(self, account: Account, amount: Decimal) -> None:
        self._amounts[account] = self._amounts.get(account, ZERO) + amount

    def move(self, source: Account, target: Account, amount: Decimal) -> None:
        """Credit ``source`` and debit ``target`` by ``amount``."""
        self.add(target, amount)
        self.add(source, -amount)

    def items(self) -> list[tuple[Account, Decimal]]:
        """Every account with the amount this entry moves on it so far."""
        return list(self._amounts.items())

    def pending(self, account: Account) -> Decimal:
        """What this entry already moves on ``account``."""
        return self._amounts.get(account, ZERO)

    def postings(self) -> list[Posting]:
        return [Posting(account, amount) for account, amount in self._amounts.items() if amount]


def _replayed(
    ledger: Ledger,
    key: str,
    kind: EntryKind,
    effective: pendulum.Date,
    amount: Decimal | None = None,
) -> JournalEntry | None:
    """The entry already posted under ``key`` by a recipe whose result depends on balances.

    Such a recipe cannot rebuild the same postings once it has run (the balances moved),
    so a replay is recognised by its key, kind, date and (when given) amount instead.
    """
    if key not in ledger:
        return None
    earlier = ledger.get(key)
    if (
        earlier.kind is not kind
        or earlier.effective != effective
        or (amount is not None and abs(amount) not in (earlier.total, _cash_of(earlier)))
    ):
        raise DuplicateEntryError(key)
    return earlier


def _cash_of(entry: JournalEntry) -> Decimal:
    return sum((abs(p.amount) for p in entry.postings if p.account.code == "cash"), ZERO)


def _positive(amount: object, field: str) -> Decimal:
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
        raise LedgerError(f"{field}: must be a positive Decimal amount (got {amount!r})")
    if amount != amount.quantize(Decimal("0.01")):
        raise LedgerError(f"{field}: must be whole cents (got {amount!r})")
    return amount


def _receivable(
    coverage: Coverage | None, patient: str, claim: str, line: str | None = None
) -> Account:
    """The receivable of the responsible party: a payer at a level, or the patient."""
    if coverage is None:
        return Account.patient_receivable(patient, claim, line)
    return Account.insurance_receivable(coverage.payer.id, coverage.priority, patient, claim, line)


def _party(coverage: Coverage | None) -> str:
    if coverage is None:
        return "patient"
    return f"{coverage.payer.id}/{coverage.priority.value}"


# -- charges ----------------------------------------------------------------------------


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
    first_day = claim.service_dates[0]
    postings = _Postings()
    for line in claim.lines:
        postings.move(
            Account.gross_charges(claim.patient.id, claim.id, line.line_id),
            _receivable(claim.coverage, claim.patient.id, claim.id, line.line_id),
            line.charge,
        )
    return ledger.post(
        JournalEntry(
            key=key or f"charge:{claim.id}",
            effective=effective or first_day,
            kind=EntryKind.CHARGE,
            memo=f"charges of claim {claim.id} to {_party(claim.coverage)}",
            references=References(
                patient=claim.patient.id,
                claim=claim.id,
                payer=None if claim.coverage is None else claim.coverage.payer.id,
                service_date=first_day,
            ),
            recorded_at=recorded_at,
            postings=postings.postings(),
        )
    )


# -- payer payments ---------------------------------------------------------------------


def _adjustment_target(
    adjustment: Adjustment,
    coverage: Coverage,
    next_coverage: Coverage | None,
    patient: str,
    claim: str,
    line: str | None,
) -> Account | None:
    """Where one CAS adjustment goes; ``None`` for one that moves nothing (OA-23).

    CO (contractual obligation) and PI (payer-initiated reduction): the provider may not
    bill the patient, so both go to contractual adjustments. PR (patient responsibility):
    to the next payer's receivable when there is a next coverage, else the patient's.
    OA (other adjustment): reason 23 ("impact of prior payer(s) adjudication") repeats what
    the prior payer's own remittance already posted, so it moves nothing; any other OA
    goes to ``other_adjustment`` for follow-up.
    """
    group = adjustment.group
    if group in (AdjustmentGroup.CONTRACTUAL_OBLIGATION, AdjustmentGroup.PAYER_INITIATED_REDUCTION):
        return Account(
            code="contractual_adjustment",
            payer=coverage.payer.id,
            level=coverage.priority,
            patient=patient,
            claim=claim,
            line=line,
        )
    if group is AdjustmentGroup.PATIENT_RESPONSIBILITY:
        return _receivable(next_coverage, patient, claim, line)
    if str(adjustment.reason) == "23":
        return None
    return Account(
        code="other_adjustment",
        payer=coverage.payer.id,
        level=coverage.priority,
        patient=patient,
        claim=claim,
        line=line,
    )


def _payment_pieces(
    claim: Claim, payment: ClaimPayment
) -> list[tuple[str | None, Decimal, tuple[Adjustment, ...]]]:
    """(line id or None, paid, adjustments): line by line when the lines match the claim's."""
    line_ids = {line.line_id for line in claim.lines}
    by_line = bool(payment.lines) and all(line.line_id in line_ids for line in payment.lines)
    if not by_line:
        return [(None, payment.paid, tuple(payment.all_adjustments()))]
    pieces: list[tuple[str | None, Decimal, tuple[Adjustment, ...]]] = [
        (line.line_id, line.paid, line.adjustments) for line in payment.lines
    ]
    claim_level_paid = payment.paid - sum((line.paid for line in payment.lines), ZERO)
    pieces.append((None, claim_level_paid, payment.adjustments))
    return pieces


def _status_level(status: PayerClaimStatus) -> Priority | None:
    return {
        PayerClaimStatus.PROCESSED_AS_PRIMARY: Priority.PRIMARY,
        PayerClaimStatus.PROCESSED_AS_PRIMARY_FORWARDED: Priority.PRIMARY,
        PayerClaimStatus.PROCESSED_AS_SECONDARY: Priority.SECONDARY,
        PayerClaimStatus.PROCESSED_AS_SECONDARY_FORWARDED: Priority.SECONDARY,
        PayerClaimStatus.PROCESSED_AS_TERTIARY: Priority.TERTIARY,
        PayerClaimStatus.PROCESSED_AS_TERTIARY_FORWARDED: Priority.TERTIARY,
    }.get(status)


def post_claim_payment(
    ledger: Ledger,
    claim: Claim,
    payment: ClaimPayment,
    *,
    remittance: Remittance,
    coverage: Coverage | None = None,
    next_coverage: Coverage | None = None,
    recorded_at: pendulum.DateTime | None = None,
    key: str | None = None,
) -> JournalEntry:
    """Post one payer's adjudication of a claim (an 835 CLP loop) from ``remittance``.

    ``coverage`` is the coverage that paid (default: the claim's); ``next_coverage`` the
    one that is billed next (a secondary), which then receives the patient-responsibility
    amounts instead of the patient. The entry takes effect on the remittance's payment date.

    * Processed (CLP02 1, 2, 3, 19, 20, 21): the payment debits cash and credits the
      payer's receivable; each adjustment credits the receivable and debits the account
      chosen by its group (CO and PI → contractual adjustments; PR → the next payer or the
      patient; OA-23 moves nothing; other OA → other adjustments). Lines are posted line by
      line when the remittance's line ids match the claim's. Whatever the payer pays beyond
      what it owed on the claim (a duplicate payment) goes to ``payer_overpayment``, a
      liability, so its receivable never turns negative.
    * Denied (4), forwarded as not ours (23), predetermination (25): an entry without
      postings records the event and its adjustment reasons; balances stay open.
    * Reversal (22): the latest earlier payment entry of this claim by this payer and not
      yet reversed is reversed (its mirror image is posted). If the patient had already
      paid part of the share the reversal takes back, that part becomes patient credit in
      a second entry of the same batch (key ``"<key>/patient-credit"``).

    A claim payment that does not balance (charge − adjustments − paid ≠ 0, 835 TR3
    1.10.2.1) or that names another claim is refused. Default key:
    ``"claim-payment:<remittance id>:<claim id>:<payer id>:<CLP02>"``.

    >>> from medbill.ledger import Ledger, post_charges, post_claim_payment
    >>> from medbill.ledger._examples import example_claim, example_remittance
    >>> ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 4, 1, 18))
    >>> claim = example_claim()
    >>> _ = post_charges(ledger, claim)
    >>> era = example_remittance()
    >>> entry = post_claim_payment(ledger, claim, era.claim_payments[0], remittance=era)
    >>> print(entry.render())  # doctest: +NORMALIZE_WHITESPACE
    2025-04-01 claim-payment:EFT-0001:C-1:acme:1 (claim_payment)
      ; acme/primary paid 120.00 on claim C-1
      Dr cash[acme]                                   120.00
      Dr contractual_adjustment[MRN-1/acme/primary/C-1/1]  30.00
      Dr patient_receivable[MRN-1/C-1/1]                20.00
      Dr contractual_adjustment[MRN-1/acme/primary/C-1/2]  20.00
      Dr patient_receivable[MRN-1/C-1/2]                10.00
      Cr insurance_receivable[MRN-1/acme/primary/C-1/1]    150.00
      Cr insurance_receivable[MRN-1/acme/primary/C-1/2]     50.00
    """
    coverage = coverage or claim.coverage
    if coverage is None:
        raise LedgerError(f"claim {claim.id!r} is self-pay: a payer payment needs a coverage")
    if payment.claim_id != claim.id:
        raise LedgerError(
            f"claim payment for {payment.claim_id!r} cannot be posted to claim {claim.id!r}"
        )
    payer = coverage.payer.id
    status = payment.status
    key = key or f"claim-payment:{remittance.id}:{claim.id}:{payer}:{status.value}"
    references = References(
        patient=claim.patient.id,
        claim=claim.id,
        payer=payer,
        remittance=remittance.id,
        trace=remittance.id,
    )
    effective = remittance.payment_date
    if status.is_reversal:
        return _reverse_payment(ledger, claim, coverage, key, effective, recorded_at)
    level = _status_level(status)
    if level is None:
        reasons = ", ".join(
            f"{a.group.value}-{a.reason} {a.amount}" for a in payment.all_adjustments()
        )
        return ledger.post(
            JournalEntry(
                key=key,
                effective=effective,
                kind=EntryKind.DENIAL,
                memo=f"{_party(coverage)} {status.name.lower()} claim {claim.id}"
                + (f": {reasons}" if reasons else ""),
                references=references,
                recorded_at=recorded_at,
                postings=[],
            )
        )
    if payment.imbalance:
        raise LedgerError(
            f"claim payment for {claim.id!r} does not balance: charge - adjustments - paid "
            f"is off by {payment.imbalance} (835 TR3 1.10.2.1)"
        )
    earlier = _replayed(ledger, key, EntryKind.CLAIM_PAYMENT, effective, payment.paid)
    if earlier is not None:
        return earlier
    postings = _Postings()
    if payment.paid:
        postings.add(Account.cash(payer), payment.paid)
    patient = claim.patient.id
    for line, paid, adjustments in _payment_pieces(claim, payment):
        receivable = _receivable(coverage, patient, claim.id, line)
        if paid:
            postings.add(receivable, -paid)
        for adjustment in adjustments:
            target = _adjustment_target(
                adjustment, coverage, next_coverage, patient, claim.id, line
            )
            if target is not None and adjustment.amount:
                postings.move(receivable, target, adjustment.amount)
    memo = f"{_party(coverage)} paid {payment.paid} on claim {claim.id}"
    overpaid = -_party_balance_after(ledger, postings, coverage, claim.id)
    if overpaid > 0:  # paid more than it owed: a liability to the payer, not a negative receivable
        postings.move(
            Account(code="payer_overpayment", payer=payer),
            _receivable(coverage, patient, claim.id),
            overpaid,
        )
        memo += f", {overpaid} more than it owed"
    return ledger.post(
        JournalEntry(
            key=key,
            effective=effective,
            kind=EntryKind.CLAIM_PAYMENT,
            memo=memo,
            references=references,
            recorded_at=recorded_at,
            postings=sorted(postings.postings(), key=lambda p: p.cents < 0),
        )
    )


def _party_balance_after(
    ledger: Ledger, postings: _Postings, coverage: Coverage, claim: str
) -> Decimal:
    """What ``coverage``'s payer owes on ``claim`` once ``postings`` are posted."""
    payer, level = coverage.payer.id, coverage.priority
    pending = sum(
        (
            amount
            for account, amount in postings.items()
            if account.code == "insurance_receivable"
            and account.payer == payer
            and account.level is level
            and account.claim == claim
        ),
        ZERO,
    )
    return ledger.total("insurance_receivable", payer=payer, level=level, claim=claim) + pending


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


def post_provider_adjustments(
    ledger: Ledger,
    remittance: Remittance,
    *,
    payer: str,
    recorded_at: pendulum.DateTime | None = None,
    key: str | None = None,
) -> JournalEntry | None:
    """Post a remittance's provider-level adjustments (835 PLB); ``None`` when it has none.

    A positive PLB amount reduces the payment: it credits cash and debits the account of
    its reason (``PROVIDER_ADJUSTMENT_ACCOUNTS``: WO overpayment recovery settles the
    ``payer_overpayment`` liability, FB moves the ``payer_forward_balance``, anything else
    waits in ``payer_adjustment_suspense``). A negative amount increases the payment: L6
    interest debits cash and credits ``interest_income``. Default key:
    ``"provider-adjustments:<remittance id>"``.

    >>> from decimal import Decimal
    >>> from medbill import ProviderAdjustment, Remittance
    >>> from medbill.ledger import Ledger, post_provider_adjustments
    >>> era = Remittance(id="EFT-2", payer_name="Acme", payment_amount=Decimal("0.00"),
    ...     payment_date=pendulum.date(2025, 5, 1), provider_adjustments=[
    ...         ProviderAdjustment(provider_id="1234567893", reason="L6",
    ...             fiscal_period_end=pendulum.date(2025, 12, 31), amount=Decimal("-1.27")),
    ...         ProviderAdjustment(provider_id="1234567893", reason="WO",
    ...             fiscal_period_end=pendulum.date(2025, 12, 31), amount=Decimal("1.27"))])
    >>> ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 5, 1, 18))
    >>> print(post_provider_adjustments(ledger, era, payer="acme").render())
    2025-05-01 provider-adjustments:EFT-2 (provider_adjustment)
      ; provider-level adjustments of EFT-2
      Dr payer_overpayment[acme]                 1.27
      Cr interest_income[acme]                   1.27
    """
    if not remittance.provider_adjustments:
        return None
    postings = _Postings()
    for item in remittance.provider_adjustments:
        code = PROVIDER_ADJUSTMENT_ACCOUNTS.get(item.reason, "payer_adjustment_suspense")
        postings.move(Account.cash(payer), Account(code=code, payer=payer), item.amount)
    return ledger.post(
        JournalEntry(
            key=key or f"provider-adjustments:{remittance.id}",
            effective=remittance.payment_date,
            kind=EntryKind.PROVIDER_ADJUSTMENT,
            memo=f"provider-level adjustments of {remittance.id}",
            references=References(payer=payer, remittance=remittance.id, trace=remittance.id),
            recorded_at=recorded_at,
            postings=sorted(postings.postings(), key=lambda p: p.cents < 0),
        )
    )


# -- patient money ----------------------------------------------------------------------


def _open_patient_claims(ledger: Ledger, patient: str) -> list[str]:
    """The patient's claims with a patient balance, oldest first (date of service)."""
    claims: dict[str, pendulum.Date] = {}
    for account in ledger.accounts("patient_receivable", patient=patient):
        claim = account.claim
        if claim is None or claim in claims:
            continue
        if ledger.total("patient_receivable", claim=claim) > 0:
            claims[claim] = ledger.service_date(claim) or ledger.first_debit(account) or _EPOCH
    return sorted(claims, key=lambda c: (claims[c], c))


def _claim_accounts(
    ledger: Ledger, code: str, claim: str, coverage: Coverage | None
) -> list[Account]:
    accounts = [
        a
        for a in ledger.accounts(code, claim=claim)
        if coverage is None or (a.payer == coverage.payer.id and a.level is coverage.priority)
    ]
    return sorted(accounts, key=lambda a: (a.line is not None, a.line or ""))


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


def _allocate_credit(
    ledger: Ledger, postings: _Postings, accounts: Sequence[Account], amount: Decimal
) -> Decimal:
    """Credit a claim's ``accounts`` (in order) by up to ``amount``; return what is left.

    At most the claim's net open balance is applied (a claim-level credit offsets
    line-level debits), taken from the accounts with a positive balance.
    """
    net = sum((ledger.balance(a) + postings.pending(a) for a in accounts), ZERO)
    applied = min(amount, max(net, ZERO))
    left = applied
    for account in accounts:
        if left <= 0:
            break
        open_amount = ledger.balance(account) + postings.pending(account)
        if open_amount <= 0:
            continue
        part = min(open_amount, left)
        postings.add(account, -part)
        left -= part
    return amount - applied + left


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


def refund_credit(
    ledger: Ledger,
    patient: str,
    *,
    effective: pendulum.Date,
    amount: Decimal | None = None,
    paid: bool = False,
    recorded_at: pendulum.DateTime | None = None,
    key: str | None = None,
) -> JournalEntry:
    """Refund (part of) a patient's credit: to refunds payable, or straight from cash.

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


def pay_refund(
    ledger: Ledger,
    patient: str,
    *,
    effective: pendulum.Date,
    amount: Decimal | None = None,
    reference: str | None = None,
    recorded_at: pendulum.DateTime | None = None,
    key: str | None = None,
) -> JournalEntry:
    """Pay out a refund owed to a patient (refunds payable → cash).

    Default key: ``"refund-paid:<patient>:<effective>"``.

    >>> from medbill.ledger import Ledger, pay_refund
    >>> pay_refund(Ledger.in_memory(), "MRN-1", effective=pendulum.date(2025, 3, 21))
    Traceback (most recent call last):
    ...
    medbill.LedgerError: refund payment of 0.00 exceeds the refunds owed of 0.00
    """
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


# -- write-offs and transfers -----------------------------------------------------------


def _claim_owner(ledger: Ledger, claim: str) -> str:
    patient = ledger.claim_patient(claim)
    if patient is None:
        raise LedgerError(f"unknown claim {claim!r}: no charges were posted for it")
    return patient


def _move_claim_balance(
    ledger: Ledger,
    claim: str,
    source: Coverage | None,
    amount: Decimal | None,
    target_of: Callable[[Account], Account],
) -> tuple[_Postings, Decimal]:
    code = "patient_receivable" if source is None else "insurance_receivable"
    accounts = _claim_accounts(ledger, code, claim, source)
    open_total = max(sum((ledger.balance(a) for a in accounts), ZERO), ZERO)
    wanted = open_total if amount is None else _positive(amount, "amount")
    if wanted <= 0 or wanted > open_total:
        raise LedgerError(
            f"claim {claim!r}: {wanted} exceeds the open balance of {_party(source)} ({open_total})"
        )
    postings = _Postings()
    left = wanted
    for account in accounts:
        if left <= 0:
            break
        open_amount = ledger.balance(account)
        if open_amount <= 0:
            continue
        part = min(open_amount, left)
        target = target_of(account)
        postings.move(account, target, part)
        left -= part
    return postings, wanted


def write_off(
    ledger: Ledger,
    claim: str,
    *,
    reason: WriteOffReason | str,
    effective: pendulum.Date,
    amount: Decimal | None = None,
    coverage: Coverage | None = None,
    recorded_at: pendulum.DateTime | None = None,
    key: str | None = None,
) -> JournalEntry:
    """Write off (part of) a claim's open balance for a reason.

    The balance is the patient's (``coverage=None``) or one payer's (e.g. a timely-filing
    denial). ``amount`` defaults to the whole open balance and may not exceed it. Default
    key: ``"write-off:<claim>:<reason>:<effective>"``.

    >>> from medbill.ledger import Ledger, post_charges, write_off
    >>> from medbill.ledger._examples import example_claim
    >>> ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 9, 1, 18))
    >>> _ = post_charges(ledger, example_claim(coverage=None))
    >>> print(write_off(ledger, "C-1", reason="charity", effective=pendulum.date(2025, 9, 1),
    ...                 amount=Decimal("160.00")).render())
    2025-09-01 write-off:C-1:charity:2025-09-01 (write_off)
      ; charity write-off of 160.00 from patient
      Dr write_off.charity[MRN-1/C-1/1]        150.00
      Dr write_off.charity[MRN-1/C-1/2]         10.00
      Cr patient_receivable[MRN-1/C-1/1]       150.00
      Cr patient_receivable[MRN-1/C-1/2]        10.00
    """
    why = reason if isinstance(reason, WriteOffReason) else WriteOffReason(reason)
    key = key or f"write-off:{claim}:{why.value}:{effective}"
    earlier = _replayed(ledger, key, EntryKind.WRITE_OFF, effective, amount)
    if earlier is not None:
        return earlier
    patient = _claim_owner(ledger, claim)

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


def write_off_small_balances(
    ledger: Ledger,
    *,
    threshold: Decimal,
    effective: pendulum.Date,
    patient: str | None = None,
    recorded_at: pendulum.DateTime | None = None,
) -> tuple[JournalEntry, ...]:
    """Write off every claim's patient balance above zero and at most ``threshold``.

    The threshold is the practice's own small-balance policy (a statement costs more than
    it collects); it is applied per claim, as one atomic batch of
    :data:`~medbill.ledger.WriteOffReason.SMALL_BALANCE` write-offs keyed
    ``"write-off:<claim>:small_balance:<effective>"``.

    >>> from medbill.ledger import Ledger, write_off_small_balances
    >>> write_off_small_balances(Ledger.in_memory(), threshold=Decimal("5.00"),
    ...                          effective=pendulum.date(2025, 9, 1))
    ()
    """
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
        if f"write-off:{claim}:small_balance:{effective}" in ledger:
            continue

        def target(account: Account, owner: str = owner, claim: str = claim) -> Account:
            return Account.write_off(
                WriteOffReason.SMALL_BALANCE, patient=owner, claim=claim, line=account.line
            )

        postings, wanted = _move_claim_balance(ledger, claim, None, None, target)
        entries.append(
            JournalEntry(
                key=f"write-off:{claim}:small_balance:{effective}",
                effective=effective,
                kind=EntryKind.WRITE_OFF,
                memo=f"small balance write-off of {wanted} (threshold {limit})",
                references=References(patient=owner, claim=claim),
                recorded_at=recorded_at,
                postings=sorted(postings.postings(), key=lambda p: p.cents < 0),
            )
        )
    return ledger.post_batch(entries)


def transfer_responsibility(
    ledger: Ledger,
    claim: str,
    *,
    source: Coverage | None,
    target: Coverage | None,
    effective: pendulum.Date,
    amount: Decimal | None = None,
    recorded_at: pendulum.DateTime | None = None,
    key: str | None = None,
) -> JournalEntry:
    """Move (part of) a claim's open balance from one responsible party to another.

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
    if _party(source) == _party(target):
        raise LedgerError(f"claim {claim!r}: source and target are both {_party(source)}")
    key = key or f"transfer:{claim}:{_party(source)}->{_party(target)}:{effective}"
    earlier = _replayed(ledger, key, EntryKind.TRANSFER, effective, amount)
    if earlier is not None:
        return earlier
    patient = _claim_owner(ledger, claim)

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


def recognize_payer_overpayment(
    ledger: Ledger,
    claim: str,
    *,
    coverage: Coverage,
    effective: pendulum.Date,
    recorded_at: pendulum.DateTime | None = None,
    key: str | None = None,
) -> JournalEntry | None:
    """Move a payer's credit balance on a claim (it paid too much) to ``payer_overpayment``.

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
