"""Posting recipes: the only part of the ledger that knows claims, payments and coverages.

Each recipe turns one revenue-cycle event into one journal entry (or a few, posted as one
atomic batch) and returns what it posted. Every recipe has a default idempotency key built
from the event's own identifiers, so posting the same event twice changes nothing; pass
``key=`` to choose another. ``recorded_at`` comes from the caller or the ledger's clock.
The worked example of every recipe, with its entries, is in ``docs/ledger.md``.
"""

from medbill.ledger._recipes.adjustments import (
    recognize_payer_overpayment,
    transfer_responsibility,
    write_off,
    write_off_small_balances,
)
from medbill.ledger._recipes.charges import post_charges
from medbill.ledger._recipes.patient_payments import apply_patient_credit, post_patient_payment
from medbill.ledger._recipes.payer_payments import (
    PROVIDER_ADJUSTMENT_ACCOUNTS,
    claim_payment_key,
    post_claim_payment,
    post_provider_adjustments,
)
from medbill.ledger._recipes.refunds import pay_refund, refund_credit

__all__ = [
    "PROVIDER_ADJUSTMENT_ACCOUNTS",
    "apply_patient_credit",
    "claim_payment_key",
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
