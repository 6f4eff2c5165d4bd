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

from typing import TYPE_CHECKING

from medbill._deprecation import receive_only_names, removed_values
from medbill.fhir._api import (
    from_fhir,
    from_fhir_bundle,
    to_fhir,
    to_fhir_bundle,
)
from medbill.fhir._canonical import Canonical

__all__ = [
    "Canonical",
    "from_fhir",
    "from_fhir_bundle",
    "to_fhir",
    "to_fhir_bundle",
]


# The eleven URI constants public before 0.2.0 are members of Canonical now; each old name
# still imports until 0.3 (as the same string), with a DeprecationWarning.
__getattr__ = removed_values(
    __name__,
    {member.name: (member.value, f"Canonical.{member.name}.value") for member in Canonical},
)


if TYPE_CHECKING:  # receive-only types: typed for mypy, resolved lazily (no warning) at run time
    from medbill.fhir._api import FhirBundleResult as FhirBundleResult
    from medbill.fhir._api import FhirResult as FhirResult
    from medbill.fhir._reader import Unmapped as Unmapped

# Receive-only types (tests/api/receive_only.txt): records medbill returns and users
# only read. Out of __all__ and provisional since 0.2.0; still imported, without a warning.
__getattr__ = receive_only_names(
    __name__,
    {
        "FhirResult": ("medbill.fhir._api", "from_fhir()"),
        "FhirBundleResult": ("medbill.fhir._api", "from_fhir_bundle()"),
        "Unmapped": ("medbill.fhir._reader", "from_fhir()"),
    },
    then=__getattr__,
)
