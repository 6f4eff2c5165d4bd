"""Small value types shared by the entities: identifiers, periods, names, addresses."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, NewType, Protocol

import attrs
import pendulum

from medbill._enums import MedbillEnum
from medbill._errors import ValidationError
from medbill._privacy import mask_date, mask_text, mask_value
from medbill._validation import check, to_date, to_digits, to_optional_date, to_upper, validate

__all__ = [
    "id_text",
    "Clock",
    "Address",
    "ClaimId",
    "CoverageId",
    "EncounterId",
    "PatientId",
    "PayerId",
    "Period",
    "PersonName",
    "Sex",
    "PHI",
    "masked_date_repr",
    "non_empty",
    "phi_repr",
]

_PHI: dict[str, Any] = {"phi": True}
PHI: dict[str, Any] = _PHI
"""attrs field metadata marking protected health information (masked in messages)."""


class Clock(Protocol):
    """A function returning the current instant (aware, UTC): injected, never read from the
    system, so tests and replays choose the time.

    Any zero-argument callable returning a ``pendulum.DateTime`` is one:

    >>> import pendulum
    >>> from medbill import Clock
    >>> from medbill.ledger import Ledger
    >>> clock: Clock = lambda: pendulum.datetime(2025, 3, 4, 18)
    >>> Ledger.in_memory(clock=clock).closed_through is None
    True
    """

    def __call__(self) -> pendulum.DateTime: ...


PatientId = NewType("PatientId", str)
"""Identifier of a patient, supplied by the caller (an MRN or account number)."""
PayerId = NewType("PayerId", str)
"""Identifier of a payer within the practice's system."""
CoverageId = NewType("CoverageId", str)
"""Identifier of one coverage (a patient's enrolment in a plan)."""
EncounterId = NewType("EncounterId", str)
"""Identifier of an encounter (a visit)."""
ClaimId = NewType("ClaimId", str)
"""Identifier of a claim: the patient control number sent in CLM01 and returned in CLP01."""


def to_patient_id(value: str) -> PatientId:
    """Converter: a plain string becomes a :data:`PatientId`."""
    return PatientId(value)


def to_payer_id(value: str) -> PayerId:
    """Converter: a plain string becomes a :data:`PayerId`."""
    return PayerId(value)


def to_coverage_id(value: str) -> CoverageId:
    """Converter: a plain string becomes a :data:`CoverageId`."""
    return CoverageId(value)


def to_encounter_id(value: str) -> EncounterId:
    """Converter: a plain string becomes an :data:`EncounterId`."""
    return EncounterId(value)


def to_optional_encounter_id(value: str | None) -> EncounterId | None:
    """Converter: a plain string becomes an :data:`EncounterId`; ``None`` stays."""
    return None if value is None else EncounterId(value)


def to_claim_id(value: str) -> ClaimId:
    """Converter: a plain string becomes a :data:`ClaimId`."""
    return ClaimId(value)


def to_optional_claim_id(value: str | None) -> ClaimId | None:
    """Converter: a plain string becomes a :data:`ClaimId`; ``None`` stays."""
    return None if value is None else ClaimId(value)


def id_text(instance: object, attribute: Any, value: Any) -> None:
    """attrs validator: an id field holds a typed id (a non-empty string), never an entity.

    A ``Claim`` or ``Patient`` handed where its id belongs is a :class:`ValidationError`
    naming the field, not an object stored under an id's name.
    """
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(
            attribute.name, value, f"must be an id (a non-empty string), not {type(value).__name__}"
        )


def non_empty(field: str, value: Any, *, phi: bool = False) -> ValidationError | None:
    """A problem unless ``value`` is a string with visible characters."""
    if not isinstance(value, str) or not value.strip():
        return ValidationError(field, value, "must be a non-empty string", phi=phi)
    return None


def masked_date_repr(value: object) -> str:
    """``repr()`` helper for a PHI date field: masked whatever the value's type."""
    if isinstance(value, pendulum.Date):
        return repr(mask_date(value))
    return phi_repr(value)


def phi_repr(value: object) -> str:
    """``repr()`` helper for a PHI field of any type: never prints the value in clear.

    medbill's own PHI types (``PersonName``, ``Address``, ``Subscriber``) mask themselves;
    anything else (a plain string where a name belongs, an int phone number) is masked as
    text.

    >>> phi_repr("Zebediah Quixotefield")
    "'Z******* Q***********'"
    >>> phi_repr(None)
    'None'
    """
    if value is None:
        return "None"
    if attrs.has(type(value)) and type(value).__module__.startswith("medbill."):
        return repr(value)
    return mask_value(value)


