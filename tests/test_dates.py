"""Every public function taking a date accepts ``datetime.date`` as well as ``pendulum.Date``
(NAMING.md, "Dates and instants"), and what it keeps is a ``pendulum.Date``."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pendulum
import pytest

from medbill import ValidationError
from medbill.claims import scrub
from medbill.fees import FeeEntry
from medbill.testing import (
    DEMO_LOCALITY,
    demo_medicare_schedule,
    make_claim,
    make_claim_line,
    make_coverage,
    make_patient,
    make_patient_payment,
)

DAY = datetime.date(2025, 3, 10)


def test_scrub_takes_a_stdlib_date_and_refuses_an_instant() -> None:
    assert scrub(make_claim(), as_of=DAY) == scrub(make_claim(), as_of=pendulum.date(2025, 3, 10))
    with pytest.raises(ValidationError, match="as_of: must be a date, not a date and time"):
        scrub(make_claim(), as_of=pendulum.datetime(2025, 3, 10))
    with pytest.raises(ValidationError, match="as_of"):
        scrub(make_claim(), as_of="2025-03-10")  # type: ignore[arg-type]


def test_fee_entries_take_stdlib_dates() -> None:
    entry = FeeEntry(code="99213", amount=Decimal("95.00"), valid_from=datetime.date(2025, 1, 1))
    assert type(entry.valid_from) is pendulum.Date
    assert entry.in_force(DAY)
    with pytest.raises(ValidationError, match="valid_to"):
        FeeEntry(code="99213", amount="1.00", valid_from=DAY, valid_to="2026")  # type: ignore[arg-type]


def test_entities_and_queries_take_stdlib_dates() -> None:
    line = make_claim_line(service_date=datetime.date(2025, 3, 4))
    assert type(line.service_date) is pendulum.Date
    assert type(make_patient_payment(received_on=DAY).received_on) is pendulum.Date
    assert make_patient().age_on(DAY) == 44  # born 1980-05-17
    assert make_coverage().is_active_on(DAY)
    priced = demo_medicare_schedule().price_line(
        "99213", locality=DEMO_LOCALITY, place_of_service="11", service_date=DAY
    )
    assert priced.allowed == Decimal("86.34")
