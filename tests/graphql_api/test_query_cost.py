"""The static query cost (graphql_api/cost.py): each contract query against a hand
computation, variables, fragments, the refusal before any engine call and its shape,
and the estimate next to what was answered under X-Query-Stats: 1."""

from __future__ import annotations

import re
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLList,
    GraphQLObjectType,
    GraphQLSchema,
    get_introspection_query,
    get_named_type,
    get_nullable_type,
    parse,
)

from graphql_api.config import Settings
from graphql_api.cost import (
    CONNECTION_SIZES,
    DEFAULT_MAX_QUERY_COST,
    LIST_SIZES,
    DataExtent,
    operation_cost,
)
from graphql_api.engines.base import QueryTooCostly
from graphql_api.error_codes import classify
from graphql_api.errors import ErrorCode
from graphql_api.main import create_app
from graphql_api.schema import build_schema
from tests.graphql_api.support import CountingEngine, app_client, counting_opener, settings_for
from tests.graphql_api.test_errors import GRAPHQL_RESPONSE
from tests.graphql_api.test_hostile_documents import HANG_GUARD_SECONDS, fan_out
from tests.graphql_api.tiny_warehouse import Day, tiny_days, write_warehouse
from tests.load.queries import CONTRACT_QUERIES

SAMPLE = DataExtent(date(2013, 1, 2), date(2023, 9, 21), tickers=6, versions=1)
"""The bundled sample data's extent (tests/etl/test_sample_warehouse.py)."""
SP500_20_YEARS = DataExtent(date(2004, 1, 1), date(2023, 12, 31), tickers=500, versions=5)

ISSUE_QUERY = '{ stock(ticker: "AAPL") { prices(from: "2020-07-01", to: "2024-07-31") { close } } }'
APP_JS = Path(__file__).parents[2] / "graphql_api/web/static/app.js"


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema(Settings(_env_file=None))._schema  # type: ignore[call-arg]


def cost(
    schema: GraphQLSchema,
    query: str,
    data: DataExtent = SAMPLE,
    variables: dict[str, Any] | None = None,
    operation: str | None = None,
) -> int | None:
    return operation_cost(schema, parse(query), operation, variables, data)


def test_trading_days_are_calendar_days_times_252_over_365_rounded_up(
    schema: GraphQLSchema,
) -> None:
    # 2020-07-01..2024-07-31 is 1,492 calendar days: 1492 * 252 / 365 = 1030.08 -> 1031.
    # stock 1 + prices 1 + 1031 closes.
    four_years = DataExtent(date(2020, 7, 1), date(2024, 7, 31), tickers=2, versions=1)
    assert cost(schema, ISSUE_QUERY, four_years) == 1 + 1 + 1031
    # Clamped to the data: the sample ends 2023-09-21, so 2020-07-01..2023-09-21 is
    # 1,178 days -> 813.3 -> 814.
    assert cost(schema, ISSUE_QUERY, SAMPLE) == 1 + 1 + 814
    # A range wholly outside the data holds no rows: only the two objects count.
    outside = '{ stock(ticker: "X") { prices(from: "2000-01-01", to: "2000-12-31") { close } } }'
    assert cost(schema, outside, SAMPLE) == 2


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("health", 1 + 2),
        ("dataset", 1 + 6),
        ("mostValuableDay", 1 + 2),
        ("highestWorthStocks", 1 + 3 * 2),  # limit: 3
        ("mostVolatile", 1 + 2 * 3),  # limit: 2
        ("topThirtyDayReturns", 1 + 3 * 4),  # the default limit, 3
        ("stocks", 1 + 1 + 6 * (1 + 4)),  # a page of the sample's six tickers
    ],
)
def test_each_load_test_contract_query(schema: GraphQLSchema, name: str, expected: int) -> None:
    assert cost(schema, CONTRACT_QUERIES[name]) == expected


def test_the_readme_example(schema: GraphQLSchema) -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    query = re.search(r"## The API\n\n```graphql\n(.*?)```", readme, re.DOTALL)
    assert query is not None
    # dataset 1+6, mostValuableDay 1+2, highestWorthStocks(limit: 3) 1+3*2, mostVolatile 1+1*3,
    # topThirtyDayReturns 1+3*4, averageDailyReturn over 21 days (14.5 -> 15 rows) 1+15*3,
    # stock 1+4.
    assert cost(schema, query.group(1)) == 7 + 3 + 7 + 4 + 13 + 46 + 5


