"""The index's averageDailyReturn and ranged mostVolatile answer, for random date ranges,
the very rows and floats their SQL answers (an engine without the index), by repr.

On the sample warehouse the real ETL builds and on a warehouse of 40 generated tickers;
and when the index may not answer (DuckDB scans the table out of date order, or
computes stddev_samp otherwise than the index), it leaves the statement to SQL."""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from etl.dataset_pointer import DatasetPointer
from etl.tables import DAILY_METRICS, TRADING_DAYS_PER_YEAR, version_prefix
from graphql_api.engines import duckdb_volatility
from graphql_api.engines.base import SqlValue
from graphql_api.engines.duckdb import DuckDBEngine
from graphql_api.services import market, rankings
from stock_analytics.generate import GenerateOptions, generate
from tests.graphql_api.engines.test_duckdb_index import Compared, engine_for
from tests.graphql_api.tiny_warehouse import Day, tiny_days, tiny_version, write_warehouse

VERSION = tiny_version(9)
RANGES = 1000


def random_ranges(first: date, last: date, seed: int) -> list[tuple[int, int, date, date]]:
    """(first year, last year, start, end): mostly a day to four years inside or across the
    data's edges, some with year bounds narrower or wider than the dates', some empty."""
    chooser = random.Random(seed)
    days = (last - first).days
    ranges = []
    for _ in range(RANGES):
        start = first + timedelta(chooser.randrange(-30, days + 30))
        end = start + timedelta(int(chooser.expovariate(1 / 200)) - (chooser.random() < 0.02))
        years = [start.year, end.year]
        if chooser.random() < 0.2:
            years[chooser.randrange(2)] += chooser.choice((-1, 1))
        ranges.append((years[0], years[1], start, end))
    return ranges


def edge_ranges(first: date, last: date) -> list[tuple[int, int, date, date]]:
    """Empty, one day, outside the data, one or two returns, the whole history."""
    spans = [
        (last, first),
        (first, first),
        (first + timedelta(1), first + timedelta(1)),
        (first, first + timedelta(1)),
        (first, first + timedelta(2)),
        (last - timedelta(1), last),
        (last, last + timedelta(10)),
        (first - timedelta(100), first - timedelta(1)),
        (last + timedelta(1), last + timedelta(400)),
        (date(1, 1, 1), date(9999, 12, 31)),
        (first, last),
    ]
    return [(start.year, end.year, start, end) for start, end in spans]


async def compare_ranges(compared: Compared, first: date, last: date, seed: int) -> int:
    """Compare both statements over random and edge ranges; how many the index answered."""
    answered = 0
    for years_and_dates in [*edge_ranges(first, last), *random_ranges(first, last, seed)]:
        cases: list[tuple[str, tuple[SqlValue, ...]]] = [
            (market.AVERAGE_DAILY_RETURN, years_and_dates),
            (rankings.MOST_VOLATILE_IN_RANGE, (TRADING_DAYS_PER_YEAR, *years_and_dates)),
        ]
        for statement, parameters in cases:
            await compared.same(statement, parameters)
            index = compared.indexed._indexes[compared.version]
            answered += index.answer(statement, parameters) is not None
    return answered


def generated_days(tickers: int, years: int, seed: int, folder: Path) -> list[Day]:
    data = folder / "prices.csv"
    generate(GenerateOptions(tickers=tickers, years=years, seed=seed, out=data))
    with data.open() as lines:
        return [
            Day(
                row["ticker"],
                date.fromisoformat(row["date"]),
                float(row["close"]),
                int(row["volume"]),
            )
            for row in csv.DictReader(lines)
        ]


async def test_the_sample_answers_as_the_sql(sample_warehouse: Path) -> None:
    pointer = DatasetPointer.from_json((sample_warehouse / "_dataset.json").read_bytes())
    summary = pointer.versions[0]
    assert summary.first_date is not None
    assert summary.last_date is not None
    indexed, plain = engine_for(sample_warehouse, 100_000), engine_for(sample_warehouse, 0)
    try:
        compared = Compared(indexed, plain, pointer.current)
        answered = await compare_ranges(compared, summary.first_date, summary.last_date, seed=1)
        assert indexed.indexed_tables()[pointer.current][-1] == "market_daily"
        assert indexed._indexes[pointer.current].answers_volatility
    finally:
        indexed.close()
        plain.close()
    assert answered > 1.9 * RANGES
    assert compared.rows > 20 * RANGES


async def test_forty_generated_tickers_answer_as_the_sql(tmp_path: Path) -> None:
    days = generated_days(40, 4, seed=23, folder=tmp_path)
    warehouse = write_warehouse(tmp_path / "warehouse", days, version=VERSION)
    first, last = min(day.date for day in days), max(day.date for day in days)
    indexed, plain = engine_for(warehouse, 100_000), engine_for(warehouse, 0)
    try:
        compared = Compared(indexed, plain, VERSION)
        answered = await compare_ranges(compared, first, last, seed=2)
        assert indexed._indexes[VERSION].answers_volatility
    finally:
        indexed.close()
        plain.close()
    # Ranges of more than duckdb_volatility.MAX_RETURNS returns are left to SQL.
    assert answered > 1.5 * RANGES
    assert compared.rows > 20 * RANGES


