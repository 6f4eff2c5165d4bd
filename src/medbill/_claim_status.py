"""What clearinghouses and payers say about submitted claims: 999, 277CA and 277, typed.

- A 999 implementation acknowledgment (005010X231A1) says whether each transaction set of
  a file (an 837 batch) passed syntax and implementation-guide checks: IK5 per set, AK9
  per functional group, with the segment (IK3) and element (IK4) errors.
- A 277CA claim acknowledgment (005010X214) says, per claim and line, whether the payer's
  front end accepted it into adjudication (STC category A1/A2) or rejected it (A3, A6, A7,
  A8), with the status codes that say why.
- A 277 claim status response (005010X212) answers a 276 inquiry: pending (P0-P5),
  finalized (F0-F4), requests for information (R0-R17), with the payer's claim number,
  the adjudication and payment dates and the amounts.

The code lists are data (:mod:`medbill.codes`); a code not in them is kept as sent.
"""

from __future__ import annotations

from decimal import Decimal

import attrs
import pendulum

from medbill._common import Period, PersonName
from medbill._enums import MedbillEnum
from medbill._validation import (
    money_fields,
    to_optional_date,
    to_optional_decimal,
    to_optional_money,
    validate,
)
from medbill.codes._x12_lists import (
    ACK_ELEMENT_ERROR_DESCRIPTIONS,
    ACK_SEGMENT_ERROR_DESCRIPTIONS,
    ACK_STATUS_DESCRIPTIONS,
    ACK_TRANSACTION_ERROR_DESCRIPTIONS,
    CLAIM_STATUS_CATEGORY_DESCRIPTIONS,
    CLAIM_STATUS_DESCRIPTIONS,
    CLAIM_STATUS_UNPUBLISHED,
    CLAIM_STATUS_USAGE_NOTES,
)

__all__ = [
    "AckStatus",
    "ClaimStatusCode",
    "ClaimStatusReport",
    "ElementError",
    "FunctionalAcknowledgement",
    "LineStatus",
    "SegmentError",
    "StatusOutcome",
    "TransactionAcknowledgement",
]


class StatusOutcome(MedbillEnum):
    """What a claim status category means for the claim's follow-up.

    >>> from medbill import ClaimStatusCode
    >>> ClaimStatusCode(category="P3", status="317").outcome.value
    'request-for-information'
    """

    RECEIVED = "received"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    NOT_FOUND = "not-found"
    PENDING = "pending"
    REQUEST_FOR_INFORMATION = "request-for-information"
    PAID = "finalized-paid"
    DENIED = "finalized-denied"
    FINALIZED = "finalized"
    ERROR = "error"
    UNKNOWN = "unknown"


# Category code (external code source 507) → outcome; R* are requests for information.
_OUTCOMES = {
    "A0": StatusOutcome.RECEIVED,
    "A1": StatusOutcome.RECEIVED,
    "A2": StatusOutcome.ACCEPTED,
    "A3": StatusOutcome.REJECTED,
    "A4": StatusOutcome.NOT_FOUND,
    "A5": StatusOutcome.ACCEPTED,
    "A6": StatusOutcome.REJECTED,
    "A7": StatusOutcome.REJECTED,
    "A8": StatusOutcome.REJECTED,
    "D0": StatusOutcome.NOT_FOUND,
    "E0": StatusOutcome.ERROR,
    "E1": StatusOutcome.ERROR,
    "E2": StatusOutcome.ERROR,
    "E3": StatusOutcome.REJECTED,
    "E4": StatusOutcome.REJECTED,
    "F0": StatusOutcome.FINALIZED,
    "F1": StatusOutcome.PAID,
    "F2": StatusOutcome.DENIED,
    "F3": StatusOutcome.FINALIZED,
    "F3F": StatusOutcome.PAID,
    "F3N": StatusOutcome.PAID,
    "F4": StatusOutcome.FINALIZED,
    "F5": StatusOutcome.FINALIZED,
    "P0": StatusOutcome.PENDING,
    "P1": StatusOutcome.PENDING,
    "P2": StatusOutcome.PENDING,
    "P3": StatusOutcome.REQUEST_FOR_INFORMATION,
    "P4": StatusOutcome.REQUEST_FOR_INFORMATION,
    "P5": StatusOutcome.PENDING,
}


