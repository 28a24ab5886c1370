"""Broken requests: every error is a 4xx GraphQL-shaped JSON body with a code, never text,
`{"detail": ...}` or a 500; variables that do not coerce are the client's mistake."""

from __future__ import annotations

import json
import logging
import random
from pathlib import Path
from typing import Any

import httpx
import pytest

from graphql_api.main import create_app
from tests.graphql_api.support import app_client, settings_for
from tests.graphql_api.test_errors import assert_no_leak
from tests.graphql_api.tiny_warehouse import TINY_VERSION

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = {"content-type": "application/json"}
HEALTH = "{ health { status } }"


def the_error(response: httpx.Response) -> dict[str, Any]:
    assert response.headers["content-type"].startswith(("application/json", GRAPHQL_RESPONSE))
    body = response.json()
    assert "data" not in body
    (error,) = body["errors"]
    assert isinstance(error["message"], str)
    assert error["message"]
    assert_no_leak(response)
    return dict(error)


@pytest.mark.parametrize(
    ("method", "path", "headers", "body", "status", "message"),
    [
        ("POST", "/graphql", JSON, b"{not json", 400, "Unable to parse the request as JSON"),
        ("POST", "/graphql", JSON, b'"{ health { status } }"', 400, "must be a JSON object"),
        ("POST", "/graphql", JSON, b"null", 400, "must be a JSON object"),
        ("POST", "/graphql", JSON, b"42", 400, "must be a JSON object"),
        ("POST", "/graphql", JSON, b"", 400, "Unable to parse the request as JSON"),
        (
            "POST",
            "/graphql",
            JSON,
            b'{"query": "{ health { status } }\xff"}',
            400,
            "can't decode byte 0xff",
        ),
        ("POST", "/graphql", JSON, b'[{"query": "{ health { status } }"}]', 400, "Batching"),
        (
            "POST",
            "/graphql",
            {"content-type": "text/plain"},
            b'{"query": "{ health { status } }"}',
            400,
            "Unsupported content type",
        ),
        ("POST", "/graphql", {}, b'{"query": "{ health { status } }"}', 400, "Unsupported"),
        ("POST", "/graphql", JSON, b"{}", 400, "No GraphQL query found"),
        ("POST", "/graphql", JSON, b'{"query": 5}', 400, "`query` must be a string"),
        (
            "POST",
            "/graphql",
            JSON,
            b'{"query": "{ health { status } }", "variables": 1}',
            400,
            "`variables` must be an object",
        ),
        (
            "POST",
            "/graphql",
            JSON,
            b'{"query": "{ health { status } }", "operationName": "Nope"}',
            400,
            'Unknown operation named "Nope"',
        ),
        ("GET", "/graphql", {"accept": "application/json"}, b"", 400, "No GraphQL query found"),
        (
            "GET",
            "/graphql?query=%7Bhealth%7Bstatus%7D%7D&variables=%7Bx",
            {},
            b"",
            400,
            "Unable to parse the request as JSON",
        ),
        ("GET", "/graphql?query=mutation%20%7B%20x%20%7D", {}, b"", 400, "mutations are not"),
        ("PUT", "/graphql", {}, b"", 405, "Method Not Allowed: PUT /graphql"),
        ("DELETE", "/health", {}, b"", 405, "Method Not Allowed: DELETE /health"),
        ("GET", "/nope", {}, b"", 404, "Not Found: GET /nope"),
        ("POST", "/graphql", JSON, b" " * (64 * 1024 + 1), 413, "larger than 65536 bytes"),
    ],
)
async def test_a_malformed_request_is_a_json_error_with_a_code(
    tiny_client: httpx.AsyncClient,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes,
    status: int,
    message: str,
) -> None:
    response = await tiny_client.request(method, path, headers=headers, content=body)
    assert response.status_code == status, response.text
    error = the_error(response)
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert message in error["message"]


async def test_a_request_error_takes_the_media_type_the_client_asked_for(
    tiny_client: httpx.AsyncClient,
) -> None:
    response = await tiny_client.post(
        "/graphql", content=b"null", headers={**JSON, "accept": GRAPHQL_RESPONSE}
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == f"{GRAPHQL_RESPONSE}; charset=utf-8"
    assert the_error(response)["extensions"]["code"] == "BAD_USER_INPUT"


TWO_OPERATIONS = "query A { health { status } } query B { dataset { version } }"


@pytest.mark.parametrize(("accept", "status"), [("application/json", 200), (GRAPHQL_RESPONSE, 400)])
async def test_two_operations_without_a_name_is_a_request_error(
    tiny_client: httpx.AsyncClient, accept: str, status: int
) -> None:
    refused = await tiny_client.post(
        "/graphql", json={"query": TWO_OPERATIONS}, headers={"accept": accept}
    )
    chosen = await tiny_client.post(
        "/graphql", json={"query": TWO_OPERATIONS, "operationName": "B"}
    )
    assert refused.status_code == status
    assert the_error(refused) == {
        "message": "Must provide operation name if query contains multiple operations.",
        "extensions": {"code": "BAD_USER_INPUT"},
    }
    assert chosen.json() == {"data": {"dataset": {"version": TINY_VERSION}}}


async def test_one_operation_needs_no_name(tiny_client: httpx.AsyncClient) -> None:
    response = await tiny_client.post("/graphql", json={"query": "query A " + HEALTH})
    assert response.json() == {"data": {"health": {"status": "ok"}}}


LIMIT_QUERY = "query($n: Int!) { mostVolatile(limit: $n) { ticker } }"


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        (
            {"n": "three"},
            "Variable '$n' has invalid value: Int cannot represent non-integer value: 'three'",
        ),
        (
            {},
            "Variable '$n' has invalid value: Expected a value of non-null type 'Int!' to be "
            "provided.",
        ),
        ({"n": 2**40}, "Variable '$n' has invalid value: Int cannot represent non 32-bit"),
    ],
)
async def test_variables_that_do_not_coerce_are_bad_user_input(
    tiny_client: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture,
    variables: dict[str, Any],
    message: str,
) -> None:
    with caplog.at_level(logging.INFO):
        response = await tiny_client.post(
            "/graphql",
            json={"query": LIMIT_QUERY, "variables": variables},
            headers={"accept": GRAPHQL_RESPONSE},
        )
    assert response.status_code == 400
    error = the_error(response)
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert error["message"].startswith(message)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "Traceback" not in caplog.text