def reverse_a_year(warehouse: Path, year: int) -> None:
    """Rewrite one year's file of daily_metrics with its rows in reverse order."""
    folder = warehouse / version_prefix(DAILY_METRICS, VERSION) / f"year={year}"
    for file in folder.glob("*.parquet"):
        table = pq.read_table(file)
        pq.write_table(table.take(list(reversed(range(table.num_rows)))), file)


def naive_stddev_samp(values: list[float]) -> float | None:
    """Another algorithm (two passes), as another DuckDB version might use."""
    if len(values) < 2:
        return None
    mean = sum(values) / len(values)
    return float((sum((value - mean) ** 2 for value in values) / (len(values) - 1)) ** 0.5)


@pytest.mark.parametrize(
    "disagreement", ["scan out of date order", "another algorithm", "the check fails"]
)
async def test_volatility_is_left_to_sql_when_duckdb_would_disagree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, disagreement: str
) -> None:
    warehouse = write_warehouse(tmp_path / "warehouse", tiny_days(), version=VERSION)
    if disagreement == "scan out of date order":
        reverse_a_year(warehouse, 2020)
    elif disagreement == "another algorithm":
        monkeypatch.setattr(duckdb_volatility, "stddev_samp", naive_stddev_samp)
    else:
        monkeypatch.setattr(duckdb_volatility, "check_against_duckdb", failing_check)
    indexed, plain = engine_for(warehouse, 100_000), engine_for(warehouse, 0)
    try:
        compared = Compared(indexed, plain, VERSION)
        ranged = (TRADING_DAYS_PER_YEAR, 2019, 2020, date(2019, 12, 1), date(2020, 3, 1))
        await compared.same(rankings.MOST_VOLATILE_IN_RANGE, ranged)
        index = indexed._indexes[VERSION]
        assert not index.answers_volatility
        assert index.answer(rankings.MOST_VOLATILE_IN_RANGE, ranged) is None
        assert index.answer(market.AVERAGE_DAILY_RETURN, ranged[1:]) is not None
    finally:
        indexed.close()
        plain.close()


def failing_check(*_: object) -> bool:
    raise duckdb.OutOfMemoryException("Out of Memory Error: could not allocate")


def set_a_return_to_nan(warehouse: Path, ticker: str, day: date) -> None:
    """Rewrite `ticker`'s daily_return on `day` as NaN (the ETL writes none)."""
    folder = warehouse / version_prefix(DAILY_METRICS, VERSION) / f"year={day.year}"
    for file in folder.glob("*.parquet"):
        rows = pq.read_table(file).to_pylist()
        for row in rows:
            if row["ticker"] == ticker and row["date"] == day:
                row["daily_return"] = float("nan")
        pq.write_table(pa.Table.from_pylist(rows, schema=pq.read_schema(file)), file)


async def test_a_range_with_a_return_not_finite_is_left_to_sql(tmp_path: Path) -> None:
    warehouse = write_warehouse(tmp_path / "warehouse", tiny_days(), version=VERSION)
    set_a_return_to_nan(warehouse, "AAA", date(2020, 1, 3))
    indexed, plain = engine_for(warehouse, 100_000), engine_for(warehouse, 0)
    try:
        compared = Compared(indexed, plain, VERSION)
        with_nan = (TRADING_DAYS_PER_YEAR, 2019, 2020, date(2019, 12, 1), date(2020, 3, 1))
        without = (TRADING_DAYS_PER_YEAR, 2020, 2020, date(2020, 1, 7), date(2020, 3, 1))
        for ranged in (with_nan, without):
            await compared.same(rankings.MOST_VOLATILE_IN_RANGE, ranged)
        index = indexed._indexes[VERSION]
        assert index.answers_volatility
        assert index.answer(rankings.MOST_VOLATILE_IN_RANGE, with_nan) is None
        assert index.answer(rankings.MOST_VOLATILE_IN_RANGE, without) is not None
    finally:
        indexed.close()
        plain.close()


def engine_in_threads(warehouse: Path) -> DuckDBEngine:
    """daily_metrics read by DuckDB's worker threads only (no database of one thread)."""
    return DuckDBEngine(
        warehouse,
        timeout_seconds=30,
        max_concurrent_queries=2,
        dataset_check_seconds=0,
        max_load_bytes=1 << 40,
        one_thread_max_rows=0,
    )


async def test_volatility_is_answered_only_where_one_thread_would_run_its_sql(
    tmp_path: Path,
) -> None:
    warehouse = write_warehouse(tmp_path / "warehouse", tiny_days(), version=VERSION)
    engine = engine_in_threads(warehouse)
    try:
        await engine.fetch(
            market.AVERAGE_DAILY_RETURN,
            (2020, 2020, date(2020, 1, 1), date(2020, 1, 9)),
            version=VERSION,
        )
        assert not engine._indexes[VERSION].answers_volatility
    finally:
        engine.close()
