"""The root Query: each field validates its arguments, then calls one service."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable
from typing import Annotated

import strawberry

from etl.dataset_pointer import VersionSummary
from etl.tables import THIRTY_DAY_LEADERS
from graphql_api.context import Info
from graphql_api.resolvers.exploration import ExplorationQuery
from graphql_api.resolvers.stock_fields import prefetch_prices, raise_when_awaited
from graphql_api.resolvers.stock_pages import resolve_stocks
from graphql_api.resolvers.watchlist import optional_watchlist
from graphql_api.services import market, rankings, recorded
from graphql_api.services.arguments import (
    MAX_WATCHLIST,
    DateRange,
    checked_limit,
    date_range,
    optional_date_range,
)
from graphql_api.types.arguments import From, Limit, OptionalFrom, OptionalTo, To, Watchlist
from graphql_api.types.connection import Connection
from graphql_api.types.daily_average_return import DailyAverageReturn
from graphql_api.types.dataset import Dataset
from graphql_api.types.health import Health
from graphql_api.types.stock import Stock
from graphql_api.types.stock_volatility import StockVolatility
from graphql_api.types.stock_worth import StockWorth
from graphql_api.types.thirty_day_return import ThirtyDayReturn
from graphql_api.types.valuable_day import ValuableDay

Ticker = Annotated[str, strawberry.argument(description="A ticker symbol, e.g. AAPL.")]


def _optional_span(info: Info, start: dt.date | None, end: dt.date | None) -> DateRange | None:
    context = info.context
    return optional_date_range(
        start, end, dataset=context.dataset.summary, max_days=context.settings.max_range_days
    )


def _recorded(info: Info) -> VersionSummary | None:
    """The version's summary, whose recorded answers may answer a whole-history field
    (services/recorded.py); None with Athena, whose answers always come from its SQL:
    `stock-analytics verify` compares them with the recorded ones, the one check of
    Athena's SQL there is (docs/deploy.md, section 10)."""
    context = info.context
    return context.dataset.summary if context.engine.name == "duckdb" else None


def resolve_health(info: Info) -> Health:
    return Health(status="ok", engine=info.context.engine.name)


def resolve_dataset(info: Info) -> Dataset:
    dataset = info.context.dataset
    return Dataset.from_summary(dataset.summary, current=dataset.version == dataset.pointer.current)


def resolve_datasets(info: Info) -> list[Dataset]:
    pointer = info.context.dataset.pointer
    return [
        Dataset.from_summary(summary, current=summary.version == pointer.current)
        for summary in pointer.versions
    ]


async def resolve_average_daily_return(info: Info, from_: From, to: To) -> list[DailyAverageReturn]:
    context = info.context
    span = date_range(
        from_, to, dataset=context.dataset.summary, max_days=context.settings.max_range_days
    )
    return await market.average_daily_return(context.snapshot, span)


async def resolve_most_valuable_day(
    info: Info, from_: OptionalFrom = None, to: OptionalTo = None
) -> ValuableDay | None:
    span = _optional_span(info, from_, to)
    if (answer := recorded.most_valuable_day(_recorded(info), span)) is not None:
        return answer
    return await market.most_valuable_day(info.context.snapshot, span)


async def resolve_highest_worth_stocks(
    info: Info,
    from_: OptionalFrom = None,
    to: OptionalTo = None,
    limit: Limit = 1,
    tickers: Watchlist = None,
) -> list[StockWorth]:
    count = checked_limit(limit)
    span = _optional_span(info, from_, to)
    watchlist = await optional_watchlist(info, tickers, most=MAX_WATCHLIST)
    if (answer := recorded.highest_worth(_recorded(info), span, count, watchlist)) is not None:
        return answer
    return await rankings.highest_worth(info.context.snapshot, span, count, watchlist)


