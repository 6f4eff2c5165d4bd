"""The lean planner of the common CLP loop: integer cents, accounts built once, no re-checks.

Most loops of a real 835 are the same case: a primary, secondary or tertiary payer (CLP02
1, 2, 3, 19, 20, 21) answering every line of a claim it matched, with only write-off,
patient-share, prior-payer, capitation and other adjustments. :func:`lean_claim_payment`
plans that case with the rules of ``claim_payment_entries``
(``medbill.ledger._recipes.payer_payments``), specialised: amounts are integer cents
from the start, each account is looked up (or built once, without re-validating the ids
the claim and coverage already validated) per line, and the entry is built from its
postings directly. It reads the same balances in the same way, so the plan's ``expect``
is the same.

Anything else answers ``None`` *before it changes the view*, and the caller plans the loop
with ``claim_payment_entries``, the reference: claim-level CAS or money, a line that
adjudicates no charge, a denial left in A/R, CARC 18 or a duplicate, an entry dated before
the charge, patient money already on a later level's claim, an overpayment, an applied
suspense. ``tests/claims/test_lean_planning.py`` shows that both give the same plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Final

from medbill._adjustment_outcomes import AdjustmentOutcome, adjustment_outcome
from medbill._encounter import Claim
from medbill._parties import Coverage, Priority
from medbill._payment import ClaimPayment, Remittance
from medbill._trusted import trusted_positional
from medbill.ledger._accounts import Account
from medbill.ledger._entries import (
    _AMOUNTS,
    _MAX_CENTS,
    _REFERENCES,
    EntryKind,
    Posting,
    _money,
    planned_entry,
    planned_references,
)
from medbill.ledger._recipes._common import _ACCOUNTS, _MAX_ACCOUNTS, BalanceView, _party
from medbill.ledger._recipes.payer_payments import _apply_claim_credit, is_duplicate

__all__ = ["lean_claim_payment"]

# CLP02 values the lean path plans: processed at a level, forwarded or not.
_LEVELS: Final = frozenset({"1", "2", "3", "19", "20", "21"})
_CROSSOVERS: Final = frozenset({"19", "20", "21"})

# What an adjustment does, per (group, CARC): the patient's share, nothing (OA-23), an
# account it is booked to, or None (the lean path does not plan it: left in A/R, CARC 18).
_PATIENT: Final = "patient"
_NOTHING: Final = ""
_BOOKED: Final = {
    AdjustmentOutcome.CAPITATION: "capitation_adjustment",
    AdjustmentOutcome.WRITE_OFF: "contractual_adjustment",
    AdjustmentOutcome.OTHER: "other_adjustment",
}
# The order claim_payment_entries books them in (capitation, write-off, other).
_ORDER: Final = ("capitation_adjustment", "contractual_adjustment", "other_adjustment")
_ROLE: dict[tuple[str, str], str | None] = {}
_UNKNOWN: Final = "?"  # not in _ROLE yet

_ACCOUNT = trusted_positional(
    Account, "code", "patient", "payer", "level", "claim", "line", "identity", "_hash"
)
_POSTING = trusted_positional(Posting, "account", "amount", "cents")
_INSURANCE = "insurance_receivable"
_PATIENT_RECEIVABLE = "patient_receivable"


def _role(group: object, reason: str) -> str | None:
    key = (group._value_, reason)  # type: ignore[attr-defined]
    if key in _ROLE:
        return _ROLE[key]
    outcome = adjustment_outcome(group, reason)  # type: ignore[arg-type]
    role: str | None
    if outcome is AdjustmentOutcome.PATIENT:
        role = _PATIENT
    elif outcome is AdjustmentOutcome.PRIOR_PAYER:
        role = _NOTHING
    else:
        role = _BOOKED.get(outcome)
    if len(_ROLE) < 4096:
        _ROLE[key] = role
    return role


def _text(value: object) -> bool:
    """What ``Account`` requires of a dimension: a non-empty, non-blank ``str``."""
    return type(value) is str and bool(value) and not value.isspace()


def _account(
    code: str,
    patient: str | None,
    payer: str | None,
    level: Priority | None,
    claim: str | None,
    line: str | None,
) -> Account:
    """``medbill.ledger._recipes._common.account`` for dimensions already checked: the
    same shared object per identity, built without ``Account``'s checks when new."""
    identity = (code, patient, payer, None if level is None else level._value_, claim, line)
    found = _ACCOUNTS.get(identity)
    if found is None:
        found = _ACCOUNT(code, patient, payer, level, claim, line, identity, hash(identity))
        if len(_ACCOUNTS) >= _MAX_ACCOUNTS:
            _ACCOUNTS.clear()
        _ACCOUNTS[identity] = found
    return found


