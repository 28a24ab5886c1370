from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="A ranking's direction.")
class Order(Enum):
    ASC = strawberry.enum_value("asc", description="Lowest first.")
    DESC = strawberry.enum_value("desc", description="Highest first.")


@strawberry.type(description="A ticker's return over a date range.")
class PeriodReturn:
    ticker: str = strawberry.field(description="The stock's ticker symbol.")
    return_: float = strawberry.field(
        name="return", description="endClose / startClose − 1, as a fraction."
    )
    start_close: float = strawberry.field(
        description="The close of the ticker's last trading day before the range; when it has "
        "none, of its first trading day in the range."
    )
    end_close: float = strawberry.field(
        description="The close of the ticker's last trading day in the range."
    )
    trading_days: int = strawberry.field(
        description="How many trading days the ticker has in the range."
    )
