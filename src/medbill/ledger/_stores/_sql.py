"""What the SQL stores share: balances, roll-ups and look-ups kept in the database.

:class:`SqlStore` holds the logic; ``SqliteStore`` and ``PostgresStore`` (what
``Ledger.open`` builds) add a connection, a dialect and their migrations.

Tables (schema version 4; the DDL of each dialect sits with its store)::

    accounts(id, ident UNIQUE, code, patient, payer, level, claim, line, closed, balance,
             first_debit)                             -- first day of growth (receivables)
    rollups(id, ident UNIQUE, balance)                 -- one row per roll-up (see ROLLUPS)
    daily(account_id, day, cents)                     -- net change per account and effective day
    entries(seq, key UNIQUE, kind, effective, recorded_at, memo, patient, payer, claim, line,
            remittance, trace, service_date, reverses UNIQUE, actor, source, provider,
            postings)                                 -- packed: "[id,cents,id,cents,...]"
    subjects(subject, seq)                            -- "c:<claim>" / "p:<patient>" -> entries
    claims(claim, patient, service_date)
    ledger_meta(name, value)                          -- closed_through
    deposits(id, amount, received_on, trace, batch, actor)

Every write runs in one transaction that first takes the ledger's write lock (SQLite
``BEGIN IMMEDIATE``; PostgreSQL a transaction-scoped advisory lock), so the reads a caller
makes inside :meth:`transaction` see exactly the state its postings are applied to.
Balances are updated in that same transaction. Amounts are integer cents; every amount
fits ``MAX_AMOUNT`` (checked by :class:`~medbill.ledger.Posting`).

An entry's postings are packed into its row (:func:`pack_postings`): account ids and
integer cents in posting order, as a JSON array of integers, so an entry is one row and
one key in one index, not one row per posting (version 3 had a ``postings`` table with an
index by account; version 4 reads an account's history through its claim's or patient's
``subjects`` range, filtering the packed postings). A receivable account keeps its first
day of growth (the first day whose net change is a debit, ``MIN(day)`` over its ``daily``
rows with ``cents > 0``) in ``first_debit``, kept in the same transaction as its days, so
aging as of today reads the receivable accounts' rows alone.

Costs: opening reads the schema version (O(1)); a current balance or roll-up is one
primary-key read; an as-of balance is an index range over ``daily`` (for a roll-up, over
the accounts its dimensions select, by the claim, patient or code index); a claim's or a
patient's entries are an index range over ``subjects``. Which roll-ups an account feeds
follows from its dimensions (``rollup_keys``), so it is computed, not stored.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any, Final

import pendulum

from medbill._errors import DuplicateEntryError, LedgerError
from medbill._parties import Priority
from medbill.ledger._accounts import Account
from medbill.ledger._deposits import Deposit
from medbill.ledger._entries import EntryKind, JournalEntry, Posting, References, _utc
from medbill.ledger._entries import _money as money_of_cents
from medbill.ledger._stores._base import AGING_LIMITS, RECEIVABLE_CODES, AgedCents, Receivable
from medbill.ledger._stores._index import rollup_key, rollup_keys

__all__ = [
    "ROW_ROLLUPS",
    "SqlStore",
    "conflict",
    "entry_from_row",
    "ident_of",
    "is_conflict",
    "pack_postings",
    "rollup_idents",
    "stored_entry",
    "stored_posting",
]

Row = tuple[Any, ...]
Identity = tuple[str | None, ...]

_ENTRY_COLUMNS: Final = (
    "seq, key, kind, effective, recorded_at, memo, patient, payer, claim, line, "
    "remittance, trace, service_date, reverses, actor, source, provider, postings"
)
_SUBJECT_ENTRY_COLUMNS: Final = ", ".join("e." + name.strip() for name in _ENTRY_COLUMNS.split(","))
_CHUNK: Final = 500
_PERIOD_CLOSE: Final = EntryKind.PERIOD_CLOSE
_CACHE_LIMIT: Final = 50_000  # accounts and roll-ups remembered: memory stays bounded


def ident_of(values: tuple[object, ...]) -> str:
    """An unambiguous text key for a tuple of optional strings and numbers (its ``repr``:
    quoting makes it injective, and it is computed in C)."""
    return repr(values)


ROW_ROLLUPS: Final = frozenset({0, 1, 2, 3})
"""The roll-ups (numbers in ``ROLLUPS``) kept as rows: a whole code, by patient, by payer, by
payer and level. The claim-level ones (by claim; payer, level and claim; claim and line)
are summed from the claim's few accounts through the ``(claim, code)`` index instead, so
a new claim adds no roll-up rows."""


def rollup_idents(account: Account) -> list[str]:
    """The idents of the roll-up rows ``account`` feeds (see :data:`ROW_ROLLUPS`)."""
    return [ident_of(key) for key in rollup_keys(account) if key[1] in ROW_ROLLUPS]


def pack_postings(flat: Sequence[int]) -> str:
    """The ``entries.postings`` text of an entry's postings, given as ``[account id,
    cents, account id, cents, ...]`` in posting order: a JSON array of integers.

    >>> pack_postings([3, 8000, 7, -8000])
    '[3,8000,7,-8000]'
    """
    return "[" + ",".join(map(int.__repr__, flat)) + "]"


def unpack_postings(text: str) -> list[int]:
    """The ``[account id, cents, ...]`` list :func:`pack_postings` packed."""
    flat = json.loads(text)
    if type(flat) is not list or len(flat) % 2 or not all(type(v) is int for v in flat):
        raise LedgerError(f"damaged postings in the ledger: {text[:80]!r}")
    return flat


_RECEIVABLES: Final = frozenset(RECEIVABLE_CODES)


def _date(ordinal: int | None) -> pendulum.Date | None:
    return None if ordinal is None else pendulum.Date.fromordinal(ordinal)


def _money(cents: int) -> Decimal:
    return money_of_cents(cents)  # shared with the entries' amounts (memoized)


_INSTANTS: dict[str, pendulum.DateTime] = {}


def _instant(text: str) -> pendulum.DateTime:
    """``recorded_at`` from its ISO text; a batch shares one instant, so keep a few parsed."""
    found = _INSTANTS.get(text)
    if found is None:
        if len(_INSTANTS) > 4096:
            _INSTANTS.clear()
        parsed = pendulum.instance(_dt.datetime.fromisoformat(text))
        found = _INSTANTS[text] = _utc(parsed, text) or parsed  # as JournalEntry keeps it
    return found


def entry_from_row(row: Sequence[Any], postings: list[Posting]) -> JournalEntry:
    """The entry an ``entries`` row describes (columns as ``_ENTRY_COLUMNS``; a version-1
    row, without ``actor`` and ``source``, has 14; a version-2 row, without ``provider``, 16)."""
    return JournalEntry(
        key=row[1],
        kind=EntryKind(row[2]),
        effective=pendulum.Date.fromordinal(row[3]),
        recorded_at=_instant(row[4]),
        memo=row[5],
        references=References(
            patient=row[6],
            payer=row[7],
            claim=row[8],
            line=row[9],
            remittance=row[10],
            trace=row[11],
            service_date=_date(row[12]),
            provider=row[16] if len(row) > 16 else None,
        ),
        reverses=row[13],
        actor=row[14] if len(row) > 14 else None,
        source=row[15] if len(row) > 15 else None,
        postings=postings,
    )


_KINDS: Final = {kind.value: kind for kind in EntryKind}
_REFERENCES: dict[tuple[Any, ...], References] = {}
_new_posting = Posting.__new__
_init_posting = Posting.__attrs_init__
_new_entry = JournalEntry.__new__
_init_entry = JournalEntry.__attrs_init__


def stored_posting(account: Account, cents: int) -> Posting:
    """The posting of ``cents`` to ``account`` as a store read it back: the same value
    ``Posting(account, money(cents))`` gives, without checking again what was checked
    when it was posted (an integer of cents within the bounds is whole cents)."""
    posting = _new_posting(Posting)
    _init_posting(posting, account, money_of_cents(cents), cents)
    return posting


def stored_entry(row: Sequence[Any], postings: list[Posting]) -> JournalEntry:
    """The entry an ``entries`` row of today's schema describes (``_ENTRY_COLUMNS``), the
    same value :func:`entry_from_row` builds, without the checks that ran when it was
    posted (its postings balanced; its key, kind, memo and references were valid). The
    kind and the instant are still read strictly: an unknown kind raises."""
    kind = _KINDS.get(row[2])
    if kind is None:
        return entry_from_row(row, postings)  # raises the constructor's error
    refs_key = (row[6], row[7], row[8], row[9], row[10], row[11], row[12], row[16])
    references = _REFERENCES.get(refs_key)
    if references is None:
        references = References(
            patient=row[6],
            payer=row[7],
            claim=row[8],
            line=row[9],
            remittance=row[10],
            trace=row[11],
            service_date=_date(row[12]),
            provider=row[16],
        )
        if len(_REFERENCES) > 4096:
            _REFERENCES.clear()
        _REFERENCES[refs_key] = references
    entry = _new_entry(JournalEntry)
    _init_entry(
        entry,
        row[1],
        pendulum.Date.fromordinal(row[3]),
        tuple(postings),
        kind,
        row[5],
        references,
        _instant(row[4]),
        row[13],
        row[14],
        row[15],
    )
    return entry


_CONFLICT: Final = "_medbill_conflict"


def conflict(error: LedgerError) -> LedgerError:
    """Mark ``error`` as a conflict with a concurrent writer: the transaction failed only
    because another committed first, and running it again from the start is safe."""
    setattr(error, _CONFLICT, True)
    return error


def is_conflict(error: BaseException) -> bool:
    """Whether ``error`` is a conflict :func:`conflict` marked (worth running again)."""
    return bool(getattr(error, _CONFLICT, False))


_AGING_AS_OF: Final = (
    "SELECT a.code = 'insurance_receivable' AS insured, a.payer AS payer,"
    " COALESCE(a.claim, '') AS claim,"
    " SUM(CASE WHEN d.day <= ? THEN d.cents ELSE 0 END) AS total,"
    " MIN(CASE WHEN d.cents > 0 THEN d.day END) AS first"
    " FROM accounts a JOIN daily d ON d.account_id = a.id"
    " WHERE a.code IN ('insurance_receivable', 'patient_receivable')"
    # a patient receivable has no payer, so this is per claim and responsible party
    " GROUP BY a.code, a.payer, a.claim"
)
"""Aging's groups as of a day (parameter: its ordinal): each receivable's days up to it,
summed per claim and responsible party, with the first day of growth (of any date)."""

_AGING_CURRENT: Final = (
    "SELECT a.code = 'insurance_receivable' AS insured, a.payer AS payer,"
    " COALESCE(a.claim, '') AS claim, SUM(a.balance) AS total, MIN(a.first_debit) AS first"
    " FROM accounts a"
    " WHERE a.code IN ('insurance_receivable', 'patient_receivable')"
    " GROUP BY a.code, a.payer, a.claim"
)
"""The same groups when nothing is effective after the day: the accounts' current
balances (an account without days has balance 0 and adds nothing) and their first days
of growth (``first_debit``, kept with the days): the receivable account rows alone."""


class SqlStore:
    """The :class:`~medbill.ledger.LedgerStore` logic over a SQL database (see module notes).

    Subclasses provide :meth:`_query`, :meth:`_execute_many`, :meth:`_begin`,
    :meth:`_commit`, :meth:`_rollback`, :meth:`_savepoint` and the dialect's upsert.
    """

    _name: str = "ledger"
    _money = staticmethod(_money)

    def __init__(self) -> None:
        self._depth = 0
        self._reading = False
        self._account_ids: dict[Identity, int] = {}
        self._pending_ids: dict[Identity, int] = {}
        self._accounts_by_id: dict[int, Account] = {}
        self._rollups_of: dict[Identity, tuple[str, ...]] = {}
        self._locked: set[tuple[str, int]] = set()  # advisory locks held (PostgreSQL)
        self._created: set[int] = set()  # accounts the current append created

    # -- what a dialect provides ------------------------------------------------------

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        raise NotImplementedError

    def _execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        raise NotImplementedError

    def _begin(self) -> None:
        raise NotImplementedError

    def _commit(self) -> None:
        raise NotImplementedError

    def _rollback(self) -> None:
        raise NotImplementedError

    _chunk_size: int = _CHUNK
    """The most values one :meth:`_among` test holds (SQLite binds each as a parameter)."""

    def _chunks(self, items: Sequence[Any]) -> Iterator[Sequence[Any]]:
        size = self._chunk_size
        for start in range(0, len(items), size):
            yield items[start : start + size]

    def _among(
        self, column: str, values: Sequence[Any], kind: str = "text"
    ) -> tuple[str, list[Any]]:
        """A test that ``column`` is one of ``values`` (of SQL type ``kind``) and its
        parameters: an ``IN`` list here; PostgreSQL passes one array."""
        return f"{column} IN ({','.join('?' * len(values))})", list(values)

    def _savepoint(self, action: str) -> None:
        self._query(f"{action} medbill_nested")

    # -- transactions -----------------------------------------------------------------

    def _begin_read(self) -> None:
        raise NotImplementedError

    def _end_read(self) -> None:
        raise NotImplementedError

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Answer every read in the block from one committed state, without the write lock."""
        if self._depth or self._reading:
            yield
            return
        self._begin_read()
        self._reading = True
        try:
            yield
        finally:
            self._reading = False
            self._end_read()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the ledger's write lock; reads inside see it, writes commit together.

        Nested use joins the outer transaction through a savepoint: a failure inside
        undoes only the nested part (and propagates).
        """
        if self._reading:
            raise LedgerError("cannot post inside Ledger.snapshot(): use Ledger.atomic()")
        if self._depth:
            self._savepoint("SAVEPOINT")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._savepoint("ROLLBACK TO SAVEPOINT")
                self._forget_pending()
                self._locked.clear()  # locks taken after the savepoint went with it
                raise
            else:
                self._savepoint("RELEASE SAVEPOINT")
            finally:
                self._depth -= 1
            return
        self._begin()
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            self._rollback()
            self._forget_pending()
            raise
        self._depth = 0
        try:
            self._commit()
        except BaseException:
            self._forget_pending()
            raise
        self._account_ids.update(self._pending_ids)
        self._pending_ids.clear()

    def in_transaction(self) -> bool:
        """Whether this store holds the write lock now."""
        return self._depth > 0

    def _forget_pending(self) -> None:
        for identity, account_id in self._pending_ids.items():
            self._accounts_by_id.pop(account_id, None)
            self._account_ids.pop(identity, None)
        self._pending_ids.clear()

    # -- accounts ---------------------------------------------------------------------

    def _account(self, row: Sequence[Any]) -> Account:
        account_id = row[0]
        account = self._accounts_by_id.get(account_id)
        if account is None:
            account = Account(
                code=row[1],
                patient=row[2],
                payer=row[3],
                level=None if row[4] is None else Priority(row[4]),
                claim=row[5],
                line=row[6],
            )
            if len(self._accounts_by_id) > _CACHE_LIMIT:
                self._accounts_by_id.clear()
            self._accounts_by_id[account_id] = account
        return account

    def _ids_of(
        self,
        accounts: Iterable[Account],
        opening: dict[Identity, int] | None = None,
        first: dict[Identity, int] | None = None,
    ) -> dict[Identity, int]:
        """Ids of accounts by identity, creating rows for the new ones (all of a batch in
        one statement): with the balance ``opening`` gives them and the first day of
        growth ``first`` gives them (their ids go to ``_created``: no update to apply)."""
        known_ids, pending = self._account_ids, self._pending_ids
        wanted: dict[str, tuple[Identity, Account]] = {}
        found: dict[Identity, int] = {}
        for identity, account in {account.identity: account for account in accounts}.items():
            known = known_ids.get(identity) or pending.get(identity)
            if known is not None:
                found[identity] = known
            else:
                wanted[ident_of(identity)] = (identity, account)
        if not wanted:
            return found
        missing = list(wanted)
        for ident, account_id in self._existing_ids(missing):
            identity = wanted[ident][0]
            found[identity] = account_id
            self._remember(identity, account_id)
        new = [(ident, *wanted[ident]) for ident in missing if wanted[ident][0] not in found]
        if new:
            self._create_accounts(new, found, opening or {}, first or {})
        return found

    def _existing_ids(self, idents: list[str]) -> list[Row]:
        """``(ident, id)`` of the accounts among ``idents`` that exist."""
        rows: list[Row] = []
        for chunk in self._chunks(idents):
            among, params = self._among("ident", chunk)
            rows.extend(self._query(f"SELECT ident, id FROM accounts WHERE {among}", params))
        return rows

    def _remember(self, identity: Identity, account_id: int) -> None:
        if len(self._account_ids) > _CACHE_LIMIT:
            self._account_ids.clear()
        self._account_ids[identity] = account_id

    def _create_accounts(
        self,
        new: list[tuple[str, Identity, Account]],
        found: dict[Identity, int],
        opening: dict[Identity, int],
        first: dict[Identity, int],
    ) -> None:
        next_id = int(self._query("SELECT COALESCE(MAX(id), 0) FROM accounts")[0][0]) + 1
        rows = []
        for ident, identity, account in new:
            account_id = next_id
            next_id += 1
            found[identity] = account_id
            self._pending_ids[identity] = account_id
            self._accounts_by_id[account_id] = account
            self._created.add(account_id)
            level = None if account.level is None else account.level.value
            rows.append(
                (
                    account_id,
                    ident,
                    account.code,
                    account.patient,
                    account.payer,
                    level,
                    account.claim,
                    account.line,
                    opening.get(identity, 0),
                    first.get(identity),
                )
            )
        self._execute_many(
            "INSERT INTO accounts (id, ident, code, patient, payer, level, claim, line, "
            "balance, first_debit) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    def _rollups_for(self, account: Account) -> tuple[str, ...]:
        """The idents of the roll-up rows ``account`` feeds (cached by the dimensions that
        decide them: code, patient, payer, level)."""
        shape = account.identity[:4]
        idents = self._rollups_of.get(shape)
        if idents is None:
            if len(self._rollups_of) > _CACHE_LIMIT:
                self._rollups_of.clear()
            idents = self._rollups_of[shape] = tuple(rollup_idents(account))
        return idents

    # -- writing ----------------------------------------------------------------------

    def append(self, entries: Sequence[JournalEntry]) -> None:
        """Write ``entries`` and their balances in one transaction: all of them, or none."""
        with self.transaction():
            self._append(entries)

    def _append(self, entries: Sequence[JournalEntry]) -> None:
        """Write the rows of ``entries`` and apply their balance deltas (the ledger has
        checked them, claims included, inside this transaction).

        Rows are written in bulk (one ``executemany`` or ``COPY`` per table); balance
        deltas are summed per account, per account and day, and per roll-up first, so
        each touched balance row gets one update. The rows every writer shares (``cash``,
        a code's total, a payer's) come last and in a stable order: concurrent writers
        (PostgreSQL) hold them only for the moment before their commit, and never in
        opposite orders.
        """
        if any(entry.kind is _PERIOD_CLOSE for entry in entries):
            self.lock_all()
        # one pass over the postings sums each account's change, in all and per day (an
        # account created by this batch starts with it); what depends on the account
        # alone is worked out once per account, not once per posting
        opening: dict[Identity, int] = {}
        accounts: dict[Identity, Account] = {}
        days: dict[tuple[Identity, int], int] = {}
        ordinals: list[int] = []
        add_ordinal = ordinals.append
        for entry in entries:
            day = entry.effective.toordinal()
            add_ordinal(day)
            for posting in entry.postings:
                identity = posting.account.identity
                cents = posting.cents
                if identity in opening:
                    opening[identity] += cents
                else:
                    opening[identity] = cents
                    accounts[identity] = posting.account
                key = (identity, day)
                days[key] = days.get(key, 0) + cents
        if self._row_locks:  # (SQLite's write lock is the whole file)
            patients = {a.patient for a in accounts.values() if a.patient is not None}
            if patients:
                self._lock_patients(patients)
        self._created = set()
        first: dict[Identity, int] = {}  # a new receivable's first day of growth
        for (identity, day), cents in days.items():
            # identity[0] is the account's code
            if cents > 0 and identity[0] in _RECEIVABLES and day < first.get(identity, day + 1):
                first[identity] = day
        ids = self._ids_of(accounts.values(), opening, first)
        account_delta = {ids[identity]: cents for identity, cents in opening.items()}
        account_of = {ids[identity]: account for identity, account in accounts.items()}
        # the daily rows, sorted by (account id, day): each key once, so no tie to break
        day_rows = sorted([(ids[identity], day, cents) for (identity, day), cents in days.items()])
        shapes: dict[Identity, tuple[str, tuple[str, ...], tuple[str, str] | None]] = {}
        for identity, account in accounts.items():
            claim, patient = account.claim, account.patient
            shapes[identity] = (
                f"{ids[identity]},",  # its packed id, the subjects it makes an entry about,
                (  # its claim's owner
                    *(() if claim is None else ("c:" + claim,)),
                    *(() if patient is None else ("p:" + patient,)),
                ),
                None if claim is None or patient is None else (claim, patient),
            )
        seqs = self._next_seqs(len(entries))
        entry_rows: list[Row] = []
        subject_rows: list[Row] = []
        claims: dict[str, tuple[str | None, int | None]] = {}
        closed_through: int | None = None
        last_recorded: object = None
        recorded_text = ""
        add_entry, add_subject = entry_rows.append, subject_rows.append
        for seq, entry, day in zip(seqs, entries, ordinals, strict=True):
            refs = entry.references
            recorded = entry.recorded_at
            if recorded is None:
                raise LedgerError(f"entry {entry.key!r} has no recorded_at")
            if recorded is not last_recorded:  # a batch usually shares one instant
                last_recorded, recorded_text = recorded, recorded.isoformat()
            service_date = refs.service_date
            served = None if service_date is None else service_date.toordinal()
            if entry.kind is _PERIOD_CLOSE:
                closed_through = max(day, closed_through or day)
            subjects: set[str] = set()
            packed: list[str] = []
            for posting in entry.postings:
                prefix, about, owner = shapes[posting.account.identity]
                packed.append(prefix + int.__repr__(posting.cents))
                if about:
                    subjects.update(about)
                    if owner is not None and owner[0] not in claims:
                        claims[owner[0]] = (owner[1], None)
            add_entry(
                (
                    seq,
                    entry.key,
                    entry.kind._value_,  # an enum's value, without hashing the member
                    day,
                    recorded_text,
                    entry.memo,
                    refs.patient,
                    refs.payer,
                    refs.claim,
                    refs.line,
                    refs.remittance,
                    refs.trace,
                    served,
                    entry.reverses,
                    entry.actor,
                    entry.source,
                    refs.provider,
                    "[" + ",".join(packed) + "]",  # as pack_postings packs it
                )
            )
            if refs.claim is not None:
                subjects.add("c:" + refs.claim)
                patient, earliest = claims.get(refs.claim, (None, None))
                claims[refs.claim] = (patient or refs.patient, earliest or served)
            if refs.patient is not None:
                subjects.add("p:" + refs.patient)
            for subject in subjects:
                add_subject((subject, seq))
        self._insert_rows("entries", _ENTRY_COLUMNS, entry_rows)
        self._insert_rows("subjects", "subject, seq", subject_rows)
        if claims:
            self._upsert_claims(claims)
        if closed_through is not None:
            self._execute_many(
                "INSERT INTO ledger_meta (name, value) VALUES ('closed_through', ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                [(closed_through,)],
            )
        self._apply_deltas(account_delta, account_of, day_rows)
        self._count_entries(len(entries))

    def _upsert_claims(self, claims: dict[str, tuple[str | None, int | None]]) -> None:
        self._execute_many(
            "INSERT INTO claims (claim, patient, service_date) VALUES (?, ?, ?) "
            "ON CONFLICT (claim) DO UPDATE SET "
            "patient = COALESCE(claims.patient, excluded.patient), "
            "service_date = COALESCE(claims.service_date, excluded.service_date)",
            sorted((claim, patient, served) for claim, (patient, served) in claims.items()),
        )

    def _apply_deltas(
        self,
        account_delta: dict[int, int],
        account_of: dict[int, Account],
        day_rows: list[Row],
    ) -> None:
        """Apply the balance deltas of a batch: ``account_delta`` per account id (of
        ``account_of``), ``day_rows`` the ``(account id, day, cents)`` per account and
        day, sorted."""
        rollup_delta: dict[str, int] = {}
        for account_id, cents in account_delta.items():
            for ident in self._rollups_for(account_of[account_id]):
                rollup_delta[ident] = rollup_delta.get(ident, 0) + cents
        created = self._created  # they start with their balance and first day
        fresh, known = self._split_days(day_rows)
        self._insert_rows("daily", "account_id, day, cents", fresh)
        self._execute_many(
            "INSERT INTO daily (account_id, day, cents) VALUES (?, ?, ?) "
            "ON CONFLICT (account_id, day) DO UPDATE SET cents = daily.cents + excluded.cents",
            known,
        )
        updates = [
            (account_delta[account_id], account_id)
            for account_id in sorted(account_delta)
            if account_id not in created
        ]
        self._execute_many(
            "UPDATE accounts SET balance = balance + ? WHERE id = ?",
            [row for row in updates if account_of[row[1]].code not in _RECEIVABLES],
        )
        self._execute_many(  # a receivable's first day of growth follows its days
            "UPDATE accounts SET balance = balance + ?, first_debit = (SELECT MIN(d.day) "
            "FROM daily d WHERE d.account_id = accounts.id AND d.cents > 0) WHERE id = ?",
            [row for row in updates if account_of[row[1]].code in _RECEIVABLES],
        )
        self._execute_many(
            "INSERT INTO rollups (ident, balance) VALUES (?, ?) "
            "ON CONFLICT (ident) DO UPDATE SET balance = rollups.balance + excluded.balance",
            sorted(rollup_delta.items()),
        )

    def _split_days(self, day_rows: list[Row]) -> tuple[list[Row], list[Row]]:
        """``day_rows`` (sorted) split, in order, into those of the accounts this batch
        created (no row of theirs exists: a plain insert) and the others (an upsert)."""
        created = self._created
        if not created:
            return [], day_rows
        fresh: list[Row] = []
        known: list[Row] = []
        add_fresh, add_known = fresh.append, known.append
        for row in day_rows:
            if row[0] in created:
                add_fresh(row)
            else:
                add_known(row)
        return fresh, known

    # -- what a dialect may change -----------------------------------------------------

    def _lock_patients(self, patients: Iterable[str]) -> None:
        """Lock the given patients' balances for this transaction (one writer at a time
        holds the whole SQLite file: nothing to do there)."""

    def lock_all(self) -> None:
        """Keep every other writer out until this transaction ends (SQLite: already so)."""

    def _next_seqs(self, count: int) -> Sequence[int]:
        """``count`` new entry numbers, increasing (SQLite: the next after the last)."""
        last = int(self._query("SELECT COALESCE(MAX(seq), 0) FROM entries")[0][0])
        return range(last + 1, last + 1 + count)

    def _insert_rows(self, table: str, columns: str, rows: Sequence[Row]) -> None:
        marks = ",".join("?" * (columns.count(",") + 1))
        self._execute_many(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)

    def _count_entries(self, count: int) -> None:
        """Note ``count`` more entries (SQLite: seqs are contiguous, ``MAX(seq)`` counts)."""

    def close_account(self, account: Account) -> None:
        """Mark ``account`` closed; later postings to it are refused."""
        with self.transaction():
            self._close(account)

    def _close(self, account: Account) -> None:
        self.lock_all()
        account_id = self._ids_of([account])[account.identity]
        self._execute_many("UPDATE accounts SET closed = 1 WHERE id = ?", [(account_id,)])

    # -- keys, reversals, claims --------------------------------------------------------

    def sync(self) -> None:
        """Nothing to catch up with: every answer is read from the database."""

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        return bool(self._query("SELECT 1 FROM entries WHERE key = ?", (key,)))

    def known_keys(self, keys: Sequence[str]) -> set[str]:
        """Which of ``keys`` were posted already (one query per 500 keys)."""
        found: set[str] = set()
        for chunk in self._chunks(list(keys)):
            among, params = self._among("key", chunk)
            found.update(
                row[0] for row in self._query(f"SELECT key FROM entries WHERE {among}", params)
            )
        return found

    def __len__(self) -> int:
        # seqs are contiguous from 1: nothing is ever deleted, and a rolled-back
        # transaction leaves no seq behind
        return int(self._query("SELECT COALESCE(MAX(seq), 0) FROM entries")[0][0])

    def reversal_of(self, key: str) -> str | None:
        rows = self._query("SELECT key FROM entries WHERE reverses = ?", (key,))
        return rows[0][0] if rows else None

    def claim_patient(self, claim: str) -> str | None:
        rows = self._query("SELECT patient FROM claims WHERE claim = ?", (claim,))
        return rows[0][0] if rows else None

    def service_date(self, claim: str) -> pendulum.Date | None:
        rows = self._query("SELECT service_date FROM claims WHERE claim = ?", (claim,))
        return _date(rows[0][0]) if rows else None

    def check_claims(self, entries: Sequence[JournalEntry]) -> None:
        """Refuse postings that put one claim under two patients (read inside the lock)."""
        owners: dict[str, str] = {}
        mixed = False  # whether any posting may name another owner than its claim's
        for entry in entries:
            for posting in entry.postings:
                account = posting.account
                claim, patient = account.claim, account.patient
                if (
                    claim is not None
                    and patient is not None
                    and owners.setdefault(claim, patient) != patient
                ):
                    mixed = True
        claims = list(owners)
        for chunk in self._chunks(claims):
            among, params = self._among("claim", chunk)
            for claim, patient in self._query(
                f"SELECT claim, patient FROM claims WHERE patient IS NOT NULL AND {among}", params
            ):
                if owners[claim] != patient:
                    mixed = True
                    owners[claim] = patient
        if not mixed:  # every posting names its claim's owner: nothing to refuse
            return
        for entry in entries:
            for posting in entry.postings:
                account = posting.account
                if (
                    account.claim is not None
                    and account.patient is not None
                    and owners[account.claim] != account.patient
                ):
                    raise LedgerError(
                        f"entry {entry.key!r}: claim {account.claim!r} belongs to another patient"
                    )

    def is_closed(self, account: Account) -> bool:
        rows = self._query(
            "SELECT closed FROM accounts WHERE ident = ?", (ident_of(account.identity),)
        )
        return bool(rows and rows[0][0])

    def has_closed_accounts(self) -> bool:
        return bool(self._query("SELECT 1 FROM accounts WHERE closed = 1 LIMIT 1"))

    def closed_through(self) -> pendulum.Date | None:
        """The last day of the last closed period, if any."""
        rows = self._query("SELECT value FROM ledger_meta WHERE name = 'closed_through'")
        return _date(int(rows[0][0])) if rows else None

    # -- balances ---------------------------------------------------------------------

    def _checking(self, patient: str | None, claim: str | None = None) -> str:
        """Inside a write transaction, lock what a check reads: the patient's balances
        (their lock bucket) and the rows read (the returned ``FOR UPDATE`` suffix), so no
        other writer changes them before this one commits. Empty outside a transaction
        and on SQLite, whose write lock is the whole file."""
        if not self._depth or not self._row_locks:
            return ""
        if patient is None and claim is not None:
            patient = self.claim_patient(claim)
        if patient is not None:
            self._lock_patients((patient,))
        return " FOR UPDATE"

    _aging_from_balances: bool = False
    """Whether aging as of today reads the accounts' balances instead of summing their
    days (see :meth:`aged_receivables`)."""

    _row_locks: bool = False
    """Whether checks inside a transaction lock the rows they read (PostgreSQL)."""

    def balance(self, account: Account, as_of: pendulum.Date | None = None) -> Decimal:
        ident = ident_of(account.identity)
        if as_of is None:
            lock = self._checking(account.patient, account.claim)
            rows = self._query(f"SELECT balance FROM accounts WHERE ident = ?{lock}", (ident,))
        else:
            rows = self._query(
                "SELECT COALESCE(SUM(d.cents), 0) FROM accounts a "
                "JOIN daily d ON d.account_id = a.id WHERE a.ident = ? AND d.day <= ?",
                (ident, as_of.toordinal()),
            )
        return _money(int(rows[0][0])) if rows else _money(0)

    def total(
        self, code: str, dims: dict[str, object], as_of: pendulum.Date | None = None
    ) -> Decimal:
        key = rollup_key(code, dims)
        patient, claim = dims.get("patient"), dims.get("claim")
        lock = (
            ""
            if as_of is not None
            else self._checking(
                patient if isinstance(patient, str) else None,
                claim if isinstance(claim, str) else None,
            )
        )
        if key is not None and key[1] in ROW_ROLLUPS and as_of is None:
            rows = self._query(
                f"SELECT balance FROM rollups WHERE ident = ?{lock}", (ident_of(key),)
            )
            return _money(int(rows[0][0])) if rows else _money(0)
        if "claim" in dims:  # a claim belongs to one patient: the claim's index decides
            dims = {name: value for name, value in dims.items() if name != "patient"}
        where = ["a.code = ?"]
        params: list[Any] = [code]
        for name, value in dims.items():
            where.append(f"a.{name} = ?")
            params.append(value.value if isinstance(value, Priority) else value)
        if as_of is None:
            sql = (
                "SELECT COALESCE(SUM(s.balance), 0) FROM (SELECT a.balance FROM accounts a "
                f"WHERE {' AND '.join(where)}{lock}) s"
            )
        else:
            sql = (
                "SELECT COALESCE(SUM(d.cents), 0) FROM accounts a "
                f"JOIN daily d ON d.account_id = a.id WHERE {' AND '.join(where)} AND d.day <= ?"
            )
            params.append(as_of.toordinal())
        return _money(int(self._query(sql, params)[0][0]))

    def accounts(
        self, code: str | None = None, *, claim: str | None = None, patient: str | None = None
    ) -> Iterator[Account]:
        if patient is not None or claim is not None:
            self._checking(patient, claim)  # the list a check walks stays as read
        where = []
        params: list[Any] = []
        for name, value in (("code", code), ("claim", claim), ("patient", patient)):
            if value is not None:
                where.append(f"{name} = ?")
                params.append(value)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        rows = self._query(
            f"SELECT id, code, patient, payer, level, claim, line FROM accounts {clause} "
            "ORDER BY id",
            params,
        )
        return iter([self._account(row) for row in rows])

    def codes(self) -> list[str]:
        return [row[0] for row in self._query("SELECT DISTINCT code FROM accounts ORDER BY code")]

    def receivables(self, as_of: pendulum.Date) -> Iterator[Receivable]:
        """Receivable accounts, cents as of ``as_of`` and first debit: one grouped query."""
        rows = self._query(
            "SELECT a.code, a.payer, a.claim, "
            "SUM(CASE WHEN d.day <= ? THEN d.cents ELSE 0 END), "
            "MIN(CASE WHEN d.cents > 0 THEN d.day END) "
            "FROM accounts a JOIN daily d ON d.account_id = a.id "
            "WHERE a.code IN ('insurance_receivable', 'patient_receivable') "
            "GROUP BY a.id",  # the primary key: code, payer, claim follow from it
            (as_of.toordinal(),),
        )
        for code, payer, claim, cents, first in rows:
            yield code, payer, claim, int(cents), first

    def aged_receivables(self, as_of: pendulum.Date, *, from_service: bool) -> Iterator[AgedCents]:
        """Aged A/R in one grouped query: sums each claim's balance per responsible party
        as of ``as_of`` with its first growth, dates it (the claim's service date by the
        ``claims`` key) and sums the buckets; only the few (responsibility, payer, bucket)
        sums come back. The same answer as
        :func:`~medbill.ledger._stores._base.age_receivables` (see it for the rules).

        The query sums the days up to ``as_of`` (:data:`_AGING_AS_OF`; SQLite walks the
        receivables in the order of the ``accounts_code`` index, no sort). A store with
        ``_aging_from_balances`` (PostgreSQL, whose hash join of every receivable day
        costs more) does so only when an entry is effective after ``as_of``; otherwise
        (aging as of today) each account's balance as of ``as_of`` is its current
        balance, kept with its days: one row per receivable account, and from ``daily``
        only the days that grew (:data:`_AGING_CURRENT`). Both read one snapshot."""
        today = as_of.toordinal()
        start = "COALESCE(c.service_date, g.first, ?)" if from_service else "COALESCE(g.first, ?)"
        joined = "LEFT JOIN claims c ON c.claim = g.claim AND g.claim <> ''" if from_service else ""
        bucket, buckets = self._bucket_sql(start, today)
        with self.snapshot():
            current = self._aging_from_balances and not self._query(
                "SELECT 1 FROM entries WHERE effective > ? LIMIT 1", (today,)
            )
            grouped, params = (_AGING_CURRENT, []) if current else (_AGING_AS_OF, [today])
            rows = self._query(
                f"WITH g AS ({grouped}) "
                f"SELECT g.insured, g.payer, {bucket} AS bucket, SUM(g.total) "
                f"FROM g {joined} WHERE g.total <> 0 GROUP BY 1, 2, 3",
                (*params, *buckets),
            )
        for insured, payer, bucket, cents in rows:
            yield "insurance" if insured else "patient", payer, int(bucket), int(cents)

    def _bucket_sql(self, start: str, today: int) -> tuple[str, list[Any]]:
        """The aging bucket (0 to 4, :data:`AGING_LIMITS`) of a group whose age starts at
        ``start`` (an expression with one ``?``, bound to ``today``), and its parameters."""
        limits = " ".join(
            f"WHEN ? - {start} <= {limit} THEN {number}"
            for number, limit in enumerate(AGING_LIMITS)
        )
        return f"CASE {limits} ELSE 4 END", [today for _ in AGING_LIMITS for _ in (1, 2)]

    def service_days(self) -> dict[str, int]:
        """Each claim's first date of service (a day ordinal), where recorded."""
        return dict(
            self._query("SELECT claim, service_date FROM claims WHERE service_date IS NOT NULL")
        )

    def first_debit(self, account: Account) -> pendulum.Date | None:
        rows = self._query(
            "SELECT MIN(d.day) FROM accounts a JOIN daily d ON d.account_id = a.id "
            "WHERE a.ident = ? AND d.cents > 0",
            (ident_of(account.identity),),
        )
        return _date(rows[0][0]) if rows else None

    # -- batch reads (a remittance plan reads thousands of claims at once) --------------

    def balances(self, accounts: Sequence[Account]) -> dict[Account, Decimal]:
        """The current debit-positive balance of each of ``accounts`` (one query per 500)."""
        wanted = {ident_of(a.identity): a for a in accounts}
        found = dict.fromkeys(wanted.values(), _money(0))
        for chunk in self._chunks(list(wanted)):
            among, params = self._among("ident", chunk)
            for ident, cents in self._query(
                f"SELECT ident, balance FROM accounts WHERE {among}", params
            ):
                found[wanted[ident]] = _money(int(cents))
        return found

    def claim_balances(self, claims: Sequence[str]) -> dict[Account, Decimal]:
        """Every account on one of ``claims`` with its current balance (one query per 500)."""
        found: dict[Account, Decimal] = {}
        for chunk in self._chunks(list(claims)):
            among, params = self._among("claim", chunk)
            for *row, cents in self._query(
                "SELECT id, code, patient, payer, level, claim, line, balance FROM accounts "
                f"WHERE {among} ORDER BY id",
                params,
            ):
                found[self._account(row)] = _money(int(cents))
        return found

    def claim_owners(
        self, claims: Sequence[str]
    ) -> dict[str, tuple[str | None, pendulum.Date | None]]:
        """The patient and first date of service of each of ``claims`` the ledger knows."""
        found: dict[str, tuple[str | None, pendulum.Date | None]] = {}
        for chunk in self._chunks(list(claims)):
            among, params = self._among("claim", chunk)
            for claim, patient, day in self._query(
                f"SELECT claim, patient, service_date FROM claims WHERE {among}", params
            ):
                found[claim] = (patient, _date(day))
        return found

    def claim_entries_of(
        self, claims: Sequence[str], kinds: Sequence[EntryKind]
    ) -> dict[str, list[JournalEntry]]:
        """The entries of ``kinds`` about each of ``claims``, in posting order, with the
        keys of the entries reversing them (``reversal_of``) answered by :meth:`reversals`."""
        found: dict[str, list[JournalEntry]] = {}
        kind_marks = ",".join("?" * len(kinds))
        for chunk in self._chunks(list(claims)):
            among, params = self._among("s.subject", ["c:" + claim for claim in chunk])
            rows = self._query(
                f"SELECT DISTINCT s.subject, {_SUBJECT_ENTRY_COLUMNS} "
                "FROM subjects s JOIN entries e ON e.seq = s.seq "
                f"WHERE {among} AND e.kind IN ({kind_marks}) ORDER BY e.seq",
                [*params, *[kind.value for kind in kinds]],
            )
            entries = {e.key: e for e in self._entries([row[1:] for row in rows])}
            for row in rows:
                found.setdefault(row[0][2:], []).append(entries[row[2]])
        return found

    def reversals(self, keys: Sequence[str]) -> dict[str, str]:
        """For each of ``keys`` that was reversed, the key of its reversal."""
        found: dict[str, str] = {}
        for chunk in self._chunks(list(keys)):
            among, params = self._among("reverses", chunk)
            found.update(self._query(f"SELECT reverses, key FROM entries WHERE {among}", params))
        return found

    # -- entries ----------------------------------------------------------------------

    def _entries(self, rows: list[Row]) -> list[JournalEntry]:
        """Entries for ``rows`` of ``_ENTRY_COLUMNS``: their packed postings unpacked, the
        accounts not yet known read in one go."""
        if not rows:
            return []
        flats = [unpack_postings(row[17]) for row in rows]
        known = self._accounts_by_id
        missing = sorted({i for flat in flats for i in flat[0::2] if i not in known})
        accounts = {i: known[i] for flat in flats for i in flat[0::2] if i in known}
        for chunk in self._chunks(missing):
            among, params = self._among("id", chunk, "bigint")
            for row in self._query(
                f"SELECT id, code, patient, payer, level, claim, line FROM accounts WHERE {among}",
                params,
            ):
                accounts[row[0]] = self._account(row)
        entries = []
        for row, flat in zip(rows, flats, strict=True):
            try:
                postings = [
                    stored_posting(accounts[account_id], cents)
                    for account_id, cents in zip(flat[0::2], flat[1::2], strict=True)
                ]
            except KeyError as error:
                raise LedgerError(
                    f"entry {row[1]!r} posts to account id {error.args[0]}, which is missing"
                ) from error
            entries.append(stored_entry(row, postings))
        return entries

    def get(self, key: str) -> JournalEntry | None:
        """The entry with key ``key``, read from the database now."""
        rows = self._query(f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE key = ?", (key,))
        found = self._entries(rows)
        return found[0] if found else None

    def _subject_sql(self, claim: str | None, patient: str | None) -> tuple[str, list[Any]]:
        if claim is not None and patient is not None:
            return (
                "seq IN (SELECT seq FROM subjects WHERE subject = ? "
                "INTERSECT SELECT seq FROM subjects WHERE subject = ?)",
                ["c:" + claim, "p:" + patient],
            )
        if claim is not None:
            return "seq IN (SELECT seq FROM subjects WHERE subject = ?)", ["c:" + claim]
        if patient is not None:
            return "seq IN (SELECT seq FROM subjects WHERE subject = ?)", ["p:" + patient]
        return "1 = 1", []

    def entries(
        self, *, claim: str | None = None, patient: str | None = None
    ) -> Iterator[JournalEntry]:
        """Entries in posting order, optionally only those about a claim or a patient."""
        where, params = self._subject_sql(claim, patient)
        rows = self._query(
            f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE {where} ORDER BY seq", params
        )
        return iter(self._entries(rows))

    def history(
        self,
        *,
        account: Account | None = None,
        claim: str | None = None,
        patient: str | None = None,
        offset: int = 0,
        limit: int = 100,
    ) -> list[JournalEntry]:
        """One page of entries about an account, a claim or a patient, oldest first."""
        if account is None and (claim is None) != (patient is None):
            # one subject: walk its index range in entry order and stop at the page (the
            # planner would otherwise scan the journal in seq order, testing each entry)
            subject = "c:" + claim if claim is not None else "p:" + (patient or "")
            rows = self._query(
                f"SELECT {_SUBJECT_ENTRY_COLUMNS} FROM subjects s JOIN entries e "
                "ON e.seq = s.seq WHERE s.subject = ? ORDER BY s.seq LIMIT ? OFFSET ?",
                (subject, limit, offset),
            )
            return self._entries(rows)
        if account is not None:
            return self._account_history(account, offset, limit)
        where, params = self._subject_sql(claim, patient)
        rows = self._query(
            f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE {where} ORDER BY seq LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return self._entries(rows)

    _history_chunk: int = 512

    def _account_history(self, account: Account, offset: int, limit: int) -> list[JournalEntry]:
        """One page of ``account``'s entries: the entries of its claim's (else its
        patient's) ``subjects`` range, else of the whole journal, walked in entry order a
        chunk at a time, keeping those whose packed postings name the account, until the
        page is full."""
        found = self._query(
            "SELECT id FROM accounts WHERE ident = ?", (ident_of(account.identity),)
        )
        if not found or limit <= 0:
            return []
        account_id = int(found[0][0])
        if account.claim is not None or account.patient is not None:
            subject = (
                "c:" + account.claim
                if account.claim is not None
                else "p:" + (account.patient or "")
            )
            sql = (
                f"SELECT {_SUBJECT_ENTRY_COLUMNS} FROM subjects s JOIN entries e ON e.seq = s.seq "
                "WHERE s.subject = ? AND s.seq > ? ORDER BY s.seq LIMIT ?"
            )
            params: list[Any] = [subject]
        else:
            sql = f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE seq > ? ORDER BY seq LIMIT ?"
            params = []
        page: list[Row] = []
        skip, after = offset, 0
        while len(page) < limit:
            rows = self._query(sql, [*params, after, self._history_chunk])
            for row in rows:
                if account_id in unpack_postings(row[17])[0::2]:
                    if skip:
                        skip -= 1
                    else:
                        page.append(row)
                        if len(page) == limit:
                            break
            if len(rows) < self._history_chunk:
                break
            after = rows[-1][0]
        return self._entries(page)

    def entries_between(self, start: pendulum.Date, end: pendulum.Date) -> list[JournalEntry]:
        """Entries effective from ``start`` through ``end``, in posting order."""
        rows = self._query(
            f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE effective >= ? AND effective <= ? "
            "ORDER BY seq",
            (start.toordinal(), end.toordinal()),
        )
        return self._entries(rows)

    # -- deposits ---------------------------------------------------------------------

    def _deposit(self, row: Sequence[Any]) -> Deposit:
        return Deposit(
            id=row[0],
            amount=_money(int(row[1])),
            received_on=pendulum.Date.fromordinal(row[2]),
            trace=row[3],
            batch=_date(row[4]),
            actor=row[5],
        )

    def add_deposit(self, deposit: Deposit) -> Deposit:
        """Record ``deposit``; the same id again returns the first (or raises if it differs)."""
        with self.transaction():
            rows = self._query(
                "SELECT id, amount, received_on, trace, batch, actor FROM deposits WHERE id = ?",
                (deposit.id,),
            )
            if rows:
                earlier = self._deposit(rows[0])
                if not earlier.same_content(deposit):
                    raise DuplicateEntryError(deposit.id)
                return earlier
            self._execute_many(
                "INSERT INTO deposits (id, amount, received_on, trace, batch, actor) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        deposit.id,
                        int(deposit.amount.scaleb(2)),
                        deposit.received_on.toordinal(),
                        deposit.trace,
                        None if deposit.batch is None else deposit.batch.toordinal(),
                        deposit.actor,
                    )
                ],
            )
            return deposit

    def deposits(self, start: pendulum.Date, end: pendulum.Date) -> list[Deposit]:
        """Deposits received from ``start`` through ``end``, in the order recorded."""
        rows = self._query(
            "SELECT id, amount, received_on, trace, batch, actor FROM deposits "
            "WHERE received_on >= ? AND received_on <= ? ORDER BY received_on, id",
            (start.toordinal(), end.toordinal()),
        )
        return [self._deposit(row) for row in rows]
