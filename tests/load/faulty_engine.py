"""An engine wrapper that fails or times out on command, for the fault tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Literal

from etl.dataset_pointer import DatasetPointer
from graphql_api.config import Settings
from graphql_api.engines.base import QueryEngine, QueryFailed, QueryTimeout, Row, SqlValue
from graphql_api.engines.factory import open_engine

Mode = Literal["ok", "fail", "hang"]


class FaultyEngine:
    """`ok` passes queries through; `fail` raises QueryFailed at once; `hang` holds each
    query for the timeout, then raises QueryTimeout, as the real engines do."""

    def __init__(self, inner: QueryEngine, *, timeout_seconds: float) -> None:
        self.inner = inner
        self.timeout_seconds = timeout_seconds
        self.mode: Mode = "ok"

    @property
    def name(self) -> str:
        return self.inner.name

    async def pointer(self) -> DatasetPointer:
        return await self.inner.pointer()

    async def fetch(
        self, statement: str, parameters: Sequence[SqlValue] = (), *, version: str
    ) -> list[Row]:
        if self.mode == "fail":
            raise QueryFailed("the engine is failing (injected by the load test)")
        if self.mode == "hang":
            await asyncio.sleep(self.timeout_seconds)
            raise QueryTimeout(f"the query took longer than {self.timeout_seconds:g}s")
        return await self.inner.fetch(statement, parameters, version=version)


def faulty_opener(
    engines: list[FaultyEngine],
) -> Callable[[Settings], AbstractAsyncContextManager[QueryEngine]]:
    @asynccontextmanager
    async def opener(settings: Settings) -> AsyncIterator[QueryEngine]:
        async with open_engine(settings) as engine:
            faulty = FaultyEngine(engine, timeout_seconds=settings.query_timeout_seconds)
            engines.append(faulty)
            yield faulty

    return opener
