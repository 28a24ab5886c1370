"""A schema extension: names the request's operation and its error codes in the stats,
and, for a client that sent X-Query-Stats: 1, adds the request's costs to the
response's `extensions.queryStats`: the engine's, and the operation's static cost
estimate next to what the answer holds (`cost`: `estimated`, `max`, `values` — the
answer's field values, the estimate's unit — and `rows` — the list items in it)."""

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
        if not stats.wants_query_stats:
            return {}
        reported = query_stats(stats)
        if stats.query_cost is not None:
            result = context.result
            values, rows = answered(None if result is None else result.data)
            reported["cost"] = {
                "estimated": stats.query_cost.estimated,
                "max": stats.query_cost.max,
                "values": values,
                "rows": rows,
            }
        return {EXTENSION_KEY: reported}


def answered(data: object) -> tuple[int, int]:
    """(field values, list items) in a result's data: every field answered is one value,
    whatever it holds, as in the cost model; every item of every list is one row."""
    values = rows = 0
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            values += len(value)
            pending.extend(value.values())
        elif isinstance(value, list):
            rows += len(value)
            pending.extend(value)
    return values, rows


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
