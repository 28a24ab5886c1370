"""The result cache through the app: single flight, hits, keyed by dataset version."""

from __future__ import annotations

import asyncio
from pathlib import Path

from graphql_api.main import create_app
from graphql_api.services.market import MOST_VALUABLE_DAY
from tests.graphql_api.support import CountingEngine, app_client, counting_opener, settings_for
from tests.graphql_api.tiny_warehouse import (
    read_pointer,
    tiny_days,
    tiny_version,
    write_pointer,
    write_warehouse,
)

QUERY = {"query": "{ mostValuableDay { date averageTradedValue } }"}


def calls(counter: CountingEngine, statement: str) -> int:
    return sum(1 for seen, _ in counter.statements if seen == statement)


async def test_fifty_concurrent_identical_requests_make_one_engine_call(
    tiny_warehouse: Path,
) -> None:
    counters: list[CountingEngine] = []
    app = create_app(settings_for(tiny_warehouse), engine_opener=counting_opener(counters))
    async with app_client(app) as client:
        responses = await asyncio.gather(*(client.post("/graphql", json=QUERY) for _ in range(50)))
        again = await client.post("/graphql", json=QUERY)
    bodies = {response.text for response in [*responses, again]}
    assert len(bodies) == 1
    assert "errors" not in responses[0].json()
    assert calls(counters[0], MOST_VALUABLE_DAY) == 1


async def test_a_new_dataset_version_is_a_miss(tmp_path: Path) -> None:
    first_version, second_version = tiny_version(1), tiny_version(2)
    warehouse = write_warehouse(tmp_path / "warehouse", tiny_days(), version=first_version)
    counters: list[CountingEngine] = []
    app = create_app(
        settings_for(warehouse, response_cache_max_entries=0),
        engine_opener=counting_opener(counters),
    )
    async with app_client(app) as client:
        first = (await client.post("/graphql", json=QUERY)).json()
        await client.post("/graphql", json=QUERY)
        assert calls(counters[0], MOST_VALUABLE_DAY) == 1

        doubled = [d.__class__(d.ticker, d.date, d.close, d.volume * 2) for d in tiny_days()]
        write_warehouse(warehouse, doubled, version=second_version)
        after_new_run = (await client.post("/graphql", json=QUERY)).json()
        version = (await client.post("/graphql", json={"query": "{ dataset { version } }"})).json()
        assert calls(counters[0], MOST_VALUABLE_DAY) == 2

        pointer = read_pointer(warehouse)
        assert pointer is not None
        write_pointer(warehouse, pointer.rolled_back(first_version))
        after_rollback = (await client.post("/graphql", json=QUERY)).json()
    assert calls(counters[0], MOST_VALUABLE_DAY) == 2, "the first version's result is kept"
    old_value = first["data"]["mostValuableDay"]["averageTradedValue"]
    assert after_new_run["data"]["mostValuableDay"]["averageTradedValue"] == 2 * old_value
    assert version == {"data": {"dataset": {"version": second_version}}}
    assert after_rollback == first
    assert counters[0].versions == [first_version, second_version]


async def test_a_failure_is_not_cached(tiny_warehouse: Path) -> None:
    counters: list[CountingEngine] = []
    app = create_app(
        settings_for(tiny_warehouse, query_timeout_seconds=1e-6),
        engine_opener=counting_opener(counters),
    )
    async with app_client(app) as client:
        for _ in range(2):
            body = (await client.post("/graphql", json=QUERY)).json()
            assert body["errors"][0]["extensions"]["code"] == "QUERY_TIMEOUT"
    assert calls(counters[0], MOST_VALUABLE_DAY) == 2
