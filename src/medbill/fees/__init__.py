"""Pricing: fee schedules, the Medicare physician fee schedule, contracts, responsibility.

>>> import pendulum
>>> from medbill.fees import Locality, MedicareFeeSchedule
>>> MedicareFeeSchedule.demo().price_line("99213", locality=Locality.parse("10112-00"),
...     place_of_service="11", service_date=pendulum.date(2025, 3, 4)).allowed
Decimal('81.86')
"""

from medbill._deprecation import moved_names
from medbill.fees._anesthesia import AnesthesiaSchedule
from medbill.fees._contract import (
    CarveOut,
    CodeRange,
    Contract,
    ContractPricing,
    ExpectedLine,
    FeeScheduleTerm,
    FixedRate,
    PercentOfBilled,
    PercentOfMedicare,
)
from medbill.fees._contract import Term as ContractTerm
from medbill.fees._gfe import GfeItem, GoodFaithEstimate
from medbill.fees._locality import Locality
from medbill.fees._priced import PricedClaim, PricedLine
from medbill.fees._responsibility import (
    AllowedLine,
    CoordinatedPayment,
    LineShare,
    MedicareEstimate,
    Priced,
    Responsibility,
    SecondaryPayment,
    estimate_responsibility,
    medicare_payment,
    medicare_secondary_payment,
    secondary_payment,
)
from medbill.fees._rvu import MedicareFeeSchedule, MedicareRelease
from medbill.fees._rvu_row import (
    ConversionFactor,
    Gpci,
    RvuRow,
    read_pprrvu,
)
from medbill.fees._schedule import FeeEntry, FeeSchedule
from medbill.fees._trace import Trace, TraceStep

__all__ = [
    "AllowedLine",
    "AnesthesiaSchedule",
    "Priced",
    "CoordinatedPayment",
    "GfeItem",
    "GoodFaithEstimate",
    "LineShare",
    "MedicareEstimate",
    "Responsibility",
    "SecondaryPayment",
    "estimate_responsibility",
    "medicare_payment",
    "medicare_secondary_payment",
    "secondary_payment",
    "CarveOut",
    "CodeRange",
    "Contract",
    "ContractPricing",
    "ContractTerm",
    "ConversionFactor",
    "ExpectedLine",
    "FeeEntry",
    "FeeSchedule",
    "FeeScheduleTerm",
    "FixedRate",
    "Gpci",
    "Locality",
    "MedicareFeeSchedule",
    "MedicareRelease",
    "PercentOfBilled",
    "PercentOfMedicare",
    "PricedClaim",
    "PricedLine",
    "RvuRow",
    "Trace",
    "TraceStep",
    "read_pprrvu",
]


# Left the surface in 0.2.0 (importable, with a DeprecationWarning, until 0.3). CobMethod's
# one home is medbill (Coverage.cob_method); the rule constants are the pricing code's own:
# each is applied by the function named, and docs/pricing.md cites the rule.
__getattr__ = moved_names(
    __name__,
    {
        "CobMethod": ("medbill", "medbill.CobMethod"),
        "ANESTHESIA_MODIFIERS": (
            "medbill.fees._anesthesia",
            "AnesthesiaSchedule.price(modifiers=...), which applies them",
        ),
        "DISPUTE_THRESHOLD": ("medbill.fees._gfe", "GoodFaithEstimate.dispute_eligible()"),
        "MEDICARE_COINSURANCE": ("medbill.fees._responsibility", "medicare_payment()"),
        "SEQUESTRATION": ("medbill.fees._responsibility", "medicare_payment(sequestration=)"),
        "MEDICARE_CONVERSION_FACTORS": (
            "medbill.fees._rvu_row",
            "MedicareFeeSchedule.conversion_factors",
        ),
    },
)
