"""Payments: payer remittances (what an 835 carries) and patient payments.

Remittance objects hold what the payer said, balanced or not: the X12 835 balancing
rules (005010X221A1 section 1.10.2) are checked by :meth:`Remittance.imbalances`, so a
reader can report an unbalanced file and a poster can refuse it with the difference.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal

import attrs
import pendulum

from medbill._common import (
    PHI,
    Address,
    ClaimId,
    PatientId,
    PersonName,
    non_empty,
    phi_repr,
    to_claim_id,
    to_optional_claim_id,
    to_patient_id,
)
from medbill._deprecation import renamed_fields
from medbill._enums import MedbillEnum
from medbill._errors import ValidationError
from medbill._money import ZERO
from medbill._validation import (
    check,
    enum_member,
    money_fields,
    to_adjustment_group,
    to_carc,
    to_date,
    to_modifiers,
    to_money,
    to_optional_date,
    to_optional_decimal,
    to_optional_money,
    to_optional_npi,
    to_optional_procedure,
    to_optional_revenue_code,
    to_rarcs,
    to_upper,
    validate,
)
from medbill.codes import (
    AdjustmentGroup,
    Carc,
    Modifier,
    Npi,
    ProcedureCode,
    Rarc,
    RevenueCode,
)

__all__ = [
    "Adjustment",
    "ClaimPayment",
    "Imbalance",
    "LinePayment",
    "PatientPayment",
    "PatientPaymentMethod",
    "PayerClaimStatus",
    "PayerContact",
    "PaymentMethod",
    "ProviderAdjustment",
    "ProviderSummary",
    "Remittance",
]


def _adjustments(values: Iterable[Adjustment]) -> tuple[Adjustment, ...]:
    return tuple(values)


def _line_payments(values: Iterable[LinePayment]) -> tuple[LinePayment, ...]:
    return tuple(values)


def _claim_payments(values: Iterable[ClaimPayment]) -> tuple[ClaimPayment, ...]:
    return tuple(values)


def _provider_adjustments(values: Iterable[ProviderAdjustment]) -> tuple[ProviderAdjustment, ...]:
    return tuple(values)


def _pairs(values: Iterable[tuple[str, Decimal]]) -> tuple[tuple[str, Decimal], ...]:
    return tuple(values)


def _payer_claim_status(value: PayerClaimStatus | str) -> PayerClaimStatus:
    return enum_member(PayerClaimStatus, value)


def _payment_method(value: PaymentMethod | str) -> PaymentMethod:
    return enum_member(PaymentMethod, value)


def _patient_payment_method(value: PatientPaymentMethod | str) -> PatientPaymentMethod:
    return enum_member(PatientPaymentMethod, value)


@attrs.frozen(kw_only=True)
class Adjustment:
    """One adjustment of an 835 CAS segment: group, reason (CARC), amount, quantity.

    A positive amount reduces the payment; payers send negative amounts to undo one.

    >>> from decimal import Decimal
    >>> from medbill import Adjustment
    >>> adj = Adjustment(group="CO", reason="45", amount=Decimal("32.10"))
    >>> adj.group.name, adj.reason.description
    ('CONTRACTUAL_OBLIGATION', 'Charge exceeds the fee schedule, maximum allowable or contracted amount')
    """

    group: AdjustmentGroup = attrs.field(converter=to_adjustment_group)
    reason: Carc = attrs.field(converter=to_carc)
    amount: Decimal = attrs.field(converter=to_money)
    quantity: Decimal | None = attrs.field(default=None, converter=to_optional_decimal)

    def __attrs_post_init__(self) -> None:
        validate(self, money_fields(self, "amount", signed=True))


def _sum(adjustments: tuple[Adjustment, ...], group: AdjustmentGroup | None = None) -> Decimal:
    return sum((a.amount for a in adjustments if group is None or a.group is group), ZERO)


@attrs.frozen(kw_only=True)
class LinePayment:
    """A payer's adjudication of one service line (835 loop 2110: SVC, DTM, CAS, AMT, LQ).

    ``submitted_procedure``/``submitted_modifiers`` hold what was billed when the payer
    paid a different code (SVC06). ``line_id`` is the line item control number (REF*6R).
    A code that is neither CPT/HCPCS nor a revenue code (an NDC, a HIPPS rate code, ...)
    is kept in ``other_code`` with its SVC01-1 qualifier in ``code_qualifier``.
    ``amounts`` and ``quantities`` hold the other AMT and QTY segments as
    ``(qualifier, value)`` pairs, in file order.

    >>> from decimal import Decimal
    >>> from medbill import Adjustment, LinePayment
    >>> line = LinePayment(procedure="99213", charge=Decimal("150.00"), paid=Decimal("80.00"),
    ...                    adjustments=[Adjustment(group="CO", reason="45", amount=Decimal("50.00")),
    ...                                 Adjustment(group="PR", reason="2", amount=Decimal("20.00"))])
    >>> line.patient_responsibility, line.contractual_adjustment, line.imbalance
    (Decimal('20.00'), Decimal('50.00'), Decimal('0.00'))
    """

    procedure: ProcedureCode | None = attrs.field(converter=to_optional_procedure)
    charge: Decimal = attrs.field(converter=to_money)
    paid: Decimal = attrs.field(converter=to_money)
    adjustments: tuple[Adjustment, ...] = attrs.field(default=(), converter=_adjustments)
    modifiers: tuple[Modifier, ...] = attrs.field(default=(), converter=to_modifiers)
    line_id: str | None = None
    units_paid: Decimal | None = attrs.field(default=None, converter=to_optional_decimal)
    units_billed: Decimal | None = attrs.field(default=None, converter=to_optional_decimal)
    allowed: Decimal | None = attrs.field(default=None, converter=to_optional_money)
    service_date: pendulum.Date | None = attrs.field(default=None, converter=to_optional_date)
    service_date_end: pendulum.Date | None = attrs.field(default=None, converter=to_optional_date)
    remarks: tuple[Rarc, ...] = attrs.field(default=(), converter=to_rarcs)
    revenue_code: RevenueCode | None = attrs.field(default=None, converter=to_optional_revenue_code)
    submitted_procedure: ProcedureCode | None = attrs.field(
        default=None, converter=to_optional_procedure
    )
    submitted_modifiers: tuple[Modifier, ...] = attrs.field(default=(), converter=to_modifiers)
    code_qualifier: str | None = None
    other_code: str | None = None
    amounts: tuple[tuple[str, Decimal], ...] = attrs.field(default=(), converter=_pairs)
    quantities: tuple[tuple[str, Decimal], ...] = attrs.field(default=(), converter=_pairs)

    def __attrs_post_init__(self) -> None:
        validate(self, self._checks())

    def _checks(self) -> Iterator[ValidationError | None]:
        yield check(
            self.procedure is not None
            or self.revenue_code is not None
            or self.other_code is not None,
            "procedure",
            None,
            "a line needs a procedure code or a revenue code (or an other_code)",
        )
        yield from money_fields(self, "charge", "paid", "allowed", signed=True)
        for index, adjustment in enumerate(self.adjustments):
            yield check(
                isinstance(adjustment, Adjustment),
                f"adjustments[{index}]",
                adjustment,
                "must be an Adjustment",
            )

    @property
    def adjustment_total(self) -> Decimal:
        """Sum of all the line's adjustments."""
        return _sum(self.adjustments)

    @property
    def contractual_adjustment(self) -> Decimal:
        """Sum of the line's CO adjustments."""
        return _sum(self.adjustments, AdjustmentGroup.CONTRACTUAL_OBLIGATION)

    @property
    def patient_responsibility(self) -> Decimal:
        """Sum of the line's PR adjustments."""
        return _sum(self.adjustments, AdjustmentGroup.PATIENT_RESPONSIBILITY)

    @property
    def imbalance(self) -> Decimal:
        """charge − adjustments − paid: zero on a balanced line (835 TR3 1.10.2.1)."""
        return self.charge - self.adjustment_total - self.paid


