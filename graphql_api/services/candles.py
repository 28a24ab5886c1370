"""Candles: a ticker's open, high, low, close and volume per calendar period.

A candle's return needs the close of the ticker's last trading day before it. For
every candle but a ticker's first in the range that is the previous candle's close;
for the first it lies before the range, and the first day's daily return (which the
ETL computed from it) gives it back: close / (1 + daily return). So only the range's
partitions are read.
"""

from __future__ import annotations

from collections.abc import Sequence

from etl.tables import DAILY_METRICS
from graphql_api.engines.base import Snapshot
from graphql_api.services import rows
from graphql_api.services.arguments import RANGE_FILTER, DateRange
from graphql_api.types.candle import Candle, Interval
from graphql_api.types.scalars import Long

CANDLES = f"""
WITH days AS (
    SELECT ticker, date, open, high, low, close, volume, daily_return,
           date_trunc(?, date) AS period
    FROM {DAILY_METRICS.name}
    WHERE {RANGE_FILTER} AND contains(?, ticker)
),
candles AS (
    SELECT ticker,
           min(date) AS first_day,
           max(date) AS last_day,
           min_by(open, date) AS open,
           max(high) AS high,
           min(low) AS low,
           max_by(close, date) AS close,
           sum(volume) AS volume,
           count(*) AS trading_days,
           min_by(daily_return IS NOT NULL, date) AS follows_a_day,
           min_by(close / (1 + coalesce(daily_return, 0)), date) AS close_before
    FROM days
    GROUP BY ticker, period
)
SELECT ticker, first_day, last_day, open, high, low, close, volume, trading_days,
       close / coalesce(
           lag(close) OVER (PARTITION BY ticker ORDER BY first_day),
           CASE WHEN follows_a_day THEN close_before END
       ) - 1 AS candle_return
FROM candles
ORDER BY ticker, first_day
"""  # noqa: S608 (identifiers from etl.tables only)
# min_by's value is never null above: DuckDB's arg_min passes over rows whose value is null,
# Trino's does not.


async def candles(
    snapshot: Snapshot, tickers: Sequence[str], span: DateRange, interval: Interval
) -> dict[str, list[Candle]]:
    """The tickers' candles in the range, by ticker, oldest first. The interval's name is
    the unit of date_trunc, whose weeks start on Monday."""
    wanted = tuple(sorted(set(tickers)))
    found = await snapshot.fetch(CANDLES, (interval.name.lower(), *span.parameters, wanted))
    by_ticker: dict[str, list[Candle]] = {ticker: [] for ticker in wanted}
    for row in found:
        by_ticker[rows.text(row, "ticker")].append(
            Candle(
                start=rows.day(row, "first_day"),
                end=rows.day(row, "last_day"),
                open=rows.number(row, "open"),
                high=rows.number(row, "high"),
                low=rows.number(row, "low"),
                close=rows.number(row, "close"),
                volume=Long(rows.whole(row, "volume")),
                trading_days=rows.whole(row, "trading_days"),
                return_=rows.optional_number(row, "candle_return"),
            )
        )
    return by_ticker
