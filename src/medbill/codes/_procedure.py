"""Procedure codes: CPT (Category I, II, III) and HCPCS Level II."""

from __future__ import annotations

from typing import ClassVar

from medbill._enums import MedbillEnum
from medbill._errors import CodeError
from medbill.codes._base import Code

__all__ = ["ProcedureCode", "ProcedureKind"]


class ProcedureKind(MedbillEnum):
    """Which code set a procedure code belongs to (from its shape, per AMA CPT and CMS HCPCS).

    >>> from medbill.codes import ProcedureCode, ProcedureKind
    >>> ProcedureCode("0042T").kind is ProcedureKind.CPT_CATEGORY_III
    True
    """

    CPT_CATEGORY_I = "cpt-category-i"
    CPT_CATEGORY_II = "cpt-category-ii"
    CPT_CATEGORY_III = "cpt-category-iii"
    HCPCS_LEVEL_II = "hcpcs-level-ii"


class ProcedureCode(Code):
    """A CPT or HCPCS Level II procedure code; ``kind`` says which.

    CPT Category I is 5 digits (``99213``), or 4 digits and ``A`` (vaccine
    administration, ``0001A``), ``M`` (multianalyte assays, ``0002M``) or ``U``
    (proprietary laboratory analyses, ``0001U``); Category II is 4 digits and ``F``,
    Category III 4 digits and ``T``, HCPCS Level II a letter and 4 digits (``G0439``).

    >>> from medbill.codes import ProcedureCode
    >>> ProcedureCode("g0439").kind.value
    'hcpcs-level-ii'
    >>> ProcedureCode("99213").kind.value
    'cpt-category-i'
    >>> [ProcedureCode(c).kind.value for c in ("0001A", "0002M", "0001U")]
    ['cpt-category-i', 'cpt-category-i', 'cpt-category-i']
    >>> ProcedureCode("9921")
    Traceback (most recent call last):
    ...
    medbill.CodeError: procedure_code: must be 5 characters, not 4 (got '9921')
    """

    __slots__ = ()
    field: ClassVar[str] = "procedure_code"

    @classmethod
    def _canonical(cls, value: str) -> str:
        code = value.strip().upper()
        if len(code) != 5:
            raise CodeError(cls.field, value, f"must be 5 characters, not {len(code)}")
        if not code.isascii() or not code.isalnum():
            raise CodeError(cls.field, value, "may hold only letters and digits")
        if _kind(code) is None:
            raise CodeError(
                cls.field,
                value,
                "is neither CPT (5 digits, or 4 digits and A, M, U, F or T) "
                "nor HCPCS Level II (a letter and 4 digits)",
            )
        return code

    @property
    def kind(self) -> ProcedureKind:
        """The code set, read from the code's shape."""
        kind = _kind(str.__str__(self))
        if kind is None:  # pragma: no cover - excluded at construction
            raise CodeError(self.field, str(self), "unknown procedure code shape")
        return kind


_CATEGORY_I_LETTERS = frozenset("AMU")


def _kind(code: str) -> ProcedureKind | None:
    head, last = code[:4], code[4]
    if head.isdigit():
        # Category I also holds 4 digits and A (vaccine administration, 0001A), M
        # (multianalyte assays with algorithmic analyses, 0002M) and U (proprietary
        # laboratory analyses, 0001U): AMA CPT code set, "CPT Category I" code formats.
        if last.isdigit() or last in _CATEGORY_I_LETTERS:
            return ProcedureKind.CPT_CATEGORY_I
        if last == "F":
            return ProcedureKind.CPT_CATEGORY_II
        if last == "T":
            return ProcedureKind.CPT_CATEGORY_III
        return None
    if head[0].isalpha() and head[1:].isdigit() and last.isdigit():
        return ProcedureKind.HCPCS_LEVEL_II
    return None