@attrs.frozen(kw_only=True)
class ClaimStatusCode:
    """One claim status (an STC01, STC10 or STC11 composite): category, status, entity.

    ``code_source`` is the 4th component (e.g. ``"RX"``: an NCPDP reject code).

    >>> from medbill import ClaimStatusCode
    >>> code = ClaimStatusCode(category="A7", status="562", entity="85")
    >>> str(code), code.outcome.value
    ('A7:562:85', 'rejected')
    >>> code.status_description
    "Entity's National Provider Identifier (NPI)."
    """

    category: str
    status: str | None = None
    entity: str | None = None
    code_source: str | None = None

    @property
    def category_description(self) -> str | None:
        """The published meaning of the category code; ``None`` for an unknown code."""
        return CLAIM_STATUS_CATEGORY_DESCRIPTIONS.get(self.category)

    @property
    def status_description(self) -> str | None:
        """The published meaning of the status code (code source 508).

        ``None`` for a code not in the list, and for a code of another list named by the
        4th component (``code_source``, e.g. ``RX``: an NCPDP reject code).
        """
        if self.code_source:
            return None
        return CLAIM_STATUS_DESCRIPTIONS.get(self.status or "")

    @property
    def status_usage(self) -> str | None:
        """The list's usage note for the status code, e.g. that an entity code is required.

        >>> from medbill import ClaimStatusCode
        >>> ClaimStatusCode(category="A7", status="562", entity="85").status_usage
        'This code requires use of an Entity Code.'
        """
        if self.code_source:
            return None
        return CLAIM_STATUS_USAGE_NOTES.get(self.status or "")

    @property
    def outcome(self) -> StatusOutcome:
        """What the category means for the claim (``UNKNOWN`` for a code not in the list)."""
        found = _OUTCOMES.get(self.category)
        if found is not None:
            return found
        if self.category.startswith("R") and self.category in CLAIM_STATUS_CATEGORY_DESCRIPTIONS:
            return StatusOutcome.REQUEST_FOR_INFORMATION
        return StatusOutcome.UNKNOWN

    def __str__(self) -> str:
        parts = [self.category, self.status or "", self.entity or "", self.code_source or ""]
        while parts and not parts[-1]:
            parts.pop()
        return ":".join(parts)

    def explain(self) -> str:
        """The code with its meanings, for a person: ``A7:562:85 Acknowledgement/...``."""
        words = [w for w in (self.category_description, self.status_description) if w]
        if not words and f"507:{self.category}" in CLAIM_STATUS_UNPUBLISHED:
            return f"{self} (a code of the list whose meaning medbill's source does not publish)"
        return f"{self} {' '.join(words) or '(unknown code)'}"


@attrs.frozen(kw_only=True)
class LineStatus:
    """The status of one service line (277 loop 2220D/E, 277CA loop 2220D): SVC and STC.

    >>> from decimal import Decimal
    >>> from medbill import ClaimStatusCode
    >>> LineStatus(procedure="99203", charge=Decimal("150.00"),
    ...            statuses=(ClaimStatusCode(category="F2", status="88"),)).outcome.value
    'finalized-denied'
    """

    procedure: str | None = None
    modifiers: tuple[str, ...] = ()
    charge: Decimal | None = attrs.field(default=None, converter=to_optional_money)
    paid: Decimal | None = attrs.field(default=None, converter=to_optional_money)
    units: Decimal | None = attrs.field(default=None, converter=to_optional_decimal)
    line_id: str | None = None
    service_period: Period | None = None
    statuses: tuple[ClaimStatusCode, ...] = ()

    def __attrs_post_init__(self) -> None:
        validate(self, money_fields(self, "charge", "paid", signed=True))

    @property
    def outcome(self) -> StatusOutcome:
        """The outcome of the line's first status."""
        return self.statuses[0].outcome if self.statuses else StatusOutcome.UNKNOWN


