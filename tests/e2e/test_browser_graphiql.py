"""GraphiQL at /graphql, in headless Chromium: a query typed into the editor is answered."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from graphql_api.web.graphiql_assets import LOCAL_PREFIX, cdn_assets
from tests.e2e import sample_csv
from testsupport.servers import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DAY = "2020-03-16"
QUERY = f"""{{
  dataset {{
    stocks
    lastDate
  }}
  averageDailyReturn(from: "{DAY}", to: "{DAY}") {{
    date
    averageReturn
    stocks
  }}
}}"""
RESPONSE_EDITOR = ".graphiql-response .CodeMirror"


def run_typed_query(page: Any, url: str, query: str) -> tuple[dict[str, Any], str]:
    """Open GraphiQL, type ``query`` over the example, run it; return the answer and its text."""
    page.goto(f"{url}/graphql")
    page.locator(".graphiql-query-editor .CodeMirror").click()
    page.keyboard.press("Control+A")
    # insert_text types the text as one input, so the editor does not auto-close brackets.
    page.keyboard.insert_text(query)
    page.keyboard.press("Control+Enter")
    page.wait_for_function(
        "selector => document.querySelector(selector)?.CodeMirror.getValue().includes('data')",
        arg=RESPONSE_EDITOR,
    )
    answer = page.evaluate(
        "selector => document.querySelector(selector).CodeMirror.getValue()", RESPONSE_EDITOR
    )
    return json.loads(answer), page.locator(".graphiql-response").inner_text()


def test_graphiql_answers_a_typed_query_with_its_cdn_files_served_from_npm_copies(
    page: Any,
    server: LiveServer,
    graphiql_assets: Path,
    api: Any,
    artifacts: Path,
    external_requests: list[str],
) -> None:
    assets = {asset.url: asset for asset in cdn_assets()}
    served: list[str] = []

    def serve_from_npm_copy(route: Any) -> None:
        asset = assets[route.request.url]
        served.append(asset.url)
        # The page loads these with `crossorigin` and checks their integrity hashes.
        route.fulfill(
            path=graphiql_assets / asset.relative_path,
            headers={"Access-Control-Allow-Origin": "*"},
        )

    page.context.route(lambda url: url in assets, serve_from_npm_copy)

    answer, shown = run_typed_query(page, server.url, QUERY)
    page.screenshot(path=artifacts / "graphiql.png")

    assert answer == api(server, QUERY)
    assert answer["data"]["dataset"] == {
        "stocks": sample_csv.ticker_count(),
        "lastDate": sample_csv.last_date(),
    }
    [day] = answer["data"]["averageDailyReturn"]
    assert day["date"] == DAY
    assert day["stocks"] == sample_csv.ticker_count()
    assert day["averageReturn"] == pytest.approx(
        sample_csv.average_daily_returns(DAY, DAY)[DAY], rel=1e-12
    )
    assert f'"lastDate": "{sample_csv.last_date()}"' in shown
    assert sorted(served) == sorted(assets)
    assert external_requests == []


def test_graphiql_loads_its_files_from_the_app_when_a_local_folder_is_set(
    page: Any, local_assets_server: LiveServer, artifacts: Path, external_requests: list[str]
) -> None:
    loaded: list[str] = []
    page.on(
        "requestfinished",
        lambda request: (
            request.resource_type in ("script", "stylesheet") and loaded.append(request.url)
        ),
    )

    answer, _ = run_typed_query(page, local_assets_server.url, "{ dataset { stocks } }")
    page.screenshot(path=artifacts / "graphiql-local-assets.png")

    assert answer == {"data": {"dataset": {"stocks": sample_csv.ticker_count()}}}
    local_urls = {
        f"{local_assets_server.url}{LOCAL_PREFIX}{asset.relative_path}" for asset in cdn_assets()
    }
    assert set(loaded) == local_urls
    assert external_requests == []
