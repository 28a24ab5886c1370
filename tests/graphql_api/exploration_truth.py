"""Candles, period returns and correlations computed from a raw CSV with plain pandas.

The independent side of the exploration tests: it follows the issue's definitions
literally over the CSV's rows (SampleTruth.rows), with the real close of the last
trading day before a range where a definition asks for it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import pandas as pd

from tests.graphql_api.sample_truth import SampleTruth


def _period(day: date, interval: str) -> object:
    """The calendar period `day` lies in."""
    if interval == "DAY":
        return day
    if interval == "WEEK":
        return day - timedelta(days=day.weekday())  # the ISO week's Monday
    if interval == "MONTH":
        return (day.year, day.month)
    if interval == "QUARTER":
        return (day.year, (day.month - 1) // 3)
    assert interval == "YEAR"
    return day.year


def _history(truth: SampleTruth, ticker: str) -> pd.DataFrame:
    return truth.rows[truth.rows["ticker"] == ticker].sort_values("date")


def candles(
    truth: SampleTruth, ticker: str, start: date, end: date, interval: str
) -> list[dict[str, Any]]:
    history = _history(truth, ticker)
    days = [row for row in history.itertuples() if start <= row.date.date() <= end]
    periods: dict[object, list[Any]] = {}
    for row in days:
        periods.setdefault(_period(row.date.date(), interval), []).append(row)
    found = []
    for rows in periods.values():
        first, last = rows[0], rows[-1]
        before = history[history["date"] < first.date]
        found.append(
            {
                "start": first.date.date().isoformat(),
                "end": last.date.date().isoformat(),
                "open": first.open,
                "high": max(row.high for row in rows),
                "low": min(row.low for row in rows),
                "close": last.close,
                "volume": sum(int(row.volume) for row in rows),
                "tradingDays": len(rows),
                "return": last.close / before["close"].iloc[-1] - 1 if len(before) else None,
            }
        )
    return found


def period_returns(
    truth: SampleTruth,
    start: date,
    end: date,
    order: str = "DESC",
    tickers: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    found = []
    for ticker in sorted(set(truth.rows["ticker"])):
        if tickers is not None and ticker not in tickers:
            continue
        history = _history(truth, ticker)
        first, last = pd.Timestamp(start), pd.Timestamp(end)
        inside = history[(history["date"] >= first) & (history["date"] <= last)]
        before = history[history["date"] < first]
        if len(inside) + min(len(before), 1) < 2:
            continue
        start_close = before["close"].iloc[-1] if len(before) else inside["close"].iloc[0]
        end_close = inside["close"].iloc[-1]
        found.append(
            {
                "ticker": ticker,
                "return": end_close / start_close - 1,
                "startClose": start_close,
                "endClose": end_close,
                "tradingDays": len(inside),
            }
        )
    sign = -1 if order == "DESC" else 1
    return sorted(found, key=lambda entry: (sign * entry["return"], entry["ticker"]))


def correlations(
    truth: SampleTruth, tickers: Sequence[str], start: date | None, end: date | None
) -> list[dict[str, Any]]:
    returns = truth.in_range(start, end).dropna(subset=["daily_return"])
    by_ticker = {
        ticker: dict(zip(group["date"], group["daily_return"], strict=True))
        for ticker, group in returns.groupby("ticker")
    }
    found = []
    names = sorted(set(tickers))
    for index, a in enumerate(names):
        for b in names[index + 1 :]:
            common = sorted(set(by_ticker.get(a, {})) & set(by_ticker.get(b, {})))
            if len(common) < 3:
                continue
            r = _pearson([by_ticker[a][d] for d in common], [by_ticker[b][d] for d in common])
            if r is not None:
                found.append({"a": a, "b": b, "correlation": r, "observations": len(common)})
    return found


def _pearson(xs: list[float], ys: list[float]) -> float | None:
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    covariance = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    spread_x = math.sqrt(sum((x - mean_x) ** 2 for x in xs))
    spread_y = math.sqrt(sum((y - mean_y) ** 2 for y in ys))
    if spread_x == 0 or spread_y == 0:
        return None
    return covariance / (spread_x * spread_y)
