"""The pointer cache: one read per time-to-live, and callers arriving while a read is under
way share it instead of reading again, with either engine."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest

from etl.dataset_pointer import DatasetPointer
from graphql_api.config import Settings
from graphql_api.engines.athena import AthenaEngine, AthenaOptions
from graphql_api.engines.base import DatasetUnavailable
from graphql_api.engines.duckdb import DuckDBEngine
from graphql_api.engines.pointer import PointerCache
from tests.graphql_api.tiny_warehouse import TINY_VERSION, summary_of, tiny_days

CALLERS = 50
POINTER = DatasetPointer(current=TINY_VERSION, versions=(summary_of(TINY_VERSION, tiny_days()),))


class SlowReads:
    """Reads the pointer slowly enough for callers to pile up; counts the reads."""

    def __init__(self, *outcomes: DatasetPointer | Exception) -> None:
        self.outcomes = list(outcomes)
        self.reads = 0

    async def __call__(self) -> DatasetPointer:
        self.reads += 1
        await asyncio.sleep(0.02)
        outcome = self.outcomes[min(self.reads, len(self.outcomes)) - 1]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


@pytest.mark.parametrize("ttl", [0.0, 60.0])
async def test_callers_arriving_during_a_read_share_it(ttl: float) -> None:
    read = SlowReads(POINTER)
    cache = PointerCache(read, ttl_seconds=ttl)
    pointers = await asyncio.gather(*(cache.get() for _ in range(CALLERS)))
    assert {pointer.current for pointer in pointers} == {TINY_VERSION}
    assert (read.reads, cache.reads) == (1, 1)
    await cache.get()
    assert read.reads == (2 if ttl == 0 else 1)


async def test_a_failed_read_is_not_kept() -> None:
    read = SlowReads(DatasetUnavailable("gone"), POINTER)
    cache = PointerCache(read, ttl_seconds=60)
    with pytest.raises(DatasetUnavailable, match="gone"):
        await cache.get()
    assert (await cache.get()).current == TINY_VERSION


async def test_a_changed_pointer_is_reported_once() -> None:
    changes: list[str] = []

    async def changed(pointer: DatasetPointer) -> None:
        changes.append(pointer.current)

    cache = PointerCache(SlowReads(POINTER), ttl_seconds=0, on_change=changed)
    for _ in range(3):
        await cache.get()
    assert changes == [TINY_VERSION]


async def test_duckdb_reads_the_pointer_once_for_concurrent_callers(
    tiny_warehouse: Path,
) -> None:
    engine = DuckDBEngine(
        tiny_warehouse, timeout_seconds=5, max_concurrent_queries=2, dataset_check_seconds=60
    )
    try:
        pointers = await asyncio.gather(*(engine.pointer() for _ in range(CALLERS)))
    finally:
        engine.close()
    assert {pointer.current for pointer in pointers} == {TINY_VERSION}
    assert engine.pointers.reads == 1


class CountingS3:
    """Answers GetObject with the pointer, slowly enough for callers to pile up."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    async def get_object(self, **request: Any) -> dict[str, Any]:
        self.requests.append(request)
        await asyncio.sleep(0.02)
        return {"Body": Body(POINTER.to_json().encode())}


class Body:
    def __init__(self, payload: bytes) -> None:
        self.payload = payload

    async def __aenter__(self) -> Body:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    async def read(self) -> bytes:
        return self.payload


async def test_athena_reads_the_pointer_once_for_concurrent_callers() -> None:
    settings = Settings(
        engine="athena", warehouse="s3://curated/warehouse", dataset_check_seconds=60
    )
    s3 = CountingS3()
    engine = AthenaEngine(athena=None, s3=s3, options=AthenaOptions.from_settings(settings))
    pointers = await asyncio.gather(*(engine.pointer() for _ in range(CALLERS)))
    assert {pointer.current for pointer in pointers} == {TINY_VERSION}
    assert s3.requests == [{"Bucket": "curated", "Key": "warehouse/_dataset.json"}]
