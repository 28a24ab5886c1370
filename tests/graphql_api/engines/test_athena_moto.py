"""The Athena engine over real HTTP against a local moto server (Athena and S3)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from graphql_api.engines.athena import open_athena_engine
from graphql_api.engines.athena_versions import pinned_statement
from graphql_api.engines.base import QueryTimeout
from graphql_api.main import create_app
from tests.graphql_api.engines.moto_athena import (
    BUCKET,
    OLDER,
    VERSION,
    athena_settings,
    hold_queries_in_queued,
    moto_executions,
    put_pointer,
    queue_result,
    summary,
)
from tests.graphql_api.services.statement_checks import check_pinned
from tests.graphql_api.support import app_client


async def test_results_are_converted_by_column_type(moto: str) -> None:
    columns = [
        ("ticker", "varchar"),
        ("date", "date"),
        ("close", "double"),
        ("volume", "bigint"),
        ("price", "decimal"),
        ("active", "boolean"),
        ("note", "varchar"),
    ]
    queue_result(
        moto,
        columns,
        [
            ["AAPL", "2020-01-02", "75.0875015258789", "135480400", "12.34", "true", None],
            ["O'NEIL", "2020-01-03", "-0.5", "5000000000", "0.10", "false", "x"],
        ],
    )
    statement = "SELECT * FROM daily_metrics WHERE year = ? AND date >= ? AND contains(?, ticker)"
    async with open_athena_engine(athena_settings(moto)) as engine:
        rows = await engine.fetch(
            statement, (2020, date(2020, 1, 2), ("AAPL", "O'NEIL")), version=VERSION
        )
    assert rows == [
        {
            "ticker": "AAPL",
            "date": date(2020, 1, 2),
            "close": 75.0875015258789,
            "volume": 135480400,
            "price": Decimal("12.34"),
            "active": True,
            "note": None,
        },
        {
            "ticker": "O'NEIL",
            "date": date(2020, 1, 3),
            "close": -0.5,
            "volume": 5000000000,
            "price": Decimal("0.10"),
            "active": False,
            "note": "x",
        },
    ]
    [execution] = moto_executions(moto)
    assert execution["Query"] == pinned_statement(statement, VERSION)
    assert check_pinned(execution["Query"], VERSION) == 1
    assert execution["ExecutionParameters"] == [
        "2020",
        "DATE '2020-01-02'",
        "ARRAY['AAPL', 'O''NEIL']",
    ]
    assert execution["QueryExecutionContext"]["Database"] == "stock_analytics"
    assert execution["WorkGroup"] == "primary"


async def test_polls_until_the_query_succeeds(moto: str) -> None:
    hold_queries_in_queued(moto, polls=3)
    queue_result(moto, [("n", "integer")], [["7"]])
    async with open_athena_engine(athena_settings(moto)) as engine:
        assert await engine.fetch("SELECT 7 AS n", version=VERSION) == [{"n": 7}]


async def test_a_timeout_stops_the_query(moto: str) -> None:
    hold_queries_in_queued(moto, polls=1_000_000)
    # Long enough for StartQueryExecution to return on a busy machine: the query then
    # stays QUEUED, so the timeout always finds a running query to stop.
    settings = athena_settings(moto, query_timeout_seconds=2.0)
    async with open_athena_engine(settings) as engine:
        with pytest.raises(QueryTimeout, match=r"took longer than 2s and was stopped"):
            await engine.fetch("SELECT 1", version=VERSION)
    [execution] = moto_executions(moto)
    assert execution["Status"]["State"] == "CANCELLED"


async def test_the_app_serves_from_athena(moto: str) -> None:
    put_pointer(moto, summary(VERSION), summary(OLDER, tickers=5))
    queue_result(
        moto,
        [("date", "date"), ("average_traded_value", "double")],
        [["2022-02-03", "18910577380.472057"]],
    )
    query = "{ health { engine } dataset { version stocks rows rejectedRows lastDate }"
    query += " mostValuableDay { date averageTradedValue } }"
    async with app_client(create_app(athena_settings(moto))) as client:
        first_answer = await client.post("/graphql", json={"query": query})
        second = (await client.post("/graphql", json={"query": query})).json()
    first = first_answer.json()
    assert first_answer.headers["x-dataset-version"] == VERSION
    assert first == {
        "data": {
            "health": {"engine": "athena"},
            "dataset": {
                "version": VERSION,
                "stocks": 6,
                "rows": 16194,
                "rejectedRows": 3,
                "lastDate": "2023-09-21",
            },
            "mostValuableDay": {"date": "2022-02-03", "averageTradedValue": 18910577380.472057},
        }
    }
    assert second == first
    [execution] = moto_executions(moto)  # the second answer came from the cache
    assert check_pinned(execution["Query"], VERSION) == 1


async def test_a_pinned_version_is_another_statement_so_athena_never_reuses_across(
    moto: str,
) -> None:
    put_pointer(moto, summary(VERSION), summary(OLDER, tickers=5))
    columns = [("date", "date"), ("average_traded_value", "double")]
    queue_result(moto, columns, [["2022-02-03", "2.5"]])
    queue_result(moto, columns, [["2021-01-04", "1.5"]])
    query = {"query": "{ dataset { version stocks } mostValuableDay { averageTradedValue } }"}
    async with app_client(create_app(athena_settings(moto))) as client:
        current = await client.post("/graphql", json=query)
        older = await client.post("/graphql", json=query, headers={"x-dataset-version": OLDER})
        expired = await client.get(
            "/metrics/most-valuable-day", headers={"x-dataset-version": "20240101T000000Z-000000"}
        )
    assert current.json()["data"]["dataset"] == {"version": VERSION, "stocks": 6}
    assert older.json()["data"]["dataset"] == {"version": OLDER, "stocks": 5}
    assert older.json()["data"]["mostValuableDay"] == {"averageTradedValue": 1.5}
    assert [current.headers["x-dataset-version"], older.headers["x-dataset-version"]] == [
        VERSION,
        OLDER,
    ]
    assert expired.status_code == 400
    assert expired.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    sent = {execution["Query"] for execution in moto_executions(moto)}
    by_version = {version: [q for q in sent if f"'{version}'" in q] for version in (VERSION, OLDER)}
    assert [len(queries) for queries in by_version.values()] == [1, 1]
    for version, [statement] in by_version.items():
        assert check_pinned(statement, version) == 1
    # Athena's result reuse matches on the statement's text: the two never share a result.
    assert by_version[VERSION] != by_version[OLDER]


async def test_a_missing_pointer_is_query_failed(moto: str) -> None:
    async with app_client(create_app(athena_settings(moto))) as client:
        body = (await client.post("/graphql", json={"query": "{ dataset { version } }"})).json()
    error = body["errors"][0]
    assert error["extensions"] == {"code": "QUERY_FAILED"}
    assert error["message"] == f"cannot read s3://{BUCKET}/warehouse/_dataset.json: NoSuchBucket"


async def test_athena_answers_from_its_sql_even_where_the_etl_recorded_the_answer(
    moto: str,
) -> None:
    """DuckDB answers whole-history fields from the answers the ETL recorded; Athena never
    does: `stock-analytics verify` compares its SQL's answers with them."""
    recorded = {"date": "1999-01-04", "averageTradedValue": 2.5}
    put_pointer(
        moto,
        replace(
            summary(VERSION),
            extra={"headline": {"mostValuableDay": {"query": "", "expected": recorded}}},
        ),
    )
    queue_result(
        moto,
        [("date", "date"), ("average_traded_value", "double")],
        [["2022-02-03", "18910577380.472057"]],
    )
    query = "{ mostValuableDay { date averageTradedValue } }"
    async with app_client(create_app(athena_settings(moto))) as client:
        answer = (await client.post("/graphql", json={"query": query})).json()
    assert answer == {
        "data": {
            "mostValuableDay": {"date": "2022-02-03", "averageTradedValue": 18910577380.472057}
        }
    }
    assert len(moto_executions(moto)) == 1
