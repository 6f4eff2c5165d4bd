"""Payer payments: one 835 CLP loop, suspense, and the provider-level adjustments (PLB).

A CLP loop is posted against the level of the coverage that paid it (primary, secondary,
tertiary). Each CAS adjustment's outcome comes from the one table of adjustment outcomes
(``medbill._adjustment_outcomes``): contractual write-off, left in A/R as a denial, the
patient's share, capitation, prior payer (OA-23) or other. Per line:

1. the payment credits that level's receivable and debits cash;
2. the patient's share (PR) *replaces* what earlier adjudications left to the patient (or
   to this level's next payer): the responsible party ends with exactly the PR amount;
3. denials left in A/R stay in the level's receivable;
4. what the level was billed and has not paid, left, or assigned is booked to capitation,
   contractual adjustments and other adjustments up to the amounts the payer reported;
   for a secondary or tertiary payer, which reports against the full charge (the prior
   payer's impact as OA-23), the rest is also its contractual adjustment: computed against
   what that level was billed, never the full charge again;
5. whatever the payer paid beyond what its level owed on the claim is a liability
   (``payer_overpayment``), never a negative receivable.

A duplicate payment (OA-18/CO-18 with money, or the same CLP07 paid before) books only its
cash, as a payer overpayment.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pendulum

from medbill._adjustment_outcomes import AdjustmentOutcome, adjustment_outcome
from medbill._common import PayerId
from medbill._deprecation import renamed_parameters
from medbill._encounter import Claim
from medbill._errors import LedgerError, UnbalancedRemittanceError
from medbill._parties import Coverage, Payer, Priority
from medbill._payment import Adjustment, ClaimPayment, Imbalance, PayerClaimStatus, Remittance
from medbill.ledger._accounts import Account
from medbill.ledger._entries import (
    EntryKind,
    JournalEntry,
    References,
    planned_entry,
    planned_references,
)
from medbill.ledger._ledger import Ledger, atomic_recipe
from medbill.ledger._recipes._common import (
    ZERO,
    BalanceView,
    _party,
    _Postings,
    _receivable,
    _replayed,
    _safe,
    check_not_before_charge,
    clp07_of,
    payer_id_of,
)
from medbill.ledger._recipes._common import (
    account as _account,
)
from medbill.ledger._recipes.reversals import find_payment_to_reverse, reversal_entries

__all__ = [
    "PROVIDER_ADJUSTMENT_ACCOUNTS",
    "claim_payment_key",
    "post_claim_payment",
    "post_provider_adjustments",
]


PROVIDER_ADJUSTMENT_ACCOUNTS: dict[str, str] = {
    "L6": "interest_income",  # interest owed to the provider (prompt-pay interest)
    "WO": "payer_overpayment",  # overpayment recovery: settles what was owed to the payer
    "FB": "payer_forward_balance",  # forward balance carried between remittances
}
"""PLB reason code → chart code; every other reason posts to ``payer_adjustment_suspense``."""

_LEVELS = {
    PayerClaimStatus.PROCESSED_AS_PRIMARY: Priority.PRIMARY,
    PayerClaimStatus.PROCESSED_AS_PRIMARY_FORWARDED: Priority.PRIMARY,
    PayerClaimStatus.PROCESSED_AS_SECONDARY: Priority.SECONDARY,
    PayerClaimStatus.PROCESSED_AS_SECONDARY_FORWARDED: Priority.SECONDARY,
    PayerClaimStatus.PROCESSED_AS_TERTIARY: Priority.TERTIARY,
    PayerClaimStatus.PROCESSED_AS_TERTIARY_FORWARDED: Priority.TERTIARY,
}
CROSSOVERS = frozenset(
    {
        PayerClaimStatus.PROCESSED_AS_PRIMARY_FORWARDED,
        PayerClaimStatus.PROCESSED_AS_SECONDARY_FORWARDED,
        PayerClaimStatus.PROCESSED_AS_TERTIARY_FORWARDED,
    }
)


_LEVEL_OF_VALUE = {status.value: level for status, level in _LEVELS.items()}
_CROSSOVER_VALUES = frozenset(status.value for status in CROSSOVERS)


def status_level(status: PayerClaimStatus) -> Priority | None:
    """The coverage level a CLP02 status says the payer processed the claim as."""
    return _LEVEL_OF_VALUE.get(status._value_)


def payer_key(remittance: Remittance) -> str:
    """The payer as the 835 names it: N1*PR identification, else its name."""
    return remittance.payer_id or remittance.payer_name


def claim_payment_key(remittance: Remittance, payment: ClaimPayment, position: int) -> str:
    """``claim-payment:<payer>:<TRN02>:<CLP07>:<position>``: the CLP loop's identity.

    The payer, the reassociation trace (TRN02), the payer's claim control number (CLP07)
    and the loop's 1-based position in the remittance: two loops answering the same claim
    in one file (a split claim) have two keys; the same file posted again has the same.

    >>> from medbill.ledger import claim_payment_key
    >>> from medbill.testing import make_remittance
    >>> era = make_remittance()
    >>> claim_payment_key(era, era.claim_payments[0], 1)
    'claim-payment:60054:EFT-0001:PCN-0001:1'
    """
    clp07 = _safe(payment.payer_claim_control_number)
    return f"claim-payment:{_safe(payer_key(remittance))}:{remittance.id}:{clp07}:{position}"


def _pieces(
    claim: Claim, payment: ClaimPayment, line_ids: Sequence[str | None] | None
) -> list[tuple[str | None, Decimal, Decimal, tuple[Adjustment, ...]]]:
    """(claim line id or None, charge, paid, adjustments): line by line when matched."""
    if line_ids is None:
        known = {line.line_id for line in claim.lines}
        if payment.lines and all(line.line_id in known for line in payment.lines):
            line_ids = [line.line_id for line in payment.lines]
    if not payment.lines or line_ids is None or any(i is None for i in line_ids):
        return [(None, payment.charge, payment.paid, tuple(payment.all_adjustments()))]
    pieces: list[tuple[str | None, Decimal, Decimal, tuple[Adjustment, ...]]] = [
        (line_id, line.charge, line.paid, line.adjustments)
        for line_id, line in zip(line_ids, payment.lines, strict=True)
    ]
    claim_level_paid = payment.paid - sum((line.paid for line in payment.lines), ZERO)
    pieces.append((None, ZERO, claim_level_paid, payment.adjustments))
    return pieces


_OUTCOMES = tuple(AdjustmentOutcome)
_POSITION = {outcome: n for n, outcome in enumerate(_OUTCOMES)}
_PATIENT = _POSITION[AdjustmentOutcome.PATIENT]
_LEFT_IN_AR = _POSITION[AdjustmentOutcome.LEFT_IN_AR]
_BOOKED = tuple(
    (_POSITION[outcome], code)
    for outcome, code in (
        (AdjustmentOutcome.CAPITATION, "capitation_adjustment"),
        (AdjustmentOutcome.WRITE_OFF, "contractual_adjustment"),
        (AdjustmentOutcome.OTHER, "other_adjustment"),
    )
)
_SLOT: dict[tuple[str, str], int] = {}  # (group, CARC) -> position of its outcome


def _sums(adjustments: Sequence[Adjustment]) -> list[Decimal]:
    """The adjustments' amounts summed by outcome (indexed by position in ``_OUTCOMES``)."""
    found = [ZERO] * len(_OUTCOMES)
    for adjustment in adjustments:
        key = (adjustment.group._value_, adjustment.reason)
        slot = _SLOT.get(key)
        if slot is None:
            slot = _POSITION[adjustment_outcome(adjustment.group, adjustment.reason)]
            if len(_SLOT) < 4096:
                _SLOT[key] = slot
        found[slot] += adjustment.amount
    return found


