"""Write professional claims as an 837P (ASC X12 005010X222A1).

Loops written: 1000A submitter, 1000B receiver, 2000A/2010AA billing provider, 2000B
subscriber with 2010BA (subscriber) and 2010BB (payer), 2000C/2010CA when the patient is
not the subscriber, 2300 claim (CLM, DTP, AMT, REF, NTE, HI), 2310A referring provider,
2310B rendering provider, 2310C service facility, 2320/2330A/2330B other payer for
secondary claims, 2400 lines (LX, SV1, DTP*472, REF*6R), 2410 drug, 2420E/2420F ordering
and referring provider and 2430 line adjudication by the other payer (SVD, CAS, DTP*573).
The loops payers ask for beyond the basics are in ``_writer837_details``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import attrs
import pendulum

from medbill._common import Address, PersonName
from medbill._encounter import Claim, ClaimLine
from medbill._errors import ValidationError
from medbill._parties import Coverage, PayerKind, Priority, Provider, Relationship
from medbill._payment import Adjustment, ClaimPayment, LinePayment
from medbill._validation import check, validate
from medbill.claims._build import SecondaryClaim
from medbill.x12._write import Party, SegmentWriter, amount, interchange
from medbill.x12._writer837_details import (
    claim_amounts,
    claim_dates,
    claim_note,
    claim_references,
    line_loops,
    loop_2310a_referring,
    loop_2310c_service_facility,
    related_causes,
)

__all__ = ["OtherPayer", "write_837p"]

# SBR09 claim filing indicator codes (005010X222A1, loop 2000B SBR09).
_FILING = {
    PayerKind.MEDICARE: "MB",
    PayerKind.MEDICAID: "MC",
    PayerKind.MEDICARE_ADVANTAGE: "16",
    PayerKind.COMMERCIAL: "CI",
    PayerKind.TRICARE: "CH",
    PayerKind.WORKERS_COMP: "WC",
    PayerKind.AUTO: "AM",
    PayerKind.OTHER: "ZZ",
}


@attrs.frozen(kw_only=True)
class OtherPayer:
    """A payer that adjudicated the claim before (loops 2320/2330/2430 of a secondary claim).

    ``coverage`` is the patient's coverage with that payer, ``payment`` its adjudication
    (the :class:`~medbill.ClaimPayment` read from its 835) and ``adjudicated_on`` the
    date of that adjudication (DTP*573).

    >>> import pendulum
    >>> from decimal import Decimal
    >>> from medbill import ClaimPayment
    >>> from medbill.testing import make_coverage
    >>> from medbill.x12 import OtherPayer
    >>> primary = OtherPayer(coverage=make_coverage(),
    ...                      payment=ClaimPayment(claim_id="CLM-1", status="1",
    ...                                           charge=Decimal("150.00"), paid=Decimal("80.00")),
    ...                      adjudicated_on=pendulum.date(2025, 3, 20))
    >>> primary.payment.paid
    Decimal('80.00')
    """

    coverage: Coverage
    payment: ClaimPayment
    adjudicated_on: pendulum.Date

    def __attrs_post_init__(self) -> None:
        validate(
            self,
            [
                check(isinstance(self.coverage, Coverage), "coverage", self.coverage, "must be a Coverage"),
                check(isinstance(self.payment, ClaimPayment), "payment", self.payment, "must be a ClaimPayment"),
            ],
        )  # fmt: skip


def _d8(day: pendulum.Date) -> str:
    return day.format("YYYYMMDD")


def _address(out: SegmentWriter, address: Address | None, field: str) -> None:
    if address is None:
        raise ValidationError(field, None, "an address is required in the 837P")
    out.add("N3", out.text(address.line1, field), out.text(address.line2, field))
    out.add("N4", out.text(address.city, field), address.state, address.postal_code)


def _person(
    out: SegmentWriter, role: str, name: PersonName, id_qualifier: str, id_value: str
) -> None:
    out.add(
        "NM1", role, "1", out.text(name.family, role), out.text(name.given, role),
        out.text(name.middle, role), "", out.text(name.suffix, role), id_qualifier,
        out.text(id_value, role),
    )  # fmt: skip


def _provider_nm1(out: SegmentWriter, role: str, provider: Provider) -> None:
    entity = "1" if provider.kind.is_person else "2"
    out.add(
        "NM1", role, entity, out.text(provider.name, role), out.text(provider.first_name, role),
        "", "", "", "XX", str(provider.npi),
    )  # fmt: skip


def _cas(out: SegmentWriter, adjustments: Sequence[Adjustment]) -> None:
    groups: dict[str, list[Adjustment]] = {}
    for adjustment in adjustments:
        groups.setdefault(adjustment.group.value, []).append(adjustment)
    for group, items in groups.items():
        for start in range(0, len(items), 6):
            elements = [group]
            for item in items[start : start + 6]:
                quantity = "" if item.quantity is None else amount(item.quantity)
                elements += [str(item.reason), amount(item.amount), quantity]
            out.add("CAS", *elements)


def _subscriber_of(coverage: Coverage, claim: Claim) -> tuple[PersonName, Address | None]:
    if coverage.relationship is Relationship.SELF or coverage.subscriber is None:
        return claim.patient.name, claim.patient.address
    return coverage.subscriber.name, coverage.subscriber.address


def _filing(coverage: Coverage, field: str) -> str:
    code = _FILING.get(coverage.payer.kind)
    if code is None:
        raise ValidationError(
            field, coverage.payer.kind.value, "a self-pay claim is not sent as an 837"
        )
    return code


def _check_coordination(claim: Claim, others: Sequence[OtherPayer], field: str) -> None:
    """A claim to a secondary or tertiary payer must say what the payers before it did."""
    coverage = claim.coverage
    if coverage is None or coverage.priority is Priority.PRIMARY or others:
        return
    raise ValidationError(
        f"{field}.coverage.priority",
        coverage.priority.value,
        "a claim to a secondary or tertiary payer needs the prior payers' adjudication "
        "(other_payers, or pass the SecondaryClaim) for loops 2320/2330/2430",
    )


def _insurance_type(coverage: Coverage) -> str:
    """SBR05: required when Medicare is not the primary payer (2000B SBR05)."""
    is_medicare = coverage.payer.kind is PayerKind.MEDICARE
    if is_medicare and coverage.priority is not Priority.PRIMARY:
        if coverage.insurance_type is None:
            raise ValidationError(
                "coverage.insurance_type",
                None,
                "a claim to Medicare as a secondary payer needs the SBR05 insurance type "
                "(12 working aged, 13 ESRD, 43 disability, 47 other liability, ...)",
            )
        return coverage.insurance_type
    return ""


def _payer_id(coverage: Coverage) -> str:
    if coverage.payer.x12_payer_id is None:
        raise ValidationError(
            "coverage.payer.x12_payer_id",
            None,
            f"payer {coverage.payer.id!r} needs the id clearinghouses route by (NM109 of 2010BB)",
        )
    return coverage.payer.x12_payer_id


def _payer_nm1(out: SegmentWriter, role: str, coverage: Coverage) -> None:
    payer = coverage.payer
    out.add("NM1", role, "2", out.text(payer.name, "payer.name"), "", "", "", "", "PI",
            out.text(_payer_id(coverage), "payer.x12_payer_id"))  # fmt: skip


# Repeat limits of 005010X222A1: loop 2400 repeats 50 times per claim; HI (health care
# diagnosis code) holds 12 codes; loop 2320 repeats 10 times.
MAX_LINES = 50
MAX_DIAGNOSES = 12
MAX_OTHER_PAYERS = 10


def _check_limits(claim: Claim, others: Sequence[OtherPayer]) -> None:
    """Refuse a claim the guide does not allow: it must be split before it is sent."""
    if len(claim.lines) > MAX_LINES:
        raise ValidationError(
            "lines",
            len(claim.lines),
            f"claim {claim.id!r}: an 837P claim holds at most {MAX_LINES} service lines "
            "(loop 2400); split it into several claims",
        )
    if len(claim.diagnoses) > MAX_DIAGNOSES:
        raise ValidationError(
            "diagnoses",
            len(claim.diagnoses),
            f"claim {claim.id!r}: HI holds at most {MAX_DIAGNOSES} diagnosis codes",
        )
    if len(others) > MAX_OTHER_PAYERS:
        raise ValidationError(
            "other_payers", len(others), f"at most {MAX_OTHER_PAYERS} other payers (loop 2320)"
        )
    for index, other in enumerate(others):
        _check_balanced(claim, other, f"other_payers[{index}]")


def _check_balanced(claim: Claim, other: OtherPayer, field: str) -> None:
    """The other payer's adjudication must balance against the claim (837P 2320 notes).

    Claim: CLM02 = AMT*D (paid) + the claim- and line-level CAS amounts; line: SV102 =
    SVD02 + the line's CAS amounts.
    """
    payment = other.payment
    if payment.charge != claim.total_charge:
        raise ValidationError(
            f"{field}.payment.charge",
            str(payment.charge),
            f"the other payer adjudicated {payment.charge}, the claim charges {claim.total_charge}",
        )
    if payment.imbalance:
        raise ValidationError(
            f"{field}.payment",
            str(payment.imbalance),
            "paid + adjustments must equal the charge (2320 AMT*D and CAS)",
        )
    for line_index, line in enumerate(payment.lines):
        if line.imbalance:
            raise ValidationError(
                f"{field}.payment.lines[{line_index}]",
                str(line.imbalance),
                "SVD02 + the line's CAS amounts must equal the line charge (2430)",
            )


def _other_payer(out: SegmentWriter, other: OtherPayer, claim: Claim) -> None:
    """Loops 2320 (other subscriber), 2330A (other subscriber name), 2330B (other payer)."""
    coverage = other.coverage
    relationship = coverage.relationship.x12
    out.add("SBR", coverage.priority.x12, relationship, out.text(coverage.group_number, "group_number"),
            "", "", "", "", "", _filing(coverage, "other_payer.coverage.payer.kind"))  # fmt: skip
    _cas(out, other.payment.adjustments)
    out.add("AMT", "D", amount(other.payment.paid))  # payer paid amount (2320 AMT*D)
    responsibility = other.payment.patient_responsibility_adjustments
    if responsibility:
        out.add("AMT", "EAF", amount(responsibility))  # remaining patient liability
    out.add("OI", "", "", "Y", "", "", "Y")
    name, _ = _subscriber_of(coverage, claim)
    _person(out, "IL", name, "MI", coverage.member_id)  # 2330A
    _payer_nm1(out, "PR", coverage)  # 2330B
    if other.payment.payer_claim_control_number:
        # 2330B REF*F8: the other payer's claim control number (CLP07 of its 835)
        out.add(
            "REF",
            "F8",
            out.text(other.payment.payer_claim_control_number, "payer_claim_control_number"),
        )


def _line_payment(payment: ClaimPayment, line: ClaimLine, index: int) -> LinePayment | None:
    for candidate in payment.lines:
        if candidate.line_id == line.line_id:
            return candidate
    if len(payment.lines) > index and payment.lines[index].line_id is None:
        return payment.lines[index]
    return None


def _claim(
    out: SegmentWriter, claim: Claim, hl: int, parent: int, others: Sequence[OtherPayer]
) -> int:
    coverage = claim.coverage
    if coverage is None:
        raise ValidationError("coverage", None, f"claim {claim.id!r} has no coverage to bill")
    _check_limits(claim, others)
    is_self = coverage.relationship is Relationship.SELF
    out.add("HL", str(hl), str(parent), "22", "0" if is_self else "1")
    out.add("SBR", coverage.priority.x12, "18" if is_self else "",
            out.text(coverage.group_number, "group_number"), "", _insurance_type(coverage),
            "", "", "", _filing(coverage, "coverage.payer.kind"))  # fmt: skip
    name, address = _subscriber_of(coverage, claim)
    _person(out, "IL", name, "MI", coverage.member_id)  # 2010BA
    if is_self:
        _address(out, address, "patient.address")
        patient = claim.patient
        out.add("DMG", "D8", _d8(patient.birth_date), patient.sex.value)
    _payer_nm1(out, "PR", coverage)  # 2010BB
    if not is_self:
        hl += 1
        out.add("HL", str(hl), str(hl - 1), "23", "0")
        out.add("PAT", coverage.relationship.x12)
        patient = claim.patient
        _person(out, "QC", patient.name, "", "")
        _address(out, patient.address, "patient.address")
        out.add("DMG", "D8", _d8(patient.birth_date), patient.sex.value)
    clm05 = out.composite(str(claim.place_of_service), "B", claim.frequency.value)
    out.add(
        "CLM",
        out.text(claim.id, "id"),
        amount(claim.total_charge),
        "",
        "",
        clm05,
        "Y",
        "A",
        "Y",
        "Y",
        "",
        related_causes(out, claim),
    )
    claim_dates(out, claim)
    claim_amounts(out, claim)
    claim_references(out, claim)
    claim_note(out, claim)
    codes = [str(d).replace(".", "") for d in claim.diagnoses]
    out.add("HI", *(out.composite("ABK" if i == 0 else "ABF", c) for i, c in enumerate(codes)))
    loop_2310a_referring(out, claim)
    rendering = claim.rendering_provider
    if rendering is not None and rendering.npi != claim.billing_provider.npi:
        _provider_nm1(out, "82", rendering)  # 2310B: a person (1) or a group (2)
        if rendering.taxonomy:
            out.add("PRV", "PE", "PXC", rendering.taxonomy)
    loop_2310c_service_facility(out, claim)
    for other in others:
        _other_payer(out, other, claim)
    for index, line in enumerate(claim.lines):
        out.add("LX", str(index + 1))
        procedure = out.composite("HC", str(line.procedure), *(str(m) for m in line.modifiers))
        pos = (
            ""
            if line.place_of_service in (None, claim.place_of_service)
            else str(line.place_of_service)
        )
        pointers = out.composite(*(str(p) for p in line.diagnosis_pointers))
        out.add("SV1", procedure, amount(line.charge), "UN", amount(line.units), pos, "", pointers)
        if line.last_service_date != line.service_date:
            out.add("DTP", "472", "RD8", f"{_d8(line.service_date)}-{_d8(line.last_service_date)}")
        else:
            out.add("DTP", "472", "D8", _d8(line.service_date))
        out.add("REF", "6R", out.text(line.line_id, "line_id"))
        line_loops(out, line)
        for other in others:
            paid = _line_payment(other.payment, line, index)
            if paid is None:
                continue
            payer_id = _payer_id(other.coverage)
            out.add(
                "SVD",
                payer_id,
                amount(paid.paid),
                procedure,
                "",
                amount(paid.units_paid or line.units),
            )
            _cas(out, paid.adjustments)
            out.add("DTP", "573", "D8", _d8(other.adjudicated_on))
    return hl


def _from_secondary(secondary: SecondaryClaim, field: str) -> tuple[Claim, list[OtherPayer]]:
    """The claim and its other payers (loops 2320/2330/2430) from a :class:`SecondaryClaim`."""
    claim = secondary.claim
    charges = {line.line_id: line for line in claim.lines}
    others: list[OtherPayer] = []
    for index, prior in enumerate(secondary.prior_payers):
        if prior.coverage is None:
            raise ValidationError(
                f"{field}.prior_payers[{index}].coverage",
                None,
                "the prior payer's coverage fills loops 2320 (SBR) and 2330A; "
                "build_secondary_claim sets it",
            )
        lines = []
        for line in prior.lines:
            billed = charges.get(line.line_id)
            if billed is None:
                raise ValidationError(
                    f"{field}.prior_payers[{index}].lines",
                    line.line_id,
                    f"matches no line of claim {claim.id!r}",
                )
            lines.append(
                LinePayment(
                    procedure=line.procedure, modifiers=line.modifiers, line_id=line.line_id,
                    charge=billed.charge, paid=line.paid, units_paid=line.units_paid,
                    adjustments=line.adjustments,
                )
            )  # fmt: skip
        payment = ClaimPayment(
            claim_id=claim.id,
            status="1" if prior.coverage.priority is Priority.PRIMARY else "2",
            charge=claim.total_charge,
            paid=prior.paid,
            patient_responsibility=prior.remaining_patient_liability,
            adjustments=prior.claim_adjustments,
            lines=lines,
            payer_claim_control_number=prior.payer_claim_control_number,
        )
        others.append(
            OtherPayer(
                coverage=prior.coverage, payment=payment, adjudicated_on=prior.adjudicated_on
            )
        )
    return claim, others


def write_837p(
    claims: Claim | SecondaryClaim | Iterable[Claim | SecondaryClaim],
    *,
    submitter: Party,
    receiver: Party,
    created: pendulum.DateTime,
    control_number: int = 1,
    usage: str = "T",
    other_payers: Mapping[str, Sequence[OtherPayer]] | None = None,
    reference: str | None = None,
) -> str:
    """An 837P interchange holding ``claims`` in one transaction set.

    ``submitter`` and ``receiver`` fill the envelopes and loops 1000A/1000B (the
    submitter needs a ``contact_name`` and ``phone`` for PER); the billing provider of
    each claim (with its ``address`` and ``tax_id``) fills 2000A/2010AA. For a secondary
    claim, pass the :class:`~medbill.claims.SecondaryClaim` (from
    :func:`~medbill.claims.build_secondary_claim`), or a ``Claim`` with ``other_payers``
    mapping its id to the payers that adjudicated it before; their payments fill loops
    2320/2330 (with the prior payer's claim number, REF*F8) and, line by line, 2430. A
    claim to a secondary payer without them is refused, as are claims the guide does not
    allow: more than 50 lines or 12 diagnoses, a value longer than its element, another
    payer's amounts that do not balance, Medicare as secondary without SBR05
    (``Coverage.insurance_type``). ``created`` is the
    interchange date and time (no clock is read); ``reference`` is BHT03 (defaults to
    the control number).

    >>> import pendulum
    >>> from medbill.testing import make_claim
    >>> from medbill.x12 import Party, write_837p, parse_interchange
    >>> text = write_837p(
    ...     make_claim(), created=pendulum.datetime(2025, 3, 5, 9, 0),
    ...     submitter=Party(name="Springfield FM", id="SFM01", contact_name="Billing",
    ...                     phone="2175550100"),
    ...     receiver=Party(name="Acme Clearinghouse", id="ACMECH"))
    >>> [segment.id for segment in parse_interchange(text)[0].groups[0].transactions[0].segments][:6]
    ['BHT', 'NM1', 'PER', 'NM1', 'HL', 'PRV']
    """
    given = [claims] if isinstance(claims, Claim | SecondaryClaim) else list(claims)
    if not given:
        raise ValidationError("claims", [], "needs at least one claim")
    others = dict(other_payers or {})
    items: list[Claim] = []
    for index, item in enumerate(given):
        if isinstance(item, SecondaryClaim):
            claim, prior = _from_secondary(item, f"claims[{index}]")
            if str(claim.id) in others:
                raise ValidationError(
                    "other_payers", str(claim.id), "a SecondaryClaim carries its prior payers"
                )
            others[str(claim.id)] = prior
            item = claim
        elif not isinstance(item, Claim):
            raise ValidationError(
                f"claims[{index}]", type(item).__name__, "must be a Claim or a SecondaryClaim"
            )
        _check_coordination(item, others.get(str(item.id), ()), f"claims[{index}]")
        items.append(item)
    if not submitter.contact_name or not submitter.phone:
        raise ValidationError(
            "submitter", submitter.name, "needs contact_name and phone (1000A PER)"
        )
    out = SegmentWriter()
    out.add("BHT", "0019", "00", out.text(reference or str(control_number), "reference"),
            created.format("YYYYMMDD"), created.format("HHmm"), "CH")  # fmt: skip
    out.add(
        "NM1",
        "41",
        "2",
        out.text(submitter.name, "submitter.name"),
        "",
        "",
        "",
        "",
        "46",
        submitter.id,
    )
    out.add("PER", "IC", out.text(submitter.contact_name, "submitter.contact_name"), "TE",
            out.text(submitter.phone, "submitter.phone"))  # fmt: skip
    out.add(
        "NM1",
        "40",
        "2",
        out.text(receiver.name, "receiver.name"),
        "",
        "",
        "",
        "",
        "46",
        receiver.id,
    )
    hl = 0
    by_provider: dict[str, list[Claim]] = {}
    for claim in items:
        by_provider.setdefault(str(claim.billing_provider.npi), []).append(claim)
    for group in by_provider.values():
        provider = group[0].billing_provider
        hl += 1
        parent = hl
        out.add("HL", str(hl), "", "20", "1")
        if provider.taxonomy:
            out.add("PRV", "BI", "PXC", provider.taxonomy)
        _provider_nm1(out, "85", provider)
        _address(out, provider.address, "billing_provider.address")
        if not provider.tax_id:
            raise ValidationError("billing_provider.tax_id", None, "is required (2010AA REF*EI)")
        out.add("REF", "EI", provider.tax_id)
        for claim in group:
            hl = _claim(out, claim, hl + 1, parent, others.get(claim.id, ()))
    return interchange(
        [("837", out.segments)],
        functional_id="HC",
        version="005010X222A1",
        sender=submitter,
        receiver=receiver,
        control_number=control_number,
        created=created,
        usage=usage,
    )
