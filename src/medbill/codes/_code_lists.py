"""One name for every published code list medbill knows: :class:`CodeList`.

Before 0.2.0 each list was its own public table (``CARC_DESCRIPTIONS``,
``CLAIM_STATUS_DESCRIPTIONS``, ... fifteen names). They are one concept, "the meaning of a
code in a published list", so they are now the members of one enumeration, each with its
source; the old names still import, with a :class:`DeprecationWarning`, until 0.3.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from medbill._enums import MedbillEnum
from medbill.codes import _x12_lists as lists
from medbill.codes._adjustment import CARC_DESCRIPTIONS, RARC_DESCRIPTIONS
from medbill.codes._pos import PLACES_OF_SERVICE

__all__ = ["CodeList"]


class CodeList(MedbillEnum):
    """A published code list: its codes with their meanings, and where the list comes from.

    Each member reads the list medbill ships (``.meanings``, a read-only mapping from the
    code as sent to its published meaning), looks one code up (``.describe``) and cites its
    source (``.source``). The claim status list also carries the list's usage notes.

    >>> from medbill.codes import CodeList
    >>> CodeList.CARC.describe("45")
    'Charge exceeds the fee schedule, maximum allowable or contracted amount'
    >>> CodeList.CLAIM_STATUS_CATEGORY.describe("F2")
    'Finalized/Denial - The claim/line has been denied.'
    >>> CodeList.PLACE_OF_SERVICE.describe("11"), CodeList.RARC.describe("ZZZ9") is None
    ('Office', True)
    >>> CodeList.CLAIM_STATUS.usage_note("562")
    'This code requires use of an Entity Code.'
    >>> CodeList("carc") is CodeList.CARC, "45" in CodeList.CARC.meanings
    (True, True)
    """

    CARC = "carc"
    RARC = "rarc"
    PLACE_OF_SERVICE = "place_of_service"
    CLAIM_STATUS_CATEGORY = "claim_status_category"
    CLAIM_STATUS = "claim_status"
    ELIGIBILITY_REJECTION = "eligibility_rejection"
    ELIGIBILITY_FOLLOW_UP = "eligibility_follow_up"
    BENEFIT = "benefit"
    SERVICE_TYPE = "service_type"
    ACK_STATUS = "ack_status"
    ACK_SEGMENT_ERROR = "ack_segment_error"
    ACK_ELEMENT_ERROR = "ack_element_error"
    ACK_TRANSACTION_ERROR = "ack_transaction_error"
    ACK_GROUP_ERROR = "ack_group_error"

    @property
    def meanings(self) -> Mapping[str, str]:
        """Every code of the list with its published meaning (read-only).

        >>> from medbill.codes import CodeList
        >>> CodeList.ACK_STATUS.meanings["R"]
        'Rejected'
        """
        return _MEANINGS[self]

    @property
    def source(self) -> str:
        """Where the list is published.

        >>> from medbill.codes import CodeList
        >>> CodeList.CARC.source
        'X12 external code source 139: Claim Adjustment Reason Codes'
        """
        return _SOURCES[self]

    def describe(self, code: str) -> str | None:
        """The published meaning of ``code``, or ``None`` when the list does not hold it.

        >>> from medbill.codes import CodeList
        >>> CodeList.BENEFIT.describe("1")
        'Active Coverage'
        """
        return _MEANINGS[self].get(code)

    def usage_note(self, code: str) -> str | None:
        """The list's usage note for ``code`` (claim status codes only), else ``None``.

        >>> from medbill.codes import CodeList
        >>> CodeList.CLAIM_STATUS.usage_note("562")
        'This code requires use of an Entity Code.'
        >>> CodeList.CARC.usage_note("45") is None
        True
        """
        if self is CodeList.CLAIM_STATUS:
            return lists.CLAIM_STATUS_USAGE_NOTES.get(code)
        return None


_MEANINGS: Final[Mapping[CodeList, Mapping[str, str]]] = {
    CodeList.CARC: MappingProxyType(CARC_DESCRIPTIONS),
    CodeList.RARC: MappingProxyType(RARC_DESCRIPTIONS),
    CodeList.PLACE_OF_SERVICE: MappingProxyType(
        {code: info.name for code, info in PLACES_OF_SERVICE.items()}
    ),
    CodeList.CLAIM_STATUS_CATEGORY: lists.CLAIM_STATUS_CATEGORY_DESCRIPTIONS,
    CodeList.CLAIM_STATUS: lists.CLAIM_STATUS_DESCRIPTIONS,
    CodeList.ELIGIBILITY_REJECTION: lists.ELIGIBILITY_REJECTION_DESCRIPTIONS,
    CodeList.ELIGIBILITY_FOLLOW_UP: lists.ELIGIBILITY_FOLLOW_UP_DESCRIPTIONS,
    CodeList.BENEFIT: lists.BENEFIT_DESCRIPTIONS,
    CodeList.SERVICE_TYPE: lists.SERVICE_TYPE_DESCRIPTIONS,
    CodeList.ACK_STATUS: lists.ACK_STATUS_DESCRIPTIONS,
    CodeList.ACK_SEGMENT_ERROR: lists.ACK_SEGMENT_ERROR_DESCRIPTIONS,
    CodeList.ACK_ELEMENT_ERROR: lists.ACK_ELEMENT_ERROR_DESCRIPTIONS,
    CodeList.ACK_TRANSACTION_ERROR: lists.ACK_TRANSACTION_ERROR_DESCRIPTIONS,
    CodeList.ACK_GROUP_ERROR: lists.ACK_GROUP_ERROR_DESCRIPTIONS,
}

_SOURCES: Final[Mapping[CodeList, str]] = {
    CodeList.CARC: "X12 external code source 139: Claim Adjustment Reason Codes",
    CodeList.RARC: "X12 external code source 411: Remittance Advice Remark Codes",
    CodeList.PLACE_OF_SERVICE: "CMS Place of Service Code Set",
    CodeList.CLAIM_STATUS_CATEGORY: (
        "X12 external code source 507: Health Care Claim Status Category Codes (STC01-1)"
    ),
    CodeList.CLAIM_STATUS: "X12 external code source 508: Health Care Claim Status Codes (STC01-2)",
    CodeList.ELIGIBILITY_REJECTION: "005010X279A1 AAA03: reject reason codes of the 271",
    CodeList.ELIGIBILITY_FOLLOW_UP: "005010X279A1 AAA04: follow-up action codes of the 271",
    CodeList.BENEFIT: "005010X279A1 EB01: eligibility or benefit information codes",
    CodeList.SERVICE_TYPE: "005010X279A1 EB03/EQ01: service type codes in common use",
    CodeList.ACK_STATUS: "005010X231A1 IK501/AK901: acknowledgement codes of the 999",
    CodeList.ACK_SEGMENT_ERROR: "005010X231A1 IK304: segment syntax error codes of the 999",
    CodeList.ACK_ELEMENT_ERROR: "005010X231A1 IK403: element syntax error codes of the 999",
    CodeList.ACK_TRANSACTION_ERROR: (
        "005010X231A1 IK502-IK506: transaction set syntax error codes of the 999"
    ),
    CodeList.ACK_GROUP_ERROR: "005010X231A1 AK905-AK909: functional group error codes of the 999",
}

# The fifteen tables that were public before 0.2.0, for medbill.codes' deprecation shim.
DEPRECATED_TABLES: Final[Mapping[str, tuple[object, str]]] = {
    "CARC_DESCRIPTIONS": (CARC_DESCRIPTIONS, "CodeList.CARC.meanings"),
    "RARC_DESCRIPTIONS": (RARC_DESCRIPTIONS, "CodeList.RARC.meanings"),
    "PLACES_OF_SERVICE": (
        PLACES_OF_SERVICE,
        "CodeList.PLACE_OF_SERVICE.meanings or PlaceOfService(code).is_facility",
    ),
    "CLAIM_STATUS_USAGE_NOTES": (
        lists.CLAIM_STATUS_USAGE_NOTES,
        "CodeList.CLAIM_STATUS.usage_note(code)",
    ),
    **{
        f"{member.name}_DESCRIPTIONS": (_MEANINGS[member], f"CodeList.{member.name}.meanings")
        for member in CodeList
        if member not in (CodeList.CARC, CodeList.RARC, CodeList.PLACE_OF_SERVICE)
    },
}
