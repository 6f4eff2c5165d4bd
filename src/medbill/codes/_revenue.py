"""UB-04 revenue codes (NUBC), used on institutional claims and some 835 service lines."""

from __future__ import annotations

from typing import ClassVar

from medbill._errors import CodeError
from medbill.codes._base import Code

__all__ = ["RevenueCode"]


class RevenueCode(Code):
    """A 4-digit NUBC revenue code (``0450`` emergency room).

    >>> from medbill.codes import RevenueCode
    >>> str(RevenueCode("0450"))
    '0450'
    >>> RevenueCode("45")
    Traceback (most recent call last):
    ...
    medbill.CodeError: revenue_code: must be exactly 4 digits (got '45')
    """

    __slots__ = ()
    field: ClassVar[str] = "revenue_code"

    @classmethod
    def _canonical(cls, value: str) -> str:
        code = value.strip()
        if len(code) != 4 or not code.isascii() or not code.isdigit():
            raise CodeError(cls.field, value, "must be exactly 4 digits")
        return code
