"""The contract's metrics computed straight from data/sample/stocks_daily.csv with pandas.

This is the independent side of the sample-data tests: it reads the raw CSV, not
the warehouse, and follows the contract's definitions (section 2) literally.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from testsupport.paths import SAMPLE_DATA

SAMPLE_CSV = SAMPLE_DATA / "stocks_daily.csv"
TRADING_DAYS_PER_YEAR = 252
LARGE_MOVE = 0.40


@dataclass(frozen=True)
class SampleTruth:
    rows: pd.DataFrame
    """ticker, date, open, high, low, close, volume, traded_value, daily_return, return_30d,
    prior_date, prior_close: one row per ticker and trading day."""

    def in_range(self, start: date | None, end: date | None) -> pd.DataFrame:
        rows = self.rows
        if start is not None:
            rows = rows[rows["date"] >= pd.Timestamp(start)]
        if end is not None:
            rows = rows[rows["date"] <= pd.Timestamp(end)]
        return rows

    def average_daily_return(self, start: date, end: date) -> list[tuple[date, float, int]]:
        returns = self.in_range(start, end).dropna(subset=["daily_return"])
        grouped = returns.groupby("date")["daily_return"].agg(["mean", "count"]).sort_index()
        return [(d.date(), float(m), int(c)) for d, m, c in grouped.itertuples()]

    def most_valuable_day(self, start: date | None, end: date | None) -> tuple[date, float]:
        by_date = self.in_range(start, end).groupby("date")["traded_value"].mean()
        best = by_date.max()
        winner = min(d for d, v in by_date.items() if v == best)
        return winner.date(), float(best)

    def highest_worth(self, start: date | None, end: date | None) -> list[tuple[str, float]]:
        by_ticker = self.in_range(start, end).groupby("ticker")["traded_value"].mean()
        return sorted(((t, float(v)) for t, v in by_ticker.items()), key=lambda p: (-p[1], p[0]))

    def volatility(self, start: date | None, end: date | None) -> list[tuple[str, float, int]]:
        ranked = []
        for ticker, group in self.in_range(start, end).groupby("ticker"):
            returns = group["daily_return"].dropna()
            if len(returns) >= 2:
                volatility = float(returns.std(ddof=1)) * math.sqrt(TRADING_DAYS_PER_YEAR)
                ranked.append((str(ticker), volatility, len(returns)))
        return sorted(ranked, key=lambda item: (-item[1], item[0]))

    def top_thirty_day_returns(
        self, start: date | None, end: date | None
    ) -> list[tuple[str, date, float, float, date, float]]:
        rows = self.in_range(start, end).dropna(subset=["return_30d"])
        ordered = rows.sort_values(["return_30d", "date", "ticker"], ascending=[False, True, True])
        return [
            (r.ticker, r.date.date(), r.return_30d, r.close, r.prior_date.date(), r.prior_close)
            for r in ordered.itertuples()
        ]

    def anomalies(self) -> list[tuple[str, date, str, str]]:
        """(ticker, date, kind, detail) of each flag the contract defines, in (ticker, date,
        kind) order; the detail of large_move only (the others print Spark's doubles)."""
        rows = self.rows
        body_high = rows[["open", "close"]].max(axis=1)
        body_low = rows[["open", "close"]].min(axis=1)
        flags = {
            "ohlc_inconsistent": (rows["high"] < body_high) | (rows["low"] > body_low),
            "zero_volume": rows["volume"] == 0,
            "large_move": rows["daily_return"].abs() > LARGE_MOVE,
        }
        found = [
            (
                str(row.ticker),
                row.date.date(),
                kind,
                f"daily_return={row.daily_return:.4f}" if kind == "large_move" else "",
            )
            for kind, flagged in flags.items()
            for row in rows[flagged].itertuples()
        ]
        return sorted(found)


def load_sample_truth(csv: Path = SAMPLE_CSV) -> SampleTruth:
    raw = pd.read_csv(csv, dtype={"symbol": str})
    return truth_of(raw.rename(columns={"symbol": "ticker"}))


def truth_of(raw: pd.DataFrame) -> SampleTruth:
    """The metrics of accepted input rows: ticker, date (YYYY-MM-DD), open, high, low, close,
    volume; one row per ticker and date."""
    raw = raw.copy()
    raw["date"] = pd.to_datetime(raw["date"], format="%Y-%m-%d")
    frames = []
    for _, group in raw.sort_values(["ticker", "date"]).groupby("ticker"):
        group = group.reset_index(drop=True)
        group["traded_value"] = group["close"] * group["volume"]
        group["daily_return"] = group["close"] / group["close"].shift(1) - 1
        frames.append(_with_thirty_day_returns(group))
    rows = pd.concat(frames, ignore_index=True)
    return SampleTruth(rows=rows)


def _with_thirty_day_returns(group: pd.DataFrame) -> pd.DataFrame:
    """For each day d, the latest trading day on or before d - 30 days (merge_asof, backward)."""
    lookups = pd.DataFrame({"date": group["date"], "cutoff": group["date"] - pd.Timedelta(days=30)})
    history = group[["date", "close"]].rename(
        columns={"date": "prior_date", "close": "prior_close"}
    )
    matched = pd.merge_asof(
        lookups.sort_values("cutoff"),
        history.sort_values("prior_date"),
        left_on="cutoff",
        right_on="prior_date",
        direction="backward",
    )
    group = group.merge(matched[["date", "prior_date", "prior_close"]], on="date", how="left")
    group["return_30d"] = group["close"] / group["prior_close"] - 1
    return group
