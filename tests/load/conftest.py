"""Fixtures for the load tests: a tiny hand-made warehouse (the sample one is in tests/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.graphql_api.tiny_warehouse import tiny_days, write_warehouse


@pytest.fixture
def tiny_warehouse(tmp_path: Path) -> Path:
    return write_warehouse(tmp_path / "warehouse", tiny_days())
