"""Every bad input of the contract, with its code and HTTP status; engine failures and
unexpected errors coded, and no response ever carrying a stack trace or SQL."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from strawberry.extensions import SchemaExtension

from etl.dataset_pointer import DatasetPointer
from graphql_api.config import Settings
from graphql_api.engines.base import QueryEngine, Row, SqlValue
from graphql_api.main import create_app
from tests.graphql_api.support import app_client, settings_for
from tests.graphql_api.tiny_warehouse import read_pointer, tiny_days

GRAPHQL_RESPONSE = "application/graphql-response+json"
LEAKS = ("Traceback", "SELECT", "FROM ", 'File "', "secret")


def assert_no_leak(response: httpx.Response) -> None:
    for leak in LEAKS:
        assert leak not in response.text, f"{leak!r} leaked into: {response.text}"


async def post(
    client: httpx.AsyncClient, query: str, accept: str = "application/json", **variables: Any
) -> httpx.Response:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers={"accept": accept}
    )
    assert_no_leak(response)
    return response


def only_error(response: httpx.Response) -> dict[str, Any]:
    errors = response.json()["errors"]
    assert len(errors) == 1, errors
    return dict(errors[0])


@pytest.mark.parametrize(
    ("accept", "status", "media_type"),
    [("application/json", 200, "application/json"), (GRAPHQL_RESPONSE, 400, GRAPHQL_RESPONSE)],
)
async def test_an_impossible_date_is_bad_user_input(
    tiny_client: httpx.AsyncClient, accept: str, status: int, media_type: str
) -> None:
    literal = await post(
        tiny_client, '{ averageDailyReturn(from: "2024-13-45", to: "2024-12-31") { date } }', accept
    )
    variable = await post(
        tiny_client,
        'query($from: Date!) { averageDailyReturn(from: $from, to: "2024-12-31") { date } }',
        accept,
        **{"from": "2024-13-45"},
    )
    for response in (literal, variable):
        assert response.status_code == status
        assert response.headers["content-type"].startswith(media_type)
        error = only_error(response)
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert "2024-13-45 is not a real calendar date" in error["message"]
        assert "data" not in response.json()  # nothing was executed


async def test_a_date_in_another_format_is_bad_user_input(tiny_client: httpx.AsyncClient) -> None:
    response = await post(tiny_client, '{ mostValuableDay(from: "01/02/2020") { date } }')
    error = only_error(response)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "write it as YYYY-MM-DD" in error["message"]


@pytest.mark.parametrize("accept", ["application/json", GRAPHQL_RESPONSE])
async def test_from_after_to_is_bad_user_input(tiny_client: httpx.AsyncClient, accept: str) -> None:
    response = await post(
        tiny_client, '{ mostVolatile(from: "2020-02-01", to: "2020-01-01") { ticker } }', accept
    )
    assert response.status_code == 200  # a field error: execution began
    assert response.json()["data"] is None
    error = only_error(response)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"] == "`from` (2020-02-01) is after `to` (2020-01-01): swap them"
    assert error["path"] == ["mostVolatile"]


@pytest.mark.parametrize("limit", [0, -1, 101])
@pytest.mark.parametrize("field", ["highestWorthStocks", "mostVolatile", "topThirtyDayReturns"])
async def test_limit_outside_1_to_100_is_bad_user_input(
    tiny_client: httpx.AsyncClient, field: str, limit: int
) -> None:
    response = await post(tiny_client, f"{{ {field}(limit: {limit}) {{ ticker }} }}")
    assert response.status_code == 200
    error = only_error(response)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"] == f"`limit` must be between 1 and 100, not {limit}"


async def test_a_range_longer_than_the_maximum_is_bad_user_input(tiny_warehouse: Path) -> None:
    app = create_app(settings_for(tiny_warehouse, max_range_days=31))
    async with app_client(app) as client:
        too_long = await post(
            client, '{ averageDailyReturn(from: "2020-01-01", to: "2020-02-01") { date } }'
        )
        longest = await post(
            client, '{ averageDailyReturn(from: "2020-01-01", to: "2020-01-31") { date } }'
        )
    error = only_error(too_long)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"] == (
        "the range 2020-01-01..2020-02-01 spans 32 days; the longest allowed is 31 days"
    )
    assert "errors" not in longest.json()
    assert len(longest.json()["data"]["averageDailyReturn"]) == 23


async def test_a_range_wider_than_the_data_answers_the_datas_days(tiny_warehouse: Path) -> None:
    """The tiny data runs from 2019-12-02 to 2020-02-28; the limit bounds the work, so 200
    years are as good as the data's three months, and a range beside the data is empty."""
    app = create_app(settings_for(tiny_warehouse, max_range_days=100))
    async with app_client(app) as client:
        wide = await post(
            client,
            '{ averageDailyReturn(from: "1900-01-01", to: "2100-12-31") { date } '
            'stock(ticker: "AAA") { prices(from: "1900-01-01", to: "2100-12-31") { date } } }',
        )
        exact = await post(
            client,
            '{ averageDailyReturn(from: "2019-12-02", to: "2020-02-28") { date } '
            'stock(ticker: "AAA") { prices(from: "2019-12-02", to: "2020-02-28") { date } } }',
        )
        outside = await post(
            client, '{ averageDailyReturn(from: "1800-01-01", to: "1900-12-31") { date } }'
        )
    assert "errors" not in wide.json()
    assert wide.json() == exact.json()
    aaa_days = [day for day in tiny_days() if day.ticker == "AAA"]
    assert len(wide.json()["data"]["stock"]["prices"]) == len(aaa_days)
    assert outside.json() == {"data": {"averageDailyReturn": []}}


