"""Open the engine the settings name, for the app's lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from graphql_api.config import Settings
from graphql_api.engines.base import QueryEngine


@asynccontextmanager
async def open_engine(settings: Settings) -> AsyncIterator[QueryEngine]:
    """Yield the configured engine; close it (and its clients) on exit."""
    if settings.engine == "athena":
        from graphql_api.engines.athena import open_athena_engine

        async with open_athena_engine(settings) as athena:
            yield athena
        return
    from graphql_api.engines.duckdb import DuckDBEngine

    engine = DuckDBEngine(
        settings.warehouse_path,
        timeout_seconds=settings.query_timeout_seconds,
        max_concurrent_queries=settings.duckdb_threads,
        dataset_check_seconds=settings.dataset_check_seconds,
        max_load_bytes=settings.duckdb_memory_max_table_bytes,
        threads=settings.duckdb_worker_threads,
    )
    try:
        yield engine
    finally:
        engine.close()
