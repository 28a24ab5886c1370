"""A dataset version's index of its small tables: a few statements of
services/stocks.py, market.py and rankings.py answered in Python, with no SQL.

A version never changes, so when its schema is made the DuckDB engine reads
ticker_stats (its rows by ticker), a small daily_metrics (each ticker's rows in date
order) and a small market_daily (its rows in date order) once, and drops them with the
version. A stock, a page of stocks, a ticker's days and the market's days in a date range
are then a dictionary lookup, a bisection and a slice: no arithmetic, so the rows are the
very values the statement would return (DuckDB made them), in the statement's columns.
The ranged volatility ranking does arithmetic: DuckDB's own, operation for operation
(engines/duckdb_volatility.py), and only once checked against DuckDB's answer for the
version's whole history. ANSWERS names the statements the index stands for;
any other statement, or parameters of a shape the index does not know (DuckDB's own
rules for them would apply), is left to SQL. A table is indexed only when DuckDB holds
it in memory, it has at most MAX_INDEXED_ROWS rows, and each of its keys is set and
unique (the statements' answers then have one order, which the index reproduces), its
dates finite and within Python's range.
"""

from __future__ import annotations

import logging
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from itertools import pairwise

import duckdb

from etl.tables import DAILY_METRICS, MARKET_DAILY, TICKER_STATS
from graphql_api.engines import duckdb_volatility
from graphql_api.engines.base import Row, SqlValue
from graphql_api.engines.duckdb_volatility import TickerReturns
from graphql_api.engines.duckdb_warehouse import schema_name
from graphql_api.pagination import FETCHED, SHORT_FETCHED
from graphql_api.services import market, rankings, stocks
from graphql_api.services.arguments import MAX_LIMIT

logger = logging.getLogger(__name__)

MAX_INDEXED_ROWS = 50_000
"""The most rows of a table the index holds (in Python, about 430 bytes a row of
daily_metrics: at most about 21 MiB a version); a larger table is left to SQL."""

UNCERTAIN_DATES = frozenset({date.min, date.max})
"""What DuckDB's DATE '-infinity' and 'infinity' come to Python as: compared as these,
they would fall in ranges SQL leaves them out of, so a table holding either (even a
real 9999-12-31) is left to SQL. A year past 9999 or before 1 comes as
text, which the index refuses too."""

Values = tuple[object, ...]


@dataclass(frozen=True)
class TickerDays:
    """One ticker's rows of daily_metrics, oldest first."""

    dates: list[date]
    years: list[int]
    rows: list[Values]
    """PRICE_COLUMNS' values."""


@dataclass(frozen=True)
class MarketDays:
    """market_daily's rows, oldest first."""

    dates: list[date]
    years: list[int]
    rows: list[Values]
    """MARKET_COLUMNS' values."""


MARKET_COLUMNS = ("date", "average_return", "return_tickers")
"""What AVERAGE_DAILY_RETURN selects."""
DAILY_RETURN = stocks.PRICE_COLUMNS.index("daily_return")


