"""Patients, payers, coverages with their benefits, and providers."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import attrs
import pendulum

from medbill._common import (
    Address,
    CoverageId,
    PatientId,
    PayerId,
    Period,
    PersonName,
    Sex,
    masked_date_repr,
    non_empty,
    phi_repr,
    to_coverage_id,
    to_patient_id,
    to_payer_id,
)
from medbill._enums import MedbillEnum
from medbill._errors import ValidationError
from medbill._money import ZERO
from medbill._privacy import mask_email, mask_id
from medbill._validation import (
    as_date,
    check,
    enum_member,
    money_fields,
    to_date,
    to_decimal,
    to_digits,
    to_money,
    to_npi,
    to_optional_date,
    to_optional_money,
    validate,
)
from medbill.codes import Npi

__all__ = [
    "Accumulators",
    "Benefits",
    "CobMethod",
    "Copay",
    "Coverage",
    "Guarantor",
    "Patient",
    "Payer",
    "PayerKind",
    "Practice",
    "Priority",
    "Provider",
    "ProviderKind",
    "Relationship",
    "ServiceCategory",
    "Subscriber",
]


def _copays(values: Iterable[Copay]) -> tuple[Copay, ...]:
    return tuple(values)


def _sex(value: Sex | str) -> Sex:
    return enum_member(Sex, value)


def _payer_kind(value: PayerKind | str) -> PayerKind:
    return enum_member(PayerKind, value)


def _service_category(value: ServiceCategory | str) -> ServiceCategory:
    return enum_member(ServiceCategory, value)


def _priority(value: Priority | str) -> Priority:
    return enum_member(Priority, value)


def _name_and_address_checks(name: object, address: object) -> Any:
    yield check(isinstance(name, PersonName), "name", name, "must be a PersonName")
    yield check(address is None or isinstance(address, Address), "address", address,
                "must be an Address")  # fmt: skip


def _relationship(value: Relationship | str) -> Relationship:
    return enum_member(Relationship, value)


def _provider_kind(value: ProviderKind | str) -> ProviderKind:
    return enum_member(ProviderKind, value)


def _optional_sex(value: Sex | str | None) -> Sex | None:
    return None if value is None else enum_member(Sex, value)


_PHI: dict[str, Any] = {"phi": True}
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")


def _masked_text(mask: Any) -> Any:
    # The mask for text of this kind; a value of another type is masked as any PHI.
    return lambda value: repr(mask(value)) if isinstance(value, str) else phi_repr(value)


@attrs.frozen(kw_only=True)
class Patient:
    """A patient. Name, birth date, address, phone and e-mail are masked in ``repr()``.

    >>> import pendulum
    >>> from medbill import Patient, PersonName, Sex
    >>> patient = Patient(
    ...     id="MRN-1001",
    ...     name=PersonName(family="Doe", given="Jane"),
    ...     birth_date=pendulum.date(1984, 7, 2),
    ...     sex=Sex.FEMALE,
    ...     email="jane.doe@example.org",
    ... )
    >>> patient
    Patient(id='MRN-1001', name=PersonName('J*** D**'), birth_date='19**-**-**', sex=<Sex.FEMALE: 'F'>, address=None, phone=None, email='j***.d**@e******.org')
    >>> patient.age_on(pendulum.date(2025, 7, 1))
    40
    """

    id: PatientId = attrs.field(converter=to_patient_id)
    name: PersonName = attrs.field(repr=phi_repr, metadata=_PHI)
    birth_date: pendulum.Date = attrs.field(converter=to_date, repr=masked_date_repr, metadata=_PHI)
    sex: Sex = attrs.field(converter=_sex)
    address: Address | None = attrs.field(default=None, repr=phi_repr, metadata=_PHI)
    phone: str | None = attrs.field(default=None, repr=_masked_text(mask_id), metadata=_PHI)
    email: str | None = attrs.field(default=None, repr=_masked_text(mask_email), metadata=_PHI)
    guarantor: Guarantor | None = attrs.field(default=None, repr=False, metadata=_PHI)
    """Who pays the patient's bill; ``None``: the patient (see :meth:`Guarantor.of_patient`)."""

    def __attrs_post_init__(self) -> None:
        validate(self, self._checks())

    def _checks(self) -> Any:
        yield non_empty("id", self.id)
        yield check(
            self.guarantor is None or isinstance(self.guarantor, Guarantor),
            "guarantor",
            self.guarantor,
            "must be a Guarantor",
        )
        yield from _name_and_address_checks(self.name, self.address)
        yield check(
            self.phone is None or isinstance(self.phone, str), "phone", self.phone, "must be text"
        )
        yield check(
            self.email is None or isinstance(self.email, str), "email", self.email, "must be text"
        )
        if isinstance(self.phone, str):
            digits = re.sub(r"\D", "", self.phone)
            yield check(
                10 <= len(digits) <= 15, "phone", self.phone, "must have 10 to 15 digits", phi=True
            )
        if isinstance(self.email, str):
            yield check(
                bool(_EMAIL.fullmatch(self.email)),
                "email",
                self.email,
                "is not an e-mail address",
                phi=True,
            )

    def age_on(self, day: dt.date) -> int:
        """Age in whole years on ``day`` (a ``datetime.date`` or ``pendulum.Date``)."""
        day = as_date(day, "day")
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