# A bounded generative test: random shapes, methods, content types and headers.

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
CONTENT_TYPES = [
    None,
    "application/json",
    "application/json; charset=utf-8",
    "application/graphql-response+json",
    "application/graphql",
    "text/plain",
    "multipart/form-data; boundary=x",
    "application/x-www-form-urlencoded",
    "*/*",
    "application/json; charset=latin-1",
]
ACCEPTS = [None, "application/json", GRAPHQL_RESPONSE, "*/*", "text/html", "image/png", "x/y;q=z"]
QUERIES = [
    HEALTH,
    "{",
    "}",
    "{ nope }",
    "{ mostVolatile(limit: 0) { ticker } }",
    "{ helth { status } }",
    TWO_OPERATIONS,
    LIMIT_QUERY,
    "mutation { x }",
    "subscription { x }",
    '{ stock(ticker: "AAA") { prices(from: "2020-13-01", to: "x") { date } } }',
    "query($d: Date!) { mostValuableDay(from: $d) { date } }",
    "{ __schema { queryType { name } } }",
    "fragment F on Query { ...F } { ...F }",
    "\x00\x01",
    "",
]
PATHS = [
    "/graphql",
    "/graphql",
    "/graphql",
    "/graphql/",
    "/health",
    "/nope",
    "/metrics/most-volatile",
]


def random_json(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(8 if depth < 3 else 5)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice([0, -1, 2**31, 2**70, 1.5, float("1e308")])
    if kind == 3:
        return rng.choice(["", "x", "three", "2020-01-01", "\u2603", "\ud7ff"])
    if kind == 4:
        return rng.choice(QUERIES)
    if kind == 5:
        return [random_json(rng, depth + 1) for _ in range(rng.randrange(3))]
    keys = ["query", "variables", "operationName", "extensions", "n", "d", "A", "B"]
    return {rng.choice(keys): random_json(rng, depth + 1) for _ in range(rng.randrange(5))}


def random_request(rng: random.Random) -> dict[str, Any]:
    method = rng.choice(METHODS)
    document: Any = {"query": rng.choice(QUERIES)}
    if rng.random() < 0.5:
        document["variables"] = random_json(rng)
    if rng.random() < 0.3:
        document["operationName"] = rng.choice([None, "A", "B", "", 5])
    if rng.random() < 0.3:
        document = random_json(rng)
    body = json.dumps(document).encode()
    mangle = rng.randrange(6)
    if mangle == 0:
        body = body[: rng.randrange(len(body) + 1)]
    elif mangle == 1:
        position = rng.randrange(len(body) + 1)
        body = body[:position] + bytes([rng.randrange(256)]) + body[position:]
    headers = {}
    content_type, accept = rng.choice(CONTENT_TYPES), rng.choice(ACCEPTS)
    if content_type is not None:
        headers["content-type"] = content_type
    if accept is not None:
        headers["accept"] = accept
    if rng.random() < 0.2:
        headers["x-request-id"] = rng.choice(["ok-1", "bad id!", "x" * 300])
    if rng.random() < 0.2:
        headers["x-query-stats"] = "1"
    params = {}
    if method == "GET" and rng.random() < 0.8:
        params = {"query": rng.choice(QUERIES)}
        if rng.random() < 0.5:
            params["variables"] = json.dumps(random_json(rng))[: rng.randrange(1, 40)]
        if rng.random() < 0.3:
            params["operationName"] = rng.choice(["A", "B", ""])
        body = b""
    return {
        "method": method,
        "url": rng.choice(PATHS),
        "params": params,
        "headers": headers,
        "content": body if method not in ("GET", "HEAD") else b"",
    }


async def test_no_random_request_gets_a_5xx_or_an_uncoded_error(tiny_warehouse: Path) -> None:
    rng = random.Random(20240611)
    seen_statuses: set[int] = set()
    app = create_app(settings_for(tiny_warehouse, rate_limit_per_second=0))
    async with app_client(app) as client:
        responses = [
            (request, await client.request(**request))
            for request in (random_request(rng) for _ in range(400))
        ]
    for request, response in responses:
        seen_statuses.add(response.status_code)
        assert response.status_code < 500, (request, response.text)
        media_type = response.headers.get("content-type", "")
        is_json = media_type.startswith(("application/json", GRAPHQL_RESPONSE))
        if response.status_code >= 400:
            assert is_json, (request, response.text)
        if request["method"] == "HEAD":
            continue  # no body
        if response.status_code < 400 and (not is_json or "errors" not in response.json()):
            continue  # an answer, GraphiQL or a redirect (/graphql/)
        body = response.json()
        assert body["errors"], (request, body)
        for error in body["errors"]:
            assert error["extensions"]["code"], (request, body)
        assert_no_leak(response)
    assert {200, 400, 404, 405} <= seen_statuses
