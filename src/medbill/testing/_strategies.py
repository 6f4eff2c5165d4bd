"""The strategies behind :mod:`medbill.testing.strategies` (valid objects only).

Requires ``hypothesis`` (``pip install 'medbill[testing]'``).

>>> from hypothesis import given
>>> from medbill.testing.strategies import claims
>>> @given(claims())
... def test_total_is_sum_of_lines(claim):
...     assert claim.total_charge == sum(line.charge for line in claim.lines)
>>> test_total_is_sum_of_lines()
"""

from __future__ import annotations

import string
from decimal import Decimal
from typing import Any

import pendulum
from hypothesis import strategies as st

from medbill._common import Address, PatientId, Period, PersonName, Sex
from medbill._encounter import (
    MAX_DIAGNOSES,
    Claim,
    ClaimFrequency,
    ClaimLine,
    Encounter,
    ServiceLine,
)
from medbill._parties import (
    Accumulators,
    Benefits,
    Copay,
    Coverage,
    Patient,
    Payer,
    PayerKind,
    Priority,
    Provider,
    ProviderKind,
    Relationship,
    ServiceCategory,
    Subscriber,
)
from medbill._payment import (
    Adjustment,
    ClaimPayment,
    LinePayment,
    PatientPayment,
    PatientPaymentMethod,
    PayerClaimStatus,
    PaymentMethod,
    ProviderAdjustment,
    Remittance,
)
from medbill.codes import (
    AdjustmentGroup,
    Carc,
    CodeList,
    Icd10Cm,
    Modifier,
    Npi,
    PlaceOfService,
    ProcedureCode,
    Rarc,
    RevenueCode,
)

__all__ = [
    "accumulators",
    "addresses",
    "adjustment_groups",
    "adjustments",
    "amounts",
    "benefits",
    "carcs",
    "claim_lines",
    "claim_payments",
    "claims",
    "coverages",
    "dates",
    "encounters",
    "icd10_codes",
    "line_payments",
    "modifiers",
    "npis",
    "patient_payments",
    "patients",
    "payers",
    "periods",
    "person_names",
    "places_of_service",
    "procedure_codes",
    "provider_adjustments",
    "providers",
    "rarcs",
    "remittances",
    "revenue_codes",
    "service_lines",
    "subscribers",
]

_BORN_FROM = pendulum.date(1920, 1, 1)
_BORN_TO = pendulum.date(2024, 12, 31)
_UPPER = string.ascii_uppercase
_DIGITS = string.digits
_ALNUM = _UPPER + _DIGITS


def amounts(
    min_value: Decimal = Decimal("0.00"), max_value: Decimal = Decimal("99999.99")
) -> st.SearchStrategy[Decimal]:
    """Exact cent amounts between the bounds.

    >>> amounts().example().as_tuple().exponent
    -2
    """
    low, high = int(min_value * 100), int(max_value * 100)
    return st.integers(low, high).map(lambda cents: Decimal(cents).scaleb(-2))


_EARLIEST = pendulum.date(2020, 1, 1)
_LATEST = pendulum.date(2026, 12, 31)


def dates(
    min_value: pendulum.Date = _EARLIEST, max_value: pendulum.Date = _LATEST
) -> st.SearchStrategy[pendulum.Date]:
    """``pendulum.Date`` values between the bounds.

    >>> day = dates(pendulum.date(2025, 1, 1), pendulum.date(2025, 1, 31)).example()
    >>> type(day) is pendulum.Date, (day.year, day.month)
    (True, (2025, 1))
    """
    return st.dates(min_value, max_value).map(lambda d: pendulum.date(d.year, d.month, d.day))


def icd10_codes() -> st.SearchStrategy[Icd10Cm]:
    """Well-formed ICD-10-CM codes (3 to 7 characters).

    >>> code = str(icd10_codes().example())
    >>> code[0].isalpha(), 3 <= len(code.replace(".", "")) <= 7
    (True, True)
    """
    head = st.tuples(st.sampled_from(_UPPER), st.sampled_from(_DIGITS), st.sampled_from(_ALNUM))
    tail = st.text(_ALNUM, min_size=0, max_size=4)
    return st.builds(lambda h, t: Icd10Cm("".join(h) + t), head, tail)


