"""The `stocks` connection: a page of stocks by ticker, optionally of listed tickers only.

A page reads the page's rows of ticker_stats only, and primes the request's stock
DataLoader with them, so per-stock fields batch over the page's tickers.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated

import strawberry

from graphql_api.context import Info
from graphql_api.pagination import (
    DEFAULT_FIRST,
    After,
    First,
    cursor_encoder,
    page_request,
    paged,
)
from graphql_api.services import stocks
from graphql_api.types.connection import Connection
from graphql_api.types.stock import Stock

STOCKS = "stocks"
STOCK_KEY = (str,)

Tickers = Annotated[
    list[str] | None,
    strawberry.argument(
        description="Only these tickers (a watchlist), by ticker; unknown ones are left out."
    ),
]


async def resolve_stocks(
    info: Info, first: First = DEFAULT_FIRST, after: After = None, tickers: Tickers = None
) -> Connection[Stock]:
    context = info.context
    snapshot = context.snapshot
    request = page_request(STOCKS, snapshot.version, STOCK_KEY, first, after)
    wanted = None if tickers is None else tuple(sorted({ticker.strip() for ticker in tickers}))
    last = None if request.after is None else str(request.after[0])
    found = await stocks.stock_page(snapshot, wanted, last, request.kept)
    context.stock_loaders.by_ticker.prime_many(
        {stock.ticker: stock for stock in found[: request.first]}
    )
    cursor = cursor_encoder(STOCKS, snapshot.version)
    return paged(
        found,
        request,
        lambda stock: cursor((stock.ticker,)),
        partial(stocks.stock_count, snapshot, wanted),
    )
