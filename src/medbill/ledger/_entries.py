"""Journal entries and their postings: immutable, balanced to the cent by construction."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Final

import attrs
import pendulum

from medbill._enums import MedbillEnum
from medbill._errors import LedgerError, UnbalancedEntryError
from medbill._money import MAX_MONEY
from medbill._trusted import trusted_positional
from medbill.ledger._accounts import Account

__all__ = ["MAX_AMOUNT", "EntryKind", "JournalEntry", "Posting", "References"]

_ZERO_OFFSET = _dt.timedelta(0)

MAX_AMOUNT: Final = MAX_MONEY
"""The largest amount one posting may carry (in either direction), on every store: the one
bound on money (9,999,999,999.99) for every amount medbill accepts.

Amounts are kept as integer cents (SQLite ``INTEGER``, PostgreSQL ``bigint``, both 64-bit):
at this bound a single account can take about 900,000 maximal postings before a 64-bit
balance could overflow, which no billing office approaches.
"""
_MAX_CENTS: Final = 999_999_999_999


def _cents(amount: object, account: object) -> int:
    """Whole cents of an exact amount; ``LedgerError`` for floats, fractions of a cent, zero."""
    where = _Where(account)
    if type(amount) is not Decimal:
        if isinstance(amount, int) and not isinstance(amount, bool):
            amount = Decimal(amount)
        else:
            raise LedgerError(
                f"{where}: amount must be a Decimal, not {type(amount).__name__} (got {amount!r})"
            )
    if not amount.is_finite():
        raise LedgerError(f"{where}: amount must be finite (got {amount!r})")
    scaled = amount.scaleb(2)
    whole = scaled.to_integral_value()
    if scaled != whole:
        raise LedgerError(f"{where}: amount must be whole cents (got {amount!r})")
    cents = int(whole)
    if cents == 0:
        raise LedgerError(f"{where}: amount must not be zero")
    if not -_MAX_CENTS <= cents <= _MAX_CENTS:
        raise LedgerError(f"{where}: amount must be at most {MAX_AMOUNT} (got {amount!r})")
    return cents


class _Where:
    """Formats "posting to <account>" only when an error message needs it."""

    __slots__ = ("account",)

    def __init__(self, account: object) -> None:
        self.account = account

    def __format__(self, spec: str) -> str:
        return f"posting to {self.account}"


def _money(cents: int) -> Decimal:
    """``cents`` as a ``Decimal`` of whole cents (exponent -2), shared per value: a Decimal
    is immutable, and a plan of a large file builds the same few thousand amounts many
    times over (each ``Decimal`` construction costs more than the lookup)."""
    found = _AMOUNTS.get(cents)
    if found is None:
        found = Decimal(cents).scaleb(-2)
        if len(_AMOUNTS) < 65_536:
            _AMOUNTS[cents] = found
    return found


_AMOUNTS: dict[int, Decimal] = {}


@attrs.frozen(init=False)
class Posting:
    """One line of a journal entry: an account and a signed amount.

    A positive amount is a debit, a negative one a credit. ``Posting.debit`` and
    ``Posting.credit`` take positive amounts and say which side they are on.

    >>> from decimal import Decimal
    >>> from medbill.ledger import Account, Posting
    >>> posting = Posting.credit(Account.cash(), Decimal("20.00"))
    >>> posting.amount, posting.side
    (Decimal('-20.00'), 'credit')
    >>> Posting(Account.cash(), Decimal("0.005"))
    Traceback (most recent call last):
    ...
    medbill.LedgerError: posting to cash: amount must be whole cents (got Decimal('0.005'))
    """

    account: Account
    amount: Decimal
    cents: int = attrs.field(eq=False, repr=False)

    def __init__(self, account: Account, amount: Decimal) -> None:
        if type(account) is not Account:
            raise LedgerError(f"posting account must be an Account (got {account!r})")
        cents = _cents(amount, account)
        self.__attrs_init__(account, _money(cents), cents)

    @classmethod
    def debit(cls, account: Account, amount: Decimal) -> Posting:
        """A debit of ``amount`` (which must be positive) to ``account``.

        >>> from decimal import Decimal
        >>> from medbill.ledger import Account, Posting
        >>> Posting.debit(Account.cash(), Decimal("5.00")).amount
        Decimal('5.00')
        """
        if isinstance(amount, Decimal) and amount < 0:
            raise LedgerError(f"debit to {account}: amount must be positive (got {amount!r})")
        return cls(account, amount)

    @classmethod
    def credit(cls, account: Account, amount: Decimal) -> Posting:
        """A credit of ``amount`` (which must be positive) to ``account``.

        >>> from decimal import Decimal
        >>> from medbill.ledger import Account, Posting
        >>> Posting.credit(Account.cash(), Decimal("5.00")).amount
        Decimal('-5.00')
        """
        if isinstance(amount, Decimal) and amount < 0:
            raise LedgerError(f"credit to {account}: amount must be positive (got {amount!r})")
        return cls(account, -amount if isinstance(amount, Decimal) else amount)

    @property
    def side(self) -> str:
        """``'debit'`` or ``'credit'``."""
        return "debit" if self.cents > 0 else "credit"

    def mirrored(self) -> Posting:
        """The same posting on the other side (used by reversals)."""
        return Posting(self.account, -self.amount)


_POSTING = trusted_positional(Posting, "account", "amount", "cents")


def planned_posting(account: Account, amount: Decimal) -> Posting:
    """``Posting(account, amount)`` for an amount a recipe computed from validated money.

    The result is the object the constructor builds: the amount is checked to be whole
    cents (it must equal its cents exactly), non-zero and within :data:`MAX_AMOUNT`;
    anything else goes through the constructor, which raises the usual error.
    """
    if type(account) is Account and type(amount) is Decimal and amount.is_finite():
        cents = int(amount * 100)
        money = _money(cents)
        if money == amount and cents and -_MAX_CENTS <= cents <= _MAX_CENTS:
            return _POSTING(account, money, cents)
    return Posting(account, amount)


class EntryKind(MedbillEnum):
    """What business event an entry records (used by statements and claim histories).

    >>> from medbill.ledger import EntryKind
    >>> EntryKind("claim_payment").name
    'CLAIM_PAYMENT'
    """

    GENERAL = "general"
    CHARGE = "charge"
    CLAIM_PAYMENT = "claim_payment"
    DENIAL = "denial"
    PROVIDER_ADJUSTMENT = "provider_adjustment"
    PATIENT_PAYMENT = "patient_payment"
    CREDIT_APPLIED = "credit_applied"
    REFUND = "refund"
    REFUND_PAID = "refund_paid"
    WRITE_OFF = "write_off"
    TRANSFER = "transfer"
    REVERSAL = "reversal"
    DEPOSIT = "deposit"
    PERIOD_CLOSE = "period_close"


def _optional_text(value: Any) -> Any:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise LedgerError(f"reference must be a non-empty string or None (got {value!r})")
    return value


def _optional_date(value: Any) -> Any:
    if value is not None and (
        not isinstance(value, pendulum.Date) or isinstance(value, _dt.datetime)
    ):
        raise LedgerError(f"references.service_date must be a pendulum.Date (got {value!r})")
    return value


@attrs.frozen(kw_only=True)
class References:
    """What an entry refers to: patient, payer, claim, line, remittance, check/EFT trace.

    ``service_date`` is the claim's first date of service, set by the charge recipe (aging
    by date of service reads it). ``provider`` is the NPI of the provider the entry is
    about: the charge recipe sets the claim's rendering provider (loop 2310B), or its
    billing provider (loop 2010AA) when none renders; the activity report attributes an
    entry on a claim without one to the claim's charge provider.

    >>> from medbill.ledger import References
    >>> References(claim="C-1", remittance="ERA-7", trace="EFT-0001").claim
    'C-1'
    """

    patient: str | None = attrs.field(default=None, converter=_optional_text)
    payer: str | None = attrs.field(default=None, converter=_optional_text)
    claim: str | None = attrs.field(default=None, converter=_optional_text)
    line: str | None = attrs.field(default=None, converter=_optional_text)
    remittance: str | None = attrs.field(default=None, converter=_optional_text)
    trace: str | None = attrs.field(default=None, converter=_optional_text)
    service_date: pendulum.Date | None = attrs.field(default=None, converter=_optional_date)
    provider: str | None = attrs.field(default=None, converter=_optional_text)


NO_REFERENCES = References()
_REFERENCES = trusted_positional(
    References, "patient", "payer", "claim", "line", "remittance", "trace"
)


def _text_or_none(value: object) -> bool:
    return value is None or (type(value) is str and bool(value) and not value.isspace())


def planned_references(
    patient: str | None = None,
    payer: str | None = None,
    claim: str | None = None,
    remittance: str | None = None,
    trace: str | None = None,
    line: str | None = None,
) -> References:
    """``References(...)`` of plain ids, built without the converters' machinery.

    The same checks run (each id a non-empty string or ``None``); anything else falls
    back to the validating constructor, which raises the usual error.
    """
    if (
        _text_or_none(patient)
        and _text_or_none(payer)
        and _text_or_none(claim)
        and _text_or_none(remittance)
        and _text_or_none(trace)
        and _text_or_none(line)
    ):
        return _REFERENCES(patient, payer, claim, line, remittance, trace)
    return References(  # pragma: no cover - raises
        patient=patient, payer=payer, claim=claim, line=line, remittance=remittance, trace=trace
    )


def _utc(value: object, key: str) -> pendulum.DateTime | None:
    if value is None:
        return None
    if type(value) is pendulum.DateTime and value.tzinfo is pendulum.UTC:
        return value  # already UTC (asking pendulum for the offset costs microseconds)
    if not isinstance(value, pendulum.DateTime):
        raise LedgerError(f"entry {key!r}: recorded_at must be a pendulum.DateTime (got {value!r})")
    offset = value.utcoffset()
    if offset is None:
        raise LedgerError(f"entry {key!r}: recorded_at must carry a time zone (got {value!r})")
    if offset != _ZERO_OFFSET or value.tzinfo is not pendulum.UTC:
        return value.in_timezone("UTC")
    return value


@attrs.frozen(init=False)
class JournalEntry:
    """An immutable set of postings that balance to the cent, with its idempotency key.

    ``key`` identifies the entry: posting the same key again with the same content returns
    the original entry; with different content it raises :class:`~medbill.DuplicateEntryError`.
    ``effective`` is the accounting date; ``recorded_at`` the instant it was recorded (from
    the caller, or the ledger's injected clock when ``None``). An entry with no postings
    records an event that moves no money (a denial). ``reverses`` names the entry a
    reversal mirrors. ``actor`` says who posted it (a user or workstation id; the ledger's
    ``actor`` when ``None``) and ``source`` its source document (for example
    ``"835 TRN02=EFT123 sha256=ab12..."`` or ``"receipt R-1009"``): the audit trail
    :meth:`~medbill.ledger.Ledger.history` lists.

    >>> import pendulum
    >>> from decimal import Decimal
    >>> from medbill.ledger import Account, JournalEntry, Posting
    >>> entry = JournalEntry(
    ...     key="pay-1", effective=pendulum.date(2025, 4, 1),
    ...     postings=[Posting.debit(Account.cash(), Decimal("20.00")),
    ...               Posting.credit(Account.patient_credit("MRN-1"), Decimal("20.00"))])
    >>> entry.total
    Decimal('20.00')
    >>> JournalEntry(key="bad", effective=pendulum.date(2025, 4, 1),
    ...              postings=[Posting.debit(Account.cash(), Decimal("20.00")),
    ...                        Posting.credit(Account.patient_credit("MRN-1"), Decimal("19.99"))])
    Traceback (most recent call last):
    ...
    medbill.UnbalancedEntryError: entry 'bad' does not balance: ... (difference 0.01)
    """

    key: str
    effective: pendulum.Date
    postings: tuple[Posting, ...]
    kind: EntryKind
    memo: str
    references: References
    recorded_at: pendulum.DateTime | None
    reverses: str | None
    actor: str | None
    source: str | None

    def __init__(
        self,
        *,
        key: str,
        effective: pendulum.Date,
        postings: Iterable[Posting],
        kind: EntryKind = EntryKind.GENERAL,
        memo: str = "",
        references: References = NO_REFERENCES,
        recorded_at: pendulum.DateTime | None = None,
        reverses: str | None = None,
        actor: str | None = None,
        source: str | None = None,
    ) -> None:
        if type(key) is not str or not key.strip():
            raise LedgerError(f"entry key must be a non-empty string (got {key!r})")
        if not isinstance(effective, pendulum.Date) or isinstance(effective, _dt.datetime):
            raise LedgerError(
                f"entry {key!r}: effective must be a pendulum.Date (got {effective!r})"
            )
        postings = tuple(postings)
        total = 0
        for posting in postings:
            if type(posting) is not Posting:
                raise LedgerError(f"entry {key!r}: postings must be Posting (got {posting!r})")
            total += posting.cents
        if total:
            debits = sum(p.cents for p in postings if p.cents > 0)
            raise UnbalancedEntryError(key, _money(debits), _money(debits - total))
        if type(kind) is not EntryKind:
            raise LedgerError(f"entry {key!r}: kind must be an EntryKind (got {kind!r})")
        if not isinstance(memo, str):
            raise LedgerError(f"entry {key!r}: memo must be a string (got {memo!r})")
        if type(references) is not References:
            raise LedgerError(f"entry {key!r}: references must be References (got {references!r})")
        if reverses is not None and (type(reverses) is not str or not reverses):
            raise LedgerError(f"entry {key!r}: reverses must be an entry key (got {reverses!r})")
        for name, value in (("actor", actor), ("source", source)):
            if value is not None and (type(value) is not str or not value.strip()):
                raise LedgerError(
                    f"entry {key!r}: {name} must be a non-empty string (got {value!r})"
                )
        self.__attrs_init__(
            key,
            effective,
            postings,
            kind,
            memo,
            references,
            _utc(recorded_at, key),
            reverses,
            actor,
            source,
        )

    @property
    def total(self) -> Decimal:
        """The sum of the debits (equal to the sum of the credits)."""
        return _money(sum(p.cents for p in self.postings if p.cents > 0))

    def same_content(self, other: JournalEntry) -> bool:
        """Whether ``other`` records the same thing (``recorded_at``, ``actor``, ``source`` aside).

        Who posted an entry and from which copy of the document is audit data: two
        workstations posting the same payment record the same thing.

        >>> import pendulum
        >>> from decimal import Decimal
        >>> from medbill.ledger import Account, JournalEntry, Posting
        >>> def entry(at):
        ...     return JournalEntry(key="k", effective=pendulum.date(2025, 1, 2), recorded_at=at,
        ...         postings=[Posting.debit(Account.cash(), Decimal("1.00")),
        ...                   Posting.credit(Account.patient_credit("P"), Decimal("1.00"))])
        >>> entry(pendulum.datetime(2025, 1, 2)).same_content(entry(pendulum.datetime(2025, 1, 3)))
        True
        """
        return (
            self.key == other.key
            and self.effective == other.effective
            and self.postings == other.postings
            and self.kind is other.kind
            and self.memo == other.memo
            and self.references == other.references
            and self.reverses == other.reverses
        )

    def difference(self, other: JournalEntry) -> str | None:
        """What differs between this entry and ``other`` (``recorded_at``, ``actor``,
        ``source`` aside), as
        ``"field: <this> before, <other> now"``; ``None`` when they record the same thing.

        >>> import pendulum
        >>> from decimal import Decimal
        >>> from medbill.ledger import Account, JournalEntry, Posting
        >>> def entry(patient):
        ...     return JournalEntry(key="k", effective=pendulum.date(2025, 1, 2),
        ...         postings=[Posting.debit(Account.cash(), Decimal("1.00")),
        ...                   Posting.credit(Account.patient_credit(patient), Decimal("1.00"))])
        >>> print(entry("P").difference(entry("Q")))
        postings: patient_credit[P] -1.00 before, patient_credit[Q] -1.00 now
        """
        if self.postings != other.postings:
            mine = [f"{p.account} {p.amount}" for p in self.postings]
            theirs = [f"{p.account} {p.amount}" for p in other.postings]
            gone = [p for p in mine if p not in theirs] or ["(none)"]
            new = [p for p in theirs if p not in mine] or ["(none)"]
            return f"postings: {', '.join(gone)} before, {', '.join(new)} now"
        for name in ("effective", "kind", "memo", "reverses"):
            if getattr(self, name) != getattr(other, name):
                return f"{name}: {getattr(self, name)!r} before, {getattr(other, name)!r} now"
        for field in attrs.fields(References):
            before, now = (
                getattr(self.references, field.name),
                getattr(other.references, field.name),
            )
            if before != now:
                return f"references.{field.name}: {before!r} before, {now!r} now"
        return None

    def with_recorded_at(
        self, recorded_at: pendulum.DateTime, actor: str | None = None
    ) -> JournalEntry:
        """This entry recorded at ``recorded_at`` (by ``actor``, when it names nobody yet).

        Only the new values are checked: the rest was validated when this entry was made
        (the ledger stamps every entry a recipe posts, so this is on the posting path).
        """
        actor = self.actor or actor
        if actor is not None and (type(actor) is not str or not actor.strip()):
            raise LedgerError(
                f"entry {self.key!r}: actor must be a non-empty string (got {actor!r})"
            )
        stamped = object.__new__(JournalEntry)
        stamped.__attrs_init__(
            self.key,
            self.effective,
            self.postings,
            self.kind,
            self.memo,
            self.references,
            _utc(recorded_at, self.key),
            self.reverses,
            actor,
            self.source,
        )
        return stamped

    def render(self) -> str:
        """A plain-text rendering: one line per posting, debits then credits.

        >>> import pendulum
        >>> from decimal import Decimal
        >>> from medbill.ledger import Account, JournalEntry, Posting
        >>> entry = JournalEntry(key="pay-1", effective=pendulum.date(2025, 4, 1), memo="copay",
        ...     postings=[Posting.debit(Account.cash(), Decimal("20.00")),
        ...               Posting.credit(Account.patient_credit("MRN-1"), Decimal("20.00"))])
        >>> print(entry.render())
        2025-04-01 pay-1 (general)
          ; copay
          Dr cash                                   20.00
          Cr patient_credit[MRN-1]                  20.00
        """
        lines = [f"{self.effective} {self.key} ({self.kind.value})"]
        if self.memo:
            lines.append(f"  ; {self.memo}")
        ordered = sorted(self.postings, key=lambda p: p.cents < 0)
        for posting in ordered:
            side = "Dr" if posting.cents > 0 else "Cr"
            lines.append(f"  {side} {posting.account!s:<36} {abs(posting.amount):>9}")
        return "\n".join(lines)


_ENTRY = trusted_positional(
    JournalEntry,
    "key",
    "effective",
    "postings",
    "kind",
    "memo",
    "references",
    "recorded_at",
    "reverses",
    "actor",
    "source",
)


def planned_entry(
    *,
    key: str,
    effective: pendulum.Date,
    postings: tuple[Posting, ...],
    kind: EntryKind,
    memo: str,
    references: References,
    recorded_at: pendulum.DateTime | None,
) -> JournalEntry:
    """``JournalEntry(...)`` of what a recipe planned, with the checks that can fail.

    A recipe builds its postings with :func:`planned_posting`, its references with
    :func:`planned_references` and takes its dates from validated documents: the key,
    the balance to the cent and ``recorded_at`` are still checked; anything unusual
    goes through the validating constructor (same object, or the usual error).
    """
    if (
        type(key) is str
        and key
        and not key.isspace()
        and type(effective) is pendulum.Date
        and type(postings) is tuple
        and type(kind) is EntryKind
        and type(memo) is str
        and type(references) is References
    ):
        total = 0
        for posting in postings:
            if type(posting) is not Posting:
                break
            total += posting.cents
        else:
            if not total:
                stamped = _utc(recorded_at, key)
                return _ENTRY(
                    key, effective, postings, kind, memo, references, stamped, None, None, None
                )
    return JournalEntry(
        key=key,
        effective=effective,
        postings=postings,
        kind=kind,
        memo=memo,
        references=references,
        recorded_at=recorded_at,
    )
