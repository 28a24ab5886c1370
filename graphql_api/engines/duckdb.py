"""The embedded engine: DuckDB over the local warehouse's Parquet files.

Each dataset version gets its own schema when a query first asks for it
(engines/duckdb_warehouse.py): its tables of at most `max_load_bytes` of Parquet
are loaded into memory, the others are views over their files. The schema is made
in one transaction in a worker thread, and queries for that version wait for it, so
none sees half a version; it is dropped, tables and all, when the pointer no longer
retains the version. Queries run in worker threads, each on its own cursor, except
a statement that reads only small tables in memory: it runs on the event loop, on a
cursor kept for that, and most such statements take less time than a hand-off to a
thread would (the costliest, 20 tickers' correlations over 5,000 rows, holds the loop
for about 13 ms). DuckDB stops a statement on the loop at LOOP_BUDGET_SECONDS
(`max_execution_time`), and it runs again, whole, in a worker thread: a statement the
gate misjudges holds the loop that long once, not for its whole run.

The statements the loop runs read a second database in memory, with one thread and a
copy of each version's tables in memory of one row group (ONE_THREAD_MAX_ROWS): a
statement over a few thousand rows costs less done whole by one thread than shared with
DuckDB's worker threads (which must be woken for it, on other cores whose caches hold
none of it). A statement over such tables too large for the loop runs on that database
too, in a worker thread. A row group is scanned by one thread either way, so the answer
is the same value for value.

A few statements (a stock, pages of stocks, prices, the market's average daily return,
the ranged volatility ranking) are answered with no SQL at all, by an index of the
version's small tables made with its schema (engines/duckdb_index.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TypeVar

import duckdb

from etl.dataset_pointer import DatasetPointer
from etl.tables import DAILY_METRICS
from graphql_api.engines.base import QueryFailed, QueryTimeout, Row, SqlValue
from graphql_api.engines.duckdb_index import MAX_INDEXED_ROWS, VersionIndex, build_index
from graphql_api.engines.duckdb_warehouse import (
    create_schema,
    drop_schema,
    in_memory_bytes,
    parsed,
    read_pointer,
    tables_read,
    to_duckdb_sql,
)
from graphql_api.engines.pointer import PointerCache
from graphql_api.observability.stats import EngineQuery, record_engine_query

logger = logging.getLogger(__name__)

CLOSE_WAIT_SECONDS = 5.0
INLINE_MAX_BYTES = 256 * 1024
"""A statement that reads only tables in memory, of at most this many bytes of Parquet
together, runs on the event loop (about 5,000 rows of daily_metrics; every table of
the sample but daily_metrics, and ticker_stats of 500 tickers)."""

ONE_THREAD_MAX_ROWS = 122_880
"""A table in memory of at most this many rows (DuckDB's row group: scanned by one thread
however many the database has) is copied into the database of one thread too, and a
statement reading only such tables runs there: on the event loop under INLINE_MAX_BYTES,
else in a worker thread, where it costs no hand-off to DuckDB's own threads (the sample's
mostVolatile over a year: 3.1 -> 1.7 ms)."""

LOOP_BUDGET_SECONDS = 0.05
"""The longest a statement may hold the event loop: DuckDB stops it there
(max_execution_time) and it runs again, whole, in a worker thread, within what is left of
the timeout. A statement the gate misjudges costs the loop this much once, not its whole
run."""

MAX_EXECUTION_MS = 2**63 - 1
"""The largest max_execution_time DuckDB takes (a BIGINT)."""

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
        inline_max_bytes: int = INLINE_MAX_BYTES,
        one_thread_max_rows: int = ONE_THREAD_MAX_ROWS,
        loop_budget_seconds: float = LOOP_BUDGET_SECONDS,
        index_max_rows: int = MAX_INDEXED_ROWS,
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
        self._viewed: dict[str, dict[str, int]] = {}
        """Versions whose schema exists -> the tables loaded into memory for it, each with
        its bytes of Parquet."""
        self._index_max_rows = index_max_rows
        self._indexes: dict[str, VersionIndex] = {}
        """Each version's index of its small stock tables (engines/duckdb_index.py)."""
        self._inline_max_bytes = inline_max_bytes
        self._one_thread_max_rows = one_thread_max_rows
        self._one_thread: dict[str, dict[str, int]] = {}
        """Versions whose schema exists -> the tables copied into the database of one
        thread, each with its bytes of Parquet."""
        self._inline_connection = duckdb.connect(":memory:", config={"threads": 1})
        """Each version's tables of one row group, for the statements the event loop runs
        and those over them too large for it (in worker threads)."""
        self._inline_cursor = self._inline_connection.cursor()
        """Only used on the event loop, so by one statement at a time."""
        self._loop_budget_seconds = min(loop_budget_seconds, timeout_seconds)
        self._inline_cursor.execute(
            "SET max_execution_time = ?", [_milliseconds(self._loop_budget_seconds)]
        )
        self._ddl_lock = asyncio.Lock()
        self._closed = False

    @property
    def name(self) -> str:
        return "duckdb"

    def close(self) -> None:
        """Close the databases once queries a timeout gave up on have been interrupted; every
        fetch from now on is QueryFailed (the index's answers too)."""
        self._closed = True
        self._indexes.clear()
        for cursor in list(self._running):
            _interrupt(cursor)
        self._inline_cursor.close()
        deadline = time.monotonic() + CLOSE_WAIT_SECONDS
        for database in (self._inline_connection, self._connection):
            while True:
                try:
                    database.close()
                    break
                except duckdb.Error:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.01)

    async def fetch(
        self, statement: str, parameters: Sequence[SqlValue] = (), *, version: str
    ) -> list[Row]:
        self._check_open()
        await self._ensure_views(version)
        self._check_open()  # closed while the schema was made
        indexed = self.answer_at_once(statement, parameters, version=version)
        if indexed is not None:
            return indexed
        sql = to_duckdb_sql(statement, version)
        values = [list(value) if isinstance(value, tuple) else value for value in parameters]
        seconds_left = self._timeout_seconds
        database = self._connection
        if (one_thread := self._one_thread_bytes(statement, version)) is not None:
            if one_thread > self._inline_max_bytes:
                database = self._inline_connection
            else:
                started = time.perf_counter()
                inline = self._run_inline(sql, values)
                if inline is not None:
                    return inline
                seconds_left -= time.perf_counter() - started
        async with self._slots:
            self._check_open()
            try:
                cursor = database.cursor()
            except duckdb.Error as error:  # closed meanwhile
                raise _failed(error, sql) from error
            self._running.add(cursor)
            started = time.perf_counter()
            try:
                # asyncio.to_thread's worker future, without its context copy, under
                # asyncio.timeout rather than wait_for (which wraps it in a task).
                async with asyncio.timeout(seconds_left):
                    rows = await asyncio.get_running_loop().run_in_executor(
                        None, self._run, cursor, sql, values
                    )
            except TimeoutError as timeout:
                _interrupt(cursor)
                raise self._timed_out() from timeout
            except duckdb.Error as error:
                raise _failed(error, sql) from error
            finally:
                seconds = time.perf_counter() - started
                record_engine_query(EngineQuery(self.name, None, seconds, None))
            logger.debug("duckdb: %d rows in %.1f ms", len(rows), 1e3 * seconds)
            return rows

    def answer_at_once(
        self, statement: str, parameters: Sequence[SqlValue], *, version: str
    ) -> list[Row] | None:
        """The statement's rows when the version's index answers it (once its schema is
        made), with nothing to await; else None, and fetch answers or fails."""
        index = None if self._closed else self._indexes.get(version)
        if index is None:
            return None
        started = time.perf_counter()
        indexed = index.answer(statement, parameters)
        if indexed is not None:
            seconds = time.perf_counter() - started
            record_engine_query(EngineQuery(self.name, None, seconds, None))
        return indexed

    def _check_open(self) -> None:
        if self._closed:
            raise QueryFailed("the DuckDB engine is closed: the server is shutting down")

    def _one_thread_bytes(self, statement: str, version: str) -> int | None:
        """The bytes of Parquet of the tables `statement` reads, if the database of one
        thread holds them all; else None."""
        loaded = self._one_thread[version]
        tables = tables_read(statement)
        if not tables or not tables <= loaded.keys():
            return None
        return sum(loaded[table] for table in tables)

    def _run_inline(self, sql: str, values: Sequence[object]) -> list[Row] | None:
        """The rows, or None when the statement was stopped at the loop's budget, short of
        the timeout (to be run in a worker thread)."""
        started = time.perf_counter()
        try:
            rows = _rows(self._inline_cursor, sql, values)
        except duckdb.InterruptException as stopped:
            if self._loop_budget_seconds < self._timeout_seconds:
                logger.info("duckdb: over the event loop's budget, run in a thread: %s", sql)
                return None
            raise self._timed_out() from stopped
        except duckdb.Error as error:
            raise _failed(error, sql) from error
        finally:
            seconds = time.perf_counter() - started
            record_engine_query(EngineQuery(self.name, None, seconds, None))
        if seconds > self._timeout_seconds:
            # DuckDB counts whole milliseconds: an answer later than a shorter timeout
            # is refused too, as on the thread path.
            raise self._timed_out()
        return rows

    def _timed_out(self) -> QueryTimeout:
        return QueryTimeout(
            f"the query took longer than {self._timeout_seconds:g}s and was stopped"
        )

    def _run(
        self, cursor: duckdb.DuckDBPyConnection, sql: str, values: Sequence[object]
    ) -> list[Row]:
        """In a worker thread; the cursor counts as running until this returns."""
        try:
            return _rows(cursor, sql, values)
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
                one_thread = await self._ddl(
                    partial(
                        create_schema,
                        warehouse=self._warehouse,
                        version=version,
                        max_load_bytes=self._max_load_bytes,
                        views=False,
                        max_rows=self._one_thread_max_rows,
                    ),
                    self._inline_connection,
                )
                index = await self._ddl(
                    partial(
                        build_index,
                        version=version,
                        loaded=tuple(loaded),
                        max_rows=self._index_max_rows,
                    )
                )
                if DAILY_METRICS.name in one_thread:
                    # Where the ranked volatility's SQL would run: by one thread.
                    checking = partial(index.check_volatility, version=version)
                    await self._ddl(checking, self._inline_connection)
                self._indexes[version] = index
                self._one_thread[version] = one_thread
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
                await self._ddl(partial(drop_schema, version=version), self._inline_connection)
                del self._viewed[version]
                del self._indexes[version]
                del self._one_thread[version]
                logger.info("dataset version %s is no longer retained: schema dropped", version)

    def indexed_tables(self) -> dict[str, tuple[str, ...]]:
        """Each version that has a schema -> the tables its index holds."""
        return {version: index.tables for version, index in self._indexes.items()}

    def in_memory_tables(self) -> dict[str, tuple[str, ...]]:
        """Each version that has a schema -> the tables loaded into memory for it."""
        return {version: tuple(loaded) for version, loaded in self._viewed.items()}

    async def in_memory_bytes(self) -> int:
        """The memory the tables loaded into memory take, all versions together (the
        small ones twice: also in the event loop's database)."""
        return await self._ddl(in_memory_bytes) + await self._ddl(
            in_memory_bytes, self._inline_connection
        )

    async def _ddl(
        self,
        statements: Callable[[duckdb.DuckDBPyConnection], T],
        database: duckdb.DuckDBPyConnection | None = None,
    ) -> T:
        def run() -> T:
            cursor = (database or self._connection).cursor()
            try:
                return statements(cursor)
            finally:
                cursor.close()

        try:
            return await asyncio.to_thread(run)
        except duckdb.Error as error:
            logger.error("duckdb cannot read %s: %s", self._warehouse, error)
            raise QueryFailed("DuckDB could not read the warehouse tables") from error


def _milliseconds(seconds: float) -> int:
    """`seconds` as DuckDB's max_execution_time (whole milliseconds, rounded up, at most
    the largest it takes: a timeout beyond it, infinity too, is no bound)."""
    milliseconds = 1e3 * seconds
    return math.ceil(milliseconds) if milliseconds < MAX_EXECUTION_MS else MAX_EXECUTION_MS


def _failed(error: duckdb.Error, sql: str) -> QueryFailed:
    logger.error("duckdb query failed: %s\n%s", error, sql)
    return QueryFailed(f"DuckDB could not run the query ({type(error).__name__})")


def _rows(cursor: duckdb.DuckDBPyConnection, sql: str, values: Sequence[object]) -> list[Row]:
    cursor.execute(parsed(sql), values)
    names = [column[0] for column in cursor.description or ()]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _interrupt(cursor: duckdb.DuckDBPyConnection) -> None:
    """Stop the cursor's query, if it has not finished (and closed the cursor) already."""
    with contextlib.suppress(duckdb.Error):
        cursor.interrupt()
