"""The REST aliases serve the very records of the GraphQL types: each body is the GraphQL
answer to the same question, every field of the type under the same name."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

ALIASES = [
    pytest.param("/metrics/most-valuable-day", {}, "mostValuableDay", "", id="valuable"),
    pytest.param(
        "/metrics/most-valuable-day",
        {"from_date": "2020-01-01", "to_date": "2020-01-31"},
        "mostValuableDay",
        '(from: "2020-01-01", to: "2020-01-31")',
        id="valuable-in-range",
    ),
    pytest.param(
        "/metrics/most-volatile", {"limit": 2}, "mostVolatile", "(limit: 2)", id="volatile"
    ),
    pytest.param(
        "/metrics/most-volatile",
        {"from_date": "2020-01-01", "to_date": "2020-02-15", "limit": 2},
        "mostVolatile",
        '(from: "2020-01-01", to: "2020-02-15", limit: 2)',
        id="volatile-in-range",
    ),
    *(
        pytest.param(
            f"/metrics/{path}",
            {"from_date": "2019-12-01", "to_date": "2020-01-31"},
            "averageDailyReturn",
            '(from: "2019-12-01", to: "2020-01-31")',
            id=path,
        )
        for path in ("average-daily-return", "daily-average-return")
    ),
]


async def _graphql(client: httpx.AsyncClient, query: str) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query})
    body = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def _field_names(client: httpx.AsyncClient, query_field: str) -> list[str]:
    """The GraphQL names of every field of the type `query_field` answers with."""
    data = await _graphql(
        client,
        '{ __type(name: "Query") { fields { name type { name ofType { name ofType { name '
        "ofType { name } } } } } } }",
    )
    [field] = [f for f in data["__type"]["fields"] if f["name"] == query_field]
    kind = field["type"]
    while kind["name"] is None:
        kind = kind["ofType"]
    named = await _graphql(client, f'{{ __type(name: "{kind["name"]}") {{ fields {{ name }} }} }}')
    return [f["name"] for f in named["__type"]["fields"]]


@pytest.mark.parametrize(("path", "params", "query_field", "arguments"), ALIASES)
async def test_a_rest_alias_answers_as_graphql_does(
    tiny_client: httpx.AsyncClient,
    path: str,
    params: dict[str, Any],
    query_field: str,
    arguments: str,
) -> None:
    fields = await _field_names(tiny_client, query_field)
    rest = await tiny_client.get(path, params=params)
    data = await _graphql(tiny_client, f"{{ {query_field}{arguments} {{ {' '.join(fields)} }} }}")
    assert rest.status_code == 200
    assert data[query_field]  # a non-empty answer, so the comparison says something
    assert rest.json() == data[query_field]
