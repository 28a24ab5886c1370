"""The whole-response cache: what it keeps, what it never keeps, and when it lets go."""

from __future__ import annotations

import asyncio
import json
import statistics
from itertools import pairwise
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from graphql_api import request_budget
from graphql_api.main import create_app
from graphql_api.response_cache import CachedResponse, ResponseCache, ResponseCacheMiddleware
from tests.graphql_api.support import CountingEngine, app_client, counting_opener, settings_for
from tests.graphql_api.tiny_warehouse import (
    OLD_VERSION,
    TINY_VERSION,
    tiny_days,
    tiny_version,
    write_warehouse,
)

VOLATILE = "query Volatile($limit: Int!) { mostVolatile(limit: $limit) { ticker returns } }"
GRAPHQL_RESPONSE = "application/graphql-response+json"


def by_volatility() -> list[str]:
    """The tiny warehouse's tickers, most volatile first, straight from its closes."""
    closes: dict[str, list[float]] = {}
    for day in sorted(tiny_days(), key=lambda d: d.date):
        closes.setdefault(day.ticker, []).append(day.close)
    spread = {
        ticker: statistics.stdev(b / a - 1 for a, b in pairwise(c)) for ticker, c in closes.items()
    }
    return sorted(spread, key=lambda ticker: -spread[ticker])


async def post(client: httpx.AsyncClient, body: object, **headers: str) -> httpx.Response:
    headers = {"content-type": "application/json", **headers}
    return await client.post("/graphql", content=json.dumps(body), headers=headers)


async def test_a_repeated_query_is_answered_from_the_cache(tiny_warehouse: Path) -> None:
    counters: list[CountingEngine] = []
    app = create_app(settings_for(tiny_warehouse), engine_opener=counting_opener(counters))
    request = {"query": VOLATILE, "variables": {"limit": 2}}
    async with app_client(app) as client:
        first = await post(client, request)
        statements = len(counters[0].statements)
        second = await post(client, request)
    async with app_client(
        create_app(settings_for(tiny_warehouse, response_cache_max_entries=0))
    ) as client:
        uncached = await post(client, request)

    assert first.headers["x-response-cache"] == "miss"
    assert second.headers["x-response-cache"] == "hit"
    assert "x-response-cache" not in uncached.headers
    assert second.status_code == 200
    assert second.content == first.content == uncached.content
    assert second.headers["content-type"] == first.headers["content-type"]
    assert [row["ticker"] for row in second.json()["data"]["mostVolatile"]] == by_volatility()
    assert statements > 0
    assert len(counters[0].statements) == statements, "a hit must not reach the engine"


async def test_the_key_is_the_request_as_graphql_reads_it(tiny_client: httpx.AsyncClient) -> None:
    two_variables = "query Q($a: Int!, $b: Int!) { x: mostVolatile(limit: $a) { ticker } y: highestWorthStocks(limit: $b) { ticker } }"  # noqa: E501
    first = await post(tiny_client, {"query": two_variables, "variables": {"a": 1, "b": 2}})
    reordered = await post(tiny_client, {"query": two_variables, "variables": {"b": 2, "a": 1}})
    other_value = await post(tiny_client, {"query": two_variables, "variables": {"a": 2, "b": 2}})
    other_media = await post(
        tiny_client,
        {"query": two_variables, "variables": {"a": 1, "b": 2}},
        accept=GRAPHQL_RESPONSE,
    )
    other_media_again = await post(
        tiny_client,
        {"query": two_variables, "variables": {"b": 2, "a": 1}},
        accept=GRAPHQL_RESPONSE,
    )

    assert first.headers["x-response-cache"] == "miss"
    assert reordered.headers["x-response-cache"] == "hit"
    assert other_value.headers["x-response-cache"] == "miss"
    assert len(other_value.json()["data"]["x"]) == 2
    assert other_media.headers["x-response-cache"] == "miss"
    assert other_media_again.headers["x-response-cache"] == "hit"
    assert other_media_again.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert first.headers["content-type"].startswith("application/json")


