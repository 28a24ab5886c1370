"""Per-ticker answers. Each statement covers every ticker at once, so the DataLoaders
that batch per-stock fields make a fixed number of engine queries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from etl.tables import DAILY_METRICS, TICKER_STATS, TRADING_DAYS_PER_YEAR
from graphql_api.engines.base import Row, Snapshot
from graphql_api.pagination import FETCHED, SHORT_FETCHED
from graphql_api.services import rows
from graphql_api.services.arguments import RANGE_FILTER, DateRange
from graphql_api.types.daily_price import DailyPrice
from graphql_api.types.scalars import Long
from graphql_api.types.stock import Stock, StockStats

STOCK_COLUMNS = (
    "ticker",
    "first_date",
    "last_date",
    "trading_days",
    "average_traded_value",
    "annualized_volatility",
)
"""What a statement of stocks selects (engines/duckdb_index.py answers with them too)."""
_STOCK_COLUMNS = ", ".join(STOCK_COLUMNS)
PRICE_COLUMNS = (
    "ticker",
    "date",
    "open",
    "high",
    "low",
    "close",
    "volume",
    "daily_return",
    "return_30d",
)
"""What PRICES_IN_RANGE selects."""
_PRICE_COLUMNS = ", ".join(PRICE_COLUMNS)

ALL_STOCKS = f"""
SELECT {_STOCK_COLUMNS}
FROM {TICKER_STATS.name}
ORDER BY ticker
"""  # noqa: S608 (identifiers from etl.tables only)
"""Every stock (no service lists them all at once: the benchmarks and engine tests use it)."""

STOCKS_BY_TICKER = f"""
SELECT {_STOCK_COLUMNS}
FROM {TICKER_STATS.name}
WHERE contains(?, ticker)
"""  # noqa: S608 (identifiers from etl.tables only)


def _stocks_page(limit: int, where: str) -> str:
    return f"""
SELECT {_STOCK_COLUMNS}
FROM {TICKER_STATS.name}
WHERE {where}
ORDER BY ticker
LIMIT {limit:d}
"""  # noqa: S608 (identifiers from etl.tables only)


STOCKS_PAGE = _stocks_page(FETCHED, "ticker > ?")
"""A page of stocks, by ticker, after a ticker ('' for the first)."""
STOCKS_SHORT_PAGE = _stocks_page(SHORT_FETCHED, "ticker > ?")
"""STOCKS_PAGE for a page of at most DEFAULT_FIRST stocks."""
STOCKS_WATCHED_PAGE = _stocks_page(FETCHED, "ticker > ? AND contains(?, ticker)")
"""STOCKS_PAGE of the listed tickers only (a filter that costs DuckDB about 0.15 ms of a
0.85 ms page of the sample, so a page of every ticker goes without it)."""
STOCKS_WATCHED_SHORT_PAGE = _stocks_page(SHORT_FETCHED, "ticker > ? AND contains(?, ticker)")

STOCK_COUNT = f"""
SELECT count(*) AS total
FROM {TICKER_STATS.name}
WHERE ? OR contains(?, ticker)
"""  # noqa: S608 (identifiers from etl.tables only)

STATS_IN_RANGE = f"""
SELECT ticker,
       avg(traded_value) AS average_traded_value,
       CASE WHEN count(daily_return) >= 2
            THEN stddev_samp(daily_return) * sqrt(?) END AS annualized_volatility
FROM {DAILY_METRICS.name}
WHERE {RANGE_FILTER}
GROUP BY ticker
"""  # noqa: S608 (identifiers from etl.tables only)

PRICES_IN_RANGE = f"""
SELECT {_PRICE_COLUMNS}
FROM {DAILY_METRICS.name}
WHERE {RANGE_FILTER} AND contains(?, ticker)
"""  # noqa: S608 (identifiers from etl.tables only)
"""In no order: daily_metrics has one row per ticker and date, and the service sorts each
ticker's days by date (the sort was a quarter of DuckDB's time for a week of one ticker)."""


async def stocks_by_ticker(snapshot: Snapshot, tickers: Sequence[str]) -> dict[str, Stock]:
    """The listed tickers' stocks, by ticker; unknown tickers are left out."""
    if not tickers:
        return {}
    found = await snapshot.fetch(STOCKS_BY_TICKER, (tuple(sorted(set(tickers))),))
    return {stock.ticker: stock for stock in map(_stock, found)}


async def stock_page(
    snapshot: Snapshot, tickers: tuple[str, ...] | None, after: str | None, kept: int
) -> list[Stock]:
    """Up to `kept` stocks by ticker after `after` (from the first without it), of
    `tickers` only unless None."""
    short = kept <= SHORT_FETCHED
    if tickers is None:
        statement = STOCKS_SHORT_PAGE if short else STOCKS_PAGE
        found = await snapshot.fetch(statement, (after or "",))
    else:
        statement = STOCKS_WATCHED_SHORT_PAGE if short else STOCKS_WATCHED_PAGE
        found = await snapshot.fetch(statement, (after or "", tickers or ("",)))
    return [_stock(row) for row in found[:kept]]


async def stock_count(snapshot: Snapshot, tickers: tuple[str, ...] | None) -> int:
    [row] = await snapshot.fetch(STOCK_COUNT, _tickers_filter(tickers))
    return rows.whole(row, "total")


def _tickers_filter(tickers: tuple[str, ...] | None) -> tuple[bool, tuple[str, ...]]:
    """The values of `(? OR contains(?, ticker))`; the array is never empty, so its
    element type is known to the engine."""
    return (tickers is None, tickers or ("",))


def _stock(row: Row) -> Stock:
    return Stock(
        ticker=rows.text(row, "ticker"),
        first_date=rows.day(row, "first_date"),
        last_date=rows.day(row, "last_date"),
        trading_days=rows.whole(row, "trading_days"),
        history=StockStats(
            average_traded_value=rows.optional_number(row, "average_traded_value"),
            annualized_volatility=rows.optional_number(row, "annualized_volatility"),
        ),
    )


async def stats_in_range(snapshot: Snapshot, span: DateRange) -> dict[str, StockStats]:
    """Every ticker with a trading day in the range, by ticker."""
    found = await snapshot.fetch(STATS_IN_RANGE, (TRADING_DAYS_PER_YEAR, *span.parameters))
    return {
        rows.text(row, "ticker"): StockStats(
            average_traded_value=rows.number(row, "average_traded_value"),
            annualized_volatility=rows.optional_number(row, "annualized_volatility"),
        )
        for row in found
    }


async def prices_in_range(
    snapshot: Snapshot, tickers: Sequence[str], span: DateRange
) -> dict[str, list[DailyPrice]]:
    """The tickers' daily prices in the range, by ticker, oldest first."""
    wanted = tuple(sorted(set(tickers)))
    found = await snapshot.fetch(PRICES_IN_RANGE, (*span.parameters, wanted))
    prices: dict[str, list[DailyPrice]] = {ticker: [] for ticker in wanted}
    for row in found:
        prices[rows.text(row, "ticker")].append(
            DailyPrice(
                date=rows.day(row, "date"),
                open=rows.number(row, "open"),
                high=rows.number(row, "high"),
                low=rows.number(row, "low"),
                close=rows.number(row, "close"),
                volume=Long(rows.whole(row, "volume")),
                daily_return=rows.optional_number(row, "daily_return"),
                return30d=rows.optional_number(row, "return_30d"),
            )
        )
    for days in prices.values():
        days.sort(key=_date)
    return prices


def _date(price: DailyPrice) -> date:
    return price.date
