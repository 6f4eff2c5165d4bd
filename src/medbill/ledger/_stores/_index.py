"""The in-memory index both stores keep: balances, roll-ups, keys, reversals, claims.

Balances are maintained incrementally. Every account gets an integer id the first time it
is posted to, together with the ids of the *roll-ups* it belongs to: the account itself and
its code summed over the dimension sets in ``ROLLUPS`` (all of a code; by patient; by payer;
by payer and level; by claim; by payer, level and claim; by claim and line). Posting one
amount adds it to each of those roll-ups' running balance and to their per-day deltas.

Complexity (``p`` postings in a batch, ``r`` <= 8 roll-ups per account):

* posting: O(p * r) dictionary updates, independent of the size of the journal;
* current balance of an account or a roll-up: O(1);
* balance of an account as of an effective date: O(d), ``d`` the number of distinct
  effective dates on which it was posted to (a claim's accounts have a handful);
* balance of a roll-up as of a date: the sum of that over its accounts (a claim has a few
  accounts, a patient a few per claim; a whole code is a report-sized scan);
* a dimension combination not in ``ROLLUPS``: O(a), ``a`` the accounts of that code.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Final

import pendulum

from medbill._errors import LedgerError
from medbill._parties import Priority
from medbill.ledger._accounts import DIMENSIONS, Account
from medbill.ledger._entries import JournalEntry

__all__ = ["ROLLUPS", "LedgerIndex", "rollup_key", "rollup_keys"]

# Dimension sets (by name) whose balances are kept up to date on every posting.
ROLLUPS: Final[tuple[frozenset[str], ...]] = (
    frozenset(),
    frozenset({"patient"}),
    frozenset({"payer"}),
    frozenset({"payer", "level"}),
    frozenset({"claim"}),
    frozenset({"payer", "level", "claim"}),
    frozenset({"claim", "line"}),
)
_ROLLUP_INDEX: Final = {dims: number for number, dims in enumerate(ROLLUPS)}


def _values(account: Account) -> tuple[object, ...]:
    return account.identity[1:]


def rollup_key(code: str, dims: dict[str, object]) -> tuple[object, ...] | None:
    """The roll-up key for ``code`` summed over the accounts matching ``dims``, if kept.

    A claim belongs to one patient, so a patient given with a claim narrows nothing.
    """
    names = frozenset(dims)
    if "claim" in names:
        names = names - {"patient"}
    number = _ROLLUP_INDEX.get(names)
    if number is None:
        return None
    values = {**dims}
    level = values.get("level")
    if isinstance(level, Priority):
        values["level"] = level.value
    return (code, number, *(values[name] for name in DIMENSIONS if name in names))


def rollup_keys(account: Account) -> list[tuple[object, ...]]:
    """The keys of the roll-ups ``account`` feeds (see ``ROLLUPS``), the account's code first."""
    return _rollup_keys(account.code, *_values(account))


def _rollup_keys(
    code: object, patient: object, payer: object, level: object, claim: object, line: object
) -> list[tuple[object, ...]]:
    """:func:`rollup_keys` from an account's identity values (what ``register`` holds)."""
    keys: list[tuple[object, ...]] = [(code, 0)]
    if patient is not None:
        keys.append((code, 1, patient))
    if payer is not None:
        keys.append((code, 2, payer))
        if level is not None:
            keys.append((code, 3, payer, level))
            if claim is not None:
                keys.append((code, 5, payer, level, claim))
    if claim is not None:
        keys.append((code, 4, claim))
        if line is not None:
            keys.append((code, 6, claim, line))
    return keys