class PayerKind(MedbillEnum):
    """The kind of payer, which selects default rules (timely filing, COB, sequestration).

    >>> from medbill import PayerKind
    >>> PayerKind("medicare").is_government
    True
    """

    MEDICARE = "medicare"
    MEDICAID = "medicaid"
    MEDICARE_ADVANTAGE = "medicare-advantage"
    COMMERCIAL = "commercial"
    TRICARE = "tricare"
    WORKERS_COMP = "workers-comp"
    AUTO = "auto"
    SELF_PAY = "self-pay"
    OTHER = "other"

    @property
    def is_government(self) -> bool:
        """Medicare, Medicaid and TRICARE."""
        return self in {PayerKind.MEDICARE, PayerKind.MEDICAID, PayerKind.TRICARE}


@attrs.frozen(kw_only=True)
class Payer:
    """A payer: an insurer, a government program, or the patient as self-pay.

    ``x12_payer_id`` is the id clearinghouses route by (NM109 of loop 2010BB).

    >>> from medbill import Payer, PayerKind
    >>> Payer(id="medicare-il", name="Medicare Part B Illinois", kind=PayerKind.MEDICARE,
    ...       x12_payer_id="06102").x12_payer_id
    '06102'
    """

    id: PayerId = attrs.field(converter=to_payer_id)
    name: str
    kind: PayerKind = attrs.field(converter=_payer_kind)
    x12_payer_id: str | None = None

    def __attrs_post_init__(self) -> None:
        validate(
            self,
            [
                non_empty("id", self.id),
                non_empty("name", self.name),
                None
                if self.x12_payer_id is None
                else check(
                    isinstance(self.x12_payer_id, str) and 2 <= len(self.x12_payer_id) <= 80,
                    "x12_payer_id",
                    self.x12_payer_id,
                    "must be 2 to 80 characters (X12 NM109)",
                ),
            ],
        )


class Priority(MedbillEnum):
    """Order of coverages for coordination of benefits.

    >>> from medbill import Priority
    >>> Priority.SECONDARY.rank, Priority.SECONDARY.x12_code
    (2, 'S')
    """

    PRIMARY = "primary"
    SECONDARY = "secondary"
    TERTIARY = "tertiary"

    @property
    def rank(self) -> int:
        """1 for primary, 2 for secondary, 3 for tertiary."""
        return ("primary", "secondary", "tertiary").index(self.value) + 1

    @property
    def x12_code(self) -> str:
        """The payer responsibility sequence code of SBR01 (P, S, T)."""
        return self.value[0].upper()


