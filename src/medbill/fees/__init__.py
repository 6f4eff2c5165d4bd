"""Pricing: fee schedules, the Medicare physician fee schedule, contracts, responsibility.

>>> import pendulum
>>> from medbill.fees import Locality, MedicareFeeSchedule
>>> MedicareFeeSchedule.demo().price_line("99213", locality=Locality.parse("10112-00"),
...     place_of_service="11", service_date=pendulum.date(2025, 3, 4)).allowed
Decimal('81.86')
"""

from typing import TYPE_CHECKING

from medbill._deprecation import moved_names, receive_only_names
from medbill.fees._anesthesia import AnesthesiaSchedule
from medbill.fees._contract import (
    CarveOut,
    Contract,
    ContractPricing,
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
    Priced,
    estimate_responsibility,
    medicare_payment,
    medicare_secondary_payment,
    secondary_payment,
)
from medbill.fees._rvu import MedicareFeeSchedule, MedicareRelease
from medbill.fees._rvu_row import (
    Gpci,
    RvuRow,
    read_pprrvu,
)
from medbill.fees._schedule import FeeEntry, FeeSchedule

__all__ = [
    "AllowedLine",
    "AnesthesiaSchedule",
    "Priced",
    "GfeItem",
    "GoodFaithEstimate",
    "estimate_responsibility",
    "medicare_payment",
    "medicare_secondary_payment",
    "secondary_payment",
    "CarveOut",
    "Contract",
    "ContractPricing",
    "ContractTerm",
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


if TYPE_CHECKING:  # receive-only types: typed for mypy, resolved lazily (no warning) at run time
    from medbill.fees._contract import CodeRange as CodeRange
    from medbill.fees._contract import ExpectedLine as ExpectedLine
    from medbill.fees._responsibility import CoordinatedPayment as CoordinatedPayment
    from medbill.fees._responsibility import LineShare as LineShare
    from medbill.fees._responsibility import MedicareEstimate as MedicareEstimate
    from medbill.fees._responsibility import Responsibility as Responsibility
    from medbill.fees._responsibility import SecondaryPayment as SecondaryPayment
    from medbill.fees._rvu_row import ConversionFactor as ConversionFactor
    from medbill.fees._trace import Trace as Trace
    from medbill.fees._trace import TraceStep as TraceStep

# Receive-only types (tests/api/receive_only.txt): records medbill returns and users
# only read. Out of __all__ and provisional since 0.2.0; still imported, without a warning.
__getattr__ = receive_only_names(
    __name__,
    {
        "ExpectedLine": ("medbill.fees._contract", "Contract.expected_line()"),
        "ConversionFactor": ("medbill.fees._rvu_row", "MedicareFeeSchedule.conversion_factor()"),
        "Trace": ("medbill.fees._trace", "MedicareFeeSchedule.price_line()"),
        "TraceStep": ("medbill.fees._trace", "MedicareFeeSchedule.price_line()"),
        "MedicareEstimate": ("medbill.fees._responsibility", "medicare_payment()"),
        "Responsibility": ("medbill.fees._responsibility", "estimate_responsibility()"),
        "SecondaryPayment": ("medbill.fees._responsibility", "secondary_payment()"),
        "CoordinatedPayment": ("medbill.fees._responsibility", "estimate_responsibility()"),
        "LineShare": ("medbill.fees._responsibility", "estimate_responsibility()"),
        "CodeRange": ("medbill.fees._contract", "Contract terms; pass code ranges as strings"),
    },
    then=__getattr__,
)
