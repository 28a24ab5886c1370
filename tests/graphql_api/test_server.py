"""serve(): command-line overrides on top of the environment's settings, then uvicorn."""

from __future__ import annotations

from typing import Any

import pytest

from graphql_api import server
from graphql_api.config import Settings


def test_serve_builds_settings_from_overrides_and_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ran: dict[str, Any] = {}

    def fake_run(app: Any, **options: Any) -> None:
        ran["app"], ran["options"] = app, options

    monkeypatch.setattr(server.uvicorn, "run", fake_run)
    monkeypatch.setenv("STOCK_ANALYTICS_WAREHOUSE", "/from/environment")
    monkeypatch.setenv("STOCK_ANALYTICS_MAX_RANGE_DAYS", "400")
    assert server.serve(port=8123) == 0
    settings: Settings = ran["app"].state.settings
    assert (settings.warehouse, settings.port, settings.max_range_days) == (
        "/from/environment",
        8123,
        400,
    )
    assert ran["options"]["host"] == "127.0.0.1"
    assert ran["options"]["port"] == 8123


def test_defaults() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (settings.engine, settings.host, settings.port) == ("duckdb", "127.0.0.1", 8000)