def _credited_lines(entry: JournalEntry, payer: str) -> set[str | None]:
    return {
        p.account.line
        for p in entry.postings
        if p.account.code == "insurance_receivable" and p.account.payer == payer and p.cents < 0
    }


def is_duplicate(
    view: BalanceView,
    claim: str,
    coverage: Coverage,
    payment: ClaimPayment,
    key: str,
    remittance: Remittance,
    lines: set[str | None],
) -> bool:
    """A second payment of an adjudicated claim: OA-18/CO-18 with money (CARC 18, exact
    duplicate claim/service), or an earlier unreversed adjudication by the same payer and
    level in another remittance with the same CLP07 or of the same lines: a payer that
    corrects a payment reverses it first (CLP02 22, 005010X221A1 1.10.2.8).

    Loops of one remittance are never each other's duplicates without CARC 18: a payer
    splitting a claim answers it in several loops of one file.
    """
    if payment.paid < 0:
        return False
    if payment.paid > 0:
        for adjustment in payment.adjustments:
            if adjustment.reason == "18":  # a Carc is a str
                return True
        for line_payment in payment.lines:
            for adjustment in line_payment.adjustments:
                if adjustment.reason == "18":
                    return True
    payer = coverage.payer.id
    clp07 = payment.payer_claim_control_number
    for entry in view.payment_entries(claim):
        if (
            entry.kind is not EntryKind.CLAIM_PAYMENT
            or entry.key == key
            or entry.references.payer != payer
            or entry.references.remittance == remittance.id
            or view.reversed_key(entry.key) is not None
            or not any(
                p.account.code == "insurance_receivable" and p.account.level is coverage.priority
                for p in entry.postings
            )
        ):
            continue
        if clp07 and clp07_of(entry) == _safe(clp07):
            return True
        credited = _credited_lines(entry, payer)
        if None in credited or None in lines or credited & lines:
            return True
    return False