@attrs.frozen(kw_only=True)
class ClaimStatusReport:
    """One status of a 277 or 277CA: a claim's (``level == "claim"``) or a batch's.

    ``implementation`` is the guide (``005010X212`` for a 277, ``005010X214`` for a
    277CA). ``level`` is ``"claim"`` (loop 2200D/E), ``"provider"`` (2200C),
    ``"information-receiver"`` (2200B) or ``"payer"``. ``claim_id`` is the patient
    control number sent in CLM01 (TRN02 of the claim loop); ``payer_claim_number`` the
    payer's claim control number (REF*1K), used to correct or void the claim later.
    ``status_date`` is STC02, ``action`` STC03 (277CA: ``WQ`` accepted, ``U`` rejected),
    ``charge`` STC04, ``paid`` STC05, ``adjudicated_on`` STC06, ``paid_on`` STC08 and
    ``check_number`` STC09.

    >>> from medbill import ClaimStatusCode, ClaimStatusReport
    >>> report = ClaimStatusReport(implementation="005010X214", level="claim",
    ...     claim_id="CLM-0001", statuses=(ClaimStatusCode(category="A3", status="21"),))
    >>> report.outcome.value, report.is_acknowledgement
    ('rejected', True)
    """

    implementation: str
    level: str
    claim_id: str | None = None
    payer_claim_number: str | None = None
    statuses: tuple[ClaimStatusCode, ...] = ()
    status_date: pendulum.Date | None = attrs.field(default=None, converter=to_optional_date)
    action: str | None = None
    charge: Decimal | None = attrs.field(default=None, converter=to_optional_money)
    paid: Decimal | None = attrs.field(default=None, converter=to_optional_money)
    adjudicated_on: pendulum.Date | None = attrs.field(default=None, converter=to_optional_date)
    paid_on: pendulum.Date | None = attrs.field(default=None, converter=to_optional_date)
    check_number: str | None = None
    service_period: Period | None = None
    payer_name: str | None = None
    payer_id: str | None = None
    provider_name: str | None = None
    provider_id: str | None = None
    patient_name: PersonName | None = None
    member_id: str | None = attrs.field(default=None, repr=False, metadata={"phi": True})
    references: tuple[tuple[str, str], ...] = ()
    lines: tuple[LineStatus, ...] = ()

    def __attrs_post_init__(self) -> None:
        validate(self, money_fields(self, "charge", "paid", signed=True))

    @property
    def is_acknowledgement(self) -> bool:
        """Whether this is a 277CA claim acknowledgment (005010X214)."""
        return "X214" in self.implementation

    @property
    def outcome(self) -> StatusOutcome:
        """What the first status (STC01) means; a 277CA rejects with action code U."""
        outcome = self.statuses[0].outcome if self.statuses else StatusOutcome.UNKNOWN
        if self.is_acknowledgement and self.action == "U" and outcome is StatusOutcome.UNKNOWN:
            return StatusOutcome.REJECTED
        return outcome

    @property
    def document(self) -> str:
        """A short reference to this status for a history line: ``277CA A3:21``."""
        kind = "277CA" if self.is_acknowledgement else "277"
        codes = " ".join(str(code) for code in self.statuses) or "(no STC)"
        number = f" payer claim {self.payer_claim_number}" if self.payer_claim_number else ""
        return f"{kind} {codes}{number}"

    def explain(self) -> str:
        """Every status code of the claim and its lines, with their meanings."""
        found = [code.explain() for code in self.statuses]
        for index, line in enumerate(self.lines, start=1):
            found += [f"line {index}: {code.explain()}" for code in line.statuses]
        return "; ".join(found) or "no status codes"


class AckStatus(MedbillEnum):
    """IK501 / AK901: whether a transaction set or functional group was accepted.

    >>> from medbill import AckStatus
    >>> AckStatus("R").is_rejected, AckStatus.ACCEPTED_WITH_ERRORS.is_rejected
    (True, False)
    """

    ACCEPTED = "A"
    ACCEPTED_WITH_ERRORS = "E"
    MAC_FAILED = "M"
    PARTIALLY_ACCEPTED = "P"
    REJECTED = "R"
    ASSURANCE_FAILED = "W"
    UNREADABLE = "X"

    @property
    def is_rejected(self) -> bool:
        """Rejected (R, M, W, X): nothing of it goes on to the payer."""
        return self in (
            AckStatus.REJECTED,
            AckStatus.MAC_FAILED,
            AckStatus.ASSURANCE_FAILED,
            AckStatus.UNREADABLE,
        )

    @property
    def description(self) -> str:
        """The published meaning of the code."""
        return ACK_STATUS_DESCRIPTIONS[self.value]


