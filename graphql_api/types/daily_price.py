from __future__ import annotations

import datetime as dt

import strawberry

from graphql_api.types.scalars import Long


@strawberry.type(description="One ticker's prices and returns on one trading day.")
class DailyPrice:
    date: dt.date = strawberry.field(description="The trading day.")
    open: float = strawberry.field(description="Opening price.")
    high: float = strawberry.field(description="Highest price of the day.")
    low: float = strawberry.field(description="Lowest price of the day.")
    close: float = strawberry.field(description="Closing price.")
    volume: Long = strawberry.field(description="Shares traded.")
    daily_return: float | None = strawberry.field(
        description="close / the previous trading day's close − 1; null on the first day."
    )
    return30d: float | None = strawberry.field(
        name="return30d",
        description="close / close of the latest trading day on or before date − 30 days − 1; "
        "null when there is none that early.",
    )
