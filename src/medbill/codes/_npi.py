"""National Provider Identifier (45 CFR 162.406)."""

from __future__ import annotations

from typing import ClassVar

from medbill._errors import CodeError
from medbill.codes._base import Code

__all__ = ["Npi"]


def _luhn_check_digit(first_nine: str) -> int:
    # CMS "NPI check digit": Luhn over the 9 digits prefixed by 80840 (the ISO card issuer
    # prefix for US health), which adds the constant 24 to the doubled-digit sum.
    total = 24
    for position, char in enumerate(reversed(first_nine)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10


class Npi(Code):
    """A 10-digit NPI whose last digit is the Luhn check digit over the 80840 prefix.

    >>> from medbill.codes import Npi
    >>> str(Npi("1234567893"))
    '1234567893'
    >>> Npi.with_check_digit("123456789")
    Npi('1234567893')
    """

    __slots__ = ()
    field: ClassVar[str] = "npi"

    @classmethod
    def _canonical(cls, value: str) -> str:
        code = value.strip()
        if len(code) != 10 or not code.isascii() or not code.isdigit():
            raise CodeError(cls.field, value, "must be exactly 10 digits")
        if code[0] not in "12":
            raise CodeError(cls.field, value, "must start with 1 or 2")
        expected = _luhn_check_digit(code[:9])
        if int(code[9]) != expected:
            raise CodeError(cls.field, value, f"check digit is {code[9]}, expected {expected}")
        return code

    @classmethod
    def with_check_digit(cls, first_nine: str) -> Npi:
        """Complete 9 digits with their check digit (useful for test data).

        >>> Npi.with_check_digit("199999999")
        Npi('1999999992')
        """
        if len(first_nine) != 9 or not first_nine.isdigit():
            raise CodeError(cls.field, first_nine, "needs exactly 9 digits")
        return cls(first_nine + str(_luhn_check_digit(first_nine)))
