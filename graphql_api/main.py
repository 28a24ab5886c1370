"""create_app(settings): the FastAPI app. Its lifespan opens the engine and closes it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from graphql_api.config import Settings, get_settings
from graphql_api.dataset_version import DatasetVersionMiddleware
from graphql_api.deps import get_context
from graphql_api.engines.base import QueryEngine, QueryError, QueryTimeout
from graphql_api.engines.cache import CachingEngine
from graphql_api.engines.factory import open_engine
from graphql_api.errors import BadUserInput, ErrorCode
from graphql_api.graphql_http import GraphQLHTTPRouter
from graphql_api.observability.install import install_observability
from graphql_api.observability.json_logging import json_logging
from graphql_api.observability.stats import new_request_id, record_error_code
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
        max_body_size=settings.max_body_bytes,
    )
    app.state.settings = settings
    # Added first, so it is the innermost middleware (Starlette wraps each later one
    # around the earlier ones): authentication, rate limits, logging and metrics, added
    # after this line, run before a cached answer is sent, and see scope["state"]
    # ["response_cache"] (hit, miss or bypass).
    app.state.response_cache = ResponseCache(
        max_entries=settings.response_cache_max_entries,
        max_bytes=settings.response_cache_max_bytes,
    )
    app.add_middleware(ResponseCacheMiddleware, cache=app.state.response_cache)
    app.add_middleware(RequestBudgetMiddleware, seconds=settings.request_timeout_seconds)
    app.add_middleware(DatasetVersionMiddleware)  # names the version in every answer
    app.state.schema = build_schema(settings)
    app.include_router(
        GraphQLHTTPRouter(app.state.schema, context_getter=get_context, graphql_ide="graphiql"),
        prefix="/graphql",
    )
    app.include_router(rest_router)
    install_web(app, graphiql_assets_dir=settings.graphiql_assets_dir)
    _add_rest_error_handlers(app)
    install_security(app, settings)  # around the response cache: no cached answer unchecked
    install_observability(app)  # the outermost: every answer is logged and counted
    return app


def _add_rest_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(BadUserInput)
    async def bad_input(_: Request, error: BadUserInput) -> JSONResponse:
        return _error(400, ErrorCode.BAD_USER_INPUT, str(error))

    @app.exception_handler(RequestValidationError)
    async def bad_parameter(_: Request, error: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"`{'.'.join(str(part) for part in problem['loc'][1:])}`: {problem['msg']}"
            for problem in error.errors()
        )
        return _error(400, ErrorCode.BAD_USER_INPUT, problems)

    @app.exception_handler(QueryError)
    async def query_error(_: Request, error: QueryError) -> JSONResponse:
        if isinstance(error, QueryTimeout):
            return _error(504, ErrorCode.QUERY_TIMEOUT, str(error))
        return _error(502, ErrorCode.QUERY_FAILED, str(error))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        # This handler runs outside every middleware; the request's id waits in its state.
        request_id = getattr(request.state, "request_id", None) or new_request_id()
        logger.error(
            "request %s: unexpected error on %s", request_id, request.url.path, exc_info=error
        )
        message = f"Internal server error; quote request id {request_id} when reporting it."
        response = _error(500, ErrorCode.INTERNAL_SERVER_ERROR, message, requestId=request_id)
        response.headers["x-request-id"] = request_id
        return response


def _error(status: int, code: ErrorCode, message: str, **extra: str) -> JSONResponse:
    record_error_code(code)
    body = {"errors": [{"message": message, "extensions": {"code": code, **extra}}]}
    return JSONResponse(body, status_code=status)
