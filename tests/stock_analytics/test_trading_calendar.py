from collections import Counter
from datetime import date

import pytest

from stock_analytics.trading_calendar import easter_sunday, market_holidays, trading_days

# Trading days per year as the NYSE published them (years without one-off closures).
NYSE_TRADING_DAYS = {
    2006: 251,
    2008: 253,
    2017: 251,
    2019: 252,
    2020: 253,
    2021: 252,
    2022: 251,
    2023: 250,
    2024: 252,
}


def test_days_per_year_match_the_published_nyse_calendar() -> None:
    per_year = Counter(day.year for day in trading_days(2005, 2024))
    assert {year: per_year[year] for year in NYSE_TRADING_DAYS} == NYSE_TRADING_DAYS


@pytest.mark.parametrize(
    "closed",
    [
        date(2024, 1, 1),  # New Year's Day
        date(2023, 1, 2),  # New Year's Day on a Sunday, observed Monday
        date(2024, 1, 15),  # Martin Luther King Jr. Day
        date(2024, 2, 19),  # Washington's Birthday
        date(2024, 3, 29),  # Good Friday
        date(2024, 5, 27),  # Memorial Day
        date(2022, 6, 20),  # Juneteenth on a Sunday, observed Monday
        date(2024, 7, 4),  # Independence Day
        date(2020, 7, 3),  # Independence Day on a Saturday, observed Friday
        date(2024, 9, 2),  # Labor Day
        date(2024, 11, 28),  # Thanksgiving
        date(2024, 12, 25),  # Christmas
        date(2021, 12, 24),  # Christmas on a Saturday, observed Friday
    ],
)
def test_market_holidays_are_closed(closed: date) -> None:
    assert closed in market_holidays(closed.year)
    assert closed not in trading_days(closed.year, closed.year)


@pytest.mark.parametrize(
    "open_day",
    [
        date(2021, 12, 31),  # New Year's Day 2022 fell on a Saturday: no Friday closure
        date(2024, 11, 29),  # the day after Thanksgiving
        date(2021, 6, 18),  # Juneteenth was first observed in 2022
        date(2024, 12, 24),
    ],
)
def test_ordinary_weekdays_are_open(open_day: date) -> None:
    assert open_day in trading_days(open_day.year, open_day.year)


def test_no_weekend_is_a_trading_day() -> None:
    assert all(day.weekday() < 5 for day in trading_days(2000, 2024))


@pytest.mark.parametrize(
    "easter",
    [date(2019, 4, 21), date(2020, 4, 12), date(2021, 4, 4), date(2024, 3, 31), date(2025, 4, 20)],
)
def test_easter_sunday(easter: date) -> None:
    assert easter_sunday(easter.year) == easter