class Sex(MedbillEnum):
    """Administrative sex as claims carry it (X12 DMG03).

    >>> from medbill import Sex
    >>> Sex("F").name
    'FEMALE'
    """

    FEMALE = "F"
    MALE = "M"
    UNKNOWN = "U"


@attrs.frozen
class Period:
    """A span of dates, both ends included; ``end=None`` means open-ended.

    >>> import pendulum
    >>> from medbill import Period
    >>> year = Period(pendulum.date(2025, 1, 1), pendulum.date(2025, 12, 31))
    >>> year.contains(pendulum.date(2025, 6, 30))
    True
    >>> Period(pendulum.date(2025, 2, 1), pendulum.date(2025, 1, 1))
    Traceback (most recent call last):
    ...
    medbill.ValidationError: end: must not be before start 2025-02-01 (got Date(2025, 1, 1))
    """

    start: pendulum.Date = attrs.field(converter=to_date)
    end: pendulum.Date | None = attrs.field(default=None, converter=to_optional_date)

    def __attrs_post_init__(self) -> None:
        validate(
            self,
            [
                check(
                    self.end is None or self.end >= self.start,
                    "end",
                    self.end,
                    f"must not be before start {self.start}",
                )
            ],
        )

    def contains(self, day: dt.date) -> bool:
        """Whether ``day`` (a ``datetime.date`` or ``pendulum.Date``) falls within the period."""
        return self.start <= day and (self.end is None or day <= self.end)


@attrs.frozen(kw_only=True)
class PersonName:
    """A person's name; ``repr()`` masks it (protected health information).

    >>> from medbill import PersonName
    >>> PersonName(family="Doe", given="John")
    PersonName('J*** D**')
    >>> PersonName(family="Doe", given="John").formatted
    'John Doe'
    """

    family: str = attrs.field(metadata=_PHI)
    given: str = attrs.field(metadata=_PHI)
    middle: str | None = attrs.field(default=None, metadata=_PHI)
    suffix: str | None = attrs.field(default=None, metadata=_PHI)

    def __attrs_post_init__(self) -> None:
        validate(
            self,
            [
                non_empty("family", self.family, phi=True),
                non_empty("given", self.given, phi=True),
                None if self.middle is None else non_empty("middle", self.middle, phi=True),
                None if self.suffix is None else non_empty("suffix", self.suffix, phi=True),
            ],
        )

    @property
    def formatted(self) -> str:
        """Given, middle, family and suffix in reading order (unmasked)."""
        parts = [self.given, self.middle, self.family, self.suffix]
        return " ".join(p for p in parts if p)

    def __repr__(self) -> str:
        return f"PersonName({mask_text(self.formatted)!r})"


_ZIP = re.compile(r"\d{5}(?:\d{4})?")


@attrs.frozen(kw_only=True)
class Address:
    """A US postal address; ``repr()`` masks it. ZIP codes are 5 or 9 digits.

    >>> from medbill import Address
    >>> home = Address(line1="12 Elm St", city="Springfield", state="il", postal_code="62704-1234")
    >>> home.state, home.postal_code
    ('IL', '627041234')
    >>> home
    Address('1* E** S*, S**********, IL 6********')
    """

    line1: str = attrs.field(metadata=_PHI)
    city: str = attrs.field(metadata=_PHI)
    state: str = attrs.field(converter=to_upper)
    postal_code: str = attrs.field(converter=to_digits, metadata=_PHI)
    line2: str | None = attrs.field(default=None, metadata=_PHI)

    def __attrs_post_init__(self) -> None:
        validate(
            self,
            [
                non_empty("line1", self.line1, phi=True),
                non_empty("city", self.city, phi=True),
                check(
                    isinstance(self.state, str) and len(self.state) == 2 and self.state.isalpha(),
                    "state",
                    self.state,
                    "must be a 2-letter state code",
                ),
                check(
                    isinstance(self.postal_code, str) and bool(_ZIP.fullmatch(self.postal_code)),
                    "postal_code",
                    self.postal_code,
                    "must be a 5- or 9-digit ZIP code",
                    phi=True,
                ),
            ],
        )

    def __repr__(self) -> str:
        lines = ", ".join(p for p in (self.line1, self.line2, self.city) if p)
        zip_masked = self.postal_code[0] + "*" * (len(self.postal_code) - 1)
        return f"Address({mask_text(lines) + ', ' + self.state + ' ' + zip_masked!r})"
