"""The US stock market's trading days: weekdays minus the exchange holidays.

The holidays follow the NYSE's standing rules (a holiday on a Saturday is
observed the Friday before, one on a Sunday the Monday after, except that New
Year's Day on a Saturday is not observed at all). One-off closures (national
days of mourning, hurricanes) are not included.
"""

from __future__ import annotations

from datetime import date, timedelta

MONDAY, THURSDAY, SATURDAY, SUNDAY = 0, 3, 5, 6
_ONE_DAY = timedelta(days=1)


def trading_days(first_year: int, last_year: int) -> list[date]:
    """Every trading day from 1 January of `first_year` to 31 December of `last_year`."""
    days: list[date] = []
    for year in range(first_year, last_year + 1):
        holidays = market_holidays(year)
        day = date(year, 1, 1)
        while day.year == year:
            if day.weekday() < SATURDAY and day not in holidays:
                days.append(day)
            day += _ONE_DAY
    return days


def market_holidays(year: int) -> set[date]:
    """The weekdays of `year` on which the exchange is closed by rule."""
    holidays = {
        _nth_weekday(year, 2, MONDAY, 3),  # Washington's Birthday
        easter_sunday(year) - 2 * _ONE_DAY,  # Good Friday
        _last_weekday(year, 5, MONDAY),  # Memorial Day
        _observed(date(year, 7, 4)),  # Independence Day
        _nth_weekday(year, 9, MONDAY, 1),  # Labor Day
        _nth_weekday(year, 11, THURSDAY, 4),  # Thanksgiving
        _observed(date(year, 12, 25)),  # Christmas
    }
    new_year = date(year, 1, 1)
    if new_year.weekday() != SATURDAY:
        holidays.add(_observed(new_year))
    if year >= 1998:
        holidays.add(_nth_weekday(year, 1, MONDAY, 3))  # Martin Luther King Jr. Day
    if year >= 2022:
        holidays.add(_observed(date(year, 6, 19)))  # Juneteenth
    return holidays


def easter_sunday(year: int) -> date:
    """Western Easter (the anonymous Gregorian algorithm)."""
    golden = year % 19
    century, year_of_century = divmod(year, 100)
    leap_centuries, century_rest = divmod(century, 4)
    correction = (century - (century + 8) // 25 + 1) // 3
    epact = (19 * golden + century - leap_centuries - correction + 15) % 30
    leap_years, year_rest = divmod(year_of_century, 4)
    weekday = (32 + 2 * century_rest + 2 * leap_years - epact - year_rest) % 7
    shift = (golden + 11 * epact + 22 * weekday) // 451
    month, day = divmod(epact + weekday - 7 * shift + 114, 31)
    return date(year, month, day + 1)


def _observed(holiday: date) -> date:
    if holiday.weekday() == SATURDAY:
        return holiday - _ONE_DAY
    if holiday.weekday() == SUNDAY:
        return holiday + _ONE_DAY
    return holiday


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    last = following - _ONE_DAY
    return last - timedelta(days=(last.weekday() - weekday) % 7)
