from __future__ import annotations

import datetime as dt

import strawberry


@strawberry.type(description="A ticker's return over 30 calendar days, ending on a trading day.")
class ThirtyDayReturn:
    ticker: str = strawberry.field(description="The stock's ticker symbol.")
    date: dt.date = strawberry.field(description="The trading day the return ends on.")
    return30d: float = strawberry.field(
        name="return30d", description="close / priorClose − 1, as a fraction."
    )
    close: float = strawberry.field(description="The closing price on `date`.")
    prior_date: dt.date = strawberry.field(
        description="The ticker's latest trading day on or before `date` − 30 days."
    )
    prior_close: float = strawberry.field(description="The closing price on `priorDate`.")
