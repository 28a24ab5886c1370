"""The DuckDB engine on small hand-made warehouses: one schema of views per version."""

from __future__ import annotations

import asyncio
import json
import math
from datetime import date
from pathlib import Path

import pytest

from etl.tables import DATASET_MANIFEST
from graphql_api.config import Settings
from graphql_api.engines.base import DatasetUnavailable, QueryFailed, QueryTimeout
from graphql_api.engines.duckdb import DuckDBEngine, to_duckdb_sql
from tests.graphql_api.tiny_warehouse import (
    OLD_VERSION,
    TINY_VERSION,
    tiny_days,
    tiny_version,
    write_warehouse,
)

SCHEMAS = (
    "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE 'v_%' ORDER BY 1"
)
TICKERS = "SELECT DISTINCT ticker FROM ticker_stats ORDER BY ticker"


def engine_for(warehouse: Path, timeout: float = 10.0) -> DuckDBEngine:
    return DuckDBEngine(
        warehouse, timeout_seconds=timeout, max_concurrent_queries=2, dataset_check_seconds=0
    )


async def test_reads_hive_partitions_with_the_year_and_version_keys(tiny_warehouse: Path) -> None:
    engine = engine_for(tiny_warehouse)
    try:
        rows = await engine.fetch(
            "SELECT dataset_version, year, count(*) AS days FROM daily_metrics WHERE ticker = ? "
            "GROUP BY dataset_version, year ORDER BY year",
            ("AAA",),
            version=TINY_VERSION,
        )
    finally:
        engine.close()
    assert rows == [
        {"dataset_version": TINY_VERSION, "year": 2019, "days": 22},
        {"dataset_version": TINY_VERSION, "year": 2020, "days": 43},
    ]


async def test_each_version_reads_its_own_tables(tiny_warehouse: Path) -> None:
    engine = engine_for(tiny_warehouse)
    try:
        current = await engine.fetch(TICKERS, version=TINY_VERSION)
        old = await engine.fetch(TICKERS, version=OLD_VERSION)
        volumes = {
            version: await engine.fetch(
                "SELECT volume FROM daily_metrics WHERE ticker = 'AAA' AND date = ?",
                (date(2020, 1, 2),),
                version=version,
            )
            for version in (TINY_VERSION, OLD_VERSION)
        }
    finally:
        engine.close()
    assert [row["ticker"] for row in current] == ["AAA", "BBB"]
    assert [row["ticker"] for row in old] == ["AAA"]
    assert volumes[OLD_VERSION][0]["volume"] == 3 * volumes[TINY_VERSION][0]["volume"]


async def test_parameters_of_every_kind(tiny_warehouse: Path) -> None:
    engine = engine_for(tiny_warehouse)
    try:
        rows = await engine.fetch(
            "SELECT ticker, date, close FROM daily_metrics "
            "WHERE year = ? AND date = ? AND contains(?, ticker) AND close > ? ORDER BY ticker",
            (2020, date(2020, 1, 2), ("BBB", "ZZZ"), 0.5),
            version=TINY_VERSION,
        )
    finally:
        engine.close()
    assert [(row["ticker"], row["date"]) for row in rows] == [("BBB", date(2020, 1, 2))]
    assert isinstance(rows[0]["close"], float)


def test_trino_sql_is_transpiled_once_per_statement_and_version() -> None:
    statement = "SELECT contains(?, ticker) AS wanted FROM daily_metrics AS d"
    before = to_duckdb_sql.cache_info().hits
    first = to_duckdb_sql(statement, TINY_VERSION)
    second = to_duckdb_sql(statement, TINY_VERSION)
    other = to_duckdb_sql(statement, OLD_VERSION)
    assert first is second
    assert to_duckdb_sql.cache_info().hits == before + 1
    assert "ARRAY_CONTAINS(?, ticker)" in first
    assert f'FROM "v_{TINY_VERSION}".daily_metrics AS d' in first
    assert f'FROM "v_{OLD_VERSION}".daily_metrics AS d' in other


def test_only_warehouse_tables_are_qualified() -> None:
    statement = (
        "WITH ticker_stats AS (SELECT ticker FROM daily_metrics) "
        "SELECT * FROM ticker_stats, range(3) AS r(x)"
    )
    sql = to_duckdb_sql(statement, TINY_VERSION)
    assert sql.count(f'"v_{TINY_VERSION}"') == 1
    assert "FROM ticker_stats" in sql


def test_a_malformed_version_never_reaches_sql() -> None:
    with pytest.raises(QueryFailed, match="is not a dataset version"):
        to_duckdb_sql("SELECT * FROM runs", 'x"; DROP SCHEMA main; --')


