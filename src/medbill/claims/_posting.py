"""Posting a remittance to the ledger: balanced, matched, then through the ledger's recipes.

:func:`post_remittance` refuses an unbalanced remittance whole (nothing is posted), matches
each claim payment to its claim and lines, and posts what matched with
:func:`medbill.ledger.post_claim_payment` and the provider-level adjustments with
:func:`medbill.ledger.post_provider_adjustments`. The recipes' idempotency keys are built
from the remittance, claim, payer and status, so posting the same remittance twice posts
it once. What cannot be matched is returned as exceptions, not posted, for a person to
work; posting the remittance again once it is resolved posts just the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import attrs
import pendulum

from medbill._common import ClaimId
from medbill._encounter import Claim
from medbill._parties import Coverage, Priority
from medbill._payment import ClaimPayment, PayerClaimStatus, Remittance
from medbill.claims._build import SecondaryClaim
from medbill.claims._matching import match_lines
from medbill.claims._remittance import (
    ClaimMatch,
    ExceptionReason,
    RemittanceException,
    check_balanced,
)
from medbill.ledger import JournalEntry, Ledger, post_claim_payment, post_provider_adjustments

__all__ = ["PostingResult", "post_remittance"]

_LEVEL = {
    PayerClaimStatus.PROCESSED_AS_PRIMARY: Priority.PRIMARY,
    PayerClaimStatus.PROCESSED_AS_PRIMARY_FORWARDED: Priority.PRIMARY,
    PayerClaimStatus.PROCESSED_AS_SECONDARY: Priority.SECONDARY,
    PayerClaimStatus.PROCESSED_AS_SECONDARY_FORWARDED: Priority.SECONDARY,
    PayerClaimStatus.PROCESSED_AS_TERTIARY: Priority.TERTIARY,
    PayerClaimStatus.PROCESSED_AS_TERTIARY_FORWARDED: Priority.TERTIARY,
}


def _entries(values: Iterable[JournalEntry]) -> tuple[JournalEntry, ...]:
    return tuple(values)


def _matches(values: Iterable[ClaimMatch]) -> tuple[ClaimMatch, ...]:
    return tuple(values)


def _exceptions(values: Iterable[RemittanceException]) -> tuple[RemittanceException, ...]:
    return tuple(values)


@attrs.frozen(kw_only=True)
class PostingResult:
    """What :func:`post_remittance` did: entries posted (or found already posted), the
    claims matched, and the exceptions left for a person.

    >>> from medbill.claims import PostingResult
    >>> PostingResult(remittance_id="EFT-1", entries=[], matched=[], exceptions=[]).entries
    ()
    """

    remittance_id: str
    entries: tuple[JournalEntry, ...] = attrs.field(converter=_entries)
    matched: tuple[ClaimMatch, ...] = attrs.field(converter=_matches)
    exceptions: tuple[RemittanceException, ...] = attrs.field(converter=_exceptions)


def _claim_of(item: Claim | SecondaryClaim) -> Claim:
    return item.claim if isinstance(item, SecondaryClaim) else item


def _candidates(
    claims: Iterable[Claim | SecondaryClaim] | Mapping[ClaimId, Claim | SecondaryClaim],
) -> dict[str, list[Claim]]:
    items = claims.values() if isinstance(claims, Mapping) else claims
    found: dict[str, list[Claim]] = {}
    for item in items:
        claim = _claim_of(item)
        found.setdefault(str(claim.id), []).append(claim)
    return found


def _pick(candidates: list[Claim], payment: ClaimPayment) -> Claim:
    # A primary claim and its secondary share the claim id; CLP02 says which payer answers.
    level = _LEVEL.get(payment.status)
    for claim in candidates:
        if claim.coverage is not None and claim.coverage.priority is level:
            return claim
    return candidates[0]


def _coverage_for(
    claim: Claim, payment: ClaimPayment, coverages: Sequence[Coverage]
) -> Coverage | None:
    level = _LEVEL.get(payment.status)
    if claim.coverage is not None and (level is None or claim.coverage.priority is level):
        return claim.coverage
    day = claim.service_dates[0]
    for coverage in coverages:
        if (
            coverage.patient_id == claim.patient.id
            and coverage.priority is level
            and coverage.is_active_on(day)
        ):
            return coverage
    return claim.coverage


def _next_coverage(
    claim: Claim, coverage: Coverage | None, coverages: Sequence[Coverage]
) -> Coverage | None:
    if coverage is None:
        return None
    day = claim.service_dates[0]
    later = [
        c
        for c in coverages
        if c.patient_id == claim.patient.id
        and c.priority.rank == coverage.priority.rank + 1
        and c.is_active_on(day)
    ]
    return later[0] if later else None


def _with_line_ids(payment: ClaimPayment, match: ClaimMatch) -> ClaimPayment:
    # The ledger posts line by line when the payment's line ids are the claim's: give each
    # matched line the id of the claim line it matched.
    ids = {id(m.line_payment): m.claim_line.line_id for m in match.lines}
    lines = [attrs.evolve(line, line_id=ids[id(line)]) for line in payment.lines]
    return attrs.evolve(payment, lines=lines)


def post_remittance(
    ledger: Ledger,
    remittance: Remittance,
    claims: Iterable[Claim | SecondaryClaim] | Mapping[ClaimId, Claim | SecondaryClaim],
    *,
    coverages: Sequence[Coverage] = (),
    payer_id: str | None = None,
    recorded_at: pendulum.DateTime | None = None,
) -> PostingResult:
    """Validate, match and post ``remittance``; return the entries and the exceptions.

    ``claims`` are the claims the remittance may pay (a primary claim and its secondary
    claim may share an id: the claim payment's status, CLP02, picks the payer level).
    ``coverages`` are the patients' coverages, used to find the paying coverage when the
    claim given is not that payer's, and the next payer, which then receives the
    patient-responsibility amounts instead of the patient. ``payer_id`` names the payer for
    the provider-level adjustments (default: the paying coverage's payer, else the
    remittance's ``payer_id``).

    A claim payment whose claim is unknown, or with a line that matches no claim line, is
    not posted: it is returned in ``exceptions``.

    >>> from medbill.claims import post_remittance
    >>> from medbill.ledger import Ledger, claim_balance, post_charges
    >>> from medbill.testing import make_claim, make_remittance
    >>> ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 4, 1, 18))
    >>> claim = make_claim()
    >>> _ = post_charges(ledger, claim)
    >>> era = make_remittance()  # Acme pays 80.00 of 150.00: CO-45 50.00, PR-2 20.00
    >>> result = post_remittance(ledger, era, [claim])
    >>> [entry.key for entry in result.entries], result.exceptions
    (['claim-payment:EFT-0001:CLM-0001:acme:1'], ())
    >>> claim_balance(ledger, "CLM-0001").patient
    Decimal('20.00')
    >>> again = post_remittance(ledger, era, [claim])  # idempotent: nothing new
    >>> len(ledger)
    2
    """
    check_balanced(remittance)
    by_id = _candidates(claims)
    entries: list[JournalEntry] = []
    matched: list[ClaimMatch] = []
    exceptions: list[RemittanceException] = []
    payers: list[str] = []
    for payment in remittance.claim_payments:
        candidates = by_id.get(str(payment.claim_id))
        if not candidates:
            exceptions.append(
                RemittanceException(
                    reason=ExceptionReason.UNKNOWN_CLAIM,
                    claim_payment=payment,
                    message=f"no claim {payment.claim_id!r} among the claims given",
                )
            )
            continue
        claim = _pick(candidates, payment)
        lines, unmatched = match_lines(claim, payment.lines)
        if unmatched:
            exceptions.extend(
                RemittanceException(
                    reason=ExceptionReason.UNMATCHED_LINE,
                    claim_payment=payment,
                    line_payment=line,
                    message=f"no line of claim {claim.id!r} matches "
                    f"{line.procedure or line.revenue_code}; the claim payment was not posted",
                )
                for line in unmatched
            )
            continue
        match = ClaimMatch(claim=claim, payment=payment, lines=lines)
        coverage = _coverage_for(claim, payment, coverages)
        entries.append(
            post_claim_payment(
                ledger,
                claim,
                _with_line_ids(payment, match),
                remittance=remittance,
                coverage=coverage,
                next_coverage=_next_coverage(claim, coverage, coverages),
                recorded_at=recorded_at,
            )
        )
        matched.append(match)
        if coverage is not None:
            payers.append(str(coverage.payer.id))
    plb_payer = payer_id or (payers[0] if payers else remittance.payer_id or remittance.payer_name)
    plb = post_provider_adjustments(ledger, remittance, payer=plb_payer, recorded_at=recorded_at)
    if plb is not None:
        entries.append(plb)
    return PostingResult(
        remittance_id=remittance.id, entries=entries, matched=matched, exceptions=exceptions
    )
