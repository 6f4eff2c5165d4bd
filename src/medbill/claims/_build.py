"""Building claims: from an encounter to the primary claim, and on to the secondary claim.

A claim goes to one payer. :func:`build_claim` bills the first of the patient's coverages
(the caller lists them primary first) with the chargemaster's prices;
:func:`build_secondary_claim` bills the next coverage once the primary has adjudicated,
carrying the primary's payment and adjustments: what the 837P other-subscriber loops
need (005010X222A1 loop 2320 CAS/AMT*D/AMT*EAF, loop 2330B, and per line loop 2430
SVD/CAS/DTP*573).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal

import attrs
import pendulum

from medbill._common import ClaimId
from medbill._deprecation import renamed_fields, renamed_parameters
from medbill._encounter import Claim, ClaimLine, Encounter
from medbill._errors import ValidationError
from medbill._money import ZERO, as_money, round_cents
from medbill._parties import Coverage, Patient, Payer
from medbill._payment import Adjustment, ClaimPayment
from medbill._validation import money_fields, validate
from medbill.claims._matching import match_lines
from medbill.claims._typing import adjustments, date_field, decimal_field, modifiers
from medbill.codes import AdjustmentGroup, Modifier, ProcedureCode

__all__ = [
    "ChargeSource",
    "LineAdjudication",
    "PriorPayerAdjudication",
    "SecondaryClaim",
    "build_claim",
    "build_secondary_claim",
]

ChargeSource = (
    Mapping[str, Decimal]
    | Callable[[ProcedureCode, tuple[Modifier, ...], pendulum.Date], Decimal | None]
)
"""Where billed charges come from: a mapping from procedure code to the price of one unit,
or a callable ``(code, modifiers, service_date) -> price of one unit`` (``None`` when
the chargemaster has no price), so any chargemaster can plug in."""


def _unit_price(
    charges: ChargeSource, code: ProcedureCode, modifiers: tuple[Modifier, ...], day: pendulum.Date
) -> Decimal | None:
    if callable(charges):
        return charges(code, modifiers, day)
    return charges.get(str(code))


def build_claim(
    encounter: Encounter,
    patient: Patient,
    coverages: Sequence[Coverage],
    charges: ChargeSource | None = None,
    *,
    claim_id: ClaimId,
) -> Claim:
    """The claim for ``encounter`` to the first coverage in ``coverages`` (primary first).

    Each service line becomes a claim line numbered ``"1"``, ``"2"``, ... dated on the
    encounter's date of service. The billed charge of a line is the chargemaster's unit
    price × units, rounded half-up to the cent; without ``charges`` the encounter's own
    line charges are billed. With no coverage the claim is self-pay (``coverage=None``).

    >>> from decimal import Decimal
    >>> from medbill.claims import build_claim
    >>> from medbill.testing import make_coverage, make_encounter, make_patient, make_service_line
    >>> visit = make_encounter(lines=[make_service_line(procedure="99214"),
    ...                               make_service_line(procedure="36415")])
    >>> claim = build_claim(visit, make_patient(), [make_coverage()],
    ...                     {"99214": Decimal("210.00"), "36415": Decimal("12.00")},
    ...                     claim_id="C-1001")
    >>> [(str(line.procedure), line.charge) for line in claim.lines]
    [('99214', Decimal('210.00')), ('36415', Decimal('12.00'))]
    >>> claim.coverage.payer.id, claim.total_charge
    ('acme', Decimal('222.00'))
    """
    problems: list[ValidationError] = []
    if encounter.patient_id != patient.id:
        problems.append(
            ValidationError(
                "patient.id", patient.id, f"is not the encounter's patient {encounter.patient_id!r}"
            )
        )
    for index, coverage in enumerate(coverages):
        if coverage.patient_id != patient.id:
            problems.append(
                ValidationError(
                    f"coverages[{index}].patient_id",
                    coverage.patient_id,
                    f"must be the patient {patient.id!r}",
                )
            )
    lines: list[ClaimLine] = []
    for index, service in enumerate(encounter.lines):
        charge = service.charge
        if charges is not None:
            price = _unit_price(
                charges, service.procedure, service.modifiers, encounter.service_date
            )
            if price is None:
                problems.append(
                    ValidationError(
                        f"lines[{index}].procedure",
                        str(service.procedure),
                        f"has no price in the chargemaster on {encounter.service_date}",
                    )
                )
                continue
            charge = round_cents(as_money(price, f"charges[{service.procedure}]") * service.units)
        lines.append(
            ClaimLine(
                line_id=str(index + 1),
                procedure=service.procedure,
                modifiers=service.modifiers,
                units=service.units,
                minutes=service.minutes,
                charge=charge,
                diagnosis_pointers=service.diagnosis_pointers,
                service_date=encounter.service_date,
            )
        )
    if problems:
        raise ValidationError.combine(problems)
    return Claim(
        id=ClaimId(claim_id),
        patient=patient,
        coverage=coverages[0] if coverages else None,
        billing_provider=encounter.billing_provider,
        rendering_provider=encounter.rendering_provider,
        place_of_service=encounter.place_of_service,
        diagnoses=encounter.diagnoses,
        lines=lines,
        encounter_id=encounter.id,
    )


@attrs.frozen(kw_only=True)
class LineAdjudication:
    """How a prior payer adjudicated one claim line (837P loop 2430: SVD, CAS, DTP*573).

    >>> from decimal import Decimal
    >>> LineAdjudication(line_id="1", procedure="99214", paid=Decimal("96.00")).paid
    Decimal('96.00')
    """

    line_id: str
    procedure: ProcedureCode = attrs.field(converter=ProcedureCode)
    paid: Decimal = attrs.field(converter=decimal_field)
    modifiers: tuple[Modifier, ...] = attrs.field(default=(), converter=modifiers)
    units_paid: Decimal | None = None
    adjustments: tuple[Adjustment, ...] = attrs.field(default=(), converter=adjustments)

    def __attrs_post_init__(self) -> None:
        validate(self, money_fields(self, "paid", signed=True))

    @property
    def patient_responsibility(self) -> Decimal:
        """The line's PR adjustments: what the prior payer left to the patient."""
        return sum(
            (
                a.amount
                for a in self.adjustments
                if a.group is AdjustmentGroup.PATIENT_RESPONSIBILITY
            ),
            ZERO,
        )


