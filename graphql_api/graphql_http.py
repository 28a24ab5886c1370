"""GraphQL over HTTP as the spec says, on top of Strawberry's FastAPI router.

Strawberry answers everything as application/json. GraphQLMediaTypeMiddleware
answers application/graphql-response+json when the client's Accept header asks
for it, and then a request error (the document did not parse or validate, or
the variables did not coerce) answers 400. Under either media type a request
error's body has no `data` entry, since execution never began. A missing Accept
header, or `*/*`, still gets application/json.

The router executes the request graphql_api/graphql_request.py decoded once
(the caches in front of it decoded it already, or it does so now). A POST is
answered by a plain route that does what Strawberry's run() does for it, less
the checks that cannot apply to one (GraphQLHTTPRouter._run_post). A request
that is refused before GraphQL sees it (a body that is not JSON or not an
object, an unsupported content type, no query, a batch, an unknown operation
name) answers 4xx with a GraphQL-shaped JSON body coded BAD_USER_INPUT, not
Strawberry's plain text.

Persisted queries (graphql_api/persisted_queries.py) are resolved as the body is
parsed: an unknown hash answers 200 with PERSISTED_QUERY_NOT_FOUND, as Apollo's
link expects.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException, StarletteRequestAdapter
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.background import BackgroundTasks
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.base import BaseRequestProtocol
from strawberry.schema.base import BaseSchema
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.unset import UNSET

from graphql_api.context import AppContext
from graphql_api.error_codes import classify
from graphql_api.errors import BadUserInput
from graphql_api.graphql_request import graphql_request
from graphql_api.http_contract import (
    BODY_STATE,
    EXECUTION_ERRORS_STATE,
    GRAPHQL_METHODS,
    GRAPHQL_PATH,
    REQUEST_ERROR_STATE,
    header,
)
from graphql_api.http_errors import error_response
from graphql_api.persisted_queries import PersistedQueries

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
_GRAPHQL_RESPONSE_JSON_UTF8 = f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8".encode()
PLAIN_RESULTS = (ExecutionResult, PreExecutionError)
"""What Strawberry's execute answers (an executed operation, or one refused before
execution): neither streams."""


@lru_cache(maxsize=64)  # clients send few distinct Accept headers, each request again
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


class ScopedRequestAdapter(StarletteRequestAdapter):
    """Strawberry's request adapter, with the ASGI scope: the decoded request is in its
    state (Strawberry's documented `request_adapter_class` hook)."""

    def __init__(self, request: Request) -> None:
        super().__init__(request)
        self.scope = request.scope


class GraphQLHTTPRouter(GraphQLRouter[AppContext, None]):
    request_adapter_class = ScopedRequestAdapter

    def __init__(
        self,
        schema: BaseSchema,
        path: str,
        *,
        context: Callable[[Request], Awaitable[AppContext]],
        persisted_queries: PersistedQueries,
        **kwargs: Any,
    ) -> None:
        super().__init__(schema, path, context_getter=context, **kwargs)
        self.persisted_queries = persisted_queries
        self._context = context
        self._post_without_dependencies()

    def _post_without_dependencies(self) -> None:
        """POST answered by a plain Starlette route placed before Strawberry's: FastAPI
        would solve the dependencies of Strawberry's POST endpoint (the context, its
        background tasks and sub-response, the root value) on every request; `_post` does
        what they did. Strawberry's route stays behind it, for the OpenAPI document."""
        [index] = [
            index
            for index, route in enumerate(self.routes)
            if isinstance(route, APIRoute) and route.methods == {"POST"}
        ]
        path = self.routes[index].path  # type: ignore[attr-defined]
        self.post_route = Route(path, self._post, methods=["POST"], include_in_schema=False)
        self.routes.insert(index, self.post_route)

    def include_in(self, app: FastAPI) -> None:
        """Include this router in `app`, and its POST route first among the app's own: FastAPI
        reaches an included router's routes through two rounds of matching (the router's,
        then its routes', each through its scope bookkeeping), about 30 us a request, which
        POST, the API's every request, skips. Other methods find the router's routes as
        before (and its 405 answer, which names the first route of the path it holds)."""
        app.include_router(self)
        app.router.routes.insert(
            0, PostOnly(self.post_route.path, self._post, include_in_schema=False)
        )

    async def _post(self, request: Request) -> Response:
        sub_response = Response()
        del sub_response.headers["content-length"]
        sub_response.status_code = None  # type: ignore[assignment]  # as FastAPI's: unset
        background = BackgroundTasks()
        context = await self._context(request)
        context.request = request
        context.background_tasks = background
        context.response = sub_response
        try:
            response = await self._run_post(request, context, sub_response)
        except HTTPException as error:
            classified = classify(error)
            response = error_response(classified.status, classified.code, error.reason)
        if response.background is None:
            response.background = background
        return response

    async def _run_post(
        self, request: Request, context: AppContext, sub_response: Response
    ) -> Response:
        """Strawberry's run() for this POST, less its branches that cannot apply: it is no
        WebSocket, its root value is None, and parse_http_body asks for no streaming
        protocol, so execution answers one ExecutionResult (the schema has no incremental
        delivery). run() tells that from a subscription by an isinstance check against a
        typing Protocol, 30 us a request; here the result's class says it."""
        adapter = self.request_adapter_class(request)
        if not self.is_request_allowed(adapter):
            raise HTTPException(405, "GraphQL only supports GET and POST requests.")
        if self.should_render_graphql_ide(adapter):
            if self.graphql_ide:
                return await self.render_graphql_ide(request)
            raise HTTPException(404, "Not Found")
        try:
            request_data = await self.parse_http_body(adapter)
        except json.JSONDecodeError as error:
            raise HTTPException(400, "Unable to parse request body as JSON") from error
        except KeyError as error:
            raise HTTPException(400, "File(s) missing in form data") from error
        result = await self.execute_operation(
            request=request,
            request_adapter=adapter,
            request_data=request_data,
            context=context,
            root_value=None,
            sub_response=sub_response,
        )
        if not isinstance(result, ExecutionResult) or type(result) not in PLAIN_RESULTS:
            raise TypeError(
                f"POST {GRAPHQL_PATH} answers one ExecutionResult, not {type(result)!r}: a "
                "streaming or batched answer needs Strawberry's run() (graphql_http.py)"
            )
        response_data = await self.process_result(request=request, result=result)
        if result.errors:
            self._handle_errors(result.errors, response_data)
        return self.create_response(response_data=response_data, sub_response=sub_response)

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        """Not for a GET that names a persisted query: that is a request, not a visit."""
        return super().should_render_graphql_ide(request) and (
            request.query_params.get("extensions") is None
        )

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData:
        """The request decoded once (graphql_request), its persisted query resolved. A
        malformed one raises BadUserInput, which the app's handler answers 400."""
        assert isinstance(request, ScopedRequestAdapter)
        state = request.scope.setdefault("state", {})
        if request.method != "GET" and BODY_STATE not in state:
            state[BODY_STATE] = await request.get_body()  # no RequestBodyMiddleware in front
        decoded = graphql_request(request.scope)
        if isinstance(decoded, BadUserInput):
            raise decoded
        return self.persisted_queries.resolve(decoded.for_strawberry())

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response = await super().process_result(request, result)
        setattr(request.state, EXECUTION_ERRORS_STATE, bool(result.errors))
        if is_request_error(result):
            response.pop("data", None)
            setattr(request.state, REQUEST_ERROR_STATE, True)
        return response

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        # Strawberry refuses some requests inside execution with a cross_web HTTPException
        # (no query, an unknown operationName, a mutation over GET), and its FastAPI routes
        # (closures made in GraphQLRouter.__init__) turn it into text/plain before any
        # FastAPI exception handler sees it. Strawberry documents run() raising it for the
        # integration to answer, and offers no hook to answer it: this is the one place left
        # to give it the contract's coded JSON body.
        try:
            return await super().run(request, context=context, root_value=root_value)
        except HTTPException as error:
            classified = classify(error)
            return error_response(classified.status, classified.code, error.reason)


class PostOnly(Route):
    """A POST route that no other method matches even in part, so a 405 for the path is
    answered by the routes behind it."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **options: Any) -> None:
        super().__init__(path, endpoint, methods=["POST"], **options)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope.get("method") != "POST":
            return Match.NONE, {}
        return super().matches(scope)


class GraphQLMediaTypeMiddleware:
    """GraphQL over HTTP's media type, for every JSON answer of GraphQL on `path` (a result,
    a request error, a refused request): application/graphql-response+json when Accept
    ranks it at least as high as JSON, and then a request error answers 400."""

    def __init__(self, app: ASGIApp, *, path: str = GRAPHQL_PATH) -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["path"] != self.path
            or scope["method"] not in GRAPHQL_METHODS
            or not prefers_graphql_response_json(
                (header(scope["headers"], b"accept") or b"").decode("latin-1")
            )
        ):
            await self.app(scope, receive, send)
            return

        async def negotiated(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                if header(headers, b"content-type") == JSON.encode():
                    request_error = scope.get("state", {}).get(REQUEST_ERROR_STATE, False)
                    message = {
                        **message,
                        "status": 400 if request_error else message["status"],
                        "headers": [
                            *(item for item in headers if item[0] != b"content-type"),
                            (b"content-type", _GRAPHQL_RESPONSE_JSON_UTF8),
                        ],
                    }
            await send(message)

        await self.app(scope, receive, negotiated)


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
