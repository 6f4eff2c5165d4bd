"""US federal holidays and business days, for deadlines such as timely filing.

The legal public holidays are listed in 5 U.S.C. 6103(a). When one falls on a Saturday
the Friday before is observed, on a Sunday the Monday after (5 U.S.C. 6103(b) and
Executive Order 11582). The Monday holidays follow the Uniform Monday Holiday Act
(Pub. L. 90-363, in force from 1971); Martin Luther King Jr. Day is observed from 1986
and Juneteenth from 2021 (Pub. L. 117-17). Pure computation: no tables to update.
"""

from __future__ import annotations

import functools

import pendulum

from medbill._errors import ValidationError

__all__ = ["federal_holidays", "is_business_day", "next_business_day"]

_MONDAY, _THURSDAY, _SATURDAY, _SUNDAY = 0, 3, 5, 6


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> pendulum.Date:
    first = pendulum.date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    return first.add(days=offset + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> pendulum.Date:
    last = pendulum.date(year, month, 1).end_of("month")
    return last.subtract(days=(last.weekday() - weekday) % 7)


def _observed(day: pendulum.Date) -> pendulum.Date:
    if day.weekday() == _SATURDAY:
        return day.subtract(days=1)
    if day.weekday() == _SUNDAY:
        return day.add(days=1)
    return day


def _actual(year: int) -> dict[pendulum.Date, str]:
    days = {
        pendulum.date(year, 1, 1): "New Year's Day",
        _nth_weekday(year, 2, _MONDAY, 3): "Washington's Birthday",
        _last_weekday(year, 5, _MONDAY): "Memorial Day",
        pendulum.date(year, 7, 4): "Independence Day",
        _nth_weekday(year, 9, _MONDAY, 1): "Labor Day",
        _nth_weekday(year, 10, _MONDAY, 2): "Columbus Day",
        pendulum.date(year, 11, 11): "Veterans Day",
        _nth_weekday(year, 11, _THURSDAY, 4): "Thanksgiving Day",
        pendulum.date(year, 12, 25): "Christmas Day",
    }
    if year >= 1986:
        days[_nth_weekday(year, 1, _MONDAY, 3)] = "Birthday of Martin Luther King, Jr."
    if year >= 2021:
        days[pendulum.date(year, 6, 19)] = "Juneteenth National Independence Day"
    return days


@functools.lru_cache(maxsize=64)
def _observed_in(year: int) -> dict[pendulum.Date, str]:
    found: dict[pendulum.Date, str] = {}
    for source_year in (year, year + 1):  # 1 January on a Saturday is observed on 31 December
        for day, name in _actual(source_year).items():
            observed = _observed(day)
            if observed.year == year:
                found[observed] = name if observed == day else f"{name} (observed)"
    return dict(sorted(found.items()))


def federal_holidays(year: int) -> dict[pendulum.Date, str]:
    """The days federal offices are closed in ``year``, observed dates, with their names.

    >>> import pendulum
    >>> from medbill.claims import federal_holidays
    >>> holidays = federal_holidays(2022)
    >>> holidays[pendulum.date(2022, 6, 20)]
    'Juneteenth National Independence Day (observed)'
    >>> pendulum.date(2022, 1, 1) in holidays  # a Saturday: observed on 31 December 2021
    False
    >>> federal_holidays(2021)[pendulum.date(2021, 12, 31)]
    "New Year's Day (observed)"
    """
    if not isinstance(year, int) or isinstance(year, bool) or not 1971 <= year <= 9998:
        raise ValidationError("year", year, "must be a year from 1971 (Uniform Monday Holiday Act)")
    return dict(_observed_in(year))


def is_business_day(day: pendulum.Date) -> bool:
    """Monday to Friday and not a federal holiday (observed).

    >>> import pendulum
    >>> from medbill.claims import is_business_day
    >>> is_business_day(pendulum.date(2025, 7, 4)), is_business_day(pendulum.date(2025, 7, 7))
    (False, True)
    """
    return day.weekday() < _SATURDAY and day not in _observed_in(day.year)


def next_business_day(day: pendulum.Date) -> pendulum.Date:
    """``day`` itself when it is a business day, else the first business day after it.

    >>> import pendulum
    >>> from medbill.claims import next_business_day
    >>> next_business_day(pendulum.date(2026, 1, 17))  # Saturday before MLK Day
    Date(2026, 1, 20)
    """
    while not is_business_day(day):
        day = day.add(days=1)
    return day
