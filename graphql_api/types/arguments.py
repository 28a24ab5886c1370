"""Argument annotations shared by several fields, each with its GraphiQL description."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from graphql_api.services.arguments import MAX_WATCHLIST

From = Annotated[
    date,
    strawberry.argument(name="from", description="First day of the range (inclusive)."),
]
To = Annotated[date, strawberry.argument(description="Last day of the range (inclusive).")]
OptionalFrom = Annotated[
    date | None,
    strawberry.argument(
        name="from",
        description="First day of the range (inclusive); omit both ends for the whole history.",
    ),
]
OptionalTo = Annotated[
    date | None,
    strawberry.argument(
        description="Last day of the range (inclusive); omit both ends for the whole history."
    ),
]
Limit = Annotated[int, strawberry.argument(description="How many to return, 1 to 100.")]
Watchlist = Annotated[
    list[str] | None,
    strawberry.argument(
        description=f"A watchlist: rank only these tickers (at most {MAX_WATCHLIST}; an unknown "
        "one is an error). Omit it to rank every ticker."
    ),
]
