"""install_web: the landing page, its files, and GraphiQL's local assets.

The app here is FastAPI with a Strawberry GraphQL router and nothing else, so
these tests hold whether or not create_app already installs the web part;
tests/e2e runs the real app.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import strawberry
from fastapi import FastAPI
from strawberry.fastapi import GraphQLRouter

from graphql_api.web import GraphiQLAssetsMissing, install_web
from graphql_api.web.graphiql_assets import LOCAL_PREFIX, cdn_assets

HTML = {"accept": "text/html"}


@strawberry.type
class Query:
    @strawberry.field
    def greeting(self) -> str:
        return "hello"


def graphql_app() -> FastAPI:
    app = FastAPI()
    app.include_router(GraphQLRouter(strawberry.Schema(Query)), prefix="/graphql")
    return app


def client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


def fake_assets(folder: Path) -> dict[str, bytes]:
    """A folder holding every file the page loads (each with its own content)."""
    contents = {}
    for asset in cdn_assets():
        target = folder / asset.relative_path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(asset.relative_path.encode())
        contents[asset.relative_path] = asset.relative_path.encode()
    return contents


async def test_the_landing_page_and_its_files_are_served() -> None:
    app = graphql_app()
    install_web(app)
    async with client(app) as http:
        page = await http.get("/")
        script = await http.get("/static/app.js")
        chart = await http.get("/static/chart.js")
        style = await http.get("/static/style.css")
        graphiql = await http.get("/graphql", headers=HTML)

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="/static/app.js">' in page.text
    assert 'href="/graphql"' in page.text
    assert "https://" not in page.text
    assert script.headers["content-type"].startswith("text/javascript")
    assert 'from "./chart.js"' in script.text
    assert "export function drawLineChart" in chart.text
    assert style.headers["content-type"].startswith("text/css")
    assert all(asset.url in graphiql.text for asset in cdn_assets())


async def test_with_a_folder_graphiql_loads_its_files_from_the_app(tmp_path: Path) -> None:
    contents = fake_assets(tmp_path)
    app = graphql_app()
    install_web(app, graphiql_assets_dir=tmp_path)
    async with client(app) as http:
        page = await http.get("/graphql", headers=HTML)
        files = {path: await http.get(f"{LOCAL_PREFIX}{path}") for path in contents}
        query = await http.get("/graphql", params={"query": "{ greeting }"})

    assert page.status_code == 200
    assert int(page.headers["content-length"]) == len(page.content)
    assert cdn_assets(page.text) == ()
    for asset in cdn_assets():
        assert f'"{LOCAL_PREFIX}{asset.relative_path}"' in page.text
    assert {path: response.content for path, response in files.items()} == contents
    assert query.headers["content-type"] == "application/json"
    assert query.json() == {"data": {"greeting": "hello"}}


def test_a_folder_without_the_files_is_refused_with_the_command_that_fetches_them(
    tmp_path: Path,
) -> None:
    with pytest.raises(GraphiQLAssetsMissing) as refused:
        install_web(graphql_app(), graphiql_assets_dir=tmp_path)
    message = str(refused.value)
    assert f"python -m graphql_api.web.fetch_graphiql_assets {tmp_path}" in message
    assert cdn_assets()[0].relative_path in message