def claim_payment_entries(
    view: BalanceView,
    claim: Claim,
    payment: ClaimPayment,
    *,
    remittance: Remittance,
    coverage: Coverage,
    next_coverage: Coverage | None,
    key: str,
    line_ids: Sequence[str | None] | None = None,
    recorded_at: pendulum.DateTime | None = None,
    cash_account: Account | None = None,
) -> list[str]:
    """Plan the entries of one processed or denied CLP loop into ``view``; return the
    explanation, one line per decision (see the module notes for the rules).

    ``cash_account`` is where the payer's money comes from: cash (default), or unapplied
    insurance cash when a loop parked in suspense is applied later."""
    patient = claim.patient.id
    payer = coverage.payer.id
    effective = remittance.paid_on
    charged = view.service_date(str(claim.id))
    if charged is not None and effective < charged:
        check_not_before_charge(view, str(claim.id), effective, f"claim payment {key!r}")
    later = coverage.priority is not Priority.PRIMARY
    denied = payment.status is PayerClaimStatus.DENIED
    postings = _Postings()
    cash = cash_account or _account("cash", None, payer)
    explain: list[str] = []
    if payment.paid:
        postings.add(cash, payment.paid)
    pieces = _pieces(claim, payment, line_ids)
    duplicate = is_duplicate(
        view, str(claim.id), coverage, payment, key, remittance, {p[0] for p in pieces if p[1]}
    )
    by_line = pieces[0][0] is not None
    excess: list[tuple[Account, Decimal]] = []
    for line, charge, paid, adjustments in pieces:
        where = f"line {line}" if line else "claim"
        receivable = _receivable(coverage, patient, claim.id, line)
        target = _receivable(next_coverage, patient, claim.id, line)
        # A piece that adjudicates no charge (claim-level CAS beside adjudicated lines, a
        # correction with CLP03 0) adds to what was posted; one that adjudicates a charge
        # says where all of it stands, so its patient share replaces the earlier one.
        additive = charge == 0
        if by_line:
            billed = view.balance(receivable) + postings.pending(receivable)
            target_now = view.balance(target) + postings.pending(target)
        else:  # the whole claim at once, against the line accounts the charges opened
            billed = _owed(view, postings, coverage, str(claim.id))
            target_now = _owed(view, postings, next_coverage, str(claim.id))
        if duplicate:
            continue
        if paid:
            postings.add(receivable, -paid)
        sums = _sums(adjustments)
        share = sums[_PATIENT]
        # What the patient already paid on this line (a statement payment, a copay
        # applied) counts toward the share that replaces the prior level's: the patient
        # ends owing share - paid, and what they paid beyond their share is credit.
        money = ZERO
        if later and by_line and next_coverage is None and not additive:
            money = _patient_money_on(view, str(claim.id), target)
        move = share if additive else share - money - target_now
        if move > 0 and not additive:
            # never move more than the level still holds after its payment: a balance
            # written off or moved before the payer adjudicated is not moved twice
            move = min(move, max(billed - paid, ZERO))
        if move:
            postings.move(receivable, target, move)
            explain.append(f"{where}: {_party(next_coverage)}'s share is {share!s} (PR)")
        if money:
            explain.append(f"{where}: the patient already paid {money!s} of it")
            overpaid_by_patient = -(target_now + move)
            if overpaid_by_patient > 0:
                excess.append((target, overpaid_by_patient))
        left = billed - paid - move
        kept = sums[_LEFT_IN_AR]
        if kept:
            kept = kept if additive else min(kept, max(left, ZERO))
        if kept:
            left -= kept
            explain.append(f"{where}: {kept!s} denied, left in {_party(coverage)} A/R")
        for slot, code in _BOOKED:
            part = sums[slot]
            if not part:  # nothing of this outcome: min(0, ...) books nothing either
                continue
            if not additive:
                part = min(part, max(left, ZERO))
            if part > 0:
                left -= part
                account = _account(code, patient, payer, coverage.priority, claim.id, line)
                postings.move(receivable, account, part)
        if additive:
            continue
        if left > 0 and later and not denied:
            account = _account(
                "contractual_adjustment", patient, payer, coverage.priority, claim.id, line
            )
            postings.move(receivable, account, left)
            explain.append(
                f"{where}: {left!s} of what {_party(coverage)} was billed is its contractual "
                "adjustment (adjudicated against the full charge, OA-23 prior payer)"
            )
        elif left > 0:
            explain.append(f"{where}: {left!s} left open in {_party(coverage)} A/R")
    if excess:
        _patient_credit_from(view, postings, claim, excess, explain)
    memo = (
        f"{_party(coverage)} paid {payment.paid!s} of charge {payment.charge!s} on claim {claim.id}"
    )
    if denied:
        memo += ": " + ", ".join(
            f"{a.group.value}-{a.reason} {a.amount}" for a in payment.all_adjustments()
        )
    if duplicate and payment.paid:  # CARC 18: the original carries the adjudication
        postings.add(_account("payer_overpayment", None, payer), -payment.paid)
        memo += f", duplicate payment: {payment.paid} owed back"
        explain.append("duplicate payment (OA-18 or CLP07 paid before): only the cash is booked")
    # paid more than it owed: a liability to the payer, not a negative receivable
    overpaid = ZERO
    if payment.paid > 0:
        overpaid = min(-_owed(view, postings, coverage, str(claim.id)), payment.paid)
    if overpaid > 0:
        postings.move(
            _account("payer_overpayment", None, payer),
            _receivable(coverage, patient, claim.id),
            overpaid,
        )
        memo += f", {overpaid} more than it owed"
        explain.append(f"{overpaid} more than {_party(coverage)} owed: payer overpayment")
    if payment.status._value_ in _CROSSOVER_VALUES and next_coverage is not None:
        memo += f"; crossed over to {_party(next_coverage)}"
        explain.append(f"crossed over: {_party(next_coverage)} was billed by the payer")
    view.add(
        planned_entry(
            key=key,
            effective=effective,
            kind=EntryKind.DENIAL if denied else EntryKind.CLAIM_PAYMENT,
            memo=memo,
            references=planned_references(
                patient=patient,
                claim=claim.id,
                payer=payer,
                remittance=remittance.id,
                trace=remittance.id,
            ),
            recorded_at=recorded_at,
            postings=postings.entry_postings(),
        )
    )
    _apply_claim_credit(view, claim, key, effective, recorded_at, explain)
    return explain


