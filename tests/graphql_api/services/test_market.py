"""averageDailyReturn's days come sorted by date, whatever order the engine returns them in
(its statement has no ORDER BY: the service sorts)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from graphql_api.engines.base import Row, SqlValue
from graphql_api.services import market
from graphql_api.services.arguments import DateRange


class ShuffledSnapshot:
    version = "20240101T000000Z-000001"

    def __init__(self, rows: list[Row]) -> None:
        self.rows = rows

    async def fetch(self, statement: str, parameters: Sequence[SqlValue] = ()) -> list[Row]:
        assert statement == market.AVERAGE_DAILY_RETURN
        return self.rows


async def test_the_days_come_sorted_by_date_whatever_the_engine_order() -> None:
    start = dt.date(2020, 1, 1)
    rows: list[Row] = [
        {"date": start + dt.timedelta(days=n), "average_return": n / 100, "return_tickers": n}
        for n in range(40)
    ]
    shuffled = rows[:]
    random.Random(7).shuffle(shuffled)
    assert shuffled != rows
    span = DateRange(start, start + dt.timedelta(days=39))
    days = await market.average_daily_return(ShuffledSnapshot(shuffled), span)
    assert [(d.date, d.average_return, d.stocks) for d in days] == [
        (r["date"], r["average_return"], r["return_tickers"]) for r in rows
    ]
