"""`stock-analytics serve`: build Settings with the command line's overrides, run uvicorn."""

from __future__ import annotations

import socket
import sys
from typing import Any

import uvicorn
from pydantic import ValidationError

from graphql_api.config import Settings
from graphql_api.http_protocol import head_guarded
from graphql_api.main import create_app
from graphql_api.service_contract import SETTINGS_PREFIX


def serve(
    *,
    engine: str | None = None,
    warehouse: str | None = None,
    host: str | None = None,
    port: int | None = None,
) -> int:
    overrides: dict[str, Any] = {
        name: value
        for name, value in {
            "engine": engine,
            "warehouse": warehouse,
            "host": host,
            "port": port,
        }.items()
        if value is not None
    }
    try:
        settings = Settings(**overrides)  # the app's lifespan sets up JSON logging from it
    except ValidationError as error:
        print(f"stock-analytics serve: {settings_problems(error)}", file=sys.stderr)
        return 2
    listening = socket.create_server((settings.host, settings.port))
    port = listening.getsockname()[1]  # the one the system picked, for --port 0
    print(f"GraphQL (and GraphiQL in a browser): http://{settings.host}:{port}/graphql", flush=True)
    server = uvicorn.Server(uvicorn.Config(create_app(settings), **uvicorn_options(settings)))
    server.run(sockets=[listening])
    return 0


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options for `settings`: httptools with bounds on the head's size and
    time (graphql_api/http_protocol.py), and the keep-alive timeout."""
    return {
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level,
        "log_config": None,  # uvicorn's loggers propagate to the app's JSON handler
        "access_log": False,
        "http": head_guarded(settings.header_timeout_seconds, settings.max_header_bytes),
        "timeout_keep_alive": settings.keep_alive_seconds,
    }


def settings_problems(error: ValidationError) -> str:
    """One line naming each refused setting and why, never its value (it may be a secret)."""
    problems = (
        f"{SETTINGS_PREFIX}{'.'.join(str(part) for part in problem['loc']).upper() or 'SETTINGS'}: "
        f"{problem['msg']}"
        for problem in error.errors(include_input=False, include_url=False)
    )
    return "invalid settings: " + "; ".join(problems)
