"""Pricing: fee schedules, the Medicare physician fee schedule, contracts, responsibility.

>>> import pendulum
>>> from medbill.fees import Locality, MedicareFeeSchedule
>>> MedicareFeeSchedule.demo().price_line("99213", locality=Locality.parse("10112-00"),
...     place_of_service="11", service_date=pendulum.date(2025, 3, 4)).allowed
Decimal('81.86')
"""

from medbill.fees._anesthesia import ANESTHESIA_MODIFIERS, AnesthesiaSchedule
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
from medbill.fees._gfe import DISPUTE_THRESHOLD, GfeItem, GoodFaithEstimate
from medbill.fees._locality import Locality
from medbill.fees._priced import PricedClaim, PricedLine
from medbill.fees._responsibility import (
    MEDICARE_COINSURANCE,
    SEQUESTRATION,
    AllowedLine,
    CobMethod,
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
    MEDICARE_CONVERSION_FACTORS,
    ConversionFactor,
    Gpci,
    RvuRow,
    read_pprrvu,
)
from medbill.fees._schedule import FeeEntry, FeeSchedule
from medbill.fees._trace import Trace, TraceStep

__all__ = [
    "ANESTHESIA_MODIFIERS",
    "AllowedLine",
    "AnesthesiaSchedule",
    "Priced",
    "DISPUTE_THRESHOLD",
    "MEDICARE_COINSURANCE",
    "SEQUESTRATION",
    "CobMethod",
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
    "MEDICARE_CONVERSION_FACTORS",
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
