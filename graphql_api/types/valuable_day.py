from __future__ import annotations

import datetime as dt

import strawberry


@strawberry.type(description="A trading day and the mean traded value (close × volume) on it.")
class ValuableDay:
    date: dt.date = strawberry.field(description="The trading day.")
    average_traded_value: float = strawberry.field(
        description="Mean of close × volume across the tickers trading that day."
    )