def _patient_money_on(view: BalanceView, claim: str, account: Account) -> Decimal:
    """The patient's money applied to ``account`` (a line's patient receivable): payments
    and credit applied, less what went back to credit (a reversal's ``/patient-credit``)."""
    total = ZERO
    for entry in view.patient_money_entries(claim):
        if view.reversed_key(entry.key) is not None:
            continue
        for posting in entry.postings:
            if posting.account == account:
                total -= posting.amount
    return total


def _patient_credit_from(
    view: BalanceView,
    postings: _Postings,
    claim: Claim,
    excess: Sequence[tuple[Account, Decimal]],
    explain: list[str],
) -> None:
    """The patient paid more on some lines than the new share: each such receivable back
    to zero, and the money applied by the one rule for patient credit, same claim first
    (its other lines' patient balances), the rest to the patient's credit, which
    :func:`~medbill.ledger.apply_patient_credit` applies to the oldest open balance
    (or a refund returns)."""
    total = ZERO
    for account, amount in excess:
        postings.add(account, amount)
        total += amount
    left = total
    for account in sorted(
        view.claim_accounts("patient_receivable", str(claim.id)),
        key=lambda a: (a.line is not None, a.line or ""),
    ):
        open_amount = view.balance(account) + postings.pending(account)
        if open_amount > 0 and left > 0:
            part = min(open_amount, left)
            postings.add(account, -part)
            left -= part
    if total - left:
        explain.append(f"{total - left} the patient overpaid applied to the claim's other lines")
    if left:
        postings.add(_account("patient_credit", claim.patient.id), -left)
        explain.append(
            f"{left} the patient paid beyond their share is patient credit: "
            "apply_patient_credit applies it to the oldest open balance, else refund it"
        )