class VersionIndex:
    """ticker_stats, daily_metrics and market_daily of one version, any of them possibly
    absent."""

    def __init__(
        self,
        stocks_by_ticker: dict[str, Values] | None,
        days: dict[str, TickerDays] | None,
        market_days: MarketDays | None = None,
    ) -> None:
        self._stocks = stocks_by_ticker
        self._tickers = None if stocks_by_ticker is None else sorted(stocks_by_ticker)
        self._days = days
        self._market = market_days
        self._returns = _returns_by_ticker(days)
        self._volatility_checked = False

    @property
    def tables(self) -> tuple[str, ...]:
        indexed = (
            (TICKER_STATS.name, self._stocks),
            (DAILY_METRICS.name, self._days),
            (MARKET_DAILY.name, self._market),
        )
        return tuple(name for name, table in indexed if table is not None)

    @property
    def answers_volatility(self) -> bool:
        return self._volatility_checked

    def check_volatility(self, cursor: duckdb.DuckDBPyConnection, version: str) -> bool:
        """Answer the ranged volatility from now on if `cursor`'s database (the one that
        would run its SQL, of one thread) scans daily_metrics in each ticker's date order
        and computes the whole history's as the index does (duckdb_volatility). A check
        DuckDB cannot run leaves the ranking to SQL, the version served."""
        if self._returns is not None:
            table = '"' + schema_name(version) + '".' + DAILY_METRICS.name
            try:
                checked = duckdb_volatility.check_against_duckdb(cursor, table, self._returns)
            except duckdb.Error as error:
                logger.warning("volatility left to SQL: DuckDB cannot check it: %s", error)
                checked = False
            self._volatility_checked = checked
        return self._volatility_checked

    def answer(self, statement: str, parameters: Sequence[SqlValue]) -> list[Row] | None:
        """The statement's rows, or None when the index does not stand for it."""
        answer = ANSWERS.get(statement)
        return None if answer is None else answer(self, parameters)

    def stocks_listed(self, parameters: Sequence[SqlValue]) -> list[Row] | None:
        """STOCKS_BY_TICKER: WHERE contains(?, ticker)."""
        if self._stocks is None or len(parameters) != 1:
            return None
        wanted = _tickers(parameters[0])
        if wanted is None:
            return None
        found = (self._stocks.get(ticker) for ticker in wanted)
        return [_row(stocks.STOCK_COLUMNS, values) for values in found if values is not None]

    def stock_page(
        self, parameters: Sequence[SqlValue], *, limit: int, watched: bool
    ) -> list[Row] | None:
        """A page: WHERE ticker > ? [AND contains(?, ticker)] ORDER BY ticker LIMIT limit."""
        if self._stocks is None or self._tickers is None:
            return None
        if len(parameters) != (2 if watched else 1) or type(parameters[0]) is not str:
            return None
        after: str = parameters[0]
        listed = _tickers(parameters[1]) if watched else None
        if watched and listed is None:
            return None
        wanted = None if listed is None else frozenset(listed)
        page: list[Row] = []
        for ticker in self._tickers[bisect_right(self._tickers, after) :]:
            if len(page) == limit:
                break
            if wanted is None or ticker in wanted:
                page.append(_row(stocks.STOCK_COLUMNS, self._stocks[ticker]))
        return page

    def stock_count(self, parameters: Sequence[SqlValue]) -> list[Row] | None:
        """STOCK_COUNT: count(*) WHERE ? OR contains(?, ticker)."""
        if self._stocks is None or len(parameters) != 2 or type(parameters[0]) is not bool:
            return None
        wanted = _tickers(parameters[1])
        if wanted is None:
            return None
        if parameters[0]:
            return [{"total": len(self._stocks)}]
        return [{"total": sum(ticker in self._stocks for ticker in wanted)}]

    def prices(self, parameters: Sequence[SqlValue]) -> list[Row] | None:
        """PRICES_IN_RANGE: WHERE year BETWEEN ? AND ? AND date BETWEEN ? AND ? AND
        contains(?, ticker), in no order (here by ticker, then date)."""
        if self._days is None or len(parameters) != 5:
            return None
        first_year, last_year, start, end, listed = parameters
        if type(first_year) is not int or type(last_year) is not int:
            return None
        if type(start) is not date or type(end) is not date:
            return None
        wanted = _tickers(listed)
        if wanted is None:
            return None
        found: list[Row] = []
        for ticker in wanted:
            days = self._days.get(ticker)
            if days is None:
                continue
            low, high = bisect_left(days.dates, start), bisect_right(days.dates, end)
            found.extend(
                _row(stocks.PRICE_COLUMNS, days.rows[at])
                for at in range(low, high)
                if first_year <= days.years[at] <= last_year
            )
        return found

    def average_daily_return(self, parameters: Sequence[SqlValue]) -> list[Row] | None:
        """AVERAGE_DAILY_RETURN: WHERE year BETWEEN ? AND ? AND date BETWEEN ? AND ? AND
        average_return IS NOT NULL, in no order (here by date)."""
        if self._market is None or len(parameters) != 4:
            return None
        first_year, last_year, start, end = parameters
        if type(first_year) is not int or type(last_year) is not int:
            return None
        if type(start) is not date or type(end) is not date:
            return None
        market = self._market
        low, high = bisect_left(market.dates, start), bisect_right(market.dates, end)
        return [
            _row(MARKET_COLUMNS, market.rows[at])
            for at in range(low, high)
            if first_year <= market.years[at] <= last_year and market.rows[at][1] is not None
        ]

    def most_volatile(self, parameters: Sequence[SqlValue]) -> list[Row] | None:
        """MOST_VOLATILE_IN_RANGE, once checked (check_volatility)."""
        if not self._volatility_checked or self._returns is None:
            return None
        return duckdb_volatility.most_volatile(self._returns, parameters, MAX_LIMIT)


ANSWERS: dict[str, Callable[[VersionIndex, Sequence[SqlValue]], list[Row] | None]] = {
    stocks.STOCKS_BY_TICKER: VersionIndex.stocks_listed,
    stocks.STOCKS_PAGE: partial(VersionIndex.stock_page, limit=FETCHED, watched=False),
    stocks.STOCKS_SHORT_PAGE: partial(VersionIndex.stock_page, limit=SHORT_FETCHED, watched=False),
    stocks.STOCKS_WATCHED_PAGE: partial(VersionIndex.stock_page, limit=FETCHED, watched=True),
    stocks.STOCKS_WATCHED_SHORT_PAGE: partial(
        VersionIndex.stock_page, limit=SHORT_FETCHED, watched=True
    ),
    stocks.STOCK_COUNT: VersionIndex.stock_count,
    stocks.PRICES_IN_RANGE: VersionIndex.prices,
    market.AVERAGE_DAILY_RETURN: VersionIndex.average_daily_return,
    rankings.MOST_VOLATILE_IN_RANGE: VersionIndex.most_volatile,
}
"""The statements the index stands for (their SQL in services/ is their contract)."""