async def resolve_most_volatile(
    info: Info,
    from_: OptionalFrom = None,
    to: OptionalTo = None,
    limit: Limit = 1,
    tickers: Watchlist = None,
) -> list[StockVolatility]:
    count = checked_limit(limit)
    span = _optional_span(info, from_, to)
    watchlist = await optional_watchlist(info, tickers, most=MAX_WATCHLIST)
    if (answer := recorded.most_volatile(_recorded(info), span, count, watchlist)) is not None:
        return answer
    return await rankings.most_volatile(info.context.snapshot, span, count, watchlist)


async def resolve_top_thirty_day_returns(
    info: Info,
    from_: OptionalFrom = None,
    to: OptionalTo = None,
    limit: Limit = 3,
    tickers: Watchlist = None,
) -> list[ThirtyDayReturn]:
    count = checked_limit(limit)
    span = _optional_span(info, from_, to)
    watchlist = await optional_watchlist(info, tickers, most=MAX_WATCHLIST)
    context = info.context
    found = recorded.top_thirty_day_returns(_recorded(info), span, count, watchlist)
    if found is not None:
        return found
    has_leaders = context.dataset.summary.has_table(THIRTY_DAY_LEADERS.name)
    return await rankings.top_thirty_day_returns(
        context.snapshot, span, count, watchlist, has_leaders=has_leaders
    )


def resolve_stock(info: Info, ticker: Ticker) -> Awaitable[Stock | None]:
    """The stock's DataLoader future itself, not a coroutine awaiting it (two coroutines
    less); an error is raised when it is awaited, as by a coroutine, so errors keep their
    order."""
    try:
        wanted = ticker.strip()
        prefetch_prices(info, wanted)  # first: its statement goes to a thread before the stock's
        return info.context.stock_loaders.by_ticker.load(wanted)
    except Exception as error:
        return raise_when_awaited(error)


@strawberry.type(description="Daily stock market analytics. Returns are fractions, unrounded.")
class Query(ExplorationQuery):
    health: Health = strawberry.field(
        resolver=resolve_health, description="Whether the service is up, and its engine."
    )
    dataset: Dataset = strawberry.field(
        resolver=resolve_dataset,
        description="The dataset version the answers come from: the current one, or the one "
        "the X-Dataset-Version request header pins.",
    )
    datasets: list[Dataset] = strawberry.field(
        resolver=resolve_datasets,
        description="The retained dataset versions, newest first; any of them can be pinned "
        "with the X-Dataset-Version request header.",
    )
    average_daily_return: list[DailyAverageReturn] = strawberry.field(
        resolver=resolve_average_daily_return,
        description="For each trading day in the range, the mean daily return across the "
        "tickers that have one; days on which none has are left out.",
    )
    most_valuable_day: ValuableDay | None = strawberry.field(
        resolver=resolve_most_valuable_day,
        description="The day with the highest mean traded value (close × volume) across the "
        "tickers trading that day; null when the range holds no trading day.",
    )
    highest_worth_stocks: list[StockWorth] = strawberry.field(
        resolver=resolve_highest_worth_stocks,
        description="The tickers with the highest mean traded value over their trading days "
        "in the range, highest first.",
    )
    most_volatile: list[StockVolatility] = strawberry.field(
        resolver=resolve_most_volatile,
        description="The tickers with the highest annualized volatility, highest first; "
        "tickers with fewer than two daily returns are left out.",
    )
    top_thirty_day_returns: list[ThirtyDayReturn] = strawberry.field(
        resolver=resolve_top_thirty_day_returns,
        description="The (ticker, day) pairs with the highest 30-day return, highest first; "
        "ties go to the earlier day, then the ticker.",
    )
    stock: Stock | None = strawberry.field(
        resolver=resolve_stock,
        graphql_type=Stock | None,
        description="One stock by ticker; null when the ticker is unknown.",
    )
    stocks: Connection[Stock] = strawberry.field(
        resolver=resolve_stocks,
        description="The dataset's stocks by ticker, a page at a time (walk the pages with "
        "`after: pageInfo.endCursor`); `tickers` keeps only the listed ones.",
    )
