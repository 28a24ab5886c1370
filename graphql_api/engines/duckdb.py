"""The embedded engine: DuckDB over the local warehouse's Parquet files.

Views named like the tables (etl/tables.py) sit over `read_parquet(...,
hive_partitioning=true)`, so the Athena SQL runs unchanged once sqlglot has
transpiled it (once per statement). Queries run in worker threads, each on its
own cursor, never on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import duckdb
import sqlglot

from etl.tables import DATASET_MANIFEST, TABLES, Table
from graphql_api.engines.base import (
    DatasetUnavailable,
    QueryFailed,
    QueryTimeout,
    Row,
    SqlValue,
)
from graphql_api.engines.manifest import DatasetManifest
from graphql_api.observability.stats import EngineQuery, record_engine_query

logger = logging.getLogger(__name__)

CLOSE_WAIT_SECONDS = 5.0


@lru_cache(maxsize=512)
def to_duckdb_sql(statement: str) -> str:
    """The Athena (Trino) statement in DuckDB's dialect; `?` placeholders are kept."""
    return str(sqlglot.transpile(statement, read="trino", write="duckdb")[0])


class DuckDBEngine:
    """QueryEngine over `<warehouse>/<table>/[year=YYYY/]part-*.parquet`."""

    def __init__(
        self,
        warehouse: Path,
        *,
        timeout_seconds: float,
        max_concurrent_queries: int,
        manifest_check_seconds: float,
    ) -> None:
        self._warehouse = warehouse
        self._timeout_seconds = timeout_seconds
        self._slots = asyncio.Semaphore(max_concurrent_queries)
        self._manifest_check_seconds = manifest_check_seconds
        self._connection = duckdb.connect(":memory:")
        self._manifest: DatasetManifest | None = None
        self._manifest_checked_at = float("-inf")
        self._manifest_lock = asyncio.Lock()
        self._running: set[duckdb.DuckDBPyConnection] = set()

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

    async def manifest(self) -> DatasetManifest:
        if self._manifest is not None and not self._manifest_due():
            return self._manifest
        async with self._manifest_lock:
            # Asked again: whoever waited for the lock finds the manifest just read.
            if self._manifest is None or self._manifest_due():
                current = await asyncio.to_thread(self._read_manifest)
                if self._manifest is None or current.run_id != self._manifest.run_id:
                    try:
                        await asyncio.to_thread(self._create_views)
                    except duckdb.Error as error:
                        logger.error("duckdb cannot read %s: %s", self._warehouse, error)
                        raise QueryFailed("DuckDB could not read the warehouse tables") from error
                    logger.info("dataset version %s (%s)", current.run_id, self._warehouse)
                self._manifest = current
                self._manifest_checked_at = time.monotonic()
        return self._manifest

    def _manifest_due(self) -> bool:
        return time.monotonic() - self._manifest_checked_at >= self._manifest_check_seconds

    async def fetch(self, statement: str, parameters: Sequence[SqlValue] = ()) -> list[Row]:
        await self.manifest()
        sql = to_duckdb_sql(statement)
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

    def _read_manifest(self) -> DatasetManifest:
        path = self._warehouse / DATASET_MANIFEST
        try:
            return DatasetManifest.from_json(path.read_bytes())
        except FileNotFoundError as missing:
            raise DatasetUnavailable(
                f"no {DATASET_MANIFEST} in {self._warehouse}: build the warehouse first "
                "(stock-analytics etl --input DATA --warehouse DIR)"
            ) from missing
        except ValueError as malformed:
            raise DatasetUnavailable(f"{path} is not a valid dataset manifest") from malformed

    def _create_views(self) -> None:
        cursor = self._connection.cursor()
        try:
            self._create_views_with(cursor)
        finally:
            cursor.close()

    def _create_views_with(self, cursor: duckdb.DuckDBPyConnection) -> None:
        for table in TABLES:
            files = _parquet_glob(self._warehouse, table)
            if not any(self._warehouse.glob(str(files.relative_to(self._warehouse)))):
                continue
            relation = cursor.read_parquet(str(files), hive_partitioning=True)
            relation.create_view(table.name, replace=True)


def _parquet_glob(warehouse: Path, table: Table) -> Path:
    partition_levels = ["*"] * len(table.partition_keys)
    return warehouse.joinpath(table.name, *partition_levels, "*.parquet")


def _interrupt(cursor: duckdb.DuckDBPyConnection) -> None:
    """Stop the cursor's query, if it has not finished (and closed the cursor) already."""
    with contextlib.suppress(duckdb.Error):
        cursor.interrupt()
