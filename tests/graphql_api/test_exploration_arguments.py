"""The exploration fields' arguments, version pinning, batching and cost, on the tiny
warehouse (tiny_days, hand-computed in plain Python)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import GraphQLSchema, parse

from graphql_api.config import Settings
from graphql_api.cost import DataExtent, operation_cost
from graphql_api.main import create_app
from graphql_api.schema import build_schema
from graphql_api.services.arguments import MAX_CORRELATION_TICKERS, MAX_WATCHLIST
from graphql_api.services.candles import CANDLES
from graphql_api.services.stocks import STOCKS_BY_TICKER
from tests.graphql_api.support import CountingEngine, app_client, counting_opener, settings_for
from tests.graphql_api.test_errors import only_error, post
from tests.graphql_api.tiny_warehouse import OLD_VERSION, old_tiny_days, tiny_days

YEAR_OF_MONTHS = (
    '{ stock(ticker: "AAA") { candles(from: "2019-12-01", to: "2020-02-29") { start volume } } }'
)


def bad_input_message(response: httpx.Response) -> str:
    assert response.status_code == 200
    error = only_error(response)
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    return str(error["message"])


async def test_unknown_tickers_are_named(tiny_client: httpx.AsyncClient) -> None:
    for query in (
        '{ correlations(tickers: ["AAA", "NOPE", "ZZZ"]) { a } }',
        '{ periodReturns(from: "2020-01-01", to: "2020-01-31", tickers: ["NOPE", "ZZZ"])'
        " { ticker } }",
        '{ highestWorthStocks(tickers: ["NOPE", "AAA", "ZZZ"]) { ticker } }',
        '{ mostVolatile(from: "2020-01-01", tickers: ["NOPE", "ZZZ"]) { ticker } }',
        '{ topThirtyDayReturns(tickers: ["NOPE", "ZZZ", "NOPE"]) { ticker } }',
    ):
        message = bad_input_message(await post(tiny_client, query))
        assert "'NOPE', 'ZZZ'" in message
        assert "AAA" not in message


async def test_too_many_tickers_are_refused(tiny_client: httpx.AsyncClient) -> None:
    many = [f"T{index}" for index in range(MAX_CORRELATION_TICKERS + 1)]
    message = bad_input_message(
        await post(tiny_client, "query($t: [String!]!) { correlations(tickers: $t) { a } }", t=many)
    )
    assert f"at most {MAX_CORRELATION_TICKERS}" in message
    watchlist = [f"T{index}" for index in range(MAX_WATCHLIST + 1)]
    query = (
        'query($t: [String!]) { periodReturns(from: "2020-01-01", to: "2020-01-31", '
        "tickers: $t) { ticker } }"
    )
    assert f"at most {MAX_WATCHLIST}" in bad_input_message(
        await post(tiny_client, query, t=watchlist)
    )


@pytest.mark.parametrize(
    "query",
    [
        '{ periodReturns(from: "2020-01-01", to: "2020-01-31", limit: 0) { ticker } }',
        '{ periodReturns(from: "2020-01-01", to: "2020-01-31", limit: 101) { ticker } }',
        '{ periodReturns(from: "2020-02-01", to: "2020-01-31") { ticker } }',
        '{ correlations(tickers: ["AAA"], from: "2020-02-01", to: "2020-01-31") { a } }',
        '{ stock(ticker: "AAA") { candles(from: "2020-02-01", to: "2020-01-31") { start } } }',
        '{ stock(ticker: "AAA") { candles(from: "2020-13-01", to: "2020-01-31") { start } } }',
    ],
)
async def test_bad_arguments_are_bad_user_input(tiny_client: httpx.AsyncClient, query: str) -> None:
    assert bad_input_message(await post(tiny_client, query))


async def test_an_unknown_interval_is_a_validation_error(tiny_client: httpx.AsyncClient) -> None:
    query = (
        '{ stock(ticker: "AAA") { candles(from: "2020-01-01", to: "2020-01-31", interval: HOUR)'
        " { start } } }"
    )
    response = await post(tiny_client, query)
    assert only_error(response)["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_few_tickers_make_no_pairs(tiny_client: httpx.AsyncClient) -> None:
    for tickers in ([], ["AAA"], ["AAA", " AAA "]):
        response = await post(
            tiny_client, "query($t: [String!]!) { correlations(tickers: $t) { a } }", t=tickers
        )
        assert response.json() == {"data": {"correlations": []}}


def monthly_volumes(days: list[Any], ticker: str) -> list[int]:
    by_month: dict[tuple[int, int], int] = {}
    for day in days:
        if day.ticker == ticker:
            key = (day.date.year, day.date.month)
            by_month[key] = by_month.get(key, 0) + day.volume
    return [by_month[key] for key in sorted(by_month)]


async def test_the_request_reads_its_pinned_version(tiny_warehouse: Path) -> None:
    async with app_client(create_app(settings_for(tiny_warehouse))) as client:
        current = await post(client, YEAR_OF_MONTHS)
        old = await client.post(
            "/graphql",
            json={"query": YEAR_OF_MONTHS},
            headers={"x-dataset-version": OLD_VERSION},
        )
        pinned_pairs = await client.post(
            "/graphql",
            json={"query": '{ correlations(tickers: ["AAA", "BBB"]) { a } }'},
            headers={"x-dataset-version": OLD_VERSION},
        )
    assert [c["volume"] for c in current.json()["data"]["stock"]["candles"]] == monthly_volumes(
        tiny_days(), "AAA"
    )
    assert [c["volume"] for c in old.json()["data"]["stock"]["candles"]] == monthly_volumes(
        old_tiny_days(), "AAA"
    )
    assert "'BBB'" in bad_input_message(pinned_pairs)  # the old version has AAA alone


async def test_candles_of_every_stock_take_one_engine_query(tiny_warehouse: Path) -> None:
    counters: list[CountingEngine] = []
    app = create_app(
        settings_for(tiny_warehouse, cache_max_entries=0), engine_opener=counting_opener(counters)
    )
    async with app_client(app) as client:
        response = await post(
            client,
            "{ stocks { edges { node { ticker"
            ' candles(from: "2020-01-01", to: "2020-01-31", interval: WEEK) { start }'
            ' weeks: candles(from: "2020-01-01", to: "2020-01-31", interval: WEEK) { end }'
            ' months: candles(from: "2020-01-01", to: "2020-01-31") { end } } } } }',
        )
    assert response.json()["data"]["stocks"]["edges"][0]["node"]["candles"]
    [engine] = counters
    statements = [statement for statement, _ in engine.statements]
    assert statements.count(CANDLES) == 2  # WEEK for both stocks, MONTH for both stocks


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema(Settings(_env_file=None))._schema  # type: ignore[call-arg]


DATA = DataExtent(date(2013, 1, 2), date(2023, 9, 21), tickers=6, versions=1)


def cost(schema: GraphQLSchema, query: str) -> int | None:
    return operation_cost(schema, parse(query), None, None, DATA)


@pytest.mark.parametrize(
    ("interval", "candles"),
    [
        # 2019-12-30 (a Monday) .. 2021-01-03 (a Sunday): 371 days -> 257 trading days,
        # 53 ISO weeks, 14 months (Dec 2019 .. Jan 2021), 6 quarters, 3 years.
        ("DAY", 257),
        ("WEEK", 53),
        ("MONTH", 14),
        ("QUARTER", 6),
        ("YEAR", 3),
    ],
)
def test_candles_cost_one_per_period(schema: GraphQLSchema, interval: str, candles: int) -> None:
    query = (
        '{ stock(ticker: "A") { candles(from: "2019-12-30", to: "2021-01-03", '
        f"interval: {interval}) {{ open close }} }} }}"
    )
    assert cost(schema, query) == 1 + 1 + candles * 2


def test_weeks_are_counted_from_monday(schema: GraphQLSchema) -> None:
    # A Sunday and the Monday after: two weeks; Monday to Sunday: one.
    weekly = '{ stock(ticker: "A") { candles(from: "%s", to: "%s", interval: WEEK) { open } } }'
    two = weekly % ("2020-01-05", "2020-01-06")
    one = weekly % ("2020-01-06", "2020-01-12")
    assert cost(schema, two) == 2 + 2
    assert cost(schema, one) == 2 + 1
    # the default interval is MONTH; outside the data, nothing
    months = '{ stock(ticker: "A") { candles(from: "2020-01-31", to: "2020-03-01") { open } } }'
    assert cost(schema, months) == 2 + 3
    outside = '{ stock(ticker: "A") { candles(from: "2000-01-01", to: "2000-12-31") { open } } }'
    assert cost(schema, outside) == 2


def test_period_returns_and_correlations_cost(schema: GraphQLSchema) -> None:
    ranked = '{ periodReturns(from: "2020-01-01", to: "2020-12-31") { ticker return } }'
    assert cost(schema, ranked) == 1 + 10 * 2
    five = '{ periodReturns(from: "2020-01-01", to: "2020-12-31", limit: 5) { ticker } }'
    assert cost(schema, five) == 1 + 5
    pairs = '{ correlations(tickers: ["A", "B", "C", "D", "A"]) { a b correlation } }'
    assert cost(schema, pairs) == 1 + 6 * 3  # 4 tickers: 6 pairs
    names = ", ".join(f'"T{index}"' for index in range(MAX_CORRELATION_TICKERS))
    most = f"{{ correlations(tickers: [{names}]) {{ a }} }}"
    assert cost(schema, most) == 1 + MAX_CORRELATION_TICKERS * (MAX_CORRELATION_TICKERS - 1) // 2


def test_the_landing_pages_candle_queries(schema: GraphQLSchema) -> None:
    script = (Path(__file__).parents[2] / "graphql_api/web/static/candles.js").read_text()
    tickers = re.search(r"const TICKERS_QUERY = `(.*?)`", script, re.DOTALL)
    candles = re.search(r"const CANDLES_QUERY = `(.*?)`", script, re.DOTALL)
    assert tickers is not None
    assert candles is not None
    assert cost(schema, tickers.group(1)) == 1 + 100  # limit: 100
    # Daily candles over the whole sample (3,915 days -> 2,703 trading days), 9 fields each.
    whole = {"ticker": "AAPL", "from": "2013-01-02", "to": "2023-09-21", "interval": "DAY"}
    query = parse(candles.group(1))
    assert operation_cost(schema, query, None, whole, DATA) == 1 + 1 + 1 + 2703 * 9


async def test_an_empty_watchlist_ranks_nothing_without_an_engine_query(
    tiny_warehouse: Path,
) -> None:
    counters: list[CountingEngine] = []
    app = create_app(
        settings_for(tiny_warehouse, cache_max_entries=0), engine_opener=counting_opener(counters)
    )
    query = (
        '{ highestWorthStocks(tickers: []) { ticker } mostVolatile(from: "2020-01-01",'
        " tickers: []) { ticker } topThirtyDayReturns(tickers: []) { ticker }"
        ' periodReturns(from: "2020-01-01", to: "2020-02-01", tickers: []) { ticker }'
        ' correlations(tickers: ["AAA"]) { a } }'
    )
    async with app_client(app) as client:
        response = await post(client, query)
    assert response.json() == {
        "data": {
            "highestWorthStocks": [],
            "mostVolatile": [],
            "topThirtyDayReturns": [],
            "periodReturns": [],
            "correlations": [],
        }
    }
    [engine] = counters
    # only correlations' check that its one ticker exists reads the warehouse
    assert [statement for statement, _ in engine.statements] == [STOCKS_BY_TICKER]
