"""What a payer says about a patient's coverage: the 271 eligibility response, typed.

A 271 (ASC X12 005010X279A1) answers a 270 inquiry per subscriber (loop 2000C) or
dependent (loop 2000D): whether coverage is active, the plan and its dates, and benefit
segments (EB) per service type, network and coverage level: copays (EB01 = B),
coinsurance (A), deductibles (C) and out-of-pocket maximums (G), each as the amount for the
period (EB06 = 23 calendar year, 22 service year, ...) and what is left of it (EB06 = 29
remaining). When the payer cannot answer, AAA segments say why (AAA03) and what to do
(AAA04). :func:`apply_eligibility` takes the answer into a :class:`~medbill.Coverage`.
"""

from __future__ import annotations

from decimal import Decimal

import attrs
import pendulum

from medbill._common import Address, Period, PersonName, Sex
from medbill._enums import MedbillEnum
from medbill._errors import ValidationError
from medbill._money import ZERO
from medbill._parties import (
    Accumulators,
    Benefits,
    Copay,
    Coverage,
    Relationship,
    ServiceCategory,
)
from medbill._privacy import mask_id
from medbill._validation import (
    money_fields,
    to_date,
    to_optional_date,
    to_optional_decimal,
    to_optional_money,
    validate,
)
from medbill.codes._x12_lists import (
    BENEFIT_DESCRIPTIONS,
    ELIGIBILITY_FOLLOW_UP_DESCRIPTIONS,
    ELIGIBILITY_REJECTION_DESCRIPTIONS,
    SERVICE_TYPE_DESCRIPTIONS,
)

__all__ = [
    "EligibilityBenefit",
    "BenefitAmount",
    "CoverageLevel",
    "EligibilityDifference",
    "EligibilityMember",
    "EligibilityRejection",
    "EligibilityResponse",
    "Network",
    "apply_eligibility",
]

_PHI = {"phi": True}
_ACTIVE = frozenset({"1", "2", "3", "4", "5"})
_INACTIVE = frozenset({"6", "7", "8"})
_REMAINING = frozenset({"29", "33"})  # EB06: remaining, lifetime remaining
HEALTH_BENEFIT_PLAN = "30"  # EB03 / EQ01: health benefit plan coverage


def _masked_id(value: object) -> str:
    return "None" if value is None else repr(mask_id(str(value)))


class Network(MedbillEnum):
    """Whether a benefit applies in or out of the plan's network (EB12).

    ``x12`` gives the code: Y in network, N out of network, W both (not applicable),
    U unknown.

    >>> from medbill import Network
    >>> Network.from_x12("W"), Network.IN.x12
    (<Network.BOTH: 'both'>, 'Y')
    """

    IN = "in"
    OUT = "out"
    BOTH = "both"
    UNKNOWN = "unknown"

    @property
    def x12(self) -> str:
        """The EB12 code."""
        return _NETWORK_X12[self]

    @classmethod
    def from_x12(cls, code: str) -> Network:
        """The network of an EB12 code; unknown codes are ``UNKNOWN``."""
        return _NETWORK_BY_CODE.get(code, cls.UNKNOWN)


_NETWORK_X12 = {Network.IN: "Y", Network.OUT: "N", Network.BOTH: "W", Network.UNKNOWN: "U"}
_NETWORK_BY_CODE = {code: network for network, code in _NETWORK_X12.items()}


