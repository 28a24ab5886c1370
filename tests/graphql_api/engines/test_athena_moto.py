"""The Athena engine over real HTTP against a local moto server (Athena and S3)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import boto3
import httpx
import pytest

from graphql_api.config import Settings
from graphql_api.engines.athena import open_athena_engine
from graphql_api.engines.base import QueryTimeout
from graphql_api.main import create_app
from tests.graphql_api.conftest import app_client
from tests.graphql_api.engines.conftest import REGION

BUCKET = "curated"


def athena_settings(endpoint: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "engine": "athena",
        "warehouse": f"s3://{BUCKET}/warehouse",
        "aws_endpoint_url": endpoint,
        "aws_region": REGION,
        "athena_database": "stock_analytics",
        "athena_workgroup": "primary",
        "athena_output": "s3://athena-results/",
        "query_timeout_seconds": 5,
        "athena_poll_initial_seconds": 0.01,
        "athena_poll_max_seconds": 0.05,
        "dataset_check_seconds": 0,
        **overrides,
    }
    return Settings(**values)


def queue_result(
    endpoint: str, columns: list[tuple[str, str]], rows: list[list[str | None]]
) -> None:
    """Queue one result the way Athena returns a SELECT: a header row, then the data."""
    header = {"Data": [{"VarCharValue": name} for name, _ in columns]}
    data = [{"Data": [{} if v is None else {"VarCharValue": v} for v in row]} for row in rows]
    result = {
        "rows": [header, *data],
        "column_info": [{"Name": name, "Label": name, "Type": kind} for name, kind in columns],
    }
    httpx.post(
        f"{endpoint}/moto-api/static/athena/query-results",
        json={"region": REGION, "results": [result]},
        timeout=5,
    ).raise_for_status()


def hold_queries_in_queued(endpoint: str, polls: int) -> None:
    """Make moto keep each query QUEUED, then RUNNING, for `polls` status reads each."""
    httpx.post(
        f"{endpoint}/moto-api/state-manager/set-transition",
        json={
            "model_name": "athena::execution",
            "transition": {"progression": "manual", "times": polls},
        },
        timeout=5,
    ).raise_for_status()


def moto_executions(endpoint: str) -> list[dict[str, Any]]:
    athena = boto3.client("athena", endpoint_url=endpoint, region_name=REGION)
    ids = athena.list_query_executions()["QueryExecutionIds"]
    return [athena.get_query_execution(QueryExecutionId=i)["QueryExecution"] for i in ids]


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
        rows = await engine.fetch(statement, (2020, date(2020, 1, 2), ("AAPL", "O'NEIL")))
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
    assert execution["Query"] == statement
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
        assert await engine.fetch("SELECT 7 AS n") == [{"n": 7}]


async def test_a_timeout_stops_the_query(moto: str) -> None:
    hold_queries_in_queued(moto, polls=1_000_000)
    settings = athena_settings(moto, query_timeout_seconds=0.3)
    async with open_athena_engine(settings) as engine:
        with pytest.raises(QueryTimeout, match=r"took longer than 0\.3s and was stopped"):
            await engine.fetch("SELECT 1")
    [execution] = moto_executions(moto)
    assert execution["Status"]["State"] == "CANCELLED"


async def test_the_app_serves_from_athena(moto: str) -> None:
    s3 = boto3.client("s3", endpoint_url=moto, region_name=REGION)
    s3.create_bucket(Bucket=BUCKET)
    manifest = {
        "run_id": "athena-run",
        "finished_at": "2024-01-01T00:00:00Z",
        "first_date": "2013-01-02",
        "last_date": "2023-09-21",
        "tickers": 6,
        "rows": 16194,
        "rows_rejected": 3,
    }
    s3.put_object(Bucket=BUCKET, Key="warehouse/_dataset.json", Body=json.dumps(manifest))
    queue_result(
        moto,
        [("date", "date"), ("average_traded_value", "double")],
        [["2022-02-03", "18910577380.472057"]],
    )
    query = "{ health { engine } dataset { version stocks rows rejectedRows lastDate }"
    query += " mostValuableDay { date averageTradedValue } }"
    async with app_client(create_app(athena_settings(moto))) as client:
        first = (await client.post("/graphql", json={"query": query})).json()
        second = (await client.post("/graphql", json={"query": query})).json()
    assert first == {
        "data": {
            "health": {"engine": "athena"},
            "dataset": {
                "version": "athena-run",
                "stocks": 6,
                "rows": 16194,
                "rejectedRows": 3,
                "lastDate": "2023-09-21",
            },
            "mostValuableDay": {"date": "2022-02-03", "averageTradedValue": 18910577380.472057},
        }
    }
    assert second == first
    assert len(moto_executions(moto)) == 1  # the second answer came from the cache


async def test_a_missing_manifest_is_query_failed(moto: str) -> None:
    async with app_client(create_app(athena_settings(moto))) as client:
        body = (await client.post("/graphql", json={"query": "{ dataset { version } }"})).json()
    error = body["errors"][0]
    assert error["extensions"] == {"code": "QUERY_FAILED"}
    assert error["message"] == f"cannot read s3://{BUCKET}/warehouse/_dataset.json: NoSuchBucket"
