"""The Athena engine's settings for tests, and a moto server arranged for it: the
warehouse's pointer in moto's S3, canned query results queued in moto's Athena (moto runs
no SQL), the executions moto recorded."""

from __future__ import annotations

from datetime import date
from typing import Any

import boto3
import httpx

from etl.dataset_pointer import DatasetPointer, VersionSummary
from graphql_api.config import Settings
from tests.graphql_api.tiny_warehouse import FINISHED_AT
from testsupport.moto_server import REGION

BUCKET = "curated"
VERSION = "20240131T120000Z-a1b2c3"
OLDER = "20240130T120000Z-d4e5f6"


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


def summary(version: str, *, tickers: int = 6, rows: int = 16194) -> VersionSummary:
    return VersionSummary(
        version=version,
        finished_at=FINISHED_AT,
        published_at=FINISHED_AT,
        first_date=date(2013, 1, 2),
        last_date=date(2023, 9, 21),
        tickers=tickers,
        rows=rows,
        rows_read=rows + 3,
        rows_rejected=3,
        duplicates_collapsed=0,
        input="s3://raw/",
    )


def put_pointer(endpoint: str, *versions: VersionSummary) -> None:
    """The warehouse's pointer on S3: the first of `versions` current."""
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name=REGION)
    s3.create_bucket(Bucket=BUCKET)
    pointer = DatasetPointer(current=versions[0].version, versions=versions)
    s3.put_object(Bucket=BUCKET, Key="warehouse/_dataset.json", Body=pointer.to_json())


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