class CoverageLevel(MedbillEnum):
    """Who a benefit amount covers (EB02 coverage level code).

    >>> from medbill import CoverageLevel
    >>> CoverageLevel("IND") is CoverageLevel.INDIVIDUAL, CoverageLevel.FAMILY.x12
    (True, 'FAM')
    """

    INDIVIDUAL = "individual"
    FAMILY = "family"
    EMPLOYEE_ONLY = "employee"
    EMPLOYEE_AND_SPOUSE = "employee-and-spouse"
    EMPLOYEE_AND_CHILDREN = "employee-and-children"
    CHILDREN_ONLY = "children"
    DEPENDENTS_ONLY = "dependents"
    SPOUSE_ONLY = "spouse"
    SPOUSE_AND_CHILDREN = "spouse-and-children"

    @property
    def x12(self) -> str:
        """The EB02 code."""
        return _LEVEL_X12[self]

    @property
    def is_family(self) -> bool:
        """Whether the level covers more than one person (family, employee and spouse,
        employee and children, spouse and children, children, dependents).

        >>> from medbill import CoverageLevel
        >>> CoverageLevel.FAMILY.is_family, CoverageLevel.EMPLOYEE_ONLY.is_family
        (True, False)
        """
        return self not in (
            CoverageLevel.INDIVIDUAL,
            CoverageLevel.EMPLOYEE_ONLY,
            CoverageLevel.SPOUSE_ONLY,
        )

    @classmethod
    def _missing_(cls, value: object) -> CoverageLevel | None:
        return _LEVEL_BY_CODE.get(str(value).upper())


_LEVEL_X12 = {
    CoverageLevel.INDIVIDUAL: "IND",
    CoverageLevel.FAMILY: "FAM",
    CoverageLevel.EMPLOYEE_ONLY: "EMP",
    CoverageLevel.EMPLOYEE_AND_SPOUSE: "ESP",
    CoverageLevel.EMPLOYEE_AND_CHILDREN: "ECH",
    CoverageLevel.CHILDREN_ONLY: "CHD",
    CoverageLevel.DEPENDENTS_ONLY: "DEP",
    CoverageLevel.SPOUSE_ONLY: "SPO",
    CoverageLevel.SPOUSE_AND_CHILDREN: "SPC",
}
_LEVEL_BY_CODE = {code: level for level, code in _LEVEL_X12.items()}


@attrs.frozen(kw_only=True)
class EligibilityRejection:
    """An AAA segment: the payer could not answer (part of) the inquiry.

    ``loop`` says where it was: ``"payer"`` (2000A/2100A), ``"receiver"`` (2100B),
    ``"subscriber"`` (2100C), ``"dependent"`` (2100D) or ``"benefit"`` (2110C/D).

    >>> r = EligibilityRejection(code="75", valid_request=True, follow_up="C", loop="subscriber")
    >>> r.description, r.follow_up_description
    ('Subscriber/Insured Not Found', 'Please Correct and Resubmit')
    """

    code: str
    valid_request: bool
    follow_up: str | None
    loop: str

    @property
    def description(self) -> str | None:
        """The published meaning of the reject reason (AAA03), ``None`` for unknown codes."""
        return ELIGIBILITY_REJECTION_DESCRIPTIONS.get(self.code)

    @property
    def follow_up_description(self) -> str | None:
        """The meaning of the follow-up action (AAA04)."""
        return ELIGIBILITY_FOLLOW_UP_DESCRIPTIONS.get(self.follow_up or "")

    def __str__(self) -> str:
        return f"AAA {self.code} ({self.loop}): {self.description or 'unknown reason'}"


