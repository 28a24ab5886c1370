"""What loading a dataset version into DuckDB's memory costs: time, and memory per million rows.

Opens the DuckDB engine on a warehouse with every table loaded into memory, asks
for the current version once (which loads it), and reports the time that took,
DuckDB's own count of the memory its in-memory tables hold (`duckdb_memory()`),
the process's resident memory before and after, and both per million rows of
the tables loaded. (That a version no longer retained frees its tables is tested in
tests/graphql_api/engines/test_duckdb_in_memory.py.)

    python -m bench.duckdb_memory bench/.data/api/large-warehouse
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
import time
from pathlib import Path

from bench.measure import MIB, tree_rss_bytes
from graphql_api.engines.duckdb import DuckDBEngine

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("warehouse", type=Path)
    args = parser.parse_args()
    for name, value in asyncio.run(measure(args.warehouse)).items():
        print(f"{name}: {value:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