async def test_an_unknown_ticker_is_null_not_an_error(tiny_client: httpx.AsyncClient) -> None:
    response = await post(tiny_client, '{ stock(ticker: "NOPE") { ticker } }')
    assert response.json() == {"data": {"stock": None}}


async def test_an_engine_failure_is_query_failed(tiny_warehouse: Path) -> None:
    for part in (tiny_warehouse / "ticker_stats").rglob("*.parquet"):
        part.write_bytes(b"not parquet at all")
    async with app_client(create_app(settings_for(tiny_warehouse))) as client:
        response = await post(client, "{ stocks { edges { node { ticker } } } }")
        rest = await client.get("/metrics/most-volatile")
    assert response.status_code == 200
    error = only_error(response)
    assert error["extensions"] == {"code": "QUERY_FAILED"}
    assert error["message"] == "DuckDB could not read the warehouse tables"
    assert rest.status_code == 502
    assert rest.json()["errors"][0]["extensions"]["code"] == "QUERY_FAILED"
    assert_no_leak(rest)


async def test_a_slow_query_is_query_timeout(tiny_warehouse: Path) -> None:
    app = create_app(settings_for(tiny_warehouse, query_timeout_seconds=1e-6))
    async with app_client(app) as client:
        response = await post(client, "{ mostValuableDay { date } }")
        rest = await client.get("/metrics/most-valuable-day")
    error = only_error(response)
    assert error["extensions"] == {"code": "QUERY_TIMEOUT"}
    assert "took longer than" in error["message"]
    assert rest.status_code == 504
    assert rest.json()["errors"][0]["extensions"]["code"] == "QUERY_TIMEOUT"


class BrokenEngine:
    """An engine with a bug: its error message holds SQL and a secret."""

    name = "broken"

    def __init__(self, pointer: DatasetPointer) -> None:
        self._pointer = pointer

    async def fetch(
        self, statement: str, parameters: Sequence[SqlValue] = (), *, version: str
    ) -> list[Row]:
        raise RuntimeError(f"secret: bug while running {statement}")

    async def pointer(self) -> DatasetPointer:
        return self._pointer


@asynccontextmanager
async def open_broken(settings: Settings) -> AsyncIterator[QueryEngine]:
    pointer = read_pointer(settings.warehouse_path)
    assert pointer is not None
    yield BrokenEngine(pointer)