class PayerClaimStatus(MedbillEnum):
    """Claim status code of the 835 CLP02.

    >>> from medbill import PayerClaimStatus
    >>> PayerClaimStatus("22").name, PayerClaimStatus("22").is_reversal
    ('REVERSAL', True)
    """

    PROCESSED_AS_PRIMARY = "1"
    PROCESSED_AS_SECONDARY = "2"
    PROCESSED_AS_TERTIARY = "3"
    DENIED = "4"
    PROCESSED_AS_PRIMARY_FORWARDED = "19"
    PROCESSED_AS_SECONDARY_FORWARDED = "20"
    PROCESSED_AS_TERTIARY_FORWARDED = "21"
    REVERSAL = "22"
    NOT_OUR_CLAIM_FORWARDED = "23"
    PREDETERMINATION = "25"

    @property
    def is_reversal(self) -> bool:
        """Whether the payer takes back an earlier payment of this claim."""
        return self is PayerClaimStatus.REVERSAL

    @property
    def is_denial(self) -> bool:
        """Whether the payer denied the claim."""
        return self is PayerClaimStatus.DENIED


@renamed_fields(received_date="received_on")
@attrs.frozen(kw_only=True)
class ClaimPayment:
    """A payer's adjudication of one claim (835 loop 2100 with its lines).

    ``claim_id`` is the patient control number the provider sent (CLP01);
    ``payer_claim_control_number`` is the payer's own (CLP07), needed to correct or void.
    ``insured_name``/``insured_id`` name the subscriber when not the patient (NM1*IL),
    ``corrected_name``/``corrected_id`` the payer's correction of the patient (NM1*74);
    ``statement_start``/``statement_end`` the claim's statement period (DTM*232/233);
    ``amounts`` and ``quantities`` the claim's AMT and QTY segments as
    ``(qualifier, value)`` pairs (``("AU", coverage amount)``, ``("I", interest)``, ...).
    ``corrected_family_name``/``corrected_given_name`` hold NM103/NM104 of NM1*74 as
    sent, also when the payer corrects only the first name (which ``corrected_name``, a
    full :class:`~medbill.PersonName`, cannot hold). ``header_number`` is LX01 of the
    loop 2000 the claim sits in (not compared by ``==``).

    >>> from decimal import Decimal
    >>> from medbill import Adjustment, ClaimPayment
    >>> payment = ClaimPayment(
    ...     claim_id="C-1", status="1", charge=Decimal("150.00"), paid=Decimal("80.00"),
    ...     patient_responsibility=Decimal("20.00"),
    ...     adjustments=[Adjustment(group="CO", reason="45", amount=Decimal("50.00")),
    ...                  Adjustment(group="PR", reason="2", amount=Decimal("20.00"))])
    >>> payment.imbalance, payment.patient_responsibility_imbalance
    (Decimal('0.00'), Decimal('0.00'))
    """

    claim_id: ClaimId = attrs.field(converter=to_claim_id)
    status: PayerClaimStatus = attrs.field(converter=_payer_claim_status)
    charge: Decimal = attrs.field(converter=to_money)
    paid: Decimal = attrs.field(converter=to_money)
    patient_responsibility: Decimal = attrs.field(default=ZERO, converter=to_money)
    adjustments: tuple[Adjustment, ...] = attrs.field(default=(), converter=_adjustments)
    lines: tuple[LinePayment, ...] = attrs.field(default=(), converter=_line_payments)
    payer_claim_control_number: str | None = None
    filing_indicator: str | None = None
    facility_code: str | None = None
    frequency: str | None = None
    patient_name: PersonName | None = attrs.field(default=None, repr=phi_repr, metadata=PHI)
    member_id: str | None = attrs.field(
        default=None,
        repr=lambda v: "None" if v is None else repr("*" * len(v)),
        metadata={"phi": True},
    )
    allowed: Decimal | None = attrs.field(default=None, converter=to_optional_money)
    received_on: pendulum.Date | None = attrs.field(default=None, converter=to_optional_date)
    remarks: tuple[Rarc, ...] = attrs.field(default=(), converter=to_rarcs)
    insured_name: PersonName | None = attrs.field(default=None, repr=phi_repr, metadata=PHI)
    insured_id: str | None = attrs.field(
        default=None,
        repr=lambda v: "None" if v is None else repr("*" * len(v)),
        metadata={"phi": True},
    )
    corrected_name: PersonName | None = attrs.field(default=None, repr=phi_repr, metadata=PHI)
    corrected_id: str | None = attrs.field(
        default=None,
        repr=lambda v: "None" if v is None else repr("*" * len(v)),
        metadata={"phi": True},
    )
    statement_start: pendulum.Date | None = attrs.field(default=None, converter=to_optional_date)
    statement_end: pendulum.Date | None = attrs.field(default=None, converter=to_optional_date)
    amounts: tuple[tuple[str, Decimal], ...] = attrs.field(default=(), converter=_pairs)
    quantities: tuple[tuple[str, Decimal], ...] = attrs.field(default=(), converter=_pairs)
    corrected_family_name: str | None = attrs.field(
        default=None, repr=lambda v: "None" if v is None else "'***'", metadata={"phi": True}
    )
    corrected_given_name: str | None = attrs.field(
        default=None, repr=lambda v: "None" if v is None else "'***'", metadata={"phi": True}
    )
    # Where the claim sits in the document, not what was paid: not compared by ==.
    header_number: int | None = attrs.field(default=None, eq=False)

    def __attrs_post_init__(self) -> None:
        validate(self, self._checks())

    def _checks(self) -> Iterator[ValidationError | None]:
        yield non_empty("claim_id", self.claim_id)
        yield from money_fields(
            self, "charge", "paid", "patient_responsibility", "allowed", signed=True
        )
        for name in ("patient_name", "insured_name", "corrected_name"):
            value = getattr(self, name)
            yield check(
                value is None or isinstance(value, PersonName), name, value, "must be a PersonName"
            )
        for name in ("adjustments", "lines"):
            kind = Adjustment if name == "adjustments" else LinePayment
            for index, item in enumerate(getattr(self, name)):
                yield check(
                    isinstance(item, kind), f"{name}[{index}]", item, f"must be a {kind.__name__}"
                )

    def all_adjustments(self) -> Iterator[Adjustment]:
        """Claim-level then line-level adjustments."""
        yield from self.adjustments
        for line in self.lines:
            yield from line.adjustments

    @property
    def adjustment_total(self) -> Decimal:
        """Sum of claim- and line-level adjustments."""
        return sum((a.amount for a in self.all_adjustments()), ZERO)

    @property
    def patient_responsibility_adjustments(self) -> Decimal:
        """Sum of claim- and line-level PR adjustments."""
        return sum(
            (
                a.amount
                for a in self.all_adjustments()
                if a.group is AdjustmentGroup.PATIENT_RESPONSIBILITY
            ),
            ZERO,
        )

    @property
    def imbalance(self) -> Decimal:
        """charge − all adjustments − paid: zero on a balanced claim (835 TR3 1.10.2.1)."""
        return self.charge - self.adjustment_total - self.paid

    @property
    def patient_responsibility_imbalance(self) -> Decimal:
        """CLP05 − the sum of PR adjustments: zero when they agree."""
        return self.patient_responsibility - self.patient_responsibility_adjustments