def procedure_codes() -> st.SearchStrategy[ProcedureCode]:
    """CPT Category I, II, III and HCPCS Level II codes.

    >>> len(str(procedure_codes().example()))
    5
    """
    four = st.text(_DIGITS, min_size=4, max_size=4)
    return st.one_of(
        st.text(_DIGITS, min_size=5, max_size=5),
        four.map(lambda d: d + "F"),
        four.map(lambda d: d + "T"),
        st.builds(lambda a, d: a + d, st.sampled_from(_UPPER), four),
    ).map(ProcedureCode)


def modifiers() -> st.SearchStrategy[Modifier]:
    """Two-character modifiers.

    >>> len(modifiers().example())
    2
    """
    return st.text(_ALNUM, min_size=2, max_size=2).map(Modifier)


def places_of_service() -> st.SearchStrategy[PlaceOfService]:
    """Assigned CMS place-of-service codes.

    >>> places_of_service().example().name != ""
    True
    """
    return st.sampled_from(sorted(CodeList.PLACE_OF_SERVICE.meanings)).map(PlaceOfService)


def npis() -> st.SearchStrategy[Npi]:
    """NPIs with a correct check digit.

    >>> npi = str(npis().example())
    >>> len(npi), str(Npi(npi)) == npi  # Npi() re-checks the Luhn digit
    (10, True)
    """
    return st.builds(
        lambda first, rest: Npi.with_check_digit(first + rest),
        st.sampled_from("12"),
        st.text(_DIGITS, min_size=8, max_size=8),
    )


def adjustment_groups() -> st.SearchStrategy[AdjustmentGroup]:
    """CO, PR, OA and PI.

    >>> adjustment_groups().example() in set(AdjustmentGroup)
    True
    """
    # CR exists in 004010 only; what the strategies build is written as 005010
    return st.sampled_from(
        [g for g in AdjustmentGroup if g is not AdjustmentGroup.CORRECTION_REVERSAL]
    )


def carcs() -> st.SearchStrategy[Carc]:
    """Well-formed CARCs, numeric or letter-prefixed.

    >>> code = str(carcs().example())
    >>> code.isdigit() or (code[0].isalpha() and code[1:].isdigit())
    True
    """
    return st.one_of(
        st.integers(1, 999).map(str),
        st.builds(lambda a, n: f"{a}{n}", st.sampled_from(_UPPER), st.integers(1, 99)),
    ).map(Carc)


def rarcs() -> st.SearchStrategy[Rarc]:
    """Well-formed RARCs (M, MA or N and digits).

    >>> code = str(rarcs().example())
    >>> code.startswith(("M", "N")), code.lstrip("MAN").isdigit()
    (True, True)
    """
    return st.builds(
        lambda p, n: Rarc(f"{p}{n}"), st.sampled_from(["M", "MA", "N"]), st.integers(1, 9999)
    )


def revenue_codes() -> st.SearchStrategy[RevenueCode]:
    """Four-digit revenue codes.

    >>> len(revenue_codes().example())
    4
    """
    return st.text(_DIGITS, min_size=4, max_size=4).map(RevenueCode)


_names = st.text(string.ascii_letters, min_size=1, max_size=12)
_ids = st.text(_ALNUM + "-", min_size=1, max_size=12).filter(lambda s: s.strip("-") != "")


def person_names() -> st.SearchStrategy[PersonName]:
    """Person names.

    >>> name = person_names().example()
    >>> bool(name.family and name.given)
    True
    """
    return st.builds(
        PersonName,
        family=_names,
        given=_names,
        middle=st.none() | _names,
        suffix=st.none() | st.sampled_from(["Jr", "Sr", "III"]),
    )


def addresses() -> st.SearchStrategy[Address]:
    """US addresses.

    >>> len(addresses().example().state)
    2
    """
    return st.builds(
        Address,
        line1=st.builds(lambda n, s: f"{n} {s} St", st.integers(1, 9999), _names),
        city=_names,
        state=st.sampled_from(["IL", "NY", "CA", "TX", "AK", "FL"]),
        postal_code=st.text(_DIGITS, min_size=5, max_size=5)
        | st.text(_DIGITS, min_size=9, max_size=9),
        line2=st.none() | st.just("Apt 2"),
    )