class LedgerIndex:
    """Balances and look-up tables over the entries of one ledger."""

    def __init__(self) -> None:
        self.account_ids: dict[tuple[str | None, ...], int] = {}
        self.accounts: list[Account] = []
        self.account_balance_of: list[int] = []
        self.daily: list[dict[int, int]] = []
        self.rollups_of: list[tuple[int, ...]] = []
        self.rollup_ids: dict[tuple[object, ...], int] = {}
        self.rollup_balance: list[int] = []
        self.members: list[list[int]] = []
        self.accounts_by_code: dict[str, list[int]] = {}
        self.accounts_by_claim: dict[str, list[int]] = {}
        self.accounts_by_patient: dict[str, list[int]] = {}
        self.keys: dict[str, int] = {}
        self.reversed_by: dict[str, str] = {}
        self.by_claim: dict[str, list[int]] = {}
        self.by_patient: dict[str, list[int]] = {}
        self.claim_patient: dict[str, str] = {}
        self.service_date: dict[str, pendulum.Date] = {}
        self.closed: set[Account] = set()

    # -- accounts and roll-ups ---------------------------------------------------------

    def register(self, account: Account) -> int:
        """The id of ``account``, creating its roll-ups on first sight (see ``ROLLUPS``)."""
        identity = account.identity
        aid = self.account_ids.get(identity)
        if aid is not None:
            return aid
        aid = len(self.accounts)
        code, patient, payer, level, claim, line = identity
        keys = _rollup_keys(code, patient, payer, level, claim, line)
        rids = []
        rollup_ids = self.rollup_ids
        members = self.members
        for key in keys:
            rid = rollup_ids.get(key)
            if rid is None:
                rid = rollup_ids[key] = len(members)
                self.rollup_balance.append(0)
                members.append([aid])
            else:
                members[rid].append(aid)
            rids.append(rid)
        self.account_ids[identity] = aid
        self.accounts.append(account)
        self.account_balance_of.append(0)
        self.daily.append({})
        self.rollups_of.append(tuple(rids))
        by_code = self.accounts_by_code.get(code)  # type: ignore[arg-type]
        if by_code is None:
            self.accounts_by_code[code] = [aid]  # type: ignore[index]
        else:
            by_code.append(aid)
        if claim is not None:
            by_claim = self.accounts_by_claim.get(claim)
            if by_claim is None:
                self.accounts_by_claim[claim] = [aid]
            else:
                by_claim.append(aid)
            if patient is not None and claim not in self.claim_patient:
                self.claim_patient[claim] = patient
        if patient is not None:
            by_patient = self.accounts_by_patient.get(patient)
            if by_patient is None:
                self.accounts_by_patient[patient] = [aid]
            else:
                by_patient.append(aid)
        return aid

    # -- adding entries ------------------------------------------------------------------

    def check_claims(self, entries: Sequence[JournalEntry]) -> None:
        """Refuse postings that put one claim under two patients."""
        known = self.claim_patient
        seen: dict[str, str] = {}
        for entry in entries:
            for posting in entry.postings:
                account = posting.account
                claim = account.claim
                if claim is None or account.patient is None:
                    continue
                owner = known.get(claim) or seen.setdefault(claim, account.patient)
                if owner != account.patient:
                    raise LedgerError(
                        f"entry {entry.key!r}: claim {claim!r} belongs to another patient"
                    )

    def add_entries(self, entries: Sequence[JournalEntry], start: int) -> None:
        """Fold (already validated) entries, numbered from ``start``, into the index: what
        :meth:`add` does for each, in one pass without per-entry calls."""
        keys = self.keys
        reversed_by = self.reversed_by
        account_ids = self.account_ids
        account_balance = self.account_balance_of
        rollup_balance = self.rollup_balance
        rollups_of = self.rollups_of
        daily = self.daily
        by_claim = self.by_claim
        by_patient = self.by_patient
        claim_patient = self.claim_patient
        service_dates = self.service_date
        register = self.register
        seq = start
        for entry in entries:
            key = entry.key
            keys[key] = seq
            if entry.reverses is not None:
                reversed_by[entry.reverses] = key
            day = entry.effective.toordinal()
            last_claim: str | None = None
            last_patient: str | None = None
            for posting in entry.postings:
                account = posting.account
                cents = posting.cents
                aid = account_ids.get(account.identity)
                if aid is None:
                    aid = register(account)
                account_balance[aid] += cents
                deltas = daily[aid]
                deltas[day] = deltas.get(day, 0) + cents
                for rid in rollups_of[aid]:
                    rollup_balance[rid] += cents
                one = account.claim
                if one is not None and one != last_claim:
                    last_claim = one
                    seqs = by_claim.get(one)
                    if seqs is None:
                        by_claim[one] = [seq]
                    elif seqs[-1] != seq:
                        seqs.append(seq)
                one = account.patient
                if one is not None and one != last_patient:
                    last_patient = one
                    seqs = by_patient.get(one)
                    if seqs is None:
                        by_patient[one] = [seq]
                    elif seqs[-1] != seq:
                        seqs.append(seq)
            refs = entry.references
            claim = refs.claim
            patient = refs.patient
            if claim is not None:
                seqs = by_claim.get(claim)
                if seqs is None:
                    by_claim[claim] = [seq]
                elif seqs[-1] != seq:
                    seqs.append(seq)
                service_date = refs.service_date
                if service_date is not None and claim not in service_dates:
                    service_dates[claim] = service_date
                if patient is not None and claim not in claim_patient:
                    claim_patient[claim] = patient
            if patient is not None:
                seqs = by_patient.get(patient)
                if seqs is None:
                    by_patient[patient] = [seq]
                elif seqs[-1] != seq:
                    seqs.append(seq)
            seq += 1

    # -- questions -----------------------------------------------------------------------

    def _account_sum(self, aid: int, as_of: pendulum.Date | None) -> int:
        if as_of is None:
            return self.account_balance_of[aid]
        limit = as_of.toordinal()
        return sum(delta for day, delta in self.daily[aid].items() if day <= limit)

    def account_balance(self, account: Account, as_of: pendulum.Date | None = None) -> int:
        """Debit-positive cents of one account."""
        aid = self.account_ids.get(account.identity)
        return 0 if aid is None else self._account_sum(aid, as_of)

    def total(self, code: str, dims: dict[str, object], as_of: pendulum.Date | None) -> int:
        """Debit-positive cents of every account of ``code`` matching ``dims``."""
        key = rollup_key(code, dims)
        if key is not None:
            rid = self.rollup_ids.get(key)
            if rid is None:
                return 0
            if as_of is None:
                return self.rollup_balance[rid]
            return sum(self._account_sum(aid, as_of) for aid in self.members[rid])
        wanted = {**dims}
        if wanted.get("level") is not None:
            wanted["level"] = Priority(wanted["level"])
        return sum(
            self._account_sum(aid, as_of)
            for aid in self.accounts_by_code.get(code, ())
            if all(getattr(self.accounts[aid], name) == value for name, value in wanted.items())
        )

    def accounts_of(
        self, code: str | None = None, claim: str | None = None, patient: str | None = None
    ) -> Iterator[Account]:
        """Accounts posted to, optionally of one code, claim, patient, in order of first posting."""
        if claim is not None:
            chosen: Iterable[int] = self.accounts_by_claim.get(claim, ())
        elif patient is not None:
            chosen = self.accounts_by_patient.get(patient, ())
        elif code is not None:
            chosen = self.accounts_by_code.get(code, ())
        else:
            chosen = range(len(self.accounts))
        for aid in chosen:
            account = self.accounts[aid]
            if (
                (code is None or account.code == code)
                and (claim is None or account.claim == claim)
                and (patient is None or account.patient == patient)
            ):
                yield account

    def first_debit(self, account: Account) -> pendulum.Date | None:
        """The earliest effective date on which ``account`` grew (net of that day)."""
        aid = self.account_ids.get(account.identity)
        if aid is None:
            return None
        days = [day for day, delta in self.daily[aid].items() if delta > 0]
        return pendulum.Date.fromordinal(min(days)) if days else None

    def codes(self) -> Iterable[str]:
        """The codes that have been posted to."""
        return self.accounts_by_code.keys()
