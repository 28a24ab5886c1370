"""create_app(settings): the FastAPI app. Its lifespan opens the engine and closes it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI

from graphql_api.config import Settings, get_settings
from graphql_api.dataset_version import DatasetVersionMiddleware
from graphql_api.deps import get_context
from graphql_api.engines.base import QueryEngine
from graphql_api.engines.cache import CachingEngine
from graphql_api.engines.factory import open_engine
from graphql_api.graphql_http import GraphQLHTTPRouter, GraphQLMediaTypeMiddleware
from graphql_api.http_cache import CachePolicy, HttpCacheMiddleware
from graphql_api.http_contract import GRAPHQL_PATH
from graphql_api.http_errors import install_error_handlers
from graphql_api.observability.install import install_observability
from graphql_api.observability.json_logging import json_logging
from graphql_api.persisted_queries import PersistedQueries
from graphql_api.request_body import RequestBodyMiddleware
from graphql_api.request_budget import RequestBudgetMiddleware
from graphql_api.response_cache import ResponseCache, ResponseCacheMiddleware
from graphql_api.rest import router as rest_router
from graphql_api.schema import build_schema
from graphql_api.security.install import install_security
from graphql_api.web import install_web

logger = logging.getLogger(__name__)

EngineOpener = Callable[[Settings], AbstractAsyncContextManager[QueryEngine]]


def create_app(
    settings: Settings | None = None, *, engine_opener: EngineOpener = open_engine
) -> FastAPI:
    """The API over the engine `settings` names; `engine_opener` lets tests wrap it."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with json_logging(settings.log_level):
            async with engine_opener(settings) as engine:
                app.state.engine = CachingEngine(engine, max_entries=settings.cache_max_entries)
                logger.info("serving with the %s engine", engine.name)
                yield

    app = FastAPI(
        title="Stock analytics",
        description="Daily stock market analytics over GraphQL at /graphql.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    # Starlette wraps each middleware added around the ones added before it. The media
    # type goes innermost, so cached answers keep theirs; the request budget next, around
    # all that computes an answer (a cached one, or a 304, is sent at once and needs none);
    # then the response cache: authentication, rate limits, logging and metrics, added
    # after it, run before a cached answer is sent, and see its verdict in the request state.
    app.add_middleware(GraphQLMediaTypeMiddleware)
    app.add_middleware(RequestBudgetMiddleware, seconds=settings.request_timeout_seconds)
    app.state.response_cache = ResponseCache(
        max_entries=settings.response_cache_max_entries,
        max_bytes=settings.response_cache_max_bytes,
    )
    app.add_middleware(ResponseCacheMiddleware, cache=app.state.response_cache)
    app.add_middleware(
        HttpCacheMiddleware,
        policy=CachePolicy(
            max_age_seconds=settings.http_cache_max_age_seconds,
            stale_while_revalidate_seconds=settings.http_cache_stale_while_revalidate_seconds,
            private=settings.require_api_key,
        ),
    )
    app.add_middleware(
        RequestBodyMiddleware,
        max_bytes=settings.max_body_bytes,
        timeout_seconds=settings.body_timeout_seconds,
    )
    app.add_middleware(DatasetVersionMiddleware)  # names the version in every answer
    app.state.schema = build_schema(settings)
    GraphQLHTTPRouter(
        app.state.schema,
        GRAPHQL_PATH,
        context=get_context,
        graphql_ide="graphiql",
        persisted_queries=PersistedQueries.from_settings(
            max_entries=settings.persisted_queries_max_entries,
            manifest=settings.trusted_documents,
        ),
    ).include_in(app)
    app.include_router(rest_router)
    install_web(app, graphiql_assets_dir=settings.graphiql_assets_dir)
    install_error_handlers(app)
    install_security(app, settings)  # around the response cache: no cached answer unchecked
    install_observability(app)  # the outermost: every answer is logged and counted
    return app
