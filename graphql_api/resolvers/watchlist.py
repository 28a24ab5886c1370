"""The `tickers` arguments: a list of known tickers, or a BAD_USER_INPUT naming the others."""

from __future__ import annotations

from collections.abc import Sequence

from graphql_api.context import Info
from graphql_api.errors import BadUserInput
from graphql_api.services.arguments import checked_tickers


async def known_tickers(info: Info, tickers: Sequence[str], *, most: int) -> tuple[str, ...]:
    """The distinct tickers named (at most `most`), once each is in the request's dataset."""
    wanted = checked_tickers(tickers, most=most)
    found = await info.context.stock_loaders.by_ticker.load_many(wanted)
    unknown = [ticker for ticker, stock in zip(wanted, found, strict=True) if stock is None]
    if unknown:
        names = ", ".join(repr(ticker) for ticker in unknown)
        raise BadUserInput(f"unknown tickers in `tickers`: {names}; `stocks` lists the known ones")
    return wanted


async def optional_watchlist(
    info: Info, tickers: Sequence[str] | None, *, most: int
) -> tuple[str, ...] | None:
    return None if tickers is None else await known_tickers(info, tickers, most=most)
