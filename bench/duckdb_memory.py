"""What loading a dataset version into DuckDB's memory costs: time, and memory per million rows.

Opens the DuckDB engine on a warehouse with every table loaded into memory, asks
for the current version once (which loads it), and reports the time that took,
DuckDB's own count of the memory its in-memory tables hold (`duckdb_memory()`),
the process's resident memory before and after, and both per million rows of
the tables loaded. (That a version no longer retained frees its tables is tested in
tests/graphql_api/engines/test_duckdb_in_memory.py.)

Then what the load buys, alone: the statements the API benchmark's queries run
(captured by running each query through the app) are timed at the engine, one
engine with the version in memory and one reading the files, alternating, and the
median of `--repeats` runs of each is printed.

    python -m bench.duckdb_memory bench/.data/api/large-warehouse
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import sys
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from bench.api_bench import QUERIES
from bench.measure import MIB, tree_rss_bytes
from etl.dataset_pointer import DatasetPointer
from graphql_api.config import Settings
from graphql_api.engines.base import QueryEngine, Row, SqlValue
from graphql_api.engines.duckdb import DuckDBEngine
from graphql_api.engines.factory import open_engine
from graphql_api.main import create_app

EVERYTHING = 1 << 50


async def measure(warehouse: Path) -> dict[str, float]:
    engine = DuckDBEngine(
        warehouse,
        timeout_seconds=600,
        max_concurrent_queries=1,
        dataset_check_seconds=3600,
        max_load_bytes=EVERYTHING,
    )
    try:
        version = (await engine.pointer()).current
        gc.collect()
        rss_before = tree_rss_bytes(os.getpid())
        started = time.perf_counter()
        await engine.fetch("SELECT 1 AS one", version=version)
        seconds = time.perf_counter() - started
        rss_after = tree_rss_bytes(os.getpid())
        duckdb_bytes = await engine.in_memory_bytes()
        rows = 0
        for table in engine.in_memory_tables()[version]:
            counted = await engine.fetch(f"SELECT count(*) AS n FROM {table}", version=version)
            rows += int(counted[0]["n"])  # type: ignore[call-overload]
    finally:
        engine.close()
    millions = rows / 1e6
    return {
        "rows": rows,
        "load_seconds": round(seconds, 2),
        "duckdb_mib": round(duckdb_bytes / MIB, 1),
        "rss_growth_mib": round((rss_after - rss_before) / MIB, 1),
        "duckdb_mib_per_million_rows": round(duckdb_bytes / MIB / millions, 1),
        "rss_mib_per_million_rows": round((rss_after - rss_before) / MIB / millions, 1),
    }


Statement = tuple[str, tuple[SqlValue, ...]]


class Recording:
    """A QueryEngine that notes each statement it passes on."""

    def __init__(self, inner: QueryEngine) -> None:
        self.inner = inner
        self.ran: list[Statement] = []

    @property
    def name(self) -> str:
        return self.inner.name

    async def pointer(self) -> DatasetPointer:
        return await self.inner.pointer()

    async def fetch(
        self, statement: str, parameters: Sequence[SqlValue] = (), *, version: str
    ) -> list[Row]:
        self.ran.append((statement, tuple(parameters)))
        return await self.inner.fetch(statement, parameters, version=version)


async def captured_statements(warehouse: Path) -> dict[str, list[Statement]]:
    """Each benchmark query -> the statements the app ran for it (both caches off)."""
    recorders: list[Recording] = []

    @asynccontextmanager
    async def opener(settings: Settings) -> AsyncIterator[QueryEngine]:
        async with open_engine(settings) as engine:
            recorders.append(Recording(engine))
            yield recorders[-1]

    settings = Settings(
        warehouse=str(warehouse),
        cache_max_entries=0,
        response_cache_max_entries=0,
        rate_limit_per_second=0,
        duckdb_memory_max_table_bytes=0,
    )
    app = create_app(settings, engine_opener=opener)
    captured: dict[str, list[Statement]] = {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            first = "{ stocks(first: 1) { edges { node { ticker } } } }"
            listed = await client.post("/graphql", json={"query": first})
            ticker = listed.json()["data"]["stocks"]["edges"][0]["node"]["ticker"]
            for name, query in QUERIES.items():
                recorders[0].ran.clear()
                variables = {"ticker": ticker} if "$" in query else {}
                await client.post("/graphql", json={"query": query, "variables": variables})
                captured[name] = list(recorders[0].ran)
    return captured


async def statement_times(warehouse: Path, repeats: int) -> list[tuple[str, float, float]]:
    """(query, median ms of its statements from memory, from files)."""
    statements = await captured_statements(warehouse)
    engines = [
        DuckDBEngine(
            warehouse,
            timeout_seconds=600,
            max_concurrent_queries=1,
            dataset_check_seconds=3600,
            max_load_bytes=limit,
        )
        for limit in (EVERYTHING, 0)
    ]
    try:
        version = (await engines[0].pointer()).current
        results = []
        for name, ran in statements.items():
            if not ran:
                continue
            times: list[list[float]] = [[], []]
            for _ in range(repeats):
                for index, engine in enumerate(engines):
                    started = time.perf_counter()
                    for statement, parameters in ran:
                        await engine.fetch(statement, parameters, version=version)
                    times[index].append(time.perf_counter() - started)
            medians = [1e3 * statistics.median(t[1:] or t) for t in times]
            results.append((name, medians[0], medians[1]))
    finally:
        for engine in engines:
            engine.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--repeats", type=int, default=31)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}")
    for name, value in asyncio.run(measure(args.warehouse)).items():
        print(f"{name}: {value:,}")
    print("\n| query | in memory ms | from files ms | from files / in memory |")
    print("|---|---:|---:|---:|")
    for name, loaded, read in asyncio.run(statement_times(args.warehouse, args.repeats)):
        print(f"| {name} | {loaded:.2f} | {read:.2f} | {read / loaded:.1f}x |")
    print(f"\nload average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
