"""Claim adjustment group codes, reason codes (CARC) and remark codes (RARC).

The code lists are maintained by X12 (CARC, RARC) and published by WPC; the short
descriptions below are medbill's own summaries of the common codes, not the official text.
Unknown but well-formed codes are accepted (the lists change three times a year);
``description`` is ``None`` for them.
"""

from __future__ import annotations

import re
from typing import ClassVar, Final

from medbill._enums import MedbillEnum
from medbill._errors import CodeError
from medbill.codes._base import Code

__all__ = ["CARC_DESCRIPTIONS", "RARC_DESCRIPTIONS", "AdjustmentGroup", "Carc", "Rarc"]


class AdjustmentGroup(MedbillEnum):
    """Who bears an adjustment (X12 835 CAS01, 005010X221A1).

    >>> from medbill.codes import AdjustmentGroup
    >>> AdjustmentGroup("PR").meaning
    'patient responsibility'
    """

    CONTRACTUAL_OBLIGATION = "CO"
    PATIENT_RESPONSIBILITY = "PR"
    OTHER_ADJUSTMENT = "OA"
    PAYER_INITIATED_REDUCTION = "PI"
    # 004010X091A1 only ("correction and reversals"); 005010 folded it into the others.
    CORRECTION_REVERSAL = "CR"

    @property
    def meaning(self) -> str:
        """The group's meaning in words."""
        return self.name.lower().replace("_", " ")

    @classmethod
    def parse(cls, value: AdjustmentGroup | str) -> AdjustmentGroup:
        """Read a group code, raising :class:`~medbill.CodeError` for anything else.

        >>> AdjustmentGroup.parse("co").name
        'CONTRACTUAL_OBLIGATION'
        """
        if isinstance(value, AdjustmentGroup):
            return value
        try:
            return cls(value.strip().upper())
        except (ValueError, AttributeError):
            raise CodeError(
                "adjustment_group", value, "must be one of CO, PR, OA, PI (or CR in 004010)"
            ) from None


CARC_DESCRIPTIONS: Final[dict[str, str]] = {
    "1": "Deductible amount",
    "2": "Coinsurance amount",
    "3": "Co-payment amount",
    "4": "Procedure code inconsistent with the modifier, or a required modifier is missing",
    "5": "Procedure code or bill type inconsistent with the place of service",
    "6": "Procedure or revenue code inconsistent with the patient's age",
    "7": "Procedure or revenue code inconsistent with the patient's gender",
    "11": "Diagnosis inconsistent with the procedure",
    "15": "Authorization number missing, invalid or not for this service",
    "16": "Claim or service lacks information or has submission or billing errors",
    "18": "Exact duplicate claim or service",
    "22": "Care may be covered by another payer under coordination of benefits",
    "23": "Impact of prior payer adjudication, including payments and adjustments",
    "24": "Charges covered under a capitation agreement or managed care plan",
    "26": "Expenses incurred before coverage began",
    "27": "Expenses incurred after coverage terminated",
    "29": "Time limit for filing has expired",
    "31": "Patient cannot be identified as our insured",
    "45": "Charge exceeds the fee schedule, maximum allowable or contracted amount",
    "49": "Routine or preventive service not covered",
    "50": "Not deemed a medical necessity by the payer",
    "59": "Processed under multiple or concurrent procedure rules",
    "89": "Professional fees removed from charges",
    "94": "Processed in excess of charges",
    "96": "Non-covered charges",
    "97": "Benefit included in the payment for another service already adjudicated",
    "109": "Claim or service not covered by this payer; send to the correct payer",
    "119": "Benefit maximum for this time period or occurrence has been reached",
    "129": "Prior processing information appears incorrect",
    "133": "Disposition of this service pending further review",
    "146": "Diagnosis was invalid for the date of service",
    "151": "Information does not support this many or this frequency of services",
    "167": "Diagnosis is not covered",
    "170": "Payment denied when performed or billed by this type of provider",
    "181": "Procedure code was invalid on the date of service",
    "182": "Procedure modifier was invalid on the date of service",
    "185": "Rendering provider not eligible to perform the service billed",
    "197": "Precertification, authorization or notification absent",
    "198": "Precertification, notification or authorization exceeded",
    "204": "Service not covered under the patient's current benefit plan",
    "226": "Information requested from the provider was not provided or was insufficient",
    "227": "Information requested from the patient or insured was not provided",
    "234": "Procedure is not paid separately",
    "236": "Procedure or modifier combination not compatible under NCCI or payer rules",
    "242": "Services not provided by network or primary care providers",
    "252": "Additional documentation is needed to adjudicate",
    "253": "Sequestration: reduction of federal payment",
    "A1": "Claim or service denied",
    "B7": "Provider not certified or eligible to be paid for this service on this date",
    "B13": "Previously paid; payment for this claim or service may have been provided earlier",
    "B15": "Service requires a qualifying service or procedure that was not received",
    "P1": "State-mandated requirement for property and casualty",
}

