"""``JournalEntry.with_recorded_at``: the ledger stamps every entry a recipe posts with it,
without re-validating what the entry was validated for when it was made."""

from __future__ import annotations

from decimal import Decimal

import pendulum
import pytest

from medbill import LedgerError
from medbill.ledger import Account, EntryKind, JournalEntry, Posting, References

ENTRY = JournalEntry(
    key="pay-1",
    effective=pendulum.date(2025, 4, 1),
    kind=EntryKind.PATIENT_PAYMENT,
    memo="copay",
    references=References(patient="P1", claim="C1", provider="1234567893"),
    postings=[
        Posting.debit(Account.cash(), Decimal("20.00")),
        Posting.credit(Account.patient_receivable("P1", "C1"), Decimal("20.00")),
    ],
    source="receipt R-1",
)


def test_stamping_keeps_the_entry_and_sets_the_instant_in_utc() -> None:
    chicago = pendulum.datetime(2025, 4, 1, 7, tz="America/Chicago")  # CDT, UTC-5
    stamped = ENTRY.with_recorded_at(chicago, "desk-2")
    assert stamped.recorded_at == pendulum.datetime(2025, 4, 1, 12)
    assert stamped.recorded_at is not None
    assert stamped.recorded_at.tzinfo is pendulum.UTC
    assert stamped.actor == "desk-2"
    assert stamped.same_content(ENTRY)
    assert (stamped.key, stamped.memo, stamped.source, stamped.postings) == (
        ENTRY.key,
        ENTRY.memo,
        ENTRY.source,
        ENTRY.postings,
    )
    assert stamped == JournalEntry(
        key="pay-1",
        effective=ENTRY.effective,
        kind=ENTRY.kind,
        memo="copay",
        references=ENTRY.references,
        postings=ENTRY.postings,
        recorded_at=pendulum.datetime(2025, 4, 1, 12),
        actor="desk-2",
        source="receipt R-1",
    )
    # an entry that names its actor keeps it
    assert stamped.with_recorded_at(chicago, "desk-9").actor == "desk-2"


@pytest.mark.parametrize("actor", ["", "   ", 7])
def test_stamping_refuses_a_bad_actor(actor: object) -> None:
    with pytest.raises(LedgerError, match="actor must be a non-empty string"):
        ENTRY.with_recorded_at(pendulum.datetime(2025, 4, 1, 12), actor)  # type: ignore[arg-type]


def test_stamping_refuses_an_instant_without_a_time_zone() -> None:
    with pytest.raises(LedgerError, match="recorded_at must carry a time zone"):
        ENTRY.with_recorded_at(pendulum.naive(2025, 4, 1, 12))
