"""Payer payments: one 835 CLP loop and the provider-level adjustments (PLB)."""

from __future__ import annotations

from decimal import Decimal

import pendulum

from medbill._encounter import Claim
from medbill._errors import LedgerError
from medbill._parties import Coverage, Priority
from medbill._payment import (
    Adjustment,
    ClaimPayment,
    PayerClaimStatus,
    Remittance,
)
from medbill.codes import AdjustmentGroup
from medbill.ledger._accounts import Account
from medbill.ledger._entries import EntryKind, JournalEntry, References
from medbill.ledger._ledger import Ledger
from medbill.ledger._recipes._common import (
    ZERO,
    _party,
    _Postings,
    _receivable,
    _replayed,
)
from medbill.ledger._recipes.reversals import _reverse_payment

__all__ = ["PROVIDER_ADJUSTMENT_ACCOUNTS", "post_claim_payment", "post_provider_adjustments"]


PROVIDER_ADJUSTMENT_ACCOUNTS: dict[str, str] = {
    "L6": "interest_income",  # interest owed to the provider (prompt-pay interest)
    "WO": "payer_overpayment",  # overpayment recovery: settles what was owed to the payer
    "FB": "payer_forward_balance",  # forward balance carried between remittances
}
"""PLB reason code → chart code; every other reason posts to ``payer_adjustment_suspense``."""


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
