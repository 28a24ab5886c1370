"""An independent plain-Python computation of the contract's metrics, straight from a CSV.

Deliberately shares no code with the ETL: the csv module, bisect and statistics.
Assumes a clean input (no bad or duplicate rows), like the bundled sample.
"""

from __future__ import annotations

import bisect
import csv
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path


@dataclass(frozen=True)
class Day:
    ticker: str
    date: date
    open: float
    high: float
    low: float
    close: float
    volume: int
    daily_return: float | None
    return_30d: float | None
    prior_date_30d: date | None
    prior_close_30d: float | None

    @property
    def traded_value(self) -> float:
        return self.close * self.volume


def read_days(path: Path) -> dict[tuple[str, date], Day]:
    """Every (ticker, date) of a clean CSV with its daily and 30-day returns."""
    by_ticker: dict[str, list[dict[str, str]]] = defaultdict(list)
    with path.open(newline="") as handle:
        for record in csv.DictReader(handle):
            by_ticker[record.get("ticker") or record["symbol"]].append(record)
    days: dict[tuple[str, date], Day] = {}
    for ticker, records in by_ticker.items():
        records.sort(key=lambda record: record["date"])
        dates = [date.fromisoformat(record["date"]) for record in records]
        closes = [float(record["close"]) for record in records]
        for index, record in enumerate(records):
            # Latest trading day on or before date - 30 calendar days.
            prior = bisect.bisect_right(dates, dates[index] - timedelta(days=30)) - 1
            days[(ticker, dates[index])] = Day(
                ticker=ticker,
                date=dates[index],
                open=float(record["open"]),
                high=float(record["high"]),
                low=float(record["low"]),
                close=closes[index],
                volume=int(record["volume"]),
                daily_return=closes[index] / closes[index - 1] - 1 if index else None,
                return_30d=closes[index] / closes[prior] - 1 if prior >= 0 else None,
                prior_date_30d=dates[prior] if prior >= 0 else None,
                prior_close_30d=closes[prior] if prior >= 0 else None,
            )
    return days


def market_days(days: dict[tuple[str, date], Day]) -> dict[date, dict[str, object]]:
    grouped: dict[date, list[Day]] = defaultdict(list)
    for day in days.values():
        grouped[day.date].append(day)
    result = {}
    for when, members in grouped.items():
        returns = [day.daily_return for day in members if day.daily_return is not None]
        result[when] = {
            "average_return": statistics.fmean(returns) if returns else None,
            "average_traded_value": statistics.fmean(day.traded_value for day in members),
            "tickers": len(members),
            "return_tickers": len(returns),
        }
    return result


def ticker_stats(days: dict[tuple[str, date], Day]) -> dict[str, dict[str, object]]:
    grouped: dict[str, list[Day]] = defaultdict(list)
    for day in days.values():
        grouped[day.ticker].append(day)
    result = {}
    for ticker, members in grouped.items():
        returns = [day.daily_return for day in members if day.daily_return is not None]
        result[ticker] = {
            "first_date": min(day.date for day in members),
            "last_date": max(day.date for day in members),
            "trading_days": len(members),
            "average_traded_value": statistics.fmean(day.traded_value for day in members),
            "annualized_volatility": (
                statistics.stdev(returns) * math.sqrt(252) if len(returns) >= 2 else None
            ),
            "returns": len(returns),
        }
    return result


def anomalies(days: dict[tuple[str, date], Day]) -> set[tuple[str, date, str]]:
    flagged = set()
    for day in days.values():
        if day.high < max(day.open, day.close) or day.low > min(day.open, day.close):
            flagged.add((day.ticker, day.date, "ohlc_inconsistent"))
        if day.volume == 0:
            flagged.add((day.ticker, day.date, "zero_volume"))
        if day.daily_return is not None and abs(day.daily_return) > 0.4:
            flagged.add((day.ticker, day.date, "large_move"))
    return flagged
