"""A testing kit for projects that embed medbill.

Factories build valid entities with sensible defaults; override any field by keyword.
Payment factories derive their totals, so what they build balances (835 TR3 1.10.2);
:func:`adjudicate` builds a payer's whole answer to a claim for a test 835, and
:func:`demo_medicare_schedule` is the one demo dataset of published CMS rows.
Hypothesis strategies for every code type and entity live in
:mod:`medbill.testing.strategies` (needs ``hypothesis``, e.g. ``pip install
'medbill[testing]'``).

>>> from decimal import Decimal
>>> from medbill.testing import make_claim, make_claim_line
>>> make_claim(lines=[make_claim_line(procedure="99214", charge=Decimal("210.00"))]).total_charge
Decimal('210.00')
"""

from medbill._deprecation import removed_names
from medbill.testing._adjudicate import adjudicate
from medbill.testing._factories import (
    DEFAULT_SERVICE_DATE,
    DEMO_LOCALITY,
    demo_medicare_schedule,
    make_address,
    make_adjustment,
    make_benefits,
    make_claim,
    make_claim_line,
    make_claim_payment,
    make_coverage,
    make_encounter,
    make_line_payment,
    make_patient,
    make_patient_payment,
    make_payer,
    make_provider,
    make_provider_adjustment,
    make_remittance,
    make_service_line,
)

__all__ = [
    "adjudicate",
    "DEFAULT_SERVICE_DATE",
    "DEMO_LOCALITY",
    "demo_medicare_schedule",
    "make_address",
    "make_adjustment",
    "make_benefits",
    "make_claim",
    "make_claim_line",
    "make_claim_payment",
    "make_coverage",
    "make_encounter",
    "make_line_payment",
    "make_patient",
    "make_patient_payment",
    "make_payer",
    "make_provider",
    "make_provider_adjustment",
    "make_remittance",
    "make_service_line",
]


def _default_service_date() -> object:
    return DEFAULT_SERVICE_DATE


# Renamed in 0.2.0 (NAMING.md: the day a service was given is ``service_date``).
__getattr__ = removed_names(
    __name__, {"DEFAULT_DATE_OF_SERVICE": (_default_service_date, "DEFAULT_SERVICE_DATE")}
)
