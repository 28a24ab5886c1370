"""Browser tests: headless Debian Chromium driven by Playwright, against the real app.

Chromium is installed with apt-get when it is missing and this runs as root; the
tests skip, saying why, only where it cannot be installed. Playwright only
drives the system browser (``playwright install`` is never run). Nothing leaves
the machine: every request to another host is recorded and aborted, except the
GraphiQL CDN files a test chooses to serve from the npm packages' local copies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from graphql_api.web.fetch_graphiql_assets import AssetFetchError, fetch_graphiql_assets
from graphql_api.web.graphiql_assets import missing_assets
from tests.e2e.browser import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    GRAPHIQL_ASSETS,
    build_app,
    install_chromium,
)
from testsupport.servers import LiveServer


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.exists():
        reason = install_chromium()
        if reason is not None:
            pytest.skip(f"browser tests need Chromium at {CHROMIUM}; {reason}")
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium: Path) -> Iterator[Any]:
    """One browser per test module: Playwright's sync API keeps an event loop running
    in this thread while it is open, which would break every async test after it."""
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is a dev dependency: pip install -e '.[dev]'"
    )
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def graphiql_assets() -> Path:
    """Local copies of the files Strawberry's GraphiQL page loads from the CDN."""
    if missing_assets(GRAPHIQL_ASSETS):
        try:
            fetch_graphiql_assets(GRAPHIQL_ASSETS)
        except AssetFetchError as error:
            pytest.skip(f"GraphiQL's npm packages could not be copied: {error}")
    return GRAPHIQL_ASSETS


@pytest.fixture(scope="module")
def server(sample_warehouse: Path) -> Iterator[LiveServer]:
    """The app as shipped: GraphiQL loads its files from the CDN.

    Module-scoped, like every live app here: while an app runs, its JSON log
    handler sits on the process's root logger, which later tests must not inherit.
    """
    with LiveServer(build_app(sample_warehouse)) as live:
        yield live


@pytest.fixture(scope="module")
def local_assets_server(sample_warehouse: Path, graphiql_assets: Path) -> Iterator[LiveServer]:
    """The app with GraphiQL's files served from a local folder."""
    with LiveServer(build_app(sample_warehouse, graphiql_assets_dir=graphiql_assets)) as live:
        yield live


@pytest.fixture
def external_requests() -> list[str]:
    """Every request the page tried to send off the machine (each one was aborted)."""
    return []


@pytest.fixture
def page(browser: Any, external_requests: list[str]) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})

    def abort_external(route: Any) -> None:
        external_requests.append(route.request.url)
        route.abort()

    context.route(lambda url: urlsplit(url).hostname != "127.0.0.1", abort_external)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def api() -> Callable[[LiveServer, str, dict[str, Any] | None], dict[str, Any]]:
    """POST a query to a server's /graphql over plain HTTP; return the JSON body."""

    def post(server: LiveServer, query: str, variables: dict[str, Any] | None = None) -> Any:
        response = httpx.post(
            f"{server.url}/graphql", json={"query": query, "variables": variables or {}}
        )
        return response.json()

    return post
