"""Membership in the real ICD-10-CM code list: billable code, header, or nonexistent.

A well-formed code may still not exist (``E11.99``) or be a category header that cannot
be billed (``E11``: only its most specific subcodes are billable). The code list comes
from the CMS/CDC "order file" (``icd10cm_order_YYYY.txt``) or, with the extra
``medbill[icd10]``, from the ``simple-icd-10-cm`` package.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Mapping

from medbill._enums import MedbillEnum
from medbill._errors import CodeError, ParseError
from medbill._files import open_text
from medbill.codes._icd10 import Icd10Cm
from medbill.codes._icd10_tabular import Icd10Note, read_icd10_tabular

__all__ = ["Icd10CodeSet", "Icd10Status"]


class Icd10Status(MedbillEnum):
    """What a code list says about a well-formed ICD-10-CM code."""

    BILLABLE = "billable"
    HEADER = "header"
    UNKNOWN = "unknown"


class Icd10CodeSet:
    """A loaded ICD-10-CM code list.

    >>> from medbill.codes import Icd10CodeSet, Icd10Status
    >>> codes = Icd10CodeSet(billable=["E11.9", "I10"], headers=["E11"])
    >>> codes.status("e119"), codes.status("E11"), codes.status("E11.99")
    (<Icd10Status.BILLABLE: 'billable'>, <Icd10Status.HEADER: 'header'>, <Icd10Status.UNKNOWN: 'unknown'>)
    >>> codes.require_billable("E11")
    Traceback (most recent call last):
    ...
    medbill.CodeError: icd10cm: is a category header, not billable; code to the highest specificity (got 'E11')
    """

    def __init__(
        self,
        *,
        billable: Iterable[str],
        headers: Iterable[str] = (),
        outside_format: Iterable[str] = (),
        notes: Mapping[str, tuple[Icd10Note, ...]] | None = None,
        source: str = "",
    ) -> None:
        self._billable = frozenset(str(Icd10Cm(c)) for c in billable)
        self._headers = frozenset(str(Icd10Cm(c)) for c in headers)
        self.outside_format: tuple[str, ...] = tuple(sorted(outside_format))
        """Codes of the source list that break the 3-7 character, letter-digit shape
        :class:`Icd10Cm` enforces (kept here, reported, never silently dropped)."""
        self._notes = {str(Icd10Cm(k)): tuple(v) for k, v in (notes or {}).items()}
        self._note_cache: dict[str, tuple[Icd10Note, ...]] = {}
        self.source = source
        """Where the list came from (file and release), quoted in findings."""

    def __len__(self) -> int:
        return len(self._billable) + len(self._headers)

    def status(self, code: Icd10Cm | str) -> Icd10Status:
        """Billable, header, or unknown to this list."""
        canonical = str(Icd10Cm(code))
        if canonical in self._billable:
            return Icd10Status.BILLABLE
        if canonical in self._headers:
            return Icd10Status.HEADER
        return Icd10Status.UNKNOWN

    def notes(self, code: Icd10Cm | str) -> tuple[Icd10Note, ...]:
        """The sex and age notes of the Tabular List that apply to ``code`` (own or inherited).

        >>> from medbill.codes import Icd10CodeSet, Icd10NoteKind
        >>> note = Icd10Note(Icd10NoteKind.MALE, "section N40-N53", "Diseases of male genital organs")
        >>> codes = Icd10CodeSet(billable=["N40.0"], headers=["N40"], notes={"N40": (note,)})
        >>> [n.kind.value for n in codes.notes("N40.0")]
        ['male']
        """
        canonical = str(code)
        cached = self._note_cache.get(canonical)
        if cached is not None:
            return cached
        found: tuple[Icd10Note, ...] = ()
        key = canonical
        while len(key) >= 3:
            if key in self._notes:
                found = self._notes[key]
                break
            key = key[:-1].rstrip("X").rstrip(".")
        self._note_cache[canonical] = found
        return found

    def is_billable(self, code: Icd10Cm | str) -> bool:
        """Whether ``code`` may be billed."""
        return self.status(code) is Icd10Status.BILLABLE

    def require_billable(self, code: Icd10Cm | str) -> Icd10Cm:
        """``code`` as an :class:`Icd10Cm`, or :class:`~medbill.CodeError` saying why not."""
        parsed = Icd10Cm(code)
        status = self.status(parsed)
        if status is Icd10Status.HEADER:
            raise CodeError(
                Icd10Cm.field,
                str(code),
                "is a category header, not billable; code to the highest specificity",
            )
        if status is Icd10Status.UNKNOWN:
            raise CodeError(Icd10Cm.field, str(code), "is not in the ICD-10-CM code list")
        return parsed

    @classmethod
    def from_order_file(cls, path: str | os.PathLike[str]) -> Icd10CodeSet:
        """Load the CMS/CDC ICD-10-CM order file (fixed width, one code per line).

        Layout (CMS "ICD-10-CM Order File" documentation): columns 1-5 order number,
        7-13 the code without its dot, 15 ``1`` for billable or ``0`` for a header,
        17-76 the short description, 78 on the long description.
        """
        billable: list[str] = []
        headers: list[str] = []
        with open_text(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                code, flag = line[6:13].strip(), line[14:15]
                if flag not in {"0", "1"}:
                    raise ParseError(
                        f"column 15 must be 0 or 1, got {flag!r}",
                        location=f"{os.fspath(path)}, line {number}",
                    )
                try:
                    (billable if flag == "1" else headers).append(str(Icd10Cm(code)))
                except CodeError as error:
                    raise ParseError(
                        str(error), location=f"{os.fspath(path)}, line {number}"
                    ) from None
        return cls(billable=billable, headers=headers)

    @classmethod
    def from_tabular_xml(cls, path: str | os.PathLike[str]) -> Icd10CodeSet:
        """Load the CDC ICD-10-CM Tabular List XML (``icd10cm-tabular-2026.xml``) with its notes.

        The billable codes include the 7th-character codes the file defines through
        ``sevenChrDef``; the notes are those of :func:`read_icd10_tabular` (sex and age).
        """
        content = read_icd10_tabular(path)
        name = os.path.basename(os.fspath(path))
        return cls(
            billable=content.billable,
            headers=content.headers,
            notes=content.notes,
            outside_format=content.outside_format,
            source=f"ICD-10-CM Tabular List {content.version} ({name})",
        )

    @classmethod
    def from_simple_icd_10_cm(cls) -> Icd10CodeSet:
        """Load the list shipped by ``simple-icd-10-cm`` (install ``medbill[icd10]``)."""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                import simple_icd_10_cm as icd  # type: ignore[import-untyped]
        except ImportError as error:  # pragma: no cover - depends on the environment
            raise ImportError(
                "Icd10CodeSet.from_simple_icd_10_cm needs the extra: pip install 'medbill[icd10]'"
            ) from error
        billable: list[str] = []
        headers: list[str] = []
        outside: list[str] = []
        for code in icd.get_all_codes(False):
            if icd.is_chapter_or_block(code):
                continue
            try:
                Icd10Cm(code)
            except CodeError:
                outside.append(code)
                continue
            (billable if icd.is_leaf(code) else headers).append(code)
        return cls(billable=billable, headers=headers, outside_format=outside)
