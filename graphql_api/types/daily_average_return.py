from __future__ import annotations

import datetime as dt

import strawberry


@strawberry.type(description="The mean daily return across the tickers that have one on a date.")
class DailyAverageReturn:
    date: dt.date = strawberry.field(description="The trading day.")
    average_return: float = strawberry.field(
        description="Mean of the tickers' daily returns, as a fraction (0.0123 is 1.23%)."
    )
    stocks: int = strawberry.field(description="How many tickers had a daily return that day.")
