"""Small hand-made warehouses for engine and HTTP tests, written with pyarrow.

The layout is the ETL's: each version's tables under
`<table>/dataset_version=<version>/[year=YYYY/]part-*.parquet`, and the pointer
`_dataset.json` naming the current version and the retained ones. Writing a
version publishes it, as an ETL run does.

The derived columns are computed here in plain Python from a few closes and
volumes, straight from the contract's definitions, so edge cases (a year
boundary, a ticker with one day, a day on which no ticker has a return) can be
set up exactly. The sample-data tests use the real ETL instead.
"""

from __future__ import annotations

import math
import os
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from etl.dataset_pointer import (
    DEFAULT_RETAINED_VERSIONS,
    TABLE_BYTES,
    DatasetPointer,
    VersionSummary,
)
from etl.tables import (
    DAILY_METRICS,
    DATASET_MANIFEST,
    MARKET_DAILY,
    MAX_RANKING_LIMIT,
    TABLES,
    THIRTY_DAY_LEADERS,
    TICKER_STATS,
    TRADING_DAYS_PER_YEAR,
    Table,
    version_prefix,
)
from testsupport.arrow_types import ARROW_TYPES


@dataclass(frozen=True)
class Day:
    ticker: str
    date: date
    close: float
    volume: int


def tiny_version(number: int) -> str:
    """A dataset version (a run id) for tests: the larger `number`, the later the run."""
    return f"20240101T{number // 3600:02d}{number // 60 % 60:02d}{number % 60:02d}Z-{number:06x}"


FINISHED_AT = datetime(2024, 1, 1, tzinfo=UTC)
OLD_VERSION = tiny_version(1)
"""The tiny warehouse's older retained version: AAA alone, three times the volume."""
TINY_VERSION = tiny_version(2)
"""The tiny warehouse's current version: tiny_days()."""


def tiny_days(tickers: Sequence[str] = ("AAA", "BBB")) -> list[Day]:
    """Trading days from 2019-12-02 to 2020-02-28 (weekdays), crossing a year boundary."""
    days = []
    for offset, ticker in enumerate(tickers):
        day, step = date(2019, 12, 2), 0
        while day <= date(2020, 2, 28):
            if day.weekday() < 5:
                close = 10.0 + offset + ((step * (7 + offset)) % 11) * 0.5
                days.append(Day(ticker, day, close, 1000 + 10 * step + offset))
                step += 1
            day += timedelta(days=1)
    return days


def old_tiny_days() -> list[Day]:
    return [Day(d.ticker, d.date, d.close, 3 * d.volume) for d in tiny_days(("AAA",))]


def write_warehouse(
    root: Path,
    days: list[Day],
    *,
    version: str = tiny_version(1),
    keep: int = DEFAULT_RETAINED_VERSIONS,
    leaders: bool = False,
) -> Path:
    """Write `version` of daily_metrics, market_daily and ticker_stats under root, then
    publish it: the pointer names it current, and keeps the `keep` newest versions.

    With `leaders`, thirty_day_leaders too, and the summary records the Parquet bytes of
    each table (TABLE_BYTES), as the ETL does; without, the version is one written before
    that table existed."""
    by_ticker: dict[str, list[Day]] = defaultdict(list)
    for day in sorted(days, key=lambda d: (d.ticker, d.date)):
        by_ticker[day.ticker].append(day)
    metrics = [row for history in by_ticker.values() for row in _metrics(history)]
    _write(root, version, DAILY_METRICS, metrics)
    _write(root, version, MARKET_DAILY, _market(metrics))
    stats = [_stats(ticker, rows) for ticker, rows in _group(metrics).items()]
    _write(root, version, TICKER_STATS, stats)
    summary = summary_of(version, days)
    if leaders:
        _write(root, version, THIRTY_DAY_LEADERS, _leaders(metrics))
        summary = replace(summary, extra={TABLE_BYTES: _table_bytes(root, version)})
    publish(root, summary, keep=keep)
    return root


def summary_of(version: str, days: list[Day]) -> VersionSummary:
    return VersionSummary(
        version=version,
        finished_at=FINISHED_AT,
        published_at=datetime.now(UTC),
        first_date=min(d.date for d in days),
        last_date=max(d.date for d in days),
        tickers=len({d.ticker for d in days}),
        rows=len(days),
        rows_read=len(days) + 1,
        rows_rejected=1,
        duplicates_collapsed=0,
        input="tiny",
    )


def read_pointer(root: Path) -> DatasetPointer | None:
    path = root / DATASET_MANIFEST
    return DatasetPointer.from_json(path.read_bytes()) if path.exists() else None


