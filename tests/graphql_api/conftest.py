"""Fixtures for the API tests: tiny hand-made warehouses, an engine-call counter, the app."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from etl.dataset_pointer import DatasetPointer
from graphql_api.config import Settings
from graphql_api.engines.base import QueryEngine, Row, SqlValue
from graphql_api.engines.factory import open_engine
from graphql_api.main import create_app
from tests.graphql_api.tiny_warehouse import Day, tiny_version, write_warehouse

OLD_VERSION = tiny_version(1)
"""The tiny warehouse's older retained version: AAA alone, three times the volume."""
TINY_VERSION = tiny_version(2)
"""The tiny warehouse's current version: tiny_days()."""


def tiny_days(tickers: Sequence[str] = ("AAA", "BBB")) -> list[Day]:
    """Trading days from 2019-12-02 to 2020-02-28 (weekdays), crossing a year boundary."""
    days = []
    for offset, ticker in enumerate(tickers):
        day, step = date(2019, 12, 2), 0
        while day <= date(2020, 2, 28):
            if day.weekday() < 5:
                close = 10.0 + offset + ((step * (7 + offset)) % 11) * 0.5
                days.append(Day(ticker, day, close, 1000 + 10 * step + offset))
                step += 1
            day += timedelta(days=1)
    return days


def old_tiny_days() -> list[Day]:
    return [Day(d.ticker, d.date, d.close, 3 * d.volume) for d in tiny_days(("AAA",))]


@pytest.fixture
def tiny_warehouse(tmp_path: Path) -> Path:
    """Two versions: OLD_VERSION (old_tiny_days), then TINY_VERSION (tiny_days), current."""
    warehouse = write_warehouse(tmp_path / "warehouse", old_tiny_days(), version=OLD_VERSION)
    return write_warehouse(warehouse, tiny_days(), version=TINY_VERSION)


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


@pytest.fixture
async def tiny_client(tiny_warehouse: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(create_app(settings_for(tiny_warehouse))) as client:
        yield client
