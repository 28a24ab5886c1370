"""The warehouse built from the bundled sample, against an independent computation."""

from __future__ import annotations

import math
from collections import Counter
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from etl.jobs.build_warehouse import WRITE_TASKS
from etl.tables import (
    DAILY_METRICS,
    MAX_RANKING_LIMIT,
    TABLES,
    THIRTY_DAY_LEADERS,
    Table,
    version_prefix,
)
from tests.etl import reference
from tests.etl.warehouse_tables import current_summary, read_manifest, read_table
from testsupport.arrow_types import ARROW_TYPES
from testsupport.paths import SAMPLE_DATA

SAMPLE_CSV = SAMPLE_DATA / "stocks_daily.csv"


@pytest.fixture(scope="module")
def expected_days() -> dict[tuple[str, date], reference.Day]:
    return reference.read_days(SAMPLE_CSV)


def _same(actual: object, expected: object) -> bool:
    if isinstance(expected, float) and isinstance(actual, float):
        return math.isclose(actual, expected, rel_tol=1e-12, abs_tol=1e-15)
    return actual == expected


def _mismatches(
    actual: dict[object, dict[str, object]], expected: dict[object, dict[str, object]]
) -> list[str]:
    problems = (
        [f"keys differ: {set(actual) ^ set(expected)}"] if set(actual) != set(expected) else []
    )
    for key, values in expected.items():
        for column, value in values.items():
            if key in actual and not _same(actual[key][column], value):
                problems.append(f"{key} {column}: {actual[key][column]!r} != {value!r}")
    return problems[:10]


def test_layout_and_column_types(sample_warehouse: Path) -> None:
    version = read_manifest(sample_warehouse)["current"]
    for table in TABLES:
        assert [path.name for path in (sample_warehouse / table.name).iterdir()] == [
            f"dataset_version={version}"
        ]
        folder = sample_warehouse / version_prefix(table, version)
        pattern = "year=*/part-*.parquet" if table.partition_keys else "part-*.parquet"
        files = sorted(folder.glob(pattern))
        assert files, f"{table.name}: no {pattern}"
        most = WRITE_TASKS if table is DAILY_METRICS else 1
        folders = Counter(file.parent for file in files)
        assert max(folders.values()) <= most, f"{table.name}: more than {most} file(s) per folder"
        assert _arrow_columns(files[0]) == _declared_columns(table)
    assert not (sample_warehouse / "_staging").exists()


def _arrow_columns(file: Path) -> list[tuple[str, pa.DataType]]:
    schema = pq.read_schema(file)
    return [(field.name, field.type) for field in schema]


def _declared_columns(table: Table) -> list[tuple[str, pa.DataType]]:
    return [(column.name, ARROW_TYPES[column.type]) for column in table.columns]


def test_daily_metrics(
    sample_warehouse: Path, expected_days: dict[tuple[str, date], reference.Day]
) -> None:
    rows = read_table(sample_warehouse, "daily_metrics")
    actual = {(row["ticker"], row["date"]): row for row in rows}
    assert len(actual) == len(rows) == 16_194
    expected = {
        key: {
            "open": day.open,
            "high": day.high,
            "low": day.low,
            "close": day.close,
            "volume": day.volume,
            "traded_value": day.traded_value,
            "daily_return": day.daily_return,
            "return_30d": day.return_30d,
            "prior_date_30d": day.prior_date_30d,
            "prior_close_30d": day.prior_close_30d,
            "year": day.date.year,
        }
        for key, day in expected_days.items()
    }
    assert _mismatches(actual, expected) == []  # type: ignore[arg-type]


def test_market_daily(
    sample_warehouse: Path, expected_days: dict[tuple[str, date], reference.Day]
) -> None:
    actual = {row["date"]: row for row in read_table(sample_warehouse, "market_daily")}
    expected = reference.market_days(expected_days)
    assert _mismatches(actual, expected) == []  # type: ignore[arg-type]
    assert {row["year"] for row in actual.values()} == set(range(2013, 2024))


