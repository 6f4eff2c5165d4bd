"""The public names of the URIs medbill writes: one enumeration, :class:`Canonical`."""

from __future__ import annotations

from medbill._enums import MedbillEnum
from medbill.fhir import _systems as sys_

__all__ = ["Canonical"]


class Canonical(MedbillEnum):
    """The canonical URLs medbill writes: code systems, identifier systems, a profile, its base.

    FHIR names code systems, identifier systems and profiles by canonical URL. These are
    the ones an integrator matches on when reading what :func:`medbill.fhir.to_fhir` wrote
    (HL7's, CMS's, X12's and CARIN Blue Button's, as the US Core and CARIN BB guides use
    them); ``MEDBILL`` is the base of medbill's own extensions. Before 0.2.0 each was a
    separate string constant (``medbill.fhir.CPT``, ...); those still import, with a
    deprecation warning.

    >>> from medbill.fhir import Canonical
    >>> Canonical.CPT.value
    'http://www.ama-assn.org/go/cpt'
    >>> Canonical("http://hl7.org/fhir/sid/us-npi") is Canonical.NPI
    True
    """

    ICD10CM = sys_.ICD10CM
    CPT = sys_.CPT
    HCPCS = sys_.HCPCS
    PLACE_OF_SERVICE = sys_.PLACE_OF_SERVICE
    CARC = sys_.CARC
    RARC = sys_.RARC
    NPI = sys_.NPI
    ADJUDICATION = sys_.ADJUDICATION
    C4BB_ADJUDICATION = sys_.C4BB_ADJUDICATION
    C4BB_EOB_PROFESSIONAL = sys_.C4BB_EOB_PROFESSIONAL
    MEDBILL = sys_.MEDBILL
