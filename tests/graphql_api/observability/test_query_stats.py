"""X-Query-Stats: 1 puts the request's engine queries, time, bytes and cache hits in
`extensions.queryStats`; the engine calls are counted here by a wrapping engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from graphql_api.main import create_app
from tests.graphql_api.support import CountingEngine, app_client, counting_opener, settings_for

QUERY = {
    "query": "{ mostValuableDay { date } highestWorthStocks(limit: 2) { ticker } "
    'stocks { edges { node { ticker annualizedVolatility(from: "2020-01-01", to: "2020-02-28") '
    "} } } }"
}
STATS = {"X-Query-Stats": "1"}


async def post(client: httpx.AsyncClient, headers: dict[str, str] | None = None) -> Any:
    response = await client.post("/graphql", json=QUERY, headers=headers or {})
    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body
    return body


async def test_engine_queries_match_the_engine_calls(tiny_warehouse: Path) -> None:
    counters: list[CountingEngine] = []
    app = create_app(settings_for(tiny_warehouse), engine_opener=counting_opener(counters))
    async with app_client(app) as client:
        first = await post(client, STATS)
        calls_after_first = len(counters[0].statements)
        second = await post(client, STATS)  # bypasses the response cache; result-cache hits
        plain = await post(client)

    stats = first["extensions"]["queryStats"]
    assert calls_after_first >= 3  # one per root field, the DataLoader batches the stocks
    assert len(stats["engineQueries"]) == calls_after_first
    assert {query["engine"] for query in stats["engineQueries"]} == {"duckdb"}
    assert all(query["seconds"] > 0 for query in stats["engineQueries"])
    assert stats["engineSeconds"] == sum(query["seconds"] for query in stats["engineQueries"])
    assert stats["bytesScanned"] == 0
    assert stats["cacheMisses"] == calls_after_first  # every miss, and only a miss, runs

    again = second["extensions"]["queryStats"]
    assert len(counters[0].statements) == calls_after_first  # nothing ran again
    assert again["engineQueries"] == []
    lookups = stats["cacheHits"] + stats["cacheMisses"]
    assert (again["cacheHits"], again["cacheMisses"]) == (lookups, 0)
    assert again["requestId"] != stats["requestId"]
    assert second["data"] == first["data"]

    assert "extensions" not in plain  # only on request
    assert plain["data"] == first["data"]


async def test_the_stats_name_the_request(tiny_warehouse: Path) -> None:
    async with app_client(create_app(settings_for(tiny_warehouse))) as client:
        response = await client.post(
            "/graphql", json=QUERY, headers={**STATS, "X-Request-ID": "trace-7"}
        )
    assert response.json()["extensions"]["queryStats"]["requestId"] == "trace-7"
