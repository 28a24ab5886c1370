"""Helpers for the hostile-input tests: writing case files, checking a built warehouse."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from pyspark.sql import SparkSession

from etl.jobs.build_warehouse import run
from etl.options import JobOptions
from etl.summary import RunSummary
from etl.tables import TABLES_BY_NAME
from tests.etl.warehouse_tables import read_table

HEADER = "date,open,high,low,close,volume,ticker"
METRIC_TABLES = ("daily_metrics", "market_daily", "ticker_stats", "thirty_day_leaders")


def good_row(ticker: str, day: str = "2024-01-02", close: str = "10") -> str:
    return f"{day},10,12,9,{close},1000,{ticker}"


def write_case(folder: Path, name: str, lines: list[str], encoding: str = "utf-8") -> Path:
    """A CSV file: the header, then `lines` (line 2 is the file's first data line)."""
    path = folder / name
    path.write_bytes(("\n".join([HEADER, *lines]) + "\n").encode(encoding))
    return path


def run_job(spark: SparkSession, source: Path, warehouse: Path) -> RunSummary:
    return run(spark, JobOptions(str(source), str(warehouse)), report=lambda _message: None)


def rejected_by_line(warehouse: Path, file_name: str) -> dict[int, str]:
    """line -> reason of the rejected rows of one input file."""
    return {
        row["line"]: row["reason"]
        for row in read_table(warehouse, "rejected_rows")
        if Path(row["source_file"]).name == file_name
    }


def non_finite_metrics(warehouse: Path) -> list[tuple[str, str, Any]]:
    """(table, column, value) of every stored double that is NaN or infinite."""
    found = []
    for name in METRIC_TABLES:
        doubles = [c.name for c in TABLES_BY_NAME[name].columns if c.type == "double"]
        for row in read_table(warehouse, name):
            found += [
                (name, column, row[column])
                for column in doubles
                if row[column] is not None and not math.isfinite(row[column])
            ]
    return found


def assert_accounting_matches_tables(summary: RunSummary, warehouse: Path) -> None:
    """The summary's counts are the rows actually stored, and they balance."""
    counts = summary.accounting
    assert counts.rows_accepted == len(read_table(warehouse, "daily_metrics"))
    assert counts.rows_rejected == len(read_table(warehouse, "rejected_rows"))
    assert counts.rows_read == (
        counts.rows_accepted + counts.rows_rejected + counts.duplicates_collapsed
    )
