"""Batch per-stock fields: one engine query per distinct date range, however many tickers."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from functools import cached_property, partial

from strawberry.dataloader import DataLoader

from graphql_api.engines.base import Snapshot
from graphql_api.services import candles, stocks
from graphql_api.services.arguments import DateRange
from graphql_api.types.candle import Candle, Interval
from graphql_api.types.daily_price import DailyPrice
from graphql_api.types.stock import Stock, StockStats

RangedKey = tuple[str, DateRange]
CandleKey = tuple[str, DateRange, Interval]


class StockLoaders:
    """A request's stock DataLoaders, each made when first asked for: a request uses one
    or two of them, if any."""

    def __init__(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot

    @cached_property
    def by_ticker(self) -> DataLoader[str, Stock | None]:
        return DataLoader(partial(_load_stocks, self._snapshot))

    @cached_property
    def stats_in_range(self) -> DataLoader[RangedKey, StockStats | None]:
        return DataLoader(partial(_load_stats_in_range, self._snapshot))

    @cached_property
    def prices_in_range(self) -> DataLoader[RangedKey, list[DailyPrice]]:
        return DataLoader(partial(_load_prices_in_range, self._snapshot))

    @cached_property
    def candles(self) -> DataLoader[CandleKey, list[Candle]]:
        return DataLoader(partial(_load_candles, self._snapshot))


def make_stock_loaders(snapshot: Snapshot) -> StockLoaders:
    return StockLoaders(snapshot)


async def _load_stocks(snapshot: Snapshot, tickers: Sequence[str]) -> list[Stock | None]:
    by_ticker = await stocks.stocks_by_ticker(snapshot, tickers)
    return [by_ticker.get(ticker) for ticker in tickers]


async def _load_stats_in_range(
    snapshot: Snapshot, keys: Sequence[RangedKey]
) -> list[StockStats | None]:
    spans = sorted({span for _, span in keys}, key=lambda span: (span.start, span.end))
    results = await asyncio.gather(*(stocks.stats_in_range(snapshot, span) for span in spans))
    by_span = dict(zip(spans, results, strict=True))
    return [by_span[span].get(ticker) for ticker, span in keys]


async def _load_prices_in_range(
    snapshot: Snapshot, keys: Sequence[RangedKey]
) -> list[list[DailyPrice]]:
    tickers_by_span: dict[DateRange, set[str]] = {}
    for ticker, span in keys:
        tickers_by_span.setdefault(span, set()).add(ticker)
    spans = list(tickers_by_span)
    if len(spans) == 1:  # at once, not in a task of gather's: see resolvers.prefetch_prices
        [span] = spans
        results = [await stocks.prices_in_range(snapshot, sorted(tickers_by_span[span]), span)]
    else:
        results = await asyncio.gather(
            *(
                stocks.prices_in_range(snapshot, sorted(tickers_by_span[span]), span)
                for span in spans
            )
        )
    by_span = dict(zip(spans, results, strict=True))
    return [by_span[span][ticker] for ticker, span in keys]


async def _load_candles(snapshot: Snapshot, keys: Sequence[CandleKey]) -> list[list[Candle]]:
    tickers_by_query: dict[tuple[DateRange, Interval], set[str]] = {}
    for ticker, span, interval in keys:
        tickers_by_query.setdefault((span, interval), set()).add(ticker)
    queries = list(tickers_by_query)
    results = await asyncio.gather(
        *(candles.candles(snapshot, sorted(tickers_by_query[query]), *query) for query in queries)
    )
    by_query = dict(zip(queries, results, strict=True))
    return [by_query[span, interval][ticker] for ticker, span, interval in keys]