class Relationship(MedbillEnum):
    """The patient's relationship to the subscriber (X12 individual relationship codes).

    >>> from medbill import Relationship
    >>> Relationship.SELF.value
    '18'
    """

    SELF = "18"
    SPOUSE = "01"
    CHILD = "19"
    OTHER = "G8"


class ServiceCategory(MedbillEnum):
    """Benefit categories for copays.

    >>> from medbill import ServiceCategory
    >>> ServiceCategory("specialist").name
    'SPECIALIST'
    """

    OFFICE_VISIT = "office-visit"
    SPECIALIST = "specialist"
    PREVENTIVE = "preventive"
    URGENT_CARE = "urgent-care"
    EMERGENCY = "emergency"
    TELEHEALTH = "telehealth"
    LAB = "lab"
    IMAGING = "imaging"
    SURGERY = "surgery"
    THERAPY = "therapy"
    MENTAL_HEALTH = "mental-health"
    OTHER = "other"


@attrs.frozen(kw_only=True)
class Copay:
    """A fixed copay for one service category.

    >>> from decimal import Decimal
    >>> from medbill import Copay, ServiceCategory
    >>> Copay(category=ServiceCategory.SPECIALIST, amount=Decimal("40.00")).amount
    Decimal('40.00')
    """

    category: ServiceCategory = attrs.field(converter=_service_category)
    amount: Decimal = attrs.field(converter=to_money)

    def __attrs_post_init__(self) -> None:
        validate(self, money_fields(self, "amount"))


def _rate_problem(field: str, value: Decimal) -> ValidationError | None:
    if not isinstance(value, Decimal):
        return None
    return check(Decimal(0) <= value <= Decimal(1), field, value, "must be between 0 and 1")


@attrs.frozen(kw_only=True)
class Benefits:
    """A plan's cost sharing: deductible, coinsurance (the patient's share, 0 to 1),
    copays by service category and the out-of-pocket maximum (``None``: no maximum).

    These are the in-network amounts for one person. ``family_deductible`` and
    ``family_out_of_pocket_max`` are the family's (``None``: none stated): with an
    embedded family deductible a person owes deductible until their own or the family's
    is met, whichever comes first (the same for the out-of-pocket maximum).
    ``out_of_network`` holds the plan's cost sharing with an out-of-network provider
    (``None``: not known), itself a ``Benefits`` without an ``out_of_network``.

    >>> from decimal import Decimal
    >>> from medbill import Benefits, Copay, ServiceCategory
    >>> plan = Benefits(
    ...     deductible=Decimal("1500.00"),
    ...     coinsurance=Decimal("0.20"),
    ...     copays=[Copay(category=ServiceCategory.OFFICE_VISIT, amount=Decimal("25.00"))],
    ...     out_of_pocket_max=Decimal("6000.00"),
    ... )
    >>> plan.copay_for(ServiceCategory.OFFICE_VISIT), plan.copay_for(ServiceCategory.LAB)
    (Decimal('25.00'), Decimal('0.00'))
    """

    deductible: Decimal = attrs.field(default=ZERO, converter=to_money)
    coinsurance: Decimal = attrs.field(default=Decimal("0"), converter=to_decimal)
    copays: tuple[Copay, ...] = attrs.field(default=(), converter=_copays)
    out_of_pocket_max: Decimal | None = attrs.field(default=None, converter=to_optional_money)
    family_deductible: Decimal | None = attrs.field(default=None, converter=to_optional_money)
    family_out_of_pocket_max: Decimal | None = attrs.field(
        default=None, converter=to_optional_money
    )
    out_of_network: Benefits | None = None

    def __attrs_post_init__(self) -> None:
        validate(self, self._checks())

    def _checks(self) -> Any:
        yield from money_fields(
            self, "deductible", "out_of_pocket_max", "family_deductible", "family_out_of_pocket_max"
        )
        yield _rate_problem("coinsurance", self.coinsurance)
        outside = self.out_of_network
        if outside is not None:
            yield check(
                isinstance(outside, Benefits), "out_of_network", outside, "must be a Benefits"
            )
            yield check(
                not isinstance(outside, Benefits) or outside.out_of_network is None,
                "out_of_network.out_of_network",
                "Benefits",
                "must be None: out-of-network benefits have no network of their own",
            )
        seen: set[ServiceCategory] = set()
        for index, copay in enumerate(self.copays):
            if not isinstance(copay, Copay):
                yield ValidationError(f"copays[{index}]", copay, "must be a Copay")
                continue
            yield check(
                copay.category not in seen,
                f"copays[{index}].category",
                copay.category.value,
                "appears twice",
            )
            seen.add(copay.category)

    def copay_for(self, category: ServiceCategory) -> Decimal:
        """The copay of ``category``, zero when the plan has none."""
        for copay in self.copays:
            if copay.category is category:
                return copay.amount
        return ZERO


