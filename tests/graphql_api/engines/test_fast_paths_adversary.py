"""Inputs and warehouses the fast paths (the DuckDB engine's index, its event loop database)
once answered differently from the SQL they stand for, or not at all.

Each answer of the index is compared with the same statement run by an engine with the
index off (index_max_rows=0: SQL), the independent computation."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from graphql_api.engines.duckdb import DuckDBEngine
from tests.graphql_api.tiny_warehouse import TINY_VERSION

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = {"content-type": "application/json"}
STOCK = "query($ticker: String!) { stock(ticker: $ticker) { ticker } }"
LONE_SURROGATES = ("\ud800", "\udfff", "A\udc00B", "\ud83d")


def engine_for(warehouse: Path, index_max_rows: int) -> DuckDBEngine:
    return DuckDBEngine(
        warehouse,
        timeout_seconds=30,
        max_concurrent_queries=2,
        dataset_check_seconds=0,
        max_load_bytes=1 << 40,
        index_max_rows=index_max_rows,
    )


def the_error(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert "data" not in body or body["data"] is None or body.get("errors"), body
    (error,) = body["errors"]
    return dict(error)


def raw_json(value: object) -> bytes:
    """`value` as JSON with every non-ASCII character escaped: a lone surrogate as \\udXXX."""
    return json.dumps(value, ensure_ascii=True).encode()


# 1. A lone UTF-16 surrogate is bad input wherever it comes in.


@pytest.mark.parametrize("ticker", LONE_SURROGATES)
async def test_a_lone_surrogate_in_posted_variables_is_bad_user_input(
    tiny_client: httpx.AsyncClient, ticker: str
) -> None:
    body = raw_json({"query": STOCK, "variables": {"ticker": ticker}})
    assert b"\\ud" in body
    response = await tiny_client.post(
        "/graphql", content=body, headers={**JSON, "accept": GRAPHQL_RESPONSE}
    )
    assert response.status_code == 400, response.text
    error = the_error(response)
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert "surrogate" in error["message"]


@pytest.mark.parametrize(
    "body",
    [
        raw_json({"query": '{ stock(ticker: "\ud800") { ticker } }'}),  # in the query text
        raw_json({"query": STOCK, "operationName": "\udc00", "variables": {"ticker": "A"}}),
        raw_json({"query": STOCK, "variables": {"ticker": "A", "\ud800": 1}}),  # a key
        raw_json({"query": "{ health { status } }", "extensions": {"x": ["\udfff"]}}),
        # DuckDB's UTF-8 would hold none of these either: surrogates encoded as UTF-8 bytes
        b'{"query": "{ stock(ticker: \\"\xed\xa0\x80\\") { ticker } }"}',
        json.dumps({"query": STOCK, "variables": {"ticker": "\ud800"}}).encode("utf-16-le"),
    ],
)
async def test_a_lone_surrogate_anywhere_in_a_posted_body_is_bad_user_input(
    tiny_client: httpx.AsyncClient, body: bytes
) -> None:
    response = await tiny_client.post(
        "/graphql", content=body, headers={**JSON, "accept": GRAPHQL_RESPONSE}
    )
    assert response.status_code == 400, response.text
    error = the_error(response)
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert "surrogate" in error["message"]


@pytest.mark.parametrize("name", ["variables", "extensions"])
async def test_a_lone_surrogate_in_get_parameters_is_bad_user_input(
    tiny_client: httpx.AsyncClient, name: str
) -> None:
    parameters = {"query": STOCK, "variables": json.dumps({"ticker": "A"})}
    parameters[name] = (
        json.dumps({"ticker": "\ud800"}) if name == "variables" else '{"x":"\\udfff"}'
    )
    response = await tiny_client.get(
        "/graphql?" + urlencode(parameters), headers={"accept": GRAPHQL_RESPONSE}
    )
    assert response.status_code == 400, response.text
    error = the_error(response)
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert "surrogate" in error["message"]


async def test_a_graphql_escape_of_a_lone_surrogate_in_the_query_text_is_refused(
    tiny_client: httpx.AsyncClient,
) -> None:
    """The document's own escape (graphql-core reads it): refused, never run."""
    query = '{ stock(ticker: "\\ud800") { ticker } }'
    for response in (
        await tiny_client.post("/graphql", json={"query": query}),
        await tiny_client.get("/graphql?" + urlencode({"query": query})),
    ):
        error = the_error(response)
        assert error["extensions"]["code"] in {"BAD_USER_INPUT", "GRAPHQL_PARSE_FAILED"}
        assert "Unicode" in error["message"]


async def test_escaped_surrogate_pairs_and_plain_text_are_still_good_input(
    tiny_client: httpx.AsyncClient,
) -> None:
    for ticker, found in (("\U0001f600", None), ("AAA", {"ticker": "AAA"}), ("\\ud800", None)):
        body = raw_json({"query": STOCK, "variables": {"ticker": ticker}})
        response = await tiny_client.post("/graphql", content=body, headers=JSON)
        assert response.json() == {"data": {"stock": found}}, ticker


def cursor_of(*parts: object) -> str:
    payload = json.dumps([1, "stocks", TINY_VERSION, *parts], ensure_ascii=True)
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


@pytest.mark.parametrize("after", ["\ud800", "A\udfffB"])
async def test_a_lone_surrogate_in_a_cursor_is_bad_user_input(
    tiny_client: httpx.AsyncClient, after: str
) -> None:
    query = "query($after: String) { stocks(after: $after) { edges { node { ticker } } } }"
    good = await tiny_client.post(
        "/graphql", json={"query": query, "variables": {"after": cursor_of("AAA")}}
    )
    assert good.json() == {"data": {"stocks": {"edges": [{"node": {"ticker": "BBB"}}]}}}
    response = await tiny_client.post(
        "/graphql", json={"query": query, "variables": {"after": cursor_of(after)}}
    )
    body = response.json()
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert "not a cursor of this API" in error["message"]
