"""GraphQL over HTTP through the ASGI app: GET and POST, GraphiQL, and media types."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from graphql_api.graphql_http import prefers_graphql_response_json
from graphql_api.main import create_app
from tests.graphql_api.support import app_client, settings_for

GRAPHQL_RESPONSE = "application/graphql-response+json"


async def test_post_answers_json(tiny_client: httpx.AsyncClient) -> None:
    response = await tiny_client.post("/graphql", json={"query": "{ health { status engine } }"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"data": {"health": {"status": "ok", "engine": "duckdb"}}}


async def test_get_answers_a_query_in_the_url(tiny_client: httpx.AsyncClient) -> None:
    response = await tiny_client.get(
        "/graphql",
        params={
            "query": "query($t: String!) { stock(ticker: $t) { ticker } }",
            "variables": '{"t": "BBB"}',
        },
        headers={"accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"stock": {"ticker": "BBB"}}}


async def test_a_browser_gets_graphiql(tiny_client: httpx.AsyncClient) -> None:
    response = await tiny_client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()


async def test_graphql_response_json_when_asked_for(tiny_client: httpx.AsyncClient) -> None:
    response = await tiny_client.post(
        "/graphql",
        json={"query": "{ health { status } }"},
        headers={"accept": f"{GRAPHQL_RESPONSE}, application/json;q=0.9"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{GRAPHQL_RESPONSE}; charset=utf-8"
    assert response.json() == {"data": {"health": {"status": "ok"}}}


@pytest.mark.parametrize(
    ("accept", "status", "media_type"),
    [
        (GRAPHQL_RESPONSE, 400, GRAPHQL_RESPONSE),
        ("application/json", 200, "application/json"),
        ("*/*", 200, "application/json"),
        (None, 200, "application/json"),
    ],
)
async def test_request_errors_status_follows_the_media_type(
    tiny_client: httpx.AsyncClient, accept: str | None, status: int, media_type: str
) -> None:
    headers = {} if accept is None else {"accept": accept}
    response = await tiny_client.post("/graphql", json={"query": "{ nope }"}, headers=headers)
    assert response.status_code == status
    assert response.headers["content-type"].startswith(media_type)
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["message"] == "Cannot query field 'nope' on type 'Query'."


async def test_a_field_error_keeps_data_and_200(tiny_client: httpx.AsyncClient) -> None:
    response = await tiny_client.post(
        "/graphql",
        json={"query": "{ health { status } mostVolatile(limit: 0) { ticker } }"},
        headers={"accept": GRAPHQL_RESPONSE},
    )
    assert response.status_code == 200
    assert response.json()["data"] is None  # mostVolatile is non-null, so null reaches the root


async def test_mutations_are_not_offered(tiny_client: httpx.AsyncClient) -> None:
    response = await tiny_client.post("/graphql", json={"query": "mutation { x }"})
    assert response.status_code == 200
    assert "errors" in response.json()


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (GRAPHQL_RESPONSE, True),
        (f"application/json, {GRAPHQL_RESPONSE}", True),
        (f"application/json, {GRAPHQL_RESPONSE};q=0.5", False),
        (f"{GRAPHQL_RESPONSE};q=0", False),
        ("application/json", False),
        ("*/*", False),
        ("", False),
        (None, False),
    ],
)
def test_accept_negotiation(accept: str | None, expected: bool) -> None:
    assert prefers_graphql_response_json(accept) is expected


async def test_a_repeated_query_is_parsed_and_validated_once(tiny_warehouse: Path) -> None:
    query = {"query": "{ health { engine } repeated: __typename }"}
    # With the response cache off, so the repeated request reaches GraphQL execution.
    app = create_app(settings_for(tiny_warehouse, response_cache_max_entries=0))
    results = app.state.schema.validation_results
    async with app_client(app) as client:
        await client.post("/graphql", json=query)
        before = (results.hits, results.misses)
        await client.post("/graphql", json=query)
        after = (results.hits, results.misses)
    assert after == (before[0] + 1, before[1])