def periods() -> st.SearchStrategy[Period]:
    """Periods whose end (if any) is not before their start.

    >>> p = periods().example()
    >>> p.end is None or p.end >= p.start
    True
    """
    return st.builds(
        lambda start, days: Period(start, None if days is None else start.add(days=days)),
        dates(),
        st.none() | st.integers(0, 800),
    )


def patients() -> st.SearchStrategy[Patient]:
    """Patients, with and without contact details.

    >>> _BORN_FROM <= patients().example().birth_date <= _BORN_TO
    True
    """
    return st.builds(
        Patient,
        id=_ids,
        name=person_names(),
        birth_date=dates(_BORN_FROM, _BORN_TO),
        sex=st.sampled_from(list(Sex)),
        address=st.none() | addresses(),
        phone=st.none() | st.text(_DIGITS, min_size=10, max_size=10),
        email=st.none() | st.builds(lambda a, b: f"{a}@{b}.org", _names, _names),
    )


def payers() -> st.SearchStrategy[Payer]:
    """Payers of every kind.

    >>> payer = payers().example()
    >>> payer.x12_payer_id is None or len(payer.x12_payer_id) == 5
    True
    """
    return st.builds(
        Payer,
        id=_ids,
        name=_names,
        kind=st.sampled_from(list(PayerKind)),
        x12_payer_id=st.none() | st.text(_ALNUM, min_size=5, max_size=5),
    )


def benefits() -> st.SearchStrategy[Benefits]:
    """Plan designs with distinct copay categories.

    >>> plan = benefits().example()
    >>> 0 <= plan.coinsurance <= 1, len({c.category for c in plan.copays}) == len(plan.copays)
    (True, True)
    """
    copays = st.lists(
        st.builds(
            Copay,
            category=st.sampled_from(list(ServiceCategory)),
            amount=amounts(max_value=Decimal("200.00")),
        ),
        max_size=4,
        unique_by=lambda c: c.category,
    )
    return st.builds(
        Benefits,
        deductible=amounts(max_value=Decimal("10000.00")),
        coinsurance=st.integers(0, 100).map(lambda p: Decimal(p) / 100),
        copays=copays,
        out_of_pocket_max=st.none() | amounts(Decimal("1000.00"), Decimal("20000.00")),
    )


def accumulators() -> st.SearchStrategy[Accumulators]:
    """Year-to-date accumulators.

    >>> met = accumulators().example()
    >>> met.deductible_met >= 0, met.out_of_pocket_met.as_tuple().exponent
    (True, -2)
    """
    return st.builds(
        Accumulators,
        deductible_met=amounts(max_value=Decimal("10000.00")),
        out_of_pocket_met=amounts(max_value=Decimal("20000.00")),
    )


def subscribers() -> st.SearchStrategy[Subscriber]:
    """Subscribers other than the patient.

    >>> insured = subscribers().example()
    >>> insured.birth_date is None or insured.birth_date >= _BORN_FROM
    True
    """
    return st.builds(
        Subscriber,
        name=person_names(),
        birth_date=st.none() | dates(_BORN_FROM),
        sex=st.none() | st.sampled_from(list(Sex)),
        address=st.none() | addresses(),
    )


@st.composite
def coverages(draw: Any, patient_id: str | None = None) -> Coverage:
    """Coverages, with a subscriber whenever the patient is not the subscriber.

    >>> coverages(patient_id="MRN-1").example().patient_id
    'MRN-1'
    """
    relationship = draw(st.sampled_from(list(Relationship)))
    return Coverage(
        id=draw(_ids),
        patient_id=PatientId(patient_id if patient_id is not None else draw(_ids)),
        payer=draw(payers()),
        member_id=draw(st.text(_ALNUM, min_size=5, max_size=15)),
        priority=draw(st.sampled_from(list(Priority))),
        effective=draw(periods()),
        plan_name=draw(st.none() | _names),
        group_number=draw(st.none() | _ids),
        relationship=relationship,
        subscriber=None if relationship is Relationship.SELF else draw(subscribers()),
        benefits=draw(benefits()),
        accumulators=draw(accumulators()),
    )