@attrs.frozen(kw_only=True)
class Accumulators:
    """What the patient has paid toward the deductible and out-of-pocket maximum so far.

    ``family_deductible_met`` and ``family_out_of_pocket_met`` are the family's
    (``None``: not known); ``out_of_network`` what was paid toward the out-of-network
    amounts (``None``: not known).

    >>> from decimal import Decimal
    >>> from medbill import Accumulators
    >>> Accumulators(deductible_met=Decimal("200.00")).out_of_pocket_met
    Decimal('0.00')
    """

    deductible_met: Decimal = attrs.field(default=ZERO, converter=to_money)
    out_of_pocket_met: Decimal = attrs.field(default=ZERO, converter=to_money)
    family_deductible_met: Decimal | None = attrs.field(default=None, converter=to_optional_money)
    family_out_of_pocket_met: Decimal | None = attrs.field(
        default=None, converter=to_optional_money
    )
    out_of_network: Accumulators | None = None

    def __attrs_post_init__(self) -> None:
        fields = ("deductible_met", "out_of_pocket_met")
        optional = ("family_deductible_met", "family_out_of_pocket_met")
        problems = list(money_fields(self, *fields, *optional))
        if self.out_of_network is not None and not isinstance(self.out_of_network, Accumulators):
            problems.append(
                ValidationError("out_of_network", self.out_of_network, "must be Accumulators")
            )
        validate(self, problems)

    def plus(self, *, deductible: Decimal, out_of_pocket: Decimal) -> Accumulators:
        """These accumulators after the patient paid ``deductible`` toward the deductible
        and ``out_of_pocket`` in all (the family's too, when known).

        >>> from decimal import Decimal
        >>> from medbill import Accumulators
        >>> met = Accumulators(deductible_met=Decimal("100.00"),
        ...                    family_deductible_met=Decimal("900.00"))
        >>> after = met.plus(deductible=Decimal("50.00"), out_of_pocket=Decimal("70.00"))
        >>> after.deductible_met, after.family_deductible_met, after.family_out_of_pocket_met
        (Decimal('150.00'), Decimal('950.00'), None)
        """
        family_deductible = self.family_deductible_met
        family_out_of_pocket = self.family_out_of_pocket_met
        return attrs.evolve(
            self,
            deductible_met=self.deductible_met + deductible,
            out_of_pocket_met=self.out_of_pocket_met + out_of_pocket,
            family_deductible_met=(
                None if family_deductible is None else family_deductible + deductible
            ),
            family_out_of_pocket_met=(
                None if family_out_of_pocket is None else family_out_of_pocket + out_of_pocket
            ),
        )


@attrs.frozen(kw_only=True)
class Subscriber:
    """The insured person when it is not the patient (a parent, a spouse).

    >>> import pendulum
    >>> from medbill import PersonName, Sex, Subscriber
    >>> Subscriber(name=PersonName(family="Doe", given="John"),
    ...            birth_date=pendulum.date(1980, 1, 5), sex=Sex.MALE)
    Subscriber(name=PersonName('J*** D**'), birth_date='19**-**-**', sex=<Sex.MALE: 'M'>, address=None)
    """

    name: PersonName = attrs.field(repr=phi_repr, metadata=_PHI)
    birth_date: pendulum.Date | None = attrs.field(
        default=None, converter=to_optional_date, repr=masked_date_repr, metadata=_PHI
    )
    sex: Sex | None = attrs.field(default=None, converter=_optional_sex)
    address: Address | None = attrs.field(default=None, repr=phi_repr, metadata=_PHI)

    def __attrs_post_init__(self) -> None:
        validate(
            self,
            [
                check(isinstance(self.name, PersonName), "name", self.name, "must be a PersonName"),
                check(
                    self.address is None or isinstance(self.address, Address),
                    "address",
                    self.address,
                    "must be an Address",
                ),
            ],
        )


