"""The DuckDB reference against the contract's definitions, computed here in plain Python."""

import csv
import math
import statistics
from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path

import duckdb
import pytest

from bench.compare_warehouses import compare_warehouses
from bench.duckdb_reference import build_reference
from etl.dataset_pointer import TABLE_BYTES, DatasetPointer
from etl.tables import MAX_RANKING_LIMIT
from stock_analytics.generate import GenerateOptions, generate
from tests.graphql_api.tiny_warehouse import Day, publish, summary_of, tiny_version, write_pointer

Prices = dict[str, list[tuple[date, float, int]]]


@pytest.fixture(scope="module")
def prices_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("data") / "prices.csv"
    generate(GenerateOptions(tickers=3, years=1, seed=11, out=out))
    return out


@pytest.fixture(scope="module")
def reference(prices_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reference")
    build_reference([prices_csv], out, threads=1)
    return out


def _prices(path: Path) -> Prices:
    series: Prices = defaultdict(list)
    with path.open() as file:
        for row in csv.DictReader(file):
            series[row["ticker"]].append(
                (date.fromisoformat(row["date"]), float(row["close"]), int(row["volume"]))
            )
    return {ticker: sorted(rows) for ticker, rows in series.items()}


def _table(root: Path, name: str) -> list[tuple[object, ...]]:
    """All rows of a table, partition column dropped, in key order."""
    return duckdb.execute(
        "SELECT * FROM read_parquet($path, hive_partitioning = true) ORDER BY ALL",
        {"path": str(root / name / "**" / "*.parquet")},
    ).fetchall()


def _approx(want: float | None) -> object:
    return None if want is None else pytest.approx(want, rel=1e-12)


def test_daily_metrics_follow_the_definitions(prices_csv: Path, reference: Path) -> None:
    rows = duckdb.execute(
        "SELECT ticker, date, close, daily_return, return_30d, prior_date_30d "
        "FROM read_parquet($path, hive_partitioning = true) ORDER BY ticker, date",
        {"path": str(reference / "daily_metrics" / "**" / "*.parquet")},
    ).fetchall()
    expected = []
    for ticker, series in sorted(_prices(prices_csv).items()):
        for index, (day, close, _volume) in enumerate(series):
            daily = None if index == 0 else close / series[index - 1][1] - 1
            earlier = [row for row in series if row[0] <= day - timedelta(days=30)]
            prior = earlier[-1] if earlier else None
            thirty = None if prior is None else close / prior[1] - 1
            expected.append((ticker, day, close, daily, thirty, prior and prior[0]))
    assert len(rows) == len(expected) == 3 * 252
    for got, want in zip(rows, expected, strict=True):
        assert got[:3] == want[:3]
        assert got[3] == _approx(want[3])
        assert got[4] == _approx(want[4])
        assert got[5] == want[5]


def test_aggregates_follow_the_definitions(prices_csv: Path, reference: Path) -> None:
    prices = _prices(prices_csv)
    returns = {
        ticker: [today[1] / yesterday[1] - 1 for yesterday, today in pairwise(rows)]
        for ticker, rows in prices.items()
    }
    stats = _table(reference, "ticker_stats")
    assert [row[0] for row in stats] == sorted(prices)
    for ticker, first, last, days, traded, volatility, count in stats:
        rows = prices[str(ticker)]
        assert (first, last, days, count) == (rows[0][0], rows[-1][0], len(rows), len(rows) - 1)
        assert traded == pytest.approx(statistics.fmean(c * v for _, c, v in rows), rel=1e-12)
        want = statistics.stdev(returns[str(ticker)]) * math.sqrt(252)
        assert volatility == pytest.approx(want, rel=1e-9)

    market = _table(reference, "market_daily")
    second_day = market[1]
    day_returns = [returns[ticker][0] for ticker in sorted(prices)]
    assert second_day[0] == prices["T0001"][1][0]
    assert second_day[1] == pytest.approx(statistics.fmean(day_returns), rel=1e-12)
    assert second_day[3:] == (3, 3, 2024)
    assert market[0][1] is None


def test_thirty_day_leaders_are_the_top_returns(prices_csv: Path, reference: Path) -> None:
    thirty_day = []
    for ticker, series in _prices(prices_csv).items():
        for day, close, _volume in series:
            earlier = [row for row in series if row[0] <= day - timedelta(days=30)]
            if earlier:
                thirty_day.append((close / earlier[-1][1] - 1, day, ticker))
    ranked = sorted(thirty_day, key=lambda row: (-row[0], row[1], row[2]))[:MAX_RANKING_LIMIT]
    leaders = duckdb.execute(
        "SELECT return_30d, date, ticker FROM read_parquet($path)"
        " ORDER BY return_30d DESC, date, ticker",
        {"path": str(reference / "thirty_day_leaders" / "*.parquet")},
    ).fetchall()
    assert len(thirty_day) > len(leaders) == MAX_RANKING_LIMIT
    assert [row[1:] for row in leaders] == [row[1:] for row in ranked]
    assert [row[0] for row in leaders] == [pytest.approx(row[0], rel=1e-12) for row in ranked]


def test_compare_warehouses_agrees_with_itself_and_finds_a_change(
    reference: Path, tmp_path: Path
) -> None:
    assert compare_warehouses(reference, reference) == []
    changed = tmp_path / "changed"
    changed.mkdir()
    for table in ("market_daily", "ticker_stats", "thirty_day_leaders"):
        (changed / table).symlink_to(reference / table, target_is_directory=True)
    changed_rows = duckdb.sql(
        "SELECT * REPLACE (CASE WHEN date = DATE '2024-06-03' AND ticker = 'T0002'"
        " THEN return_30d * 1.001 ELSE return_30d END AS return_30d)"
        " FROM read_parquet($path, hive_partitioning = true)",
        params={"path": str(reference / "daily_metrics" / "**" / "*.parquet")},
    )
    assert changed_rows is not None
    changed_rows.write_parquet(str(changed / "daily_metrics"), partition_by=["year"])
    assert compare_warehouses(changed, reference) == ["daily_metrics.return_30d: 1 rows differ"]


def test_a_versioned_warehouse_is_compared_at_its_current_version(
    reference: Path, tmp_path: Path
) -> None:
    """The ETL's layout, `<table>/dataset_version=<v>/...` with the pointer naming the current
    version: only that version's rows count, whatever other versions the warehouse keeps."""
    older, newer = tiny_version(1), tiny_version(2)
    versioned = tmp_path / "versioned"
    for table in ("daily_metrics", "market_daily", "ticker_stats", "thirty_day_leaders"):
        (versioned / table).mkdir(parents=True)
        for version in (older, newer):
            if (table, version) != ("daily_metrics", older):
                (versioned / table / f"dataset_version={version}").symlink_to(reference / table)
    path = str(reference / "daily_metrics" / "**" / "*.parquet")
    doubled = duckdb.sql(
        "SELECT * REPLACE (close * 2 AS close) FROM read_parquet($path, hive_partitioning = true)",
        params={"path": path},
    )
    assert doubled is not None
    doubled.write_parquet(
        str(versioned / "daily_metrics" / f"dataset_version={older}"), partition_by=["year"]
    )
    days = [Day("T0001", date(2024, 1, 2), 1.0, 1)]
    publish(versioned, summary_of(older, days))
    publish(versioned, summary_of(newer, days))
    assert compare_warehouses(versioned, reference) == []

    write_pointer(versioned, DatasetPointer(current=older, versions=(summary_of(older, days),)))
    counted = duckdb.execute("SELECT count(*) FROM read_parquet($path)", {"path": path}).fetchone()
    assert counted is not None
    assert compare_warehouses(versioned, reference) == [
        f"daily_metrics.close: {counted[0]} rows differ"
    ]


def test_a_table_an_older_etl_did_not_write_is_not_compared(
    reference: Path, tmp_path: Path
) -> None:
    version = tiny_version(1)
    older = tmp_path / "older"
    written = ("daily_metrics", "market_daily", "ticker_stats")
    for table in written:
        (older / table).mkdir(parents=True)
        (older / table / f"dataset_version={version}").symlink_to(reference / table)
    summary = summary_of(version, [Day("T0001", date(2024, 1, 2), 1.0, 1)])
    sizes = {table: {"bytes": 1} for table in written}
    write_pointer(
        older,
        DatasetPointer(current=version, versions=(replace(summary, extra={TABLE_BYTES: sizes}),)),
    )
    assert compare_warehouses(older, reference) == []

    recorded = {**sizes, "thirty_day_leaders": {"bytes": 1}}
    write_pointer(
        older,
        DatasetPointer(
            current=version, versions=(replace(summary, extra={TABLE_BYTES: recorded}),)
        ),
    )
    with pytest.raises(duckdb.IOException):
        compare_warehouses(older, reference)
