"""medbill: an embeddable, pure-Python library for US medical billing.

The public API is everything listed in ``__all__`` here and in the subpackages
(:mod:`medbill.codes`, :mod:`medbill.serialize`, :mod:`medbill.testing`, ...).

>>> import medbill
>>> medbill.Icd10Cm("e119")
Icd10Cm('E11.9')
"""

from medbill._common import (
    Address,
    ClaimId,
    CoverageId,
    EncounterId,
    PatientId,
    PayerId,
    Period,
    PersonName,
    Sex,
)
from medbill._encounter import Claim, ClaimFrequency, ClaimLine, Encounter, ServiceLine
from medbill._errors import (
    ClaimStateError,
    CodeError,
    DuplicateEntryError,
    LedgerError,
    MedbillError,
    ParseError,
    PricingError,
    UnbalancedEntryError,
    ValidationError,
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
    Imbalance,
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
    Icd10Cm,
    Modifier,
    Npi,
    PlaceOfService,
    ProcedureCode,
    Rarc,
    RevenueCode,
)

__version__ = "0.1.0"

__all__ = [
    "Accumulators",
    "Address",
    "Adjustment",
    "AdjustmentGroup",
    "Benefits",
    "Carc",
    "Claim",
    "ClaimFrequency",
    "ClaimId",
    "ClaimLine",
    "ClaimPayment",
    "ClaimStateError",
    "CodeError",
    "Copay",
    "Coverage",
    "CoverageId",
    "DuplicateEntryError",
    "Encounter",
    "EncounterId",
    "Icd10Cm",
    "Imbalance",
    "LedgerError",
    "LinePayment",
    "MedbillError",
    "Modifier",
    "Npi",
    "ParseError",
    "Patient",
    "PatientId",
    "PatientPayment",
    "PatientPaymentMethod",
    "Payer",
    "PayerClaimStatus",
    "PayerId",
    "PayerKind",
    "PaymentMethod",
    "Period",
    "PersonName",
    "PlaceOfService",
    "PricingError",
    "Priority",
    "ProcedureCode",
    "Provider",
    "ProviderAdjustment",
    "ProviderKind",
    "Rarc",
    "Relationship",
    "Remittance",
    "RevenueCode",
    "ServiceCategory",
    "ServiceLine",
    "Sex",
    "Subscriber",
    "UnbalancedEntryError",
    "ValidationError",
    "__version__",
]
