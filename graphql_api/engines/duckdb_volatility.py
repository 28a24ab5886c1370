"""Ranged volatility as DuckDB computes it, for the index (engines/duckdb_index.py).

services/rankings.py's MOST_VOLATILE_IN_RANGE ranks tickers by stddev_samp(daily_return)
* sqrt(?) over the daily_metrics rows in a date range. DuckDB's stddev_samp is Welford's
online update (STDDevBaseOperation::Execute in DuckDB's stddev.hpp) over the rows in the
order one thread scans them, then sqrt(dsquared / (count - 1)); the same operations, in
the same order, on the same doubles give the same bits. So the index answers only when
its table is scanned by one thread (the database of one thread: one local aggregate
state, nothing combined), each ticker's rows in date order, every return in the range
finite, and at most MAX_RETURNS returns in all; and only once check_against_duckdb found
the whole history's values equal to DuckDB's own (a DuckDB of another algorithm fails it).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import duckdb

from graphql_api.engines.base import Row, SqlValue

MAX_RETURNS = 10_000
"""The most returns (all tickers together) the index folds for one answer, about 3 ms of
Python; a longer range is left to SQL."""

FIRST_YEAR, LAST_YEAR = date.min.year, date.max.year


@dataclass
class TickerReturns:
    """One ticker's non-null daily returns, oldest first."""

    dates: list[date] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    not_finite: list[int] = field(default_factory=list)
    """Positions in `values` of NaN and infinities."""

    def add(self, day: date, value: float) -> None:
        if not math.isfinite(value):
            self.not_finite.append(len(self.values))
        self.dates.append(day)
        self.values.append(value)


def stddev_samp(values: Sequence[float]) -> float | None:
    """DuckDB's stddev_samp of `values` in this order (None with fewer than two)."""
    count, mean, dsquared = 0.0, 0.0, 0.0
    for value in values:
        count += 1.0
        delta = value - mean
        new_mean = mean + delta / count
        dsquared += (value - new_mean) * delta
        mean = new_mean
    return None if count <= 1.0 else math.sqrt(dsquared / (count - 1.0))


def most_volatile(
    returns: dict[str, TickerReturns],
    parameters: Sequence[SqlValue],
    limit: int,
) -> list[Row] | None:
    """MOST_VOLATILE_IN_RANGE's rows for (factor, first year, last year, start, end), or
    None when SQL should answer (parameters of another shape, a value not finite in the
    range, more than MAX_RETURNS returns)."""
    if len(parameters) != 5:
        return None
    factor, first_year, last_year, start, end = parameters
    if type(factor) is not int or not 0 <= factor < 2**53:
        return None
    if type(first_year) is not int or type(last_year) is not int:
        return None
    if type(start) is not date or type(end) is not date:
        return None
    if first_year > LAST_YEAR or last_year < FIRST_YEAR:
        return []
    # Every row's year is its date's (checked when indexed): the years bound the dates.
    start = max(start, date(max(first_year, FIRST_YEAR), 1, 1))
    end = min(end, date(min(last_year, LAST_YEAR), 12, 31))
    spans: list[tuple[str, TickerReturns, int, int]] = []
    total = 0
    for ticker, held in returns.items():
        low, high = bisect_left(held.dates, start), bisect_right(held.dates, end)
        if high - low < 2:
            continue  # returns >= 2
        if bisect_left(held.not_finite, low) != bisect_left(held.not_finite, high):
            return None
        total += high - low
        spans.append((ticker, held, low, high))
    if total > MAX_RETURNS:
        return None
    scale = math.sqrt(float(factor))
    ranked: list[tuple[float, str, int]] = []
    for ticker, held, low, high in spans:
        deviation = stddev_samp(held.values[low:high])
        assert deviation is not None  # two returns at least
        ranked.append((deviation * scale, ticker, high - low))
    ranked.sort(key=lambda row: (-row[0], row[1]))
    return [
        {"ticker": ticker, "annualized_volatility": volatility, "returns": count}
        for volatility, ticker, count in ranked[:limit]
    ]


def check_against_duckdb(
    cursor: duckdb.DuckDBPyConnection, table: str, returns: dict[str, TickerReturns]
) -> bool:
    """Whether `cursor`'s database scans `table` in each ticker's date order and its
    stddev_samp and count of each ticker's whole history are the index's, bit for bit."""
    # An identifier from etl.tables and a checked version only.
    last: dict[str, date] = {}
    for ticker, day in cursor.execute(f"SELECT ticker, date FROM {table}").fetchall():  # noqa: S608
        if ticker in last and not last[ticker] < day:
            return False
        last[ticker] = day
    found = cursor.execute(
        f"SELECT ticker, stddev_samp(daily_return), count(daily_return) FROM {table} "  # noqa: S608
        "GROUP BY ticker"
    ).fetchall()
    for ticker, deviation, count in found:
        held = returns.get(ticker, TickerReturns())
        if count != len(held.values) or repr(deviation) != repr(stddev_samp(held.values)):
            return False
    return {row[0] for row in found} >= returns.keys()