@attrs.frozen(kw_only=True)
class ProviderAdjustment:
    """A provider-level adjustment (835 PLB): interest, recoupment, forward balance, ...

    A positive amount reduces the payment (``WO`` overpayment recovery, ``FB`` forward
    balance), a negative one increases it (``L6`` interest owed to the provider).

    >>> import pendulum
    >>> from decimal import Decimal
    >>> from medbill import ProviderAdjustment
    >>> ProviderAdjustment(provider_id="1234567893", fiscal_period_end=pendulum.date(2025, 12, 31),
    ...                    reason="L6", amount=Decimal("-1.27")).amount
    Decimal('-1.27')
    """

    provider_id: str
    fiscal_period_end: pendulum.Date = attrs.field(converter=to_date)
    reason: str = attrs.field(converter=to_upper)
    amount: Decimal = attrs.field(converter=to_money)
    reference: str | None = None

    def __attrs_post_init__(self) -> None:
        validate(
            self,
            [
                non_empty("provider_id", self.provider_id),
                check(
                    isinstance(self.reason, str) and len(self.reason) == 2,
                    "reason",
                    self.reason,
                    "must be a 2-character PLB adjustment reason code",
                ),
                *money_fields(self, "amount", signed=True),
            ],
        )


class PaymentMethod(MedbillEnum):
    """How a payer paid (835 BPR04).

    >>> from medbill import PaymentMethod
    >>> PaymentMethod("ACH").name
    'ACH'
    """

    ACH = "ACH"
    CHECK = "CHK"
    FINANCIAL_INSTITUTION_OPTION = "BOP"
    FEDWIRE = "FWT"
    NON_PAYMENT = "NON"