class CobMethod(MedbillEnum):
    """How a secondary plan coordinates with the payers before it (``Coverage.cob_method``).

    >>> from medbill import CobMethod
    >>> CobMethod("non-duplication").name
    'NON_DUPLICATION'

    - ``STANDARD`` (NAIC Coordination of Benefits Model Regulation, MDL-120, "traditional"
      COB): the secondary pays the lesser of its normal benefit and the balance of the
      allowable expense (the higher of the two plans' allowed amounts) after the primary's
      payment.
    - ``NON_DUPLICATION`` (also "carve-out"; allowed for self-funded ERISA plans, which
      MDL-120 does not bind): the secondary pays its normal benefit minus the primary's
      payment (nothing when the primary paid as much or more).
    - ``MAINTENANCE_OF_BENEFITS``: the patient keeps the cost sharing the secondary plan
      would have charged as primary; the secondary pays the balance after the primary's
      payment minus that cost sharing.
    - ``MEDICARE_SUPPLEMENT`` (Medigap, Social Security Act section 1882, standardized
      plans in 42 CFR 403.200-403.258 and CMS "Choosing a Medigap Policy"): after Medicare
      pays, the supplement pays Medicare's cost sharing (Part B coinsurance, and the Part B
      deductible under plans that cover it) less the supplement's own cost sharing, which
      its ``Benefits`` state (plan G: deductible = the Part B deductible; plan K: 50 %
      coinsurance; plan F: none).
    """

    STANDARD = "standard"
    NON_DUPLICATION = "non-duplication"
    MAINTENANCE_OF_BENEFITS = "maintenance-of-benefits"
    MEDICARE_SUPPLEMENT = "medicare-supplement"


def _cob_method(value: CobMethod | str | None) -> CobMethod | None:
    return None if value is None else enum_member(CobMethod, value)


# 005010X222A1 2000B SBR05 insurance type codes for Medicare secondary payer claims.
MEDICARE_SECONDARY_TYPES = frozenset({"12", "13", "14", "15", "16", "41", "42", "43", "47"})


