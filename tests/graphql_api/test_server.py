"""serve(): command-line overrides on top of the environment's settings, then uvicorn."""

from __future__ import annotations

import socket
from typing import Any

import pytest
import uvicorn

from graphql_api import server
from graphql_api.config import Settings


def test_serve_builds_settings_from_overrides_and_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ran: dict[str, Any] = {}

    class FakeServer:
        def __init__(self, config: uvicorn.Config) -> None:
            ran["config"] = config

        def run(self, sockets: list[socket.socket]) -> None:
            ran["port"] = sockets[0].getsockname()[1]

    monkeypatch.setattr(server.uvicorn, "Server", FakeServer)
    monkeypatch.setenv("STOCK_ANALYTICS_WAREHOUSE", "/from/environment")
    monkeypatch.setenv("STOCK_ANALYTICS_MAX_RANGE_DAYS", "400")
    assert server.serve(port=0) == 0
    settings: Settings = ran["config"].app.state.settings
    assert (settings.warehouse, settings.port, settings.max_range_days) == (
        "/from/environment",
        0,
        400,
    )
    # Port 0: the socket serve() bound has a real port, and that is the one it announces.
    assert ran["port"] > 0
    assert capsys.readouterr().out == (
        f"GraphQL (and GraphiQL in a browser): http://127.0.0.1:{ran['port']}/graphql\n"
    )
    assert ran["config"].timeout_keep_alive == settings.keep_alive_seconds


def test_defaults() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (settings.engine, settings.host, settings.port) == ("duckdb", "127.0.0.1", 8000)
