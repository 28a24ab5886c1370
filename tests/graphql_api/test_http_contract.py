"""The HTTP contract in one place: one decode per request whatever answers it, one meaning
of X-Query-Stats, and the middlewares handing each other the request through its state."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from graphql_api import graphql_request
from graphql_api.errors import BadUserInput
from graphql_api.graphql_request import GraphQLRequest, decode
from graphql_api.http_contract import (
    DATASET_VERSION_HEADER,
    QUERY_STATS_HEADER,
    REQUEST_ID_HEADER,
    RESPONSE_CACHE_HEADER,
    wants_query_stats,
)
from graphql_api.main import create_app
from graphql_api.response_cache import REMEMBERED_REQUEST_BYTES
from tests.graphql_api.observability.test_request_log import request_lines
from tests.graphql_api.support import app_client, settings_for
from tests.graphql_api.test_response_cache import VOLATILE, by_volatility
from tests.graphql_api.tiny_warehouse import OLD_VERSION, TINY_VERSION

CACHE = RESPONSE_CACHE_HEADER.decode()
STATS = QUERY_STATS_HEADER.decode()


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[GraphQLRequest | Exception]:
    """Every call of the one decode function, by its outcome."""
    calls: list[GraphQLRequest | Exception] = []

    def counted(*args: Any) -> GraphQLRequest:
        try:
            found = decode(*args)
        except Exception as error:
            calls.append(error)
            raise
        calls.append(found)
        return found

    monkeypatch.setattr(graphql_request, "decode", counted)
    return calls


async def post(client: httpx.AsyncClient, body: str, **headers: str) -> httpx.Response:
    headers = {"content-type": "application/json", **headers}
    return await client.post("/graphql", content=body, headers=headers)


async def test_a_request_is_decoded_once_whatever_answers_it(
    tiny_warehouse: Path, decodes: list[GraphQLRequest | Exception]
) -> None:
    small = json.dumps({"query": VOLATILE, "variables": {"limit": 1}})
    # Past the size whose decoded request the response cache remembers: a hit decodes it.
    padding = " " * REMEMBERED_REQUEST_BYTES
    large = json.dumps({"query": VOLATILE + padding, "variables": {"limit": 2}})
    get = {"query": VOLATILE, "variables": json.dumps({"limit": 3})}
    counts: dict[str, tuple[int, str | None]] = {}
    async with app_client(create_app(settings_for(tiny_warehouse))) as client:

        async def count(name: str, answer: httpx.Response) -> httpx.Response:
            counts[name] = (len(decodes), answer.headers.get(CACHE))
            decodes.clear()
            return answer

        first = await count("small miss", await post(client, small))
        await count("small hit", await post(client, small))
        await count("large miss", await post(client, large))
        large_hit = await count("large hit", await post(client, large))
        await count("GET miss", await client.get("/graphql", params=get))
        await count("GET hit", await client.get("/graphql", params=get))
        stats = json.dumps({"query": VOLATILE, "variables": {"limit": 4}})
        await count("stats", await post(client, stats, **{STATS: "1"}))
        malformed = await count("malformed", await post(client, '{"query": 5}'))

    assert counts == {
        "small miss": (1, "miss"),
        "small hit": (0, "hit"),  # the body was seen before: its decoded request is reused
        "large miss": (1, "miss"),
        "large hit": (1, "hit"),
        "GET miss": (1, "miss"),
        "GET hit": (1, "hit"),
        "stats": (1, None),
        "malformed": (1, None),
    }
    assert first.json()["data"]["mostVolatile"][0]["ticker"] == by_volatility()[0]
    assert [row["ticker"] for row in large_hit.json()["data"]["mostVolatile"]] == (
        by_volatility()[:2]
    )
    assert malformed.status_code == 400
    assert malformed.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_cache_hit_is_named_from_the_decoded_request(
    tiny_warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    named = json.dumps({"query": VOLATILE, "variables": {"limit": 1}})
    anonymous = json.dumps({"query": "{ mostVolatile(limit: 1) { ticker } }"})
    chosen = json.dumps(
        {"query": f"{VOLATILE} query Other {{ __typename }}", "operationName": "Other"}
    )
    async with app_client(create_app(settings_for(tiny_warehouse))) as client:
        for body in (named, named, anonymous, anonymous, chosen, chosen):
            await post(client, body)
    lines = request_lines(capsys.readouterr().err)

    assert [(line["response_cache"], line["operation"]) for line in lines] == [
        ("miss", "Volatile"),
        ("hit", "Volatile"),
        ("miss", "anonymous"),
        ("hit", "anonymous"),
        ("miss", "Other"),
        ("hit", "Other"),
    ]


@pytest.mark.parametrize(
    ("value", "wanted"),
    [
        (None, False),
        ("", False),
        ("0", False),
        ("false", False),
        ("False", False),
        ("no", False),
        ("1", True),
        ("true", True),
        (" TRUE ", True),
    ],
)
async def test_x_query_stats_means_one_thing_to_the_cache_and_the_stats(
    tiny_client: httpx.AsyncClient, value: str | None, wanted: bool
) -> None:
    headers = {} if value is None else {STATS: value}
    body = json.dumps({"query": VOLATILE, "variables": {"limit": 4}})
    await post(tiny_client, body)  # the answer the cache keeps
    answer = await post(tiny_client, body, **headers)

    raw = [] if value is None else [(QUERY_STATS_HEADER, value.encode())]
    assert wants_query_stats(raw) is wanted
    assert answer.json()["data"]["mostVolatile"][0]["ticker"] == by_volatility()[0]
    if wanted:  # counted afresh, so the cache is skipped
        assert CACHE not in answer.headers
        assert answer.json()["extensions"]["queryStats"]["cacheHits"] >= 1
    else:  # the cached answer: no stats in it, and none asked for
        assert answer.headers[CACHE] == "hit"
        assert "extensions" not in answer.json()


async def test_the_middlewares_hand_each_other_the_request(
    tiny_warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The verdicts, the request id, the dataset version: written by one part of the app
    under the contract's names, read by another."""
    request_id, version = REQUEST_ID_HEADER.decode(), DATASET_VERSION_HEADER.decode()
    get = {"query": VOLATILE, "variables": json.dumps({"limit": 1})}
    async with app_client(create_app(settings_for(tiny_warehouse))) as client:
        miss = await client.get("/graphql", params=get, headers={request_id: "first"})
        hit = await client.get("/graphql", params=get)
        unchanged = await client.get(
            "/graphql", params=get, headers={"if-none-match": miss.headers["etag"]}
        )
        pinned = await client.get("/graphql", params=get, headers={version: OLD_VERSION})
        stats = await client.get("/graphql", params=get, headers={STATS: "true"})
    lines = request_lines(capsys.readouterr().err)

    assert [answer.status_code for answer in (miss, hit, unchanged, pinned, stats)] == [
        200,
        200,
        304,
        200,
        200,
    ]
    assert [line["response_cache"] for line in lines] == [
        "miss",
        "hit",
        "not-modified",
        "miss",
        "bypass",
    ]
    # A 304 ran nothing, and is logged like any request that ran no operation.
    assert [line["operation"] for line in lines] == [
        "Volatile",
        "Volatile",
        None,
        "Volatile",
        "Volatile",
    ]
    assert (miss.headers[request_id], lines[0]["request_id"]) == ("first", "first")
    assert [answer.headers.get(version) for answer in (miss, hit, pinned)] == [
        TINY_VERSION,
        TINY_VERSION,
        OLD_VERSION,
    ]
    assert stats.json()["extensions"]["queryStats"]["requestId"] == lines[4]["request_id"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{not json", "Unable to parse the request as JSON"),
        ('"query"', "The request body must be a JSON object"),
        ("[]", "Batching is not enabled"),
        ('{"query": 5}', "`query` must be a string"),
        ('{"query": "{ a }", "operationName": 5}', "`operationName` must be a string"),
        ('{"query": "{ a }", "variables": []}', "`variables` must be an object"),
        ('{"query": "{ a }", "extensions": "x"}', "`extensions` must be an object"),
        ("[" * 100_000, "Unable to parse the request as JSON"),
    ],
)
def test_decode_refuses_a_malformed_body_with_a_message(body: str, message: str) -> None:
    with pytest.raises(BadUserInput, match=message.replace("[", r"\[")):
        decode("POST", b"", "application/json", body.encode())


def test_decode_reads_what_execution_reads() -> None:
    query = b"query=%7B+a+%7D&query=%7B+b+%7D&variables=%7B%22x%22%3A+1%7D&operationName=B"
    assert decode("GET", query, "", b"") == GraphQLRequest("{ b }", "B", {"x": 1}, None)
    body = json.dumps({"query": "{ a }", "extensions": {"persistedQuery": {"version": 1}}})
    assert decode("POST", b"ignored=1", "application/json; charset=utf-8", body.encode()) == (
        GraphQLRequest("{ a }", None, None, {"persistedQuery": {"version": 1}})
    )