def _apply_claim_credit(
    view: BalanceView,
    claim: Claim,
    key: str,
    effective: pendulum.Date,
    recorded_at: pendulum.DateTime | None,
    explain: list[str],
) -> None:
    """Apply money collected for the claim or its encounter (a check-in copay) to the
    patient's new share on the claim (key ``"<key>/copay"``)."""
    patient = claim.patient.id
    places = [str(claim.id)]
    if claim.encounter_id is not None:
        places.append(f"encounter:{claim.encounter_id}")
    # read (and so expected at posting) even when nothing was collected: a copay taken
    # between planning and posting makes the plan stale instead of being left unapplied
    sources = [_account("patient_credit", patient, None, None, place) for place in places]
    credits = [(a, view.balance(a)) for a in sources]
    credits = [(a, c) for a, c in credits if c > 0]
    if not credits:
        return
    postings = _Postings()
    receivables = sorted(
        view.claim_accounts("patient_receivable", str(claim.id)),
        key=lambda a: (a.line is not None, a.line or ""),
    )
    used = ZERO
    for source, credit in credits:
        left = credit
        for account in receivables:
            open_amount = view.balance(account) + postings.pending(account)
            if open_amount <= 0 or left <= 0:
                continue
            part = min(open_amount, left)
            postings.add(account, -part)
            left -= part
        if credit - left > 0:
            postings.add(source, credit - left)
            used += credit - left
    if used <= 0:
        return
    explain.append(f"{used} collected at check-in applied to the patient's share")
    view.add(
        planned_entry(
            key=f"{key}/copay",
            effective=effective,
            kind=EntryKind.CREDIT_APPLIED,
            memo=f"{used} collected for claim {claim.id} applied to its patient share",
            references=planned_references(patient=patient, claim=claim.id),
            recorded_at=recorded_at,
            postings=postings.entry_postings(),
        )
    )


def _owed(view: BalanceView, postings: _Postings, coverage: Coverage | None, claim: str) -> Decimal:
    """What a party (a payer at a level, or the patient) owes on ``claim`` with ``postings``."""
    if coverage is None:
        code = "patient_receivable"
        accounts = dict.fromkeys(view.claim_accounts(code, claim))
    else:
        code = "insurance_receivable"
        payer, level = coverage.payer.id, coverage.priority
        accounts = dict.fromkeys(
            a for a in view.claim_accounts(code, claim) if a.payer == payer and a.level is level
        )
    for account, _ in postings.items():
        if (
            account.code == code
            and account.claim == claim
            and (coverage is None or (account.payer == payer and account.level is level))
        ):
            accounts[account] = None
    total = ZERO
    for account in accounts:
        total += view.balance(account) + postings.pending(account)
    return total


def suspense_entry(
    remittance: Remittance,
    amount: Decimal,
    *,
    key: str,
    memo: str,
    recorded_at: pendulum.DateTime | None = None,
) -> JournalEntry:
    """Payer cash that cannot be applied: cash to unapplied insurance cash (suspense)."""
    payer = payer_key(remittance)
    postings = _Postings()
    postings.move(
        _account("unapplied_insurance_cash", None, payer), _account("cash", None, payer), amount
    )
    return planned_entry(
        key=key,
        effective=remittance.paid_on,
        kind=EntryKind.CLAIM_PAYMENT,
        memo=memo,
        references=planned_references(payer=payer, remittance=remittance.id, trace=remittance.id),
        recorded_at=recorded_at,
        postings=postings.entry_postings(),
    )


