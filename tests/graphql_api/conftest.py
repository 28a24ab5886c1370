"""Fixtures for the API tests: a tiny hand-made warehouse and a client of the app over it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from graphql_api.main import create_app
from tests.graphql_api.support import app_client, settings_for
from tests.graphql_api.tiny_warehouse import (
    OLD_VERSION,
    TINY_VERSION,
    old_tiny_days,
    tiny_days,
    write_warehouse,
)


@pytest.fixture
def tiny_warehouse(tmp_path: Path) -> Path:
    """Two versions: OLD_VERSION (old_tiny_days), then TINY_VERSION (tiny_days), current."""
    warehouse = write_warehouse(tmp_path / "warehouse", old_tiny_days(), version=OLD_VERSION)
    return write_warehouse(warehouse, tiny_days(), version=TINY_VERSION)


@pytest.fixture
async def tiny_client(tiny_warehouse: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(create_app(settings_for(tiny_warehouse))) as client:
        yield client