def build_index(
    cursor: duckdb.DuckDBPyConnection,
    version: str,
    loaded: Sequence[str],
    *,
    max_rows: int = MAX_INDEXED_ROWS,
) -> VersionIndex:
    """`version`'s index, from its schema's tables in memory (`loaded`) of at most
    `max_rows` rows each (0: none)."""
    schema = '"' + schema_name(version) + '"'
    stocks_by_ticker = None
    if TICKER_STATS.name in loaded:
        rows = _read(cursor, f"{schema}.{TICKER_STATS.name}", stocks.STOCK_COLUMNS, max_rows)
        stocks_by_ticker = _by_ticker(rows)
    days = None
    if DAILY_METRICS.name in loaded:
        columns = (*stocks.PRICE_COLUMNS, "year")
        rows = _read(cursor, f"{schema}.{DAILY_METRICS.name}", columns, max_rows)
        days = _days_by_ticker(rows)
    market_days = None
    if MARKET_DAILY.name in loaded:
        market_columns = (*MARKET_COLUMNS, "year")
        rows = _read(cursor, f"{schema}.{MARKET_DAILY.name}", market_columns, max_rows)
        market_days = _market_days(rows)
    return VersionIndex(stocks_by_ticker, days, market_days)


def _read(
    cursor: duckdb.DuckDBPyConnection, table: str, columns: Sequence[str], max_rows: int
) -> list[Values] | None:
    """The table's rows (`columns`' values), or None if it has more than `max_rows` or
    DuckDB cannot read them (a column missing, or of a type Python cannot hold): the
    table is then left to SQL, which fails or answers as it would without the index."""
    if max_rows <= 0:
        return None
    # Identifiers from etl.tables and a checked version only.
    selected = ", ".join(columns)
    try:
        cursor.execute(f"SELECT {selected} FROM {table} LIMIT ?", [max_rows + 1])  # noqa: S608
        rows = cursor.fetchall()
    except duckdb.Error as error:
        logger.warning("the index leaves %s to SQL: %s", table, error)
        return None
    return None if len(rows) > max_rows else rows


def _by_ticker(rows: list[Values] | None) -> dict[str, Values] | None:
    if rows is None or not all(type(row[0]) is str for row in rows):
        return None
    by_ticker = {row[0]: row for row in rows}
    if len(by_ticker) != len(rows):
        return None
    return by_ticker  # type: ignore[return-value]


def _days_by_ticker(rows: list[Values] | None) -> dict[str, TickerDays] | None:
    """Each ticker's days in date order, or None unless every row has a ticker, a finite
    date and a year and no two the same ticker and date."""
    if rows is None:
        return None
    keyed: list[tuple[str, date, int, Values]] = []
    for row in rows:
        ticker, day, year = row[0], row[1], row[-1]
        if type(ticker) is not str or type(day) is not date or type(year) is not int:
            return None
        if day in UNCERTAIN_DATES:
            return None
        keyed.append((ticker, day, year, row[:-1]))
    keyed.sort(key=lambda key: (key[0], key[1]))
    days: dict[str, TickerDays] = {}
    previous: tuple[str, date] | None = None
    for ticker, day, year, values in keyed:
        if previous == (ticker, day):
            return None
        previous = (ticker, day)
        held = days.get(ticker)
        if held is None:
            held = days[ticker] = TickerDays([], [], [])
        held.dates.append(day)
        held.years.append(year)
        held.rows.append(values)
    return days


def _market_days(rows: list[Values] | None) -> MarketDays | None:
    """The rows in date order, or None unless every row has a finite date and a year and
    no two the same date."""
    if rows is None:
        return None
    if not all(type(row[0]) is date and type(row[-1]) is int for row in rows):
        return None
    if any(row[0] in UNCERTAIN_DATES for row in rows):
        return None
    ordered = sorted(rows, key=lambda row: row[0])  # type: ignore[arg-type,return-value]
    dates: list[date] = [row[0] for row in ordered]  # type: ignore[misc]
    if any(earlier == later for earlier, later in pairwise(dates)):
        return None
    years: list[int] = [row[-1] for row in ordered]  # type: ignore[misc]
    return MarketDays(dates, years, [row[:-1] for row in ordered])


def _returns_by_ticker(days: dict[str, TickerDays] | None) -> dict[str, TickerReturns] | None:
    """Each ticker's non-null daily returns in date order, or None unless every row's year
    is its date's (the ranking then bounds dates by years) and every return a float."""
    if days is None:
        return None
    returns: dict[str, TickerReturns] = {}
    for ticker, held in days.items():
        found = returns[ticker] = TickerReturns()
        for day, year, values in zip(held.dates, held.years, held.rows, strict=True):
            if year != day.year:
                return None
            value = values[DAILY_RETURN]
            if value is None:
                continue
            if type(value) is not float:
                return None
            found.add(day, value)
    return returns


def _tickers(value: SqlValue) -> tuple[str, ...] | None:
    """A non-empty ARRAY(varchar) parameter's distinct strings, in order."""
    if type(value) is not tuple or not value or not all(type(item) is str for item in value):
        return None
    return tuple(dict.fromkeys(value))


def _row(columns: Sequence[str], values: Values) -> Row:
    return dict(zip(columns, values, strict=True))
