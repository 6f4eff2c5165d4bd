"""Procedure code modifiers (CPT Level I and HCPCS Level II)."""

from __future__ import annotations

from typing import ClassVar

from medbill._errors import CodeError
from medbill.codes._base import Code

__all__ = ["Modifier"]


class Modifier(Code):
    """A two-character CPT or HCPCS modifier (``26``, ``TC``, ``50``, ``GT``, ``F1``).

    >>> from medbill.codes import Modifier
    >>> str(Modifier("tc"))
    'TC'
    >>> Modifier("TCX")
    Traceback (most recent call last):
    ...
    medbill.CodeError: modifier: must be 2 letters or digits (got 'TCX')
    """

    __slots__ = ()
    field: ClassVar[str] = "modifier"

    @classmethod
    def _canonical(cls, value: str) -> str:
        code = value.strip().upper()
        if len(code) != 2 or not code.isascii() or not code.isalnum():
            raise CodeError(cls.field, value, "must be 2 letters or digits")
        return code