@attrs.frozen(kw_only=True)
class Coverage:
    """A patient's enrolment in a payer's plan: member id, priority, period and benefits.

    The member id is masked in ``repr()``. A patient who is not the subscriber needs the
    ``subscriber``. ``insurance_type`` is the SBR05 code a claim to Medicare as a
    secondary payer must carry (005010X222A1 2000B SBR05: why Medicare is secondary):
    12 working aged, 13 end-stage renal disease, 14 no-fault, 15 workers' compensation,
    16 public health service, 41 black lung, 42 veterans affairs, 43 disabled with a
    large group health plan, 47 other liability insurance.

    >>> import pendulum
    >>> from medbill import Coverage, Payer, PayerKind, Period, Priority
    >>> aetna = Payer(id="aetna", name="Aetna", kind=PayerKind.COMMERCIAL, x12_payer_id="60054")
    >>> coverage = Coverage(
    ...     id="cov-1", patient_id="MRN-1001", payer=aetna, member_id="W123456789",
    ...     priority=Priority.PRIMARY, effective=Period(pendulum.date(2025, 1, 1)),
    ... )
    >>> coverage.is_active_on(pendulum.date(2025, 3, 4))
    True
    >>> "W123456789" in repr(coverage)
    False
    """

    id: CoverageId = attrs.field(converter=to_coverage_id)
    patient_id: PatientId = attrs.field(converter=to_patient_id)
    payer: Payer
    member_id: str = attrs.field(repr=_masked_text(mask_id), metadata=_PHI)
    priority: Priority = attrs.field(converter=_priority)
    effective: Period
    plan_name: str | None = None
    group_number: str | None = None
    relationship: Relationship = attrs.field(default=Relationship.SELF, converter=_relationship)
    subscriber: Subscriber | None = attrs.field(default=None, repr=phi_repr, metadata=_PHI)
    benefits: Benefits = attrs.field(factory=Benefits)
    accumulators: Accumulators = attrs.field(factory=Accumulators)
    guarantor: Guarantor | None = attrs.field(default=None, repr=False, metadata=_PHI)
    """The guarantor of this coverage's patient for billing, when not the patient."""
    cob_method: CobMethod | None = attrs.field(default=None, converter=_cob_method, repr=False)
    """How this plan coordinates as secondary; ``None``: standard (see :class:`CobMethod`)."""
    insurance_type: str | None = None

    def __attrs_post_init__(self) -> None:
        validate(self, self._checks())

    def _checks(self) -> Any:
        yield non_empty("id", self.id)
        yield non_empty("patient_id", self.patient_id)
        yield check(
            self.insurance_type is None or self.insurance_type in MEDICARE_SECONDARY_TYPES,
            "insurance_type",
            self.insurance_type,
            "must be an SBR05 insurance type code: " + ", ".join(sorted(MEDICARE_SECONDARY_TYPES)),
        )
        yield non_empty("member_id", self.member_id, phi=True)
        yield check(isinstance(self.payer, Payer), "payer", self.payer, "must be a Payer")
        yield check(
            isinstance(self.effective, Period), "effective", self.effective, "must be a Period"
        )
        yield check(
            self.subscriber is None or isinstance(self.subscriber, Subscriber),
            "subscriber",
            self.subscriber,
            "must be a Subscriber",
        )
        yield check(
            self.relationship is Relationship.SELF or self.subscriber is not None,
            "subscriber",
            None,
            f"is required when the patient's relationship is {self.relationship.name}",
        )

    def is_active_on(self, day: dt.date) -> bool:
        """Whether the coverage is in force on ``day`` (a ``datetime.date`` or ``pendulum.Date``)."""
        return self.effective.contains(as_date(day, "day"))


class ProviderKind(MedbillEnum):
    """What kind of provider renders or bills a service.

    Medicare pays non-physician practitioners (NPs, PAs, CNSs) 85% of the fee schedule
    (Medicare Claims Processing Manual, Pub. 100-04, Chapter 12, section 120).

    >>> from medbill import ProviderKind
    >>> ProviderKind("non-physician-practitioner").is_person
    True
    """

    PHYSICIAN = "physician"
    NON_PHYSICIAN_PRACTITIONER = "non-physician-practitioner"
    ORGANIZATION = "organization"

    @property
    def is_person(self) -> bool:
        """Whether the provider is an individual (X12 entity type 1) or an organization (2)."""
        return self is not ProviderKind.ORGANIZATION


_TAXONOMY = re.compile(r"[0-9A-Z]{9}X")
_EIN = re.compile(r"\d{9}")


