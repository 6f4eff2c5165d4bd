"""ICD-10-CM diagnosis codes (the US clinical modification, maintained by CDC/NCHS)."""

from __future__ import annotations

import re
from typing import ClassVar

from medbill._errors import CodeError
from medbill.codes._base import Code

__all__ = ["Icd10Cm"]

# ICD-10-CM Official Guidelines, Section I.A: codes are 3 to 7 characters; the first is a
# letter, the second a digit, the rest digits or letters; a dot follows the third.
_SHAPE = re.compile(r"[A-Z][0-9][0-9A-Z]{1,5}")


class Icd10Cm(Code):
    """An ICD-10-CM diagnosis code, canonical with the dot after the third character.

    Accepted with or without the dot, in any letter case.

    >>> from medbill.codes import Icd10Cm
    >>> str(Icd10Cm("e119"))
    'E11.9'
    >>> Icd10Cm("S72.001A").category
    'S72'
    >>> Icd10Cm("E11.9").undotted
    'E119'
    >>> Icd10Cm("11.9")
    Traceback (most recent call last):
    ...
    medbill.CodeError: icd10cm: must start with a letter (got '11.9')
    """

    __slots__ = ()
    field: ClassVar[str] = "icd10cm"

    @classmethod
    def _canonical(cls, value: str) -> str:
        raw = value.strip().upper()
        dot = raw.find(".")
        bare = raw.replace(".", "")
        if not 3 <= len(bare) <= 7:
            raise CodeError(cls.field, value, f"must have 3 to 7 characters, not {len(bare)}")
        if not bare[0].isalpha() or not bare[0].isascii():
            raise CodeError(cls.field, value, "must start with a letter")
        if not bare[1].isdigit():
            raise CodeError(cls.field, value, "the second character must be a digit")
        if not _SHAPE.fullmatch(bare):
            raise CodeError(cls.field, value, "may hold only letters and digits")
        if dot != -1 and (dot != 3 or raw.count(".") > 1):
            raise CodeError(cls.field, value, "the dot belongs after the third character")
        if dot != -1 and len(bare) == 3:
            raise CodeError(cls.field, value, "a 3-character category has no dot")
        return bare if len(bare) == 3 else f"{bare[:3]}.{bare[3:]}"

    @property
    def category(self) -> str:
        """The 3-character category (``E11`` for ``E11.9``)."""
        return str.__str__(self)[:3]

    @property
    def undotted(self) -> str:
        """The code without its dot, as X12 HI segments carry it (``E119``)."""
        return str.__str__(self).replace(".", "")