@attrs.frozen(kw_only=True)
class EligibilityBenefit:
    """One EB segment of a 271 with the segments of its loop (2110C/D).

    ``code`` is EB01 (``"1"`` active coverage, ``"B"`` copay, ``"C"`` deductible, ...),
    ``service_types`` EB03, ``time_period`` EB06 (``"29"``: the amount is what remains),
    ``amount`` EB07, ``rate`` EB08 (a fraction: 0.2 is 20 %), ``authorization_required``
    EB11 and ``network`` EB12. ``dates`` holds the loop's DTP segments (qualifier, period),
    ``messages`` its MSG texts and ``entities`` the names of the related entities
    (loop 2120, e.g. the primary care provider).

    >>> from decimal import Decimal
    >>> from medbill import Network
    >>> copay = EligibilityBenefit(code="B", service_types=("98",), time_period="27",
    ...                 amount=Decimal("25.00"), network=Network.IN)
    >>> copay.description, copay.is_remaining
    ('Co-Payment', False)
    """

    code: str
    coverage_level: CoverageLevel | None = None
    service_types: tuple[str, ...] = ()
    insurance_type: str | None = None
    plan_description: str | None = None
    time_period: str | None = None
    amount: Decimal | None = attrs.field(default=None, converter=to_optional_money)
    rate: Decimal | None = attrs.field(default=None, converter=to_optional_decimal)
    quantity_qualifier: str | None = None
    quantity: Decimal | None = attrs.field(default=None, converter=to_optional_decimal)
    authorization_required: bool | None = None
    network: Network | None = None
    procedure: str | None = None
    dates: tuple[tuple[str, Period], ...] = ()
    messages: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    rejections: tuple[EligibilityRejection, ...] = ()

    def __attrs_post_init__(self) -> None:
        validate(self, money_fields(self, "amount", signed=True))

    @property
    def description(self) -> str | None:
        """The published meaning of EB01."""
        return BENEFIT_DESCRIPTIONS.get(self.code)

    @property
    def is_remaining(self) -> bool:
        """Whether ``amount`` is what is left (EB06 = 29 remaining, 33 lifetime remaining)."""
        return self.time_period in _REMAINING

    @property
    def service_type_descriptions(self) -> tuple[str, ...]:
        """The meaning of each service type code (the code itself when not in the table)."""
        return tuple(SERVICE_TYPE_DESCRIPTIONS.get(code, code) for code in self.service_types)

    def applies_to(
        self, service_type: str, network: Network | None, level: CoverageLevel | None
    ) -> bool:
        """Whether this benefit answers for ``service_type``, ``network`` and ``level``.

        A benefit without service types is the plan's (service type 30); one without a
        network indicator or level applies to every network or level; ``BOTH`` applies to
        in and out of network.
        """
        services = self.service_types or (HEALTH_BENEFIT_PLAN,)
        if service_type not in services:
            return False
        if network is not None and self.network not in (None, network, Network.BOTH):
            return False
        return level is None or self.coverage_level in (None, level)


@attrs.frozen(kw_only=True)
class BenefitAmount:
    """A benefit amount for its period and what remains of it; either may be unknown.

    >>> from decimal import Decimal
    >>> BenefitAmount(total=Decimal("1500.00"), remaining=Decimal("1200.00")).met
    Decimal('300.00')
    """

    total: Decimal | None = attrs.field(converter=to_optional_money)
    remaining: Decimal | None = attrs.field(converter=to_optional_money)

    def __attrs_post_init__(self) -> None:
        validate(self, money_fields(self, "total", "remaining", signed=True))

    @property
    def met(self) -> Decimal | None:
        """What the patient has paid toward it: total minus remaining, when both are known."""
        if self.total is None or self.remaining is None:
            return None
        return max(self.total - self.remaining, ZERO)


@attrs.frozen(kw_only=True)
class EligibilityMember:
    """The subscriber or dependent as the payer knows them (loop 2100C/2100D).

    The member id and birth date are masked in ``repr()``.

    >>> from medbill import PersonName
    >>> member = EligibilityMember(name=PersonName(family="Smith", given="John"),
    ...                            member_id="123456789")
    >>> "123456789" in repr(member)
    False
    """

    name: PersonName | None = None
    member_id: str | None = attrs.field(default=None, repr=_masked_id, metadata=_PHI)
    birth_date: pendulum.Date | None = attrs.field(
        default=None,
        converter=to_optional_date,
        repr=lambda v: "None" if v is None else "'****-**-**'",
        metadata=_PHI,
    )
    sex: Sex | None = None
    address: Address | None = None
    relationship: Relationship | None = None

    def __attrs_post_init__(self) -> None:
        validate(self)