@atomic_recipe  # its balance checks run inside the write transaction
def post_claim_payment(
    ledger: Ledger,
    claim: Claim,
    payment: ClaimPayment,
    *,
    remittance: Remittance,
    coverage: Coverage | None = None,
    next_coverage: Coverage | None = None,
    line_ids: Sequence[str | None] | None = None,
    recorded_at: pendulum.DateTime | None = None,
    key: str | None = None,
) -> JournalEntry:
    """Post one payer's adjudication of a claim (an 835 CLP loop) from ``remittance``.

    ``coverage`` is the coverage that paid (default: the claim's); ``next_coverage`` the
    one that is billed next (a secondary), which then receives the patient-responsibility
    amounts instead of the patient. ``line_ids`` are the claim line ids the payment's lines
    matched (:func:`medbill.claims.match_lines`); by default a payment line is posted to the
    claim line with its own line id. The entry takes effect on the remittance's payment
    date, which may not be before the claim's charge.

    * Processed (CLP02 1, 2, 3, 19, 20, 21) and denied (4): see the module notes of the
      ``payer_payments`` recipes (``docs/ledger.md``): patient share replaced, denials left
      in A/R, write-offs against what the level was billed, overpayments as a liability.
      Money collected for the claim at check-in is applied to the patient's share in a
      second entry (key ``"<key>/copay"``).
    * Forwarded as not ours (23), predetermination (25): an entry without postings.
    * Reversal (22): the payment it negates (by CLP07, then by charge and paid) is reversed;
      what the patient already paid of a share it takes back becomes patient credit.

    A claim payment that does not balance (835 TR3 1.10.2.1) or names another claim is
    refused. Default key: :func:`claim_payment_key` at the payment's position in the
    remittance. :func:`medbill.claims.plan_remittance` posts whole files; use it for 835s.

    >>> from medbill.ledger import Ledger, post_charges, post_claim_payment
    >>> from medbill.ledger._examples import example_claim, example_remittance
    >>> ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 4, 1, 18))
    >>> claim = example_claim()
    >>> _ = post_charges(ledger, claim)
    >>> era = example_remittance()
    >>> entry = post_claim_payment(ledger, claim, era.claim_payments[0], remittance=era)
    >>> print(entry.render())  # doctest: +NORMALIZE_WHITESPACE
    2025-04-01 claim-payment:Acme Health:EFT-0001:-:1 (claim_payment)
      ; acme/primary paid 120.00 of charge 200.00 on claim C-1
      Dr cash[acme]                                   120.00
      Dr patient_receivable[MRN-1/C-1/1]                20.00
      Dr contractual_adjustment[MRN-1/acme/primary/C-1/1]  30.00
      Dr patient_receivable[MRN-1/C-1/2]                10.00
      Dr contractual_adjustment[MRN-1/acme/primary/C-1/2]  20.00
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
    position = next(
        (n for n, p in enumerate(remittance.claim_payments, start=1) if p is payment), 1
    )
    key = key or claim_payment_key(remittance, payment, position)
    view = BalanceView(ledger)
    status = payment.status
    if status.is_reversal:
        if key in ledger:
            return ledger.get(key)
        target = find_payment_to_reverse(view, str(claim.id), coverage.payer.id, payment)
        if target is None:
            raise LedgerError(
                f"payer {coverage.payer.id!r} reverses claim {claim.id!r}, but no payment of it "
                "is left to reverse (none matches the reversal's CLP07 or amounts)"
            )
        reversal_entries(view, claim, target, key=key, effective=remittance.paid_on,
                         coverage=coverage, recorded_at=recorded_at)  # fmt: skip
        return ledger.post_batch(view.entries, expect=view.expect)[0]
    if status_level(status) is None and not status.is_denial:
        return ledger.post(
            JournalEntry(
                key=key,
                effective=remittance.paid_on,
                kind=EntryKind.DENIAL,
                memo=f"{_party(coverage)} {status.name.lower()} claim {claim.id}",
                references=References(
                    patient=claim.patient.id,
                    claim=claim.id,
                    payer=coverage.payer.id,
                    remittance=remittance.id,
                    trace=remittance.id,
                ),
                recorded_at=recorded_at,
                postings=[],
            )
        )
    if payment.imbalance:
        # 835 TR3 1.10.2.1: charge - adjustments - paid must be zero
        raise UnbalancedRemittanceError(
            remittance.id,
            [Imbalance(f"claim {claim.id}", "charge - adjustments - paid", payment.imbalance)],
        )
    kind = EntryKind.DENIAL if status.is_denial else EntryKind.CLAIM_PAYMENT
    earlier = _replayed(ledger, key, kind, remittance.paid_on, payment.paid or None)
    if earlier is not None:
        return earlier
    claim_payment_entries(view, claim, payment, remittance=remittance, coverage=coverage,
                          next_coverage=next_coverage, key=key, line_ids=line_ids,
                          recorded_at=recorded_at)  # fmt: skip
    return ledger.post_batch(view.entries, expect=view.expect)[0]


def provider_adjustment_entry(
    remittance: Remittance,
    *,
    payer: str,
    recorded_at: pendulum.DateTime | None = None,
    key: str | None = None,
) -> JournalEntry | None:
    """The entry of a remittance's provider-level adjustments (835 PLB), or ``None``."""
    if not remittance.provider_adjustments:
        return None
    postings = _Postings()
    for item in remittance.provider_adjustments:
        code = PROVIDER_ADJUSTMENT_ACCOUNTS.get(item.reason, "payer_adjustment_suspense")
        postings.move(Account.cash(payer), Account(code=code, payer=payer), item.amount)
    return JournalEntry(
        key=key or f"provider-adjustments:{_safe(payer_key(remittance))}:{remittance.id}",
        effective=remittance.paid_on,
        kind=EntryKind.PROVIDER_ADJUSTMENT,
        memo=f"provider-level adjustments of {remittance.id}",
        references=References(payer=payer, remittance=remittance.id, trace=remittance.id),
        recorded_at=recorded_at,
        postings=sorted(postings.postings(), key=lambda p: p.cents < 0),
    )


