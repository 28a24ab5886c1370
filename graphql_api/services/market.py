"""Per-date market answers, from market_daily: average daily return, most valuable day."""

from __future__ import annotations

import datetime as dt

from etl.tables import MARKET_DAILY
from graphql_api.engines.base import Snapshot
from graphql_api.services import rows
from graphql_api.services.arguments import RANGE_FILTER, DateRange
from graphql_api.types.daily_average_return import DailyAverageReturn
from graphql_api.types.valuable_day import ValuableDay

AVERAGE_DAILY_RETURN = f"""
SELECT date, average_return, return_tickers
FROM {MARKET_DAILY.name}
WHERE {RANGE_FILTER} AND average_return IS NOT NULL
"""  # noqa: S608 (identifiers from etl.tables only)
"""In no order: market_daily has one row per date, and the service sorts them by date
(a quarter of DuckDB's time for a month, done in SQL)."""

MOST_VALUABLE_DAY = f"""
SELECT date, average_traded_value
FROM {MARKET_DAILY.name}
ORDER BY average_traded_value DESC, date
LIMIT 1
"""  # noqa: S608 (identifiers from etl.tables only)

MOST_VALUABLE_DAY_IN_RANGE = f"""
SELECT date, average_traded_value
FROM {MARKET_DAILY.name}
WHERE {RANGE_FILTER}
ORDER BY average_traded_value DESC, date
LIMIT 1
"""  # noqa: S608 (identifiers from etl.tables only)


async def average_daily_return(snapshot: Snapshot, span: DateRange) -> list[DailyAverageReturn]:
    """Dates on which no ticker has a return are left out, as the contract says."""
    found = await snapshot.fetch(AVERAGE_DAILY_RETURN, span.parameters)
    days = [
        DailyAverageReturn(
            date=rows.day(row, "date"),
            average_return=rows.number(row, "average_return"),
            stocks=rows.whole(row, "return_tickers"),
        )
        for row in found
    ]
    days.sort(key=_date)
    return days


def _date(day: DailyAverageReturn) -> dt.date:
    return day.date


async def most_valuable_day(snapshot: Snapshot, span: DateRange | None) -> ValuableDay | None:
    if span is None:
        found = await snapshot.fetch(MOST_VALUABLE_DAY)
    else:
        found = await snapshot.fetch(MOST_VALUABLE_DAY_IN_RANGE, span.parameters)
    if not found:
        return None
    row = found[0]
    return ValuableDay(
        date=rows.day(row, "date"),
        average_traded_value=rows.number(row, "average_traded_value"),
    )