def test_the_landing_pages_queries(schema: GraphQLSchema) -> None:
    script = APP_JS.read_text()
    answers = re.search(r"const ANSWERS_QUERY = `(.*?)`", script, re.DOTALL)
    ranged = re.search(r"const RANGE_QUERY = `(.*?)`", script, re.DOTALL)
    assert answers is not None
    assert ranged is not None
    # dataset 1+7, mostValuableDay 1+2, highestWorthStocks 1+2, mostVolatile 1+3,
    # topThirtyDayReturns(limit: 3) 1+3*6
    assert cost(schema, answers.group(1)) == 8 + 3 + 3 + 4 + 19
    # The chart over the whole sample (3,915 days -> 2,703 rows) and over 20 years of
    # 500 tickers (5,044 rows): both well under the default.
    whole = {"from": "2013-01-02", "to": "2023-09-21"}
    assert cost(schema, ranged.group(1), variables=whole) == 1 + 2703 * 3
    twenty = {"from": "2004-01-01", "to": "2023-12-31"}
    assert cost(schema, ranged.group(1), SP500_20_YEARS, twenty) == 1 + 5044 * 3


def test_the_default_limit_passes_a_year_of_prices_and_refuses_everything_for_everyone(
    schema: GraphQLSchema,
) -> None:
    year = (
        '{ stock(ticker: "AAPL") { prices(from: "2022-01-01", to: "2022-12-31") '
        "{ date open high low close volume dailyReturn return30d } } }"
    )
    assert cost(schema, year) == 2 + 252 * 8
    everything = (
        '{ stocks(first: 500) { edges { node { prices(from: "2004-01-01", to: "2023-12-31") '
        "{ close } } } } }"
    )
    assert cost(schema, everything, SP500_20_YEARS) == 1 + 1 + 500 * (1 + 1 + 5044)
    assert (cost(schema, year) or 0) < DEFAULT_MAX_QUERY_COST
    assert (cost(schema, everything, SP500_20_YEARS) or 0) > DEFAULT_MAX_QUERY_COST


def test_variables_are_resolved_with_their_defaults(schema: GraphQLSchema) -> None:
    query = (
        "query Q($from: Date!, $to: Date!, $n: Int! = 5) { "
        "mostVolatile(limit: $n) { ticker } averageDailyReturn(from: $from, to: $to) { date } }"
    )
    january = {"from": "2020-01-01", "to": "2020-01-31"}  # 31 days -> 21.4 -> 22 rows
    assert cost(schema, query, variables=january) == (1 + 5) + (1 + 22)
    assert cost(schema, query, variables={**january, "n": 40}) == (1 + 40) + (1 + 22)
    # Variables that do not coerce: no estimate; execution refuses them as BAD_USER_INPUT.
    assert cost(schema, query, variables={"from": "2020-13-45", "to": "2020-01-31"}) is None
    assert cost(schema, query, variables={"to": "2020-01-31"}) is None
    # A limit outside 1..100 fails its field: nothing below it is answered.
    assert cost(schema, query, variables={**january, "n": 500}) == 1 + (1 + 22)


def test_datasets_count_the_retained_versions(schema: GraphQLSchema) -> None:
    assert cost(schema, "{ datasets { version rows } }", SP500_20_YEARS) == 1 + 5 * 2


def test_fragments_and_aliases(schema: GraphQLSchema) -> None:
    query = """
    query Prices($from: Date!, $to: Date!) {
      stocks { edges { node { ...Prices } } }
      first: stock(ticker: "A") { ...Prices ... on Stock { ticker } }
    }
    fragment Prices on Stock { ticker prices(from: $from, to: $to) { ...Close date } }
    fragment Close on DailyPrice { close }
    """
    january = {"from": "2020-01-01", "to": "2020-01-31"}  # 22 rows
    per_stock = 1 + 1 + 22 * 2  # ticker, prices, (close + date) per row
    assert cost(schema, query, variables=january) == (1 + 1 + 6 * (1 + per_stock)) + (1 + per_stock)


