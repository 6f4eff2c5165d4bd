"""The one error tree of medbill.

Every error medbill raises on purpose is a subclass of :class:`MedbillError`::

    MedbillError
    ├── ValidationError          bad input: names the field (path) and the value
    │   ├── CodeError            a code in the wrong format (ICD-10-CM, CPT/HCPCS, NPI, ...)
    │   └── PricingError         a service that cannot be priced (no fee, not payable, bad modifiers)
    ├── ClaimStateError          an invalid claim workflow transition
    ├── LedgerError              a ledger operation refused; the ledger is unchanged
    │   ├── UnbalancedEntryError debits and credits of an entry differ
    │   ├── UnbalancedRemittanceError an 835 that breaks a balancing rule (also a ValidationError)
    │   ├── DuplicateEntryError  an idempotency key reused with different content
    │   ├── StaleBalanceError    a balance a plan was computed from changed before posting
    │   ├── PeriodClosedError    an entry effective on or before a closed period's end
    │   ├── LedgerBusyError      another writer held the ledger longer than the busy timeout
    │   ├── UnknownAccountError  a question about a patient or claim the ledger never saw
    │   └── LedgerFileError      a file that is not a medbill ledger (left untouched)
    ├── ParseError               malformed input file (X12 segment, CSV line, TOML key)
    ├── FileReadError            a file that cannot be read (missing, a folder, no permission)
    └── PdfUnavailableError      a PDF was asked for without the ``medbill[pdf]`` extra

A :class:`ValidationError` carries ``field`` and ``value``. When one object has several
problems, one error is raised whose ``problems`` lists them (each itself a
:class:`ValidationError` with its own field path): the first 20, with ``problem_count``
counting them all, as its message does.

Privacy: messages never print protected health information in full. Fields holding
PHI pass ``phi=True`` and the message shows the masked value; ``value`` keeps the raw
value for programmatic use and is never part of ``str()`` or ``repr()``.
"""

from __future__ import annotations

import reprlib
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = [
    "ClaimStateError",
    "CodeError",
    "DuplicateEntryError",
    "FileReadError",
    "LedgerError",
    "MedbillError",
    "ParseError",
    "LedgerBusyError",
    "UnknownAccountError",
    "LedgerFileError",
    "PeriodClosedError",
    "PricingError",
    "StaleBalanceError",
    "UnbalancedEntryError",
    "UnbalancedRemittanceError",
    "ValidationError",
]


def _restore(cls: type[MedbillError], args: tuple[Any, ...]) -> MedbillError:
    # Rebuild an error without running its __init__: the message stays exactly as it was
    # built (PHI already masked) and the fields come back from the pickled state.
    error = cls.__new__(cls, *args)
    error.args = args
    return error


