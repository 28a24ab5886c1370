"""Ticker rankings: highest worth, most volatile, top 30-day returns.

Each statement asks for the top MAX_LIMIT rows with a constant LIMIT and the
service keeps the first `limit`, so every limit shares one cached result. Ties
break on the earlier date, then the ticker, as the contract says.
"""

from __future__ import annotations

from etl.tables import DAILY_METRICS, TICKER_STATS, TRADING_DAYS_PER_YEAR
from graphql_api.engines.base import Snapshot
from graphql_api.services import rows
from graphql_api.services.arguments import MAX_LIMIT, RANGE_FILTER, DateRange
from graphql_api.types.stock_volatility import StockVolatility
from graphql_api.types.stock_worth import StockWorth
from graphql_api.types.thirty_day_return import ThirtyDayReturn

HIGHEST_WORTH = f"""
SELECT ticker, average_traded_value
FROM {TICKER_STATS.name}
WHERE average_traded_value IS NOT NULL
ORDER BY average_traded_value DESC, ticker
LIMIT {MAX_LIMIT:d}
"""  # noqa: S608 (identifiers from etl.tables only)

HIGHEST_WORTH_IN_RANGE = f"""
SELECT ticker, avg(traded_value) AS average_traded_value
FROM {DAILY_METRICS.name}
WHERE {RANGE_FILTER}
GROUP BY ticker
ORDER BY average_traded_value DESC, ticker
LIMIT {MAX_LIMIT:d}
"""  # noqa: S608 (identifiers from etl.tables only)

MOST_VOLATILE = f"""
SELECT ticker, annualized_volatility, returns
FROM {TICKER_STATS.name}
WHERE annualized_volatility IS NOT NULL
ORDER BY annualized_volatility DESC, ticker
LIMIT {MAX_LIMIT:d}
"""  # noqa: S608 (identifiers from etl.tables only)

MOST_VOLATILE_IN_RANGE = f"""
SELECT ticker, annualized_volatility, returns
FROM (
    SELECT ticker,
           stddev_samp(daily_return) * sqrt(?) AS annualized_volatility,
           count(daily_return) AS returns
    FROM {DAILY_METRICS.name}
    WHERE {RANGE_FILTER}
    GROUP BY ticker
) AS ranged
WHERE returns >= 2
ORDER BY annualized_volatility DESC, ticker
LIMIT {MAX_LIMIT:d}
"""  # noqa: S608 (identifiers from etl.tables only)

TOP_THIRTY_DAY_RETURNS = f"""
SELECT ticker, date, return_30d, close, prior_date_30d, prior_close_30d
FROM {DAILY_METRICS.name}
WHERE return_30d IS NOT NULL
ORDER BY return_30d DESC, date, ticker
LIMIT {MAX_LIMIT:d}
"""  # noqa: S608 (identifiers from etl.tables only)

TOP_THIRTY_DAY_RETURNS_IN_RANGE = f"""
SELECT ticker, date, return_30d, close, prior_date_30d, prior_close_30d
FROM {DAILY_METRICS.name}
WHERE {RANGE_FILTER} AND return_30d IS NOT NULL
ORDER BY return_30d DESC, date, ticker
LIMIT {MAX_LIMIT:d}
"""  # noqa: S608 (identifiers from etl.tables only)


# Rows whose ranked value is not finite (NaN sorts first in DuckDB) are passed over, so one
# bad value can neither take the top place nor null the whole list; the ETL writes none.


async def highest_worth(snapshot: Snapshot, span: DateRange | None, limit: int) -> list[StockWorth]:
    if span is None:
        found = await snapshot.fetch(HIGHEST_WORTH)
    else:
        found = await snapshot.fetch(HIGHEST_WORTH_IN_RANGE, span.parameters)
    return [
        StockWorth(
            ticker=rows.text(row, "ticker"),
            average_traded_value=rows.number(row, "average_traded_value"),
        )
        for row in rows.finite(found, "average_traded_value")[:limit]
    ]


async def most_volatile(
    snapshot: Snapshot, span: DateRange | None, limit: int
) -> list[StockVolatility]:
    if span is None:
        found = await snapshot.fetch(MOST_VOLATILE)
    else:
        found = await snapshot.fetch(
            MOST_VOLATILE_IN_RANGE, (TRADING_DAYS_PER_YEAR, *span.parameters)
        )
    return [
        StockVolatility(
            ticker=rows.text(row, "ticker"),
            annualized_volatility=rows.number(row, "annualized_volatility"),
            returns=rows.whole(row, "returns"),
        )
        for row in rows.finite(found, "annualized_volatility")[:limit]
    ]


async def top_thirty_day_returns(
    snapshot: Snapshot, span: DateRange | None, limit: int
) -> list[ThirtyDayReturn]:
    if span is None:
        found = await snapshot.fetch(TOP_THIRTY_DAY_RETURNS)
    else:
        found = await snapshot.fetch(TOP_THIRTY_DAY_RETURNS_IN_RANGE, span.parameters)
    return [
        ThirtyDayReturn(
            ticker=rows.text(row, "ticker"),
            date=rows.day(row, "date"),
            return30d=rows.number(row, "return_30d"),
            close=rows.number(row, "close"),
            prior_date=rows.day(row, "prior_date_30d"),
            prior_close=rows.number(row, "prior_close_30d"),
        )
        for row in rows.finite(found, "return_30d")[:limit]
    ]
