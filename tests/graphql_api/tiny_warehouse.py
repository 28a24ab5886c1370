"""Small hand-made warehouses for engine and HTTP tests, written with pyarrow.

The derived columns are computed here in plain Python from a few closes and
volumes, straight from the contract's definitions, so edge cases (a year
boundary, a ticker with one day, a day on which no ticker has a return) can be
set up exactly. The sample-data tests use the real ETL instead.
"""

from __future__ import annotations

import json
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from etl.tables import (
    DAILY_METRICS,
    DATASET_MANIFEST,
    MARKET_DAILY,
    TICKER_STATS,
    TRADING_DAYS_PER_YEAR,
    Table,
)

ARROW_TYPES = {
    "string": pa.string(),
    "date": pa.date32(),
    "double": pa.float64(),
    "bigint": pa.int64(),
    "int": pa.int32(),
    "timestamp": pa.timestamp("us"),
}


@dataclass(frozen=True)
class Day:
    ticker: str
    date: date
    close: float
    volume: int


def write_warehouse(root: Path, days: list[Day], *, run_id: str = "run-1") -> Path:
    """Write daily_metrics, market_daily, ticker_stats and _dataset.json under root."""
    by_ticker: dict[str, list[Day]] = defaultdict(list)
    for day in sorted(days, key=lambda d: (d.ticker, d.date)):
        by_ticker[day.ticker].append(day)
    metrics = [row for history in by_ticker.values() for row in _metrics(history)]
    _write(root, DAILY_METRICS, metrics)
    _write(root, MARKET_DAILY, _market(metrics))
    _write(root, TICKER_STATS, [_stats(ticker, rows) for ticker, rows in _group(metrics).items()])
    write_manifest(root, days, run_id=run_id)
    return root


def write_manifest(root: Path, days: list[Day], *, run_id: str) -> None:
    manifest = {
        "run_id": run_id,
        "finished_at": "2024-01-01T00:00:00Z",
        "first_date": min(d.date for d in days).isoformat(),
        "last_date": max(d.date for d in days).isoformat(),
        "tickers": len({d.ticker for d in days}),
        "rows": len(days),
        "rows_read": len(days) + 1,
        "rows_rejected": 1,
        "duplicates_collapsed": 0,
        "input": "tiny",
    }
    (root / DATASET_MANIFEST).write_text(json.dumps(manifest))


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


def _group(metrics: list[dict[str, object]]) -> dict[str, list[dict[str, object]]]:
    grouped: dict[str, list[dict[str, object]]] = defaultdict(list)
    for row in metrics:
        grouped[str(row["ticker"])].append(row)
    return grouped


def _write(root: Path, table: Table, rows: list[dict[str, object]]) -> None:
    schema = pa.schema([(column.name, ARROW_TYPES[column.type]) for column in table.columns])
    folder = root / table.name
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