class MedbillError(Exception):
    """Root of every error medbill raises deliberately.

    Every medbill error pickles and copies with its message, its fields and (for a
    :class:`ValidationError`) all its problems and their PHI masking intact, so it can
    cross a ``ProcessPoolExecutor`` unchanged.

    >>> import pickle
    >>> from medbill import MedbillError
    >>> from medbill.codes import Icd10Cm
    >>> try:
    ...     Icd10Cm("11.9")
    ... except MedbillError as error:
    ...     print(type(error).__name__, str(pickle.loads(pickle.dumps(error))) == str(error))
    CodeError True
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (type(self), self.args), dict(self.__dict__))


SHOWN_LIMIT = 100
"""How many characters of a value an error message shows at most."""

MAX_LISTED_PROBLEMS = 20
"""How many problems a combined :class:`ValidationError` message lists (then the count)."""


_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = _REPR.maxlong = SHOWN_LIMIT


def _bounded_repr(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 256:
        return f"<int of about {int(value.bit_length() * 0.30103) + 1} digits>"
    if isinstance(value, str | bytes) and len(value) > SHOWN_LIMIT:
        value = value[:SHOWN_LIMIT]
        return repr(value)[:-1] + "…" + repr(value)[-1]
    try:
        text = _REPR.repr(value)
    except Exception:  # a value whose repr fails must not break the error itself
        return f"<{type(value).__name__} object>"
    return text if len(text) <= SHOWN_LIMIT else text[: SHOWN_LIMIT - 1] + "…"


def _shown(value: Any, phi: bool) -> str:
    if phi:
        from medbill._privacy import mask_value

        try:
            masked = mask_value(value)
        except Exception:  # masking must never fail open: show nothing of the value
            return f"<{type(value).__name__} value, masked>"
        return masked if len(masked) <= SHOWN_LIMIT else masked[: SHOWN_LIMIT - 1] + "…"
    return _bounded_repr(value)


class ValidationError(MedbillError, ValueError):
    """Bad input: the message names the field and the (masked, where PHI) value.

    ``problems`` holds every problem found on one object; for a single problem it is a
    one-element tuple holding the error itself.

    >>> from medbill import ValidationError
    >>> error = ValidationError("units", -1, "must be positive")
    >>> str(error)
    'units: must be positive (got -1)'
    >>> error.field, error.value
    ('units', -1)
    """

    field: str
    value: Any
    reason: str
    _problems: tuple[ValidationError, ...] | None
    _count: int

    def __init__(self, field: str, value: Any, reason: str, *, phi: bool = False) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        self.phi = phi
        self._problems = None  # one problem: itself (no reference cycle for the GC to chase)
        self._count = 1
        self._message: str | None = None  # built on first use
        super().__init__()

    @property
    def problems(self) -> tuple[ValidationError, ...]:
        """The problems found on one object, in order: the first
        :data:`MAX_LISTED_PROBLEMS` of them (a one-element tuple of itself for one).

        :attr:`problem_count` says how many there were in all.
        """
        return (self,) if self._problems is None else self._problems

    @property
    def problem_count(self) -> int:
        """How many problems were found, also those beyond :attr:`problems`.

        >>> error = ValidationError.combine(
        ...     [ValidationError(f"lines[{i}].units", 0, "must be positive") for i in range(25)])
        >>> error.problem_count, len(error.problems)
        (25, 20)
        """
        return getattr(self, "_count", len(self.problems))

    def __str__(self) -> str:
        if self._message is None:
            if self._problems is not None:
                self._message = self._combined_message()
            else:
                self._message = f"{self.field}: {self.reason} (got {_shown(self.value, self.phi)})"
        return self._message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"

    def renamed(self, field: str, *, phi: bool | None = None) -> ValidationError:
        """The same problem reported under another field path.

        >>> ValidationError("procedure_code", "9921", "must be 5 characters").renamed(
        ...     "lines[1].procedure").field
        'lines[1].procedure'
        """
        clone = type(self).__new__(type(self))
        ValidationError.__init__(
            clone, field, self.value, self.reason, phi=self.phi if phi is None else phi
        )
        return clone

    def at(self, prefix: str) -> ValidationError:
        """The same problem(s) with ``prefix`` put in front of each field path.

        >>> ValidationError("units", 0, "must be positive").at("lines[1]").field
        'lines[1].units'
        """

        def join(field: str) -> str:
            if not field:
                return prefix
            return f"{prefix}{field}" if field.startswith("[") else f"{prefix}.{field}"

        if self.problem_count > 1:
            return ValidationError.combine(
                [p.renamed(join(p.field)) for p in self.problems],
                more=self.problem_count - len(self.problems),
            )
        return self.renamed(join(self.field))

    @staticmethod
    def combine(problems: Sequence[ValidationError], *, more: int = 0) -> ValidationError:
        """One error listing the problems (or the single problem itself).

        The error keeps the first :data:`MAX_LISTED_PROBLEMS` problems and counts the rest
        (with ``more``, problems a caller counted without building them), so 20,000 bad
        lines cost no more memory than 20.

        >>> error = ValidationError.combine([
        ...     ValidationError("units", 0, "must be positive"),
        ...     ValidationError("charge", 1.5, "must be a Decimal, not float"),
        ... ])
        >>> print(error)
        2 problems:
          - units: must be positive (got 0)
          - charge: must be a Decimal, not float (got 1.5)
        >>> [p.field for p in error.problems]
        ['units', 'charge']
        """
        flat: list[ValidationError] = []
        count = more
        for problem in problems:
            count += problem.problem_count
            room = MAX_LISTED_PROBLEMS - len(flat)
            if room > 0:
                flat.extend(problem.problems[:room])
        if not flat:
            raise ValueError("combine() needs at least one problem")
        if count == 1:
            return flat[0]
        first = flat[0]
        error = ValidationError.__new__(ValidationError)
        error.field = first.field
        error.value = first.value
        error.reason = first.reason
        error.phi = first.phi
        error._problems = tuple(p.with_traceback(None) for p in flat)  # no frames pinned
        error._count = count
        error._message = None
        Exception.__init__(error)
        return error

    def _combined_message(self) -> str:
        listed = self.problems
        lines = "\n".join(f"  - {p}" for p in listed)
        rest = self.problem_count - len(listed)
        if rest > 0:
            lines += f"\n  ... and {rest} more"
        return f"{self.problem_count} problems:\n{lines}"


class CodeError(ValidationError):
    """A code in the wrong format (ICD-10-CM, CPT/HCPCS, modifier, NPI, CARC, ...).

    >>> from medbill import CodeError
    >>> from medbill.codes import Npi
    >>> try:
    ...     Npi("1234567890")
    ... except CodeError as error:
    ...     print(error)
    npi: check digit is 0, expected 3 (got '1234567890')
    """


class PricingError(ValidationError):
    """A service that cannot be priced: no fee for the code, not payable, bad modifiers.

    >>> from medbill import PricingError
    >>> print(PricingError("code", "99999", "no fee schedule entry on 2025-03-01"))
    code: no fee schedule entry on 2025-03-01 (got '99999')
    """


class ClaimStateError(MedbillError):
    """An invalid claim workflow transition; names the current and the requested state.

    >>> from medbill import ClaimStateError
    >>> print(ClaimStateError("draft", "paid"))
    cannot move a claim from 'draft' to 'paid'
    """

    def __init__(self, current: str, requested: str, reason: str = "") -> None:
        self.current = current
        self.requested = requested
        detail = f": {reason}" if reason else ""
        super().__init__(f"cannot move a claim from {current!r} to {requested!r}{detail}")


class LedgerError(MedbillError):
    """A ledger operation was refused; the ledger is exactly as it was before.

    >>> from medbill import LedgerError
    >>> print(LedgerError("unknown entry 'e-42'"))
    unknown entry 'e-42'
    """


class UnbalancedEntryError(LedgerError):
    """A journal entry whose debits and credits differ; nothing was written.

    >>> from decimal import Decimal
    >>> from medbill import UnbalancedEntryError
    >>> print(UnbalancedEntryError("charge-1", Decimal("100.00"), Decimal("99.99")))
    entry 'charge-1' does not balance: debits 100.00, credits 99.99 (difference 0.01)
    """

    def __init__(self, key: str, debits: Any, credits: Any) -> None:
        self.key = key
        self.debits = debits
        self.credits = credits
        super().__init__(
            f"entry {key!r} does not balance: debits {debits}, credits {credits} "
            f"(difference {debits - credits})"
        )


class DuplicateEntryError(LedgerError):
    """An idempotency key reused with different content.

    ``differs`` names what differs (field, the earlier value, the new one) when known.

    >>> from medbill import DuplicateEntryError
    >>> print(DuplicateEntryError("era-123/claim-1"))
    idempotency key 'era-123/claim-1' was already used for an entry with different content
    >>> print(DuplicateEntryError("pp-7", "references.patient: 'MRN-1' before, 'MRN-2' now"))
    idempotency key 'pp-7' was already used for an entry with different content: references.patient: 'MRN-1' before, 'MRN-2' now
    """

    def __init__(self, key: str, differs: str | None = None) -> None:
        self.key = key
        self.differs = differs
        super().__init__(
            f"idempotency key {key!r} was already used for an entry with different content"
            + (f": {differs}" if differs else "")
        )

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.key, self.differs))


class StaleBalanceError(LedgerError):
    r"""A balance a plan was computed from is not what it was; nothing was posted.

    Raised by :meth:`~medbill.ledger.Ledger.post_batch` when a balance named in
    ``expect`` differs inside the write transaction (another workstation posted in between): compute
    the plan again and post that.

    >>> from decimal import Decimal
    >>> from medbill import StaleBalanceError
    >>> print(StaleBalanceError("insurance_receivable[acme]", Decimal("80.00"), Decimal("0.00")))
    balance of insurance_receivable[acme] is 0.00, the plan expected 80.00; plan again
    """

    def __init__(self, account: str, expected: Any, actual: Any) -> None:
        self.account = account
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"balance of {account} is {actual}, the plan expected {expected}; plan again"
        )


class PeriodClosedError(LedgerError):
    """An entry would take effect on or before the end of a closed period.

    >>> import pendulum
    >>> from medbill import PeriodClosedError
    >>> print(PeriodClosedError("pay-7", pendulum.date(2025, 1, 20), pendulum.date(2025, 1, 31)))
    entry 'pay-7' is effective 2025-01-20, on or before 2025-01-31, the end of a closed period; post the correction in the open period
    """

    def __init__(self, key: str, effective: Any, closed_through: Any) -> None:
        self.key = key
        self.effective = effective
        self.closed_through = closed_through
        super().__init__(
            f"entry {key!r} is effective {effective}, on or before {closed_through}, the end "
            "of a closed period; post the correction in the open period"
        )


class LedgerBusyError(LedgerError):
    """Another writer held the ledger longer than the busy timeout; nothing was posted.

    >>> from medbill import LedgerBusyError
    >>> print(LedgerBusyError("ledger.sqlite", 5.0))
    ledger ledger.sqlite stayed locked by another writer for 5.0 s (the busy timeout); try again
    """

    def __init__(self, store: str, waited: float) -> None:
        self.store = store
        self.waited = waited
        super().__init__(
            f"ledger {store} stayed locked by another writer for {waited} s (the busy "
            "timeout); try again"
        )


class UnknownAccountError(LedgerError):
    """A ledger question about a patient or claim the ledger has never seen.

    Raised by :func:`~medbill.ledger.patient_balance`, :func:`~medbill.ledger.claim_balance`,
    :func:`~medbill.ledger.claim_history` and :func:`~medbill.ledger.statement` instead of
    answering 0.00 (or nothing) for a mistyped id; pass ``missing_ok=True`` to have 0.00.
    ``kind`` is ``"patient"`` or ``"claim"`` and ``identifier`` the id asked about; a
    patient's id (a medical record number) is masked in the message.

    >>> from medbill import UnknownAccountError
    >>> print(UnknownAccountError("claim", "C-404"))
    the ledger has no claim 'C-404' (pass missing_ok=True to answer zero for an id it has not seen)
    >>> print(UnknownAccountError("patient", "MRN-1001"))
    the ledger has no patient '****1001' (pass missing_ok=True to answer zero for an id it has not seen)
    """

    def __init__(self, kind: str, identifier: str) -> None:
        self.kind = kind
        self.identifier = identifier
        shown = identifier
        if kind == "patient":
            shown = "*" * max(len(identifier) - 4, len(identifier) if len(identifier) <= 4 else 0)
            shown += identifier[-4:] if len(identifier) > 4 else ""
        super().__init__(
            f"the ledger has no {kind} {shown!r} (pass missing_ok=True to answer zero for an "
            "id it has not seen)"
        )


class LedgerFileError(LedgerError):
    """A file that is not a medbill ledger; it was refused without being written to.

    Another application's SQLite database, a medbill-looking file whose application id or
    schema does not match, a text file, a folder or a truncated ledger. ``path`` is the
    file and ``reason`` what is wrong with it.

    >>> from medbill import LedgerFileError
    >>> print(LedgerFileError("notes.txt", "it is not an SQLite database"))
    cannot open 'notes.txt' as a medbill ledger: it is not an SQLite database (the file was not changed)
    """

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(
            f"cannot open {_bounded_repr(path)} as a medbill ledger: {reason} "
            "(the file was not changed)"
        )


class ParseError(MedbillError, ValueError):
    """Malformed input: names where (segment, line, key) and what was expected.

    X12 readers fill the structured fields: ``segment_index`` (the 1-based position of
    the segment in the input), ``segment_id``, ``element`` (its 1-based position) and
    ``value`` (the offending value, cut to 80 characters). The message is at most
    :data:`MESSAGE_LIMIT` characters; readers mask values that may be PHI before they
    put them in it. Every field survives pickling.

    >>> from medbill import ParseError
    >>> print(ParseError("expected a number", location="segment 12 (CLP), element 3"))
    segment 12 (CLP), element 3: expected a number
    >>> error = ParseError("expected a number", segment_index=12, segment_id="CLP", element=3)
    >>> error.segment_index, error.segment_id, error.element, error.value
    (12, 'CLP', 3, None)
    """

    MESSAGE_LIMIT = 300

    def __init__(
        self,
        message: str,
        *,
        location: str = "",
        segment_index: int | None = None,
        segment_id: str | None = None,
        element: int | None = None,
        value: str | None = None,
    ) -> None:
        # An X12 location (medbill.x12) carries its parts; a plain string does not.
        if segment_index is None:
            segment_index = getattr(location, "segment_index", None)
        if segment_id is None:
            segment_id = getattr(location, "segment_id", None)
        if element is None:
            element = getattr(location, "element", None)
        if value is None:
            value = getattr(location, "value", None)
        if not location and segment_index is not None:
            location = f"segment {segment_index} ({segment_id})"
            if element is not None:
                location += f", element {element}"
        self.location = str(location)
        self.segment_index = segment_index
        self.segment_id = segment_id[:10] if segment_id is not None else None
        self.element = element
        self.value = value[:80] if value is not None else None
        room = self.MESSAGE_LIMIT - (len(self.location) + 2 if self.location else 0)
        if len(message) > room:
            message = message[: max(room - 3, 20)] + "..."
        self.detail = message
        super().__init__(f"{self.location}: {message}" if self.location else message)

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild_parse_error,
            (
                type(self),
                self.detail,
                self.location,
                self.segment_index,
                self.segment_id,
                self.element,
                self.value,
            ),
        )


def _rebuild_parse_error(
    kind: type[ParseError],
    detail: str,
    location: str,
    segment_index: int | None,
    segment_id: str | None,
    element: int | None,
    value: str | None,
) -> ParseError:
    return kind(
        detail,
        location=location,
        segment_index=segment_index,
        segment_id=segment_id,
        element=element,
        value=value,
    )


def collect(checks: Iterable[ValidationError | None]) -> None:
    """Raise one error listing every problem among ``checks``; do nothing if there is none."""
    problems = [c for c in checks if c is not None]
    if problems:
        raise ValidationError.combine(problems)


class FileReadError(MedbillError, OSError):
    """A file medbill was asked to read cannot be read; the ``OSError`` is the cause.

    It is also an ``OSError``, so code that already catches those keeps working.

    >>> from medbill import FileReadError
    >>> print(FileReadError("contracts/acme.toml", "file not found"))
    file not found: contracts/acme.toml
    """

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{reason}: {path}")

    def __str__(self) -> str:
        return f"{self.reason}: {self.path}"


class UnbalancedRemittanceError(ValidationError, LedgerError):
    """A remittance that breaks an 835 balancing rule; ``imbalances`` lists every break.

    The one error for an imbalance, wherever it is found: reading an 835 with
    ``require_balanced=True``, planning or posting it. It is a :class:`ValidationError`
    (bad input) and a :class:`LedgerError` (nothing was posted).

    >>> import attrs
    >>> from decimal import Decimal
    >>> from medbill import UnbalancedRemittanceError
    >>> from medbill.testing import make_remittance
    >>> era = make_remittance()
    >>> claim = attrs.evolve(era.claim_payments[0], paid=era.claim_payments[0].paid + Decimal("0.10"))
    >>> error = UnbalancedRemittanceError(era.id, attrs.evolve(era, claim_payments=(claim,)).imbalances())
    >>> print(error)  # doctest: +NORMALIZE_WHITESPACE
    remittance: does not balance, nothing was posted: claim CLM-0001: charge - adjustments -
    paid is off by -0.10; remittance EFT-0001: claim payments - provider adjustments -
    payment amount is off by 0.10 (got 'EFT-0001')
    """

    imbalances: tuple[Any, ...]

    def __init__(self, remittance_id: str, imbalances: Iterable[Any]) -> None:
        self.imbalances = tuple(imbalances)
        detail = "; ".join(str(i) for i in self.imbalances)
        super().__init__(
            "remittance", remittance_id, f"does not balance, nothing was posted: {detail}"
        )


# The errors are public as ``medbill.<Name>``: tracebacks, reprs and pickles name that module,
# so no traceback (or doctest showing one) points users at this private module.
for _error in (
    MedbillError,
    ValidationError,
    CodeError,
    PricingError,
    ClaimStateError,
    LedgerError,
    UnbalancedEntryError,
    DuplicateEntryError,
    StaleBalanceError,
    PeriodClosedError,
    LedgerBusyError,
    UnknownAccountError,
    LedgerFileError,
    ParseError,
    FileReadError,
    UnbalancedRemittanceError,
):
    _error.__module__ = "medbill"
del _error
