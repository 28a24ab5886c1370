"""API keys: 401 without one or with a wrong one, 200 with a right one, /health open,
every key compared with hmac.compare_digest, and no cached answer without a key."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families
from pydantic import ValidationError

from graphql_api.config import Settings
from graphql_api.main import create_app
from graphql_api.security.api_keys import ApiKeys, offered_key
from tests.graphql_api.support import app_client, settings_for

QUERY = {"query": "{ mostValuableDay { date averageTradedValue } }"}
KEYS = "first-key-0123456789,second-key-abcdef"


@pytest.fixture
def keyed_app(tiny_warehouse: Path) -> FastAPI:
    return create_app(settings_for(tiny_warehouse, require_api_key=True, api_keys=KEYS))


def assert_unauthenticated(response: httpx.Response) -> None:
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json() == {
        "errors": [
            {
                "message": "A valid API key is required: send it in the X-API-Key header.",
                "extensions": {"code": "UNAUTHENTICATED"},
            }
        ]
    }


async def test_without_a_key_or_with_a_wrong_one_is_401(keyed_app: FastAPI) -> None:
    async with app_client(keyed_app) as client:
        missing = await client.post("/graphql", json=QUERY)
        wrong = await client.post("/graphql", json=QUERY, headers={"X-API-Key": "first-key"})
        wrong_bearer = await client.get(
            "/metrics/most-valuable-day", headers={"Authorization": "Bearer nope"}
        )
        metrics = await client.get("/metrics")
    for response in (missing, wrong, wrong_bearer, metrics):
        assert_unauthenticated(response)


async def test_a_right_key_in_either_header_is_served(keyed_app: FastAPI) -> None:
    async with app_client(keyed_app) as client:
        by_header = await client.post(
            "/graphql", json=QUERY, headers={"X-API-Key": "second-key-abcdef"}
        )
        by_bearer = await client.post(
            "/graphql", json=QUERY, headers={"Authorization": "Bearer first-key-0123456789"}
        )
        metrics = await client.get("/metrics", headers={"X-API-Key": "first-key-0123456789"})
    assert by_header.status_code == by_bearer.status_code == 200
    assert by_header.json()["data"]["mostValuableDay"]["date"]
    assert by_bearer.json() == by_header.json()
    assert "stock_analytics_requests_total" in metrics.text


async def test_refusals_are_counted_by_code(keyed_app: FastAPI) -> None:
    key = {"X-API-Key": "first-key-0123456789"}
    async with app_client(keyed_app) as client:
        for _ in range(3):
            await client.post("/graphql", json=QUERY)
        metrics = await client.get("/metrics", headers=key)
    families = {family.name: family for family in text_string_to_metric_families(metrics.text)}
    counted = {
        sample.labels["code"]: sample.value
        for sample in families["stock_analytics_errors"].samples
        if sample.name == "stock_analytics_errors_total"
    }
    assert counted == {"UNAUTHENTICATED": 3}
    refused = [
        sample.value
        for sample in families["stock_analytics_requests"].samples
        if sample.name == "stock_analytics_requests_total"
        and sample.labels == {"operation": "unrouted", "status": "401"}
    ]
    assert refused == [3]


async def test_health_and_the_landing_page_stay_open(keyed_app: FastAPI) -> None:
    async with app_client(keyed_app) as client:
        health = await client.get("/health")
        page = await client.get("/")
        script = await client.get("/static/app.js")
        graphiql = await client.get("/graphql", headers={"Accept": "text/html"})
    assert health.json() == {"status": "ok", "engine": "duckdb"}
    assert page.status_code == script.status_code == 200
    assert_unauthenticated(graphiql)


async def test_a_cached_answer_is_never_served_without_a_key(keyed_app: FastAPI) -> None:
    async with app_client(keyed_app) as client:
        served = await client.post(
            "/graphql", json=QUERY, headers={"X-API-Key": "first-key-0123456789"}
        )
        cached = await client.post(
            "/graphql", json=QUERY, headers={"X-API-Key": "first-key-0123456789"}
        )
        refused = await client.post("/graphql", json=QUERY)
    assert served.headers["x-response-cache"] == "miss"
    assert cached.headers["x-response-cache"] == "hit"
    assert "x-response-cache" not in refused.headers
    assert_unauthenticated(refused)


async def test_keys_off_by_default(tiny_client: httpx.AsyncClient) -> None:
    assert (await tiny_client.post("/graphql", json=QUERY)).status_code == 200


def test_every_key_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[bytes, bytes]] = []
    compare_digest = hmac.compare_digest

    def spy(offered: bytes, key: bytes) -> bool:
        compared.append((offered, key))
        return compare_digest(offered, key)

    monkeypatch.setattr(hmac, "compare_digest", spy)  # api_keys calls it through hmac
    keys = ApiKeys(["k1", "k2", "k3"])
    assert keys.accepts(b"k1") is True
    assert keys.accepts(b"a-much-longer-wrong-key") is False

    def sha256(value: bytes) -> bytes:
        return hashlib.sha256(value).digest()

    every_key = [sha256(b"k1"), sha256(b"k2"), sha256(b"k3")]
    assert compared == [(sha256(b"k1"), key) for key in every_key] + [
        (sha256(b"a-much-longer-wrong-key"), key) for key in every_key
    ]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({b"x-api-key": b" k "}, b"k"),
        ({b"authorization": b"Bearer k"}, b"k"),
        ({b"authorization": b"bearer k"}, b"k"),
        ({b"authorization": b"Basic k"}, None),
        ({b"x-api-key": b""}, None),
        ({}, None),
    ],
)
def test_where_a_key_is_found(headers: dict[bytes, bytes], expected: bytes | None) -> None:
    assert offered_key(headers) == expected


@pytest.mark.parametrize(
    ("value", "keys"),
    [
        ("a,b", ["a", "b"]),
        (" a , ,b ", ["a", "b"]),
        ('["a,1", "b"]', ["a,1", "b"]),
        ("single", ["single"]),
    ],
)
def test_keys_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str, keys: list[str]
) -> None:
    monkeypatch.setenv("STOCK_ANALYTICS_API_KEYS", value)
    monkeypatch.setenv("STOCK_ANALYTICS_REQUIRE_API_KEY", "true")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert [key.get_secret_value() for key in settings.api_keys] == keys
    assert "a" not in repr(settings.api_keys)  # SecretStr: never printed


def test_required_keys_without_any_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STOCK_ANALYTICS_REQUIRE_API_KEY", "true")
    monkeypatch.delenv("STOCK_ANALYTICS_API_KEYS", raising=False)
    with pytest.raises(ValidationError, match="STOCK_ANALYTICS_API_KEYS is empty"):
        Settings(_env_file=None)  # type: ignore[call-arg]
