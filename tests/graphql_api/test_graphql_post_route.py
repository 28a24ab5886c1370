"""POST /graphql is answered by a plain route, without FastAPI's dependency solving nor
the branches of Strawberry's run() that cannot apply to it, and answers what Strawberry's
own POST route answers (GET still goes through it)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi import routing
from starlette.requests import Request
from starlette.responses import Response
from strawberry.http import async_base_view

from graphql_api.graphql_http import GraphQLHTTPRouter
from graphql_api.main import create_app
from tests.graphql_api.support import app_client, settings_for

QUERY = '{ averageDailyReturn(from: "2000-01-01", to: "2030-01-01") { date averageReturn stocks } }'


async def test_a_post_solves_no_dependencies_and_answers_as_a_get_does(
    tiny_warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    solved: list[str] = []
    solve = routing.solve_dependencies

    async def counted(*args: Any, **kwargs: Any) -> Any:
        solved.append(kwargs["request"].method)
        return await solve(*args, **kwargs)

    monkeypatch.setattr(routing, "solve_dependencies", counted)
    async with app_client(create_app(settings_for(tiny_warehouse))) as client:
        posted = await client.post("/graphql", json={"query": QUERY})
        got = await client.get("/graphql", params={"query": QUERY})
        paths = (await client.get("/openapi.json")).json()["paths"]
    assert solved == ["GET"]
    assert posted.status_code == got.status_code == 200
    assert posted.json() == got.json()
    assert posted.json()["data"]["averageDailyReturn"]
    assert {"get", "post"} <= paths["/graphql"].keys()


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


JSON_TYPE = {"content-type": "application/json"}
STATS = {**JSON_TYPE, "X-Query-Stats": "1"}
GRAPHQL_RESPONSE = {**JSON_TYPE, "accept": "application/graphql-response+json"}
STOCK = "query S($t: String!) { stock(ticker: $t) { ticker tradingDays } }"
TWO = "query A { health { status } } query B { health { status } }"
COSTLY = '{ stock(ticker: "AAA") { prices(from: "2000-01-01", to: "2030-01-01") { close } } }'
HEALTH = "{ health { status } }"
HASHED = {"persistedQuery": {"version": 1, "sha256Hash": _sha256(HEALTH)}}


def body(**fields: Any) -> bytes:
    return json.dumps(fields).encode()


REQUESTS: list[tuple[dict[str, str], bytes]] = [
    (JSON_TYPE, body(query=QUERY)),
    (STATS, body(query=QUERY)),
    (GRAPHQL_RESPONSE, body(query=QUERY)),
    (JSON_TYPE, body(query=STOCK, variables={"t": "AAA"})),
    (JSON_TYPE, body(query=STOCK, variables={"t": "NOPE"})),
    (JSON_TYPE, body(query=STOCK, variables={"t": 5})),
    (GRAPHQL_RESPONSE, body(query=STOCK, variables={})),
    (JSON_TYPE, body(query="{ health { status } ")),  # does not parse
    (JSON_TYPE, body(query="{ nope }")),  # does not validate
    (GRAPHQL_RESPONSE, body(query="{ nope }")),
    (JSON_TYPE, body(query="mutation { health { status } }")),
    (JSON_TYPE, body(query="subscription { health { status } }")),
    (JSON_TYPE, body(query=TWO)),
    (JSON_TYPE, body(query=TWO, operationName="C")),
    (JSON_TYPE, body(query="{ stocks(first: 100000) { edges { node { ticker } } } }")),
    (STATS, body(query=COSTLY)),
    (JSON_TYPE, b"{}"),  # no query
    (JSON_TYPE, b"not json"),
    (JSON_TYPE, b"[]"),
    ({"content-type": "text/plain"}, body(query=QUERY)),
    (JSON_TYPE, body(extensions=HASHED)),  # not known yet
    (JSON_TYPE, body(query=HEALTH, extensions=HASHED)),
    (JSON_TYPE, body(extensions=HASHED)),  # known now
    ({**JSON_TYPE, "accept": "multipart/mixed;subscriptionSpec=1.0"}, body(query=QUERY)),
    ({**JSON_TYPE, "accept": "text/html"}, body(query=QUERY)),
]

UNSTABLE_HEADERS = {"date", "x-request-id", "content-length"}  # the length: of the times


async def _answers(warehouse: Path) -> list[tuple[int, list[tuple[str, str]], bytes]]:
    answers = []
    settings = settings_for(warehouse, response_cache_max_entries=0)  # each one executed
    async with app_client(create_app(settings)) as client:
        for headers, body in REQUESTS:
            response = await client.post("/graphql", content=body, headers=headers)
            kept = [(k, v) for k, v in response.headers.items() if k not in UNSTABLE_HEADERS]
            answers.append((response.status_code, kept, _untimed(response.content)))
    return answers


def _untimed(content: bytes) -> bytes:
    """The answer less the times in its query stats (X-Query-Stats: 1)."""
    try:
        document = json.loads(content)
    except ValueError:
        return content
    stats = document.get("extensions", {}).get("queryStats") if isinstance(document, dict) else None
    if stats is None:
        return content
    document["extensions"]["queryStats"] = {"cost": stats["cost"], "fields": sorted(stats)}
    return json.dumps(document).encode()


async def test_a_post_answers_byte_for_byte_what_strawberrys_run_answers(
    tiny_warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours = await _answers(tiny_warehouse)

    async def strawberrys(
        self: GraphQLHTTPRouter, request: Request, context: Any, sub_response: Response
    ) -> Response:
        self.temporal_response = sub_response
        response: Response = await self.run(request=request, context=context, root_value=None)
        return response

    monkeypatch.setattr(GraphQLHTTPRouter, "_run_post", strawberrys)
    theirs = await _answers(tiny_warehouse)
    assert {status for status, _, _ in ours} == {200, 400}
    assert len({content for _, _, content in ours}) >= 20
    for request, mine, expected in zip(REQUESTS, ours, theirs, strict=True):
        assert mine == expected, request


async def test_a_post_makes_no_typing_protocol_check(
    tiny_warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Strawberry's run() asks isinstance(result, SubscriptionExecutionResult), a typing
    Protocol check of some 30 us; a POST knows its result is not one."""
    checked: list[object] = []

    class CountingMeta(type):
        def __instancecheck__(cls, instance: object) -> bool:
            checked.append(instance)
            return False

    class Probe(metaclass=CountingMeta):
        pass

    monkeypatch.setattr(async_base_view, "SubscriptionExecutionResult", Probe)
    async with app_client(create_app(settings_for(tiny_warehouse))) as client:
        posted = await client.post("/graphql", json={"query": QUERY})
        assert checked == []
        got = await client.get("/graphql", params={"query": QUERY})
        assert len(checked) == 1  # the probe sees Strawberry's check, which GET still makes
    assert posted.json() == got.json()


async def test_a_post_is_routed_by_the_app_itself(
    tiny_warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """POST /graphql is the app's first route, not reached through the included router's
    two rounds of matching; the other methods are routed as before."""
    handled: list[str] = []
    handle = routing._IncludedRouter.handle

    async def counted(self: Any, scope: Any, receive: Any, send: Any) -> None:
        handled.append(scope["method"])
        await handle(self, scope, receive, send)

    monkeypatch.setattr(routing._IncludedRouter, "handle", counted)
    app = create_app(settings_for(tiny_warehouse))
    assert app.router.routes[0].path == "/graphql"  # type: ignore[attr-defined]
    async with app_client(app) as client:
        posted = await client.post("/graphql", json={"query": QUERY})
        got = await client.get("/graphql", params={"query": QUERY})
        put = await client.put("/graphql", json={"query": QUERY})
    assert handled == ["GET", "PUT"]
    assert posted.json() == got.json()
    assert put.status_code == 405
    assert put.headers["allow"] == "GET"  # the router's first route of the path, as before
