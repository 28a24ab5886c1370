"""Bursts of bad requests mixed into good ones: every good one still gets the right data,
every bad one a 4xx or a GraphQL error (never a 5xx or a dropped connection)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from graphql_api.main import create_app
from tests.graphql_api.support import settings_for
from tests.load.load_driver import Call, Outcome, drive
from tests.load.queries import load_seconds, quiet_answers, request_pool, summary
from testsupport.servers import LiveServer

pytestmark = pytest.mark.load

RATE = 60.0
BURST, PERIOD = 15, 40
"""Each PERIOD requests: BURST bad ones in a row, then good ones with a bad one every 5th."""


def bad_calls(url: str) -> list[Call]:
    endpoint = f"{url}/graphql"
    as_json = {"content-type": "application/json"}
    posts: dict[str, object] = {
        "not json": b"{",
        "a json array": b"[1, 2]",
        "query not a string": {"query": 5},
        "unknown field": {"query": "{ nope }"},
        "impossible date": {
            "query": '{ averageDailyReturn(from: "2024-13-45", to: "2024-12-31") { date } }'
        },
        "from after to": {
            "query": '{ averageDailyReturn(from: "2020-02-01", to: "2020-01-01") { date } }'
        },
        "limit out of range": {"query": "{ mostVolatile(limit: 1000) { ticker } }"},
        "unknown argument": {"query": "{ mostVolatile(top: 3) { ticker } }"},
        "too many aliases": {
            "query": "{ " + " ".join(f"a{i}: health {{ status }}" for i in range(40)) + " }"
        },
        "too many tokens": {"query": "{ " + "health { status } " * 700 + "}"},
        "a mutation": {"query": "mutation { health { status } }"},
        "bad variables": {
            "query": "query($t: String!) { stock(ticker: $t) { ticker } }",
            "variables": {"t": 5},
        },
        "missing variables": {"query": "query($t: String!) { stock(ticker: $t) { ticker } }"},
        "random bytes": bytes(range(256)),
        "too large": {"query": "{ health { status } }", "pad": "x" * 70_000},
    }
    calls = [
        Call(
            f"bad: {name}",
            "POST",
            endpoint,
            {
                "content": body if isinstance(body, bytes) else json.dumps(body).encode(),
                "headers": as_json,
            },
        )
        for name, body in posts.items()
    ]
    calls += [
        Call(
            "bad: text/plain",
            "POST",
            endpoint,
            {"content": b"{ health { status } }", "headers": {"content-type": "text/plain"}},
        ),
        Call(
            "bad: GET without a query", "GET", endpoint, {"headers": {"accept": "application/json"}}
        ),
        Call(
            "bad: GET with broken variables",
            "GET",
            endpoint,
            {"params": {"query": "{ health { status } }", "variables": "{oops"}},
        ),
        Call("bad: PUT", "PUT", endpoint, {"json": {"query": "{ health { status } }"}}),
    ]
    return calls


async def test_bad_requests_do_not_hurt_good_ones(tiny_warehouse: Path) -> None:
    seconds = load_seconds(short=3.0)
    settings = settings_for(tiny_warehouse, rate_limit_per_second=0)
    with LiveServer(create_app(settings)) as server:
        url = server.url
        async with httpx.AsyncClient(timeout=10) as client:
            good = request_pool(url, ["AAA", "BBB"], first_year=2019, spans=0)
            good += request_pool(url, [], first_year=2019, spans=3)[-3:]
            bad = bad_calls(url)
            expected = await quiet_answers(client, good)

            def mixed(index: int) -> Call:
                position = index % PERIOD
                if position < BURST or position % 5 == 0:
                    return bad[index % len(bad)]
                return good[index % len(good)]

            outcomes = await drive(
                client, mixed, rate=RATE, seconds=seconds, max_requests=int(RATE * seconds) + 1
            )

    goods = [o for o in outcomes if not o.call.label.startswith("bad: ")]
    bads = [o for o in outcomes if o.call.label.startswith("bad: ")]
    assert len(bads) > len(goods) / 2, summary(outcomes)
    assert all(o.status == 200 and o.json() == expected[o.call.label] for o in goods), summary(
        goods
    )
    wrong = [o for o in bads if not (_refused(o) or _answered_with_errors(o))]
    assert not wrong, [(o.call.label, o.status, o.body[:200], o.failure) for o in wrong]
    assert {o.status for o in bads if o.call.label == "bad: too large"} == {413}


def _refused(outcome: Outcome) -> bool:
    return outcome.status is not None and 400 <= outcome.status < 500


def _answered_with_errors(outcome: Outcome) -> bool:
    return outcome.status == 200 and bool(outcome.json().get("errors"))
