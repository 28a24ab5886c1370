"""The exploration benchmark's queries: valid against the schema, and under the cost limit
on the 2.5 M-row warehouse's extent (500 tickers over 20 years)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from graphql import parse, validate

from bench.exploration_bench import QUERIES
from graphql_api.config import Settings
from graphql_api.cost import DEFAULT_MAX_QUERY_COST, DataExtent, operation_cost
from graphql_api.schema import build_schema

LARGE = DataExtent(date(2005, 1, 3), date(2024, 12, 31), tickers=500, versions=1)
VARIABLES = {
    "ticker": "T1",
    **{name: f"T{index}" for index, name in enumerate("abcde")},
    "tickers": [f"T{index}" for index in range(5)],
    "tickers20": [f"T{index}" for index in range(20)],
}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_each_query_is_valid_and_affordable(name: str) -> None:
    schema = build_schema(Settings(_env_file=None))._schema  # type: ignore[call-arg]
    document = parse(QUERIES[name])
    assert validate(schema, document) == []
    used = {key: value for key, value in VARIABLES.items() if f"${key}:" in QUERIES[name]}
    cost = operation_cost(schema, document, None, json.loads(json.dumps(used)), LARGE)
    assert cost is not None
    assert 1 < cost < DEFAULT_MAX_QUERY_COST