@attrs.frozen(kw_only=True)
class ElementError:
    """An IK4: an element of the segment in error.

    ``position`` is IK401-1, ``component`` IK401-2, ``repetition`` IK401-3, ``reference``
    the data element reference number (IK402), ``code`` IK403 and ``value`` the bad data
    (IK404).

    >>> ElementError(position=2, reference="782", code="1").description
    'Required Data Element Missing'
    """

    position: int
    code: str
    component: int | None = None
    repetition: int | None = None
    reference: str | None = None
    value: str | None = None

    @property
    def description(self) -> str | None:
        """The published meaning of IK403."""
        return ACK_ELEMENT_ERROR_DESCRIPTIONS.get(self.code)


@attrs.frozen(kw_only=True)
class SegmentError:
    """An IK3 with its context (CTX) and element errors (IK4).

    >>> SegmentError(segment_id="CLM", position=22, code="8").description
    'Segment Has Data Element Errors'
    """

    segment_id: str
    position: int
    code: str
    loop: str | None = None
    context: tuple[str, ...] = ()
    elements: tuple[ElementError, ...] = ()

    @property
    def description(self) -> str | None:
        """The published meaning of IK304."""
        return ACK_SEGMENT_ERROR_DESCRIPTIONS.get(self.code)

    def __str__(self) -> str:
        where = f"{self.segment_id} (segment {self.position})"
        found = [f"{where}: {self.description or self.code}"]
        found += [
            f"element {e.position} ({e.reference or '?'}): {e.description or e.code}"
            for e in self.elements
        ]
        return "; ".join(found)


@attrs.frozen(kw_only=True)
class TransactionAcknowledgement:
    """The 999's answer for one transaction set it acknowledges (AK2 .. IK5).

    ``errors`` holds the IK502..IK506 codes; ``segment_errors`` the IK3 loops.

    >>> from medbill import AckStatus, TransactionAcknowledgement
    >>> ack = TransactionAcknowledgement(transaction_set_id="837", control_number="0002",
    ...                                  status=AckStatus.REJECTED, errors=("5",))
    >>> ack.reasons
    ('IK5 5: One or More Segments in Error',)
    """

    transaction_set_id: str
    control_number: str
    status: AckStatus
    implementation: str | None = None
    errors: tuple[str, ...] = ()
    segment_errors: tuple[SegmentError, ...] = ()
    group_control_number: str | None = None

    @property
    def reasons(self) -> tuple[str, ...]:
        """Every error, with its meaning, as text."""
        found = [
            f"IK5 {code}: {ACK_TRANSACTION_ERROR_DESCRIPTIONS.get(code, 'unknown code')}"
            for code in self.errors
        ]
        return tuple(found + [str(error) for error in self.segment_errors])

    @property
    def document(self) -> str:
        """A short reference for a history line: ``999 837 0002 R``."""
        return f"999 {self.transaction_set_id} {self.control_number} {self.status.value}"


@attrs.frozen(kw_only=True)
class FunctionalAcknowledgement:
    """A 999 for one functional group (AK1 .. AK9) and its transaction sets.

    ``functional_id`` is AK101 (``HC`` claims), ``group_control_number`` AK102 (the GS06
    acknowledged); ``included``, ``received`` and ``accepted`` are AK902..AK904 and
    ``errors`` AK905..AK909.

    >>> from medbill import AckStatus
    >>> ack = FunctionalAcknowledgement(functional_id="HC", group_control_number="17456",
    ...     status=AckStatus.PARTIALLY_ACCEPTED, included=3, received=3, accepted=1)
    >>> ack.status.description
    'Partially Accepted, At Least One Transaction Set Was Rejected'
    """

    functional_id: str
    group_control_number: str
    status: AckStatus
    version: str | None = None
    included: int | None = None
    received: int | None = None
    accepted: int | None = None
    errors: tuple[str, ...] = ()
    transactions: tuple[TransactionAcknowledgement, ...] = ()

    def for_transaction(self, control_number: str) -> TransactionAcknowledgement | None:
        """The acknowledgement of transaction set ``control_number`` (ST02), if any."""
        wanted = control_number.lstrip("0") or "0"
        for ack in self.transactions:
            if (ack.control_number.lstrip("0") or "0") == wanted:
                return ack
        return None
