"""Answers computed straight from the bundled sample CSV with pandas, independent of the app."""

from __future__ import annotations

from functools import cache

import pandas as pd

from testsupport.paths import SAMPLE_DATA

SAMPLE_CSV = SAMPLE_DATA / "stocks_daily.csv"


@cache
def _prices() -> pd.DataFrame:
    frame = pd.read_csv(SAMPLE_CSV, parse_dates=["date"]).sort_values(["symbol", "date"])
    frame["daily_return"] = frame.groupby("symbol")["close"].pct_change()
    return frame


def ticker_count() -> int:
    return int(_prices()["symbol"].nunique())


def last_date() -> str:
    return str(_prices()["date"].max().date())


def average_daily_returns(first: str, last: str) -> dict[str, float]:
    """Mean daily return across tickers for each date in [first, last] that has one."""
    prices = _prices()
    in_range = prices[(prices["date"] >= first) & (prices["date"] <= last)]
    means = in_range.dropna(subset=["daily_return"]).groupby("date")["daily_return"].mean()
    return {str(day.date()): float(value) for day, value in means.items()}
