"""Automatic persisted queries (Apollo's protocol) over GET and POST, and trusted documents."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from graphql_api.main import create_app
from graphql_api.persisted_queries import MANIFEST_FORMAT, load_manifest
from tests.graphql_api.support import CountingEngine, app_client, counting_opener, settings_for

QUERY = "{ mostVolatile { ticker annualizedVolatility } }"
MUTATION_LIKE = "mutation { nothing }"


def digest(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def persisted(query: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest(query)}}


async def ask(client: httpx.AsyncClient, method: str, **fields: Any) -> httpx.Response:
    if method == "GET":
        params = {k: json.dumps(v) if k == "extensions" else v for k, v in fields.items()}
        return await client.get("/graphql", params=params)
    return await client.post("/graphql", json=fields)


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_a_hash_is_not_found_then_registered_then_answered(
    tiny_warehouse: Path, method: str
) -> None:
    engines: list[CountingEngine] = []
    app = create_app(
        settings_for(tiny_warehouse, response_cache_max_entries=0),
        engine_opener=counting_opener(engines),
    )
    async with app_client(app) as client:
        unknown = await ask(client, method, extensions=persisted(QUERY))
        calls_after_unknown = len(engines[0].statements)
        registered = await ask(client, method, query=QUERY, extensions=persisted(QUERY))
        by_hash = await ask(client, method, extensions=persisted(QUERY))
        plain = await client.post("/graphql", json={"query": QUERY})

    # What Apollo's PersistedQueryLink looks for before it sends the query along.
    assert unknown.status_code == 200
    assert unknown.json() == {
        "errors": [
            {
                "message": "PersistedQueryNotFound",
                "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
            }
        ]
    }
    assert calls_after_unknown == 0
    assert registered.status_code == by_hash.status_code == 200
    assert registered.json() == by_hash.json() == plain.json()
    assert by_hash.json()["data"]["mostVolatile"][0]["ticker"] == "AAA"


@pytest.mark.parametrize(
    ("extensions", "message"),
    [
        ({"persistedQuery": {"version": 1, "sha256Hash": digest("{ other }")}}, "not the SHA-256"),
        ({"persistedQuery": {"version": 2, "sha256Hash": digest(QUERY)}}, '"version": 1'),
        ({"persistedQuery": {"version": 1, "sha256Hash": "ABC"}}, "64 lowercase hex"),
        ({"persistedQuery": "yes"}, '"version": 1'),
    ],
)
async def test_a_wrong_or_malformed_hash_is_bad_user_input(
    tiny_client: httpx.AsyncClient, extensions: dict[str, Any], message: str
) -> None:
    answer = await ask(tiny_client, "POST", query=QUERY, extensions=extensions)
    assert answer.status_code == 400
    (error,) = answer.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert message in error["message"]


async def test_the_store_is_bounded(tiny_warehouse: Path) -> None:
    app = create_app(settings_for(tiny_warehouse, persisted_queries_max_entries=2))
    queries = [f"{{ health {{ status }} q{i}: __typename }}" for i in range(3)]
    async with app_client(app) as client:
        for query in queries:
            assert (await ask(client, "POST", query=query, extensions=persisted(query))).is_success
        answers = [await ask(client, "GET", extensions=persisted(q)) for q in queries]
    codes = [a.json().get("errors", [{}])[0].get("extensions", {}).get("code") for a in answers]
    assert codes == ["PERSISTED_QUERY_NOT_FOUND", None, None]  # the oldest was forgotten


def write_manifest(path: Path, *queries: str) -> Path:
    operations = [
        {"id": digest(query), "name": f"Op{i}", "type": "query", "body": query}
        for i, query in enumerate(queries)
    ]
    manifest = {"format": MANIFEST_FORMAT, "version": 1, "operations": operations}
    path.write_text(json.dumps(manifest))
    return path


async def test_trusted_documents_run_only_what_the_manifest_lists(
    tiny_warehouse: Path, tmp_path: Path
) -> None:
    manifest = write_manifest(tmp_path / "manifest.json", QUERY)
    app = create_app(settings_for(tiny_warehouse, trusted_documents=manifest))
    other = "{ health { status } }"
    async with app_client(app) as client:
        by_hash = await ask(client, "GET", extensions=persisted(QUERY))
        by_text = await client.post("/graphql", json={"query": QUERY})
        refused_text = await client.post("/graphql", json={"query": other})
        refused_hash = await ask(client, "GET", extensions=persisted(other))
        refused_registration = await ask(client, "POST", query=other, extensions=persisted(other))
    assert by_hash.json() == by_text.json()
    assert by_hash.json()["data"]["mostVolatile"][0]["ticker"] == "AAA"
    for refused in (refused_text, refused_hash, refused_registration):
        assert refused.status_code == 400
        (error,) = refused.json()["errors"]
        assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_IN_LIST"
        assert "trusted documents" in error["message"]


def test_a_manifest_whose_ids_are_not_the_hashes_is_refused(tmp_path: Path) -> None:
    path = write_manifest(tmp_path / "manifest.json", QUERY)
    document = json.loads(path.read_text())
    document["operations"][0]["body"] = MUTATION_LIKE
    path.write_text(json.dumps(document))
    with pytest.raises(ValueError, match="id is not its SHA-256"):
        load_manifest(path)
