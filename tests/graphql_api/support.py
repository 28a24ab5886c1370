"""The app under test: settings over a warehouse, an ASGI client with the lifespan run,
and an engine wrapper that counts what it is asked."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI

from etl.dataset_pointer import DatasetPointer
from graphql_api.config import Settings
from graphql_api.engines.base import QueryEngine, Row, SqlValue
from graphql_api.engines.factory import open_engine


class CountingEngine:
    """Wraps an engine and records every statement it is asked to run, and every pointer
    lookup."""

    def __init__(self, inner: QueryEngine) -> None:
        self.inner = inner
        self.statements: list[tuple[str, tuple[SqlValue, ...]]] = []
        self.versions: list[str] = []
        self.pointer_lookups = 0

    @property
    def name(self) -> str:
        return self.inner.name

    async def fetch(
        self, statement: str, parameters: Sequence[SqlValue] = (), *, version: str
    ) -> list[Row]:
        self.statements.append((statement, tuple(parameters)))
        self.versions.append(version)
        return await self.inner.fetch(statement, parameters, version=version)

    def answer_at_once(
        self, statement: str, parameters: Sequence[SqlValue], *, version: str
    ) -> list[Row] | None:
        """The inner engine's answer with nothing to await, if it has one (counted then)."""
        at_once = getattr(self.inner, "answer_at_once", None)
        rows = None if at_once is None else at_once(statement, parameters, version=version)
        if rows is not None:
            self.statements.append((statement, tuple(parameters)))
            self.versions.append(version)
        return rows

    async def pointer(self) -> DatasetPointer:
        self.pointer_lookups += 1
        return await self.inner.pointer()


def counting_opener(
    counters: list[CountingEngine],
) -> Callable[[Settings], AbstractAsyncContextManager[QueryEngine]]:
    @asynccontextmanager
    async def opener(settings: Settings) -> AsyncIterator[QueryEngine]:
        async with open_engine(settings) as engine:
            counter = CountingEngine(engine)
            counters.append(counter)
            yield counter

    return opener


@asynccontextmanager
async def app_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client through the ASGI app, with its lifespan run around it."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


def settings_for(warehouse: Path, **overrides: object) -> Settings:
    return Settings(warehouse=str(warehouse), dataset_check_seconds=0, **overrides)  # type: ignore[arg-type]
