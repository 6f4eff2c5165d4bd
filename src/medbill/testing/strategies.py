"""Hypothesis strategies for every medbill code type and entity (valid objects only).

Requires ``hypothesis`` (``pip install 'medbill[testing]'``). Importing this module
registers a strategy for every medbill code type and entity with Hypothesis, so
``st.from_type(Carc)``, ``st.from_type(Patient)`` or ``st.from_type(Remittance)`` build
valid ones (and ``st.builds`` fills medbill-typed fields with them). The functions here are
the strategies that take arguments (bounds, a diagnosis count, a patient id) and the
documents most tests start from.

>>> from hypothesis import given, strategies as st
>>> from medbill.codes import Carc
>>> from medbill.testing.strategies import claims
>>> @given(claims(), st.from_type(Carc))
... def test_total_is_sum_of_lines(claim, reason):
...     assert claim.total_charge == sum(line.charge for line in claim.lines)
...     assert str(reason) == str(Carc(str(reason)))
>>> test_total_is_sum_of_lines()
"""

from __future__ import annotations

import functools
from typing import Any

from hypothesis import strategies as st

from medbill import (
    Accumulators,
    Address,
    Adjustment,
    Benefits,
    Claim,
    ClaimLine,
    ClaimPayment,
    Coverage,
    Encounter,
    LinePayment,
    Patient,
    PatientPayment,
    Payer,
    Period,
    PersonName,
    Provider,
    ProviderAdjustment,
    Remittance,
    ServiceLine,
    Subscriber,
)
from medbill._deprecation import removed_names
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
from medbill.testing import _strategies
from medbill.testing._strategies import (
    amounts,
    claim_lines,
    claim_payments,
    claims,
    coverages,
    dates,
    remittances,
    service_lines,
)

__all__ = [
    "amounts",
    "claim_lines",
    "claim_payments",
    "claims",
    "coverages",
    "dates",
    "remittances",
    "service_lines",
]

# strategy function -> the medbill type it builds (registered with Hypothesis on import)
_TYPES: dict[str, Any] = {
    "icd10_codes": Icd10Cm,
    "procedure_codes": ProcedureCode,
    "modifiers": Modifier,
    "places_of_service": PlaceOfService,
    "npis": Npi,
    "adjustment_groups": AdjustmentGroup,
    "carcs": Carc,
    "rarcs": Rarc,
    "revenue_codes": RevenueCode,
    "person_names": PersonName,
    "addresses": Address,
    "periods": Period,
    "patients": Patient,
    "payers": Payer,
    "benefits": Benefits,
    "accumulators": Accumulators,
    "subscribers": Subscriber,
    "coverages": Coverage,
    "providers": Provider,
    "service_lines": ServiceLine,
    "claim_lines": ClaimLine,
    "encounters": Encounter,
    "claims": Claim,
    "adjustments": Adjustment,
    "line_payments": LinePayment,
    "claim_payments": ClaimPayment,
    "provider_adjustments": ProviderAdjustment,
    "remittances": Remittance,
    "patient_payments": PatientPayment,
}

for _name, _type in _TYPES.items():
    st.register_type_strategy(_type, getattr(_strategies, _name)())


def _public_path(tp: Any) -> str:
    import medbill
    import medbill.codes

    for module in (medbill, medbill.codes):
        if tp.__name__ in module.__all__:
            return f"{module.__name__}.{tp.__name__}"
    raise AssertionError(tp)  # pragma: no cover - every registered type is public


def _loader(name: str) -> Any:
    return getattr(_strategies, name)


# Left the surface in 0.2.0 (importable, warning, until 0.3): one strategy per type is
# what Hypothesis's own st.from_type() gives once this module is imported.
__getattr__ = removed_names(
    __name__,
    {
        name: (
            functools.partial(_loader, name),
            f"hypothesis.strategies.from_type({_public_path(tp)})",
        )
        for name, tp in _TYPES.items()
        if name not in __all__
    },
)
