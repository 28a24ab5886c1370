"""Resolvers of Stock's ranged fields, batched through the request's DataLoaders."""

from __future__ import annotations

from typing import Protocol

from graphql_api.context import Info
from graphql_api.services import domain
from graphql_api.services.arguments import date_range, optional_date_range
from graphql_api.types.arguments import From, OptionalFrom, OptionalTo, To
from graphql_api.types.daily_price import DailyPrice


class StockRoot(Protocol):
    """What these resolvers need of the Stock they resolve a field of."""

    ticker: str
    summary: domain.StockSummary


async def _stats_in_range(
    root: StockRoot, info: Info, from_: OptionalFrom, to: OptionalTo
) -> domain.RangeStats | domain.StockSummary | None:
    """The whole history's summary without a range; the range's statistics with one."""
    context = info.context
    span = optional_date_range(
        from_, to, dataset=context.dataset.summary, max_days=context.settings.max_range_days
    )
    if span is None:
        return root.summary
    return await context.stock_loaders.stats_in_range.load((root.ticker, span))


async def average_traded_value(
    root: StockRoot, info: Info, from_: OptionalFrom = None, to: OptionalTo = None
) -> float | None:
    stats = await _stats_in_range(root, info, from_, to)
    return None if stats is None else stats.average_traded_value


async def annualized_volatility(
    root: StockRoot, info: Info, from_: OptionalFrom = None, to: OptionalTo = None
) -> float | None:
    stats = await _stats_in_range(root, info, from_, to)
    return None if stats is None else stats.annualized_volatility


async def prices(root: StockRoot, info: Info, from_: From, to: To) -> list[DailyPrice]:
    context = info.context
    span = date_range(
        from_, to, dataset=context.dataset.summary, max_days=context.settings.max_range_days
    )
    found = await context.stock_loaders.prices_in_range.load((root.ticker, span))
    return [DailyPrice.from_domain(price) for price in found]
