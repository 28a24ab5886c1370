"""What the services return: plain, immutable values, unrounded."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class DailyAverageReturn:
    date: dt.date
    average_return: float
    stocks: int


@dataclass(frozen=True)
class ValuableDay:
    date: dt.date
    average_traded_value: float


@dataclass(frozen=True)
class StockWorth:
    ticker: str
    average_traded_value: float


@dataclass(frozen=True)
class StockVolatility:
    ticker: str
    annualized_volatility: float
    returns: int


@dataclass(frozen=True)
class ThirtyDayReturn:
    ticker: str
    date: dt.date
    return_30d: float
    close: float
    prior_date: dt.date
    prior_close: float


@dataclass(frozen=True)
class StockSummary:
    """A ticker over its whole history (ticker_stats)."""

    ticker: str
    first_date: dt.date
    last_date: dt.date
    trading_days: int
    average_traded_value: float | None
    annualized_volatility: float | None


@dataclass(frozen=True)
class RangeStats:
    """A ticker's statistics over the trading days of one date range."""

    ticker: str
    average_traded_value: float
    annualized_volatility: float | None


@dataclass(frozen=True)
class DailyPrice:
    date: dt.date
    open: float
    high: float
    low: float
    close: float
    volume: int
    daily_return: float | None
    return_30d: float | None
