"""The DuckDB engine on small hand-made warehouses."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest

from etl.tables import DATASET_MANIFEST
from graphql_api.engines.base import DatasetUnavailable, QueryFailed, QueryTimeout
from graphql_api.engines.duckdb import DuckDBEngine, to_duckdb_sql
from tests.graphql_api.conftest import tiny_days
from tests.graphql_api.tiny_warehouse import write_warehouse


def engine_for(warehouse: Path, timeout: float = 10.0) -> DuckDBEngine:
    return DuckDBEngine(
        warehouse, timeout_seconds=timeout, max_concurrent_queries=2, manifest_check_seconds=0
    )


async def test_reads_hive_partitions_with_the_year_key(tiny_warehouse: Path) -> None:
    engine = engine_for(tiny_warehouse)
    try:
        rows = await engine.fetch(
            "SELECT year, count(*) AS days FROM daily_metrics WHERE ticker = ? "
            "GROUP BY year ORDER BY year",
            ("AAA",),
        )
    finally:
        engine.close()
    assert rows == [{"year": 2019, "days": 22}, {"year": 2020, "days": 43}]


async def test_parameters_of_every_kind(tiny_warehouse: Path) -> None:
    engine = engine_for(tiny_warehouse)
    try:
        rows = await engine.fetch(
            "SELECT ticker, date, close FROM daily_metrics "
            "WHERE year = ? AND date = ? AND contains(?, ticker) AND close > ? ORDER BY ticker",
            (2020, date(2020, 1, 2), ("BBB", "ZZZ"), 0.5),
        )
    finally:
        engine.close()
    assert [(row["ticker"], row["date"]) for row in rows] == [("BBB", date(2020, 1, 2))]
    assert isinstance(rows[0]["close"], float)


def test_trino_sql_is_transpiled_once_per_statement() -> None:
    statement = "SELECT contains(?, ticker) AS wanted FROM daily_metrics"
    before = to_duckdb_sql.cache_info().hits
    first = to_duckdb_sql(statement)
    second = to_duckdb_sql(statement)
    assert first is second
    assert to_duckdb_sql.cache_info().hits == before + 1
    assert "ARRAY_CONTAINS(?, ticker)" in first


async def test_a_warehouse_without_a_manifest_is_unavailable(tmp_path: Path) -> None:
    engine = engine_for(tmp_path)
    try:
        with pytest.raises(DatasetUnavailable, match="build the warehouse first"):
            await engine.fetch("SELECT 1")
    finally:
        engine.close()


async def test_a_failure_names_no_sql(tiny_warehouse: Path) -> None:
    engine = engine_for(tiny_warehouse)
    try:
        with pytest.raises(QueryFailed) as failure:
            await engine.fetch("SELECT no_such_column FROM daily_metrics")
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
            await engine.fetch(slow)
        assert asyncio.get_running_loop().time() - started < 2
        assert await engine.fetch("SELECT 42 AS answer") == [{"answer": 42}]
    finally:
        engine.close()


async def test_a_new_run_is_seen_without_a_restart(tmp_path: Path) -> None:
    warehouse = write_warehouse(tmp_path / "w", tiny_days(("AAA",)), run_id="run-1")
    engine = engine_for(warehouse)
    try:
        assert (await engine.manifest()).run_id == "run-1"
        before = await engine.fetch("SELECT DISTINCT ticker FROM ticker_stats ORDER BY ticker")
        write_warehouse(warehouse, tiny_days(("AAA", "BBB")), run_id="run-2")
        assert (await engine.manifest()).run_id == "run-2"
        after = await engine.fetch("SELECT DISTINCT ticker FROM ticker_stats ORDER BY ticker")
    finally:
        engine.close()
    assert [row["ticker"] for row in before] == ["AAA"]
    assert [row["ticker"] for row in after] == ["AAA", "BBB"]


async def test_a_malformed_manifest_is_unavailable(tiny_warehouse: Path) -> None:
    (tiny_warehouse / DATASET_MANIFEST).write_text('{"run_id": "x"}')
    engine = engine_for(tiny_warehouse)
    try:
        with pytest.raises(DatasetUnavailable, match="not a valid dataset manifest"):
            await engine.manifest()
    finally:
        engine.close()
