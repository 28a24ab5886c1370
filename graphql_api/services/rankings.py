"""Ticker rankings: highest worth, most volatile, top 30-day returns.

Each statement asks for the top MAX_LIMIT rows with a constant LIMIT and the
service keeps the first `limit`, so every limit shares one cached result. Ties
break on the earlier date, then the ticker, as the contract says. Each ranking
has a form over the whole history and one over a range, and each of those a
form that ranks only within a watchlist of tickers (IN_WATCHLIST, an array).
"""

from __future__ import annotations

from collections.abc import Sequence

from etl.tables import (
    DAILY_METRICS,
    THIRTY_DAY_LEADERS,
    TICKER_STATS,
    TRADING_DAYS_PER_YEAR,
    Table,
)
from graphql_api.engines.base import Row, Snapshot, SqlValue
from graphql_api.services import rows
from graphql_api.services.arguments import MAX_LIMIT, RANGE_FILTER, DateRange
from graphql_api.types.stock_volatility import StockVolatility
from graphql_api.types.stock_worth import StockWorth
from graphql_api.types.thirty_day_return import ThirtyDayReturn

IN_WATCHLIST = "contains(?, ticker)"


def _highest_worth(where: str) -> str:
    return f"""
SELECT ticker, average_traded_value
FROM {TICKER_STATS.name}
WHERE {where}
ORDER BY average_traded_value DESC, ticker
LIMIT {MAX_LIMIT:d}
"""  # noqa: S608 (identifiers from etl.tables only)


def _highest_worth_in_range(where: str) -> str:
    return f"""
SELECT ticker, avg(traded_value) AS average_traded_value
FROM {DAILY_METRICS.name}
WHERE {where}
GROUP BY ticker
ORDER BY average_traded_value DESC, ticker
LIMIT {MAX_LIMIT:d}
"""  # noqa: S608 (identifiers from etl.tables only)


def _most_volatile(where: str) -> str:
    return f"""
SELECT ticker, annualized_volatility, returns
FROM {TICKER_STATS.name}
WHERE {where}
ORDER BY annualized_volatility DESC, ticker
LIMIT {MAX_LIMIT:d}
"""  # noqa: S608 (identifiers from etl.tables only)


def _most_volatile_in_range(where: str) -> str:
    return f"""
SELECT ticker, annualized_volatility, returns
FROM (
    SELECT ticker,
           stddev_samp(daily_return) * sqrt(?) AS annualized_volatility,
           count(daily_return) AS returns
    FROM {DAILY_METRICS.name}
    WHERE {where}
    GROUP BY ticker
) AS ranged
WHERE returns >= 2
ORDER BY annualized_volatility DESC, ticker
LIMIT {MAX_LIMIT:d}
"""  # noqa: S608 (identifiers from etl.tables only)


def _top_thirty_day_returns(where: str, table: Table = DAILY_METRICS) -> str:
    return f"""
SELECT ticker, date, return_30d, close, prior_date_30d, prior_close_30d
FROM {table.name}
WHERE {where}
ORDER BY return_30d DESC, date, ticker
LIMIT {MAX_LIMIT:d}
"""  # noqa: S608 (identifiers from etl.tables only)


HIGHEST_WORTH = _highest_worth("average_traded_value IS NOT NULL")
HIGHEST_WORTH_IN_RANGE = _highest_worth_in_range(RANGE_FILTER)
HIGHEST_WORTH_WATCHED = _highest_worth(f"average_traded_value IS NOT NULL AND {IN_WATCHLIST}")
HIGHEST_WORTH_WATCHED_IN_RANGE = _highest_worth_in_range(f"{RANGE_FILTER} AND {IN_WATCHLIST}")

MOST_VOLATILE = _most_volatile("annualized_volatility IS NOT NULL")
MOST_VOLATILE_IN_RANGE = _most_volatile_in_range(RANGE_FILTER)
MOST_VOLATILE_WATCHED = _most_volatile(f"annualized_volatility IS NOT NULL AND {IN_WATCHLIST}")
MOST_VOLATILE_WATCHED_IN_RANGE = _most_volatile_in_range(f"{RANGE_FILTER} AND {IN_WATCHLIST}")

