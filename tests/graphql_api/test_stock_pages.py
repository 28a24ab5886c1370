"""The `stocks` connection on tiny warehouses: a page costs the page's rows, cursors hold
within their dataset version, and `first` is bounded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from graphql_api.main import create_app
from graphql_api.pagination import DEFAULT_FIRST, MAX_FIRST
from tests.graphql_api.support import CountingEngine, app_client, counting_opener, settings_for
from tests.graphql_api.tiny_warehouse import OLD_VERSION, tiny_days, write_warehouse

PAGE = """query($first: Int, $after: String) { stocks(first: $first, after: $after) {
  totalCount
  edges { cursor node { ticker
    averageTradedValue(from: "2020-01-01", to: "2020-01-31")
    prices(from: "2020-01-02", to: "2020-01-03") { date close } } }
  pageInfo { hasNextPage endCursor } } }"""
SEVEN = [f"T{i}" for i in range(7)]


async def post(client: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200
    return dict(response.json())


async def test_a_page_reads_its_own_tickers_only(tmp_path: Path) -> None:
    warehouse = write_warehouse(tmp_path / "seven", tiny_days(SEVEN))
    counters: list[CountingEngine] = []
    settings = settings_for(warehouse, cache_max_entries=0)
    async with app_client(create_app(settings, engine_opener=counting_opener(counters))) as client:
        first = await post(client, PAGE, first=3)
        after = first["data"]["stocks"]["pageInfo"]["endCursor"]
        counters[0].statements.clear()
        second = await post(client, PAGE, first=3, after=after)
    pages = [answer["data"]["stocks"] for answer in (first, second)]
    assert [[edge["node"]["ticker"] for edge in page["edges"]] for page in pages] == [
        SEVEN[:3],
        SEVEN[3:6],
    ]
    assert [page["pageInfo"]["hasNextPage"] for page in pages] == [True, True]
    statements = counters[0].statements
    # The page, its count, one statistics query and one prices query, of the page's
    # tickers only.
    assert len(statements) == 4
    prices = [parameters for sql, parameters in statements if "open, high, low" in sql]
    assert [parameters[-1] for parameters in prices] == [tuple(SEVEN[3:6])]


async def test_total_count_costs_a_query_only_when_asked(tmp_path: Path) -> None:
    warehouse = write_warehouse(tmp_path / "seven", tiny_days(SEVEN))
    counters: list[CountingEngine] = []
    settings = settings_for(warehouse, cache_max_entries=0)
    async with app_client(create_app(settings, engine_opener=counting_opener(counters))) as client:
        plain = await post(client, "{ stocks(first: 2) { edges { node { ticker } } } }")
        calls = len(counters[0].statements)
        counted = await post(client, "{ stocks(first: 0) { totalCount pageInfo { hasNextPage } } }")
    assert len(plain["data"]["stocks"]["edges"]) == 2
    assert calls == 1
    assert counted["data"]["stocks"] == {"totalCount": 7, "pageInfo": {"hasNextPage": True}}
    assert len(counters[0].statements) == calls + 2


async def test_a_cursor_of_another_version_is_refused(tiny_warehouse: Path) -> None:
    async with app_client(create_app(settings_for(tiny_warehouse))) as client:
        response = await client.post(
            "/graphql",
            json={"query": "{ stocks(first: 1) { pageInfo { endCursor } } }"},
            headers={"X-Dataset-Version": OLD_VERSION},
        )
        cursor = response.json()["data"]["stocks"]["pageInfo"]["endCursor"]
        pinned = await client.post(
            "/graphql",
            json={"query": PAGE, "variables": {"after": cursor}},
            headers={"X-Dataset-Version": OLD_VERSION},
        )
        current = await post(client, PAGE, after=cursor)
    assert pinned.json()["data"]["stocks"]["edges"] == []  # the old version holds AAA only
    [error] = current["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert OLD_VERSION in error["message"]
    assert current["data"] is None


async def test_first_is_bounded(tiny_client: httpx.AsyncClient) -> None:
    for first in (-1, 501, 10_000):
        body = await post(tiny_client, PAGE, first=first)
        [error] = body["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert "between 0 and 500" in error["message"]
    body = await post(tiny_client, PAGE, first=None)  # null: the default page
    assert len(body["data"]["stocks"]["edges"]) == 2
    cursor = body["data"]["stocks"]["edges"][0]["cursor"]
    for tampered in (cursor[:-2], cursor + "x", "", "🙂", "a" * 5000):
        body = await post(tiny_client, PAGE, after=tampered)
        [error] = body["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", tampered
        assert "not a cursor of this API" in error["message"]


async def test_pages_either_side_of_the_default_size_walk_every_ticker(tmp_path: Path) -> None:
    """A page of at most DEFAULT_FIRST stocks reads a shorter statement than a longer
    page; both walk the whole list, and each tells rightly whether another follows."""
    tickers = sorted(f"S{i:03d}" for i in range(DEFAULT_FIRST * 2 + 3))
    warehouse = write_warehouse(tmp_path / "many", tiny_days(tickers))
    walk = (
        "query($first: Int, $after: String) { stocks(first: $first, after: $after) { "
        "edges { node { ticker } } pageInfo { hasNextPage endCursor } } }"
    )
    counters: list[CountingEngine] = []
    settings = settings_for(warehouse, cache_max_entries=0)
    async with app_client(create_app(settings, engine_opener=counting_opener(counters))) as client:
        for first in (DEFAULT_FIRST - 1, DEFAULT_FIRST, DEFAULT_FIRST + 1, len(tickers)):
            pages, after = [], None
            while True:
                page = (await post(client, walk, first=first, after=after))["data"]["stocks"]
                pages.append([edge["node"]["ticker"] for edge in page["edges"]])
                if not page["pageInfo"]["hasNextPage"]:
                    break
                after = page["pageInfo"]["endCursor"]
            assert [ticker for page in pages for ticker in page] == tickers, first
            assert [len(page) for page in pages[:-1]] == [first] * (len(pages) - 1)
            assert 0 < len(pages[-1]) <= first
    limits = {sql.split("LIMIT")[-1].strip() for sql, _ in counters[0].statements}
    assert limits == {str(DEFAULT_FIRST + 1), str(MAX_FIRST + 1)}
