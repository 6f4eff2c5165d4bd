"""Eligibility: write 270 inquiries, read 271 responses (ASC X12 005010X279A1).

The hierarchy (HL03) is the same in both: 20 information source (the payer, loop
2000A/2100A), 21 information receiver (the provider, 2000B/2100B), 22 subscriber
(2000C/2100C) and 23 dependent (2000D/2100D). A 271 answers per subscriber or dependent
with EB benefit loops (2110C/D), each optionally followed by HSD, REF, DTP, AAA, MSG, III
and a 2120 loop (LS .. NM1 .. LE) naming a related entity such as the primary care
provider. AAA segments may appear at every level. Not read: HSD (delivery patterns), III
(place of service / diagnosis), the benefit loop's REF, and the 2120 loop's contact
details (only the entity's name is kept).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from typing import Any

import attrs
import pendulum

from medbill._common import Address, Period, Sex
from medbill._eligibility import (
    CoverageLevel,
    EligibilityBenefit,
    EligibilityMember,
    EligibilityRejection,
    EligibilityResponse,
    Network,
)
from medbill._errors import ValidationError
from medbill._parties import Coverage, Patient, Provider, ProviderKind, Relationship
from medbill._validation import to_date
from medbill.x12._envelope import Source
from medbill.x12._fields import Segments, el, entity_name, person_name, read_transactions
from medbill.x12._trusted import trusted_builder
from medbill.x12._write import Party, SegmentWriter, demographics, interchange, person_nm1

__all__ = ["read_271", "write_270"]

IMPLEMENTATION = "005010X279A1"
_LOOP_OF_LEVEL = {"20": "payer", "21": "receiver", "22": "subscriber", "23": "dependent"}
_SEX = {"M": Sex.MALE, "F": Sex.FEMALE, "U": Sex.UNKNOWN}
_RELATIONSHIPS = {member.value: member for member in Relationship}
_LEVELS = {level.x12: level for level in CoverageLevel}
# every value of a benefit is checked while reading it (see medbill.x12._trusted)
_BENEFIT = trusted_builder(EligibilityBenefit)
_PLAN_DATES = {"346": "start", "347": "end", "291": "both"}
_ELIGIBILITY_DATES = {"356": "start", "357": "end", "307": "both"}


@attrs.define
class _Member:
    """One 2000C or 2000D loop as it is read."""

    level: str
    parent: _Member | None
    trace: str | None = None
    person: dict[str, Any] = attrs.Factory(dict)
    references: dict[str, str] = attrs.Factory(dict)
    dates: list[tuple[str, Period]] = attrs.Factory(list)
    rejections: list[EligibilityRejection] = attrs.Factory(list)
    benefits: list[dict[str, Any]] = attrs.Factory(list)
    children: int = 0

    def member(self) -> EligibilityMember:
        return EligibilityMember(**self.person)


def _period(dates: list[tuple[str, Period]], qualifiers: dict[str, str]) -> Period | None:
    start = end = None
    for qualifier, period in dates:
        role = qualifiers.get(qualifier)
        if role == "both":
            start, end = period.start, period.end
        elif role == "start":
            start = period.start
        elif role == "end":
            end = period.end
    if start is None:
        return None if end is None else Period(end, end)
    return Period(start, end) if end is None or end >= start else Period(start, start)


class _Reader:
    """Reads one 271 transaction set into its responses."""

    def __init__(self, segments: Segments) -> None:
        self.segments = segments
        self.payer_name: str | None = None
        self.payer_id: str | None = None
        self.provider_name: str | None = None
        self.provider_id: str | None = None
        self.upper: list[EligibilityRejection] = []
        self.members: list[_Member] = []
        self.by_id: dict[str, _Member] = {}

    def read(self) -> list[EligibilityResponse]:
        level = ""
        current: _Member | None = None
        benefit: dict[str, Any] | None = None
        in_2120 = False
        for number, segment in self.segments:
            tag = segment[0]
            if tag == "HL":
                level, current, benefit, in_2120 = el(segment, 3), None, None, False
                if level in ("22", "23"):
                    parent = self.by_id.get(el(segment, 2))
                    current = _Member(level=level, parent=parent)
                    if parent is not None:
                        parent.children += 1
                    self.by_id[el(segment, 1)] = current
                    self.members.append(current)
            elif tag == "AAA":
                loop = "benefit" if benefit is not None else _LOOP_OF_LEVEL.get(level, "payer")
                rejection = EligibilityRejection(
                    code=el(segment, 3),
                    valid_request=el(segment, 1) != "N",
                    follow_up=el(segment, 4) or None,
                    loop=loop,
                )
                if benefit is not None:
                    benefit["rejections"].append(rejection)
                if current is not None:
                    current.rejections.append(rejection)
                else:
                    self.upper.append(rejection)
            elif current is None:
                self._upper_segment(level, segment)
            elif tag == "EB":
                benefit = self._benefit(segment, number)
                current.benefits.append(benefit)
                in_2120 = False
            elif benefit is not None:
                in_2120 = self._benefit_segment(benefit, segment, number, in_2120)
            else:
                self._member_segment(current, segment, number)
        return self._responses()

    def _upper_segment(self, level: str, segment: list[str]) -> None:
        if segment[0] != "NM1":
            return
        if level == "20":
            self.payer_name, self.payer_id = entity_name(segment), el(segment, 9) or None
        elif level == "21":
            self.provider_name, self.provider_id = entity_name(segment), el(segment, 9) or None

    def _member_segment(self, member: _Member, segment: list[str], number: int) -> None:
        tag = segment[0]
        person = member.person
        if tag == "TRN" and member.trace is None:
            member.trace = el(segment, 2) or None
        elif tag == "NM1":
            person["name"] = person_name(segment)
            if el(segment, 8) == "MI" and el(segment, 9):
                person["member_id"] = el(segment, 9)
        elif tag == "REF" and el(segment, 2):
            member.references.setdefault(el(segment, 1), el(segment, 2))
        elif tag == "N3":
            person["_line1"], person["_line2"] = el(segment, 1), el(segment, 2)
        elif tag == "N4":
            person["_city"], person["_state"], person["_zip"] = (
                el(segment, 1),
                el(segment, 2),
                el(segment, 3),
            )
        elif tag == "DMG" and el(segment, 1) in ("D8", ""):
            person["birth_date"] = self.segments.date(el(segment, 2), number, segment, 2, phi=True)
            if el(segment, 3):
                person["sex"] = _SEX.get(el(segment, 3))
        elif tag == "INS":
            person["relationship"] = _RELATIONSHIPS.get(el(segment, 2))
        elif tag == "DTP":
            found = self.segments.dtp(segment, number)
            if found is not None:
                member.dates.append(found)

    def _benefit(self, segment: list[str], number: int) -> dict[str, Any]:
        reading = self.segments
        level = el(segment, 2)
        authorization = el(segment, 11)
        procedure = reading.components(el(segment, 13)) if el(segment, 13) else []
        coverage_level = _LEVELS.get(level)
        if level and coverage_level is None:
            reading.problem(f"unknown coverage level code {level!r}", number, segment, 2)
        return {
            "code": el(segment, 1),
            "coverage_level": coverage_level,
            "service_types": tuple(reading.repeats(el(segment, 3))),
            "insurance_type": el(segment, 4) or None,
            "plan_description": el(segment, 5) or None,
            "time_period": el(segment, 6) or None,
            "amount": reading.decimal(segment, 7, number),
            "rate": reading.decimal(segment, 8, number, money=False),
            "quantity_qualifier": el(segment, 9) or None,
            "quantity": reading.decimal(segment, 10, number, money=False),
            "authorization_required": {"Y": True, "N": False}.get(authorization),
            "network": Network.from_x12(el(segment, 12)) if el(segment, 12) else None,
            "procedure": procedure[1] if len(procedure) > 1 else None,
            "dates": [],
            "messages": [],
            "entities": [],
            "rejections": [],
        }

    def _benefit_segment(
        self, benefit: dict[str, Any], segment: list[str], number: int, in_2120: bool
    ) -> bool:
        tag = segment[0]
        if tag == "LS":
            return True
        if tag == "LE":
            return False
        if in_2120:
            if tag == "NM1":
                name = entity_name(segment)
                label = el(segment, 1)
                benefit["entities"].append(f"{label} {name}" if name else label)
            return True
        if tag == "DTP":
            found = self.segments.dtp(segment, number)
            if found is not None:
                benefit["dates"].append(found)
        elif tag == "MSG" and el(segment, 1):
            benefit["messages"].append(el(segment, 1))
        return False

    def _responses(self) -> list[EligibilityResponse]:
        common = {
            "payer_name": self.payer_name,
            "payer_id": self.payer_id,
            "provider_name": self.provider_name,
            "provider_id": self.provider_id,
        }
        found: list[EligibilityResponse] = []
        for member in self.members:
            if member.level == "22" and member.children and not member.benefits:
                continue  # answered in its dependents' loops
            subscriber = member.parent if member.level == "23" else member
            dependent = member if member.level == "23" else None
            found.append(self._response(member, subscriber, dependent, common))
        if not found:
            found.append(EligibilityResponse(rejections=tuple(self.upper), **common))  # type: ignore[arg-type]
        return found

    def _response(
        self,
        member: _Member,
        subscriber: _Member | None,
        dependent: _Member | None,
        common: dict[str, str | None],
    ) -> EligibilityResponse:
        references = dict(subscriber.references if subscriber else {})
        references.update(member.references)
        benefits = tuple(
            _BENEFIT(
                {
                    **b,
                    "dates": tuple(b["dates"]),
                    "messages": tuple(b["messages"]),
                    "entities": tuple(b["entities"]),
                    "rejections": tuple(b["rejections"]),
                }
            )
            for b in member.benefits
        )
        dates = (subscriber.dates if subscriber and subscriber is not member else []) + member.dates
        rejections = self.upper + (
            subscriber.rejections if subscriber and subscriber is not member else []
        )
        return EligibilityResponse(
            trace=member.trace or (subscriber.trace if subscriber else None),
            subscriber=_person(subscriber),
            dependent=_person(dependent),
            group_number=references.get("6P") or references.get("IG") or references.get("1L"),
            plan_number=references.get("18"),
            plan_period=_period(dates, _PLAN_DATES),
            eligibility_period=_period(dates, _ELIGIBILITY_DATES),
            benefits=benefits,
            rejections=tuple(rejections + member.rejections),
            messages=tuple(m for b in benefits for m in b.messages),
            **common,
        )


def _person(member: _Member | None) -> EligibilityMember | None:
    if member is None:
        return None
    fields = {k: v for k, v in member.person.items() if not k.startswith("_")}
    person = member.person
    line1, city = str(person.get("_line1") or ""), str(person.get("_city") or "")
    state, postal = str(person.get("_state") or ""), str(person.get("_zip") or "")
    if line1 and city and len(state) == 2 and postal:
        # an address the payer sent malformed is not needed to read the answer
        with contextlib.suppress(ValidationError):
            fields["address"] = Address(
                line1=line1,
                line2=str(person.get("_line2") or "") or None,
                city=city,
                state=state,
                postal_code=postal,
            )
    return EligibilityMember(**fields)


def read_271(source: Source, *, strict: bool = True) -> list[EligibilityResponse]:
    """Read every eligibility response of a 271 file: one per subscriber or dependent.

    A response rejected before any subscriber (AAA at the payer or receiver level) comes
    back as one response with its ``rejections`` and no subscriber. ``strict=False``
    reads files that bend the standard (wrong counts, unreadable dates or amounts, which
    become ``None``), warning with :class:`~medbill.x12.X12Warning` for each departure.
    Other transaction sets in the file are skipped.

    >>> from medbill.x12 import read_271
    >>> text = ("ISA*00*          *00*          *ZZ*PAYER          *ZZ*CLINIC         "
    ...     "*250401*1200*^*00501*000000001*0*P*:~GS*HB*PAYER*CLINIC*20250401*1200*1*X*"
    ...     "005010X279A1~ST*271*0001*005010X279A1~BHT*0022*11*REQ1*20250401*1200~"
    ...     "HL*1**20*1~NM1*PR*2*ACME HEALTH*****PI*60054~HL*2*1*21*1~"
    ...     "NM1*1P*2*SPRINGFIELD FAMILY MEDICINE*****XX*1234567893~HL*3*2*22*0~"
    ...     "TRN*2*T-1*9123456789~NM1*IL*1*DOE*JANE****MI*W123456789~"
    ...     "EB*1**30**ACME GOLD PPO~EB*B*IND*98***27*25.00*****Y~"
    ...     "EB*C*IND*30***23*1500.00*****Y~EB*C*IND*30***29*1200.00*****Y~"
    ...     "SE*14*0001~GE*1*1~IEA*1*000000001~")
    >>> [response] = read_271(text)
    >>> response.active, response.plan_name, response.copay(service_type="98")
    (True, 'ACME GOLD PPO', Decimal('25.00'))
    >>> response.deductible().remaining
    Decimal('1200.00')
    """
    found: list[EligibilityResponse] = []
    for _, segments in read_transactions(source, ("271",), strict):
        found.extend(_Reader(segments).read())
    return found


# -- 270 ----------------------------------------------------------------------------------

MAX_INQUIRIES = 99  # 005010X279A1: loop 2110C (2110D) repeats at most 99 times
_INS_RELATIONSHIP = {Relationship.SPOUSE: "01", Relationship.CHILD: "19"}


def _provider_nm1(out: SegmentWriter, provider: Provider) -> None:
    person = provider.kind is ProviderKind.PHYSICIAN and provider.first_name
    out.add(
        "NM1", "1P", "1" if person else "2", out.text(provider.name, "provider.name"),
        out.text(provider.first_name if person else None, "provider.first_name"),
        "", "", "", "XX", str(provider.npi),
    )  # fmt: skip


def _inquiry(
    out: SegmentWriter,
    *,
    patient: Patient,
    coverage: Coverage,
    trace: str,
    originator: str,
    service_types: Sequence[str],
    service_date: pendulum.Date | None,
    dependent: bool,
) -> None:
    out.add("TRN", "1", out.text(trace, "trace"), originator)
    member = None if dependent else coverage.member_id
    person_nm1(out, "03" if dependent else "IL", patient.name, "patient.name", member)
    if not dependent and coverage.group_number:
        out.add("REF", "6P", out.text(coverage.group_number, "group_number"))
    demographics(out, patient.birth_date, patient.sex)
    if dependent:  # INS02 of 2100D: 01 spouse, 19 child, 34 other adult
        out.add("INS", "N", _INS_RELATIONSHIP.get(coverage.relationship, "34"))
    if service_date is not None:
        out.add("DTP", "291", "D8", service_date.format("YYYYMMDD"))
    for service_type in service_types:
        out.add("EQ", out.text(service_type, "service_types"))


def write_270(
    patient: Patient,
    coverage: Coverage,
    provider: Provider,
    service_types: Iterable[str] = ("30",),
    *,
    sender: Party,
    receiver: Party,
    control_number: int,
    created: pendulum.DateTime,
    trace: str,
    service_date: pendulum.Date | None = None,
    usage: str = "P",
) -> str:
    """An eligibility inquiry (270, 005010X279A1) for ``patient`` under ``coverage``.

    ``service_types`` are EQ01 codes (30 health benefit plan coverage, 98 office visit,
    ...); ``trace`` goes in TRN02 and comes back in the 271's TRN; ``service_date`` (the
    visit) in DTP*291. When the patient is not the subscriber, the subscriber (loop 2100C,
    with the member id) and the patient as dependent (2100D, with INS02 the relationship)
    are both sent.

    >>> import pendulum
    >>> from medbill.testing import make_coverage, make_patient, make_provider
    >>> from medbill.x12 import Party, write_270
    >>> text = write_270(make_patient(), make_coverage(), make_provider(), ["30", "98"],
    ...     sender=Party(name="CLINIC", id="CLINIC"), receiver=Party(name="ACME", id="ACME"),
    ...     control_number=7, created=pendulum.datetime(2025, 3, 4, 8), trace="CHK-1")
    >>> [s.split("*")[0] for s in text.split("~\\n")][3:9]
    ['BHT', 'HL', 'NM1', 'HL', 'NM1', 'HL']
    >>> [s for s in text.split("~\\n") if s.startswith("EQ")]
    ['EQ*30', 'EQ*98']
    """
    types = list(service_types)
    if not types:
        raise ValidationError("service_types", types, "must name at least one service type")
    if len(types) > MAX_INQUIRIES:  # loop 2110C/2110D repeats at most 99 times
        raise ValidationError(
            "service_types", len(types), f"must be at most {MAX_INQUIRIES} (one EQ loop each)"
        )
    if not isinstance(coverage, Coverage) or not isinstance(patient, Patient):
        raise ValidationError("coverage", coverage, "must be a Coverage for a Patient")
    day = None if service_date is None else to_date(service_date)
    out = SegmentWriter()
    out.add("BHT", "0022", "13", out.text(trace, "trace"), created.format("YYYYMMDD"),
            created.format("HHmm"))  # fmt: skip
    out.add("HL", "1", "", "20", "1")
    payer = coverage.payer
    payer_id = payer.x12_payer_id or payer.id
    out.add("NM1", "PR", "2", out.text(payer.name, "payer.name"), "", "", "", "", "PI",
            out.text(payer_id, "payer.x12_payer_id"))  # fmt: skip
    out.add("HL", "2", "1", "21", "1")
    _provider_nm1(out, provider)
    dependent = coverage.relationship is not Relationship.SELF
    out.add("HL", "3", "2", "22", "1" if dependent else "0")
    originator = "9" + str(provider.npi)[:9]  # TRN03: "9" + a user-assigned number
    if dependent:
        subscriber = coverage.subscriber
        if subscriber is None:  # Coverage requires one when the relationship is not SELF
            raise ValidationError("coverage.subscriber", None, "is required for a dependent")
        person_nm1(out, "IL", subscriber.name, "subscriber.name", coverage.member_id)
        if coverage.group_number:
            out.add("REF", "6P", out.text(coverage.group_number, "group_number"))
        demographics(out, subscriber.birth_date, None)
        out.add("HL", "4", "3", "23", "0")
    _inquiry(
        out,
        patient=patient,
        coverage=coverage,
        trace=trace,
        originator=originator,
        service_types=types,
        service_date=day,
        dependent=dependent,
    )
    return interchange(
        [("270", out.segments)],
        functional_id="HS",
        version=IMPLEMENTATION,
        sender=sender,
        receiver=receiver,
        control_number=control_number,
        created=created,
        usage=usage,
    )
