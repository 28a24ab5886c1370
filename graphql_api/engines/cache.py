"""A result cache in front of any engine, keyed by (statement, parameters, dataset version).

Identical concurrent requests share one engine call (single flight): the first
starts a task, the others await the same task. An answer the engine has at once
(DuckDB's index of a version's small tables) is never in flight: it is taken without
a task, its await or a loop iteration. A version never changes once
written, so an entry stays right for as long as it is kept; a new version
simply makes new keys, and the least recently used entries go first.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Sequence
from typing import Protocol

from etl.dataset_pointer import DatasetPointer
from graphql_api.engines.base import QueryEngine, Row, SqlValue
from graphql_api.observability.stats import record_cache_lookup

CacheKey = tuple[str, tuple[SqlValue, ...], str]


class AnswerAtOnce(Protocol):
    """An engine's `answer_at_once` (engines/duckdb.py): rows, or None to fetch them."""

    def __call__(
        self, statement: str, parameters: Sequence[SqlValue], *, version: str
    ) -> list[Row] | None: ...


class CachingEngine:
    """A QueryEngine that remembers the last `max_entries` results (LRU)."""

    def __init__(self, inner: QueryEngine, *, max_entries: int) -> None:
        self._inner = inner
        self._max_entries = max_entries
        self._results: OrderedDict[CacheKey, list[Row]] = OrderedDict()
        self._in_flight: dict[CacheKey, asyncio.Task[list[Row]]] = {}
        self.hits = 0
        self.misses = 0
        self._at_once: AnswerAtOnce | None = getattr(inner, "answer_at_once", None)
        """The inner engine's answer with nothing to await (DuckDB's index), if it has one:
        a result that is never in flight needs no task to share."""

    @property
    def name(self) -> str:
        return self._inner.name

    async def pointer(self) -> DatasetPointer:
        return await self._inner.pointer()

    async def fetch(
        self, statement: str, parameters: Sequence[SqlValue] = (), *, version: str
    ) -> list[Row]:
        key: CacheKey = (statement, tuple(parameters), version)
        cached = self._results.get(key)
        if cached is not None:
            self._results.move_to_end(key)
            self.hits += 1
            record_cache_lookup(hit=True)
            return cached
        task = self._in_flight.get(key)
        record_cache_lookup(hit=task is not None)
        if task is None:
            self.misses += 1
            if self._at_once is not None:
                rows = self._at_once(key[0], key[1], version=version)
                if rows is not None:
                    self._remember(key, rows)
                    return rows
            task = asyncio.create_task(self._load(key))
            self._in_flight[key] = task
            task.add_done_callback(lambda done: self._forget(key, done))
        # shield: one caller giving up (a client disconnecting) must not cancel the others.
        return await asyncio.shield(task)

    async def _load(self, key: CacheKey) -> list[Row]:
        statement, parameters, version = key
        rows = await self._inner.fetch(statement, parameters, version=version)
        self._remember(key, rows)
        return rows

    def _remember(self, key: CacheKey, rows: list[Row]) -> None:
        if self._max_entries > 0:
            self._results[key] = rows
            while len(self._results) > self._max_entries:
                self._results.popitem(last=False)

    def _forget(self, key: CacheKey, done: asyncio.Task[list[Row]]) -> None:
        self._in_flight.pop(key, None)
        if not done.cancelled():
            done.exception()  # marks a failure as seen when every waiter has gone
