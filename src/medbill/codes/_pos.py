"""CMS place-of-service code set, with the Medicare facility / non-facility setting.

Source: CMS "Place of Service Code Set" (public domain) and, for the facility column, the
Medicare Claims Processing Manual (Pub. 100-04) Chapter 12, section 20.4.2 and the
CY2024 PFS final rule (POS 02 is paid at the facility rate, POS 10 at the non-facility
rate). A service in a facility setting is paid with the facility practice-expense RVUs.
"""

from __future__ import annotations

from typing import ClassVar, Final, NamedTuple

from medbill._errors import CodeError
from medbill.codes._base import Code

__all__ = ["PLACES_OF_SERVICE", "PlaceOfService"]


class _PosInfo(NamedTuple):
    name: str
    facility: bool


_F, _N = True, False
PLACES_OF_SERVICE: Final[dict[str, _PosInfo]] = {
    code: _PosInfo(name, facility)
    for code, name, facility in (
        ("01", "Pharmacy", _N),
        ("02", "Telehealth Provided Other than in Patient's Home", _F),
        ("03", "School", _N),
        ("04", "Homeless Shelter", _N),
        ("05", "Indian Health Service Free-standing Facility", _N),
        ("06", "Indian Health Service Provider-based Facility", _F),
        ("07", "Tribal 638 Free-standing Facility", _N),
        ("08", "Tribal 638 Provider-based Facility", _F),
        ("09", "Prison/Correctional Facility", _N),
        ("10", "Telehealth Provided in Patient's Home", _N),
        ("11", "Office", _N),
        ("12", "Home", _N),
        ("13", "Assisted Living Facility", _N),
        ("14", "Group Home", _N),
        ("15", "Mobile Unit", _N),
        ("16", "Temporary Lodging", _N),
        ("17", "Walk-in Retail Health Clinic", _N),
        ("18", "Place of Employment/Worksite", _N),
        ("19", "Off Campus-Outpatient Hospital", _F),
        ("20", "Urgent Care Facility", _N),
        ("21", "Inpatient Hospital", _F),
        ("22", "On Campus-Outpatient Hospital", _F),
        ("23", "Emergency Room-Hospital", _F),
        ("24", "Ambulatory Surgical Center", _F),
        ("25", "Birthing Center", _N),
        ("26", "Military Treatment Facility", _F),
        ("27", "Outreach Site/Street", _N),
        ("31", "Skilled Nursing Facility", _F),
        ("32", "Nursing Facility", _N),
        ("33", "Custodial Care Facility", _N),
        ("34", "Hospice", _F),
        ("41", "Ambulance-Land", _F),
        ("42", "Ambulance-Air or Water", _F),
        ("49", "Independent Clinic", _N),
        ("50", "Federally Qualified Health Center", _N),
        ("51", "Inpatient Psychiatric Facility", _F),
        ("52", "Psychiatric Facility-Partial Hospitalization", _F),
        ("53", "Community Mental Health Center", _F),
        ("54", "Intermediate Care Facility/Individuals with Intellectual Disabilities", _N),
        ("55", "Residential Substance Abuse Treatment Facility", _N),
        ("56", "Psychiatric Residential Treatment Center", _F),
        ("57", "Non-residential Substance Abuse Treatment Facility", _N),
        ("58", "Non-residential Opioid Treatment Facility", _N),
        ("60", "Mass Immunization Center", _N),
        ("61", "Comprehensive Inpatient Rehabilitation Facility", _F),
        ("62", "Comprehensive Outpatient Rehabilitation Facility", _N),
        ("65", "End-Stage Renal Disease Treatment Facility", _N),
        ("66", "Programs of All-Inclusive Care for the Elderly (PACE) Center", _N),
        ("71", "State or Local Public Health Clinic", _N),
        ("72", "Rural Health Clinic", _N),
        ("81", "Independent Laboratory", _N),
        ("99", "Other Place of Service", _N),
    )
}


class PlaceOfService(Code):
    """A CMS place-of-service code: two digits, a name, and the Medicare rate setting.

    >>> from medbill.codes import PlaceOfService
    >>> office = PlaceOfService("11")
    >>> office.name, office.is_facility
    ('Office', False)
    >>> PlaceOfService("02").is_facility
    True
    >>> PlaceOfService("30")
    Traceback (most recent call last):
    ...
    medbill.CodeError: place_of_service: is not an assigned CMS place-of-service code (got '30')
    """

    __slots__ = ()
    field: ClassVar[str] = "place_of_service"

    @classmethod
    def _canonical(cls, value: str) -> str:
        code = value.strip()
        if len(code) != 2 or not code.isascii() or not code.isdigit():
            raise CodeError(cls.field, value, "must be exactly 2 digits")
        if code not in PLACES_OF_SERVICE:
            raise CodeError(cls.field, value, "is not an assigned CMS place-of-service code")
        return code

    @property
    def name(self) -> str:
        """The CMS name of the setting (``Office`` for ``11``)."""
        return PLACES_OF_SERVICE[str.__str__(self)].name

    @property
    def is_facility(self) -> bool:
        """Whether Medicare pays the facility practice-expense rate in this setting."""
        return PLACES_OF_SERVICE[str.__str__(self)].facility
