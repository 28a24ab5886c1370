"""install_web on the real app: the landing page, its files, and GraphiQL's local assets."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphql_api.main import create_app
from graphql_api.web import GraphiQLAssetsMissing, install_web
from graphql_api.web.graphiql_assets import LOCAL_PREFIX, cdn_assets
from tests.graphql_api.conftest import app_client, settings_for

HTML = {"accept": "text/html"}


def fake_assets(folder: Path) -> dict[str, bytes]:
    """A folder holding every file the page loads (each with its own content)."""
    contents = {}
    for asset in cdn_assets():
        target = folder / asset.relative_path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(asset.relative_path.encode())
        contents[asset.relative_path] = asset.relative_path.encode()
    return contents


async def test_the_landing_page_and_its_files_are_served(tiny_warehouse: Path) -> None:
    app = create_app(settings_for(tiny_warehouse))
    install_web(app)
    async with app_client(app) as client:
        page = await client.get("/")
        script = await client.get("/static/app.js")
        chart = await client.get("/static/chart.js")
        style = await client.get("/static/style.css")
        graphiql = await client.get("/graphql", headers=HTML)

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


async def test_with_a_folder_graphiql_loads_its_files_from_the_app(
    tiny_warehouse: Path, tmp_path: Path
) -> None:
    contents = fake_assets(tmp_path / "assets")
    app = create_app(settings_for(tiny_warehouse))
    install_web(app, graphiql_assets_dir=tmp_path / "assets")
    async with app_client(app) as client:
        page = await client.get("/graphql", headers=HTML)
        files = {path: await client.get(f"{LOCAL_PREFIX}{path}") for path in contents}
        query = await client.get("/graphql", params={"query": "{ __typename }"})

    assert page.status_code == 200
    assert int(page.headers["content-length"]) == len(page.content)
    assert cdn_assets(page.text) == ()
    for asset in cdn_assets():
        assert f'"{LOCAL_PREFIX}{asset.relative_path}"' in page.text
    assert {path: response.content for path, response in files.items()} == contents
    assert query.json() == {"data": {"__typename": "Query"}}


def test_a_folder_without_the_files_is_refused_with_the_command_that_fetches_them(
    tiny_warehouse: Path, tmp_path: Path
) -> None:
    app = create_app(settings_for(tiny_warehouse))
    with pytest.raises(GraphiQLAssetsMissing) as refused:
        install_web(app, graphiql_assets_dir=tmp_path)
    message = str(refused.value)
    assert f"python -m graphql_api.web.fetch_graphiql_assets {tmp_path}" in message
    assert cdn_assets()[0].relative_path in message
