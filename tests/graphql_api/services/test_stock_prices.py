"""A stock's prices come by ticker, oldest first, whatever order the engine returns the rows
in (PRICES_IN_RANGE has no ORDER BY: the service sorts)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from graphql_api.engines.base import Row, SqlValue
from graphql_api.services import stocks
from graphql_api.services.arguments import DateRange

START = dt.date(2020, 1, 1)


class ShuffledSnapshot:
    version = "20240101T000000Z-000001"

    def __init__(self, rows: list[Row]) -> None:
        self.rows = rows

    async def fetch(self, statement: str, parameters: Sequence[SqlValue] = ()) -> list[Row]:
        assert statement == stocks.PRICES_IN_RANGE
        return self.rows


def _row(ticker: str, day: int) -> Row:
    close = 100.0 + day + (0.5 if ticker == "BBB" else 0.0)
    return {
        "ticker": ticker,
        "date": START + dt.timedelta(days=day),
        "open": close - 1,
        "high": close + 1,
        "low": close - 2,
        "close": close,
        "volume": 1000 + day,
        "daily_return": None if day == 0 else day / 1000,
        "return_30d": None,
    }


async def test_each_tickers_days_come_sorted_by_date_whatever_the_engine_order() -> None:
    rows = [_row(ticker, day) for ticker in ("AAA", "BBB") for day in range(30)]
    shuffled = rows[:]
    random.Random(11).shuffle(shuffled)
    assert shuffled != rows
    span = DateRange(START, START + dt.timedelta(days=29))
    prices = await stocks.prices_in_range(ShuffledSnapshot(shuffled), ["BBB", "AAA", "CCC"], span)
    assert list(prices) == ["AAA", "BBB", "CCC"]
    assert prices["CCC"] == []
    for ticker in ("AAA", "BBB"):
        expected = [row for row in rows if row["ticker"] == ticker]
        assert [(p.date, p.close, p.volume, p.daily_return) for p in prices[ticker]] == [
            (r["date"], r["close"], r["volume"], r["daily_return"]) for r in expected
        ]
