"""allow_introspection: off refuses __schema and __type with a clear error; queries work."""

from __future__ import annotations

from pathlib import Path

from graphql_api.main import create_app
from tests.graphql_api.support import app_client, settings_for


async def test_introspection_off_refuses_schema_queries(tiny_warehouse: Path) -> None:
    app = create_app(settings_for(tiny_warehouse, allow_introspection=False))
    async with app_client(app) as client:
        schema = await client.post("/graphql", json={"query": "{ __schema { types { name } } }"})
        type_ = await client.post("/graphql", json={"query": '{ __type(name: "Stock") { name } }'})
        normal = await client.post(
            "/graphql", json={"query": "{ __typename mostValuableDay { date } }"}
        )
    for refused, field in ((schema, "__schema"), (type_, "__type")):
        errors = refused.json()["errors"]
        assert {error["extensions"]["code"] for error in errors} == {"GRAPHQL_VALIDATION_FAILED"}
        assert errors[0]["message"] == (
            "GraphQL introspection has been disabled, but the requested query contained "
            f"the field '{field}'."
        )
        assert "data" not in refused.json()
    assert normal.json()["data"]["__typename"] == "Query"
    assert normal.json()["data"]["mostValuableDay"]["date"]


async def test_introspection_is_on_by_default(tiny_warehouse: Path) -> None:
    async with app_client(create_app(settings_for(tiny_warehouse))) as client:
        response = await client.post(
            "/graphql", json={"query": "{ __schema { queryType { name } } }"}
        )
    assert response.json() == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


SUGGESTING = [
    ("{ helth { status } }", "Cannot query field 'helth' on type 'Query'."),
    (
        "{ mostVolatile(limt: 2) { ticker } }",
        "Unknown argument 'limt' on field 'Query.mostVolatile'.",
    ),
    ("query($d: Dat) { mostValuableDay(from: $d) { date } }", "Unknown type 'Dat'."),
]


async def test_introspection_off_names_nothing_in_suggestions(tiny_warehouse: Path) -> None:
    """graphql-core's "Did you mean ...?" would name the schema's fields one guess at a time."""
    closed = create_app(settings_for(tiny_warehouse, allow_introspection=False))
    opened = create_app(settings_for(tiny_warehouse))
    for query, message in SUGGESTING:
        async with app_client(closed) as client:
            hidden = (await client.post("/graphql", json={"query": query})).json()
        async with app_client(opened) as client:
            shown = (await client.post("/graphql", json={"query": query})).json()
        assert message in hidden["errors"][0]["message"]
        assert all("Did you mean" not in error["message"] for error in hidden["errors"]), hidden
        assert {error["extensions"]["code"] for error in hidden["errors"]} == {
            "GRAPHQL_VALIDATION_FAILED"
        }
        assert shown["errors"][0]["message"].startswith(message + " Did you mean")
