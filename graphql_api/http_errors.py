"""Every error answer outside GraphQL execution: a GraphQL-shaped JSON body with a code.

The app's exception handlers (REST arguments, engine failures, unknown paths and
methods, a malformed GraphQL request or persisted query, anything unexpected) and
the GraphQL router's refusals all answer through `error_response`, with the code
and status `error_codes.classify` gives.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from graphql_api.asgi_errors import error_body
from graphql_api.engines.base import QueryError
from graphql_api.error_codes import classify, internal_error_message
from graphql_api.errors import BadUserInput, ErrorCode
from graphql_api.http_contract import REQUEST_ID_HEADER, REQUEST_ID_STATE
from graphql_api.observability.stats import new_request_id, record_error_code
from graphql_api.persisted_queries import NotATrustedDocument, PersistedQueryNotFound

logger = logging.getLogger(__name__)


def error_response(
    status: int,
    code: ErrorCode,
    message: str,
    *,
    headers: Mapping[str, str] | None = None,
    **extensions: str,
) -> JSONResponse:
    record_error_code(code)
    return JSONResponse(error_body(code, message, **extensions), status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(BadUserInput, _shown)  # a malformed GraphQL request too
    app.add_exception_handler(PersistedQueryNotFound, _shown)
    app.add_exception_handler(NotATrustedDocument, _shown)
    app.add_exception_handler(QueryError, _shown)
    app.add_exception_handler(RequestValidationError, _bad_parameter)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)


async def _shown(_: Request, error: Exception) -> JSONResponse:
    classified = classify(error)
    return error_response(classified.status, classified.code, str(error))


async def _bad_parameter(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    problems = "; ".join(
        f"`{'.'.join(str(part) for part in problem['loc'][1:])}`: {problem['msg']}"
        for problem in error.errors()
    )
    return error_response(400, ErrorCode.BAD_USER_INPUT, problems)


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    """Starlette's own refusals: no such path (404), method (405), a body too large (413)."""
    assert isinstance(error, StarletteHTTPException)
    classified = classify(error)
    if classified.code == ErrorCode.INTERNAL_SERVER_ERROR:
        return await _unexpected(request, error)
    message = f"{error.detail}: {request.method} {request.url.path}"
    return error_response(classified.status, classified.code, message, headers=error.headers)


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    # This handler runs outside every middleware; the request's id waits in its state.
    request_id = getattr(request.state, REQUEST_ID_STATE, None) or new_request_id()
    logger.error("request %s: unexpected error on %s", request_id, request.url.path, exc_info=error)
    return error_response(
        500,
        ErrorCode.INTERNAL_SERVER_ERROR,
        internal_error_message(request_id),
        headers={REQUEST_ID_HEADER.decode(): request_id},
        requestId=request_id,
    )