def _line_adjudications(values: Iterable[LineAdjudication]) -> tuple[LineAdjudication, ...]:
    return tuple(values)


@renamed_fields(adjudication_date="adjudicated_on")
@attrs.frozen(kw_only=True)
class PriorPayerAdjudication:
    """What a prior payer did with the claim: the 837P loops 2320/2330B and 2430.

    ``remaining_patient_liability`` is AMT*EAF: the sum of the prior payer's PR adjustments.
    ``coverage`` is the patient's coverage with that payer (the 2320 SBR and 2330A
    subscriber); :func:`~medbill.x12.write_837p` needs it.

    >>> from decimal import Decimal
    >>> from medbill import Payer
    >>> prior = PriorPayerAdjudication(
    ...     payer=Payer(id="aetna", name="Aetna", kind="commercial"), paid=Decimal("96.00"),
    ...     adjudicated_on=pendulum.date(2025, 4, 1),
    ...     remaining_patient_liability=Decimal("24.00"))
    >>> prior.paid, prior.remaining_patient_liability
    (Decimal('96.00'), Decimal('24.00'))
    """

    payer: Payer
    paid: Decimal = attrs.field(converter=decimal_field)
    adjudicated_on: pendulum.Date = attrs.field(converter=date_field)
    remaining_patient_liability: Decimal = attrs.field(default=ZERO, converter=decimal_field)
    payer_claim_control_number: str | None = None
    claim_adjustments: tuple[Adjustment, ...] = attrs.field(default=(), converter=adjustments)
    lines: tuple[LineAdjudication, ...] = attrs.field(default=(), converter=_line_adjudications)
    coverage: Coverage | None = None

    def __attrs_post_init__(self) -> None:
        validate(self, money_fields(self, "paid", "remaining_patient_liability", signed=True))


def _prior_payers(
    values: Iterable[PriorPayerAdjudication],
) -> tuple[PriorPayerAdjudication, ...]:
    return tuple(values)


@attrs.frozen(kw_only=True)
class SecondaryClaim:
    """A claim to a secondary (or tertiary) payer with the prior payers' adjudications.

    >>> import pendulum
    >>> from decimal import Decimal
    >>> from medbill.testing import make_claim, make_payer
    >>> primary = PriorPayerAdjudication(payer=make_payer(), paid=Decimal("80.00"),
    ...     adjudicated_on=pendulum.date(2025, 4, 1), remaining_patient_liability=Decimal("20.00"))
    >>> claim = SecondaryClaim(claim=make_claim(), prior_payers=[primary])
    >>> claim.prior_paid, claim.remaining_patient_liability
    (Decimal('80.00'), Decimal('20.00'))
    """

    claim: Claim
    prior_payers: tuple[PriorPayerAdjudication, ...] = attrs.field(converter=_prior_payers)

    @property
    def prior_paid(self) -> Decimal:
        """What the prior payers paid in total."""
        return sum((p.paid for p in self.prior_payers), ZERO)

    @property
    def remaining_patient_liability(self) -> Decimal:
        """What the last prior payer left to the patient: the most a secondary can cover."""
        return self.prior_payers[-1].remaining_patient_liability if self.prior_payers else ZERO


