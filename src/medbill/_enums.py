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
    medbill.ValidationError: priority: must be one of 'primary', 'secondary', 'tertiary' (got 'first')
    """

    @classmethod
    def _missing_(cls, value: object) -> Any:
        allowed = ", ".join(repr(member.value) for member in cls)
        raise ValidationError(_snake(cls.__name__), value, f"must be one of {allowed}")
