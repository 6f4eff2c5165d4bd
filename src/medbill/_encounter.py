"""Encounters (visits) and claims with their service lines."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

import attrs
import pendulum

from medbill._claim_details import Accident, DrugIdentification, ServiceFacility
from medbill._common import (
    ClaimId,
    EncounterId,
    PatientId,
    Period,
    non_empty,
    to_claim_id,
    to_encounter_id,
    to_optional_encounter_id,
    to_patient_id,
)
from medbill._deprecation import folded_period_end, renamed_fields
from medbill._enums import MedbillEnum
from medbill._errors import ValidationError
from medbill._money import ZERO
from medbill._parties import Coverage, Patient, Provider
from medbill._validation import (
    check,
    enum_member,
    money_fields,
    to_date,
    to_decimal,
    to_icd10s,
    to_modifiers,
    to_money,
    to_optional_date,
    to_optional_decimal,
    to_optional_pos,
    to_pos,
    to_procedure,
    to_tuple,
    validate,
)
from medbill.codes import Icd10Cm, Modifier, PlaceOfService, ProcedureCode

__all__ = ["Claim", "ClaimFrequency", "ClaimLine", "Encounter", "ServiceLine"]


def _service_lines(values: Iterable[ServiceLine]) -> tuple[ServiceLine, ...]:
    return to_tuple(values)


def _claim_lines(values: Iterable[ClaimLine]) -> tuple[ClaimLine, ...]:
    return to_tuple(values)


def _pointers(values: Iterable[int]) -> tuple[int, ...]:
    return to_tuple(values)


def _claim_frequency(value: ClaimFrequency | str) -> ClaimFrequency:
    return enum_member(ClaimFrequency, value)


MAX_DIAGNOSES = 12  # 837P HI segment: 12 diagnosis codes (005010X222A1, loop 2300)
MAX_POINTERS = 4  # SV107: up to 4 diagnosis code pointers
MAX_MODIFIERS = 4  # SV101-3..6: up to 4 procedure modifiers


def _line_checks(line: Any) -> Iterator[ValidationError | None]:
    yield check(
        isinstance(line.units, Decimal) and line.units > 0, "units", line.units, "must be positive"
    )
    yield from money_fields(line, "charge")
    yield check(
        len(line.modifiers) <= MAX_MODIFIERS,
        "modifiers",
        [str(m) for m in line.modifiers],
        f"at most {MAX_MODIFIERS} modifiers per line",
    )
    yield check(
        len(set(line.modifiers)) == len(line.modifiers),
        "modifiers",
        [str(m) for m in line.modifiers],
        "a modifier appears twice",
    )
    pointers = line.diagnosis_pointers
    yield check(
        1 <= len(pointers) <= MAX_POINTERS,
        "diagnosis_pointers",
        list(pointers),
        f"must point at 1 to {MAX_POINTERS} diagnoses",
    )
    yield check(
        all(isinstance(p, int) and not isinstance(p, bool) and p >= 1 for p in pointers),
        "diagnosis_pointers",
        list(pointers),
        "pointers are 1-based positions in the diagnosis list",
    )
    yield check(
        len(set(pointers)) == len(pointers),
        "diagnosis_pointers",
        list(pointers),
        "a pointer appears twice",
    )
    if line.minutes is not None:
        yield check(
            isinstance(line.minutes, int)
            and not isinstance(line.minutes, bool)
            and line.minutes > 0,
            "minutes",
            line.minutes,
            "must be a positive whole number of minutes",
        )


def _diagnosis_checks(
    diagnoses: Sequence[Icd10Cm], lines: Sequence[Any], line_type: type[Any]
) -> Iterator[ValidationError | None]:
    yield check(
        1 <= len(diagnoses) <= MAX_DIAGNOSES,
        "diagnoses",
        [str(d) for d in diagnoses],
        f"must hold 1 to {MAX_DIAGNOSES} diagnoses",
    )
    yield check(
        len(set(diagnoses)) == len(diagnoses),
        "diagnoses",
        [str(d) for d in diagnoses],
        "a diagnosis appears twice",
    )
    yield check(len(lines) >= 1, "lines", [], "needs at least one service line")
    for index, line in enumerate(lines):
        if not isinstance(line, line_type):
            yield ValidationError(f"lines[{index}]", line, f"must be a {line_type.__name__}")
            continue
        for pointer in line.diagnosis_pointers:
            yield check(
                pointer <= len(diagnoses),
                f"lines[{index}].diagnosis_pointers",
                list(line.diagnosis_pointers),
                f"pointer {pointer} refers to no diagnosis (the claim has {len(diagnoses)})",
            )


@attrs.frozen(kw_only=True)
class ServiceLine:
    """One service performed at an encounter: a procedure with modifiers, units and charge.

    ``diagnosis_pointers`` are 1-based positions in the encounter's diagnosis list.

    >>> from decimal import Decimal
    >>> from medbill import ServiceLine
    >>> line = ServiceLine(procedure="99213", charge=Decimal("150.00"), diagnosis_pointers=[1])
    >>> line.procedure, line.units
    (ProcedureCode('99213'), Decimal('1'))
    >>> ServiceLine(procedure="99213", charge=150.0, diagnosis_pointers=[1])
    Traceback (most recent call last):
    ...
    medbill.ValidationError: charge: must be a Decimal, not float (got 150.0)
    """

    procedure: ProcedureCode = attrs.field(converter=to_procedure)
    charge: Decimal = attrs.field(converter=to_money)
    diagnosis_pointers: tuple[int, ...] = attrs.field(converter=_pointers)
    modifiers: tuple[Modifier, ...] = attrs.field(default=(), converter=to_modifiers)
    units: Decimal = attrs.field(default=Decimal(1), converter=to_decimal)
    minutes: int | None = None

    def __attrs_post_init__(self) -> None:
        validate(self, _line_checks(self))


@renamed_fields(date_of_service="service_date")
@attrs.frozen(kw_only=True)
class Encounter:
    """A visit: who saw the patient, where, when, for which diagnoses, doing what.

    >>> import pendulum
    >>> from decimal import Decimal
    >>> from medbill import Encounter, ServiceLine
    >>> from medbill.testing import make_provider
    >>> visit = Encounter(
    ...     id="enc-1", patient_id="MRN-1001", service_date=pendulum.date(2025, 3, 4),
    ...     place_of_service="11", rendering_provider=make_provider(),
    ...     billing_provider=make_provider(), diagnoses=["E11.9", "I10"],
    ...     lines=[ServiceLine(procedure="99214", charge=Decimal("210.00"),
    ...                        diagnosis_pointers=[1, 2])],
    ... )
    >>> visit.total_charge
    Decimal('210.00')
    """

    id: EncounterId = attrs.field(converter=to_encounter_id)
    patient_id: PatientId = attrs.field(converter=to_patient_id)
    service_date: pendulum.Date = attrs.field(converter=to_date)
    place_of_service: PlaceOfService = attrs.field(converter=to_pos)
    rendering_provider: Provider
    billing_provider: Provider
    diagnoses: tuple[Icd10Cm, ...] = attrs.field(converter=to_icd10s)
    lines: tuple[ServiceLine, ...] = attrs.field(converter=_service_lines)

    def __attrs_post_init__(self) -> None:
        validate(self, self._checks())

    def _checks(self) -> Iterator[ValidationError | None]:
        yield non_empty("id", self.id)
        yield non_empty("patient_id", self.patient_id)
        yield from _diagnosis_checks(self.diagnoses, self.lines, ServiceLine)

    @property
    def total_charge(self) -> Decimal:
        """Sum of the line charges."""
        return sum((line.charge for line in self.lines), ZERO)


class ClaimFrequency(MedbillEnum):
    """Claim frequency type code (CLM05-3): original, replacement or void.

    >>> from medbill import ClaimFrequency
    >>> ClaimFrequency("7").name
    'REPLACEMENT'
    """

    ORIGINAL = "1"
    REPLACEMENT = "7"
    VOID = "8"


@folded_period_end("service_date_end", start="service_date", into="service_period")
@attrs.frozen(kw_only=True)
class ClaimLine:
    """A claim's service line: a :class:`ServiceLine` with its id and date(s) of service.

    ``service_date`` is the day of service; a line that spans several days (837 DTP*472
    RD8) also has ``service_period``, a closed :class:`~medbill.Period` starting on
    ``service_date``. ``service_date_end=`` (and reading ``.service_date_end``) is
    deprecated since 0.2.0: pass ``service_period=Period(service_date, last_day)``.

    ``line_id`` is the line item control number (REF*6R in the 837, REF*6R in the 835).
    ``drug`` is the NDC of a drug line (loop 2410), ``ordering_provider`` and
    ``referring_provider`` the line's own (loops 2420E and 2420F).

    >>> import pendulum
    >>> from decimal import Decimal
    >>> from medbill import ClaimLine
    >>> ClaimLine(line_id="1", procedure="99213", charge=Decimal("150.00"),
    ...           diagnosis_pointers=[1], service_date=pendulum.date(2025, 3, 4)).charge
    Decimal('150.00')
    """

    line_id: str
    procedure: ProcedureCode = attrs.field(converter=to_procedure)
    charge: Decimal = attrs.field(converter=to_money)
    diagnosis_pointers: tuple[int, ...] = attrs.field(converter=_pointers)
    service_date: pendulum.Date = attrs.field(converter=to_date)
    service_period: Period | None = None
    modifiers: tuple[Modifier, ...] = attrs.field(default=(), converter=to_modifiers)
    units: Decimal = attrs.field(default=Decimal(1), converter=to_decimal)
    minutes: int | None = None
    place_of_service: PlaceOfService | None = attrs.field(default=None, converter=to_optional_pos)
    drug: DrugIdentification | None = None
    ordering_provider: Provider | None = None
    referring_provider: Provider | None = None

    def __attrs_post_init__(self) -> None:
        validate(self, self._checks())

    def _checks(self) -> Iterator[ValidationError | None]:
        yield non_empty("line_id", self.line_id)
        yield from _line_checks(self)
        for name, kind in (("drug", DrugIdentification), ("ordering_provider", Provider),
                           ("referring_provider", Provider)):  # fmt: skip
            value = getattr(self, name)
            if value is not None:
                yield check(isinstance(value, kind), name, value, f"must be a {kind.__name__}")
        period = self.service_period
        if period is not None:
            yield check(
                isinstance(period, Period)
                and period.start == self.service_date
                and period.end is not None,
                "service_period",
                period,
                f"must be a closed Period starting on service_date {self.service_date}",
            )

    @property
    def last_service_date(self) -> pendulum.Date:
        """The line's last day of service: ``service_period.end``, else ``service_date``.

        >>> import pendulum
        >>> from medbill import Period
        >>> from medbill.testing import make_claim_line
        >>> march = Period(pendulum.date(2025, 3, 1), pendulum.date(2025, 3, 4))
        >>> make_claim_line(service_date=march.start, service_period=march).last_service_date
        Date(2025, 3, 4)
        """
        period = self.service_period
        return self.service_date if period is None or period.end is None else period.end


def _detail_checks(claim: Claim) -> Iterator[ValidationError | None]:
    for name, kind in (("referring_provider", Provider), ("service_facility", ServiceFacility),
                       ("accident", Accident)):  # fmt: skip
        value = getattr(claim, name)
        if value is not None:
            yield check(isinstance(value, kind), name, value, f"must be a {kind.__name__}")
    for name in ("referral_number", "prior_authorization"):
        value = getattr(claim, name)
        if value is not None:
            yield check(
                isinstance(value, str) and 1 <= len(value) <= 50,
                name,
                value,
                "must be 1 to 50 characters (REF02)",
            )
    if claim.note is not None:
        yield check(
            isinstance(claim.note, str) and 1 <= len(claim.note) <= 80, "note", claim.note,
            "must be 1 to 80 characters (NTE02)",
        )  # fmt: skip
    if claim.patient_paid is not None:
        yield from money_fields(claim, "patient_paid")


def _default_total(claim: Claim) -> Decimal:
    try:
        return sum((line.charge for line in claim.lines), ZERO)
    except TypeError:
        return ZERO  # the lines are invalid; validate() reports them


@attrs.frozen(kw_only=True)
class Claim:
    """A professional claim for one patient to one coverage (``None`` for self-pay).

    ``total_charge`` defaults to the sum of the lines; when given it must agree with them.
    A replacement (frequency 7) or void (8) must name the original claim
    (``original_claim_reference``, the payer's claim control number).

    What payers may also ask for, each written to its 837P place: ``referring_provider``
    (loop 2310A), ``service_facility`` (2310C), ``prior_authorization`` (REF*G1),
    ``referral_number`` (REF*9F), ``note`` (NTE*ADD, at most 80 characters),
    ``onset_date`` (DTP*431), ``accident`` (CLM11 and DTP*439) and ``patient_paid``
    (AMT*F5, what the patient paid toward the claim).

    >>> from decimal import Decimal
    >>> from medbill.testing import make_claim, make_claim_line
    >>> claim = make_claim(lines=[make_claim_line(charge=Decimal("100.00")),
    ...                           make_claim_line(line_id="2", charge=Decimal("40.00"))])
    >>> claim.total_charge
    Decimal('140.00')
    >>> make_claim(frequency="7")
    Traceback (most recent call last):
    ...
    medbill.ValidationError: original_claim_reference: is required for a REPLACEMENT claim (frequency 7) (got None)
    """

    id: ClaimId = attrs.field(converter=to_claim_id)
    patient: Patient
    coverage: Coverage | None
    billing_provider: Provider
    place_of_service: PlaceOfService = attrs.field(converter=to_pos)
    diagnoses: tuple[Icd10Cm, ...] = attrs.field(converter=to_icd10s)
    lines: tuple[ClaimLine, ...] = attrs.field(converter=_claim_lines)
    rendering_provider: Provider | None = None
    frequency: ClaimFrequency = attrs.field(
        default=ClaimFrequency.ORIGINAL, converter=_claim_frequency
    )
    original_claim_reference: str | None = None
    encounter_id: EncounterId | None = attrs.field(default=None, converter=to_optional_encounter_id)
    prior_authorization: str | None = None
    total_charge: Decimal = attrs.field(
        default=attrs.Factory(_default_total, takes_self=True), converter=to_money
    )
    referring_provider: Provider | None = None
    service_facility: ServiceFacility | None = None
    referral_number: str | None = None
    note: str | None = None
    onset_date: pendulum.Date | None = attrs.field(default=None, converter=to_optional_date)
    accident: Accident | None = None
    patient_paid: Decimal | None = attrs.field(default=None, converter=to_optional_decimal)

    def __attrs_post_init__(self) -> None:
        validate(self, self._checks())

    def _checks(self) -> Iterator[ValidationError | None]:
        yield non_empty("id", self.id)
        yield check(isinstance(self.patient, Patient), "patient", self.patient, "must be a Patient")
        yield check(
            isinstance(self.billing_provider, Provider),
            "billing_provider",
            self.billing_provider,
            "must be a Provider",
        )
        if self.coverage is not None and isinstance(self.patient, Patient):
            yield check(
                isinstance(self.coverage, Coverage), "coverage", self.coverage, "must be a Coverage"
            )
            yield check(
                self.coverage.patient_id == self.patient.id,
                "coverage.patient_id",
                self.coverage.patient_id,
                f"must be the claim's patient {self.patient.id!r}",
            )
        yield from _diagnosis_checks(self.diagnoses, self.lines, ClaimLine)
        line_ids = [line.line_id for line in self.lines]
        yield check(
            len(set(line_ids)) == len(line_ids), "lines", line_ids, "line ids must be unique"
        )
        if self.frequency is not ClaimFrequency.ORIGINAL:
            yield check(
                bool(self.original_claim_reference),
                "original_claim_reference",
                self.original_claim_reference,
                f"is required for a {self.frequency.name} claim (frequency {self.frequency.value})",
            )
        yield from money_fields(self, "total_charge")
        yield from _detail_checks(self)
        parts = _default_total(self)
        yield check(
            self.total_charge == parts,
            "total_charge",
            self.total_charge,
            f"must equal the sum of the line charges {parts}",
        )

    @property
    def service_dates(self) -> tuple[pendulum.Date, pendulum.Date]:
        """The first and last date of service on the claim."""
        starts = [line.service_date for line in self.lines]
        ends = [line.last_service_date for line in self.lines]
        return min(starts), max(ends)

    def line(self, line_id: str) -> ClaimLine:
        """The line with ``line_id``; :class:`~medbill.ValidationError` if there is none."""
        for candidate in self.lines:
            if candidate.line_id == line_id:
                return candidate
        raise ValidationError("line_id", line_id, f"no such line on claim {self.id!r}")
