from __future__ import annotations

import datetime as dt

import strawberry

from graphql_api.resolvers import stock_fields
from graphql_api.services import domain
from graphql_api.types.daily_price import DailyPrice


@strawberry.type(description="One stock: its history's extent and its statistics.")
class Stock:
    ticker: str = strawberry.field(description="The stock's ticker symbol.")
    first_date: dt.date = strawberry.field(description="Its first trading day in the dataset.")
    last_date: dt.date = strawberry.field(description="Its last trading day in the dataset.")
    trading_days: int = strawberry.field(description="How many trading days it has.")
    summary: strawberry.Private[domain.StockSummary]

    average_traded_value: float | None = strawberry.field(
        resolver=stock_fields.average_traded_value,
        description="Mean of close × volume over its trading days in the range "
        "(the whole history when no range is given); null with no trading day in it.",
    )
    annualized_volatility: float | None = strawberry.field(
        resolver=stock_fields.annualized_volatility,
        description="Sample standard deviation of its daily returns in the range × √252 "
        "(the whole history when no range is given); null with fewer than two returns.",
    )
    prices: list[DailyPrice] = strawberry.field(
        resolver=stock_fields.prices,
        description="Its daily prices and returns in the range, oldest first.",
    )

    @classmethod
    def from_domain(cls, value: domain.StockSummary) -> Stock:
        return cls(
            ticker=value.ticker,
            first_date=value.first_date,
            last_date=value.last_date,
            trading_days=value.trading_days,
            summary=value,
        )