@attrs.frozen
class Imbalance:
    """Where a remittance breaks an 835 balancing rule, and by how much.

    >>> from decimal import Decimal
    >>> str(Imbalance("claim C-1 line 2", "charge - adjustments - paid", Decimal("0.10")))
    'claim C-1 line 2: charge - adjustments - paid is off by 0.10'
    """

    where: str
    rule: str
    difference: Decimal

    def __str__(self) -> str:
        return f"{self.where}: {self.rule} is off by {self.difference}"


def _number_pairs(values: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple((qualifier, number) for qualifier, number in values)


def _contacts(values: Iterable[PayerContact]) -> tuple[PayerContact, ...]:
    return tuple(values)


def _summaries(values: Iterable[ProviderSummary]) -> tuple[ProviderSummary, ...]:
    return tuple(values)


@attrs.frozen(kw_only=True)
class PayerContact:
    """A payer contact of an 835 (loop 1000A PER).

    ``function`` is PER01 (``CX`` claims business contact, ``BL`` technical contact,
    ``IC`` web site), ``numbers`` the ``(qualifier, value)`` pairs of PER03..PER08
    (``TE`` phone, ``EX`` extension, ``FX`` fax, ``EM`` e-mail, ``UR`` web address).

    >>> PayerContact(function="BL", numbers=[("TE", "8005550100")]).numbers
    (('TE', '8005550100'),)
    """

    function: str
    name: str | None = None
    numbers: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_number_pairs)


