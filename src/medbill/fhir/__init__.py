"""FHIR R4 interop: medbill entities to and from FHIR resources (the ``medbill[fhir]`` extra).

:func:`to_fhir` turns a Patient, Payer, Provider, Coverage, Claim, Encounter, ClaimPayment or
Remittance into ``fhir.resources`` models; :func:`from_fhir` and :func:`from_fhir_bundle`
read them back, returning next to each entity what of the input medbill does not model
(:class:`Unmapped`), so nothing is dropped silently. Codes outside medbill's code types are
refused with a :class:`~medbill.ValidationError` naming the FHIR path.

The models are those of ``fhir.resources.R4B``: for the resources medbill maps, FHIR R4B
(4.3) is the same as R4 (4.0.1), and the JSON is R4 JSON.

>>> from medbill.fhir import from_fhir, to_fhir
>>> from medbill.testing import make_claim
>>> claim, unmapped = from_fhir(to_fhir(make_claim()))
>>> claim == make_claim()
True
"""

from medbill.fhir._api import (
    FhirBundleResult,
    FhirResult,
    from_fhir,
    from_fhir_bundle,
    to_fhir,
    to_fhir_bundle,
)
from medbill.fhir._reader import Unmapped
from medbill.fhir._systems import (
    ADJUDICATION,
    C4BB_ADJUDICATION,
    C4BB_EOB_PROFESSIONAL,
    CARC,
    CPT,
    HCPCS,
    ICD10CM,
    MEDBILL,
    NPI,
    PLACE_OF_SERVICE,
    RARC,
)

__all__ = [
    "ADJUDICATION",
    "C4BB_ADJUDICATION",
    "C4BB_EOB_PROFESSIONAL",
    "CARC",
    "CPT",
    "HCPCS",
    "ICD10CM",
    "MEDBILL",
    "NPI",
    "PLACE_OF_SERVICE",
    "RARC",
    "FhirBundleResult",
    "FhirResult",
    "Unmapped",
    "from_fhir",
    "from_fhir_bundle",
    "to_fhir",
    "to_fhir_bundle",
]
