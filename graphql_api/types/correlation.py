from __future__ import annotations

import strawberry


@strawberry.type(
    description="Pearson's correlation of two tickers' daily returns, on the days on which "
    "both have one."
)
class Correlation:
    a: str = strawberry.field(description="The first ticker (a < b).")
    b: str = strawberry.field(description="The second ticker.")
    correlation: float = strawberry.field(description="Pearson's r, from −1 to 1.")
    observations: int = strawberry.field(
        description="How many days both tickers have a daily return on."
    )
