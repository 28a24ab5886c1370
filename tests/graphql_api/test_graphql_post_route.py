"""POST /graphql is answered by a plain route, without FastAPI's dependency solving, and
answers what Strawberry's own POST route answers (GET still goes through it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import routing

from graphql_api.main import create_app
from tests.graphql_api.support import app_client, settings_for

QUERY = '{ averageDailyReturn(from: "2000-01-01", to: "2030-01-01") { date averageReturn stocks } }'


async def test_a_post_solves_no_dependencies_and_answers_as_a_get_does(
    tiny_warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    solved: list[str] = []
    solve = routing.solve_dependencies

    async def counted(*args: Any, **kwargs: Any) -> Any:
        solved.append(kwargs["request"].method)
        return await solve(*args, **kwargs)

    monkeypatch.setattr(routing, "solve_dependencies", counted)
    async with app_client(create_app(settings_for(tiny_warehouse))) as client:
        posted = await client.post("/graphql", json={"query": QUERY})
        got = await client.get("/graphql", params={"query": QUERY})
        paths = (await client.get("/openapi.json")).json()["paths"]
    assert solved == ["GET"]
    assert posted.status_code == got.status_code == 200
    assert posted.json() == got.json()
    assert posted.json()["data"]["averageDailyReturn"]
    assert {"get", "post"} <= paths["/graphql"].keys()
