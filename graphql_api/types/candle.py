from __future__ import annotations

import datetime as dt
from enum import Enum

import strawberry

from graphql_api.types.scalars import Long


@strawberry.enum(description="The calendar period one candle covers.")
class Interval(Enum):
    DAY = strawberry.enum_value("day", description="One trading day.")
    WEEK = strawberry.enum_value("week", description="An ISO week, Monday to Sunday.")
    MONTH = strawberry.enum_value("month", description="A calendar month.")
    QUARTER = strawberry.enum_value("quarter", description="A calendar quarter.")
    YEAR = strawberry.enum_value("year", description="A calendar year.")


@strawberry.type(
    description="A ticker's prices over the trading days of one calendar period that lie in "
    "the range asked for."
)
class Candle:
    start: dt.date = strawberry.field(description="The candle's first trading day.")
    end: dt.date = strawberry.field(description="The candle's last trading day.")
    open: float = strawberry.field(description="The opening price of its first trading day.")
    high: float = strawberry.field(description="The highest high of its trading days.")
    low: float = strawberry.field(description="The lowest low of its trading days.")
    close: float = strawberry.field(description="The closing price of its last trading day.")
    volume: Long = strawberry.field(description="The shares traded over its trading days.")
    trading_days: int = strawberry.field(description="How many trading days it covers.")
    return_: float | None = strawberry.field(
        name="return",
        description="close / the close of the ticker's last trading day before `start` − 1; "
        "null when the ticker has no trading day before `start`.",
    )