async def test_get_requests_are_cached_apart_from_posts(tiny_client: httpx.AsyncClient) -> None:
    params = {"query": VOLATILE, "variables": json.dumps({"limit": 1})}
    first = await tiny_client.get("/graphql", params=params)
    second = await tiny_client.get("/graphql", params=params)
    as_post = await post(tiny_client, {"query": VOLATILE, "variables": {"limit": 1}})

    assert (first.headers["x-response-cache"], second.headers["x-response-cache"]) == (
        "miss",
        "hit",
    )
    assert second.content == first.content
    assert as_post.headers["x-response-cache"] == "miss"


async def test_answers_with_errors_are_never_kept(tiny_client: httpx.AsyncClient) -> None:
    bad_limit = {"query": VOLATILE, "variables": {"limit": 0}}
    unknown_field = {"query": "{ nope }"}
    for request in (bad_limit, unknown_field, bad_limit, unknown_field):
        response = await post(tiny_client, request)
        assert response.headers["x-response-cache"] == "miss"
        assert response.json()["errors"]
    invalid_variables = await tiny_client.get(
        "/graphql", params={"query": VOLATILE, "variables": "{not json"}
    )
    assert "x-response-cache" not in invalid_variables.headers
    assert invalid_variables.status_code == 400


async def test_query_stats_and_graphiql_bypass_the_cache(tiny_client: httpx.AsyncClient) -> None:
    request = {"query": VOLATILE, "variables": {"limit": 1}}
    for _ in range(2):
        with_stats = await post(tiny_client, request, **{"x-query-stats": "1"})
        assert "x-response-cache" not in with_stats.headers
        assert with_stats.json()["data"]["mostVolatile"][0]["ticker"] == by_volatility()[0]
        page = await tiny_client.get("/graphql", headers={"accept": "text/html"})
        assert "x-response-cache" not in page.headers
        assert page.headers["content-type"].startswith("text/html")


async def test_a_new_dataset_version_is_served_at_once(tiny_warehouse: Path) -> None:
    request = {"query": "{ dataset { version rows } stocks { edges { node { ticker } } } }"}
    async with app_client(create_app(settings_for(tiny_warehouse))) as client:
        before = await post(client, request)
        again = await post(client, request)
        new = tiny_version(3)
        write_warehouse(tiny_warehouse, tiny_days(("AAA", "BBB", "CCC")), version=new)
        after = await post(client, request)
        after_again = await post(client, request)
        pinned_to_the_former = await post(client, request, **{"x-dataset-version": TINY_VERSION})

    assert again.headers["x-response-cache"] == "hit"
    assert before.json()["data"]["dataset"]["version"] == TINY_VERSION
    assert after.headers["x-response-cache"] == "miss"
    assert after.json()["data"]["dataset"]["version"] == new
    listed = after.json()["data"]["stocks"]["edges"]
    assert [edge["node"]["ticker"] for edge in listed] == ["AAA", "BBB", "CCC"]
    assert after_again.headers["x-response-cache"] == "hit"
    assert after_again.content == after.content
    assert pinned_to_the_former.headers["x-response-cache"] == "hit"  # still retained
    assert pinned_to_the_former.content == before.content
    for answer, version in [
        (before, TINY_VERSION),
        (after, new),
        (pinned_to_the_former, TINY_VERSION),
    ]:
        assert answer.headers["x-dataset-version"] == version


async def test_each_version_has_its_own_answers(tiny_warehouse: Path) -> None:
    request = {"query": "{ dataset { version current } stocks { edges { node { ticker } } } }"}
    old = {"x-dataset-version": OLD_VERSION}
    async with app_client(create_app(settings_for(tiny_warehouse))) as client:
        current, pinned = await post(client, request), await post(client, request, **old)
        current_again, pinned_again = (
            await post(client, request),
            await post(client, request, **old),
        )

    assert [r.headers["x-response-cache"] for r in (current, pinned)] == ["miss", "miss"]
    assert [r.headers["x-response-cache"] for r in (current_again, pinned_again)] == ["hit"] * 2
    assert current_again.content == current.content
    assert pinned_again.content == pinned.content
    assert pinned.json()["data"] == {
        "dataset": {"version": OLD_VERSION, "current": False},
        "stocks": {"edges": [{"node": {"ticker": "AAA"}}]},
    }
    assert [r.headers["x-dataset-version"] for r in (current, pinned_again)] == [
        TINY_VERSION,
        OLD_VERSION,
    ]


def response(size: int) -> CachedResponse:
    return CachedResponse(200, ((b"content-type", b"application/json"),), b"x" * size)