def test_ticker_stats(
    sample_warehouse: Path, expected_days: dict[tuple[str, date], reference.Day]
) -> None:
    actual = {row["ticker"]: row for row in read_table(sample_warehouse, "ticker_stats")}
    expected = reference.ticker_stats(expected_days)
    assert sorted(actual) == ["AAPL", "AMZN", "GOOG", "META", "NFLX", "NVDA"]
    assert _mismatches(actual, expected) == []  # type: ignore[arg-type]


def test_thirty_day_leaders(
    sample_warehouse: Path, expected_days: dict[tuple[str, date], reference.Day]
) -> None:
    """The MAX_RANKING_LIMIT rows with the highest 30-day return, ties broken by the earlier
    date then the ticker, as the reference ranks every day of the CSV."""
    ranked = sorted(
        (day for day in expected_days.values() if day.return_30d is not None),
        key=lambda day: (-(day.return_30d or 0.0), day.date, day.ticker),
    )[:MAX_RANKING_LIMIT]
    rows = read_table(sample_warehouse, THIRTY_DAY_LEADERS.name)
    found = sorted(rows, key=lambda row: (-row["return_30d"], row["date"], row["ticker"]))
    assert [(row["ticker"], row["date"]) for row in found] == [
        (day.ticker, day.date) for day in ranked
    ]
    expected = {
        (day.ticker, day.date): {
            "return_30d": day.return_30d,
            "close": day.close,
            "prior_date_30d": day.prior_date_30d,
            "prior_close_30d": day.prior_close_30d,
        }
        for day in ranked
    }
    actual = {(row["ticker"], row["date"]): row for row in rows}
    assert _mismatches(actual, expected) == []  # type: ignore[arg-type]


def test_anomalies_runs_and_manifest(
    sample_warehouse: Path, expected_days: dict[tuple[str, date], reference.Day]
) -> None:
    manifest = current_summary(sample_warehouse)
    anomalies = read_table(sample_warehouse, "anomalies")
    assert {(row["ticker"], row["date"], row["kind"]) for row in anomalies} == (
        reference.anomalies(expected_days)
    )
    assert {row["run_id"] for row in anomalies} <= {manifest["version"]}
    assert read_table(sample_warehouse, "rejected_rows") == []
    [run] = read_table(sample_warehouse, "runs")
    assert run["run_id"] == manifest["version"]
    assert run["started_at"] <= run["finished_at"]
    counts = ("rows_read", "rows_accepted", "rows_rejected", "duplicates_collapsed", "tickers")
    assert tuple(run[name] for name in counts) == (16_194, 16_194, 0, 0, 6)
    assert (run["first_date"], run["last_date"]) == (date(2013, 1, 2), date(2023, 9, 21))
    # The headline answers are checked in test_headline.py.
    elsewhere = {"finished_at", "published_at", "table_bytes", "headline"}
    assert {key: value for key, value in manifest.items() if key not in elsewhere} == {
        "version": run["run_id"],
        "first_date": "2013-01-02",
        "last_date": "2023-09-21",
        "tickers": 6,
        "rows": 16_194,
        "rows_read": 16_194,
        "rows_rejected": 0,
        "duplicates_collapsed": 0,
        "input": str(SAMPLE_DATA),
    }
    assert manifest["finished_at"] == run["finished_at"].strftime("%Y-%m-%dT%H:%M:%SZ")
    assert manifest["published_at"] >= manifest["finished_at"]
    files = {
        table.name: sorted(
            (sample_warehouse / version_prefix(table, run["run_id"])).rglob("part-*.parquet")
        )
        for table in TABLES
    }
    sizes = manifest["table_bytes"]
    assert sizes["runs"] == {"bytes": files["runs"][0].stat().st_size}
    daily = sizes["daily_metrics"]
    by_year: Counter[str] = Counter()
    for file in files["daily_metrics"]:
        by_year[file.parent.name.removeprefix("year=")] += file.stat().st_size
    assert daily["years"] == dict(by_year)
    assert list(daily["years"]) == [str(year) for year in range(2013, 2024)]
    assert daily["bytes"] == sum(daily["years"].values())