@renamed_parameters("post_provider_adjustments", payer="payer_id")
@atomic_recipe  # its balance checks run inside the write transaction
def post_provider_adjustments(
    ledger: Ledger,
    remittance: Remittance,
    *,
    payer_id: PayerId | Payer,
    recorded_at: pendulum.DateTime | None = None,
    key: str | None = None,
) -> JournalEntry | None:
    """Post a remittance's provider-level adjustments (835 PLB); ``None`` when it has none.

    A positive PLB amount reduces the payment: it credits cash and debits the account of
    its reason (``PROVIDER_ADJUSTMENT_ACCOUNTS``: WO overpayment recovery settles the
    ``payer_overpayment`` liability, FB moves the ``payer_forward_balance``, anything else
    waits in ``payer_adjustment_suspense``). A negative amount increases the payment: L6
    interest debits cash and credits ``interest_income``. Default key:
    ``"provider-adjustments:<payer>:<remittance id>"``. ``payer_id`` is the payer's
    :data:`~medbill.PayerId` (or the :class:`~medbill.Payer`) whose cash the PLB moves.

    >>> from decimal import Decimal
    >>> from medbill import ProviderAdjustment, Remittance
    >>> from medbill.ledger import Ledger, post_provider_adjustments
    >>> era = Remittance(id="EFT-2", payer_name="Acme", payment_amount=Decimal("0.00"),
    ...     paid_on=pendulum.date(2025, 5, 1), provider_adjustments=[
    ...         ProviderAdjustment(provider_id="1234567893", reason="L6",
    ...             fiscal_period_end=pendulum.date(2025, 12, 31), amount=Decimal("-1.27")),
    ...         ProviderAdjustment(provider_id="1234567893", reason="WO",
    ...             fiscal_period_end=pendulum.date(2025, 12, 31), amount=Decimal("1.27"))])
    >>> ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 5, 1, 18))
    >>> print(post_provider_adjustments(ledger, era, payer_id="acme").render())
    2025-05-01 provider-adjustments:Acme:EFT-2 (provider_adjustment)
      ; provider-level adjustments of EFT-2
      Dr payer_overpayment[acme]                 1.27
      Cr interest_income[acme]                   1.27
    """
    payer = payer_id_of(payer_id)
    entry = provider_adjustment_entry(remittance, payer=payer, recorded_at=recorded_at, key=key)
    return None if entry is None else ledger.post(entry)