def _new_account(identity: tuple[str | None, ...], level: Priority | None) -> Account:
    """:func:`_account` of an identity the caller just looked up in ``_ACCOUNTS`` and did
    not find (``identity`` holds the level's value, ``level`` the level itself)."""
    code, patient, payer, _, claim, line = identity
    found = _ACCOUNT(code, patient, payer, level, claim, line, identity, hash(identity))
    if len(_ACCOUNTS) >= _MAX_ACCOUNTS:
        _ACCOUNTS.clear()
    _ACCOUNTS[identity] = found
    return found


_CENT: Final = Decimal("0.01")
_HUNDRED: Final = Decimal(100)


def _cents(amount: Decimal) -> int | None:
    """Whole cents of an amount of at most two places, ``None`` for anything else.

    At most two places (not just whole cents): the reference prints sums of these
    amounts, and ``20.000`` prints otherwise than ``20.00``. The usual amount has exactly
    two places: the callers test ``amount.same_quantum(_CENT)`` inline and multiply, and
    call this only for the rest (same answer: ``tests/claims/test_lean_planning.py``)."""
    cents: int | None = None
    if type(amount) is Decimal and amount.is_finite():
        exponent = amount.as_tuple().exponent
        if isinstance(exponent, int) and exponent >= -2:
            cents = int(amount * 100)
    return cents


