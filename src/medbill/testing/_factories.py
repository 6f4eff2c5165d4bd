"""Factories that build valid entities with sensible defaults and keyword overrides."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pendulum

from medbill._common import Address, Period, PersonName, Sex
from medbill._encounter import Claim, ClaimLine, Encounter, ServiceLine
from medbill._parties import (
    Benefits,
    Copay,
    Coverage,
    Patient,
    Payer,
    PayerKind,
    Priority,
    Provider,
    ProviderKind,
    ServiceCategory,
)
from medbill._payment import (
    Adjustment,
    ClaimPayment,
    LinePayment,
    PatientPayment,
    ProviderAdjustment,
    Remittance,
)
from medbill.codes import AdjustmentGroup, Npi
from medbill.fees import Locality, MedicareFeeSchedule
from medbill.fees._demo_rows import SPRINGFIELD

__all__ = [
    "DEFAULT_SERVICE_DATE",
    "DEMO_LOCALITY",
    "demo_medicare_schedule",
    "make_address",
    "make_adjustment",
    "make_benefits",
    "make_claim",
    "make_claim_line",
    "make_claim_payment",
    "make_coverage",
    "make_encounter",
    "make_line_payment",
    "make_patient",
    "make_patient_payment",
    "make_payer",
    "make_provider",
    "make_provider_adjustment",
    "make_remittance",
    "make_service_line",
]

DEFAULT_SERVICE_DATE = pendulum.date(2025, 3, 4)
"""The date of service the factories use unless told otherwise."""


DEMO_LOCALITY: Locality = SPRINGFIELD
"""The demo practice's Medicare locality: Rest of Illinois, ``06102-99`` (Springfield, IL)."""


def demo_medicare_schedule() -> MedicareFeeSchedule:
    """The one demo dataset: published CY2025 Medicare rows for a few common codes.

    Eight PPRRVU25_JAN rows (99203, 99213, 99214, 20610, 71046 with TC and 26, 93000) and the
    GPCIs of three localities (Rest of Illinois, Manhattan, Alabama), copied from the CMS
    files and checked against them cell for cell by the tests; the same rows as
    :meth:`medbill.fees.MedicareFeeSchedule.demo` and the ``medbill demo`` command.

    >>> line = demo_medicare_schedule().price_line("99213", locality=DEMO_LOCALITY,
    ...     place_of_service="11", service_date=DEFAULT_SERVICE_DATE)
    >>> line.allowed  # (1.30 x 1 + 1.35 x 0.912 + 0.10 x 1.381) x 32.3465 = 86.3425
    Decimal('86.34')
    """
    return MedicareFeeSchedule.demo()


def _build(cls: Any, defaults: dict[str, Any], overrides: dict[str, Any]) -> Any:
    return cls(**{**defaults, **overrides})


def make_address(**overrides: Any) -> Address:
    """An address in Springfield, IL.

    >>> make_address(city="Peoria").city
    'Peoria'
    """
    defaults = {
        "line1": "100 Main St",
        "city": "Springfield",
        "state": "IL",
        "postal_code": "62701",
    }
    return _build(Address, defaults, overrides)  # type: ignore[no-any-return]


def make_patient(**overrides: Any) -> Patient:
    """A patient, Jane Doe, born 1980-05-17.

    >>> make_patient(id="MRN-42").id
    'MRN-42'
    """
    defaults = {
        "id": "MRN-0001",
        "name": PersonName(family="Doe", given="Jane"),
        "birth_date": pendulum.date(1980, 5, 17),
        "sex": Sex.FEMALE,
        "address": make_address(),
    }
    return _build(Patient, defaults, overrides)  # type: ignore[no-any-return]


def make_payer(**overrides: Any) -> Payer:
    """A commercial payer, Acme Health (X12 payer id 60054).

    >>> make_payer(kind="medicare").kind.name
    'MEDICARE'
    """
    defaults = {
        "id": "acme",
        "name": "Acme Health",
        "kind": PayerKind.COMMERCIAL,
        "x12_payer_id": "60054",
    }
    return _build(Payer, defaults, overrides)  # type: ignore[no-any-return]


def make_benefits(**overrides: Any) -> Benefits:
    """A common PPO design: $1,000 deductible, 20% coinsurance, $25 office copay, $5,000 OOP.

    >>> make_benefits().coinsurance
    Decimal('0.20')
    """
    defaults = {
        "deductible": Decimal("1000.00"),
        "coinsurance": Decimal("0.20"),
        "copays": (Copay(category=ServiceCategory.OFFICE_VISIT, amount=Decimal("25.00")),),
        "out_of_pocket_max": Decimal("5000.00"),
    }
    return _build(Benefits, defaults, overrides)  # type: ignore[no-any-return]


