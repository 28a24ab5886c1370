from __future__ import annotations

import strawberry


@strawberry.type(description="A ticker and its mean traded value (close × volume).")
class StockWorth:
    ticker: str = strawberry.field(description="The stock's ticker symbol.")
    average_traded_value: float = strawberry.field(
        description="Mean of close × volume over the ticker's trading days in the range."
    )
