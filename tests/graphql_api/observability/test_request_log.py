"""The JSON request log: one line per request, every field, and the request id."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from graphql_api.main import create_app
from tests.graphql_api.support import CountingEngine, app_client, counting_opener, settings_for
from tests.graphql_api.test_errors import open_broken

NAMED = {"query": "query Valuable { mostValuableDay { date averageTradedValue } }"}
FIELDS = {
    "time",
    "level",
    "logger",
    "message",
    "request_id",
    "method",
    "path",
    "status",
    "operation",
    "duration_ms",
    "client",
    "engine",
    "engine_queries",
    "engine_query_ids",
    "engine_ms",
    "bytes_scanned",
    "cache_hit",
    "cache_hits",
    "cache_misses",
    "response_cache",
    "error_code",
    "error_codes",
}


def request_lines(stderr: str) -> list[dict[str, Any]]:
    """Every stderr line must be JSON; the request lines are the access logger's."""
    lines = [json.loads(line) for line in stderr.splitlines() if line.strip()]
    return [line for line in lines if line["logger"] == "graphql_api.access"]


async def test_one_json_line_per_request_with_every_field(
    tiny_warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    counters: list[CountingEngine] = []
    app = create_app(settings_for(tiny_warehouse), engine_opener=counting_opener(counters))
    async with app_client(app) as client:
        first = await client.post("/graphql", json=NAMED, headers={"X-Request-ID": "abc-123"})
        again = await client.post("/graphql", json=NAMED)
        bad = await client.get("/metrics/most-volatile", params={"limit": 0})
    first_line, again_line, bad_line = request_lines(capsys.readouterr().err)

    assert set(first_line) == FIELDS
    assert first.headers["x-request-id"] == "abc-123"
    assert first_line["request_id"] == "abc-123"
    assert first_line["level"] == "INFO"
    assert first_line["method"] == "POST"
    assert first_line["path"] == "/graphql"
    assert first_line["status"] == 200
    assert first_line["operation"] == "Valuable"
    assert first_line["duration_ms"] > 0
    assert first_line["client"] == "127.0.0.1"
    assert first_line["engine"] == "duckdb"
    assert first_line["engine_queries"] == len(counters[0].statements) == 1
    assert first_line["engine_query_ids"] == []  # DuckDB queries have no ids
    assert 0 < first_line["engine_ms"] <= first_line["duration_ms"]
    assert first_line["bytes_scanned"] == 0
    assert first_line["cache_hit"] is False
    assert (first_line["cache_hits"], first_line["cache_misses"]) == (0, 1)
    assert first_line["response_cache"] == "miss"
    assert first_line["error_code"] is None

    made_id = again.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", made_id)
    assert again_line["request_id"] == made_id
    assert again_line["operation"] == "Valuable"  # named from the request on a cached answer
    assert again_line["cache_hit"] is True
    assert again_line["response_cache"] == "hit"
    assert again_line["engine_queries"] == 0
    assert len(counters[0].statements) == 1

    assert bad.status_code == 400
    assert bad_line["request_id"] == bad.headers["x-request-id"]
    assert bad_line["operation"] is None
    assert bad_line["path"] == "/metrics/most-volatile"
    assert bad_line["status"] == 400
    assert bad_line["error_code"] == "BAD_USER_INPUT"


async def test_an_unusable_request_id_is_replaced(tiny_warehouse: Path) -> None:
    async with app_client(create_app(settings_for(tiny_warehouse))) as client:
        response = await client.get("/health", headers={"X-Request-ID": "x" * 129})
        injected = await client.get("/health", headers={"X-Request-ID": 'a"b'})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])
    assert re.fullmatch(r"[0-9a-f]{32}", injected.headers["x-request-id"])


async def test_graphql_errors_carry_the_logged_request_id(
    tiny_warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    query = {"query": '{ averageDailyReturn(from: "2020-02-01", to: "2020-01-01") { date } }'}
    async with app_client(create_app(settings_for(tiny_warehouse))) as client:
        response = await client.post("/graphql", json=query, headers={"X-Request-ID": "req-9"})
    [line] = request_lines(capsys.readouterr().err)
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert line["request_id"] == "req-9"
    assert line["operation"] == "anonymous"
    assert line["error_codes"] == ["BAD_USER_INPUT"]


async def test_the_log_level_comes_from_the_settings(
    tiny_warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = create_app(settings_for(tiny_warehouse, log_level="warning"))
    async with app_client(app) as client:
        await client.get("/health")
    assert request_lines(capsys.readouterr().err) == []


async def test_an_api_key_is_never_logged(
    tiny_warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = settings_for(tiny_warehouse, require_api_key=True, api_keys="k-secret-1")
    async with app_client(create_app(settings)) as client:
        ok = await client.post("/graphql", json=NAMED, headers={"X-API-Key": "k-secret-1"})
        refused = await client.post("/graphql", json=NAMED, headers={"X-API-Key": "k-wrong"})
    stderr = capsys.readouterr().err
    ok_line, refused_line = request_lines(stderr)
    assert (ok.status_code, refused.status_code) == (200, 401)
    assert "k-secret-1" not in stderr
    assert "k-wrong" not in stderr
    assert re.fullmatch(r"key:[0-9a-f]{12}", ok_line["client"])
    assert refused_line["error_code"] == "UNAUTHENTICATED"


async def test_an_unexpected_error_is_logged_under_the_id_it_quotes(
    tiny_warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = create_app(settings_for(tiny_warehouse), engine_opener=open_broken)
    async with app_client(app) as client:
        rest = await client.get("/metrics/most-valuable-day", headers={"X-Request-ID": "oops-1"})
        graphql = await client.post("/graphql", json=NAMED, headers={"X-Request-ID": "oops-2"})
    rest_line, graphql_line = request_lines(capsys.readouterr().err)
    assert rest.status_code == 500
    assert rest.headers["x-request-id"] == "oops-1"
    assert rest.json()["errors"][0]["extensions"]["requestId"] == "oops-1"
    assert (rest_line["request_id"], rest_line["status"]) == ("oops-1", 500)
    assert rest_line["error_code"] == "INTERNAL_SERVER_ERROR"
    assert graphql.json()["errors"][0]["extensions"]["requestId"] == "oops-2"
    assert (graphql_line["request_id"], graphql_line["error_code"]) == (
        "oops-2",
        "INTERNAL_SERVER_ERROR",
    )
