"""The outermost middleware: opens each request's stats, names the request in the
X-Request-ID header, and when the response is sent writes the JSON log line and
feeds the metrics.

A client's X-Request-ID is kept when it is a plain token (letters, digits,
`._:-`, at most 128 characters); otherwise the request gets a new id.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphql_api.errors import ErrorCode
from graphql_api.graphql_request import GraphQLRequest, decoded_already
from graphql_api.http_contract import (
    REQUEST_ID_HEADER,
    REQUEST_ID_STATE,
    RESPONSE_CACHE_STATE,
    CacheVerdict,
    header,
    wants_query_stats,
)
from graphql_api.observability.json_logging import info_with_fields
from graphql_api.observability.metrics import ApiMetrics
from graphql_api.observability.stats import (
    ANONYMOUS,
    RequestStats,
    close_stats,
    new_request_id,
    open_stats,
)

access_log = logging.getLogger("graphql_api.access")

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
        stats = RequestStats(
            request_id=_request_id(header(scope["headers"], REQUEST_ID_HEADER)),
            method=scope["method"],
            path=scope["path"],
            client=scope["client"][0] if scope.get("client") else "",
            wants_query_stats=wants_query_stats(scope["headers"]),
        )
        status = 500

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

        scope.setdefault("state", {})[REQUEST_ID_STATE] = stats.request_id
        started = time.perf_counter()
        token = open_stats(stats)
        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            stats.add_error_code(ErrorCode.INTERNAL_SERVER_ERROR)
            raise
        finally:
            try:
                self._finish(scope, stats, status, time.perf_counter() - started)
            finally:
                close_stats(token)

    def _finish(self, scope: Scope, stats: RequestStats, status: int, seconds: float) -> None:
        response_cache = scope.get("state", {}).get(RESPONSE_CACHE_STATE)
        if response_cache == CacheVerdict.HIT and stats.operation is None:
            stats.operation = _operation_of(decoded_already(scope))
        self.metrics.observe(
            stats,
            route=_route_label(scope),
            status=status,
            seconds=seconds,
            response_cache=response_cache,
        )
        if access_log.isEnabledFor(logging.INFO):
            info_with_fields(access_log, "request", _log_fields(scope, stats, status, seconds))


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
        "cache_hit": response_cache == CacheVerdict.HIT
        or (stats.cache_hits > 0 and not stats.engine_queries),
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


def _operation_of(request: GraphQLRequest | None) -> str:
    """The operation name of a GraphQL request answered from the response cache (which
    decoded it): execution, which names the others, never ran."""
    if request is None:
        return ANONYMOUS
    if request.operation_name:
        return request.operation_name
    found = _NAMED_OPERATION.match(request.query or "")
    return found.group(1) if found else ANONYMOUS
