"""Corrected (frequency 7) and voided (frequency 8) claims, and the charges they adjust.

A payer that has adjudicated a claim is sent a *replacement* (CLM05-3 = 7) or a *void*
(CLM05-3 = 8) that names the payer's claim control number (837P loop 2300 REF*F8, taken
from the 835's CLP07 or a 277's REF*1K), never a second original (which it would deny as
a duplicate, CARC 18). A replacement replaces the whole claim; its changed lines change
the charges on the books: :func:`post_corrected_charges` reverses the old lines' charges
and posts the new lines' in one atomic batch, each entry naming the other in its memo and
key, so the link between the original and the correction is kept in the journal.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import attrs
import pendulum

from medbill._common import ClaimId
from medbill._encounter import Claim, ClaimFrequency, ClaimLine
from medbill._errors import LedgerError, ValidationError
from medbill._money import ZERO
from medbill.ledger import Account, EntryKind, JournalEntry, Ledger, Posting, References

__all__ = ["build_corrected_claim", "build_void_claim", "post_corrected_charges"]


def _payer_number(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(
            "payer_claim_number", value, "must be the payer's claim control number (CLP07)"
        )
    return value.strip()


def build_corrected_claim(
    claim: Claim,
    payer_claim_number: str,
    *,
    lines: Iterable[ClaimLine] | None = None,
    claim_id: ClaimId | None = None,
) -> Claim:
    """The replacement (frequency 7) of ``claim``, with ``lines`` if they change.

    The replacement keeps the claim id (the patient control number) unless ``claim_id``
    says otherwise, and refers to the payer's claim control number (REF*F8).

    >>> from medbill.claims import build_corrected_claim
    >>> from medbill.testing import make_claim
    >>> corrected = build_corrected_claim(make_claim(), "PCN-99")
    >>> corrected.frequency.value, corrected.original_claim_reference
    ('7', 'PCN-99')
    """
    number = _payer_number(payer_claim_number)
    fields: dict[str, Any] = {
        "frequency": ClaimFrequency.REPLACEMENT,
        "original_claim_reference": number,
    }
    if claim_id is not None:
        fields["id"] = ClaimId(claim_id)
    if lines is not None:
        new_lines = tuple(lines)
        fields["lines"] = new_lines
        fields["total_charge"] = sum((line.charge for line in new_lines), ZERO)
    return attrs.evolve(claim, **fields)


def build_void_claim(claim: Claim, payer_claim_number: str) -> Claim:
    """The void (frequency 8) of ``claim``: the same claim, referring to the payer's number.

    >>> from medbill.claims import build_void_claim
    >>> from medbill.testing import make_claim
    >>> build_void_claim(make_claim(), "PCN-99").frequency.name
    'VOID'
    """
    number = _payer_number(payer_claim_number)
    return attrs.evolve(claim, frequency=ClaimFrequency.VOID, original_claim_reference=number)


def _line_key(line: ClaimLine) -> tuple[object, ...]:
    return (
        str(line.procedure),
        tuple(str(m) for m in line.modifiers),
        line.charge,
        line.units,
        line.service_date,
    )


def _receivable(claim: Claim, line_id: str) -> Account:
    if claim.coverage is None:
        return Account.patient_receivable(claim.patient.id, claim.id, line_id)
    coverage = claim.coverage
    return Account.insurance_receivable(
        coverage.payer.id, coverage.priority, claim.patient.id, claim.id, line_id
    )


def post_corrected_charges(
    ledger: Ledger,
    original: Claim,
    corrected: Claim,
    *,
    effective: pendulum.Date | None = None,
    recorded_at: pendulum.DateTime | None = None,
) -> tuple[JournalEntry, ...]:
    """Adjust the books for a replacement claim: reverse the changed lines' charges, post new.

    A line of ``original`` that is gone from ``corrected`` or changed (code, modifiers,
    charge, units or date) has its charge postings mirrored (entry
    ``correction:<corrected id>:<payer claim number>/reversal``, kind reversal); each
    changed or new line of ``corrected`` is charged (entry
    ``correction:<corrected id>:<payer claim number>``, kind charge). Both go in one batch:
    all or nothing. Each names the other and the claims in its memo. Nothing changed: no
    entries. Posting the same correction again (same claim id and payer claim number)
    returns the entries posted the first time.

    >>> import pendulum
    >>> from decimal import Decimal
    >>> from medbill.claims import build_corrected_claim, post_corrected_charges
    >>> from medbill.ledger import Ledger, post_charges
    >>> from medbill.testing import make_claim, make_claim_line
    >>> ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 3, 20, 9))
    >>> original = make_claim()
    >>> _ = post_charges(ledger, original)
    >>> fixed = build_corrected_claim(original, "PCN-99", lines=[make_claim_line(
    ...     procedure="99214", charge=Decimal("200.00"))])
    >>> reversal, charge = post_corrected_charges(ledger, original, fixed)
    >>> ledger.total("gross_charges", claim="CLM-0001")
    Decimal('200.00')
    """
    if corrected.frequency is not ClaimFrequency.REPLACEMENT:
        raise ValidationError(
            "corrected.frequency", corrected.frequency.value, "must be 7 (a replacement claim)"
        )
    if corrected.patient.id != original.patient.id:
        raise ValidationError(
            "corrected.patient", corrected.patient.id, "must be the original claim's patient"
        )
    number = corrected.original_claim_reference or ""
    key = f"correction:{corrected.id}:{number}"
    posted = tuple(ledger.get(k) for k in (f"{key}/reversal", key) if k in ledger)
    if posted:
        return posted  # this correction is on the books already
    charged = _charged_lines(ledger, original)
    new_by_id = {line.line_id: line for line in corrected.lines}
    old_by_id = {line.line_id: line for line in original.lines}
    gone = [
        line_id
        for line_id, line in old_by_id.items()
        if line_id not in new_by_id
        or _line_key(new_by_id[line_id]) != _line_key(line)
        or corrected.id != original.id
    ]
    fresh = [
        line
        for line in corrected.lines
        if line.line_id in gone or line.line_id not in old_by_id or corrected.id != original.id
    ]
    if not gone and not fresh:
        return ()
    day = effective or corrected.service_dates[0]
    reversal_postings = [p.mirrored() for line_id in gone for p in charged.get(line_id, [])]
    entries: list[JournalEntry] = []
    if reversal_postings:
        entries.append(
            JournalEntry(
                key=f"{key}/reversal",
                effective=day,
                kind=EntryKind.REVERSAL,
                memo=f"lines {', '.join(gone)} of claim {original.id} replaced by corrected claim "
                f"{corrected.id} (frequency 7, payer claim {number}); see {key}",
                references=References(patient=original.patient.id, claim=original.id),
                recorded_at=recorded_at,
                postings=reversal_postings,
            )
        )
    if fresh:
        postings: list[Posting] = []
        for line in fresh:
            postings.append(Posting.debit(_receivable(corrected, line.line_id), line.charge))
            postings.append(
                Posting.credit(
                    Account.gross_charges(corrected.patient.id, corrected.id, line.line_id),
                    line.charge,
                )
            )
        payer = corrected.coverage.payer.id if corrected.coverage else None
        entries.append(
            JournalEntry(
                key=key,
                effective=day,
                kind=EntryKind.CHARGE,
                memo=f"charges of corrected claim {corrected.id} (frequency 7, payer claim "
                f"{number}) replacing claim {original.id}; see {key}/reversal",
                references=References(
                    patient=corrected.patient.id,
                    claim=corrected.id,
                    payer=payer,
                    service_date=corrected.service_dates[0],
                ),
                recorded_at=recorded_at,
                postings=postings,
            )
        )
    return ledger.post_batch(entries)


def _charged_lines(ledger: Ledger, claim: Claim) -> dict[str, list[Posting]]:
    """The charge postings on the books for each line of ``claim``, net of corrections."""
    net: dict[str, dict[Account, Decimal]] = {}
    found_charge = False
    for entry in ledger.entries(claim=claim.id):
        counted = entry.kind is EntryKind.CHARGE or (
            entry.kind is EntryKind.REVERSAL and entry.key.startswith("correction:")
        )
        if not counted or ledger.reversal_of(entry.key) is not None:
            continue
        found_charge = found_charge or entry.kind is EntryKind.CHARGE
        for posting in entry.postings:
            line = posting.account.line
            if line is not None and posting.account.claim == claim.id:
                accounts = net.setdefault(line, {})
                accounts[posting.account] = accounts.get(posting.account, ZERO) + posting.amount
    if not found_charge:
        raise LedgerError(f"claim {claim.id!r} has no charges on the books to correct")
    return {
        line: [Posting(account, amount) for account, amount in accounts.items() if amount]
        for line, accounts in net.items()
    }
