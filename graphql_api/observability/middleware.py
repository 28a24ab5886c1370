"""The outermost middleware: opens each request's stats, names the request in the
X-Request-ID header, and when the response is sent writes the JSON log line and
feeds the metrics.

A client's X-Request-ID is kept when it is a plain token (letters, digits,
`._:-`, at most 128 characters); otherwise the request gets a new id.
"""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphql_api.errors import ErrorCode
from graphql_api.observability.metrics import ApiMetrics
from graphql_api.observability.stats import (
    ANONYMOUS,
    RequestStats,
    new_request_id,
    request_stats,
)

access_log = logging.getLogger("graphql_api.access")

REQUEST_ID_HEADER = b"x-request-id"
QUERY_STATS_HEADER = b"x-query-stats"
RESPONSE_CACHE_STATE = "response_cache"
REQUEST_ID_STATE = "request_id"
GRAPHQL_PATH = "/graphql"
UNROUTED = "unrouted"
_PLAIN_TOKEN = re.compile(rb"[A-Za-z0-9._:\-]{1,128}")
_NAMED_OPERATION = re.compile(r"^\s*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)")


class ObservabilityMiddleware:
    def __init__(self, app: ASGIApp, *, metrics: ApiMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        stats = RequestStats(
            request_id=_request_id(headers.get(REQUEST_ID_HEADER)),
            method=scope["method"],
            path=scope["path"],
            client=scope["client"][0] if scope.get("client") else "",
            wants_query_stats=headers.get(QUERY_STATS_HEADER, b"").strip().lower()
            in (b"1", b"true"),
        )
        status = 500
        body = bytearray()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {
                    **message,
                    "headers": [
                        *message.get("headers", []),
                        (REQUEST_ID_HEADER, stats.request_id.encode()),
                    ],
                }
            await send(message)

        async def receive_and_keep() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                body.extend(message.get("body", b""))
            return message

        scope.setdefault("state", {})[REQUEST_ID_STATE] = stats.request_id
        inner_receive = receive_and_keep if scope["path"] == GRAPHQL_PATH else receive
        started = time.perf_counter()
        with request_stats(stats):
            try:
                await self.app(scope, inner_receive, send_with_id)
            except Exception:
                stats.add_error_code(ErrorCode.INTERNAL_SERVER_ERROR)
                raise
            finally:
                self._finish(scope, stats, status, time.perf_counter() - started, bytes(body))

    def _finish(
        self, scope: Scope, stats: RequestStats, status: int, seconds: float, body: bytes
    ) -> None:
        response_cache = scope.get("state", {}).get(RESPONSE_CACHE_STATE)
        if response_cache == "hit" and stats.operation is None:
            stats.operation = _operation_of(scope, body)
        self.metrics.observe(
            stats,
            route=_route_label(scope),
            status=status,
            seconds=seconds,
            response_cache=response_cache,
        )
        if access_log.isEnabledFor(logging.INFO):
            fields = _log_fields(scope, stats, status, seconds)
            access_log.info("request", extra={"fields": fields})


def _log_fields(scope: Scope, stats: RequestStats, status: int, seconds: float) -> dict[str, Any]:
    engine = getattr(scope["app"].state, "engine", None) if "app" in scope else None
    response_cache = scope.get("state", {}).get(RESPONSE_CACHE_STATE)
    return {
        "request_id": stats.request_id,
        "method": stats.method,
        "path": stats.path,
        "status": status,
        "operation": stats.operation,
        "duration_ms": round(seconds * 1e3, 3),
        "client": stats.client,
        "engine": None if engine is None else engine.name,
        "engine_queries": len(stats.engine_queries),
        "engine_query_ids": [q.query_id for q in stats.engine_queries if q.query_id],
        "engine_ms": round(stats.engine_seconds * 1e3, 3),
        "bytes_scanned": stats.bytes_scanned,
        "cache_hit": response_cache == "hit" or (stats.cache_hits > 0 and not stats.engine_queries),
        "cache_hits": stats.cache_hits,
        "cache_misses": stats.cache_misses,
        "response_cache": response_cache,
        "error_code": stats.error_codes[0] if stats.error_codes else None,
        "error_codes": stats.error_codes,
    }


def _route_label(scope: Scope) -> str:
    """`METHOD /route/template`, or `unrouted`: refused before routing, or no route matched."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return f"{scope['method']} {path}" if path is not None else UNROUTED


def _request_id(offered: bytes | None) -> str:
    if offered is not None and _PLAIN_TOKEN.fullmatch(offered):
        return offered.decode()
    return new_request_id()


def _operation_of(scope: Scope, body: bytes) -> str:
    """The operation name of a GraphQL request that was answered from the response cache."""
    parameters: Any
    if scope["method"] == "GET":
        query = parse_qs(scope["query_string"].decode("latin-1"))
        parameters = {name: values[0] for name, values in query.items()}
    else:
        try:
            parameters = json.loads(body)
        except ValueError:
            parameters = None
    if not isinstance(parameters, dict):
        return ANONYMOUS
    named = parameters.get("operationName")
    if isinstance(named, str) and named:
        return named
    found = _NAMED_OPERATION.match(str(parameters.get("query", "")))
    return found.group(1) if found else ANONYMOUS
