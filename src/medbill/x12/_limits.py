"""Maximum element lengths of the segments medbill reads and writes.

Generated from the X12 data element dictionary as the 005010 implementation guides use
it (005010X221A1 835, 005010X222A1 837P; element "min/max" in each segment's element
summary). ``ELEMENT_LIMITS[segment_id][i]`` is the maximum length of element ``i + 1``;
0 marks a composite or an element checked elsewhere. Type R (decimal) counts digits
only, without sign and decimal point (X12.6 section 3.5.1); the others count characters.
"""

from __future__ import annotations

__all__ = ["ELEMENT_LIMITS", "DECIMAL_ELEMENTS", "over_long"]

ELEMENT_LIMITS: dict[str, tuple[int, ...]] = {
    "AMT": (3, 18, 1),
    "BHT": (4, 2, 50, 8, 8, 2),
    "BPR": (2, 18, 1, 3, 10, 2, 12, 3, 35, 10, 9, 2, 12, 3, 35, 8, 3, 2, 12, 3, 35),
    "CAS": (2, 5, 18, 15, 5, 18, 15, 5, 18, 15, 5, 18, 15, 5, 18, 15, 5, 18, 15),
    "CLM": (38, 18, 2, 2, 0, 1, 1, 1, 1, 1, 0, 3, 1, 3, 1, 1, 2, 1, 2, 2),
    "CLP": (38, 2, 18, 18, 18, 2, 50, 2, 1, 2, 4, 15, 10, 1),
    "CN1": (2, 18, 6, 50, 6, 30),
    "CR1": (2, 10, 1, 1, 2, 15, 55, 55, 80, 80),
    "CR2": (9, 15, 3, 3, 2, 15, 15, 1, 1, 80, 80, 1),
    "CR3": (1, 2, 15, 1, 80),
    "CRC": (2, 1, 3, 3, 3, 3, 3),
    "CTP": (2, 3, 17, 15, 0, 3, 10, 18, 2, 10, 2),
    "CUR": (3, 3, 10, 3, 3, 3, 3, 8, 8, 3, 8, 8, 3, 8, 8, 3, 8, 8, 3, 8, 8),
    "DMG": (3, 35, 1, 1, 1, 2, 3, 2, 15, 3, 30),
    "DTM": (3, 8, 8, 2, 3, 35),
    "DTP": (3, 3, 35),
    "FRM": (20, 1, 50, 8, 6),
    "HCP": (2, 18, 18, 50, 9, 50, 18, 48, 2, 48, 2, 15, 2, 2, 2),
    "HI": (0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1),
    "HL": (12, 12, 2, 1),
    "K3": (80, 2, 1),
    "LIN": (
        20,
        2,
        48,
        2,
        48,
        2,
        48,
        2,
        48,
        2,
        48,
        2,
        48,
        2,
        48,
        2,
        48,
        2,
        48,
        2,
        48,
        2,
        48,
        2,
        48,
        2,
        48,
        2,
        48,
        2,
        48,
    ),
    "LQ": (3, 30),
    "LX": (6,),
    "MEA": (2, 3, 20, 1, 20, 20, 2, 2, 2, 4, 3, 30),
    "MIA": (
        15,
        18,
        15,
        18,
        50,
        18,
        18,
        18,
        18,
        18,
        18,
        18,
        18,
        18,
        15,
        18,
        18,
        18,
        18,
        50,
        50,
        50,
        50,
        18,
    ),
    "MOA": (10, 18, 50, 50, 50, 50, 50, 18, 18),
    "N1": (3, 60, 2, 80, 2, 3),
    "N3": (55, 55),
    "N4": (30, 2, 15, 3, 2, 30, 3),
    "NM1": (3, 1, 60, 35, 25, 10, 10, 2, 80, 2, 3, 60),
    "NTE": (3, 80),
    "OI": (2, 2, 1, 1, 1, 1),
    "PAT": (2, 1, 2, 1, 3, 35, 2, 10, 1),
    "PER": (2, 60, 2, 256, 2, 256, 2, 256, 20),
    "PLB": (50, 8, 0, 18, 0, 18, 0, 18, 0, 18, 0, 18, 0, 18),
    "PRV": (3, 3, 50, 2, 1, 3),
    "PS1": (50, 18, 2),
    "PWK": (2, 2, 2, 3, 2, 80, 80, 1, 2),
    "QTY": (2, 15, 1, 30),
    "RDM": (2, 60, 256, 1, 1),
    "REF": (3, 50, 80, 1),
    "SBR": (1, 2, 50, 60, 3, 1, 1, 2, 2),
    "SV1": (0, 18, 2, 15, 2, 2, 0, 18, 1, 2, 1, 1, 2, 2, 1, 1, 50, 15, 18, 1, 1),
    "SV5": (0, 2, 15, 18, 18, 1, 1),
    "SVC": (0, 18, 18, 48, 15, 0, 15),
    "SVD": (80, 18, 0, 48, 15, 6),
    "TA1": (9, 6, 4, 1, 3),
    "TRN": (2, 50, 10, 50),
    "TS2": (18, 18, 18, 18, 18, 18, 15, 18, 18, 15, 15, 15, 15, 15, 18, 15, 18, 18, 18),
    "TS3": (
        50,
        2,
        8,
        15,
        18,
        18,
        18,
        18,
        18,
        18,
        18,
        18,
        18,
        18,
        18,
        18,
        18,
        18,
        18,
        18,
        18,
        18,
        15,
        18,
    ),
}

# Elements of type R (decimal numbers): their length counts digits only.
DECIMAL_ELEMENTS: dict[str, frozenset[int]] = {
    "AMT": frozenset([2]),
    "BPR": frozenset([2]),
    "CAS": frozenset([3, 4, 6, 7, 9, 10, 12, 13, 15, 16, 18, 19]),
    "CLM": frozenset([2]),
    "CLP": frozenset([3, 4, 5, 12, 13]),
    "CN1": frozenset([2, 3, 5]),
    "CR1": frozenset([2, 6]),
    "CR2": frozenset([2, 6, 7]),
    "CR3": frozenset([3]),
    "CTP": frozenset([3, 4, 7, 8]),
    "CUR": frozenset([3]),
    "DMG": frozenset([9]),
    "FRM": frozenset([5]),
    "HCP": frozenset([2, 3, 5, 7, 12]),
    "MEA": frozenset([3, 5, 6]),
    "MIA": frozenset([1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 24]),
    "MOA": frozenset([1, 2, 8, 9]),
    "PAT": frozenset([8]),
    "PLB": frozenset([4, 6, 8, 10, 12, 14]),
    "PS1": frozenset([2]),
    "QTY": frozenset([2]),
    "SV1": frozenset([2, 4, 8, 19]),
    "SV5": frozenset([3, 4, 5]),
    "SVC": frozenset([2, 3, 5, 7]),
    "SVD": frozenset([2, 5]),
    "TS2": frozenset([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]),
    "TS3": frozenset(
        [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24]
    ),
}


def over_long(segment_id: str, position: int, value: str) -> int | None:
    """The maximum length of element ``position`` when ``value`` exceeds it, else ``None``.

    >>> over_long("CLP", 1, "C" * 39), over_long("CLP", 3, "-1234567890123456.78")
    (38, None)
    """
    limits = ELEMENT_LIMITS.get(segment_id)
    if limits is None or position > len(limits) or not limits[position - 1]:
        return None
    limit = limits[position - 1]
    size = len(value)
    if size <= limit:
        return None
    if position in DECIMAL_ELEMENTS.get(segment_id, ()):
        size -= value.count("-") + value.count(".")
    return limit if size > limit else None
