"""`stock-analytics serve`: build Settings with the command line's overrides, run uvicorn."""

from __future__ import annotations

from typing import Any

import uvicorn

from graphql_api.config import Settings
from graphql_api.main import create_app


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
    settings = Settings(**overrides)  # the app's lifespan sets up JSON logging from it
    print(f"GraphQL (and GraphiQL in a browser): http://{settings.host}:{settings.port}/graphql")
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        log_config=None,  # uvicorn's loggers propagate to the app's JSON handler
        access_log=False,
    )
    return 0
