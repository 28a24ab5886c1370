"""CachingEngine on its own: LRU bound, keyed by version, and one caller giving up leaves
the others served."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from etl.dataset_pointer import DatasetPointer
from graphql_api.engines.base import Row, SqlValue
from graphql_api.engines.cache import CachingEngine

V1, V2 = "20240101T000000Z-000001", "20240101T000000Z-000002"


class SlowEngine:
    name = "slow"

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.release = asyncio.Event()

    async def fetch(
        self, statement: str, parameters: Sequence[SqlValue] = (), *, version: str
    ) -> list[Row]:
        self.calls.append(statement)
        await self.release.wait()
        return [{"statement": statement, "version": version}]

    async def pointer(self) -> DatasetPointer:
        raise AssertionError("the result cache never needs the pointer")


async def test_a_cancelled_caller_does_not_cancel_the_shared_call() -> None:
    inner = SlowEngine()
    cache = CachingEngine(inner, max_entries=10)
    impatient = asyncio.create_task(cache.fetch("A", version=V1))
    patient = asyncio.create_task(cache.fetch("A", version=V1))
    await asyncio.sleep(0)
    impatient.cancel()
    inner.release.set()
    assert await patient == [{"statement": "A", "version": V1}]
    with pytest.raises(asyncio.CancelledError):
        await impatient
    assert inner.calls == ["A"]


async def test_the_cache_keeps_the_most_recently_used_entries() -> None:
    inner = SlowEngine()
    inner.release.set()
    cache = CachingEngine(inner, max_entries=2)
    for statement in ("A", "B", "A", "C", "A", "B"):
        await cache.fetch(statement, version=V1)
    assert inner.calls == ["A", "B", "C", "B"]
    assert (cache.hits, cache.misses) == (2, 4)


async def test_parameters_are_part_of_the_key() -> None:
    inner = SlowEngine()
    inner.release.set()
    cache = CachingEngine(inner, max_entries=10)
    await cache.fetch("A", (1,), version=V1)
    await cache.fetch("A", (2,), version=V1)
    await cache.fetch("A", (1,), version=V1)
    assert inner.calls == ["A", "A"]


async def test_the_version_is_part_of_the_key_and_versions_live_side_by_side() -> None:
    inner = SlowEngine()
    inner.release.set()
    cache = CachingEngine(inner, max_entries=10)
    answers = [await cache.fetch("A", version=version) for version in (V1, V2, V1, V2)]
    assert [answer[0]["version"] for answer in answers] == [V1, V2, V1, V2]
    assert inner.calls == ["A", "A"]
    assert (cache.hits, cache.misses) == (2, 2)


async def test_a_size_of_zero_turns_the_cache_off() -> None:
    inner = SlowEngine()
    inner.release.set()
    cache = CachingEngine(inner, max_entries=0)
    await cache.fetch("A", version=V1)
    await cache.fetch("A", version=V1)
    assert inner.calls == ["A", "A"]


class AtOnceEngine(SlowEngine):
    """Answers statement "I" at once (as DuckDB's index does), anything else by fetch."""

    def __init__(self) -> None:
        super().__init__()
        self.at_once: list[tuple[str, tuple[SqlValue, ...], str]] = []

    def answer_at_once(
        self, statement: str, parameters: Sequence[SqlValue], *, version: str
    ) -> list[Row] | None:
        self.at_once.append((statement, tuple(parameters), version))
        return [{"statement": statement, "version": version}] if statement == "I" else None


@pytest.mark.parametrize("max_entries", [0, 10])
async def test_an_answer_the_engine_has_at_once_needs_no_task(max_entries: int) -> None:
    inner = AtOnceEngine()
    cache = CachingEngine(inner, max_entries=max_entries)
    fetching = cache.fetch("I", ("AAA",), version=V1)
    # One step of the coroutine answers: no task to wait for, no loop iteration.
    with pytest.raises(StopIteration) as answered:
        fetching.send(None)
    assert answered.value.value == [{"statement": "I", "version": V1}]
    assert await cache.fetch("I", ("AAA",), version=V1) == [{"statement": "I", "version": V1}]
    assert inner.calls == []  # fetch never asked
    expected_asks = 1 if max_entries else 2  # the second is a hit when the cache keeps it
    assert inner.at_once == [("I", ("AAA",), V1)] * expected_asks
    assert (cache.hits, cache.misses) == (2 - expected_asks, expected_asks)


async def test_what_the_engine_has_not_at_once_is_fetched_in_single_flight() -> None:
    inner = AtOnceEngine()
    cache = CachingEngine(inner, max_entries=0)
    first = asyncio.create_task(cache.fetch("S", version=V1))
    second = asyncio.create_task(cache.fetch("S", version=V1))
    await asyncio.sleep(0)
    inner.release.set()
    assert await first == await second == [{"statement": "S", "version": V1}]
    assert inner.calls == ["S"]
    assert [statement for statement, _, _ in inner.at_once] == ["S"]
