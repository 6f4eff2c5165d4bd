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

from typing import TYPE_CHECKING

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
from medbill._deprecation import moved_names, receive_only_names
from medbill._eligibility import (
    CoverageLevel,
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
    LinePayment,
    PatientPayment,
    PatientPaymentMethod,
    PayerClaimStatus,
    PaymentMethod,
    ProviderAdjustment,
    Remittance,
)

__version__ = "0.1.0"

__all__ = [
    "Accident",
    "AccidentCause",
    "DrugIdentification",
    "DrugUnit",
    "ServiceFacility",
    "CoverageLevel",
    "Network",
    "apply_eligibility",
    "AckStatus",
    "ClaimStatusCode",
    "ClaimStatusReport",
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
    "ProviderAdjustment",
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


if TYPE_CHECKING:  # receive-only types: typed for mypy, resolved lazily (no warning) at run time
    from medbill._claim_status import ElementError as ElementError
    from medbill._claim_status import FunctionalAcknowledgement as FunctionalAcknowledgement
    from medbill._claim_status import LineStatus as LineStatus
    from medbill._claim_status import SegmentError as SegmentError
    from medbill._eligibility import BenefitAmount as BenefitAmount
    from medbill._eligibility import EligibilityBenefit as EligibilityBenefit
    from medbill._eligibility import EligibilityDifference as EligibilityDifference
    from medbill._eligibility import EligibilityMember as EligibilityMember
    from medbill._eligibility import EligibilityRejection as EligibilityRejection
    from medbill._eligibility import EligibilityResponse as EligibilityResponse
    from medbill._payment import Imbalance as Imbalance
    from medbill._payment import PayerContact as PayerContact
    from medbill._payment import ProviderSummary as ProviderSummary

# Receive-only types (tests/api/receive_only.txt): records medbill returns and users
# only read. Out of __all__ and provisional since 0.2.0; still imported, without a warning.
__getattr__ = receive_only_names(
    __name__,
    {
        "BenefitAmount": ("medbill._eligibility", "EligibilityResponse.deductible()"),
        "EligibilityBenefit": ("medbill._eligibility", "medbill.x12.read_271()"),
        "EligibilityDifference": ("medbill._eligibility", "apply_eligibility()"),
        "EligibilityMember": ("medbill._eligibility", "medbill.x12.read_271()"),
        "EligibilityRejection": ("medbill._eligibility", "medbill.x12.read_271()"),
        "EligibilityResponse": ("medbill._eligibility", "medbill.x12.read_271()"),
        "LineStatus": ("medbill._claim_status", "medbill.x12.read_277()"),
        "FunctionalAcknowledgement": ("medbill._claim_status", "medbill.x12.read_999()"),
        "SegmentError": ("medbill._claim_status", "medbill.x12.read_999()"),
        "ElementError": ("medbill._claim_status", "medbill.x12.read_999()"),
        "Imbalance": ("medbill._payment", "Remittance.imbalances()"),
        "PayerContact": ("medbill._payment", "medbill.x12.read_835()"),
        "ProviderSummary": ("medbill._payment", "medbill.x12.read_835()"),
    },
    then=__getattr__,
)