@attrs.frozen(kw_only=True)
class EligibilityResponse:
    """The payer's answer about one subscriber or dependent (one 2000C or 2000D loop).

    ``subscriber`` and ``dependent`` are the people as the payer knows them (``dependent``
    is ``None`` when the patient is the subscriber). ``rejections`` holds every AAA of the
    response, from the payer, receiver, subscriber, dependent and benefit loops.

    >>> from decimal import Decimal
    >>> from medbill import CoverageLevel, Network
    >>> response = EligibilityResponse(benefits=(
    ...     EligibilityBenefit(code="1", service_types=("30",), plan_description="GOLD PPO"),
    ...     EligibilityBenefit(code="C", coverage_level=CoverageLevel.INDIVIDUAL, time_period="23",
    ...             amount=Decimal("1500.00"), network=Network.IN),
    ...     EligibilityBenefit(code="C", coverage_level=CoverageLevel.INDIVIDUAL, time_period="29",
    ...             amount=Decimal("1200.00"), network=Network.IN),
    ... ))
    >>> response.active, response.deductible()
    (True, BenefitAmount(total=Decimal('1500.00'), remaining=Decimal('1200.00')))
    """

    trace: str | None = None
    payer_name: str | None = None
    payer_id: str | None = None
    provider_name: str | None = None
    provider_id: str | None = None
    subscriber: EligibilityMember | None = None
    dependent: EligibilityMember | None = None
    group_number: str | None = None
    plan_number: str | None = None
    plan_period: Period | None = None
    eligibility_period: Period | None = None
    benefits: tuple[EligibilityBenefit, ...] = ()
    rejections: tuple[EligibilityRejection, ...] = ()
    messages: tuple[str, ...] = ()

    @property
    def active(self) -> bool | None:
        """True if an EB01 says active (1-5), False if inactive (6-8) or only rejections.

        ``None`` when the response says neither.
        """
        codes = {benefit.code for benefit in self.benefits}
        if codes & _ACTIVE:
            return True
        if codes & _INACTIVE or self.rejections:
            return False
        return None

    @property
    def plan_name(self) -> str | None:
        """The plan's description (EB05) on the active-coverage benefit."""
        for benefit in self.benefits:
            if benefit.code in _ACTIVE and benefit.plan_description:
                return benefit.plan_description
        for benefit in self.benefits:
            if benefit.plan_description:
                return benefit.plan_description
        return None

    @property
    def patient(self) -> EligibilityMember | None:
        """The dependent when there is one, else the subscriber."""
        return self.dependent or self.subscriber

    def find(
        self,
        code: str,
        *,
        service_type: str = HEALTH_BENEFIT_PLAN,
        network: Network | None = Network.IN,
        level: CoverageLevel | None = None,
    ) -> tuple[EligibilityBenefit, ...]:
        """The benefits of EB01 ``code`` that apply to the service type, network and level.

        Those that name the network and level exactly come first.
        """
        found = [
            b
            for b in self.benefits
            if b.code == code and b.applies_to(service_type, network, level)
        ]
        return tuple(sorted(found, key=lambda b: (b.network != network, b.coverage_level != level)))

    def _amount(
        self, code: str, service_type: str, network: Network | None, level: CoverageLevel | None
    ) -> BenefitAmount:
        total = remaining = None
        for benefit in self.find(code, service_type=service_type, network=network, level=level):
            if benefit.amount is None:
                continue
            if benefit.is_remaining:
                remaining = benefit.amount if remaining is None else remaining
            elif total is None:
                total = benefit.amount
        return BenefitAmount(total=total, remaining=remaining)

    def deductible(
        self,
        *,
        service_type: str = HEALTH_BENEFIT_PLAN,
        network: Network | None = Network.IN,
        level: CoverageLevel | None = CoverageLevel.INDIVIDUAL,
    ) -> BenefitAmount:
        """The deductible (EB01 = C): total for the period and remaining."""
        return self._amount("C", service_type, network, level)

    def out_of_pocket(
        self,
        *,
        service_type: str = HEALTH_BENEFIT_PLAN,
        network: Network | None = Network.IN,
        level: CoverageLevel | None = CoverageLevel.INDIVIDUAL,
    ) -> BenefitAmount:
        """The out-of-pocket maximum (EB01 = G, stop loss): total and remaining."""
        return self._amount("G", service_type, network, level)

    def copay(
        self,
        *,
        service_type: str = HEALTH_BENEFIT_PLAN,
        network: Network | None = Network.IN,
        level: CoverageLevel | None = CoverageLevel.INDIVIDUAL,
    ) -> Decimal | None:
        """The copay (EB01 = B, EB07) for the service type, ``None`` when not stated."""
        for benefit in self.find("B", service_type=service_type, network=network, level=level):
            if benefit.amount is not None:
                return benefit.amount
        return None

    def coinsurance(
        self,
        *,
        service_type: str = HEALTH_BENEFIT_PLAN,
        network: Network | None = Network.IN,
        level: CoverageLevel | None = CoverageLevel.INDIVIDUAL,
    ) -> Decimal | None:
        """The patient's coinsurance rate (EB01 = A, EB08, a fraction), ``None`` if not stated."""
        for benefit in self.find("A", service_type=service_type, network=network, level=level):
            if benefit.rate is not None:
                return benefit.rate
        return None

    def authorization_required(self, service_type: str = HEALTH_BENEFIT_PLAN) -> bool | None:
        """Whether a benefit of the service type says prior authorization is required (EB11)."""
        answers = [
            b.authorization_required
            for b in self.benefits
            if b.authorization_required is not None and b.applies_to(service_type, None, None)
        ]
        if not answers:
            return None
        return any(answers)


