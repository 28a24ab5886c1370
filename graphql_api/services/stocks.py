"""Per-ticker answers. Each statement covers every ticker at once, so the DataLoaders
that batch per-stock fields make a fixed number of engine queries."""

from __future__ import annotations

from collections.abc import Sequence

from etl.tables import DAILY_METRICS, TICKER_STATS, TRADING_DAYS_PER_YEAR
from graphql_api.engines.base import Snapshot
from graphql_api.services import rows
from graphql_api.services.arguments import RANGE_FILTER, DateRange
from graphql_api.types.daily_price import DailyPrice
from graphql_api.types.scalars import Long
from graphql_api.types.stock import Stock, StockStats

ALL_STOCKS = f"""
SELECT ticker, first_date, last_date, trading_days, average_traded_value, annualized_volatility
FROM {TICKER_STATS.name}
ORDER BY ticker
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
SELECT ticker, date, open, high, low, close, volume, daily_return, return_30d
FROM {DAILY_METRICS.name}
WHERE {RANGE_FILTER} AND contains(?, ticker)
ORDER BY ticker, date
"""  # noqa: S608 (identifiers from etl.tables only)


async def all_stocks(snapshot: Snapshot) -> list[Stock]:
    return [
        Stock(
            ticker=rows.text(row, "ticker"),
            first_date=rows.day(row, "first_date"),
            last_date=rows.day(row, "last_date"),
            trading_days=rows.whole(row, "trading_days"),
            history=StockStats(
                average_traded_value=rows.optional_number(row, "average_traded_value"),
                annualized_volatility=rows.optional_number(row, "annualized_volatility"),
            ),
        )
        for row in await snapshot.fetch(ALL_STOCKS)
    ]


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
    return prices