def make_coverage(**overrides: Any) -> Coverage:
    """The default patient's primary coverage with Acme Health, in force from 2025-01-01.

    >>> make_coverage(priority="secondary").priority.name
    'SECONDARY'
    """
    defaults = {
        "id": "cov-0001",
        "patient_id": "MRN-0001",
        "payer": make_payer(),
        "member_id": "ACM123456789",
        "priority": Priority.PRIMARY,
        "effective": Period(pendulum.date(2025, 1, 1)),
        "plan_name": "Acme PPO",
        "group_number": "GRP-100",
        "benefits": make_benefits(),
    }
    return _build(Coverage, defaults, overrides)  # type: ignore[no-any-return]


def make_provider(**overrides: Any) -> Provider:
    """A family physician, Dr. Ada Lovelace (NPI 1234567893).

    >>> make_provider().display_name
    'Ada Lovelace'
    """
    defaults = {
        "npi": Npi("1234567893"),
        "name": "Lovelace",
        "first_name": "Ada",
        "kind": ProviderKind.PHYSICIAN,
        "taxonomy": "207Q00000X",
        "tax_id": "123456789",
        "address": make_address(line1="1 Clinic Way"),
    }
    return _build(Provider, defaults, overrides)  # type: ignore[no-any-return]


def make_service_line(**overrides: Any) -> ServiceLine:
    """An established-patient office visit (99213) billed at $150.00.

    >>> make_service_line().charge
    Decimal('150.00')
    """
    defaults = {"procedure": "99213", "charge": Decimal("150.00"), "diagnosis_pointers": (1,)}
    return _build(ServiceLine, defaults, overrides)  # type: ignore[no-any-return]


def make_encounter(**overrides: Any) -> Encounter:
    """An office visit on the default date for type 2 diabetes and hypertension.

    >>> make_encounter().diagnoses
    (Icd10Cm('E11.9'), Icd10Cm('I10'))
    """
    provider = make_provider()
    defaults = {
        "id": "enc-0001",
        "patient_id": "MRN-0001",
        "service_date": DEFAULT_SERVICE_DATE,
        "place_of_service": "11",
        "rendering_provider": provider,
        "billing_provider": provider,
        "diagnoses": ("E11.9", "I10"),
        "lines": (make_service_line(diagnosis_pointers=(1, 2)),),
    }
    return _build(Encounter, defaults, overrides)  # type: ignore[no-any-return]


def make_claim_line(**overrides: Any) -> ClaimLine:
    """Line 1: 99213 at $150.00 on the default date, pointing at diagnosis 1.

    >>> make_claim_line(units=Decimal(2)).units
    Decimal('2')
    """
    defaults = {
        "line_id": "1",
        "procedure": "99213",
        "charge": Decimal("150.00"),
        "diagnosis_pointers": (1,),
        "service_date": DEFAULT_SERVICE_DATE,
    }
    return _build(ClaimLine, defaults, overrides)  # type: ignore[no-any-return]


def make_claim(**overrides: Any) -> Claim:
    """A one-line office-visit claim of the default patient to the default coverage.

    >>> claim = make_claim()
    >>> claim.total_charge, claim.coverage.payer.name
    (Decimal('150.00'), 'Acme Health')
    """
    provider = make_provider()
    defaults = {
        "id": "CLM-0001",
        "patient": make_patient(),
        "coverage": make_coverage(),
        "billing_provider": provider,
        "rendering_provider": provider,
        "place_of_service": "11",
        "diagnoses": ("E11.9", "I10"),
        "lines": (make_claim_line(),),
    }
    return _build(Claim, defaults, overrides)  # type: ignore[no-any-return]


def make_adjustment(**overrides: Any) -> Adjustment:
    """A CO-45 contractual adjustment of $50.00.

    >>> make_adjustment().reason
    Carc('45')
    """
    defaults = {"group": "CO", "reason": "45", "amount": Decimal("50.00")}
    return _build(Adjustment, defaults, overrides)  # type: ignore[no-any-return]


def make_line_payment(**overrides: Any) -> LinePayment:
    """The payer's line for 99213: $150 billed, $100 allowed, $80 paid, $20 coinsurance.

    Unless ``adjustments`` is given, they are derived so the line balances (835 TR3 1.10.2.1:
    charge − adjustments = paid): CO-45 for charge − allowed and PR-2 for allowed − paid.
    Without an ``allowed``, a line whose ``charge`` or ``paid`` is overridden is allowed what
    it was paid (no patient share); ``allowed=None`` does the same and leaves it unset.

    >>> make_line_payment().imbalance
    Decimal('0.00')
    >>> line = make_line_payment(charge=Decimal("200.00"), paid=Decimal("120.00"))
    >>> [(a.group.value, str(a.reason), a.amount) for a in line.adjustments], line.imbalance
    ([('CO', '45', Decimal('80.00'))], Decimal('0.00'))
    """
    charge = overrides.get("charge", Decimal("150.00"))
    paid = overrides.get("paid", Decimal("80.00"))
    overridden = "charge" in overrides or "paid" in overrides
    allowed = overrides.get("allowed", paid if overridden else Decimal("100.00"))
    defaults: dict[str, Any] = {
        "procedure": "99213",
        "charge": charge,
        "paid": paid,
        "allowed": allowed,
        "line_id": "1",
        "service_date": DEFAULT_SERVICE_DATE,
    }
    basis = paid if allowed is None else allowed  # allowed=None: the line shows no AMT*B6
    if "adjustments" not in overrides and all(
        isinstance(x, Decimal) for x in (charge, paid, basis)
    ):
        derived = [("CO", "45", charge - basis), ("PR", "2", basis - paid)]
        defaults["adjustments"] = tuple(
            make_adjustment(group=group, reason=reason, amount=amount)
            for group, reason, amount in derived
            if amount
        )
    return _build(LinePayment, defaults, overrides)  # type: ignore[no-any-return]


