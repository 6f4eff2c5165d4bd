"""medbill: an embeddable, pure-Python library for US medical billing.

The public API is everything listed in ``__all__`` here and in the subpackages
(:mod:`medbill.codes`, :mod:`medbill.serialize`, :mod:`medbill.testing`, ...).

Each name has one home: the entities, typed ids, ``Period``, ``Clock`` and the error tree
are here; the code types are in :mod:`medbill.codes`, pricing in :mod:`medbill.fees`, the
books in :mod:`medbill.ledger`.

>>> import medbill
>>> medbill.codes.Icd10Cm("e119")
Icd10Cm('E11.9')
"""

import medbill.codes  # noqa: F401  (medbill.codes is the code types' home)
from medbill._claim_details import (
    Accident,
    AccidentCause,
    DrugIdentification,
    DrugUnit,
    ServiceFacility,
)
from medbill._claim_status import (
    AckStatus,
    ClaimStatusCode,
    ClaimStatusReport,
    ElementError,
    FunctionalAcknowledgement,
    LineStatus,
    SegmentError,
    StatusOutcome,
    TransactionAcknowledgement,
)
from medbill._common import (
    Address,
    ClaimId,
    Clock,
    CoverageId,
    EncounterId,
    PatientId,
    PayerId,
    Period,
    PersonName,
    Sex,
)
from medbill._deprecation import moved_names
from medbill._eligibility import (
    BenefitAmount,
    CoverageLevel,
    EligibilityBenefit,
    EligibilityDifference,
    EligibilityMember,
    EligibilityRejection,
    EligibilityResponse,
    Network,
    apply_eligibility,
)
from medbill._encounter import Claim, ClaimFrequency, ClaimLine, Encounter, ServiceLine
from medbill._errors import (
    ClaimStateError,
    CodeError,
    DuplicateEntryError,
    FileReadError,
    LedgerBusyError,
    LedgerError,
    LedgerFileError,
    MedbillError,
    ParseError,
    PeriodClosedError,
    PricingError,
    StaleBalanceError,
    UnbalancedEntryError,
    UnbalancedRemittanceError,
    UnknownAccountError,
    ValidationError,
)
from medbill._money import round_cents
from medbill._parties import (
    Accumulators,
    Benefits,
    CobMethod,
    Copay,
    Coverage,
    Guarantor,
    Patient,
    Payer,
    PayerKind,
    Practice,
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
    PayerContact,
    PaymentMethod,
    ProviderAdjustment,
    ProviderSummary,
    Remittance,
)

__version__ = "0.1.0"

__all__ = [
    "Accident",
    "AccidentCause",
    "DrugIdentification",
    "DrugUnit",
    "ServiceFacility",
    "BenefitAmount",
    "CoverageLevel",
    "EligibilityBenefit",
    "EligibilityDifference",
    "EligibilityMember",
    "EligibilityRejection",
    "EligibilityResponse",
    "Network",
    "apply_eligibility",
    "AckStatus",
    "ClaimStatusCode",
    "ClaimStatusReport",
    "ElementError",
    "FunctionalAcknowledgement",
    "LineStatus",
    "SegmentError",
    "StatusOutcome",
    "TransactionAcknowledgement",
    "Accumulators",
    "Address",
    "Adjustment",
    "Benefits",
    "Claim",
    "ClaimFrequency",
    "ClaimId",
    "Clock",
    "ClaimLine",
    "ClaimPayment",
    "ClaimStateError",
    "CodeError",
    "Copay",
    "CobMethod",
    "Coverage",
    "Guarantor",
    "CoverageId",
    "DuplicateEntryError",
    "FileReadError",
    "Encounter",
    "EncounterId",
    "Imbalance",
    "LedgerBusyError",
    "UnknownAccountError",
    "LedgerFileError",
    "LedgerError",
    "LinePayment",
    "MedbillError",
    "ParseError",
    "PeriodClosedError",
    "Patient",
    "PatientId",
    "PatientPayment",
    "PatientPaymentMethod",
    "Payer",
    "PayerClaimStatus",
    "PayerId",
    "PayerKind",
    "Practice",
    "PaymentMethod",
    "Period",
    "PersonName",
    "PricingError",
    "StaleBalanceError",
    "Priority",
    "Provider",
    "PayerContact",
    "ProviderAdjustment",
    "ProviderSummary",
    "ProviderKind",
    "Relationship",
    "Remittance",
    "ServiceCategory",
    "ServiceLine",
    "Sex",
    "Subscriber",
    "UnbalancedEntryError",
    "UnbalancedRemittanceError",
    "ValidationError",
    "__version__",
    "round_cents",
]


# The code types' one home is medbill.codes (0.2.0); the re-exports here stay importable,
# with a DeprecationWarning, until 0.3.
__getattr__ = moved_names(
    __name__,
    {
        name: ("medbill.codes", f"medbill.codes.{name}")
        for name in (
            "AdjustmentGroup",
            "Carc",
            "Icd10Cm",
            "Modifier",
            "Npi",
            "PlaceOfService",
            "ProcedureCode",
            "Rarc",
            "RevenueCode",
        )
    },
)
