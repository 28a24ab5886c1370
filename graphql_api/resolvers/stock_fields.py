"""Resolvers of Stock's ranged fields, batched through the request's DataLoaders."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, Protocol

import strawberry
from graphql import (
    FieldNode,
    GraphQLFieldResolver,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
)
from strawberry.types.nodes import convert_arguments

from graphql_api.errors import BadUserInput
from graphql_api.leaf_execution import with_plain_reader
from graphql_api.loaders.settled import settled
from graphql_api.services.arguments import date_range, optional_date_range
from graphql_api.types.arguments import From, OptionalFrom, OptionalTo, To
from graphql_api.types.candle import Candle, Interval
from graphql_api.types.daily_price import DailyPrice
from graphql_api.types.scalars import parse_date

if TYPE_CHECKING:
    # Not imported at run time: the context makes the loaders, whose services return
    # Stock, whose module imports this one. Strawberry knows `strawberry.Info[...]` by name.
    from graphql_api.context import AppContext
    from graphql_api.types.stock import StockStats


class StockRoot(Protocol):
    """What these resolvers need of the Stock they resolve a field of."""

    ticker: str
    history: StockStats


def _ranged_stats(
    root: StockRoot,
    info: strawberry.Info[AppContext, None],
    from_: OptionalFrom,
    to: OptionalTo,
) -> Awaitable[StockStats | None] | None:
    """The range's statistics (from the request's DataLoader), or None without a range."""
    context = info.context
    span = optional_date_range(
        from_, to, dataset=context.dataset.summary, max_days=context.settings.max_range_days
    )
    if span is None:
        return None
    return context.stock_loaders.stats_in_range.load((root.ticker, span))


async def _pick(
    stats: Awaitable[StockStats | None], value: Callable[[StockStats], float | None]
) -> float | None:
    found = await stats
    return None if found is None else value(found)


# The statistics resolvers are plain functions that return the whole history's value at
# once, and an awaitable only for a range: on a page of stocks, an async resolver per
# field and stock would cost a coroutine and a task each, most of a page's time.


def average_traded_value(
    root: StockRoot,
    info: strawberry.Info[AppContext, None],
    from_: OptionalFrom = None,
    to: OptionalTo = None,
) -> float | Awaitable[float | None] | None:
    ranged = _ranged_stats(root, info, from_, to)
    if ranged is None:
        return root.history.average_traded_value
    return _pick(ranged, lambda stats: stats.average_traded_value)


def annualized_volatility(
    root: StockRoot,
    info: strawberry.Info[AppContext, None],
    from_: OptionalFrom = None,
    to: OptionalTo = None,
) -> float | Awaitable[float | None] | None:
    ranged = _ranged_stats(root, info, from_, to)
    if ranged is None:
        return root.history.annualized_volatility
    return _pick(ranged, lambda stats: stats.annualized_volatility)


WHOLE_HISTORY_FIELDS = {
    "averageTradedValue": "average_traded_value",
    "annualizedVolatility": "annualized_volatility",
}
"""Stock's statistic fields (GraphQL name -> StockStats attribute)."""


def answer_whole_history_directly(schema: GraphQLSchema) -> None:
    """Let Stock's statistic fields answer the whole history's value straight from the
    Stock when neither `from` nor `to` is given, past Strawberry's per-field wrapper
    (argument conversion, its Info, the resolver call): on a page of stocks that wrapper
    was most of the time. With a range, the field resolves as declared above."""
    stock = schema.type_map["Stock"]
    assert isinstance(stock, GraphQLObjectType)
    for name, attribute in WHOLE_HISTORY_FIELDS.items():
        field = stock.fields[name]
        assert field.resolve is not None
        assert set(field.args) == {"from", "to"}
        field.resolve = _whole_history_first(field.resolve, attribute)


def _whole_history_first(ranged: GraphQLFieldResolver, attribute: str) -> GraphQLFieldResolver:
    def whole_history(root: StockRoot) -> Any:
        return getattr(root.history, attribute)

    def resolve(root: StockRoot, info: GraphQLResolveInfo[Any], **arguments: Any) -> Any:
        if arguments.get("from") is None and arguments.get("to") is None:
            return whole_history(root)
        return ranged(root, info, **arguments)

    return with_plain_reader(resolve, whole_history)


