"""Browser tests: headless Debian Chromium driven by Playwright, against the real app.

Chromium is installed with apt-get when it is missing and this runs as root; the
tests skip, saying why, only where it cannot be installed. Playwright only
drives the system browser (``playwright install`` is never run). Nothing leaves
the machine: every request to another host is recorded and aborted, except the
GraphiQL CDN files a test chooses to serve from the npm packages' local copies.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI

from graphql_api.config import Settings
from graphql_api.main import create_app
from graphql_api.web.fetch_graphiql_assets import AssetFetchError, fetch_graphiql_assets
from graphql_api.web.graphiql_assets import missing_assets
from tests.servers import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
APT_TIMEOUT_SECONDS = 900
REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts"
GRAPHIQL_ASSETS = REPO_ROOT / ".cache" / "graphiql-assets"


def _install_chromium() -> str | None:
    """Install Debian's chromium; return why it cannot be, or None once it is there."""
    if os.geteuid() != 0:
        return "not running as root, so apt-get cannot install it"
    if shutil.which("apt-get") is None:
        return "apt-get is not available"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "chromium"],
    ):
        try:
            done = subprocess.run(
                command, env=env, capture_output=True, text=True, timeout=APT_TIMEOUT_SECONDS
            )
        except subprocess.TimeoutExpired:
            return f"`{' '.join(command)}` timed out"
        if done.returncode != 0:
            return f"`{' '.join(command)}` failed: {done.stderr.strip()[-500:]}"
    return None if CHROMIUM.exists() else f"apt-get installed chromium but not {CHROMIUM}"


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.exists():
        reason = _install_chromium()
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


def build_app(warehouse: Path, *, graphiql_assets_dir: Path | None = None) -> FastAPI:
    settings = Settings(warehouse=str(warehouse), graphiql_assets_dir=graphiql_assets_dir)
    return create_app(settings)


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
