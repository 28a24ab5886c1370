"""The graphql-http server audit suite (GraphQL over HTTP conformance) against the real server."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import NoReturn

import pytest

from testsupport.paths import CACHE
from testsupport.servers import serving
from testsupport.unavailable import unavailable

GRAPHQL_HTTP_VERSION = "1.23.1"
GRAPHQL_VERSION = "16.11.0"  # graphql-http's peer dependency
NODE_CACHE = CACHE / "node"
AUDIT_SCRIPT = Path(__file__).with_name("graphql_http_audit.mjs")


def _unavailable(reason: str) -> NoReturn:
    unavailable("graphql-http audit", reason)


@pytest.fixture(scope="module")
def graphql_http_module() -> Path:
    """graphql-http, installed once into the git-ignored .cache/node."""
    module = NODE_CACHE / "node_modules" / "graphql-http"
    installed = module / "package.json"
    if installed.exists() and json.loads(installed.read_text())["version"] == GRAPHQL_HTTP_VERSION:
        return module
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        _unavailable("node and npm are not installed")
    command = [
        str(npm),
        "install",
        "--no-audit",
        "--no-fund",
        "--prefix",
        str(NODE_CACHE),
        f"graphql-http@{GRAPHQL_HTTP_VERSION}",
        f"graphql@{GRAPHQL_VERSION}",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:
        _unavailable(f"`npm install` failed: {done.stderr.strip()[-1000:]}")
    return module


def test_every_audit_passes_without_warnings(
    graphql_http_module: Path, tiny_warehouse: Path
) -> None:
    with serving(tiny_warehouse) as server:
        done = subprocess.run(
            ["node", str(AUDIT_SCRIPT), str(graphql_http_module), f"{server.url}/graphql"],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    results = json.loads(done.stdout)
    not_ok = [f"{r['status']}: {r['name']} ({r['reason']})" for r in results if r["status"] != "ok"]
    assert len(results) == 61
    assert not_ok == []
