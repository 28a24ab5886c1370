"""Apollo Client 4, the most used GraphQL client, in its common production setup: the
persisted query link with hashed queries over GET, against `stock-analytics serve`.

The client is installed from tests/clients/apollo's pinned lock file with `npm ci` into
the git-ignored .cache/clients/apollo; its script records every HTTP exchange it makes.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any, NoReturn

import httpx
import pytest

from etl.dataset_pointer import DatasetPointer
from etl.tables import DATASET_MANIFEST
from tests.graphql_api.sample_truth import load_sample_truth
from testsupport.paths import CACHE
from testsupport.servers import serving
from testsupport.unavailable import unavailable

SOURCE = Path(__file__).with_name("apollo")
FILES = ("package.json", "package-lock.json", "apq_client.mjs")
INSTALL = CACHE / "clients" / "apollo"
APOLLO_ACCEPT = "application/graphql-response+json,application/json;q=0.9"


def _unavailable(reason: str) -> NoReturn:
    unavailable("the Apollo Client test", reason)


@pytest.fixture(scope="module")
def apollo_client() -> Path:
    """The client script beside its node_modules, installed by `npm ci` from the lock file
    (again only when the lock file changed)."""
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        _unavailable("node and npm are not installed")
    lock = (SOURCE / "package-lock.json").read_bytes()
    stamp = INSTALL / ".installed-lock-sha256"
    INSTALL.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        shutil.copyfile(SOURCE / name, INSTALL / name)
    wanted = hashlib.sha256(lock).hexdigest()
    if not stamp.exists() or stamp.read_text() != wanted:
        done = subprocess.run(
            [str(npm), "ci", "--no-audit", "--no-fund"],
            cwd=INSTALL,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if done.returncode != 0:
            _unavailable(f"`npm ci` failed: {done.stderr.strip()[-1000:]}")
        stamp.write_text(wanted)
    return INSTALL / "apq_client.mjs"


def run_client(script: Path, url: str) -> dict[str, Any]:
    done = subprocess.run(
        ["node", str(script), f"{url}/graphql"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_apollo_registers_its_query_once_then_asks_by_hash_over_cacheable_gets(
    apollo_client: Path, sample_warehouse: Path
) -> None:
    version = DatasetPointer.from_json((sample_warehouse / DATASET_MANIFEST).read_bytes()).current
    expected = [
        {"__typename": "StockVolatility", "ticker": ticker, "annualizedVolatility": volatility}
        for ticker, volatility, _ in load_sample_truth().volatility(None, None)[:2]
    ]
    with serving(sample_warehouse) as server:
        first = run_client(apollo_client, server.url)
        second = run_client(apollo_client, server.url)
        url = second["exchanges"][0]["url"]
        etag = second["exchanges"][0]["headers"]["etag"]
        conditional = httpx.get(url, headers={"Accept": APOLLO_ACCEPT, "If-None-Match": etag})

    for run in (first, second):
        answer = run["data"]["mostVolatile"]
        assert [a["ticker"] for a in answer] == [e["ticker"] for e in expected]
        for got, want in zip(answer, expected, strict=True):
            assert got["annualizedVolatility"] == pytest.approx(want["annualizedVolatility"], 1e-9)

    # First run: the hash alone is unknown, so the link sends the query with it.
    not_found, registered = first["exchanges"]
    assert (not_found["method"], not_found["status"]) == ("GET", 200)
    assert json.loads(not_found["body"])["errors"][0]["extensions"]["code"] == (
        "PERSISTED_QUERY_NOT_FOUND"
    )
    assert (registered["method"], registered["status"]) == ("POST", 200)
    assert "mostVolatile" in json.loads(registered["requestBody"])["query"]

    # Second run: one hash-only GET, answered with everything an HTTP cache needs.
    (by_hash,) = second["exchanges"]
    assert by_hash["method"] == "GET"
    assert "query=" not in by_hash["url"]
    assert by_hash["status"] == 200
    assert by_hash["headers"]["etag"]
    assert "max-age=" in by_hash["headers"]["cache-control"]
    assert by_hash["headers"]["x-dataset-version"] == version

    assert conditional.status_code == 304
    assert conditional.content == b""
