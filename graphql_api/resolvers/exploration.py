"""The root Query's exploration fields: period returns and correlations."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graphql_api.context import Info
from graphql_api.resolvers.watchlist import known_tickers, optional_watchlist
from graphql_api.services import correlations, period_returns
from graphql_api.services.arguments import (
    MAX_CORRELATION_TICKERS,
    MAX_WATCHLIST,
    checked_limit,
    date_range,
    optional_date_range,
)
from graphql_api.types.arguments import From, Limit, OptionalFrom, OptionalTo, To, Watchlist
from graphql_api.types.correlation import Correlation
from graphql_api.types.period_return import Order, PeriodReturn

Direction = Annotated[
    Order, strawberry.argument(description="DESC: highest return first; ASC: lowest first.")
]
CorrelatedTickers = Annotated[
    list[str],
    strawberry.argument(
        description=f"The tickers to pair up, at most {MAX_CORRELATION_TICKERS}; an unknown "
        "one is an error."
    ),
]


async def resolve_period_returns(
    info: Info,
    from_: From,
    to: To,
    order: Direction = Order.DESC,
    limit: Limit = 10,
    tickers: Watchlist = None,
) -> list[PeriodReturn]:
    count = checked_limit(limit)
    context = info.context
    span = date_range(
        from_, to, dataset=context.dataset.summary, max_days=context.settings.max_range_days
    )
    watchlist = await optional_watchlist(info, tickers, most=MAX_WATCHLIST)
    return await period_returns.period_returns(context.snapshot, span, order, count, watchlist)


async def resolve_correlations(
    info: Info, tickers: CorrelatedTickers, from_: OptionalFrom = None, to: OptionalTo = None
) -> list[Correlation]:
    context = info.context
    span = optional_date_range(
        from_, to, dataset=context.dataset.summary, max_days=context.settings.max_range_days
    )
    wanted = await known_tickers(info, tickers, most=MAX_CORRELATION_TICKERS)
    return await correlations.correlations(context.snapshot, wanted, span)


@strawberry.type
class ExplorationQuery:
    """Mixed into Query."""

    period_returns: list[PeriodReturn] = strawberry.field(
        resolver=resolve_period_returns,
        description="Each ticker's return over the range: endClose / startClose − 1, ranked "
        "(ties go to the ticker, ascending); tickers with fewer than two closes to compare "
        "are left out.",
    )
    correlations: list[Correlation] = strawberry.field(
        resolver=resolve_correlations,
        description="Pearson's correlation of each pair of the tickers' daily returns, on "
        "the days in the range on which both have one; one entry per pair (a < b), by a "
        "then b; pairs with fewer than three common returns are left out.",
    )