def make_claim_payment(**overrides: Any) -> ClaimPayment:
    """The payer's balanced adjudication of :func:`make_claim` (paid $80, PR $20).

    The totals derive from the lines unless given: ``charge`` and ``paid`` are the sums of
    the lines', ``patient_responsibility`` (CLP05) the sum of the PR adjustments, so a
    payment built from balanced lines balances (835 TR3 1.10.2.1). Give a total explicitly
    to build an unbalanced payment on purpose.

    >>> make_claim_payment().imbalance
    Decimal('0.00')
    >>> payment = make_claim_payment(lines=[
    ...     make_line_payment(),
    ...     make_line_payment(line_id="2", procedure="36415", charge=Decimal("12.00"),
    ...                       paid=Decimal("3.00"))])
    >>> payment.charge, payment.paid, payment.patient_responsibility
    (Decimal('162.00'), Decimal('83.00'), Decimal('20.00'))
    >>> payment.imbalance, payment.patient_responsibility_imbalance
    (Decimal('0.00'), Decimal('0.00'))
    """
    lines = tuple(overrides.pop("lines", (make_line_payment(),)))
    adjustments = tuple(overrides.get("adjustments", ()))
    claim_pr = sum(
        (a.amount for a in adjustments if a.group is AdjustmentGroup.PATIENT_RESPONSIBILITY),
        Decimal("0.00"),
    )
    defaults = {
        "claim_id": "CLM-0001",
        "status": "1",
        "charge": sum((line.charge for line in lines), Decimal("0.00")),
        "paid": sum((line.paid for line in lines), Decimal("0.00")),
        "patient_responsibility": claim_pr
        + sum((line.patient_responsibility for line in lines), Decimal("0.00")),
        "lines": lines,
        "payer_claim_control_number": "PCN-0001",
        "filing_indicator": "12",
    }
    return _build(ClaimPayment, defaults, overrides)  # type: ignore[no-any-return]


def make_provider_adjustment(**overrides: Any) -> ProviderAdjustment:
    """A $1.27 interest payment (PLB reason L6, a negative amount increases the payment).

    >>> make_provider_adjustment().amount
    Decimal('-1.27')
    """
    defaults = {
        "provider_id": "1234567893",
        "fiscal_period_end": pendulum.date(2025, 12, 31),
        "reason": "L6",
        "amount": Decimal("-1.27"),
    }
    return _build(ProviderAdjustment, defaults, overrides)  # type: ignore[no-any-return]


def make_remittance(**overrides: Any) -> Remittance:
    """A balanced remittance: the payment amount is what its parts add up to.

    Unless given, ``payment_amount`` (BPR02) is the claim payments less the provider-level
    adjustments (835 TR3 1.10.2, balancing); when that is negative (a recoupment larger than the
    payments) the remittance is a debit (BPR03 = D, ``credit=False``) of the difference.

    >>> era = make_remittance()
    >>> era.payment_amount, era.imbalances()
    (Decimal('80.00'), ())
    >>> recoup = make_provider_adjustment(reason="WO", amount=Decimal("100.00"))
    >>> debit = make_remittance(provider_adjustments=[recoup])
    >>> debit.payment_amount, debit.credit, debit.imbalances()
    (Decimal('20.00'), False, ())
    """
    claims = tuple(overrides.pop("claim_payments", (make_claim_payment(),)))
    provider = tuple(overrides.pop("provider_adjustments", ()))
    total = sum((c.paid for c in claims), Decimal("0.00")) - sum(
        (p.amount for p in provider), Decimal("0.00")
    )
    defaults = {
        "id": "EFT-0001",
        "payer_name": "Acme Health",
        "payer_id": "60054",
        "payment_amount": abs(total),
        "credit": total >= 0,
        "paid_on": pendulum.date(2025, 4, 1),
        "method": "ACH",
        "payee_name": "Lovelace Family Medicine",
        "payee_npi": "1234567893",
        "claim_payments": claims,
        "provider_adjustments": provider,
    }
    return _build(Remittance, defaults, overrides)  # type: ignore[no-any-return]


def make_patient_payment(**overrides: Any) -> PatientPayment:
    """A $20.00 card payment by the default patient.

    >>> make_patient_payment().amount
    Decimal('20.00')
    """
    defaults = {
        "id": "PP-0001",
        "patient_id": "MRN-0001",
        "amount": Decimal("20.00"),
        "received_on": pendulum.date(2025, 4, 15),
        "method": "card",
    }
    return _build(PatientPayment, defaults, overrides)  # type: ignore[no-any-return]