async def test_a_warehouse_without_a_pointer_is_unavailable(tmp_path: Path) -> None:
    engine = engine_for(tmp_path)
    try:
        with pytest.raises(DatasetUnavailable, match="build the warehouse first"):
            await engine.pointer()
    finally:
        engine.close()


async def test_a_pointer_of_the_old_format_is_unavailable(tiny_warehouse: Path) -> None:
    old_manifest = {"run_id": "x", "finished_at": "2024-01-01T00:00:00Z", "tickers": 1, "rows": 1}
    (tiny_warehouse / DATASET_MANIFEST).write_text(json.dumps(old_manifest))
    engine = engine_for(tiny_warehouse)
    try:
        with pytest.raises(DatasetUnavailable) as unavailable:
            await engine.pointer()
    finally:
        engine.close()
    assert str(unavailable.value) == (
        f"{tiny_warehouse / DATASET_MANIFEST}: written by an older ETL (one table set, no "
        "versions): run the ETL again to build a versioned warehouse"
    )


async def test_a_version_without_tables_is_unavailable(tiny_warehouse: Path) -> None:
    engine = engine_for(tiny_warehouse)
    try:
        with pytest.raises(DatasetUnavailable, match="has no tables"):
            await engine.fetch(TICKERS, version=tiny_version(9))
        schemas = await engine.fetch(SCHEMAS, version=TINY_VERSION)
    finally:
        engine.close()
    assert schemas == [{"schema_name": f"v_{TINY_VERSION}"}]


async def test_a_failure_names_no_sql(tiny_warehouse: Path) -> None:
    engine = engine_for(tiny_warehouse)
    try:
        with pytest.raises(QueryFailed) as failure:
            await engine.fetch("SELECT no_such_column FROM daily_metrics", version=TINY_VERSION)
    finally:
        engine.close()
    assert str(failure.value) == "DuckDB could not run the query (BinderException)"


async def test_a_long_query_is_interrupted_and_the_engine_keeps_working(
    tiny_warehouse: Path,
) -> None:
    engine = engine_for(tiny_warehouse, timeout=0.2)
    slow = "SELECT count(*) AS n FROM range(2000000000) AS a(x) WHERE x % 7 = 3"
    try:
        started = asyncio.get_running_loop().time()
        with pytest.raises(QueryTimeout):
            await engine.fetch(slow, version=TINY_VERSION)
        assert asyncio.get_running_loop().time() - started < 2
        assert await engine.fetch("SELECT 42 AS answer", version=TINY_VERSION) == [{"answer": 42}]
    finally:
        engine.close()


async def test_a_new_version_is_seen_and_a_dropped_one_loses_its_views(tmp_path: Path) -> None:
    first, second, third = tiny_version(1), tiny_version(2), tiny_version(3)
    warehouse = write_warehouse(tmp_path / "w", tiny_days(("AAA",)), version=first, keep=2)
    engine = engine_for(warehouse)
    try:
        assert (await engine.pointer()).current == first
        before = await engine.fetch(TICKERS, version=first)
        write_warehouse(warehouse, tiny_days(("AAA", "BBB")), version=second, keep=2)
        assert (await engine.pointer()).current == second
        after = await engine.fetch(TICKERS, version=second)
        both = await engine.fetch(SCHEMAS, version=second)
        write_warehouse(warehouse, tiny_days(("CCC",)), version=third, keep=2)
        assert [v.version for v in (await engine.pointer()).versions] == [third, second]
        left = await engine.fetch(SCHEMAS, version=second)
    finally:
        engine.close()
    assert [row["ticker"] for row in before] == ["AAA"]
    assert [row["ticker"] for row in after] == ["AAA", "BBB"]
    assert both == [{"schema_name": f"v_{first}"}, {"schema_name": f"v_{second}"}]
    assert left == [{"schema_name": f"v_{second}"}]


@pytest.mark.parametrize("seconds", [math.inf, 1e16], ids=["unbounded", "beyond int64 ms"])
@pytest.mark.parametrize("max_load_bytes", [0, 1 << 30], ids=["views", "in memory"])
async def test_any_timeout_the_settings_accept_serves(
    tiny_warehouse: Path, seconds: float, max_load_bytes: int
) -> None:
    """Settings take any positive query_timeout_seconds, infinity too: the engine opens
    and answers with it, on the event loop (small tables in memory) as in a thread."""
    assert Settings(query_timeout_seconds=seconds).query_timeout_seconds == seconds
    engine = DuckDBEngine(
        tiny_warehouse,
        timeout_seconds=seconds,
        max_concurrent_queries=2,
        dataset_check_seconds=0,
        max_load_bytes=max_load_bytes,
    )
    try:
        found = await engine.fetch(TICKERS, version=TINY_VERSION)
    finally:
        engine.close()
    assert [row["ticker"] for row in found] == sorted({day.ticker for day in tiny_days()})