def test_fields_merge_as_execution_merges_them(schema: GraphQLSchema) -> None:
    # 2^50 spreads collapse to one `health { status }` when executed: costed as that.
    started = time.monotonic()
    assert cost(schema, fan_out(50)) == 2
    leaf = "stocks { edges { node { ticker } } } stocks { edges { node { tradingDays } } }"
    assert cost(schema, fan_out(50, leaf=leaf)) == 1 + 1 + 6 * (1 + 2)
    assert time.monotonic() - started < HANG_GUARD_SECONDS  # exponential would never finish
    # Distinct response keys are distinct fields, each answered.
    aliased = "{ a: stocks { edges { node { ticker } } } b: stocks { edges { node { ticker } } } }"
    assert cost(schema, aliased) == 2 * (1 + 1 + 6 * (1 + 1))


def test_the_introspection_query_is_cheap(schema: GraphQLSchema) -> None:
    assert (cost(schema, get_introspection_query()) or 0) < 1000


def test_every_list_field_of_the_schema_has_a_size(schema: GraphQLSchema) -> None:
    fields = [
        (type_.name, name, field)
        for type_ in schema.type_map.values()
        if isinstance(type_, GraphQLObjectType) and not type_.name.startswith("__")
        for name, field in type_.fields.items()
    ]
    connections = {
        (parent, name): get_named_type(field.type).name
        for parent, name, field in fields
        if get_named_type(field.type).name.endswith("Connection")
    }
    assert set(connections) == set(CONNECTION_SIZES)
    lists = {
        (parent, name)
        for parent, name, field in fields
        if isinstance(get_nullable_type(field.type), GraphQLList)
        and isinstance(get_named_type(field.type), GraphQLObjectType)
        and parent not in connections.values()  # a connection's edges: CONNECTION_SIZES
    }
    assert lists == set(LIST_SIZES)


def test_a_connection_costs_its_page(schema: GraphQLSchema) -> None:
    page = (
        "{ dataset { rejections%s { totalCount pageInfo { hasNextPage endCursor }"
        " edges { cursor node { line raw { date } } } } } }"
    )
    # edge: cursor 1 + node (1 + line 1 + raw (1 + 1)) = 5; edges 1 + first × 5;
    # rejections 1 + totalCount 1 + pageInfo 3 + edges; dataset 1 + rejections.
    assert cost(schema, page % "(first: 50)") == 1 + 1 + 1 + 3 + 1 + 50 * 5
    assert cost(schema, page % "") == 1 + 1 + 1 + 3 + 1 + 100 * 5  # the default page
    assert cost(schema, page % "(first: null)") == 1 + 1 + 1 + 3 + 1 + 100 * 5
    assert cost(schema, page % "(first: 0)") == 1 + 1 + 1 + 3 + 1
    assert cost(schema, page % "(first: 501)") == 1 + 1 + 1 + 3 + 1  # refused when run
    assert (
        cost(
            schema,
            "query($n: Int) { dataset { rejections(first: $n) { edges { cursor } } } }",
            variables={"n": 20},
        )
        == 1 + 1 + 1 + 20
    )
    # Every retained version's page: 5 versions × (anomalies 1 + edges 1 + 100 × node 2).
    every_version = "{ datasets { anomalies { edges { node { ticker } } } } }"
    assert cost(schema, every_version, SP500_20_YEARS) == 1 + 5 * (1 + 1 + 100 * 2)


def test_classify_maps_a_query_too_costly() -> None:
    classified = classify(QueryTooCostly("too big", bytesEstimated=2, bytesCutoff=1))
    assert (classified.code, classified.status) == (ErrorCode.QUERY_TOO_COSTLY, 400)


def four_years(tickers: tuple[str, ...] = ("AAPL", "MSFT")) -> list[Day]:
    days = []
    for offset, ticker in enumerate(tickers):
        day, step = date(2020, 7, 1), 0
        while day <= date(2024, 7, 31):
            if day.weekday() < 5:
                days.append(Day(ticker, day, 100.0 + offset + (step * 7 % 13), 1000 + step))
                step += 1
            day += timedelta(days=1)
    return days


@pytest.fixture(scope="module")
def four_year_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_warehouse(tmp_path_factory.mktemp("cost") / "warehouse", four_years())


