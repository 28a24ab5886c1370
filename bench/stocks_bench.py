"""Cold `stocks` on the 2.5 M-row warehouse: a page of all 500 tickers against a first
page of 100, and the statement alone.

One server with both caches off; wrk loads each query from one connection,
alternating, `--rounds` times, and the best (lowest p50) run of each is kept.
Also prints the time of the page's statement alone, at the engine.

    python -m bench.stocks_bench          # after bench.api_bench built the warehouse
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path

from bench.api_bench import CACHES_OFF, NO_LIMITS, answer, large_warehouse
from bench.api_servers import graphql_server
from bench.wrk import WrkResult, run_wrk
from graphql_api.config import Settings
from graphql_api.engines.duckdb import DuckDBEngine
from graphql_api.services.stocks import ALL_STOCKS

FIELDS = "ticker annualizedVolatility averageTradedValue"
PAGES = {
    "500 tickers": f"{{ stocks(first: 500) {{ edges {{ node {{ {FIELDS} }} }} }} }}",
    "first 100": f"{{ stocks(first: 100) {{ edges {{ node {{ {FIELDS} }} }} }} }}",
}


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
    warehouse = large_warehouse()
    bodies = {label: json.dumps({"query": query}) for label, query in PAGES.items()}
    print(f"load average {os.getloadavg()[0]:.1f}", file=sys.stderr)
    with graphql_server(warehouse, pythonpath=None, log=None, **NO_LIMITS, **CACHES_OFF) as url:
        sizes = {label: len(answer(url, body)) for label, body in bodies.items()}
        best: dict[str, WrkResult] = {}
        for _ in range(args.rounds):
            for label, body in bodies.items():
                run = run_wrk(f"{url}/graphql", body, seconds=args.seconds, connections=1)
                if label not in best or run.p50_ms < best[label].p50_ms:
                    best[label] = run
    alone = asyncio.run(statement_ms(warehouse))
    print(f"all stocks' statement alone, at the engine: {alone:.2f} ms")
    print("| stocks | answer bytes | 1-conn p50 ms | 1-conn p99 ms |")
    print("|---|---:|---:|---:|")
    for label, run in best.items():
        print(f"| {label} | {sizes[label]:,} | {run.p50_ms:.2f} | {run.p99_ms:.2f} |")
    print(f"\nload average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
