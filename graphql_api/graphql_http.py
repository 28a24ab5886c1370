"""GraphQL over HTTP as the spec says, on top of Strawberry's FastAPI router.

Strawberry answers everything as application/json. This router also speaks
application/graphql-response+json when the client's Accept header asks for it:
the response then carries that media type, and a request error (the document
did not parse or validate, or the variables did not coerce) answers 400. Under
either media type a request error's body has no `data` entry, since execution
never began. A missing Accept header, or `*/*`, still gets application/json.

A request Strawberry refuses before GraphQL sees it (a body that is not JSON or
not an object, an unsupported content type, no query, a batch, an unknown
operation name) answers 4xx with a GraphQL-shaped JSON body coded
BAD_USER_INPUT, not Strawberry's plain text.

Persisted queries (graphql_api/persisted_queries.py) are resolved as the body is
parsed: an unknown hash answers 200 with PERSISTED_QUERY_NOT_FOUND, as Apollo's
link expects.
"""

from __future__ import annotations

import json
from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import Response
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.base import BaseRequestProtocol
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

from graphql_api.context import AppContext
from graphql_api.error_codes import classify
from graphql_api.errors import BadUserInput
from graphql_api.http_errors import error_response
from graphql_api.persisted_queries import (
    NotATrustedDocument,
    PersistedQueries,
    PersistedQueryNotFound,
)

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
_REQUEST_ERROR = "graphql_request_error"
EXECUTION_ERRORS_STATE = "graphql_execution_errors"
"""Request state: whether the executed result had errors (the response cache keeps only
results without)."""


def prefers_graphql_response_json(accept: str | None) -> bool:
    """Whether Accept ranks application/graphql-response+json at least as high as JSON."""
    weights = _media_weights(accept or "")
    wanted = weights.get(GRAPHQL_RESPONSE_JSON, 0.0)
    return wanted > 0 and wanted >= weights.get(JSON, 0.0)


def is_request_error(result: ExecutionResult) -> bool:
    """No data and no error with a path: nothing was executed."""
    return (
        result.data is None
        and bool(result.errors)
        and all(not error.path for error in result.errors or ())
    )


class GraphQLHTTPRouter(GraphQLRouter[AppContext, None]):
    def __init__(self, *args: Any, persisted_queries: PersistedQueries, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.persisted_queries = persisted_queries

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        """Not for a GET that names a persisted query: that is a request, not a visit."""
        return super().should_render_graphql_ide(request) and (
            request.query_params.get("extensions") is None
        )

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        parsed = await super().parse_http_body(request)
        return parsed if isinstance(parsed, list) else self.persisted_queries.resolve(parsed)

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response = await super().process_result(request, result)
        setattr(request.state, EXECUTION_ERRORS_STATE, bool(result.errors))
        if is_request_error(result):
            response.pop("data", None)
            setattr(request.state, _REQUEST_ERROR, True)
        return response

    def decode_json(self, data: str | bytes) -> object:
        try:
            value = json.loads(data)
        except ValueError as error:  # not JSON, or not UTF-8
            raise HTTPException(400, f"Unable to parse the request as JSON: {error}") from error
        # bytes: the POST body (a GET's parameters arrive as str, and may be null)
        if isinstance(data, bytes) and not isinstance(value, dict | list):
            raise HTTPException(400, 'The request body must be a JSON object: {"query": ...}')
        return value

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        try:
            response = await super().run(request, context=context, root_value=root_value)
        except (HTTPException, BadUserInput, PersistedQueryNotFound, NotATrustedDocument) as error:
            classified = classify(error)
            reason = error.reason if isinstance(error, HTTPException) else str(error)
            response = error_response(classified.status, classified.code, reason)
        if (
            isinstance(request, Request)
            and isinstance(response, Response)
            and response.media_type == JSON
            and prefers_graphql_response_json(request.headers.get("accept"))
        ):
            response.headers["content-type"] = f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"
            if getattr(request.state, _REQUEST_ERROR, False):
                response.status_code = 400
        return response


def _media_weights(accept: str) -> dict[str, float]:
    weights: dict[str, float] = {}
    for item in accept.split(","):
        media_type, *parameters = (part.strip() for part in item.split(";"))
        weight = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if media_type:
            weights[media_type.lower()] = max(weight, weights.get(media_type.lower(), 0.0))
    return weights
