"""US federal holidays (5 U.S.C. 6103) and business days."""

from __future__ import annotations

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medbill import ValidationError
from medbill.claims import federal_holidays, is_business_day, next_business_day

# OPM's published federal holiday schedules for 2021 and 2023, observed dates.
OPM_2021 = [
    "2021-01-01",
    "2021-01-18",
    "2021-02-15",
    "2021-05-31",
    "2021-06-18",
    "2021-07-05",
    "2021-09-06",
    "2021-10-11",
    "2021-11-11",
    "2021-11-25",
    "2021-12-24",
    "2021-12-31",  # New Year's Day 2022 falls on a Saturday
]
OPM_2023 = [
    "2023-01-02",
    "2023-01-16",
    "2023-02-20",
    "2023-05-29",
    "2023-06-19",
    "2023-07-04",
    "2023-09-04",
    "2023-10-09",
    "2023-11-10",
    "2023-11-23",
    "2023-12-25",
]


@pytest.mark.parametrize(("year", "expected"), [(2021, OPM_2021), (2023, OPM_2023)])
def test_observed_holidays_match_opm(year: int, expected: list[str]) -> None:
    assert [d.isoformat() for d in federal_holidays(year)] == expected


def test_juneteenth_starts_in_2021_and_mlk_day_in_1986() -> None:
    assert not any("Juneteenth" in name for name in federal_holidays(2020).values())
    assert not any("King" in name for name in federal_holidays(1985).values())
    assert federal_holidays(1986)[pendulum.date(1986, 1, 20)].startswith("Birthday of Martin")


def test_year_outside_the_rules_is_refused() -> None:
    with pytest.raises(ValidationError, match="year"):
        federal_holidays(1950)


@settings(max_examples=80)
@given(st.dates(min_value=pendulum.date(1990, 1, 1), max_value=pendulum.date(2090, 12, 1)))
def test_next_business_day_is_the_first_business_day_not_before(day: object) -> None:
    start = pendulum.date(day.year, day.month, day.day)  # type: ignore[attr-defined]
    found = next_business_day(start)
    assert found >= start
    assert found.weekday() < 5
    assert found not in federal_holidays(found.year)
    for offset in range((found - start).in_days()):
        assert not is_business_day(start.add(days=offset))
    assert (found - start).in_days() <= 4  # at most a holiday next to a weekend, plus one
