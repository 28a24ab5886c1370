from __future__ import annotations

import strawberry


@strawberry.type(description="A ticker's annualized volatility.")
class StockVolatility:
    ticker: str = strawberry.field(description="The stock's ticker symbol.")
    annualized_volatility: float = strawberry.field(
        description="Sample standard deviation (n − 1) of its daily returns × √252."
    )
    returns: int = strawberry.field(description="How many daily returns the figure is based on.")