async def prices(
    root: StockRoot, info: strawberry.Info[AppContext, None], from_: From, to: To
) -> list[DailyPrice]:
    """The declaration; answer_prices_directly resolves the field in its place."""
    return await _load_prices(root, info.context, from_, to)


def _load_prices(
    root: StockRoot, context: AppContext, start: dt.date, end: dt.date
) -> Awaitable[list[DailyPrice]]:
    span = date_range(
        start, end, dataset=context.dataset.summary, max_days=context.settings.max_range_days
    )
    return context.stock_loaders.prices_in_range.load((root.ticker, span))


def answer_prices_directly(schema: GraphQLSchema) -> None:
    """Let Stock's `prices` resolve past Strawberry's per-field wrapper (argument
    conversion, its Info, two coroutines): its arguments are dates already (the Date
    scalar parsed them), and prices loaded already, as prefetch_prices loads a stock's
    from the index, are answered at once rather than by a coroutine awaited later."""
    stock = schema.type_map["Stock"]
    assert isinstance(stock, GraphQLObjectType)
    field = stock.fields["prices"]
    assert field.resolve is not None
    assert set(field.args) == {"from", "to"}
    field.resolve = _prices_at_once


def _prices_at_once(root: StockRoot, info: GraphQLResolveInfo[Any], **arguments: Any) -> Any:
    try:
        loading = _load_prices(root, info.context, arguments["from"], arguments["to"])
    except Exception as error:
        # Raised when awaited, as by the async resolver: the errors keep their order.
        return raise_when_awaited(error)
    return settled(loading)


async def raise_when_awaited(error: Exception) -> NoReturn:
    """What a coroutine resolver failing with `error` returns."""
    raise error


def prefetch_prices(info: strawberry.Info[AppContext, None], ticker: str) -> None:
    """Start loading the `prices` that the stock field being resolved selects (as plain
    fields, not in a fragment nor under a directive) before the stock itself is known: the
    prices statement then runs beside the stock's own, not after it. The prices resolver
    asks the request's DataLoader for the same key and finds it loading. A selection whose
    arguments are not valid is left to that resolver, which says what is wrong; the prices
    of an unknown ticker are loaded for nothing."""
    context = info.context
    for arguments in selected_prices(info._raw_info):
        try:
            span = date_range(
                _day(arguments.get("from")),
                _day(arguments.get("to")),
                dataset=context.dataset.summary,
                max_days=context.settings.max_range_days,
            )
        except BadUserInput:
            continue
        loading = context.stock_loaders.prices_in_range.load((ticker, span))
        asyncio.ensure_future(loading).add_done_callback(_retrieved)


def selected_prices(info: GraphQLResolveInfo[Any]) -> list[dict[str, Any]]:
    """The arguments of each `prices` the field being resolved selects as a plain field (not
    in a fragment nor under a directive), as Strawberry's `info.selected_fields` gives them,
    without converting the rest of the selection (26 us of a stock's request)."""
    return [
        convert_arguments(info, field.arguments)
        for stock in info.field_nodes
        for field in (stock.selection_set.selections if stock.selection_set else ())
        if isinstance(field, FieldNode) and field.name.value == "prices" and not field.directives
    ]


def _day(value: object) -> dt.date:
    """A Date argument: a variable's value is parsed already, a literal's is its text."""
    return value if isinstance(value, dt.date) else parse_date(value)


def _retrieved(done: asyncio.Future[Any]) -> None:
    """Marks a failed prefetch as seen: if no resolver awaits it (an unknown ticker), asyncio
    would log it as never retrieved; a resolver that does gets the error itself."""
    if not done.cancelled():
        done.exception()


CandleInterval = Annotated[
    Interval, strawberry.argument(description="The calendar period of one candle.")
]


async def candles(
    root: StockRoot,
    info: strawberry.Info[AppContext, None],
    from_: From,
    to: To,
    interval: CandleInterval = Interval.MONTH,
) -> list[Candle]:
    context = info.context
    span = date_range(
        from_, to, dataset=context.dataset.summary, max_days=context.settings.max_range_days
    )
    return await context.stock_loaders.candles.load((root.ticker, span, interval))