TOP_THIRTY_DAY_RETURNS = _top_thirty_day_returns("return_30d IS NOT NULL")
TOP_THIRTY_DAY_RETURNS_OF_LEADERS = _top_thirty_day_returns(
    "return_30d IS NOT NULL", THIRTY_DAY_LEADERS
)
"""TOP_THIRTY_DAY_RETURNS's rows, read from the version's thirty_day_leaders: the ETL's
top MAX_LIMIT rows of daily_metrics in the same order (one MAX_LIMIT, etl.tables')."""
TOP_THIRTY_DAY_RETURNS_IN_RANGE = _top_thirty_day_returns(
    f"{RANGE_FILTER} AND return_30d IS NOT NULL"
)
TOP_THIRTY_DAY_RETURNS_WATCHED = _top_thirty_day_returns(
    f"return_30d IS NOT NULL AND {IN_WATCHLIST}"
)
TOP_THIRTY_DAY_RETURNS_WATCHED_IN_RANGE = _top_thirty_day_returns(
    f"{RANGE_FILTER} AND return_30d IS NOT NULL AND {IN_WATCHLIST}"
)


# Rows whose ranked value is not finite (NaN sorts first in DuckDB) are passed over, so one
# bad value can neither take the top place nor null the whole list; the ETL writes none.


async def _ranked(
    snapshot: Snapshot,
    statements: tuple[str, str, str, str],
    span: DateRange | None,
    watchlist: Sequence[str] | None,
    leading: tuple[SqlValue, ...] = (),
) -> list[Row]:
    """Run the one of `statements` (whole history, in range, watched, watched in range)
    that fits; `leading` parameters come before the range's in the ranged forms."""
    whole, ranged, watched, watched_ranged = statements
    tickers: tuple[SqlValue, ...] = ()
    if watchlist is not None and not watchlist:
        return []  # nothing to rank: no query (nor an untyped empty ARRAY[] for Athena)
    if watchlist is not None:
        tickers = (tuple(sorted(set(watchlist))),)
        whole, ranged = watched, watched_ranged
    if span is None:
        return await snapshot.fetch(whole, tickers)
    return await snapshot.fetch(ranged, (*leading, *span.parameters, *tickers))


async def highest_worth(
    snapshot: Snapshot,
    span: DateRange | None,
    limit: int,
    watchlist: Sequence[str] | None = None,
) -> list[StockWorth]:
    statements = (
        HIGHEST_WORTH,
        HIGHEST_WORTH_IN_RANGE,
        HIGHEST_WORTH_WATCHED,
        HIGHEST_WORTH_WATCHED_IN_RANGE,
    )
    found = await _ranked(snapshot, statements, span, watchlist)
    return [
        StockWorth(
            ticker=rows.text(row, "ticker"),
            average_traded_value=rows.number(row, "average_traded_value"),
        )
        for row in rows.finite(found, "average_traded_value")[:limit]
    ]


async def most_volatile(
    snapshot: Snapshot,
    span: DateRange | None,
    limit: int,
    watchlist: Sequence[str] | None = None,
) -> list[StockVolatility]:
    statements = (
        MOST_VOLATILE,
        MOST_VOLATILE_IN_RANGE,
        MOST_VOLATILE_WATCHED,
        MOST_VOLATILE_WATCHED_IN_RANGE,
    )
    found = await _ranked(snapshot, statements, span, watchlist, (TRADING_DAYS_PER_YEAR,))
    return [
        StockVolatility(
            ticker=rows.text(row, "ticker"),
            annualized_volatility=rows.number(row, "annualized_volatility"),
            returns=rows.whole(row, "returns"),
        )
        for row in rows.finite(found, "annualized_volatility")[:limit]
    ]


async def top_thirty_day_returns(
    snapshot: Snapshot,
    span: DateRange | None,
    limit: int,
    watchlist: Sequence[str] | None = None,
    *,
    has_leaders: bool = False,
) -> list[ThirtyDayReturn]:
    """`has_leaders`: whether the version holds thirty_day_leaders (one written before that
    table existed does not), which then answers the whole history without a watchlist."""
    statements = (
        TOP_THIRTY_DAY_RETURNS_OF_LEADERS if has_leaders else TOP_THIRTY_DAY_RETURNS,
        TOP_THIRTY_DAY_RETURNS_IN_RANGE,
        TOP_THIRTY_DAY_RETURNS_WATCHED,
        TOP_THIRTY_DAY_RETURNS_WATCHED_IN_RANGE,
    )
    found = await _ranked(snapshot, statements, span, watchlist)
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
