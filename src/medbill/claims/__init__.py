"""Claims: building, the lifecycle state machine, scrubbing, denials, remittance matching.

>>> from medbill.claims import ClaimStatus
>>> ClaimStatus("draft").allowed_next() == {ClaimStatus.VALIDATED}
True
"""

from medbill._errors import ClaimStateError
from medbill.claims._build import (
    ChargeSource,
    LineAdjudication,
    PriorPayerAdjudication,
    SecondaryClaim,
    build_claim,
    build_secondary_claim,
)
from medbill.claims._matching import LineMatch, MatchMethod
from medbill.claims._workflow import ClaimStatus, ClaimWorkflow, Transition

__all__ = [
    "ChargeSource",
    "ClaimStateError",
    "ClaimStatus",
    "ClaimWorkflow",
    "LineAdjudication",
    "LineMatch",
    "MatchMethod",
    "PriorPayerAdjudication",
    "SecondaryClaim",
    "Transition",
    "build_claim",
    "build_secondary_claim",
]
