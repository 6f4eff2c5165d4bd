"""Details of a professional claim that payers ask for: service facility, accident, drug.

Each maps to one 837P (005010X222A1) loop or segment: :class:`ServiceFacility` to loop
2310C, :class:`Accident` to CLM11 and DTP*439, :class:`DrugIdentification` to loop 2410
(LIN/CTP).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

import attrs
import pendulum

from medbill._common import Address, non_empty
from medbill._enums import MedbillEnum
from medbill._errors import ValidationError
from medbill._validation import (
    check,
    enum_member,
    to_date,
    to_decimal,
    to_optional_npi,
    to_upper,
    validate,
)
from medbill.codes import Npi

__all__ = ["Accident", "AccidentCause", "DrugIdentification", "DrugUnit", "ServiceFacility"]


@attrs.frozen(kw_only=True)
class ServiceFacility:
    """Where the services were given when it is not the billing provider's address (2310C).

    >>> from medbill import Address, ServiceFacility
    >>> site = ServiceFacility(name="Prairie Imaging Center", npi="1234567893",
    ...     address=Address(line1="9 Oak Ave", city="Springfield", state="IL", postal_code="62701"))
    >>> site.npi
    Npi('1234567893')
    """

    name: str
    address: Address
    npi: Npi | None = attrs.field(default=None, converter=to_optional_npi)

    def __attrs_post_init__(self) -> None:
        validate(
            self,
            [
                non_empty("name", self.name),
                check(isinstance(self.address, Address), "address", self.address, "must be an Address"),
            ],
        )  # fmt: skip


class AccidentCause(MedbillEnum):
    """Related-causes code (CLM11-1): what the condition is related to.

    >>> from medbill import AccidentCause
    >>> AccidentCause("auto").x12, AccidentCause("EM").name
    ('AA', 'EMPLOYMENT')
    """

    AUTO = "auto"
    EMPLOYMENT = "employment"
    OTHER = "other"

    @property
    def x12(self) -> str:
        """The X12 related-causes code: AA, EM or OA."""
        return {"auto": "AA", "employment": "EM", "other": "OA"}[self.value]

    @classmethod
    def _missing_(cls, value: object) -> AccidentCause | None:
        return {"AA": cls.AUTO, "EM": cls.EMPLOYMENT, "OA": cls.OTHER}.get(str(value).upper())


def _cause(value: AccidentCause | str) -> AccidentCause:
    return enum_member(AccidentCause, value)


def _optional_state(value: str | None) -> str | None:
    return None if value is None else to_upper(value)


@attrs.frozen(kw_only=True)
class Accident:
    """The accident a claim's condition comes from: cause, date (DTP*439), and for an auto
    accident the state it happened in (CLM11-4, required by the TR3 when the cause is AA).

    >>> import pendulum
    >>> from medbill import Accident
    >>> Accident(cause="auto", date=pendulum.date(2025, 2, 27), state="il").state
    'IL'
    >>> Accident(cause="auto", date=pendulum.date(2025, 2, 27))
    Traceback (most recent call last):
    ...
    medbill.ValidationError: state: is required for an auto accident (CLM11-4) (got None)
    """

    cause: AccidentCause = attrs.field(converter=_cause)
    date: pendulum.Date = attrs.field(converter=to_date)
    state: str | None = attrs.field(default=None, converter=_optional_state)

    def __attrs_post_init__(self) -> None:
        validate(self, self._checks())

    def _checks(self) -> Iterator[ValidationError | None]:
        if self.cause is AccidentCause.AUTO:
            yield check(
                self.state is not None,
                "state",
                self.state,
                "is required for an auto accident (CLM11-4)",
            )
        if self.state is not None:
            yield check(
                len(self.state) == 2 and self.state.isalpha(),
                "state",
                self.state,
                "must be a 2-letter state code",
            )


class DrugUnit(MedbillEnum):
    """Unit of a drug quantity (CTP05-1): international unit, gram, milligram, milliliter, unit.

    >>> from medbill import DrugUnit
    >>> DrugUnit("ML").name
    'MILLILITER'
    """

    INTERNATIONAL_UNIT = "F2"
    GRAM = "GR"
    MILLIGRAM = "ME"
    MILLILITER = "ML"
    UNIT = "UN"


def _unit(value: DrugUnit | str) -> DrugUnit:
    return enum_member(DrugUnit, value)


_NDC = re.compile(r"\d{11}")


def _ndc(value: str) -> str:
    if not isinstance(value, str):
        raise ValidationError("ndc", value, "must be a string")
    return value.replace("-", "").strip()


@attrs.frozen(kw_only=True)
class DrugIdentification:
    """The National Drug Code of a drug line, with the quantity given (loop 2410).

    ``ndc`` is the 11-digit 5-4-2 form (hyphens allowed on input; a 10-digit NDC is padded
    to 11 by the labeler, never guessed here).

    >>> from decimal import Decimal
    >>> from medbill import DrugIdentification
    >>> DrugIdentification(ndc="00409-4888-01", quantity=Decimal("2"), unit="ML").ndc
    '00409488801'
    """

    ndc: str = attrs.field(converter=_ndc)
    quantity: Decimal = attrs.field(converter=to_decimal)
    unit: DrugUnit = attrs.field(converter=_unit)

    def __attrs_post_init__(self) -> None:
        validate(
            self,
            [
                check(bool(_NDC.fullmatch(self.ndc)), "ndc", self.ndc, "must be 11 digits (5-4-2)"),
                check(isinstance(self.quantity, Decimal) and self.quantity > 0, "quantity",
                      self.quantity, "must be positive"),
            ],
        )  # fmt: skip
