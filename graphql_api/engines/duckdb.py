"""The embedded engine: DuckDB over the local warehouse's Parquet files.

Each dataset version gets its own schema when a query first asks for it
(engines/duckdb_warehouse.py): its tables of at most `max_load_bytes` of Parquet
are loaded into memory, the others are views over their files. The schema is made
in one transaction in a worker thread, and queries for that version wait for it, so
none sees half a version; it is dropped, tables and all, when the pointer no longer
retains the version. Queries run in worker threads, each on its own cursor, never
on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TypeVar

import duckdb

from etl.dataset_pointer import DatasetPointer
from graphql_api.engines.base import QueryFailed, QueryTimeout, Row, SqlValue
from graphql_api.engines.duckdb_warehouse import (
    create_schema,
    drop_schema,
    in_memory_bytes,
    read_pointer,
    to_duckdb_sql,
)
from graphql_api.engines.pointer import PointerCache
from graphql_api.observability.stats import EngineQuery, record_engine_query

logger = logging.getLogger(__name__)

CLOSE_WAIT_SECONDS = 5.0

T = TypeVar("T")

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
        max_load_bytes: int = 0,
        threads: int | None = None,
    ) -> None:
        self._warehouse = warehouse
        self._timeout_seconds = timeout_seconds
        self._slots = asyncio.Semaphore(max_concurrent_queries)
        self._connection = duckdb.connect(":memory:")
        if threads is not None:
            self._connection.execute("SET threads = ?", [threads])
        self._running: set[duckdb.DuckDBPyConnection] = set()
        self.pointers = PointerCache(
            self._read_pointer, ttl_seconds=dataset_check_seconds, on_change=self._drop_unretained
        )
        self._max_load_bytes = max_load_bytes
        self._viewed: dict[str, tuple[str, ...]] = {}
        """Versions whose schema exists -> the tables loaded into memory for it."""
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
                # asyncio.to_thread's worker future, without its context copy, under
                # asyncio.timeout rather than wait_for (which wraps it in a task).
                async with asyncio.timeout(self._timeout_seconds):
                    rows = await asyncio.get_running_loop().run_in_executor(
                        None, self._run, cursor, sql, values
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
                started = time.perf_counter()
                loaded = await self._ddl(
                    partial(
                        create_schema,
                        warehouse=self._warehouse,
                        version=version,
                        max_load_bytes=self._max_load_bytes,
                    )
                )
                self._viewed[version] = loaded
                logger.info(
                    "dataset version %s: schema made in %.0f ms, in memory: %s (%s)",
                    version,
                    1e3 * (time.perf_counter() - started),
                    ", ".join(loaded) or "no table",
                    self._warehouse,
                )

    async def _drop_unretained(self, pointer: DatasetPointer) -> None:
        retained = {summary.version for summary in pointer.versions}
        async with self._ddl_lock:
            for version in sorted(self._viewed.keys() - retained):
                await self._ddl(partial(drop_schema, version=version))
                del self._viewed[version]
                logger.info("dataset version %s is no longer retained: schema dropped", version)

    def in_memory_tables(self) -> dict[str, tuple[str, ...]]:
        """Each version that has a schema -> the tables loaded into memory for it."""
        return dict(self._viewed)

    async def in_memory_bytes(self) -> int:
        """The memory the tables loaded into memory take, all versions together."""
        return await self._ddl(in_memory_bytes)

    async def _ddl(self, statements: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        def run() -> T:
            cursor = self._connection.cursor()
            try:
                return statements(cursor)
            finally:
                cursor.close()

        try:
            return await asyncio.to_thread(run)
        except duckdb.Error as error:
            logger.error("duckdb cannot read %s: %s", self._warehouse, error)
            raise QueryFailed("DuckDB could not read the warehouse tables") from error


def _interrupt(cursor: duckdb.DuckDBPyConnection) -> None:
    """Stop the cursor's query, if it has not finished (and closed the cursor) already."""
    with contextlib.suppress(duckdb.Error):
        cursor.interrupt()