async def test_an_unexpected_error_is_masked_and_logged_with_a_request_id(
    tiny_warehouse: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(settings_for(tiny_warehouse), engine_opener=open_broken)
    with caplog.at_level(logging.ERROR):
        async with app_client(app) as client:
            response = await post(client, "{ mostValuableDay { date } }")
            rest = await client.get("/metrics/most-valuable-day")
    error = only_error(response)
    request_id = error["extensions"]["requestId"]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert error["message"] == (
        f"Internal server error; quote request id {request_id} when reporting it."
    )
    assert rest.status_code == 500
    rest_error = rest.json()["errors"][0]
    assert rest_error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert_no_leak(rest)
    logged = caplog.text
    assert request_id in logged
    assert rest_error["extensions"]["requestId"] in logged
    assert "secret: bug while running" in logged
    assert "Traceback" in logged


class FailingExtension(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        raise RuntimeError("secret: a bug in an extension")
        yield  # a hook, as Strawberry expects it


async def test_an_error_raised_in_an_extension_is_masked_and_logged(
    tiny_warehouse: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Strawberry answers an exception from a hook with its text; the ErrorCodes extension
    codes it on its way there."""
    app = create_app(settings_for(tiny_warehouse))
    app.state.schema.extensions = (*app.state.schema.extensions, FailingExtension)
    with caplog.at_level(logging.ERROR):
        async with app_client(app) as client:
            response = await post(client, "{ mostValuableDay { date } }")
    error = only_error(response)
    request_id = error["extensions"]["requestId"]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert error["message"] == (
        f"Internal server error; quote request id {request_id} when reporting it."
    )
    assert response.headers["x-request-id"] == request_id
    assert request_id in caplog.text
    assert "secret: a bug in an extension" in caplog.text
    assert "Traceback" in caplog.text


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from_date": "2020-13-01", "to_date": "2020-12-31"}, "2020-13-01 is not a real"),
        ({"from_date": "2020-02-01", "to_date": "2020-01-01"}, "is after `to`"),
        ({"from_date": "2020-01-01"}, "`to_date` is required"),
    ],
)
async def test_rest_bad_input_is_400(
    tiny_client: httpx.AsyncClient, params: dict[str, str], message: str
) -> None:
    response = await tiny_client.get("/metrics/average-daily-return", params=params)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert message in error["message"]


async def test_rest_limit_is_checked(tiny_client: httpx.AsyncClient) -> None:
    response = await tiny_client.get("/metrics/most-volatile", params={"limit": 500})
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "`limit` must be between 1 and 100, not 500"


async def test_rest_parameters_of_the_wrong_type_are_400(tiny_client: httpx.AsyncClient) -> None:
    response = await tiny_client.get("/metrics/most-volatile", params={"limit": "many"})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith("`limit`: Input should be a valid integer")


async def test_too_many_aliases_is_refused(tiny_client: httpx.AsyncClient) -> None:
    aliases = " ".join(f"a{index}: health {{ status }}" for index in range(31))
    response = await post(tiny_client, f"{{ {aliases} }}", GRAPHQL_RESPONSE)
    assert response.status_code == 400
    error = only_error(response)
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "aliases" in error["message"]


async def test_too_deep_a_query_is_refused(tiny_warehouse: Path) -> None:
    """The schema is only three levels deep (depth 2, counted from 0): lower the limit."""
    query = '{ stock(ticker: "AAA") { prices(from: "2020-01-02", to: "2020-01-03") { date } } }'
    async with app_client(create_app(settings_for(tiny_warehouse, max_query_depth=1))) as client:
        refused = await post(client, query, GRAPHQL_RESPONSE)
    async with app_client(create_app(settings_for(tiny_warehouse, max_query_depth=2))) as client:
        allowed = await post(client, query, GRAPHQL_RESPONSE)
    assert refused.status_code == 400
    error = only_error(refused)
    assert error["message"] == "'anonymous' exceeds maximum operation depth of 1"
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert allowed.status_code == 200
    assert len(allowed.json()["data"]["stock"]["prices"]) == 2


async def test_too_many_tokens_is_refused(tiny_client: httpx.AsyncClient) -> None:
    fields = " ".join(["__typename"] * 2001)
    response = await post(tiny_client, f"{{ {fields} }}", GRAPHQL_RESPONSE)
    assert response.status_code == 400
    error = only_error(response)
    assert error["message"] == (
        "Syntax Error: Document contains more than 2000 tokens. Parsing aborted."
    )
    assert error["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


async def test_a_body_over_the_limit_is_413(tiny_client: httpx.AsyncClient) -> None:
    padding = " " * (64 * 1024)
    response = await tiny_client.post("/graphql", json={"query": "{ health { status } }" + padding})
    assert response.status_code == 413
    assert "Traceback" not in response.text