RARC_DESCRIPTIONS: Final[dict[str, str]] = {
    "M15": "Separately billed services or tests have been bundled",
    "M20": "Missing, incomplete or invalid HCPCS code",
    "M51": "Missing, incomplete or invalid procedure code",
    "M76": "Missing, incomplete or invalid diagnosis",
    "M80": "Not covered when performed during the same session as another service",
    "M86": "Service denied because payment already made for the same or similar procedure",
    "MA01": "Appeal rights: you may appeal this decision in writing",
    "MA04": "Secondary payment cannot be considered without the primary payer's identity",
    "MA18": "Claim information also forwarded to the patient's supplemental insurer",
    "MA130": "Claim contains incomplete or invalid information; no appeal rights",
    "N4": "Missing, incomplete or invalid prior insurance carrier EOB",
    "N30": "Patient ineligible for this service",
    "N56": "Procedure code billed is not correct or valid for the services billed",
    "N130": "Consult plan benefit documents for coverage",
    "N290": "Missing, incomplete or invalid rendering provider identifier",
    "N362": "Units exceed the acceptable maximum per date of service",
    "N479": "Missing explanation of benefits from the other payer",
    "N522": "Duplicate of a claim processed or in process as a crossover claim",
}

_CARC_SHAPE = re.compile(r"(?:[1-9][0-9]{0,2}|[A-Z][0-9]{1,2})")
_RARC_SHAPE = re.compile(r"(?:MA|M|N)[0-9]{1,4}")


class Carc(Code):
    """A claim adjustment reason code (X12 CARC), such as ``45`` or ``B7``.

    >>> from medbill.codes import Carc
    >>> Carc("45").description
    'Charge exceeds the fee schedule, maximum allowable or contracted amount'
    >>> Carc("045")
    Traceback (most recent call last):
    ...
    medbill.CodeError: carc: must be a number 1-999 or a letter and 1-2 digits (got '045')
    """

    __slots__ = ()
    field: ClassVar[str] = "carc"

    @classmethod
    def _canonical(cls, value: str) -> str:
        code = value.strip().upper()
        if not _CARC_SHAPE.fullmatch(code):
            raise CodeError(cls.field, value, "must be a number 1-999 or a letter and 1-2 digits")
        return code

    @property
    def description(self) -> str | None:
        """medbill's short summary of a common code, or ``None``."""
        return CARC_DESCRIPTIONS.get(str.__str__(self))


class Rarc(Code):
    """A remittance advice remark code (X12 RARC), such as ``N130`` or ``MA01``.

    >>> from medbill.codes import Rarc
    >>> Rarc("n130").description
    'Consult plan benefit documents for coverage'
    >>> Rarc("X12")
    Traceback (most recent call last):
    ...
    medbill.CodeError: rarc: must be M, MA or N followed by digits (got 'X12')
    """

    __slots__ = ()
    field: ClassVar[str] = "rarc"

    @classmethod
    def _canonical(cls, value: str) -> str:
        code = value.strip().upper()
        if not _RARC_SHAPE.fullmatch(code):
            raise CodeError(cls.field, value, "must be M, MA or N followed by digits")
        return code

    @property
    def description(self) -> str | None:
        """medbill's short summary of a common code, or ``None``."""
        return RARC_DESCRIPTIONS.get(str.__str__(self))
