"""FastAPI dependencies, as Annotated aliases: what a route or the GraphQL context needs.

They are coroutines on purpose: FastAPI runs a plain `def` dependency in a worker thread.
"""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from graphql_api.config import Settings
from graphql_api.context import AppContext
from graphql_api.dataset_version import RequestDataset, request_dataset, resolve
from graphql_api.engines.base import QueryEngine
from graphql_api.engines.snapshot import EngineSnapshot
from graphql_api.observability.stats import current_request_id


async def get_app_settings(request: Request) -> Settings:
    return cast(Settings, request.app.state.settings)


async def get_engine(request: Request) -> QueryEngine:
    """The engine the lifespan opened (behind the result cache)."""
    return cast(QueryEngine, request.app.state.engine)


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
EngineDep = Annotated[QueryEngine, Depends(get_engine)]


async def get_request_dataset(request: Request, engine: EngineDep) -> RequestDataset:
    """The request's dataset version; a bad X-Dataset-Version is BadUserInput (400)."""
    return await request_dataset(request.scope, engine)


DatasetDep = Annotated[RequestDataset, Depends(get_request_dataset)]


async def get_snapshot(engine: EngineDep, dataset: DatasetDep) -> EngineSnapshot:
    return EngineSnapshot(engine, dataset.version)


SnapshotDep = Annotated[EngineSnapshot, Depends(get_snapshot)]


async def get_context(request: Request) -> AppContext:
    """The GraphQL context. The engine and settings are read here, not taken as
    dependencies: each dependency costs FastAPI's solving on every GraphQL request. The
    request id is the one the X-Request-ID response header and the log line carry."""
    engine = cast(QueryEngine, request.app.state.engine)
    return AppContext(
        engine=engine,
        settings=cast(Settings, request.app.state.settings),
        request_id=current_request_id(),
        dataset=await resolve(request.scope, engine),
    )
