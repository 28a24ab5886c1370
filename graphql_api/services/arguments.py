"""The contract's argument rules: each broken rule is a BadUserInput a person can act on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from etl.dataset_pointer import VersionSummary
from etl.tables import MAX_RANKING_LIMIT
from graphql_api.engines.base import SqlValue
from graphql_api.errors import BadUserInput

MIN_LIMIT = 1
MAX_LIMIT = MAX_RANKING_LIMIT
MAX_WATCHLIST = 100
"""The most tickers a `tickers` watchlist may name."""
MAX_CORRELATION_TICKERS = 20
"""The most tickers `correlations` takes: n tickers make n(n-1)/2 pairs (190 at most)."""

RANGE_FILTER = "year BETWEEN ? AND ? AND date BETWEEN ? AND ?"
"""Filters a partitioned table on `date` and, for Athena's pruning, on `year` too."""


@dataclass(frozen=True)
class DateRange:
    """Both ends inclusive."""

    start: date
    end: date

    @property
    def parameters(self) -> tuple[SqlValue, ...]:
        """The values of RANGE_FILTER's placeholders."""
        return (self.start.year, self.end.year, self.start, self.end)


def date_range(start: date, end: date, *, dataset: VersionSummary, max_days: int) -> DateRange:
    """The range as asked, clamped to the span of `dataset`'s data before the longest-range
    check: the limit bounds the work, not the arguments. A range wholly outside the data
    becomes one day without data, so it answers empty."""
    if start > end:
        raise BadUserInput(f"`from` ({start}) is after `to` ({end}): swap them")
    if dataset.first_date is not None and dataset.last_date is not None:
        if end < dataset.first_date or start > dataset.last_date:
            return DateRange(start, start)
        start, end = max(start, dataset.first_date), min(end, dataset.last_date)
    days = (end - start).days + 1
    if days > max_days:
        raise BadUserInput(
            f"the range {start}..{end} spans {days} days; the longest allowed is {max_days} days"
        )
    return DateRange(start, end)


def optional_date_range(
    start: date | None, end: date | None, *, dataset: VersionSummary, max_days: int
) -> DateRange | None:
    """None when neither end is given (the whole history); an open end is the edge of
    `dataset`'s data."""
    if start is None and end is None:
        return None
    first = start or dataset.first_date or end
    last = end or dataset.last_date or start
    assert first is not None  # one of start / end is set
    assert last is not None
    if start is None and first > last:
        first = last
    if end is None and last < first:
        last = first
    return date_range(first, last, dataset=dataset, max_days=max_days)


def checked_limit(value: int) -> int:
    if not MIN_LIMIT <= value <= MAX_LIMIT:
        raise BadUserInput(f"`limit` must be between {MIN_LIMIT} and {MAX_LIMIT}, not {value}")
    return value


def checked_tickers(tickers: Sequence[str], *, most: int) -> tuple[str, ...]:
    """The distinct tickers named, stripped, in the order given; at most `most` of them."""
    distinct = tuple(dict.fromkeys(ticker.strip() for ticker in tickers))
    if len(distinct) > most:
        raise BadUserInput(
            f"`tickers` names {len(distinct)} different tickers; at most {most} are allowed"
        )
    return distinct
