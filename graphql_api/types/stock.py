from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable
from dataclasses import dataclass

import strawberry

from graphql_api.resolvers import stock_fields
from graphql_api.types.candle import Candle
from graphql_api.types.daily_price import DailyPrice


@dataclass(frozen=True)
class StockStats:
    """A ticker's statistics over its trading days in a range (or its whole history).
    Not in the schema: what Stock's statistic fields answer with."""

    average_traded_value: float | None
    annualized_volatility: float | None


@strawberry.type(description="One stock: its history's extent and its statistics.")
class Stock:
    ticker: str = strawberry.field(description="The stock's ticker symbol.")
    first_date: dt.date = strawberry.field(description="Its first trading day in the dataset.")
    last_date: dt.date = strawberry.field(description="Its last trading day in the dataset.")
    trading_days: int = strawberry.field(description="How many trading days it has.")
    history: strawberry.Private[StockStats]
    """Its statistics over its whole history, the answer of the fields without a range."""

    average_traded_value: float | Awaitable[float | None] | None = strawberry.field(
        resolver=stock_fields.average_traded_value,
        graphql_type=float | None,
        description="Mean of close × volume over its trading days in the range "
        "(the whole history when no range is given); null with no trading day in it.",
    )
    annualized_volatility: float | Awaitable[float | None] | None = strawberry.field(
        resolver=stock_fields.annualized_volatility,
        graphql_type=float | None,
        description="Sample standard deviation of its daily returns in the range × √252 "
        "(the whole history when no range is given); null with fewer than two returns.",
    )
    prices: list[DailyPrice] = strawberry.field(
        resolver=stock_fields.prices,
        description="Its daily prices and returns in the range, oldest first.",
    )
    candles: list[Candle] = strawberry.field(
        resolver=stock_fields.candles,
        description="Its candles in the range, oldest first: one per calendar period (by "
        "default a month) holding a trading day of it in the range.",
    )