def lean_claim_payment(
    view: BalanceView,
    claim: Claim,
    payment: ClaimPayment,
    *,
    remittance: Remittance,
    coverage: Coverage,
    next_coverage: Coverage | None,
    key: str,
    line_ids: Sequence[str],
    recorded_at: object,
) -> list[str] | None:
    """Plan the common CLP loop as ``claim_payment_entries`` would, or ``None`` (nothing
    planned, nothing read that it would not read) when the loop is not the common case.

    ``line_ids`` are the claim line ids the payment's lines matched, one per line."""
    status = payment.status._value_
    lines = payment.lines
    if status not in _LEVELS or payment.adjustments or not lines or len(line_ids) != len(lines):
        return None
    patient = claim.patient.id
    payer = coverage.payer.id
    claim_id = claim.id
    level = coverage.priority
    if not (
        type(patient) is str
        and patient
        and not patient.isspace()
        and type(payer) is str
        and payer
        and not payer.isspace()
        and type(claim_id) is str
        and claim_id
        and not claim_id.isspace()
    ):
        return None
    if next_coverage is None:
        next_payer: str | None = None
        next_level: Priority | None = None
        target_code = _PATIENT_RECEIVABLE
    else:
        next_payer, next_level, target_code = (
            next_coverage.payer.id,
            next_coverage.priority,
            _INSURANCE,
        )
        if not _text(next_payer):
            return None
    # -- the loop's amounts, in cents (no view read yet) --------------------------------
    pieces: list[tuple[str, int, int, int, dict[str, int]]] = []
    total_paid = 0
    roles = _ROLE.get
    for line_id, line in zip(line_ids, lines, strict=True):
        value = line.charge
        charge = (
            int(value * _HUNDRED)
            if type(value) is Decimal and value.same_quantum(_CENT)
            else _cents(value)
        )
        value = line.paid
        paid = (
            int(value * _HUNDRED)
            if type(value) is Decimal and value.same_quantum(_CENT)
            else _cents(value)
        )
        if not charge or paid is None or type(line_id) is not str or not line_id:
            return None  # a line adjudicating no charge adds to the earlier adjudication
        if line_id.isspace():
            return None
        share = 0
        booked: dict[str, int] = {}
        for adjustment in line.adjustments:
            group, reason, value = adjustment.group, adjustment.reason, adjustment.amount
            role = roles((group._value_, reason), _UNKNOWN)
            if role is _UNKNOWN:
                role = _role(group, reason)
            amount = (
                int(value * _HUNDRED)
                if type(value) is Decimal and value.same_quantum(_CENT)
                else _cents(value)
            )
            if role is None or amount is None:
                return None
            if role is _PATIENT:
                share += amount
            elif role:
                booked[role] = booked.get(role, 0) + amount
        total_paid += paid
        pieces.append((line_id, charge, paid, share, booked))
    if len({p[0] for p in pieces}) != len(pieces):
        return None  # two payment lines on one claim line: the reference sums them
    paid_total = _cents(payment.paid)
    if paid_total != total_paid:
        return None  # money at the claim level (CLP04 beyond the lines)
    effective = remittance.paid_on
    charged = view.service_date(str(claim_id))
    if charged is not None and effective < charged:
        return None
    if is_duplicate(
        view, str(claim_id), coverage, payment, key, remittance, {p[0] for p in pieces}
    ):
        return None
    later = level is not Priority.PRIMARY
    if later and next_coverage is None and view.patient_money_entries(str(claim_id)):
        return None  # the patient's money counts toward the share: the reference plans it
    # -- the postings, in the reference's order ------------------------------------------
    amounts: dict[Account, int] = {}
    get = amounts.get
    balance = view.balance
    explain: list[str] = []
    known: dict[Account, int] = {}  # this payer's line receivables read, in cents
    accounts = _ACCOUNTS.get
    if paid_total:
        cash = accounts(("cash", None, payer, None, None, None)) or _account(
            "cash", None, payer, None, None, None
        )
        amounts[cash] = paid_total
    party = _party(coverage)
    next_party = _party(next_coverage)
    level_value = level._value_
    next_value = None if next_level is None else next_level._value_
    identity: tuple[str | None, ...]
    for line_id, _charge, paid, share, booked in pieces:
        identity = (_INSURANCE, patient, payer, level_value, claim_id, line_id)
        receivable = accounts(identity) or _new_account(identity, level)
        identity = (target_code, patient, next_payer, next_value, claim_id, line_id)
        target = accounts(identity) or _new_account(identity, next_level)
        value = balance(receivable)
        billed_now = (
            int(value * _HUNDRED)
            if type(value) is Decimal and value.same_quantum(_CENT)
            else _cents(value)
        )
        value = balance(target)
        target_cents = (
            int(value * _HUNDRED)
            if type(value) is Decimal and value.same_quantum(_CENT)
            else _cents(value)
        )
        if billed_now is None or target_cents is None:
            return None
        known[receivable] = billed_now
        # this line's accounts are its own (line ids are distinct): sum per role in a
        # small dict (str keys hash in C) in first-touched order, the reference's order
        moved: dict[str, int] = {}
        billed = billed_now
        target_now = target_cents
        if paid:
            moved["rec"] = -paid
        move = share - target_now
        if move > 0:
            move = min(move, max(billed - paid, 0))
        if move:
            moved["tgt"] = move
            moved["rec"] = moved.get("rec", 0) - move
            explain.append(f"line {line_id}: {next_party}'s share is {_money(share)} (PR)")
        left = billed - paid - move
        if booked:
            for code in _ORDER:
                part = booked.get(code)
                if not part:
                    continue
                part = min(part, max(left, 0))
                if part > 0:
                    left -= part
                    moved[code] = moved.get(code, 0) + part
                    moved["rec"] = moved.get("rec", 0) - part
        if left > 0 and later:
            code = "contractual_adjustment"
            moved[code] = moved.get(code, 0) + left
            moved["rec"] = moved.get("rec", 0) - left
            explain.append(
                f"line {line_id}: {_money(left)} of what {party} was billed is its "
                "contractual adjustment (adjudicated against the full charge, OA-23 prior payer)"
            )
        elif left > 0:
            explain.append(f"line {line_id}: {_money(left)} left open in {party} A/R")
        for role, cents in moved.items():
            if role == "rec":
                amounts[receivable] = cents
            elif role == "tgt":
                amounts[target] = cents
            else:
                identity = (role, patient, payer, level_value, claim_id, line_id)
                amounts[accounts(identity) or _new_account(identity, level)] = cents
    # the claim-level piece (no money, no CAS): the reference reads its two balances
    identity = (_INSURANCE, patient, payer, level_value, claim_id, None)
    receivable = accounts(identity) or _new_account(identity, level)
    value = balance(receivable)
    identity = (target_code, patient, next_payer, next_value, claim_id, None)
    balance(accounts(identity) or _new_account(identity, next_level))
    if paid_total > 0:
        # paid more than it owed (a liability to the payer): the reference books it
        owed = 0
        mine = dict.fromkeys(
            a
            for a in view.claim_accounts(_INSURANCE, str(claim_id))
            if a.payer == payer and a.level is level
        )
        for account in amounts:
            if (
                account.code == _INSURANCE
                and account.claim == claim_id
                and account.payer == payer
                and account.level is level
            ):
                mine[account] = None
        if receivable in mine:
            known[receivable] = int(value * 100)
        for account in mine:
            # whole cents: a store's (the ones read above, unchanged since: nothing was
            # planned in between, so a second read would give the same)
            now = known.get(account)
            if now is None:
                now = int(balance(account) * 100)
            owed += now + get(account, 0)
        if min(-owed, paid_total) > 0:
            return None
    memo = f"{party} paid {payment.paid!s} of charge {payment.charge!s} on claim {claim_id}"
    if status in _CROSSOVERS and next_coverage is not None:
        memo += f"; crossed over to {next_party}"
        explain.append(f"crossed over: {next_party} was billed by the payer")
    amount_of = _AMOUNTS.get  # the shared Decimal of these cents (never zero here)
    debits: list[Posting] = []
    credits: list[Posting] = []
    for account, cents in amounts.items():
        if cents:
            if not -_MAX_CENTS <= cents <= _MAX_CENTS:
                return None  # the reference refuses it with its usual error
            posting = _POSTING(account, amount_of(cents) or _money(cents), cents)
            (debits if cents > 0 else credits).append(posting)
    era = remittance.id
    references = (
        _REFERENCES(patient, payer, claim_id, None, era, era)
        if _text(era)
        else planned_references(patient=patient, claim=claim_id, payer=payer, remittance=era,
                                trace=era)
    )  # fmt: skip
    view.add(
        planned_entry(
            key=key,
            effective=effective,
            kind=EntryKind.CLAIM_PAYMENT,
            memo=memo,
            references=references,
            recorded_at=recorded_at,  # type: ignore[arg-type]
            postings=(*debits, *credits),
        )
    )
    # money collected for the claim or its visit (a check-in copay): read as the reference
    # reads it, which applies it when there is any
    identity = ("patient_credit", patient, None, None, claim_id, None)
    credit = balance(accounts(identity) or _new_account(identity, None)) > 0
    if claim.encounter_id is not None:
        place = f"encounter:{claim.encounter_id}"
        credit |= balance(_account("patient_credit", patient, None, None, place, None)) > 0
    if credit:
        _apply_claim_credit(view, claim, key, effective, recorded_at, explain)  # type: ignore[arg-type]
    return explain
