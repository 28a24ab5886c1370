"""Remembered operation costs (graphql_api/cost_cache.py): a repeat is not costed again,
and every input the cost depends on (query text, operation name, variables, the dataset
version's extent, the schema) gives the cost computed afresh for it."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLSchema, parse

from graphql_api import cost_cache
from graphql_api.config import Settings
from graphql_api.cost import DataExtent, operation_cost
from graphql_api.cost_cache import OperationCosts
from graphql_api.lru import LRU
from graphql_api.main import create_app
from graphql_api.schema import build_schema
from tests.graphql_api.support import app_client, settings_for
from tests.graphql_api.tiny_warehouse import (
    OLD_VERSION,
    tiny_days,
    tiny_version,
    write_warehouse,
)

SMALL = DataExtent(date(2020, 1, 1), date(2020, 12, 31), tickers=2, versions=1)
LARGE = DataExtent(date(2000, 1, 1), date(2020, 12, 31), tickers=500, versions=3)
PRICES = (
    "query Prices($ticker: String!, $from: Date!, $to: Date!) { stock(ticker: $ticker) "
    "{ prices(from: $from, to: $to) { close } } }"
    " query Page($first: Int) { stocks(first: $first) { edges { node { ticker } } } }"
)


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema(Settings(_env_file=None))._schema  # type: ignore[call-arg]


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """Each cost the cache computes (rather than remembers)."""
    calls: list[tuple[Any, ...]] = []

    def counting(*arguments: Any) -> int | None:
        calls.append(arguments)
        return operation_cost(*arguments)

    monkeypatch.setattr(cost_cache, "operation_cost", counting)
    return calls


def cached(
    costs: OperationCosts,
    schema: GraphQLSchema,
    operation: str | None,
    variables: dict[str, Any] | None,
    data: DataExtent,
    query: str = PRICES,
) -> int | None:
    return costs.cost(schema, query, parse(query), operation, variables, data)


def fresh(
    schema: GraphQLSchema,
    operation: str | None,
    variables: dict[str, Any] | None,
    data: DataExtent,
    query: str = PRICES,
) -> int | None:
    return operation_cost(schema, parse(query), operation, variables, data)


# 2020 has 366 days: 366 * 252 / 365 = 252.7 -> 253 trading days; January 31 -> 22.
YEAR = {"ticker": "AAA", "from": "2020-01-01", "to": "2020-12-31"}
MONTH = {"ticker": "AAA", "from": "2020-01-01", "to": "2020-01-31"}


def test_a_repeat_is_remembered(schema: GraphQLSchema, computed: list[tuple[Any, ...]]) -> None:
    costs = OperationCosts()
    first = cached(costs, schema, "Prices", YEAR, SMALL)
    assert cached(costs, schema, "Prices", dict(reversed(YEAR.items())), SMALL) == first
    assert first == fresh(schema, "Prices", YEAR, SMALL) == 1 + 1 + 253
    assert len(computed) == 1


@pytest.mark.parametrize(
    ("operation", "variables", "data"),
    [
        ("Prices", MONTH, SMALL),  # other variables
        ("Prices", YEAR, LARGE),  # another dataset version's extent
        ("Page", {"first": 1}, SMALL),  # another operation of the document
        ("Page", {"first": 1}, LARGE),
        ("Page", {"first": 100}, LARGE),
        ("Page", {"first": 1.0}, LARGE),  # coerces as 1, but is not the same JSON value
        ("Page", {"first": True}, LARGE),  # does not coerce: no cost
        ("Page", None, LARGE),  # the default page
        ("Prices", None, LARGE),  # variables missing: no cost
    ],
)
def test_each_input_is_costed_for_itself(
    schema: GraphQLSchema,
    computed: list[tuple[Any, ...]],
    operation: str,
    variables: dict[str, Any] | None,
    data: DataExtent,
) -> None:
    costs = OperationCosts()
    assert cached(costs, schema, "Prices", YEAR, SMALL) == 255
    assert cached(costs, schema, operation, variables, data) == fresh(
        schema, operation, variables, data
    )
    assert len(computed) == 2  # not the remembered 255


def test_the_changed_inputs_change_the_cost(schema: GraphQLSchema) -> None:
    costs = OperationCosts()
    answers = [
        cached(costs, schema, "Prices", YEAR, SMALL),
        cached(costs, schema, "Prices", MONTH, SMALL),
        cached(costs, schema, "Prices", YEAR, LARGE),
        cached(costs, schema, "Page", {"first": 1}, LARGE),
        cached(costs, schema, "Page", {"first": 100}, LARGE),
        cached(costs, schema, "Page", {"first": True}, LARGE),
    ]
    assert answers == [1 + 1 + 253, 1 + 1 + 22, 1 + 1 + 253, 1 + 1 + 2, 1 + 1 + 200, None]


def test_another_query_text_or_schema_is_costed_afresh(
    schema: GraphQLSchema, computed: list[tuple[Any, ...]]
) -> None:
    costs = OperationCosts()
    other_schema = build_schema(Settings(_env_file=None))._schema  # type: ignore[call-arg]
    two_fields = PRICES.replace("{ close }", "{ close open }")
    assert cached(costs, schema, "Prices", YEAR, SMALL) == 255
    assert cached(costs, schema, "Prices", YEAR, SMALL, query=two_fields) == 1 + 1 + 2 * 253
    assert cached(costs, other_schema, "Prices", YEAR, SMALL) == 255
    assert [call[0] for call in computed] == [schema, schema, other_schema]


def test_variables_that_are_not_plain_json_are_costed_each_time(
    schema: GraphQLSchema, computed: list[tuple[Any, ...]]
) -> None:
    costs = OperationCosts()
    odd = {"ticker": "AAA", "from": date(2020, 1, 1), "to": "2020-12-31"}
    assert cached(costs, schema, "Prices", odd, SMALL) == fresh(schema, "Prices", odd, SMALL)
    assert cached(costs, schema, "Prices", odd, SMALL) == fresh(schema, "Prices", odd, SMALL)
    assert len(computed) == 2


def test_no_query_text_is_costed_each_time(
    schema: GraphQLSchema, computed: list[tuple[Any, ...]]
) -> None:
    costs = OperationCosts()
    for _ in range(2):
        assert costs.cost(schema, None, parse(PRICES), "Prices", YEAR, SMALL) == 255
    assert len(computed) == 2


def test_the_cache_is_bounded_and_drops_the_least_recent(
    schema: GraphQLSchema, computed: list[tuple[Any, ...]]
) -> None:
    costs = OperationCosts(maxsize=2)
    months = [{**MONTH, "to": f"2020-0{month}-28"} for month in (1, 2, 3)]
    cached(costs, schema, "Prices", months[0], SMALL)
    cached(costs, schema, "Prices", months[1], SMALL)
    cached(costs, schema, "Prices", months[0], SMALL)  # now the most recent
    cached(costs, schema, "Prices", months[2], SMALL)  # drops months[1]
    assert len(computed) == 3
    cached(costs, schema, "Prices", months[0], SMALL)
    assert len(computed) == 3
    cached(costs, schema, "Prices", months[1], SMALL)
    assert len(computed) == 4


def test_lru_keeps_none_values_and_refuses_no_room() -> None:
    lru: LRU[str, int | None] = LRU(1)
    assert lru.lookup("a") == (False, None)
    lru.store("a", None)
    assert lru.lookup("a") == (True, None)
    lru.store("b", 2)
    assert (lru.lookup("a"), lru.lookup("b"), len(lru)) == ((False, None), (True, 2), 1)
    with pytest.raises(ValueError, match="at least 1"):
        LRU(0)


STOCKS = "{ stocks { edges { node { ticker } } } }"


async def test_the_app_costs_each_dataset_version_for_itself(tiny_warehouse: Path) -> None:
    """The same query, against versions of 2, 1 and then 3 tickers: stocks 1 + edges 1 +
    2 per ticker (node, ticker), and the limit of 7 refuses only the largest."""
    app = create_app(settings_for(tiny_warehouse, max_query_cost=7))

    async def estimate(version: str | None = None) -> tuple[int, bool]:
        headers = {"X-Query-Stats": "1", **({"x-dataset-version": version} if version else {})}
        response = await client.post("/graphql", json={"query": STOCKS}, headers=headers)
        body = response.json()
        return body["extensions"]["queryStats"]["cost"]["estimated"], "data" in body

    async with app_client(app) as client:
        assert await estimate() == (6, True)
        assert await estimate() == (6, True)
        assert await estimate(OLD_VERSION) == (4, True)
        write_warehouse(tiny_warehouse, tiny_days(("AAA", "BBB", "CCC")), version=tiny_version(3))
        assert await estimate() == (8, False)
        assert await estimate(OLD_VERSION) == (4, True)


def _nested(depth: int) -> Any:
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


async def test_deeply_nested_variables_are_answered_as_without_the_cache(
    tiny_warehouse: Path,
) -> None:
    """Extra variables are not coerced, so graphql-core never walks them; nested 700 deep
    (JSON decodes them) the remembered cost's key must not fail the request either."""
    body = {"query": "{ health { status } }", "variables": {"junk": _nested(700)}}
    async with app_client(create_app(settings_for(tiny_warehouse))) as client:
        answer = await client.post("/graphql", json=body)
    assert answer.status_code == 200
    assert answer.json() == {"data": {"health": {"status": "ok"}}}


def test_large_variables_are_costed_each_time_not_kept(
    schema: GraphQLSchema, computed: list[tuple[Any, ...]]
) -> None:
    """A key the size of a request body in every one of the cache's entries would let a
    client pin about 1.2 MB an entry (a 60 KB list of 20,000 numbers, frozen): ~1.3 GB."""
    costs = OperationCosts()
    bulky = {**MONTH, "junk": [0] * 20_000}
    long_text = {**MONTH, "junk": "x" * 60_000}
    for variables in (bulky, bulky, long_text, long_text):
        assert cached(costs, schema, "Prices", variables, SMALL) == fresh(
            schema, "Prices", variables, SMALL
        )
    assert len(computed) == 4
    assert len(costs._costs) == 0
    small = {**MONTH, "tickers": ["AAA", "BBB"]}
    cached(costs, schema, "Prices", small, SMALL)
    cached(costs, schema, "Prices", small, SMALL)
    assert len(computed) == 5  # small variables are still remembered