def providers() -> st.SearchStrategy[Provider]:
    """Practitioners and organizations.

    >>> len(str(providers().example().npi))
    10
    """
    return st.builds(
        lambda npi, name, kind, first, tax: Provider(
            npi=npi,
            name=name,
            kind=kind,
            first_name=None if kind is ProviderKind.ORGANIZATION else first,
            tax_id=tax,
        ),
        npis(),
        _names,
        st.sampled_from(list(ProviderKind)),
        _names,
        st.none() | st.text(_DIGITS, min_size=9, max_size=9),
    )


def _line_fields(diagnosis_count: int) -> dict[str, st.SearchStrategy[Any]]:
    pointers = st.lists(
        st.integers(1, diagnosis_count), min_size=1, max_size=min(4, diagnosis_count), unique=True
    )
    return {
        "procedure": procedure_codes(),
        "charge": amounts(max_value=Decimal("20000.00")),
        "diagnosis_pointers": pointers,
        "modifiers": st.lists(modifiers(), max_size=4, unique=True),
        "units": st.integers(1, 20).map(Decimal),
        "minutes": st.none() | st.integers(1, 480),
    }


def service_lines(diagnosis_count: int = 1) -> st.SearchStrategy[ServiceLine]:
    """Encounter service lines pointing into ``diagnosis_count`` diagnoses.

    >>> set(service_lines(diagnosis_count=1).example().diagnosis_pointers) <= {1}
    True
    """
    return st.builds(ServiceLine, **_line_fields(diagnosis_count))


def claim_lines(
    diagnosis_count: int = 1, line_id: str = "1", service_date: pendulum.Date | None = None
) -> st.SearchStrategy[ClaimLine]:
    """Claim lines pointing into ``diagnosis_count`` diagnoses.

    >>> line = claim_lines(3, line_id="7").example()
    >>> line.line_id, set(line.diagnosis_pointers) <= {1, 2, 3}
    ('7', True)
    """
    day = st.just(service_date) if service_date is not None else dates()
    return st.builds(
        ClaimLine,
        line_id=st.just(line_id),
        service_date=day,
        place_of_service=st.none() | places_of_service(),
        **_line_fields(diagnosis_count),
    )


_diagnosis_lists = st.lists(icd10_codes(), min_size=1, max_size=MAX_DIAGNOSES, unique=True)


@st.composite
def encounters(draw: Any) -> Encounter:
    """Encounters with 1-12 diagnoses and 1-6 lines.

    >>> visit = encounters().example()
    >>> 1 <= len(visit.diagnoses) <= 12, 1 <= len(visit.lines) <= 6
    (True, True)
    """
    diagnoses = draw(_diagnosis_lists)
    return Encounter(
        id=draw(_ids),
        patient_id=draw(_ids),
        service_date=draw(dates()),
        place_of_service=draw(places_of_service()),
        rendering_provider=draw(providers()),
        billing_provider=draw(providers()),
        diagnoses=diagnoses,
        lines=draw(st.lists(service_lines(len(diagnoses)), min_size=1, max_size=6)),
    )


@st.composite
def claims(draw: Any) -> Claim:
    """Claims (original, replacement or void), self-pay or insured, 1-6 lines.

    >>> claim = claims().example()
    >>> claim.total_charge == sum(line.charge for line in claim.lines), claim.lines[0].line_id
    (True, '1')
    """
    patient = draw(patients())
    diagnoses = draw(_diagnosis_lists)
    count = draw(st.integers(1, 6))
    lines = [draw(claim_lines(len(diagnoses), line_id=str(n + 1))) for n in range(count)]
    frequency = draw(st.sampled_from(list(ClaimFrequency)))
    return Claim(
        id=draw(_ids),
        patient=patient,
        coverage=draw(st.none() | coverages(patient_id=patient.id)),
        billing_provider=draw(providers()),
        rendering_provider=draw(st.none() | providers()),
        place_of_service=draw(places_of_service()),
        diagnoses=diagnoses,
        lines=lines,
        frequency=frequency,
        original_claim_reference=None if frequency is ClaimFrequency.ORIGINAL else draw(_ids),
        prior_authorization=draw(st.none() | _ids),
    )


