"""CachingEngine on its own: LRU bound, and one caller giving up leaves the others served."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from graphql_api.engines.base import Row, SqlValue
from graphql_api.engines.cache import CachingEngine
from graphql_api.engines.manifest import DatasetManifest


class SlowEngine:
    name = "slow"

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.release = asyncio.Event()

    async def fetch(self, statement: str, parameters: Sequence[SqlValue] = ()) -> list[Row]:
        self.calls.append(statement)
        await self.release.wait()
        return [{"statement": statement}]

    async def manifest(self) -> DatasetManifest:
        return DatasetManifest("v1", "2024-01-01T00:00:00Z", None, None, 0, 0, 0)


async def test_a_cancelled_caller_does_not_cancel_the_shared_call() -> None:
    inner = SlowEngine()
    cache = CachingEngine(inner, max_entries=10)
    impatient = asyncio.create_task(cache.fetch("A"))
    patient = asyncio.create_task(cache.fetch("A"))
    await asyncio.sleep(0)
    impatient.cancel()
    inner.release.set()
    assert await patient == [{"statement": "A"}]
    with pytest.raises(asyncio.CancelledError):
        await impatient
    assert inner.calls == ["A"]


async def test_the_cache_keeps_the_most_recently_used_entries() -> None:
    inner = SlowEngine()
    inner.release.set()
    cache = CachingEngine(inner, max_entries=2)
    for statement in ("A", "B", "A", "C", "A", "B"):
        await cache.fetch(statement)
    assert inner.calls == ["A", "B", "C", "B"]
    assert (cache.hits, cache.misses) == (2, 4)


async def test_parameters_are_part_of_the_key() -> None:
    inner = SlowEngine()
    inner.release.set()
    cache = CachingEngine(inner, max_entries=10)
    await cache.fetch("A", (1,))
    await cache.fetch("A", (2,))
    await cache.fetch("A", (1,))
    assert inner.calls == ["A", "A"]


async def test_a_size_of_zero_turns_the_cache_off() -> None:
    inner = SlowEngine()
    inner.release.set()
    cache = CachingEngine(inner, max_entries=0)
    await cache.fetch("A")
    await cache.fetch("A")
    assert inner.calls == ["A", "A"]
