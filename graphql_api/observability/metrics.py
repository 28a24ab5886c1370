"""Prometheus metrics, in a registry of the app's own, fed from each request's stats.

Labels stay bounded: an operation is a GraphQL operation name (at most
MAX_OPERATION_NAMES distinct ones; later names, and names that are not GraphQL
names, count as "other"; an unnamed operation is "anonymous") or, for any other
path, the method and route template ("GET /health"; "unrouted" for a request refused
before routing or matching no route).
Error codes come from a fixed set; statuses and engines are few.
"""

from __future__ import annotations

import re

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from graphql_api.observability.stats import ANONYMOUS, RequestStats

PREFIX = "stock_analytics"
MAX_OPERATION_NAMES = 100
OTHER = "other"
_GRAPHQL_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class ApiMetrics:
    """The app's counters and histograms; `observe` takes one finished request."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._operation_names: set[str] = set()
        self.requests = Counter(
            f"{PREFIX}_requests",
            "HTTP requests by operation and status.",
            ["operation", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            f"{PREFIX}_request_duration_seconds",
            "Time to answer a request, by operation.",
            ["operation"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter(
            f"{PREFIX}_errors",
            "Requests that answered with an error, by error code (once per code per request).",
            ["code"],
            registry=self.registry,
        )
        self.cache_hits = Counter(
            f"{PREFIX}_cache_hits",
            "Cache hits: `result` (engine results), `response` (whole GraphQL responses).",
            ["cache"],
            registry=self.registry,
        )
        self.cache_misses = Counter(
            f"{PREFIX}_cache_misses",
            "Cache misses: `result` (engine results), `response` (whole GraphQL responses).",
            ["cache"],
            registry=self.registry,
        )
        self.engine_queries = Counter(
            f"{PREFIX}_engine_queries",
            "Statements run by the query engine.",
            ["engine"],
            registry=self.registry,
        )
        self.engine_seconds = Histogram(
            f"{PREFIX}_engine_query_duration_seconds",
            "Time of one engine statement, by engine.",
            ["engine"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.bytes_scanned = Counter(
            f"{PREFIX}_athena_bytes_scanned",
            "Bytes Athena scanned (what Athena bills).",
            registry=self.registry,
        )
        # Labelled children, looked up once: `labels()` costs more than the increment.
        self._result_hits = self.cache_hits.labels(cache="result")
        self._result_misses = self.cache_misses.labels(cache="result")
        self._response_hits = self.cache_hits.labels(cache="response")
        self._response_misses = self.cache_misses.labels(cache="response")
        self._per_request: dict[tuple[str, str], tuple[Counter, Histogram]] = {}
        self._per_engine: dict[str, tuple[Counter, Histogram]] = {}

    def operation_label(self, operation: str | None, route: str) -> str:
        """The GraphQL operation's label, or `route` for a request that ran no operation."""
        if operation is None:
            return route
        if operation in self._operation_names or operation == ANONYMOUS:
            return operation
        if not _GRAPHQL_NAME.fullmatch(operation) or operation == OTHER:
            return OTHER
        if len(self._operation_names) >= MAX_OPERATION_NAMES:
            return OTHER
        self._operation_names.add(operation)
        return operation

    def observe(
        self,
        stats: RequestStats,
        *,
        route: str,
        status: int,
        seconds: float,
        response_cache: str | None,
    ) -> None:
        operation = self.operation_label(stats.operation, route)
        key = (operation, str(status))
        children = self._per_request.get(key)
        if children is None:
            children = self._per_request[key] = (
                self.requests.labels(operation=operation, status=key[1]),
                self.latency.labels(operation=operation),
            )
        children[0].inc()
        children[1].observe(seconds)
        for code in stats.error_codes:
            self.errors.labels(code=code).inc()
        if stats.cache_hits:
            self._result_hits.inc(stats.cache_hits)
        if stats.cache_misses:
            self._result_misses.inc(stats.cache_misses)
        if response_cache == "hit":
            self._response_hits.inc()
        elif response_cache == "miss":
            self._response_misses.inc()
        for query in stats.engine_queries:
            engine = self._per_engine.get(query.engine)
            if engine is None:
                engine = self._per_engine[query.engine] = (
                    self.engine_queries.labels(engine=query.engine),
                    self.engine_seconds.labels(engine=query.engine),
                )
            engine[0].inc()
            engine[1].observe(query.seconds)
            if query.bytes_scanned:
                self.bytes_scanned.inc(query.bytes_scanned)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