def adjustments() -> st.SearchStrategy[Adjustment]:
    """CAS adjustments of any group, positive or negative.

    >>> -5000 <= adjustments().example().amount <= 5000
    True
    """
    return st.builds(
        Adjustment,
        group=adjustment_groups(),
        reason=carcs(),
        amount=amounts(Decimal("-5000.00"), Decimal("5000.00")),
        quantity=st.none() | st.integers(1, 10).map(Decimal),
    )


@st.composite
def line_payments(draw: Any) -> LinePayment:
    """Balanced service-line adjudications (charge − adjustments = paid).

    >>> line_payments().example().imbalance
    Decimal('0.00')
    """
    charge = draw(amounts(max_value=Decimal("5000.00")))
    adjusts = draw(st.lists(adjustments(), max_size=3))
    paid = charge - sum((a.amount for a in adjusts), Decimal("0.00"))
    return LinePayment(
        procedure=draw(procedure_codes()),
        charge=charge,
        paid=paid,
        adjustments=adjusts,
        modifiers=draw(st.lists(modifiers(), max_size=4, unique=True)),
        line_id=draw(st.none() | _ids),
        service_date=draw(st.none() | dates()),
        allowed=draw(st.none() | amounts(max_value=Decimal("5000.00"))),
        remarks=draw(st.lists(rarcs(), max_size=2)),
        units_paid=draw(st.none() | st.integers(1, 10).map(Decimal)),
    )


@st.composite
def claim_payments(draw: Any) -> ClaimPayment:
    """Balanced claim adjudications (line-level adjustments, consistent PR).

    >>> claim_payments().example().imbalance
    Decimal('0.00')
    """
    lines = draw(st.lists(line_payments(), min_size=1, max_size=4))
    charge = sum((line.charge for line in lines), Decimal("0.00"))
    paid = sum((line.paid for line in lines), Decimal("0.00"))
    responsibility = sum((line.patient_responsibility for line in lines), Decimal("0.00"))
    return ClaimPayment(
        claim_id=draw(_ids),
        status=draw(st.sampled_from([s for s in PayerClaimStatus if not s.is_reversal])),
        charge=charge,
        paid=paid,
        patient_responsibility=responsibility,
        lines=lines,
        payer_claim_control_number=draw(st.none() | _ids),
        filing_indicator=draw(st.sampled_from(["12", "13", "15", "16", "HM", "MA", "MB", "MC"])),
    )


def provider_adjustments() -> st.SearchStrategy[ProviderAdjustment]:
    """PLB adjustments (interest, recoupment, forward balance).

    >>> provider_adjustments().example().reason in {"L6", "WO", "FB", "72", "CS"}
    True
    """
    return st.builds(
        ProviderAdjustment,
        provider_id=npis().map(str),
        fiscal_period_end=dates(),
        reason=st.sampled_from(["L6", "WO", "FB", "72", "CS"]),
        amount=amounts(Decimal("-500.00"), Decimal("500.00")),
        reference=st.none() | _ids,
    )


@st.composite
def remittances(draw: Any) -> Remittance:
    """Balanced remittances whose payment amount is non-negative.

    >>> remittances().example().imbalances()
    ()
    """
    claims_paid = draw(st.lists(claim_payments(), min_size=1, max_size=4))
    plb = draw(st.lists(provider_adjustments(), max_size=2))
    total = sum((c.paid for c in claims_paid), Decimal("0.00")) - sum(
        (p.amount for p in plb), Decimal("0.00")
    )
    return Remittance(
        id=draw(_ids),
        payer_name=draw(_names),
        payer_id=draw(st.none() | _ids),
        payment_amount=abs(total),
        credit=total >= 0,
        paid_on=draw(dates()),
        method=draw(st.sampled_from(list(PaymentMethod))),
        payee_name=draw(st.none() | _names),
        payee_npi=draw(st.none() | npis()),
        claim_payments=claims_paid,
        provider_adjustments=plb,
    )


def patient_payments() -> st.SearchStrategy[PatientPayment]:
    """Patient payments.

    >>> patient_payments().example().amount > 0
    True
    """
    return st.builds(
        PatientPayment,
        id=_ids,
        patient_id=_ids,
        amount=amounts(Decimal("0.01"), Decimal("5000.00")),
        received_on=dates(),
        method=st.sampled_from(list(PatientPaymentMethod)),
        reference=st.none() | _ids,
        claim_id=st.none() | _ids,
    )