@attrs.frozen(kw_only=True)
class ProviderSummary:
    """The provider summary of an 835 header loop (LX with TS3, 005010X221A1 loop 2000).

    ``header_number`` is LX01; ``facility_code`` TS302; ``fiscal_period_end`` TS303;
    ``claim_count`` TS304 and ``total_charge`` TS305 (``None`` when the payer left them
    out or sent an unreadable value, which the reader reports).

    >>> import pendulum
    >>> from decimal import Decimal
    >>> ProviderSummary(header_number=1, provider_id="1234567893", facility_code="11",
    ...                 fiscal_period_end=pendulum.date(2025, 12, 31), claim_count=2,
    ...                 total_charge=Decimal("300.00")).claim_count
    2
    """

    header_number: int
    provider_id: str
    facility_code: str
    fiscal_period_end: pendulum.Date | None = attrs.field(default=None, converter=to_optional_date)
    claim_count: int | None = None
    total_charge: Decimal | None = attrs.field(default=None, converter=to_optional_decimal)


@renamed_fields(payment_date="paid_on")
@attrs.frozen(kw_only=True)
class Remittance:
    """One payment from a payer with the claims it pays (one 835 transaction set).

    ``id`` is the reassociation trace number (TRN02: the check or EFT trace number);
    ``production_date`` the date the payer produced the remittance (DTM*405);
    ``currency`` CUR02 when the payer names one; ``payee_npi_as_sent`` an N1*PE NPI
    that fails its check digit, kept as sent (``payee_npi`` is then ``None``).
    Not compared by ``==``, since they describe the document: ``control_number``
    (ST02), ``payer_address`` (1000A N3/N4), ``payer_contacts`` (1000A PER) and
    ``provider_summaries`` (TS3 per LX header).

    >>> import pendulum
    >>> from decimal import Decimal
    >>> from medbill import ClaimPayment, Remittance
    >>> era = Remittance(
    ...     id="EFT-0001", payer_name="Acme Health", payer_id="60054",
    ...     payment_amount=Decimal("80.00"), method="ACH", paid_on=pendulum.date(2025, 4, 1),
    ...     claim_payments=[ClaimPayment(claim_id="C-1", status="1", charge=Decimal("80.00"),
    ...                                  paid=Decimal("80.00"))])
    >>> era.imbalances()
    ()
    """

    id: str
    payer_name: str
    payment_amount: Decimal = attrs.field(converter=to_money)
    paid_on: pendulum.Date = attrs.field(converter=to_date)
    method: PaymentMethod = attrs.field(default=PaymentMethod.CHECK, converter=_payment_method)
    payer_id: str | None = None
    payee_name: str | None = None
    payee_npi: Npi | None = attrs.field(default=None, converter=to_optional_npi)
    payee_tax_id: str | None = None
    claim_payments: tuple[ClaimPayment, ...] = attrs.field(default=(), converter=_claim_payments)
    provider_adjustments: tuple[ProviderAdjustment, ...] = attrs.field(
        default=(), converter=_provider_adjustments
    )
    credit: bool = True
    production_date: pendulum.Date | None = attrs.field(default=None, converter=to_optional_date)
    currency: str | None = None
    payee_npi_as_sent: str | None = None
    # What describes the document rather than the payment: not compared by ==.
    control_number: str | None = attrs.field(default=None, eq=False)
    payer_address: Address | None = attrs.field(default=None, eq=False)
    payer_contacts: tuple[PayerContact, ...] = attrs.field(
        default=(), eq=False, converter=_contacts
    )
    provider_summaries: tuple[ProviderSummary, ...] = attrs.field(
        default=(), eq=False, converter=_summaries
    )

    def __attrs_post_init__(self) -> None:
        validate(self, self._checks())

    def _checks(self) -> Iterator[ValidationError | None]:
        yield non_empty("id", self.id)
        yield non_empty("payer_name", self.payer_name)
        yield from money_fields(self, "payment_amount")
        # the field path is formatted only for an item that fails (the 835 reader builds
        # a remittance per transaction set, with all its claims)
        for index, item in enumerate(self.claim_payments):
            if not isinstance(item, ClaimPayment):
                yield check(False, f"claim_payments[{index}]", item, "must be a ClaimPayment")
        for index, adjustment in enumerate(self.provider_adjustments):
            if not isinstance(adjustment, ProviderAdjustment):
                yield check(
                    False,
                    f"provider_adjustments[{index}]",
                    adjustment,
                    "must be a ProviderAdjustment",
                )

    @property
    def signed_payment(self) -> Decimal:
        """The payment amount, negative when the transfer is a debit (BPR03 = D)."""
        return self.payment_amount if self.credit else -self.payment_amount

    def imbalances(self) -> tuple[Imbalance, ...]:
        """Every broken 835 balancing rule (005010X221A1 section 1.10.2); empty if none.

        Per line: charge − adjustments = paid. Per claim: charge − claim and line
        adjustments = paid, and patient responsibility = the sum of PR adjustments. Per
        remittance: the sum of claim payments − provider-level adjustments = the payment.
        """
        found: list[Imbalance] = []
        for claim in self.claim_payments:
            found.extend(claim_imbalances(claim))
        total = sum((c.paid for c in self.claim_payments), ZERO) - sum(
            (p.amount for p in self.provider_adjustments), ZERO
        )
        if total != self.signed_payment:
            found.append(
                Imbalance(
                    f"remittance {self.id}",
                    "claim payments - provider adjustments - payment amount",
                    total - self.signed_payment,
                )
            )
        return tuple(found)


