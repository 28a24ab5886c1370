"""The whole history's topThirtyDayReturns found BY_CUT (the cut found on one column, then
the rows at or above it) gives the rows pandas ranks from the same table, and the rows the
plain ORDER BY ... LIMIT statement gives, in the same order: with ties at the cut too."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from etl.tables import DAILY_METRICS, version_prefix
from graphql_api.engines.duckdb import DuckDBEngine
from graphql_api.engines.snapshot import EngineSnapshot
from graphql_api.services import rankings
from graphql_api.services.arguments import MAX_LIMIT
from tests.graphql_api.tiny_warehouse import Day, tiny_version, write_warehouse

VERSION = tiny_version(7)
COLUMNS = ["ticker", "date", "return_30d", "close", "prior_date_30d", "prior_close_30d"]


def tied_days() -> list[Day]:
    """150 tickers in three groups of identical closes: each group's rows tie on return_30d
    day by day, so more than MAX_LIMIT rows share values around the cut."""
    days = []
    for number in range(150):
        group = number % 3
        day, step = date(2019, 11, 1), 0
        while day <= date(2020, 3, 31):
            if day.weekday() < 5:
                close = 20.0 + group + ((step * (5 + 2 * group)) % 13) * 0.75
                days.append(Day(f"T{number:03d}", day, close, 1000 + step))
                step += 1
            day += timedelta(days=1)
    return days


def ranked_by_pandas(warehouse: Path) -> list[tuple[object, ...]]:
    """Every row with a return_30d, in the contract's order."""
    table = pd.read_parquet(warehouse / version_prefix(DAILY_METRICS, VERSION))
    table = table.dropna(subset=["return_30d"])
    ordered = table.sort_values(
        ["return_30d", "date", "ticker"], ascending=[False, True, True], kind="stable"
    )
    return [
        (r.ticker, r.date, r.return_30d, r.close, r.prior_date_30d, r.prior_close_30d)
        for r in ordered.itertuples()
    ]


def as_tuples(rows: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return [tuple(row[column] for column in COLUMNS) for row in rows]


@pytest.mark.parametrize("in_memory", [False, True])
async def test_same_rows_as_pandas_and_as_one_ranking(tmp_path: Path, in_memory: bool) -> None:
    warehouse = write_warehouse(tmp_path / "tied", tied_days(), version=VERSION)
    ranked = ranked_by_pandas(warehouse)
    expected = ranked[:MAX_LIMIT]
    cut = expected[-1][2]
    # the cut falls within a tie: some rows equal to it rank below the top MAX_LIMIT
    assert sum(row[2] == cut for row in ranked) > sum(row[2] == cut for row in expected) > 1
    engine = DuckDBEngine(
        warehouse,
        timeout_seconds=10,
        max_concurrent_queries=1,
        dataset_check_seconds=0,
        max_load_bytes=1 << 30 if in_memory else 0,
    )
    try:
        pruned = await engine.fetch(rankings.TOP_THIRTY_DAY_RETURNS_BY_CUT, version=VERSION)
        one_ranking = await engine.fetch(rankings.TOP_THIRTY_DAY_RETURNS, version=VERSION)
        snapshot = EngineSnapshot(engine, VERSION)
        answered = {
            rows: await rankings.top_thirty_day_returns(
                snapshot, None, MAX_LIMIT, version_rows=rows
            )
            for rows in (0, rankings.CUT_FROM_ROWS)
        }
    finally:
        engine.close()
    assert as_tuples(pruned) == expected
    assert pruned == one_ranking
    for found in answered.values():
        assert [(r.ticker, r.date, r.return30d) for r in found] == [row[:3] for row in expected]