@attrs.frozen(kw_only=True)
class EligibilityDifference:
    """One field where the payer's answer differs from the coverage on file.

    >>> str(EligibilityDifference(field="benefits.deductible", on_file="1000.00",
    ...                           payer="1500.00"))
    'benefits.deductible: on file 1000.00, payer says 1500.00'
    """

    field: str
    on_file: str
    payer: str

    def __str__(self) -> str:
        return f"{self.field}: on file {self.on_file}, payer says {self.payer}"


# EB03 service type → the copay category medbill's Benefits keep (Benefits.copays).
COPAY_SERVICE_TYPES: tuple[tuple[ServiceCategory, str], ...] = (
    (ServiceCategory.OFFICE_VISIT, "98"),
    (ServiceCategory.SPECIALIST, "3"),
    (ServiceCategory.PREVENTIVE, "BZ"),
    (ServiceCategory.URGENT_CARE, "UC"),
    (ServiceCategory.EMERGENCY, "86"),
    (ServiceCategory.LAB, "5"),
    (ServiceCategory.IMAGING, "4"),
    (ServiceCategory.SURGERY, "2"),
    (ServiceCategory.THERAPY, "PT"),
    (ServiceCategory.MENTAL_HEALTH, "MH"),
)


def _text(value: object) -> str:
    return "none" if value is None else str(value)