def claim_unbalanced(claim: ClaimPayment) -> bool:
    """Whether ``claim`` breaks a balancing rule :func:`claim_imbalances` reports.

    The same sums as ``claim.imbalance``, ``claim.patient_responsibility_imbalance`` and
    each line's ``imbalance`` (835 TR3 1.10.2.1), in one pass: most claims balance.
    """
    total = ZERO
    patient = ZERO
    responsibility = AdjustmentGroup.PATIENT_RESPONSIBILITY
    for adjustment in claim.adjustments:
        total += adjustment.amount
        if adjustment.group is responsibility:
            patient += adjustment.amount
    for line in claim.lines:
        line_total = ZERO
        for adjustment in line.adjustments:
            line_total += adjustment.amount
            if adjustment.group is responsibility:
                patient += adjustment.amount
        if line.charge - line_total - line.paid:
            return True
        total += line_total
    return bool(claim.charge - total - claim.paid or claim.patient_responsibility - patient)


def claim_imbalances(claim: ClaimPayment) -> list[Imbalance]:
    """The 835 balancing rules one claim breaks (its lines', then its own); empty if none.

    Used by :meth:`Remittance.imbalances` and by the streaming 835 reader, which checks
    each claim as it is read.
    """
    found: list[Imbalance] = []
    for number, line in enumerate(claim.lines, start=1):
        if line.imbalance:
            label = line.line_id or str(number)
            found.append(
                Imbalance(
                    f"claim {claim.claim_id} line {label}",
                    "charge - adjustments - paid",
                    line.imbalance,
                )
            )
    if claim.imbalance:
        found.append(
            Imbalance(f"claim {claim.claim_id}", "charge - adjustments - paid", claim.imbalance)
        )
    if claim.patient_responsibility_imbalance:
        found.append(
            Imbalance(
                f"claim {claim.claim_id}",
                "patient responsibility - PR adjustments",
                claim.patient_responsibility_imbalance,
            )
        )
    return found


