"""The DuckDB engine's per-version index answers exactly what its statements' SQL answers.

Each answer is compared with the same statement run by an engine without the index (the
SQL), over every ticker and many pages and ranges, on a generated warehouse with edge
cases (tickers out of ASCII order, a one-day ticker, NaN and null values, more tickers
than the longest page) and on the sample warehouse the real ETL builds."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from etl.dataset_pointer import DatasetPointer
from graphql_api.engines.base import Row, SqlValue
from graphql_api.engines.duckdb import DuckDBEngine
from graphql_api.engines.duckdb_index import ANSWERS, MarketDays, TickerDays, VersionIndex
from graphql_api.pagination import FETCHED
from graphql_api.services import market, rankings, stocks
from tests.graphql_api.tiny_warehouse import Day, tiny_days, tiny_version, write_warehouse

VERSION = tiny_version(7)
ORDERED = {
    stocks.STOCKS_PAGE,
    stocks.STOCKS_SHORT_PAGE,
    stocks.STOCKS_WATCHED_PAGE,
    stocks.STOCKS_WATCHED_SHORT_PAGE,
    rankings.MOST_VOLATILE_IN_RANGE,
}
PAGES = (stocks.STOCKS_PAGE, stocks.STOCKS_SHORT_PAGE)
WATCHED_PAGES = (stocks.STOCKS_WATCHED_PAGE, stocks.STOCKS_WATCHED_SHORT_PAGE)
EDGE_TICKERS = ("a", "B.B", "É", "€X", "Ω1", "😀", "AAA", "Z")
UNKNOWN = ("ZZZ", "", "aaa", "AAA ", "b.b")


def engine_for(warehouse: Path, index_max_rows: int) -> DuckDBEngine:
    return DuckDBEngine(
        warehouse,
        timeout_seconds=30,
        max_concurrent_queries=2,
        dataset_check_seconds=0,
        max_load_bytes=1 << 40,
        index_max_rows=index_max_rows,
    )


def edge_days() -> list[Day]:
    """More tickers than the longest page, around a year's end; a few tickers with two
    months of days, one with a NaN close, one with a single day (null statistics)."""
    days = [day for day in tiny_days(EDGE_TICKERS) if day.ticker != "Z"]
    days.append(Day("Z", date(2020, 1, 2), 5.0, 10))
    days.append(Day("N", date(2020, 1, 2), float("nan"), 10))  # NaN prices, return, value
    days.append(Day("N", date(2020, 1, 3), 5.0, 10))
    for number in range(FETCHED + 10):
        for offset, day in enumerate((date(2019, 12, 31), date(2020, 1, 2), date(2020, 1, 3))):
            days.append(Day(f"T{number:04d}", day, 1.0 + number + offset, 100 + offset))
    return days


def canonical(statement: str, rows: list[Row]) -> list[tuple[tuple[str, str, str], ...]]:
    """The rows, value for value (repr tells NaN and every float bit apart), in their order
    when the statement has one."""
    values = [tuple((name, type(v).__name__, repr(v)) for name, v in row.items()) for row in rows]
    return values if statement in ORDERED else sorted(values)


class Compared:
    """Both engines, and a count of the answers compared."""

    def __init__(self, indexed: DuckDBEngine, plain: DuckDBEngine, version: str) -> None:
        self.indexed, self.plain, self.version = indexed, plain, version
        self.rows = 0

    async def same(self, statement: str, parameters: Sequence[SqlValue]) -> None:
        from_index = await self.indexed.fetch(statement, parameters, version=self.version)
        from_sql = await self.plain.fetch(statement, parameters, version=self.version)
        assert canonical(statement, from_index) == canonical(statement, from_sql), parameters
        self.rows += len(from_sql)


@pytest.fixture
def edge_warehouse(tmp_path: Path) -> Path:
    return write_warehouse(tmp_path / "warehouse", edge_days(), version=VERSION)


@pytest.fixture
def engines(edge_warehouse: Path) -> Iterator[tuple[DuckDBEngine, DuckDBEngine]]:
    indexed, plain = engine_for(edge_warehouse, 100_000), engine_for(edge_warehouse, 0)
    yield indexed, plain
    indexed.close()
    plain.close()


async def compare_everything(compared: Compared) -> None:
    """Every statement the index stands for, over every ticker and many pages and ranges."""
    listed = await compared.plain.fetch(stocks.ALL_STOCKS, version=compared.version)
    tickers = [str(row["ticker"]) for row in listed]
    await compared.same(stocks.STOCKS_SHORT_PAGE, ("",))
    indexed = ("ticker_stats", "daily_metrics", "market_daily")
    assert compared.indexed.indexed_tables()[compared.version] == indexed
    assert compared.plain.indexed_tables()[compared.version] == ()

    watchlists = [
        (tickers[0],),
        tuple(tickers[::3]),
        (*tickers[1:4], *UNKNOWN, tickers[1]),
        UNKNOWN,
        tuple(tickers),
    ]
    for ticker in (*tickers, *UNKNOWN):
        await compared.same(stocks.STOCKS_BY_TICKER, ((ticker,),))
    for watchlist in watchlists:
        await compared.same(stocks.STOCKS_BY_TICKER, (watchlist,))
        await compared.same(stocks.STOCK_COUNT, (False, watchlist))
    await compared.same(stocks.STOCK_COUNT, (True, ("",)))

    afters = ["", *tickers[::4], tickers[-1], "A", "T0100\x00", "\uffff", *UNKNOWN]
    for after in afters:
        for page in PAGES:
            await compared.same(page, (after,))
        for page in WATCHED_PAGES:
            for watchlist in watchlists[1:4]:
                await compared.same(page, (after, watchlist))

    dates = sorted({d for ticker in tickers[:1] for d in await days_of(compared, ticker)})
    step = max(1, len(dates) // 10)
    bounds = [dates[0] - timedelta(400), *dates[::step], dates[-1], dates[-1] + timedelta(1)]
    spans = [(start, end) for start in bounds for end in bounds if start <= end][::3]
    spans += [(dates[5], dates[2]), (date(2019, 12, 31), date(2020, 1, 2))]
    edge_tickers = [ticker for ticker in tickers if not ticker.startswith("T")]
    for start, end in spans:
        for ticker in edge_tickers:
            await compared.same(
                stocks.PRICES_IN_RANGE, (start.year, end.year, start, end, (ticker,))
            )
        everyone = (*tickers, *UNKNOWN)
        await compared.same(stocks.PRICES_IN_RANGE, (start.year, end.year, start, end, everyone))
        # year bounds narrower than the dates': the year filter applies too
        await compared.same(stocks.PRICES_IN_RANGE, (end.year, end.year, start, end, everyone))
        for years in ((start.year, end.year), (end.year, end.year), (start.year, start.year)):
            await compared.same(market.AVERAGE_DAILY_RETURN, (*years, start, end))
            await compared.same(rankings.MOST_VOLATILE_IN_RANGE, (252, *years, start, end))


async def days_of(compared: Compared, ticker: str) -> list[date]:
    far = (1900, 2100, date(1900, 1, 1), date(2100, 1, 1), (ticker,))
    rows = await compared.plain.fetch(stocks.PRICES_IN_RANGE, far, version=compared.version)
    return [row["date"] for row in rows]  # type: ignore[misc]


async def test_the_index_answers_as_the_sql_on_edge_cases(
    engines: tuple[DuckDBEngine, DuckDBEngine],
) -> None:
    compared = Compared(*engines, VERSION)
    await compare_everything(compared)
    assert compared.rows > 10_000


async def test_the_index_answers_as_the_sql_on_the_sample(sample_warehouse: Path) -> None:
    pointer = DatasetPointer.from_json((sample_warehouse / "_dataset.json").read_bytes())
    indexed, plain = engine_for(sample_warehouse, 100_000), engine_for(sample_warehouse, 0)
    try:
        compared = Compared(indexed, plain, pointer.current)
        await compare_everything(compared)
        assert compared.rows > 1_000
    finally:
        indexed.close()
        plain.close()


async def test_a_table_over_the_bound_or_with_repeated_keys_is_left_to_sql(
    tmp_path: Path,
) -> None:
    days = tiny_days(EDGE_TICKERS)
    bounded = write_warehouse(tmp_path / "bounded", days, version=VERSION)
    engine = engine_for(bounded, len(EDGE_TICKERS))  # ticker_stats fits, daily_metrics not
    again = next(day for day in days if day.ticker == "AAA")
    repeated = write_warehouse(tmp_path / "repeated", [*days, again], version=VERSION)
    twice = engine_for(repeated, 100_000)
    try:
        await engine.pointer()
        await engine.fetch(stocks.STOCKS_SHORT_PAGE, ("",), version=VERSION)
        assert engine.indexed_tables() == {VERSION: ("ticker_stats",)}
        await twice.fetch(stocks.STOCKS_SHORT_PAGE, ("",), version=VERSION)
        assert twice.indexed_tables() == {VERSION: ("ticker_stats", "market_daily")}
        ranged = (2019, 2020, date(2019, 12, 1), date(2020, 1, 31), ("AAA",))
        prices = await twice.fetch(stocks.PRICES_IN_RANGE, ranged, version=VERSION)
        assert len(prices) == len([d for d in days if d.ticker == "AAA" and d.date.month != 2]) + 1
    finally:
        engine.close()
        twice.close()


async def test_a_version_no_longer_retained_drops_its_index(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse"
    write_warehouse(warehouse, tiny_days(), version=tiny_version(1), keep=1)
    engine = engine_for(warehouse, 100_000)
    try:
        await engine.fetch(stocks.STOCKS_SHORT_PAGE, ("",), version=tiny_version(1))
        assert set(engine.indexed_tables()) == {tiny_version(1)}
        write_warehouse(warehouse, tiny_days(("CCC",)), version=tiny_version(2), keep=1)
        await engine.pointer()
        assert engine.indexed_tables() == {}
        [row] = await engine.fetch(stocks.STOCKS_SHORT_PAGE, ("",), version=tiny_version(2))
        assert row["ticker"] == "CCC"
    finally:
        engine.close()


@pytest.mark.parametrize(
    ("statement", "parameters"),
    [
        (stocks.STOCKS_BY_TICKER, ((),)),  # an empty array has no element type in SQL
        (stocks.STOCKS_BY_TICKER, (["AAA"],)),
        (stocks.STOCKS_BY_TICKER, (("AAA", 1),)),
        (stocks.STOCKS_SHORT_PAGE, (1,)),
        (stocks.STOCKS_SHORT_PAGE, ("", ("AAA",))),
        (stocks.STOCKS_WATCHED_PAGE, ("",)),
        (stocks.STOCK_COUNT, (1, ("AAA",))),
        (stocks.PRICES_IN_RANGE, (True, 2020, date(2020, 1, 1), date(2020, 1, 2), ("AAA",))),
        (stocks.PRICES_IN_RANGE, (2020, 2020, datetime(2020, 1, 1), date(2020, 1, 2), ("A",))),
        (stocks.PRICES_IN_RANGE, (2020, 2020, date(2020, 1, 1), "2020-01-02", ("AAA",))),
        (stocks.ALL_STOCKS, ()),
        (market.AVERAGE_DAILY_RETURN, (2020, 2020, date(2020, 1, 1))),
        (market.AVERAGE_DAILY_RETURN, (2020, 2020.0, date(2020, 1, 1), date(2020, 1, 2))),
        (market.AVERAGE_DAILY_RETURN, (2020, 2020, date(2020, 1, 1), "2020-01-02")),
        (rankings.MOST_VOLATILE_IN_RANGE, (252.0, 2020, 2020, date(2020, 1, 1), date(2021, 1, 1))),
        (rankings.MOST_VOLATILE_IN_RANGE, (True, 2020, 2020, date(2020, 1, 1), date(2021, 1, 1))),
        (rankings.MOST_VOLATILE_IN_RANGE, (-1, 2020, 2020, date(2020, 1, 1), date(2021, 1, 1))),
        (rankings.MOST_VOLATILE_IN_RANGE, (252, 2020, 2020, date(2020, 1, 1))),
        (
            rankings.MOST_VOLATILE_IN_RANGE,
            (252, 2020, 2020, datetime(2020, 1, 1), date(2021, 1, 1)),
        ),
        (
            rankings.MOST_VOLATILE_WATCHED_IN_RANGE,
            (252, 2020, 2020, date(2020, 1, 1), date(2021, 1, 1), ("AAA",)),
        ),
    ],
)
def test_parameters_of_another_shape_are_left_to_sql(
    statement: str, parameters: tuple[SqlValue, ...]
) -> None:
    day = date(2020, 1, 1)
    stock = ("AAA", day, day, 1, 1.0, None)
    days = [date(2020, 1, 2), date(2020, 1, 3), date(2020, 1, 6)]
    rows: list[tuple[object, ...]] = [
        ("AAA", d, 1.0, 1.0, 1.0, 1.0, 1, 0.01 * n, None) for n, d in enumerate(days)
    ]
    history = TickerDays(days, [d.year for d in days], rows)
    market_days = MarketDays(days, [d.year for d in days], [(d, 0.5, 1) for d in days])
    index = VersionIndex({"AAA": stock}, {"AAA": history}, market_days)
    index._volatility_checked = True  # as if checked against DuckDB
    assert index.answer(statement, parameters) is None
    whole = (252, 2020, 2020, date(2020, 1, 1), date(2021, 1, 1))
    assert index.answer(rankings.MOST_VOLATILE_IN_RANGE, whole) is not None
    assert statement in {stocks.ALL_STOCKS, rankings.MOST_VOLATILE_WATCHED_IN_RANGE} or (
        statement in ANSWERS
    )


async def test_the_index_answers_at_once_once_the_versions_schema_is_made(
    tmp_path: Path,
) -> None:
    """answer_at_once: the index's rows, the very ones fetch answers, once fetch has made
    the version's schema; None before, for a statement left to SQL, and once closed."""
    warehouse = write_warehouse(tmp_path / "warehouse", tiny_days(), version=VERSION)
    engine = engine_for(warehouse, 100_000)
    span = (2020, 2020, date(2020, 1, 2), date(2020, 1, 3), ("AAA", "BBB"))
    try:
        assert engine.answer_at_once(stocks.PRICES_IN_RANGE, span, version=VERSION) is None
        fetched = await engine.fetch(stocks.PRICES_IN_RANGE, span, version=VERSION)
        at_once = engine.answer_at_once(stocks.PRICES_IN_RANGE, span, version=VERSION)
        assert at_once == fetched
        assert [(row["ticker"], row["date"]) for row in fetched] == [
            (ticker, day)
            for ticker in ("AAA", "BBB")
            for day in (date(2020, 1, 2), date(2020, 1, 3))
        ]
        assert engine.answer_at_once(stocks.ALL_STOCKS, (), version=VERSION) is None
        assert engine.answer_at_once(stocks.STOCKS_SHORT_PAGE, ("",), version=VERSION)
    finally:
        engine.close()
    assert engine.answer_at_once(stocks.STOCKS_SHORT_PAGE, ("",), version=VERSION) is None