def apply_eligibility(
    coverage: Coverage, response: EligibilityResponse, as_of: pendulum.Date
) -> tuple[Coverage, list[EligibilityDifference]]:
    """The coverage with what the payer said on ``as_of``, and the differences from file.

    Taken from the 271, for the health benefit plan (service type 30): the deductible,
    the out-of-pocket maximum and the coinsurance rate; the copays of the categories in
    ``COPAY_SERVICE_TYPES`` (98 office visit, UC urgent care, ...); the accumulators as
    total minus remaining (what has been met); the plan name, group number and member id;
    and the plan dates. Amounts are taken for one person (EB02 IND, EMP, or none) and for
    the family (FAM, ESP, ECH, ...: the ``family_*`` fields); in network (EB12 Y or none)
    and, when the payer states out-of-network benefits (EB12 N), into the coverage's
    ``out_of_network`` benefits and accumulators (what is not stated there keeps the value
    on file, or with none on file starts from the in-network plan's). An inactive answer without a
    plan end date ends the coverage the day before ``as_of``. The coverage passed in is
    not changed (entities are immutable). A rejected response (AAA, no benefits) raises
    :class:`~medbill.ValidationError`: there is nothing to apply.

    >>> import pendulum
    >>> from decimal import Decimal
    >>> from medbill import CoverageLevel, Network, apply_eligibility
    >>> from medbill.testing import make_coverage
    >>> said = EligibilityResponse(benefits=(
    ...     EligibilityBenefit(code="1", service_types=("30",)),
    ...     EligibilityBenefit(code="B", service_types=("98",), amount=Decimal("30.00"), network=Network.IN),
    ...     EligibilityBenefit(code="C", coverage_level=CoverageLevel.INDIVIDUAL, time_period="23",
    ...             amount=Decimal("2000.00"), network=Network.IN),
    ...     EligibilityBenefit(code="C", coverage_level=CoverageLevel.INDIVIDUAL, time_period="29",
    ...             amount=Decimal("1750.00"), network=Network.IN),
    ... ))
    >>> updated, changes = apply_eligibility(make_coverage(), said, pendulum.date(2025, 3, 4))
    >>> updated.benefits.deductible, updated.accumulators.deductible_met
    (Decimal('2000.00'), Decimal('250.00'))
    >>> [c.field for c in changes]
    ['benefits.deductible', 'benefits.copays.office-visit', 'accumulators.deductible_met']
    """
    if not isinstance(coverage, Coverage):
        raise ValidationError("coverage", coverage, "must be a Coverage")
    if not isinstance(response, EligibilityResponse):
        raise ValidationError("response", response, "must be an EligibilityResponse")
    day = to_date(as_of)
    if response.rejections and not response.benefits:
        reasons = "; ".join(str(r) for r in response.rejections)
        raise ValidationError("response", response.trace, f"was rejected by the payer: {reasons}")
    diff = _Diff()
    fields: dict[str, object] = {}
    effective = _effective(coverage, response, day)
    if diff.changed("effective", _period_text(coverage.effective), _period_text(effective)):
        fields["effective"] = effective
    if diff.changed("plan_name", coverage.plan_name, response.plan_name):
        fields["plan_name"] = response.plan_name
    if diff.changed("group_number", coverage.group_number, response.group_number):
        fields["group_number"] = response.group_number
    member = response.subscriber.member_id if response.subscriber else None
    if member and member != coverage.member_id:  # both masked: member ids are PHI
        diff.changed("member_id", "****", "**** (another id)")
        fields["member_id"] = member
    benefits = _benefits(coverage.benefits, response, diff)
    if benefits != coverage.benefits:
        fields["benefits"] = benefits
    accumulators = _accumulators(coverage.accumulators, response, diff)
    if accumulators != coverage.accumulators:
        fields["accumulators"] = accumulators
    return attrs.evolve(coverage, **fields), diff.found  # type: ignore[arg-type]


class _Diff:
    """Collects the differences between the file and the payer's answer."""

    def __init__(self) -> None:
        self.found: list[EligibilityDifference] = []

    def changed(self, name: str, old: object, new: object) -> bool:
        """Record and say whether ``new`` (``None``: not stated) differs from ``old``."""
        if new is None or new == old:
            return False
        self.found.append(EligibilityDifference(field=name, on_file=_text(old), payer=_text(new)))
        return True


def _period_text(period: Period) -> str:
    return f"{period.start} to {period.end or 'open'}"


def _effective(coverage: Coverage, response: EligibilityResponse, day: pendulum.Date) -> Period:
    period = response.plan_period or response.eligibility_period
    if response.active is False:
        if period is not None and period.end is not None:
            return Period(min(period.start, period.end), period.end)
        end = day.subtract(days=1)
        return Period(min(coverage.effective.start, end), end)
    if period is not None:
        return period
    return coverage.effective


def _stated(
    response: EligibilityResponse, code: str, network: Network, family: bool
) -> BenefitAmount:
    """The plan's (service type 30) amount of EB01 ``code`` for one person or the family.

    A benefit without a coverage level counts for one person, never for the family; one
    without a network indicator counts for both networks, after those that name it.
    """
    found = [
        b
        for b in response.benefits
        if b.code == code
        and b.applies_to(HEALTH_BENEFIT_PLAN, network, None)
        and (b.coverage_level is not None and b.coverage_level.is_family) is family
    ]
    total = remaining = None
    for benefit in sorted(found, key=lambda b: b.network != network):
        if benefit.amount is None:
            continue
        if benefit.is_remaining:
            remaining = benefit.amount if remaining is None else remaining
        elif total is None:
            total = benefit.amount
    return BenefitAmount(total=total, remaining=remaining)


