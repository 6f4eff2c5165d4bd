"""The array literals PostgresStore's batch writes pass read back as the same values.

Text is double-quoted with backslash and double quote escaped (PostgreSQL manual, section
8.15.6); ``None`` is ``NULL``; the word NULL, empty text, braces, commas and spaces in an id
stay text.
"""

from __future__ import annotations

import pytest

TRICKY = [
    "plain",
    'say "hi"',
    "back\\slash",
    "\\",
    '\\"',
    "NULL",
    "null",
    "",
    "{x,y}",
    " spaced out ",
    "comma,separated",
    "('insurance_receivable', 'P1', None)",
    "Zoë ✓",
    None,
]


def test_text_and_integer_arrays_round_trip(postgres_dsn: str) -> None:
    psycopg = pytest.importorskip("psycopg")
    from medbill.ledger._stores._postgres import _array

    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        numbers = [0, -1, 2**62, None, 739_311]
        read = conn.execute(
            "SELECT %s::text[], %s::bigint[], %s::text[]",
            (_array(TRICKY), _array(numbers), _array([])),
        ).fetchone()
        assert read == (TRICKY, numbers, [])
