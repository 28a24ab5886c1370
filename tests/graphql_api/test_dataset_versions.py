"""One dataset version per request: pinning with X-Dataset-Version, `datasets`, the
version named in every answer, new versions and rollbacks picked up while serving, and
one pointer lookup per request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from graphql_api.engines.duckdb import DuckDBEngine
from graphql_api.main import create_app
from tests.graphql_api.support import CountingEngine, app_client, counting_opener, settings_for
from tests.graphql_api.tiny_warehouse import (
    OLD_VERSION,
    TINY_VERSION,
    old_tiny_days,
    read_pointer,
    tiny_days,
    tiny_version,
    write_pointer,
    write_warehouse,
)

PIN = "x-dataset-version"
NUMBERS = (
    "{ dataset { version current stocks } stocks { edges { node { ticker } } } "
    "mostValuableDay { averageTradedValue } }"
)
CACHES = {"caches on": {}, "caches off": {"cache_max_entries": 0, "response_cache_max_entries": 0}}


def max_mean_traded_value(days: list[Any]) -> float:
    by_date: dict[Any, list[float]] = {}
    for day in days:
        by_date.setdefault(day.date, []).append(day.close * day.volume)
    return max(sum(values) / len(values) for values in by_date.values())


@pytest.mark.parametrize("caches", CACHES)
async def test_a_request_can_pin_a_retained_version(tiny_warehouse: Path, caches: str) -> None:
    async with app_client(create_app(settings_for(tiny_warehouse, **CACHES[caches]))) as client:
        answers = [
            await client.post("/graphql", json={"query": NUMBERS}, headers=headers)
            for headers in ({}, {PIN: OLD_VERSION}, {PIN: f" {OLD_VERSION} "}, {})
        ]
    current, old, old_again, current_again = (answer.json()["data"] for answer in answers)
    assert current == {
        "dataset": {"version": TINY_VERSION, "current": True, "stocks": 2},
        "stocks": {"edges": [{"node": {"ticker": "AAA"}}, {"node": {"ticker": "BBB"}}]},
        "mostValuableDay": {
            "averageTradedValue": pytest.approx(max_mean_traded_value(tiny_days()))
        },
    }
    assert old == {
        "dataset": {"version": OLD_VERSION, "current": False, "stocks": 1},
        "stocks": {"edges": [{"node": {"ticker": "AAA"}}]},
        "mostValuableDay": {
            "averageTradedValue": pytest.approx(max_mean_traded_value(old_tiny_days()))
        },
    }
    assert (old_again, current_again) == (old, current)
    assert [answer.headers[PIN] for answer in answers] == [
        TINY_VERSION,
        OLD_VERSION,
        OLD_VERSION,
        TINY_VERSION,
    ]


async def test_datasets_lists_the_retained_versions_newest_first(
    tiny_client: httpx.AsyncClient,
) -> None:
    query = (
        "{ datasets { version current finishedAt firstDate lastDate stocks rows rejectedRows } }"
    )
    for headers in ({}, {PIN: OLD_VERSION}):
        response = await tiny_client.post("/graphql", json={"query": query}, headers=headers)
        assert response.json() == {
            "data": {
                "datasets": [
                    {
                        "version": TINY_VERSION,
                        "current": True,
                        "finishedAt": "2024-01-01T00:00:00Z",
                        "firstDate": "2019-12-02",
                        "lastDate": "2020-02-28",
                        "stocks": 2,
                        "rows": len(tiny_days()),
                        "rejectedRows": 1,
                    },
                    {
                        "version": OLD_VERSION,
                        "current": False,
                        "finishedAt": "2024-01-01T00:00:00Z",
                        "firstDate": "2019-12-02",
                        "lastDate": "2020-02-28",
                        "stocks": 1,
                        "rows": len(old_tiny_days()),
                        "rejectedRows": 1,
                    },
                ]
            }
        }


@pytest.mark.parametrize("caches", CACHES)
async def test_every_answer_names_its_version(tiny_warehouse: Path, caches: str) -> None:
    app = create_app(settings_for(tiny_warehouse, **CACHES[caches]))
    volatile = "query V($limit: Int!) { mostVolatile(limit: $limit) { ticker } }"
    async with app_client(app) as client:
        graphql = [await client.post("/graphql", json={"query": NUMBERS}) for _ in range(2)]
        by_get = [
            await client.get("/graphql", params={"query": NUMBERS}, headers={PIN: OLD_VERSION})
            for _ in range(2)
        ]
        bad_limit = await client.post(
            "/graphql", json={"query": volatile, "variables": {"limit": 0}}
        )
        rest = [
            await client.get(path, headers=headers)
            for path in (
                "/metrics/most-valuable-day",
                "/metrics/most-volatile",
                "/metrics/average-daily-return?from_date=2020-01-01&to_date=2020-01-31",
            )
            for headers in ({}, {PIN: OLD_VERSION})
        ]
    if caches == "caches on":
        assert [r.headers["x-response-cache"] for r in [*graphql, *by_get]] == ["miss", "hit"] * 2
    assert [r.headers[PIN] for r in graphql] == [TINY_VERSION] * 2
    assert [r.headers[PIN] for r in by_get] == [OLD_VERSION] * 2
    assert bad_limit.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert bad_limit.headers[PIN] == TINY_VERSION
    assert [r.status_code for r in rest] == [200] * 6
    assert [r.headers[PIN] for r in rest] == [TINY_VERSION, OLD_VERSION] * 3
    assert rest[0].json() != rest[1].json()
    assert [row["ticker"] for row in rest[3].json()] == ["AAA"]
    assert "x-dataset-version" in graphql[0].headers["vary"].lower()


@pytest.mark.parametrize(
    ("pinned", "says"),
    [
        (tiny_version(59), f"dataset version {tiny_version(59)} is not a retained version"),
        ("latest", "X-Dataset-Version 'latest' is not a dataset version"),
        ("20240101T000001Z-00000' OR '1'='1", "is not a dataset version"),
    ],
)
async def test_an_unknown_or_malformed_version_is_bad_user_input(
    tiny_client: httpx.AsyncClient, pinned: str, says: str
) -> None:
    graphql = await tiny_client.post(
        "/graphql",
        json={"query": "{ health { status } dataset { version } }"},
        headers={PIN: pinned},
    )
    rest = await tiny_client.get("/metrics/most-volatile", headers={PIN: pinned})
    [error] = graphql.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert says in error["message"]
    assert "`datasets` field or `stock-analytics versions" in error["message"]
    assert graphql.json()["data"] is None
    assert rest.status_code == 400
    assert rest.json()["errors"][0] == {
        "message": error["message"],
        "extensions": {"code": "BAD_USER_INPUT"},
    }
    assert PIN not in graphql.headers
    assert PIN not in rest.headers
    health = await tiny_client.post(
        "/graphql", json={"query": "{ health { status } }"}, headers={PIN: pinned}
    )
    assert health.json() == {"data": {"health": {"status": "ok"}}}


async def test_new_versions_rollbacks_and_expiry_are_seen_while_serving(tmp_path: Path) -> None:
    first, second = tiny_version(1), tiny_version(2)
    warehouse = write_warehouse(tmp_path / "w", tiny_days(("AAA",)), version=first, keep=2)
    query = {"query": "{ dataset { version } stocks { edges { node { ticker } } } }"}
    counters: list[CountingEngine] = []
    app = create_app(settings_for(warehouse), engine_opener=counting_opener(counters))

    async def tickers(client: httpx.AsyncClient, **headers: str) -> tuple[str, list[str]]:
        response = await client.post("/graphql", json=query, headers=headers)
        data = response.json()["data"]
        assert response.headers[PIN] == data["dataset"]["version"]
        return data["dataset"]["version"], [e["node"]["ticker"] for e in data["stocks"]["edges"]]

    async with app_client(app) as client:
        assert await tickers(client) == (first, ["AAA"])
        write_warehouse(warehouse, tiny_days(("AAA", "BBB")), version=second, keep=2)
        assert await tickers(client) == (second, ["AAA", "BBB"])
        pointer = read_pointer(warehouse)
        assert pointer is not None
        write_pointer(warehouse, pointer.rolled_back(first))
        assert await tickers(client) == (first, ["AAA"])
        assert await tickers(client, **{PIN: second}) == (second, ["AAA", "BBB"])
        write_warehouse(warehouse, tiny_days(("CCC",)), version=tiny_version(3), keep=2)
        assert await tickers(client) == (tiny_version(3), ["CCC"])
        expired = await client.post("/graphql", json=query, headers={PIN: first})
        inner = counters[0].inner
        assert isinstance(inner, DuckDBEngine)
        schemas = await inner.fetch(
            "SELECT schema_name FROM information_schema.schemata "
            "WHERE schema_name LIKE 'v_%' ORDER BY 1",
            version=tiny_version(3),
        )
    assert f"dataset version {first} has expired" in expired.json()["errors"][0]["message"]
    assert schemas == [{"schema_name": f"v_{v}"} for v in (second, tiny_version(3))]


@pytest.mark.parametrize("caches", CACHES)
async def test_one_pointer_lookup_per_request(tiny_warehouse: Path, caches: str) -> None:
    counters: list[CountingEngine] = []
    app = create_app(
        settings_for(tiny_warehouse, **CACHES[caches]), engine_opener=counting_opener(counters)
    )
    several = (
        "{ health { status } dataset { version } datasets { version } "
        'mostValuableDay(from: "2020-01-01") { date } '
        'highestWorthStocks(to: "2020-01-31") { ticker } stock(ticker: "AAA") { ticker '
        'averageTradedValue(from: "2020-01-01") annualizedVolatility(to: "2020-01-31") } '
        'stocks { edges { node { averageTradedValue(from: "2019-12-15") } } } }'
    )
    async with app_client(app) as client:
        counter = counters[0]
        inner = counter.inner
        assert isinstance(inner, DuckDBEngine)
        for headers in ({}, {}, {PIN: OLD_VERSION}):
            before = (counter.pointer_lookups, inner.pointers.reads)
            response = await client.post("/graphql", json={"query": several}, headers=headers)
            assert "errors" not in response.json(), response.json()
            after = (counter.pointer_lookups, inner.pointers.reads)
            assert (after[0] - before[0], after[1] - before[1]) == (1, 1)
        before = (counter.pointer_lookups, inner.pointers.reads)
        rest = await client.get("/metrics/most-volatile?from_date=2020-01-01")
        assert rest.status_code == 200
        assert (counter.pointer_lookups - before[0], inner.pointers.reads - before[1]) == (1, 1)
    assert set(counter.versions) == {TINY_VERSION, OLD_VERSION}
