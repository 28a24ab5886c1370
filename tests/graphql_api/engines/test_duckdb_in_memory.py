"""The DuckDB engine's in-memory tables: which tables load, what they hold, when they go."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from etl.tables import TABLES_BY_NAME, version_prefix
from graphql_api.engines.base import QueryFailed, QueryTimeout
from graphql_api.engines.duckdb import DuckDBEngine
from tests.graphql_api.conftest import TINY_VERSION, tiny_days
from tests.graphql_api.tiny_warehouse import tiny_version, write_warehouse

EVERY_ROW = "SELECT * FROM {table} ORDER BY {key}"
KEYS = {"daily_metrics": "ticker, date", "market_daily": "date", "ticker_stats": "ticker"}
KINDS = (
    "SELECT table_name, table_type FROM information_schema.tables "
    "WHERE table_schema = ? ORDER BY table_name"
)


def engine_for(
    warehouse: Path, max_load_bytes: int, timeout_seconds: float = 10, **options: int
) -> DuckDBEngine:
    return DuckDBEngine(
        warehouse,
        timeout_seconds=timeout_seconds,
        max_concurrent_queries=2,
        dataset_check_seconds=0,
        max_load_bytes=max_load_bytes,
        **options,
    )


def parquet_bytes(warehouse: Path, table: str, version: str) -> int:
    folder = warehouse / version_prefix(TABLES_BY_NAME[table], version)
    return sum(path.stat().st_size for path in folder.rglob("*.parquet"))


async def test_tables_up_to_the_threshold_load_and_larger_ones_stay_views(
    tiny_warehouse: Path,
) -> None:
    sizes = {
        table: parquet_bytes(tiny_warehouse, table, TINY_VERSION)
        for table in ("daily_metrics", "market_daily", "ticker_stats")
    }
    assert sizes["ticker_stats"] < sizes["market_daily"] < sizes["daily_metrics"]
    engine = engine_for(tiny_warehouse, max_load_bytes=sizes["market_daily"])
    try:
        kinds = await engine.fetch(KINDS, (f"v_{TINY_VERSION}",), version=TINY_VERSION)
        loaded = engine.in_memory_tables()
    finally:
        engine.close()
    kind = {row["table_name"]: row["table_type"] for row in kinds}
    assert kind["daily_metrics"] == "VIEW"
    assert kind["market_daily"] == kind["ticker_stats"] == "BASE TABLE"
    assert set(loaded[TINY_VERSION]) == {"market_daily", "ticker_stats"}


async def test_a_loaded_table_holds_what_its_files_hold(tiny_warehouse: Path) -> None:
    in_memory, from_files = engine_for(tiny_warehouse, 1 << 40), engine_for(tiny_warehouse, 0)
    try:
        for table, key in KEYS.items():
            query = EVERY_ROW.format(table=table, key=key)
            loaded = await in_memory.fetch(query, version=TINY_VERSION)
            read = await from_files.fetch(query, version=TINY_VERSION)
            assert loaded == read, table
            assert len(read) > 1
            # the same columns, in the same order, with the same Python types
            assert [(k, type(v)) for k, v in loaded[0].items()] == [
                (k, type(v)) for k, v in read[0].items()
            ]
        assert "daily_metrics" in in_memory.in_memory_tables()[TINY_VERSION]
        assert from_files.in_memory_tables() == {TINY_VERSION: ()}
        assert await from_files.in_memory_bytes() == 0
    finally:
        in_memory.close()
        from_files.close()


async def test_a_version_no_longer_retained_frees_its_tables(tmp_path: Path) -> None:
    first, second, third = tiny_version(1), tiny_version(2), tiny_version(3)
    warehouse = write_warehouse(tmp_path / "w", tiny_days(("AAA", "BBB")), version=first, keep=2)
    engine = engine_for(warehouse, 1 << 40)
    try:
        await engine.fetch("SELECT count(*) AS n FROM daily_metrics", version=first)
        alone = await engine.in_memory_bytes()
        write_warehouse(warehouse, tiny_days(("AAA", "BBB", "CCC")), version=second, keep=2)
        await engine.fetch("SELECT count(*) AS n FROM daily_metrics", version=second)
        both = await engine.in_memory_bytes()
        write_warehouse(warehouse, tiny_days(("DDD",)), version=third, keep=2)
        await engine.pointer()  # the first version is no longer retained
        left = await engine.in_memory_bytes()
        versions = set(engine.in_memory_tables())
        tables = await engine.fetch(
            "SELECT DISTINCT schema_name FROM duckdb_tables() ORDER BY 1", version=second
        )
    finally:
        engine.close()
    assert 0 < alone < both
    assert left < both
    assert versions == {second}
    assert tables == [{"schema_name": f"v_{second}"}]


async def test_concurrent_first_queries_load_a_version_once_and_all_see_it_whole(
    tiny_warehouse: Path,
) -> None:
    engine = engine_for(tiny_warehouse, 1 << 40)
    query = "SELECT count(*) AS n FROM daily_metrics"
    try:
        counts = await asyncio.gather(
            *(engine.fetch(query, version=TINY_VERSION) for _ in range(8))
        )
    finally:
        engine.close()
    assert counts == [[{"n": len(tiny_days())}]] * 8


async def test_a_version_that_fails_to_load_leaves_no_schema_behind(tiny_warehouse: Path) -> None:
    part = next(
        (tiny_warehouse / version_prefix(TABLES_BY_NAME["daily_metrics"], TINY_VERSION)).rglob(
            "*.parquet"
        )
    )
    good = part.read_bytes()
    part.write_bytes(b"not parquet")
    engine = engine_for(tiny_warehouse, 1 << 40)
    query = "SELECT count(*) AS n FROM daily_metrics"
    try:
        with pytest.raises(QueryFailed):
            await engine.fetch(query, version=TINY_VERSION)
        schemas = engine._connection.execute(
            "SELECT schema_name FROM duckdb_schemas() WHERE schema_name LIKE 'v_%'"
        ).fetchall()
        part.write_bytes(good)
        after = await engine.fetch(query, version=TINY_VERSION)
    finally:
        engine.close()
    assert schemas == []
    assert engine.in_memory_tables() == {
        TINY_VERSION: ("daily_metrics", "market_daily", "ticker_stats")
    }
    assert after == [{"n": len(tiny_days())}]


@pytest.mark.parametrize("inline_max_bytes", [0, 1 << 40], ids=["in a thread", "on the loop"])
async def test_a_long_query_over_small_tables_in_memory_is_stopped_at_the_timeout(
    tiny_warehouse: Path, inline_max_bytes: int
) -> None:
    """A statement over small in-memory tables runs on the event loop (when under
    `inline_max_bytes`); DuckDB stops it at the timeout there too."""
    engine = engine_for(
        tiny_warehouse, 1 << 40, timeout_seconds=0.2, inline_max_bytes=inline_max_bytes
    )
    slow = (
        "SELECT count(*) AS n FROM ticker_stats CROSS JOIN range(2000000000) AS a(x) "
        "WHERE x % 7 = 3"
    )
    tickers = "SELECT count(*) AS n FROM ticker_stats"
    try:
        started = asyncio.get_running_loop().time()
        with pytest.raises(QueryTimeout):
            await engine.fetch(slow, version=TINY_VERSION)
        assert asyncio.get_running_loop().time() - started < 2
        [row] = await engine.fetch(tickers, version=TINY_VERSION)
    finally:
        engine.close()
    assert row["n"] == len({day.ticker for day in tiny_days()})


@pytest.mark.parametrize(
    ("inline_max_bytes", "one_thread_max_rows", "threads"),
    [(0, 0, 2), (0, 1 << 40, 1), (1 << 40, 1 << 40, 1)],
    ids=["threads, no table of one row group", "a thread, one thread", "on the loop"],
)
async def test_small_tables_are_read_from_a_single_threaded_copy(
    tiny_warehouse: Path, inline_max_bytes: int, one_thread_max_rows: int, threads: int
) -> None:
    """A statement over tables of at most `one_thread_max_rows` rows reads a database of
    one thread holding them (on the loop under `inline_max_bytes`, else in a worker
    thread); any other runs in a worker thread over the database of `threads`. Both hold
    the same rows, in the same order."""
    engine = engine_for(
        tiny_warehouse,
        1 << 40,
        threads=2,
        inline_max_bytes=inline_max_bytes,
        one_thread_max_rows=one_thread_max_rows,
    )
    setting = "SELECT current_setting('threads') AS threads, count(*) AS n FROM ticker_stats"
    try:
        [row] = await engine.fetch(setting, version=TINY_VERSION)
        rows = {
            table: await engine.fetch(EVERY_ROW.format(table=table, key=key), version=TINY_VERSION)
            for table, key in KEYS.items()
        }
        in_files = {
            table: await engine.fetch(
                EVERY_ROW.format(table=f"read_parquet('{folder}/**/*.parquet')", key=key),
                version=TINY_VERSION,
            )
            for table, key in KEYS.items()
            for folder in [tiny_warehouse / version_prefix(TABLES_BY_NAME[table], TINY_VERSION)]
        }
    finally:
        engine.close()
    assert row == {"threads": threads, "n": len({day.ticker for day in tiny_days()})}
    for table, found in rows.items():
        assert [{k: v for k, v in r.items() if k in found[0]} for r in in_files[table]] == found


THREADS = "current_setting('threads') AS threads"


async def test_a_table_of_more_rows_than_the_bound_is_read_from_the_database_of_threads(
    tiny_warehouse: Path,
) -> None:
    tickers = len({day.ticker for day in tiny_days()})
    engine = engine_for(
        tiny_warehouse, 1 << 40, threads=2, inline_max_bytes=0, one_thread_max_rows=tickers
    )
    statement = f"SELECT {THREADS}, count(*) AS n FROM {{table}}"
    try:
        found = {
            table: await engine.fetch(statement.format(table=table), version=TINY_VERSION)
            for table in ("ticker_stats", "daily_metrics")
        }
    finally:
        engine.close()
    assert found["ticker_stats"] == [{"threads": 1, "n": tickers}]
    assert found["daily_metrics"] == [{"threads": 2, "n": len(tiny_days())}]


async def test_a_statement_over_the_loops_budget_is_stopped_there_and_answered_by_a_thread(
    tiny_warehouse: Path,
) -> None:
    """A statement the gate sends to the event loop (small tables in memory) that runs
    longer than the loop's budget is stopped there by DuckDB and run again, whole, in a
    worker thread (the database of 2 threads): the loop keeps serving meanwhile."""
    engine = engine_for(tiny_warehouse, 1 << 40, threads=2, loop_budget_seconds=0.001)
    slow = (
        f"SELECT count(*) AS n, {THREADS} FROM ticker_stats "
        "CROSS JOIN range(50000000) AS a(x) WHERE x % 7 = 3"
    )
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0)
            ticks += 1

    ticking = asyncio.create_task(tick())
    await asyncio.sleep(0)
    try:
        [row] = await engine.fetch(slow, version=TINY_VERSION)
    finally:
        ticking.cancel()
        engine.close()
    tickers = len({day.ticker for day in tiny_days()})
    assert row == {"n": tickers * len(range(3, 50000000, 7)), "threads": 2}
    # The loop ran other tasks while the thread worked: held, it would have run none.
    assert ticks > 100