class PatientPaymentMethod(MedbillEnum):
    """How a patient paid.

    >>> from medbill import PatientPaymentMethod
    >>> PatientPaymentMethod("card").name
    'CARD'
    """

    CASH = "cash"
    CHECK = "check"
    CARD = "card"
    ACH = "ach"
    OTHER = "other"


@attrs.frozen(kw_only=True)
class PatientPayment:
    """A payment received from a patient, optionally aimed at one claim.

    >>> import pendulum
    >>> from decimal import Decimal
    >>> from medbill import PatientPayment
    >>> PatientPayment(id="pp-1", patient_id="MRN-1001", amount=Decimal("25.00"),
    ...                received_on=pendulum.date(2025, 4, 2), method="card").amount
    Decimal('25.00')
    """

    id: str
    patient_id: PatientId = attrs.field(converter=to_patient_id)
    amount: Decimal = attrs.field(converter=to_money)
    received_on: pendulum.Date = attrs.field(converter=to_date)
    method: PatientPaymentMethod = attrs.field(
        default=PatientPaymentMethod.CASH, converter=_patient_payment_method
    )
    reference: str | None = None
    claim_id: ClaimId | None = attrs.field(default=None, converter=to_optional_claim_id)
    plan_id: str | None = None
    """The payment plan this payment is made to (see ``medbill.ledger.plan_status``)."""

    def __attrs_post_init__(self) -> None:
        validate(
            self,
            [
                non_empty("id", self.id),
                non_empty("patient_id", self.patient_id),
                check(
                    self.claim_id is None
                    or (isinstance(self.claim_id, str) and bool(self.claim_id)),
                    "claim_id",
                    self.claim_id,
                    "must be a ClaimId (a non-empty string)",
                ),
                check(
                    self.plan_id is None or (isinstance(self.plan_id, str) and bool(self.plan_id)),
                    "plan_id",
                    self.plan_id,
                    "must be a non-empty string",
                ),
                *money_fields(self, "amount"),
                check(
                    not isinstance(self.amount, Decimal) or self.amount > 0,
                    "amount",
                    self.amount,
                    "must be positive",
                ),
            ],
        )