@renamed_parameters("build_secondary_claim", adjudication_date="adjudicated_on")
def build_secondary_claim(
    primary: Claim,
    primary_payment: ClaimPayment,
    coverage: Coverage,
    *,
    adjudicated_on: pendulum.Date,
    claim_id: ClaimId | None = None,
) -> SecondaryClaim:
    """The claim to ``coverage`` after ``primary`` was adjudicated as ``primary_payment``.

    The secondary claim bills the same lines and charges under the same claim id (the
    patient control number, CLM01) unless ``claim_id`` says otherwise, so the payers'
    remittances land on the same claim in the ledger. The primary's claim-level and
    line-level payments and adjustments travel with it. Line adjudications are matched to
    the claim's lines like a remittance (by line id, then code, modifiers and date); a
    payment line that matches no claim line raises :class:`~medbill.ValidationError`.

    >>> from decimal import Decimal
    >>> from medbill import Adjustment, ClaimPayment, LinePayment
    >>> from medbill.claims import build_secondary_claim
    >>> from medbill.testing import make_claim, make_claim_line, make_coverage, make_payer
    >>> primary = make_claim(id="C-1001", lines=[make_claim_line(procedure="99214",
    ...                                                          charge=Decimal("210.00"))])
    >>> paid = ClaimPayment(
    ...     claim_id="C-1001", status="1", charge=Decimal("210.00"), paid=Decimal("96.00"),
    ...     patient_responsibility=Decimal("24.00"), payer_claim_control_number="ICN-77",
    ...     lines=[LinePayment(line_id="1", procedure="99214", charge=Decimal("210.00"),
    ...            paid=Decimal("96.00"), adjustments=[
    ...                Adjustment(group="CO", reason="45", amount=Decimal("90.00")),
    ...                Adjustment(group="PR", reason="2", amount=Decimal("24.00"))])])
    >>> secondary = build_secondary_claim(
    ...     primary, paid, make_coverage(id="cov-2", priority="secondary",
    ...                                  payer=make_payer(id="bcbs", name="BCBS")),
    ...     claim_id="C-1001-S", adjudicated_on=pendulum.date(2025, 4, 1))
    >>> secondary.claim.coverage.payer.id, secondary.prior_paid
    ('bcbs', Decimal('96.00'))
    >>> secondary.remaining_patient_liability
    Decimal('24.00')
    """
    if primary.coverage is None:
        raise ValidationError("primary.coverage", None, "a self-pay claim has no secondary")
    if primary_payment.claim_id != primary.id:
        raise ValidationError(
            "primary_payment.claim_id",
            primary_payment.claim_id,
            f"does not pay claim {primary.id!r}",
        )
    if primary_payment.status.is_reversal:
        raise ValidationError(
            "primary_payment.status",
            primary_payment.status.value,
            "is a reversal, not an adjudication",
        )
    if coverage.patient_id != primary.patient.id:
        raise ValidationError(
            "coverage.patient_id",
            coverage.patient_id,
            f"must be the patient {primary.patient.id!r}",
        )
    if coverage.priority.rank <= primary.coverage.priority.rank:
        raise ValidationError(
            "coverage.priority",
            coverage.priority.value,
            f"must come after the prior coverage's {primary.coverage.priority.value}",
        )
    matched, unmatched = match_lines(primary, primary_payment.lines)
    if unmatched:
        raise ValidationError(
            "primary_payment.lines",
            [str(u.procedure) for u in unmatched],
            f"match no line of claim {primary.id!r}",
        )
    lines = tuple(
        LineAdjudication(
            line_id=m.claim_line.line_id,
            procedure=m.line_payment.procedure or m.claim_line.procedure,
            modifiers=m.line_payment.modifiers,
            paid=m.line_payment.paid,
            units_paid=m.line_payment.units_paid,
            adjustments=m.line_payment.adjustments,
        )
        for m in matched
    )
    prior = PriorPayerAdjudication(
        payer=primary.coverage.payer,
        paid=primary_payment.paid,
        adjudicated_on=adjudicated_on,
        remaining_patient_liability=primary_payment.patient_responsibility_adjustments,
        payer_claim_control_number=primary_payment.payer_claim_control_number,
        claim_adjustments=primary_payment.adjustments,
        lines=lines,
        coverage=primary.coverage,
    )
    claim = attrs.evolve(
        primary, id=primary.id if claim_id is None else ClaimId(claim_id), coverage=coverage
    )
    return SecondaryClaim(claim=claim, prior_payers=(prior,))
