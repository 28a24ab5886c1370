"""GET /metrics: the Prometheus counters move by what the requests did, counted here."""

from __future__ import annotations

from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from graphql_api.main import create_app
from graphql_api.observability.metrics import MAX_OPERATION_NAMES, ApiMetrics
from tests.graphql_api.support import CountingEngine, app_client, counting_opener, settings_for

NAMED = {"query": "query Valuable { mostValuableDay { date averageTradedValue } }"}
BAD_RANGE = {"query": '{ averageDailyReturn(from: "2020-02-01", to: "2020-01-01") { date } }'}

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(client: httpx.AsyncClient) -> Samples:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def delta(before: Samples, after: Samples, name: str, **labels: str) -> float:
    key = (name, frozenset(labels.items()))
    return after.get(key, 0.0) - before.get(key, 0.0)


def total(samples: Samples, name: str) -> float:
    return sum(value for (found, _), value in samples.items() if found == name)


async def test_counters_move_by_what_the_requests_did(tiny_warehouse: Path) -> None:
    counters: list[CountingEngine] = []
    app = create_app(settings_for(tiny_warehouse), engine_opener=counting_opener(counters))
    async with app_client(app) as client:
        before = await scrape(client)
        await client.post("/graphql", json=NAMED)  # executed: one engine query
        await client.post("/graphql", json=NAMED)  # answered from the response cache
        await client.post("/graphql", json=BAD_RANGE)  # BAD_USER_INPUT, no engine query
        rest = await client.get("/metrics/most-valuable-day")  # same SQL: a result-cache hit
        after = await scrape(client)
    assert rest.status_code == 200
    assert rest.json()["date"]
    engine_calls = len(counters[0].statements)
    assert engine_calls == 1

    assert (
        delta(before, after, "stock_analytics_requests_total", operation="Valuable", status="200")
        == 2
    )
    assert (
        delta(before, after, "stock_analytics_requests_total", operation="anonymous", status="200")
        == 1
    )
    rest_label = {"operation": "GET /metrics/most-valuable-day", "status": "200"}
    assert delta(before, after, "stock_analytics_requests_total", **rest_label) == 1
    scrape_label = {"operation": "GET /metrics", "status": "200"}
    assert delta(before, after, "stock_analytics_requests_total", **scrape_label) == 1
    latency = "stock_analytics_request_duration_seconds_count"
    assert delta(before, after, latency, operation="Valuable") == 2
    assert delta(before, after, "stock_analytics_errors_total", code="BAD_USER_INPUT") == 1
    assert delta(before, after, "stock_analytics_cache_hits_total", cache="response") == 1
    assert delta(before, after, "stock_analytics_cache_misses_total", cache="response") == 2
    assert delta(before, after, "stock_analytics_cache_hits_total", cache="result") == 1
    assert delta(before, after, "stock_analytics_cache_misses_total", cache="result") == 1
    assert (
        delta(before, after, "stock_analytics_engine_queries_total", engine="duckdb")
        == engine_calls
    )
    engine_time = "stock_analytics_engine_query_duration_seconds_count"
    assert delta(before, after, engine_time, engine="duckdb") == engine_calls
    assert total(after, "stock_analytics_athena_bytes_scanned_total") == 0


async def test_metrics_and_the_rest_aliases_under_metrics_coexist(tiny_warehouse: Path) -> None:
    async with app_client(create_app(settings_for(tiny_warehouse))) as client:
        prometheus = await client.get("/metrics")
        alias = await client.get("/metrics/most-volatile")
        missing = await client.get("/metrics/no-such-thing")
    assert "# TYPE stock_analytics_requests_total counter" in prometheus.text
    assert alias.headers["content-type"] == "application/json"
    assert alias.json()[0]["ticker"] in ("AAA", "BBB")
    assert missing.status_code == 404


async def test_each_app_has_its_own_registry(tiny_warehouse: Path) -> None:
    first, second = (
        create_app(settings_for(tiny_warehouse)),
        create_app(settings_for(tiny_warehouse)),
    )
    async with app_client(first) as client:
        await client.get("/health")
        counted = await scrape(client)
    async with app_client(second) as client:
        fresh = await scrape(client)
    health = (
        "stock_analytics_requests_total",
        frozenset({("operation", "GET /health"), ("status", "200")}),
    )
    assert counted[health] == 1
    assert health not in fresh


def test_operation_labels_are_bounded() -> None:
    metrics = ApiMetrics()
    names = [f"Op{number}" for number in range(MAX_OPERATION_NAMES + 5)]
    labels = [metrics.operation_label(name, "POST /graphql") for name in names]
    assert labels[:MAX_OPERATION_NAMES] == names[:MAX_OPERATION_NAMES]
    assert set(labels[MAX_OPERATION_NAMES:]) == {"other"}
    assert metrics.operation_label("Op0", "POST /graphql") == "Op0"  # seen before: kept
    assert metrics.operation_label("not a name", "POST /graphql") == "other"
    assert metrics.operation_label("anonymous", "POST /graphql") == "anonymous"
    assert metrics.operation_label(None, "GET /health") == "GET /health"
