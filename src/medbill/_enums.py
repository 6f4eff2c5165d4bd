"""The base of medbill's enumerations: a bad value is a ValidationError listing the allowed ones."""

from __future__ import annotations

import enum
import re
from typing import Any

from medbill._errors import ValidationError

__all__ = ["MedbillEnum"]


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class MedbillEnum(enum.Enum):
    """An :class:`enum.Enum` whose lookup by an unknown value raises a medbill error.

    ``Priority("first")`` raises :class:`~medbill.ValidationError` (still a ``ValueError``)
    naming the enumeration and listing every allowed value, instead of a bare ``ValueError``.

    >>> from medbill import Priority
    >>> Priority("first")
    Traceback (most recent call last):
    ...
    medbill.ValidationError: priority: must be one of 'primary', 'secondary', 'tertiary' (or the X12 code 'P', 'S', 'T') (got 'first')
    """

    @classmethod
    def _missing_(cls, value: object) -> Any:
        # An enumeration with an X12 code per member (an ``x12`` property) takes the code
        # too: ``Relationship("19")`` is ``Relationship.CHILD`` (NAMING.md).
        coded = isinstance(getattr(cls, "x12", None), property)
        if coded and isinstance(value, str):
            for member in cls:
                if member.x12 == value:  # type: ignore[attr-defined]
                    return member
        allowed = ", ".join(repr(member.value) for member in cls)
        if coded:
            codes = ", ".join(repr(member.x12) for member in cls)  # type: ignore[attr-defined]
            allowed = f"{allowed} (or the X12 code {codes})"
        raise ValidationError(_snake(cls.__name__), value, f"must be one of {allowed}")
