"""A schema extension: names the request's operation and its error codes in the stats,
and, for a client that sent X-Query-Stats: 1, adds the request's costs to the
response's `extensions.queryStats`."""

from __future__ import annotations

from typing import Any

from strawberry.extensions import SchemaExtension

from graphql_api.error_codes import error_code
from graphql_api.observability.stats import ANONYMOUS, RequestStats, current_stats

EXTENSION_KEY = "queryStats"


class QueryStatsExtension(SchemaExtension):
    def get_results(self) -> dict[str, Any]:
        stats = current_stats()
        if stats is None:
            return {}
        context = self.execution_context
        stats.operation = context.operation_name or ANONYMOUS
        for error in context.pre_execution_errors or ():
            stats.add_error_code(error_code(error))
        return {EXTENSION_KEY: query_stats(stats)} if stats.wants_query_stats else {}


def query_stats(stats: RequestStats) -> dict[str, Any]:
    return {
        "requestId": stats.request_id,
        "engineQueries": [
            {
                "engine": query.engine,
                "queryId": query.query_id,
                "seconds": query.seconds,
                "bytesScanned": query.bytes_scanned,
            }
            for query in stats.engine_queries
        ],
        "engineSeconds": stats.engine_seconds,
        "bytesScanned": stats.bytes_scanned,
        "cacheHits": stats.cache_hits,
        "cacheMisses": stats.cache_misses,
    }
