"""HTTP caching of GraphQL GET answers: ETag, Cache-Control, Vary, 304 before execution."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from graphql_api.main import create_app
from tests.graphql_api.support import CountingEngine, app_client, counting_opener, settings_for
from tests.graphql_api.tiny_warehouse import OLD_VERSION, tiny_days, tiny_version, write_warehouse

QUERY = {"query": "{ mostValuableDay { date averageTradedValue } }"}
CACHES = {"caches on": {}, "caches off": {"cache_max_entries": 0, "response_cache_max_entries": 0}}


@pytest.mark.parametrize("caches", CACHES)
async def test_a_get_answer_carries_an_etag_and_a_conditional_get_is_304_without_execution(
    tiny_warehouse: Path, caches: str
) -> None:
    engines: list[CountingEngine] = []
    app = create_app(
        settings_for(tiny_warehouse, **CACHES[caches]), engine_opener=counting_opener(engines)
    )
    async with app_client(app) as client:
        first = await client.get("/graphql", params=QUERY)
        calls = len(engines[0].statements)
        again = await client.get(
            "/graphql", params=QUERY, headers={"If-None-Match": first.headers["etag"]}
        )
        weak = await client.get(
            "/graphql", params=QUERY, headers={"If-None-Match": f'"x", W/{first.headers["etag"]}'}
        )
        calls_after_304s = len(engines[0].statements)
        other = await client.get("/graphql", params=QUERY, headers={"If-None-Match": '"other"'})
        metrics = (await client.get("/metrics")).text
    assert first.status_code == 200
    assert first.headers["etag"].startswith('"')  # strong: not W/"..."
    assert first.headers["cache-control"] == "public, max-age=60, stale-while-revalidate=600"
    assert set(first.headers.get_list("vary")) >= {"Accept", "X-Dataset-Version"}
    assert again.status_code == weak.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["x-dataset-version"] == first.headers["x-dataset-version"]
    assert calls_after_304s == calls  # no execution for a 304
    assert other.status_code == 200
    assert other.json() == first.json()
    assert 'status="304"' in metrics


async def test_errors_and_posts_are_not_stored(tiny_client: httpx.AsyncClient) -> None:
    bad = await tiny_client.get("/graphql", params={"query": "{ stock(ticker: 1) { ticker } }"})
    post = await tiny_client.post("/graphql", json=QUERY)
    ide = await tiny_client.get("/graphql", headers={"Accept": "text/html"})
    for answer in (bad, post, ide):
        assert answer.headers["cache-control"] == "no-store"
        assert "etag" not in answer.headers


async def test_a_pinned_answer_is_immutable_and_its_etag_differs(
    tiny_client: httpx.AsyncClient,
) -> None:
    current = await tiny_client.get("/graphql", params=QUERY)
    pinned = await tiny_client.get(
        "/graphql", params=QUERY, headers={"X-Dataset-Version": OLD_VERSION}
    )
    assert pinned.headers["x-dataset-version"] == OLD_VERSION
    assert pinned.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert pinned.headers["etag"] != current.headers["etag"]
    assert pinned.json() != current.json()


async def test_answers_are_private_when_api_keys_are_required(tiny_warehouse: Path) -> None:
    app = create_app(settings_for(tiny_warehouse, require_api_key=True, api_keys="k1"))
    async with app_client(app) as client:
        answer = await client.get("/graphql", params=QUERY, headers={"X-API-Key": "k1"})
        refused = await client.get(
            "/graphql", params=QUERY, headers={"If-None-Match": answer.headers["etag"]}
        )
    assert answer.headers["cache-control"].startswith("private, max-age=60")
    assert "X-API-Key" in answer.headers["vary"]
    assert refused.status_code == 401  # a 304 is never given to a client without a key


async def test_a_new_dataset_version_changes_the_etag(tiny_warehouse: Path) -> None:
    async with app_client(create_app(settings_for(tiny_warehouse))) as client:
        before = await client.get("/graphql", params=QUERY)
        write_warehouse(tiny_warehouse, tiny_days(("AAA", "BBB", "CCC")), version=tiny_version(3))
        after = await client.get(
            "/graphql", params=QUERY, headers={"If-None-Match": before.headers["etag"]}
        )
    assert after.status_code == 200
    assert after.headers["x-dataset-version"] == tiny_version(3)
    assert after.headers["etag"] != before.headers["etag"]
