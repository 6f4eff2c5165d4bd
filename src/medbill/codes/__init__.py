"""Code value types: ICD-10-CM, CPT/HCPCS, modifiers, place of service, NPI, CARC/RARC.

Every code is an immutable ``str`` subclass holding its canonical form; constructing one
from bad input raises :class:`medbill.CodeError` naming the value and what is wrong.

>>> from medbill.codes import Icd10Cm, ProcedureCode
>>> str(Icd10Cm("e119")), ProcedureCode("99213").kind.name
('E11.9', 'CPT_CATEGORY_I')
"""

from medbill.codes._adjustment import (
    CARC_DESCRIPTIONS,
    RARC_DESCRIPTIONS,
    AdjustmentGroup,
    Carc,
    Rarc,
)
from medbill.codes._base import Code
from medbill.codes._icd10 import Icd10Cm
from medbill.codes._icd10_set import Icd10CodeSet, Icd10Status
from medbill.codes._icd10_tabular import Icd10Note, Icd10NoteKind
from medbill.codes._modifier import Modifier
from medbill.codes._npi import Npi
from medbill.codes._pos import PLACES_OF_SERVICE, PlaceOfService
from medbill.codes._procedure import ProcedureCode, ProcedureKind
from medbill.codes._revenue import RevenueCode
from medbill.codes._x12_lists import (
    ACK_ELEMENT_ERROR_DESCRIPTIONS,
    ACK_GROUP_ERROR_DESCRIPTIONS,
    ACK_SEGMENT_ERROR_DESCRIPTIONS,
    ACK_STATUS_DESCRIPTIONS,
    ACK_TRANSACTION_ERROR_DESCRIPTIONS,
    BENEFIT_DESCRIPTIONS,
    CLAIM_STATUS_CATEGORY_DESCRIPTIONS,
    CLAIM_STATUS_DESCRIPTIONS,
    CLAIM_STATUS_USAGE_NOTES,
    ELIGIBILITY_FOLLOW_UP_DESCRIPTIONS,
    ELIGIBILITY_REJECTION_DESCRIPTIONS,
    SERVICE_TYPE_DESCRIPTIONS,
)

__all__ = [
    "ACK_ELEMENT_ERROR_DESCRIPTIONS",
    "ACK_GROUP_ERROR_DESCRIPTIONS",
    "ACK_SEGMENT_ERROR_DESCRIPTIONS",
    "ACK_STATUS_DESCRIPTIONS",
    "ACK_TRANSACTION_ERROR_DESCRIPTIONS",
    "BENEFIT_DESCRIPTIONS",
    "CLAIM_STATUS_CATEGORY_DESCRIPTIONS",
    "CLAIM_STATUS_DESCRIPTIONS",
    "CLAIM_STATUS_USAGE_NOTES",
    "ELIGIBILITY_FOLLOW_UP_DESCRIPTIONS",
    "ELIGIBILITY_REJECTION_DESCRIPTIONS",
    "SERVICE_TYPE_DESCRIPTIONS",
    "CARC_DESCRIPTIONS",
    "PLACES_OF_SERVICE",
    "RARC_DESCRIPTIONS",
    "AdjustmentGroup",
    "Carc",
    "Code",
    "Icd10Cm",
    "Icd10CodeSet",
    "Icd10Note",
    "Icd10NoteKind",
    "Icd10Status",
    "Modifier",
    "Npi",
    "PlaceOfService",
    "ProcedureCode",
    "ProcedureKind",
    "Rarc",
    "RevenueCode",
]
