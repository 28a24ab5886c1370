"""Cold `stocks` on the 2.5 M-row warehouse: all 500 tickers, and a stand-in for a first
page of 100.

Until `stocks` is paginated, a first page of 100 is stood in for by a copy of the
2.5 M-row warehouse whose `ticker_stats` holds only the first 100 tickers (every
other table is the same files, linked): `{ stocks { ... } }` there answers exactly
what a first page of 100 would hold, through the same resolvers. Both servers run
with both caches off; wrk loads them from one connection, alternating, `--rounds`
times, and the best (lowest p50) run of each is kept. Also prints the time of the
statement alone, at the engine, and the share of the request it is.

    python -m bench.stocks_bench          # after bench.api_bench built the warehouse
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

import duckdb

from bench.api_bench import CACHES_OFF, DATA, NO_LIMITS, QUERIES, answer, large_warehouse
from bench.api_servers import graphql_server
from bench.wrk import WrkResult, run_wrk
from etl.dataset_pointer import DatasetPointer
from etl.tables import DATASET_MANIFEST, TABLES, TICKER_STATS, version_prefix
from graphql_api.config import Settings
from graphql_api.engines.duckdb import DuckDBEngine
from graphql_api.services.stocks import ALL_STOCKS

PAGE = 100


def first_page_warehouse(source: Path) -> Path:
    """`source` with `ticker_stats` cut to its first PAGE tickers; the rest linked."""
    target = DATA / f"first-{PAGE}-warehouse"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    shutil.copy(source / DATASET_MANIFEST, target / DATASET_MANIFEST)
    version = DatasetPointer.from_json((source / DATASET_MANIFEST).read_bytes()).current
    for table in TABLES:
        if table != TICKER_STATS:
            (target / table.name).symlink_to((source / table.name).resolve())
    folder = target / version_prefix(TICKER_STATS, version)
    folder.mkdir(parents=True)
    files = source / version_prefix(TICKER_STATS, version)
    duckdb.execute(
        f"COPY (SELECT * FROM read_parquet('{files}/*.parquet') ORDER BY ticker LIMIT {PAGE}) "
        f"TO '{folder / 'part-0.parquet'}' (FORMAT parquet)"
    )
    return target


async def statement_ms(warehouse: Path) -> float:
    engine = DuckDBEngine(
        warehouse,
        timeout_seconds=60,
        max_concurrent_queries=1,
        dataset_check_seconds=3600,
        max_load_bytes=Settings().duckdb_memory_max_table_bytes,
    )
    try:
        version = (await engine.pointer()).current
        await engine.fetch(ALL_STOCKS, version=version)
        times = []
        for _ in range(50):
            started = time.perf_counter()
            await engine.fetch(ALL_STOCKS, version=version)
            times.append(time.perf_counter() - started)
    finally:
        engine.close()
    return 1e3 * statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    warehouses = {"500 tickers": large_warehouse()}
    warehouses[f"first {PAGE}"] = first_page_warehouse(warehouses["500 tickers"])
    body = json.dumps({"query": QUERIES["stocks"]})
    print(f"load average {os.getloadavg()[0]:.1f}", file=sys.stderr)
    with (
        graphql_server(warehouses["500 tickers"], **NO_LIMITS, **CACHES_OFF) as whole,
        graphql_server(warehouses[f"first {PAGE}"], **NO_LIMITS, **CACHES_OFF) as page,
    ):
        urls = {"500 tickers": whole, f"first {PAGE}": page}
        sizes = {label: len(answer(url, body)) for label, url in urls.items()}
        best: dict[str, WrkResult] = {}
        for _ in range(args.rounds):
            for label, url in urls.items():
                run = run_wrk(f"{url}/graphql", body, seconds=args.seconds, connections=1)
                if label not in best or run.p50_ms < best[label].p50_ms:
                    best[label] = run
    print("| stocks | answer bytes | 1-conn p50 ms | 1-conn p99 ms | statement alone ms |")
    print("|---|---:|---:|---:|---:|")
    for label, warehouse in warehouses.items():
        alone = asyncio.run(statement_ms(warehouse))
        run = best[label]
        print(f"| {label} | {sizes[label]:,} | {run.p50_ms:.2f} | {run.p99_ms:.2f} | {alone:.2f} |")
    print(f"\nload average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