@attrs.frozen(kw_only=True)
class Provider:
    """A provider: a practitioner (``first_name`` set) or an organization.

    Its role comes from where it appears: ``Encounter.billing_provider`` bills (and needs
    the ``tax_id``), ``Encounter.rendering_provider`` performs the service.

    >>> from medbill import Provider, ProviderKind
    >>> from medbill.codes import Npi
    >>> dr = Provider(npi=Npi("1234567893"), name="Osler", first_name="William",
    ...               kind=ProviderKind.PHYSICIAN, taxonomy="207R00000X")
    >>> dr.display_name
    'William Osler'
    """

    npi: Npi = attrs.field(converter=to_npi)
    name: str
    first_name: str | None = None
    kind: ProviderKind = attrs.field(default=ProviderKind.PHYSICIAN, converter=_provider_kind)
    taxonomy: str | None = None
    tax_id: str | None = attrs.field(default=None, converter=to_digits)
    address: Address | None = None

    def __attrs_post_init__(self) -> None:
        validate(self, self._checks())

    def _checks(self) -> Any:
        yield non_empty("name", self.name)
        if self.taxonomy is not None:
            yield check(
                bool(_TAXONOMY.fullmatch(self.taxonomy)),
                "taxonomy",
                self.taxonomy,
                "must be a 10-character NUCC taxonomy code ending in X",
            )
        if self.tax_id is not None:
            yield check(
                bool(_EIN.fullmatch(self.tax_id)), "tax_id", self.tax_id, "must be 9 digits"
            )
        yield check(
            (self.first_name is None) == (self.kind is ProviderKind.ORGANIZATION),
            "first_name",
            self.first_name,
            "is required for a practitioner and absent for an organization",
        )

    @property
    def display_name(self) -> str:
        """First and last name of a practitioner, or the organization's name."""
        return f"{self.first_name} {self.name}" if self.first_name else self.name


@attrs.frozen(kw_only=True)
class Guarantor:
    """The person responsible for a patient's bill: the patient, or a parent for a child.

    ``id`` is the guarantor's account number on statements. ``relationship`` is the
    patient's relationship to the guarantor (X12 codes: ``"18"`` self, ``"19"`` child, ...). Name,
    address and phone are PHI and masked in ``repr()``.

    >>> from medbill import Guarantor, PersonName
    >>> Guarantor(id="G-1", name=PersonName(family="Doe", given="Ann"), relationship="19")
    Guarantor(id='G-1', name=PersonName('A** D**'), address=None, phone=None, relationship=<Relationship.CHILD: '19'>)
    """

    id: str
    name: PersonName = attrs.field(repr=phi_repr, metadata=_PHI)
    address: Address | None = attrs.field(default=None, repr=phi_repr, metadata=_PHI)
    phone: str | None = attrs.field(default=None, repr=_masked_text(mask_id), metadata=_PHI)
    relationship: Relationship = attrs.field(default=Relationship.SELF, converter=_relationship)

    def __attrs_post_init__(self) -> None:
        validate(self, self._checks())

    def _checks(self) -> Any:
        yield non_empty("id", self.id)
        yield from _name_and_address_checks(self.name, self.address)

    @classmethod
    def of_patient(cls, patient: Patient) -> Guarantor:
        """The patient's guarantor: ``patient.guarantor``, else the patient (self-guaranteed)."""
        if patient.guarantor is not None:
            return patient.guarantor
        return cls(
            id=str(patient.id), name=patient.name, address=patient.address, phone=patient.phone
        )


@attrs.frozen(kw_only=True)
class Practice:
    """The practice that bills: the header and remit-to address of a patient statement.

    ``npi`` is the billing provider's NPI, ``tax_id`` its TIN (EIN, nine digits).
    ``remit_to`` is where patients mail payments (default: ``address``).

    >>> from medbill import Address, Practice
    >>> office = Address(line1="1 Main St", city="Springfield", state="IL", postal_code="62701")
    >>> Practice(name="Main St Clinic", address=office, phone="217-555-0100",
    ...          npi="1234567893", tax_id="12-3456789").remit_address.city
    'Springfield'
    """

    name: str
    address: Address
    phone: str
    npi: Npi = attrs.field(converter=to_npi)
    tax_id: str = attrs.field(converter=to_digits)
    remit_to: Address | None = None
    remit_name: str | None = None

    def __attrs_post_init__(self) -> None:
        validate(self, self._checks())

    def _checks(self) -> Any:
        yield non_empty("name", self.name)
        yield check(
            isinstance(self.address, Address), "address", self.address, "must be an Address"
        )
        yield check(len(self.tax_id) == 9, "tax_id", self.tax_id, "must have nine digits")

    @property
    def remit_address(self) -> Address:
        """Where payments go: ``remit_to``, else the practice address."""
        return self.remit_to or self.address
