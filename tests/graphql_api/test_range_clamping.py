"""Every ranged field, found by introspection (and every ranged REST alias, found in the
OpenAPI document), clamps a range wider than the data to the data's span before the
longest-range check, and answers a range wholly outside the data with nothing, not an
error. A field added later is checked without changing this test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from graphql_api.config import Settings
from graphql_api.main import create_app

MAX_RANGE_DAYS = 100
"""Longer than the tiny data (2019-12-02..2020-02-28), far shorter than WIDE."""
WIDE = ("1900-01-01", "2100-12-31")
BEFORE = ("1800-01-01", "1900-12-31")
AFTER = ("2030-01-01", "2100-12-31")
OWNERS = {"Query": "{ FIELD }", "Stock": '{ stock(ticker: "AAA") { FIELD } }'}
"""Where each type with ranged fields is reached from the root."""
LEAVES = ("SCALAR", "ENUM")
REQUIRED_ARGUMENTS = {"tickers": '["AAA", "BBB"]'}
"""Values for the other required arguments a ranged field may have (the tiny data's tickers)."""

TYPE_REF = "kind name ofType { kind name ofType { kind name ofType { kind name } } }"
SCHEMA_QUERY = (
    "{ __schema { types { name fields { name type { " + TYPE_REF + " } "
    "args { name defaultValue type { " + TYPE_REF + " } } } } } }"
)


@asynccontextmanager
async def _client(warehouse: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        warehouse=str(warehouse),
        dataset_check_seconds=0,
        max_range_days=MAX_RANGE_DAYS,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
            yield client


async def _data(client: httpx.AsyncClient, query: str) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query})
    document = response.json()
    assert response.status_code == 200, document
    assert "errors" not in document, (query, document["errors"])
    data: dict[str, Any] = document["data"]
    return data


def _named(reference: dict[str, Any]) -> dict[str, Any]:
    while reference.get("ofType"):
        reference = reference["ofType"]
    return reference


def _ranged_fields(types: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(owner type, field, query template with a `{range}` slot) of every field with
    `from` and `to` arguments, selecting every leaf of what it returns."""
    by_name = {t["name"]: t for t in types}
    found = []
    for owner in types:
        for field in owner["fields"] or ():
            arguments = {a["name"]: a for a in field["args"]}
            if not {"from", "to"} <= arguments.keys():
                continue
            assert owner["name"] in OWNERS, f"{owner['name']}.{field['name']}: reach it here"
            unset = [
                name
                for name, a in arguments.items()
                if name not in ("from", "to")
                and a["type"]["kind"] == "NON_NULL"
                and a["defaultValue"] is None
            ]
            unknown = [name for name in unset if name not in REQUIRED_ARGUMENTS]
            assert not unknown, f"{owner['name']}.{field['name']} also requires {unknown}"
            given = "".join(f", {name}: {REQUIRED_ARGUMENTS[name]}" for name in unset)
            returned = _named(field["type"])
            selection = ""
            if returned["kind"] not in LEAVES:
                leaves = [
                    f["name"]
                    for f in by_name[returned["name"]]["fields"]
                    if _named(f["type"])["kind"] in LEAVES and not f["args"]
                ]
                selection = " { " + " ".join(leaves) + " }"
            call = field["name"] + "({range}" + given + ")" + selection
            found.append(
                (owner["name"], field["name"], OWNERS[owner["name"]].replace("FIELD", call))
            )
    return found


def _asked(template: str, span: tuple[str, str]) -> str:
    return template.replace("{range}", f'from: "{span[0]}", to: "{span[1]}"')


def _empty(data: dict[str, Any]) -> bool:
    value: Any = data
    while isinstance(value, dict) and len(value) == 1:
        (value,) = value.values()
    return value is None or value == []


async def test_every_ranged_field_clamps_a_wide_range_and_answers_none_outside(
    tiny_warehouse: Path,
) -> None:
    async with _client(tiny_warehouse) as client:
        schema = await _data(client, SCHEMA_QUERY)
        dataset = (await _data(client, "{ dataset { firstDate lastDate } }"))["dataset"]
        exact = (dataset["firstDate"], dataset["lastDate"])
        fields = _ranged_fields(schema["__schema"]["types"])
        assert {("Query", "averageDailyReturn"), ("Stock", "prices")} <= {
            (owner, name) for owner, name, _ in fields
        }
        for owner, name, template in fields:
            wide = await _data(client, _asked(template, WIDE))
            assert wide == await _data(client, _asked(template, exact)), f"{owner}.{name}"
            assert not _empty(wide), f"{owner}.{name} answers nothing over the whole data"
            for outside in (BEFORE, AFTER):
                answer = await _data(client, _asked(template, outside))
                assert _empty(answer), f"{owner}.{name} over {outside}: {answer}"


async def test_every_ranged_rest_alias_clamps_a_wide_range_and_answers_none_outside(
    tiny_warehouse: Path,
) -> None:
    async with _client(tiny_warehouse) as client:
        paths = (await client.get("/openapi.json")).json()["paths"]
        dataset = (await _data(client, "{ dataset { firstDate lastDate } }"))["dataset"]

        async def ask(path: str, span: tuple[str, str]) -> Any:
            response = await client.get(path, params={"from_date": span[0], "to_date": span[1]})
            assert response.status_code == 200, (path, span, response.text)
            return response.json()

        ranged = [
            path
            for path, item in paths.items()
            if {"from_date", "to_date"} <= {p["name"] for p in item["get"].get("parameters", ())}
        ]
        assert "/metrics/average-daily-return" in ranged
        for path in ranged:
            wide = await ask(path, WIDE)
            assert wide == await ask(path, (dataset["firstDate"], dataset["lastDate"])), path
            assert wide not in (None, []), path
            for outside in (BEFORE, AFTER):
                assert await ask(path, outside) in (None, []), (path, outside)
