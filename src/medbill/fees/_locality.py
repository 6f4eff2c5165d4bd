"""Medicare payment localities: a MAC (contractor) number and a locality number."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs

from medbill._errors import ValidationError

__all__ = ["Locality"]


def _digits(value: Any, field: str, width: int) -> str:
    ok = isinstance(value, str | int) and not isinstance(value, bool)
    text = str(value).strip() if ok else ""
    if not text.isdigit() or len(text) > width:
        raise ValidationError(field, value, f"must be up to {width} digits")
    return text.zfill(width)


def _mac(value: Any) -> str:
    return _digits(value, "mac", 5)


def _number(value: Any) -> str:
    return _digits(value, "locality number", 2)


@attrs.frozen(order=True, cache_hash=True)
class Locality:
    """A Medicare fee schedule locality: MAC number (5 digits) and locality number (2).

    Numbers are zero-padded as CMS prints them in the locality key ``13202-01``; the GPCI
    file writes Alaska as MAC ``2102``, locality ``1``, which is ``02102-01``.

    >>> Locality("2102", "1")
    Locality('02102-01')
    >>> Locality.parse("13202-01").mac, Locality.parse("13202-01").number
    ('13202', '01')
    >>> str(Locality(10112, 0))
    '10112-00'
    >>> Locality.NATIONAL
    Locality('00000-00')
    >>> Locality.parse("13202")
    Traceback (most recent call last):
    ...
    medbill.ValidationError: locality: must look like '13202-01' ... (got '13202')
    """

    mac: str = attrs.field(converter=_mac)
    number: str = attrs.field(converter=_number)
    NATIONAL: ClassVar[Locality]
    """The unadjusted national locality ``00000-00``: every GPCI 1.000 (the national
    payment amounts CMS publishes)."""

    @classmethod
    def parse(cls, text: str) -> Locality:
        """Read ``MAC-locality`` such as ``"13202-01"`` or ``"2102-1"``."""
        if not isinstance(text, str) or text.count("-") != 1:
            raise ValidationError("locality", text, "must look like '13202-01' (MAC-locality)")
        mac, number = text.split("-")
        return cls(mac, number)

    def __str__(self) -> str:
        return f"{self.mac}-{self.number}"

    def __repr__(self) -> str:
        return f"Locality('{self}')"


Locality.NATIONAL = Locality("00000", "00")