def publish(root: Path, summary: VersionSummary, *, keep: int = DEFAULT_RETAINED_VERSIONS) -> None:
    """Make `summary`'s version current, as an ETL run's last step does."""
    pointer = read_pointer(root)
    if pointer is None:
        write_pointer(root, DatasetPointer(current=summary.version, versions=(summary,)))
    else:
        write_pointer(root, pointer.published(summary, keep=keep))


def write_pointer(root: Path, pointer: DatasetPointer) -> None:
    """Replace the pointer atomically, as the ETL and a rollback do."""
    root.mkdir(parents=True, exist_ok=True)
    temporary = root / f".{DATASET_MANIFEST}.tmp"
    temporary.write_text(pointer.to_json())
    os.replace(temporary, root / DATASET_MANIFEST)


def _metrics(history: list[Day]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for index, day in enumerate(history):
        previous = history[index - 1] if index else None
        cutoff = day.date - timedelta(days=30)
        prior = [d for d in history[:index] if d.date <= cutoff]
        prior_day = prior[-1] if prior else None
        rows.append(
            {
                "ticker": day.ticker,
                "date": day.date,
                "open": day.close,
                "high": day.close,
                "low": day.close,
                "close": day.close,
                "volume": day.volume,
                "traded_value": day.close * day.volume,
                "daily_return": None if previous is None else day.close / previous.close - 1,
                "return_30d": None if prior_day is None else day.close / prior_day.close - 1,
                "prior_date_30d": None if prior_day is None else prior_day.date,
                "prior_close_30d": None if prior_day is None else prior_day.close,
                "year": day.date.year,
            }
        )
    return rows


def _market(metrics: list[dict[str, object]]) -> list[dict[str, object]]:
    by_date: dict[object, list[dict[str, object]]] = defaultdict(list)
    for row in metrics:
        by_date[row["date"]].append(row)
    market = []
    for day, rows in sorted(by_date.items(), key=lambda item: str(item[0])):
        returns = [float(str(r["daily_return"])) for r in rows if r["daily_return"] is not None]
        market.append(
            {
                "date": day,
                "average_return": statistics.fmean(returns) if returns else None,
                "average_traded_value": statistics.fmean(
                    float(str(r["traded_value"])) for r in rows
                ),
                "tickers": len(rows),
                "return_tickers": len(returns),
                "year": rows[0]["year"],
            }
        )
    return market


def _stats(ticker: str, rows: list[dict[str, object]]) -> dict[str, object]:
    returns = [float(str(r["daily_return"])) for r in rows if r["daily_return"] is not None]
    return {
        "ticker": ticker,
        "first_date": rows[0]["date"],
        "last_date": rows[-1]["date"],
        "trading_days": len(rows),
        "average_traded_value": statistics.fmean(float(str(r["traded_value"])) for r in rows),
        "annualized_volatility": (
            statistics.stdev(returns) * math.sqrt(TRADING_DAYS_PER_YEAR)
            if len(returns) > 1
            else None
        ),
        "returns": len(returns),
    }


def _leaders(metrics: list[dict[str, object]]) -> list[dict[str, object]]:
    """The contract's top 30-day returns: highest first, then the earlier date, then the
    ticker."""
    ranked = sorted(
        (row for row in metrics if row["return_30d"] is not None),
        key=lambda row: (-float(str(row["return_30d"])), str(row["date"]), str(row["ticker"])),
    )
    return ranked[:MAX_RANKING_LIMIT]


def _table_bytes(root: Path, version: str) -> dict[str, dict[str, int]]:
    sizes = {}
    for table in TABLES:
        files = list((root / version_prefix(table, version)).rglob("*.parquet"))
        if files:
            sizes[table.name] = {"bytes": sum(file.stat().st_size for file in files)}
    return sizes


def _group(metrics: list[dict[str, object]]) -> dict[str, list[dict[str, object]]]:
    grouped: dict[str, list[dict[str, object]]] = defaultdict(list)
    for row in metrics:
        grouped[str(row["ticker"])].append(row)
    return grouped


def _write(root: Path, version: str, table: Table, rows: list[dict[str, object]]) -> None:
    schema = pa.schema([(column.name, ARROW_TYPES[column.type]) for column in table.columns])
    folder = root / version_prefix(table, version)
    if not table.partition_keys:
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(rows, schema=schema), folder / "part-00000.parquet")
        return
    by_year: dict[object, list[dict[str, object]]] = defaultdict(list)
    for row in rows:
        by_year[row["year"]].append({k: v for k, v in row.items() if k != "year"})
    for year, year_rows in by_year.items():
        partition = folder / f"year={year}"
        partition.mkdir(parents=True, exist_ok=True)
        pq.write_table(
            pa.Table.from_pylist(year_rows, schema=schema), partition / "part-00000.parquet"
        )
