"""Documents built to be slow: fragments that fan out, deep introspection, slow validation.

A document whose N fragments each spread the next one twice expands to 2^N
selections. The limits measure each fragment once (graphql_api/limits.py), so
such a document is judged in time linear in its size; validation runs in a
worker thread (graphql_api/validation.py), and every request has a wall-clock
budget (graphql_api/request_budget.py).
"""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import httpx
import pytest
from graphql import get_introspection_query, parse
from starlette.types import Receive, Scope, Send

from graphql_api.limits import DocumentMeasurer
from graphql_api.main import create_app
from graphql_api.request_budget import RequestBudgetMiddleware
from tests.graphql_api.support import settings_for
from testsupport.servers import LiveServer

HANG_GUARD_SECONDS = 10.0
"""Not a latency target: an exponential algorithm takes years at N = 50, so a bound this
loose only tells a hang from an answer on a busy machine."""


def fan_out(fragments: int, leaf: str = "health { status }") -> str:
    spreads = " ".join(
        f"fragment F{index} on Query {{ ...F{index + 1} ...F{index + 1} }}"
        for index in range(fragments)
    )
    return f"{{ ...F0 }} {spreads} fragment F{fragments} on Query {{ {leaf} }}"


def test_each_fragment_is_measured_once_whatever_the_spreads_multiply_to() -> None:
    document = parse(fan_out(50, leaf="a: health { status }"))
    fragments = {d.name.value: d for d in document.definitions[1:]}  # type: ignore[attr-defined]
    measurer = DocumentMeasurer(fragments)
    measure = measurer.selection_set(document.definitions[0].selection_set)  # type: ignore[attr-defined]
    # One alias in the last fragment, reached through 2^50 paths: counted exactly, as
    # Strawberry's limiter would (if it ever finished), from 51 fragment measures.
    assert measure.aliases == 2**50
    assert measure.depth == 1
    assert len(measurer._measured) == 51


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> object:
    from tests.graphql_api.tiny_warehouse import tiny_days, write_warehouse

    warehouse = write_warehouse(tmp_path_factory.mktemp("hostile") / "warehouse", tiny_days())
    with LiveServer(create_app(settings_for(warehouse))) as server:
        yield server


@pytest.mark.parametrize("fragments", [20, 50, 500])
def test_a_fan_out_document_is_answered_while_health_keeps_answering(
    live_server: LiveServer, fragments: int
) -> None:
    answers: dict[str, httpx.Response] = {}

    def ask() -> None:
        answers["fan-out"] = httpx.post(
            f"{live_server.url}/graphql",
            json={"query": fan_out(fragments)},
            timeout=HANG_GUARD_SECONDS,
        )

    asker = threading.Thread(target=ask)
    asker.start()
    health = httpx.get(f"{live_server.url}/health", timeout=HANG_GUARD_SECONDS)
    asker.join(HANG_GUARD_SECONDS)
    assert health.status_code == 200
    answer = answers["fan-out"]
    body = answer.json()
    if fragments == 500:  # over the token limit: refused before validation
        assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
        assert "tokens" in body["errors"][0]["message"]
    else:  # valid: the fragments collapse to one `health` field when executed
        assert answer.status_code == 200, body
        assert body == {"data": {"health": {"status": "ok"}}}


def test_the_standard_introspection_query_fits_the_introspection_depth(
    live_server: LiveServer,
) -> None:
    answer = httpx.post(
        f"{live_server.url}/graphql", json={"query": get_introspection_query()}, timeout=30
    )
    assert "errors" not in answer.json()
    assert answer.json()["data"]["__schema"]["queryType"]["name"] == "Query"


def test_introspection_cannot_nest_without_bound(live_server: LiveServer) -> None:
    nested = "name " + "".join("ofType { " for _ in range(20)) + "name" + " }" * 20
    answer = httpx.post(
        f"{live_server.url}/graphql",
        json={"query": f'{{ __type(name: "Query") {{ {nested} }} }}'},
        timeout=30,
    )
    error = answer.json()["errors"][0]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert error["message"] == "'anonymous' exceeds maximum introspection depth of 16"


async def test_validation_runs_off_the_event_loop(tiny_warehouse: Path) -> None:
    """A rule that blocks for 0.5 s: the loop keeps ticking while it runs."""
    from graphql import ASTValidationRule, ValidationContext
    from strawberry.extensions import AddValidationRules

    class SlowRule(ASTValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            time.sleep(0.5)

    schema = create_app(settings_for(tiny_warehouse)).state.schema
    schema.extensions = [*schema.extensions, AddValidationRules([SlowRule])]
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    ticker = asyncio.create_task(tick())
    try:
        result = await schema.execute("{ __typename }")
    finally:
        ticker.cancel()
    assert result.errors is None
    assert ticks >= 10  # 0.5 s of a 10 ms ticker; on the loop it would be 1


async def test_a_request_over_its_budget_ends_in_a_timeout_error() -> None:
    async def slow_app(scope: Scope, receive: Receive, send: Send) -> None:
        await asyncio.sleep(30)

    app = RequestBudgetMiddleware(slow_app, seconds=0.2)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        started = time.monotonic()
        answer = await client.get("/graphql")
    assert time.monotonic() - started < HANG_GUARD_SECONDS
    assert answer.status_code == 504
    assert answer.json() == {
        "errors": [
            {
                "message": "The request took longer than 0.2 s and was stopped.",
                "extensions": {"code": "QUERY_TIMEOUT"},
            }
        ]
    }