@pytest.mark.parametrize(("accept", "status"), [("application/json", 200), (GRAPHQL_RESPONSE, 400)])
async def test_over_the_limit_is_refused_before_any_engine_call(
    four_year_warehouse: Path, monkeypatch: pytest.MonkeyPatch, accept: str, status: int
) -> None:
    monkeypatch.setenv("STOCK_ANALYTICS_MAX_QUERY_COST", "1000")
    settings = Settings(warehouse=str(four_year_warehouse), dataset_check_seconds=0)
    assert settings.max_query_cost == 1000
    counters: list[CountingEngine] = []
    app = create_app(settings, engine_opener=counting_opener(counters))
    async with app_client(app) as client:
        refused = await client.post(
            "/graphql", json={"query": ISSUE_QUERY}, headers={"accept": accept}
        )
        assert counters[0].statements == []  # refused before any engine call
        answered = await client.post("/graphql", json={"query": "{ mostVolatile { ticker } }"})
    assert refused.status_code == status
    assert refused.headers["content-type"].startswith(accept)
    assert refused.json() == {
        "errors": [
            {
                "message": "The query's estimated cost 1,033 is over the limit 1,000: ask for "
                "a shorter range, fewer rows or fewer fields (docs/api.md, Query cost)",
                "extensions": {"code": "QUERY_TOO_COSTLY", "cost": 1033, "maxCost": 1000},
            }
        ]
    }
    assert "errors" not in answered.json()
    [most_volatile] = answered.json()["data"]["mostVolatile"]
    assert most_volatile["ticker"] in {"AAPL", "MSFT"}
    assert len(counters[0].statements) == 1


async def test_query_stats_report_the_estimate_next_to_the_answer(tiny_warehouse: Path) -> None:
    query = '{ stock(ticker: "AAA") { prices(from: "2020-01-01", to: "2020-01-31") { close } } }'
    app = create_app(settings_for(tiny_warehouse))
    async with app_client(app) as client:
        reported = await client.post(
            "/graphql", json={"query": query}, headers={"X-Query-Stats": "1"}
        )
        plain = await client.post("/graphql", json={"query": query})
    body = reported.json()
    prices = body["data"]["stock"]["prices"]
    assert len(prices) == 23  # January 2020's weekdays
    # Estimated: 31 days -> 22 rows, + stock + prices. Answered: 23 rows, + stock + prices.
    assert body["extensions"]["queryStats"]["cost"] == {
        "estimated": 24,
        "max": DEFAULT_MAX_QUERY_COST,
        "values": 25,
        "rows": 23,
    }
    assert "extensions" not in plain.json()


async def test_a_refusal_is_reported_in_the_stats_too(tiny_warehouse: Path) -> None:
    app = create_app(settings_for(tiny_warehouse, max_query_cost=7))
    async with app_client(app) as client:
        response = await client.post(
            "/graphql",
            # stocks 1 + edges 1 + 2 tickers * (node 1 + 2 fields) = 8
            json={"query": "{ stocks { edges { node { ticker tradingDays } } } }"},
            headers={"X-Query-Stats": "1"},
        )
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"] == {"code": "QUERY_TOO_COSTLY", "cost": 8, "maxCost": 7}
    stats = body["extensions"]["queryStats"]
    assert stats["cost"] == {"estimated": 8, "max": 7, "values": 0, "rows": 0}
    assert stats["engineQueries"] == []


async def test_an_unknown_dataset_version_is_not_costed_but_explained(tiny_warehouse: Path) -> None:
    app = create_app(settings_for(tiny_warehouse, max_query_cost=1))
    async with app_client(app) as client:
        response = await client.post(
            "/graphql",
            json={"query": "{ stocks { edges { node { ticker } } } }"},
            headers={"x-dataset-version": "20000101T000000Z-000000"},
        )
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "is not a retained version" in error["message"]


async def test_the_tiny_client_answers_under_the_default(tiny_client: httpx.AsyncClient) -> None:
    response = await tiny_client.post("/graphql", json={"query": CONTRACT_QUERIES["stocks"]})
    assert "errors" not in response.json()
    assert len(response.json()["data"]["stocks"]["edges"]) == 2
    assert tiny_days()  # the fixture's data: two tickers