def key(name: str) -> tuple[str, str, str | None, str, str, bool]:
    return ("POST", name, None, "null", "null", False)


def test_least_recently_used_entries_go_first() -> None:
    cache = ResponseCache(max_entries=2, max_bytes=1000)
    assert cache.get("v1", key("a")) is None
    cache.put("v1", key("a"), response(1))
    cache.put("v1", key("b"), response(1))
    assert cache.get("v1", key("a")) is not None  # a is now the most recent
    cache.put("v1", key("c"), response(1))
    assert cache.get("v1", key("b")) is None
    assert cache.get("v1", key("a")) is not None
    assert cache.get("v1", key("c")) is not None
    assert (cache.hits, cache.misses) == (3, 2)


def test_the_byte_bound_holds() -> None:
    cache = ResponseCache(max_entries=100, max_bytes=250)
    assert cache.get("v1", key("a")) is None  # a miss: the version is now v1
    for name in "abc":
        cache.put("v1", key(name), response(100))
    assert cache.get("v1", key("a")) is None
    assert len(cache) == 2
    assert cache.size_bytes == 200
    cache.put("v1", key("huge"), response(251))
    assert cache.get("v1", key("huge")) is None
    assert cache.size_bytes == 200


def test_a_version_no_longer_retained_loses_its_answers_and_late_ones_are_dropped() -> None:
    cache = ResponseCache(max_entries=10, max_bytes=1000)
    cache.retain(frozenset({"v1"}))
    cache.put("v1", key("a"), response(10))
    cache.retain(frozenset({"v1", "v2"}))
    cache.put("v2", key("a"), response(20))
    assert cache.get("v2", key("a")) == response(20)
    assert cache.get("v1", key("a")) == response(10)
    cache.retain(frozenset({"v2", "v3"}))
    assert (len(cache), cache.size_bytes) == (1, 20)
    assert cache.get("v1", key("a")) is None
    cache.put("v1", key("a"), response(10))  # computed before v1 was dropped: not kept
    assert cache.get("v1", key("a")) is None
    assert cache.get("v2", key("a")) == response(20)


async def test_remembered_keys_are_bounded_and_keep_their_meaning(tiny_warehouse: Path) -> None:
    app = create_app(settings_for(tiny_warehouse, response_cache_max_entries=2))
    async with app_client(app) as client:
        for limit in (1, 2, 3):
            response = await post(client, {"query": VOLATILE, "variables": {"limit": limit}})
            assert len(response.json()["data"]["mostVolatile"]) == min(limit, 2)
        request = {"query": VOLATILE, "variables": {"limit": 1}}
        evicted = await post(client, request)
        with_stats = await post(client, request, **{"x-query-stats": "1"})
        again = await post(client, request)
        middleware = _response_cache_middleware(app)
        assert 0 < len(middleware._decoded) <= 2
    assert evicted.headers["x-response-cache"] == "miss"  # pushed out by limits 2 and 3
    assert "x-response-cache" not in with_stats.headers  # the same body, another header
    assert again.headers["x-response-cache"] == "hit"


def _response_cache_middleware(app: FastAPI) -> ResponseCacheMiddleware:
    layer: object = app.middleware_stack
    while not isinstance(layer, ResponseCacheMiddleware):
        layer = getattr(layer, "app")  # noqa: B009 (each layer wraps the next as .app)
    return layer


async def test_a_cached_answer_arms_no_request_budget(
    tiny_warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The budget bounds computing an answer; a hit is sent at once, without a timer."""
    armed: list[float | None] = []
    real_timeout = request_budget.asyncio.timeout

    def counting_timeout(delay: float | None) -> asyncio.Timeout:
        armed.append(delay)
        return real_timeout(delay)

    monkeypatch.setattr(request_budget.asyncio, "timeout", counting_timeout)
    settings = settings_for(tiny_warehouse, request_timeout_seconds=7.5)
    request = {"query": VOLATILE, "variables": {"limit": 2}}
    async with app_client(create_app(settings)) as client:
        miss = await post(client, request)
        budgets_of_the_miss = armed.count(7.5)
        hit = await post(client, request)
    assert (miss.headers["x-response-cache"], hit.headers["x-response-cache"]) == ("miss", "hit")
    assert hit.content == miss.content
    assert budgets_of_the_miss == armed.count(7.5) == 1  # the body's and the engine's differ