def _names_out_of_network(response: EligibilityResponse) -> bool:
    """Whether the payer stated anything for out of network (EB12 = N)."""
    return any(benefit.network is Network.OUT for benefit in response.benefits)


def _benefits(benefits: Benefits, response: EligibilityResponse, diff: _Diff) -> Benefits:
    updated = _network_benefits(benefits, response, Network.IN, diff, "benefits.")
    if not _names_out_of_network(response):
        return updated
    on_file = benefits.out_of_network
    start = on_file or attrs.evolve(updated, out_of_network=None)
    outside = _network_benefits(
        start, response, Network.OUT, diff, "benefits.out_of_network.", known=on_file is not None
    )
    if outside != on_file:
        updated = attrs.evolve(updated, out_of_network=outside)
    return updated


def _network_benefits(
    benefits: Benefits,
    response: EligibilityResponse,
    network: Network,
    diff: _Diff,
    prefix: str,
    *,
    known: bool = True,
) -> Benefits:
    """``benefits`` with what the payer states for ``network``; ``known`` says whether
    ``benefits`` is on file (else the differences say "on file none")."""

    def was(value: object) -> object:
        return value if known else None

    fields: dict[str, object] = {}
    stated = {
        "deductible": _stated(response, "C", network, family=False).total,
        "out_of_pocket_max": _stated(response, "G", network, family=False).total,
        "coinsurance": response.coinsurance(network=network),
        "family_deductible": _stated(response, "C", network, family=True).total,
        "family_out_of_pocket_max": _stated(response, "G", network, family=True).total,
    }
    for name, value in stated.items():
        old = getattr(benefits, name)
        if value is not None and (value != old or not known):
            diff.changed(prefix + name, was(old), value)
            fields[name] = value
    copays = {copay.category: copay.amount for copay in benefits.copays}
    changed = False
    for category, service_type in COPAY_SERVICE_TYPES:
        amount = response.copay(service_type=service_type, network=network)
        old_copay = copays.get(category)
        if amount is not None and (amount != old_copay or not known):
            diff.changed(f"{prefix}copays.{category.value}", was(old_copay), amount)
            copays[category] = amount
            changed = True
    if changed:
        fields["copays"] = [Copay(category=c, amount=a) for c, a in copays.items()]
    return attrs.evolve(benefits, **fields) if fields else benefits  # type: ignore[arg-type]


def _accumulators(
    accumulators: Accumulators, response: EligibilityResponse, diff: _Diff
) -> Accumulators:
    updated = _network_accumulators(accumulators, response, Network.IN, diff, "accumulators.")
    if not _names_out_of_network(response):
        return updated
    on_file = accumulators.out_of_network
    outside = _network_accumulators(
        on_file or Accumulators(),
        response,
        Network.OUT,
        diff,
        "accumulators.out_of_network.",
        known=on_file is not None,
    )
    if outside != (on_file or Accumulators()):
        updated = attrs.evolve(updated, out_of_network=outside)
    return updated


def _network_accumulators(
    accumulators: Accumulators,
    response: EligibilityResponse,
    network: Network,
    diff: _Diff,
    prefix: str,
    *,
    known: bool = True,
) -> Accumulators:
    """What has been met for ``network``: each amount's total minus what remains."""
    stated = {
        "deductible_met": _stated(response, "C", network, family=False).met,
        "out_of_pocket_met": _stated(response, "G", network, family=False).met,
        "family_deductible_met": _stated(response, "C", network, family=True).met,
        "family_out_of_pocket_met": _stated(response, "G", network, family=True).met,
    }
    fields: dict[str, object] = {}
    for name, value in stated.items():
        old = getattr(accumulators, name)
        if value is not None and value != old:
            diff.changed(prefix + name, old if known else None, value)
            fields[name] = value
    return attrs.evolve(accumulators, **fields) if fields else accumulators  # type: ignore[arg-type]
