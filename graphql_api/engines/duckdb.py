"""The embedded engine: DuckDB over the local warehouse's Parquet files.

Each dataset version gets its own schema of views when a query first asks for it
(engines/duckdb_warehouse.py), and loses it when the pointer no longer retains
it. Queries run in worker threads, each on its own cursor, never on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

import duckdb

from etl.dataset_pointer import DatasetPointer
from graphql_api.engines.base import QueryFailed, QueryTimeout, Row, SqlValue
from graphql_api.engines.duckdb_warehouse import (
    create_views,
    drop_views,
    read_pointer,
    to_duckdb_sql,
)
from graphql_api.engines.pointer import PointerCache
from graphql_api.observability.stats import EngineQuery, record_engine_query

logger = logging.getLogger(__name__)

CLOSE_WAIT_SECONDS = 5.0

__all__ = ["DuckDBEngine", "to_duckdb_sql"]


class DuckDBEngine:
    """QueryEngine over `<warehouse>/<table>/dataset_version=<v>/[year=YYYY/]part-*.parquet`."""

    def __init__(
        self,
        warehouse: Path,
        *,
        timeout_seconds: float,
        max_concurrent_queries: int,
        dataset_check_seconds: float,
    ) -> None:
        self._warehouse = warehouse
        self._timeout_seconds = timeout_seconds
        self._slots = asyncio.Semaphore(max_concurrent_queries)
        self._connection = duckdb.connect(":memory:")
        self._running: set[duckdb.DuckDBPyConnection] = set()
        self.pointers = PointerCache(
            self._read_pointer, ttl_seconds=dataset_check_seconds, on_change=self._drop_unretained
        )
        self._viewed: set[str] = set()
        """Versions whose schema of views exists."""
        self._ddl_lock = asyncio.Lock()

    @property
    def name(self) -> str:
        return "duckdb"

    def close(self) -> None:
        """Close the database once queries a timeout gave up on have been interrupted."""
        for cursor in list(self._running):
            _interrupt(cursor)
        deadline = time.monotonic() + CLOSE_WAIT_SECONDS
        while True:
            try:
                self._connection.close()
                return
            except duckdb.Error:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    async def fetch(
        self, statement: str, parameters: Sequence[SqlValue] = (), *, version: str
    ) -> list[Row]:
        await self._ensure_views(version)
        sql = to_duckdb_sql(statement, version)
        values = [list(value) if isinstance(value, tuple) else value for value in parameters]
        async with self._slots:
            cursor = self._connection.cursor()
            self._running.add(cursor)
            started = time.perf_counter()
            try:
                rows = await asyncio.wait_for(
                    asyncio.to_thread(self._run, cursor, sql, values), self._timeout_seconds
                )
            except TimeoutError as timeout:
                _interrupt(cursor)
                raise QueryTimeout(
                    f"the query took longer than {self._timeout_seconds:g}s and was stopped"
                ) from timeout
            except duckdb.Error as error:
                logger.error("duckdb query failed: %s\n%s", error, sql)
                raise QueryFailed(
                    f"DuckDB could not run the query ({type(error).__name__})"
                ) from error
            finally:
                seconds = time.perf_counter() - started
                record_engine_query(EngineQuery(self.name, None, seconds, None))
            logger.debug("duckdb: %d rows in %.1f ms", len(rows), 1e3 * seconds)
            return rows

    def _run(
        self, cursor: duckdb.DuckDBPyConnection, sql: str, values: Sequence[object]
    ) -> list[Row]:
        """In a worker thread; the cursor counts as running until this returns."""
        try:
            cursor.execute(sql, values)
            names = [column[0] for column in cursor.description or ()]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        finally:
            cursor.close()
            self._running.discard(cursor)

    async def pointer(self) -> DatasetPointer:
        return await self.pointers.get()

    async def _read_pointer(self) -> DatasetPointer:
        return await asyncio.to_thread(read_pointer, self._warehouse)

    async def _ensure_views(self, version: str) -> None:
        if version in self._viewed:
            return
        async with self._ddl_lock:
            if version not in self._viewed:
                await self._ddl(partial(create_views, warehouse=self._warehouse, version=version))
                self._viewed.add(version)
                logger.info("dataset version %s: views created (%s)", version, self._warehouse)

    async def _drop_unretained(self, pointer: DatasetPointer) -> None:
        retained = {summary.version for summary in pointer.versions}
        async with self._ddl_lock:
            for version in sorted(self._viewed - retained):
                await self._ddl(partial(drop_views, version=version))
                self._viewed.discard(version)
                logger.info("dataset version %s is no longer retained: views dropped", version)

    async def _ddl(self, statements: Callable[[duckdb.DuckDBPyConnection], None]) -> None:
        def run() -> None:
            cursor = self._connection.cursor()
            try:
                statements(cursor)
            finally:
                cursor.close()

        try:
            await asyncio.to_thread(run)
        except duckdb.Error as error:
            logger.error("duckdb cannot read %s: %s", self._warehouse, error)
            raise QueryFailed("DuckDB could not read the warehouse tables") from error


def _interrupt(cursor: duckdb.DuckDBPyConnection) -> None:
    """Stop the cursor's query, if it has not finished (and closed the cursor) already."""
    with contextlib.suppress(duckdb.Error):
        cursor.interrupt()
