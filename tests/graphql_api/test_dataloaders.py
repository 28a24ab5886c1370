"""Per-stock fields cost a fixed number of engine queries, however many tickers there are."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphql_api.main import create_app
from tests.graphql_api.support import CountingEngine, app_client, counting_opener, settings_for
from tests.graphql_api.tiny_warehouse import tiny_days, write_warehouse

WHOLE_HISTORY = "{ stocks { edges { node { ticker annualizedVolatility averageTradedValue } } } }"
RANGED = """{ stocks { edges { node { ticker
  annualizedVolatility(from: "2020-01-01", to: "2020-01-31")
  averageTradedValue(from: "2020-01-01", to: "2020-01-31")
  again: averageTradedValue(from: "2020-01-01", to: "2020-01-31")
  february: averageTradedValue(from: "2020-02-01", to: "2020-02-28")
  prices(from: "2020-01-02", to: "2020-01-03") { date close } } } } }"""


async def engine_calls(warehouse: Path, query: str) -> tuple[int, dict[str, object]]:
    counters: list[CountingEngine] = []
    settings = settings_for(warehouse, cache_max_entries=0)
    async with app_client(create_app(settings, engine_opener=counting_opener(counters))) as client:
        body = (await client.post("/graphql", json={"query": query})).json()
    assert "errors" not in body, body
    return len(counters[0].statements), body["data"]


@pytest.mark.parametrize(("query", "expected_calls"), [(WHOLE_HISTORY, 1), (RANGED, 4)])
async def test_engine_calls_do_not_grow_with_tickers(
    tmp_path: Path, query: str, expected_calls: int
) -> None:
    few = write_warehouse(tmp_path / "two", tiny_days(("AAA", "BBB")))
    many = write_warehouse(tmp_path / "seven", tiny_days([f"T{i}" for i in range(7)]))
    few_calls, few_data = await engine_calls(few, query)
    many_calls, many_data = await engine_calls(many, query)
    assert len(few_data["stocks"]["edges"]) == 2  # type: ignore[index]
    assert len(many_data["stocks"]["edges"]) == 7  # type: ignore[index]
    # the page of ticker_stats once; one statistics query per distinct range (January, February)
    # and one prices query for every ticker at once.
    assert few_calls == many_calls == expected_calls


async def test_stock_by_ticker_shares_the_batch(tiny_warehouse: Path) -> None:
    query = '{ a: stock(ticker: "AAA") { ticker } b: stock(ticker: "BBB") { ticker } '
    query += 'c: stock(ticker: "CCC") { ticker } }'
    calls, data = await engine_calls(tiny_warehouse, query)
    assert data == {"a": {"ticker": "AAA"}, "b": {"ticker": "BBB"}, "c": None}
    assert calls == 1


PRICES = 'prices(from: "2019-12-30", to: $to) { date close dailyReturn }'
PREFETCHED = f"""query($to: Date!) {{
  a: stock(ticker: "AAA") {{ ticker {PRICES} }}
  b: stock(ticker: " BBB ") {{ ticker {PRICES} }}
  unknown: stock(ticker: "ZZZ") {{ ticker {PRICES} }} }}"""
IN_FRAGMENTS = f"""query($to: Date!) {{
  a: stock(ticker: "AAA") {{ ticker ... on Stock {{ {PRICES} }} }}
  b: stock(ticker: " BBB ") {{ ticker ... on Stock {{ {PRICES} }} }}
  unknown: stock(ticker: "ZZZ") {{ ticker ... on Stock {{ {PRICES} }} }} }}"""


async def test_a_stocks_prices_are_asked_for_beside_the_stock_not_after_it(
    tiny_warehouse: Path,
) -> None:
    """`prices` selected on `stock` starts loading with the stock itself (the prices
    statement first, so it goes to a worker thread before the stock's runs on the loop),
    for every stock at once, and its resolver finds it loaded; in a fragment it is loaded
    once the stocks are known. The answers are the same."""
    answers = {}
    for name, query in (("prefetched", PREFETCHED), ("in fragments", IN_FRAGMENTS)):
        counters: list[CountingEngine] = []
        settings = settings_for(tiny_warehouse, cache_max_entries=0)
        app = create_app(settings, engine_opener=counting_opener(counters))
        async with app_client(app) as client:
            body = {"query": query, "variables": {"to": "2020-01-03"}}
            answers[name] = (await client.post("/graphql", json=body)).json()
        kinds = [
            "prices" if "daily_metrics" in sql else "stocks" for sql, _ in counters[0].statements
        ]
        assert kinds == (["prices", "stocks"] if name == "prefetched" else ["stocks", "prices"])
    assert answers["prefetched"] == answers["in fragments"]
    data = answers["prefetched"]["data"]
    assert data["unknown"] is None
    week = ["2019-12-30", "2019-12-31", "2020-01-01", "2020-01-02", "2020-01-03"]
    assert [price["date"] for price in data["a"]["prices"]] == week
    assert data["b"]["ticker"] == "BBB"
    assert [price["date"] for price in data["b"]["prices"]] == week
