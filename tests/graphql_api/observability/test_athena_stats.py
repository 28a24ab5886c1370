"""Athena's query ids and bytes scanned reach the request's stats, the log and /metrics."""

from __future__ import annotations

import json
from typing import Any

import pytest

from graphql_api.engines.athena import open_athena_engine
from graphql_api.main import create_app
from graphql_api.observability.stats import EngineQuery, RequestStats, request_stats
from tests.graphql_api.engines.athena_stand_in import Script, athena_endpoint, execution
from tests.graphql_api.engines.moto_athena import (
    VERSION,
    athena_settings,
    moto_executions,
    put_pointer,
    queue_result,
    summary,
)
from tests.graphql_api.observability.test_metrics import scrape, total
from tests.graphql_api.support import app_client

pytestmark = pytest.mark.usefixtures("aws_credentials")


async def test_the_engine_records_athenas_id_and_bytes_scanned() -> None:
    script = Script()
    script.queue("StartQueryExecution", (200, {"QueryExecutionId": "q-1"}))
    script.queue("GetQueryExecution", execution("SUCCEEDED"))  # 1234 bytes scanned
    columns = [{"Name": "n", "Type": "bigint"}]
    rows: dict[str, Any] = {"Rows": [{"Data": [{"VarCharValue": "7"}]}]}
    script.queue(
        "GetQueryResults",
        (200, {"ResultSet": {**rows, "ResultSetMetadata": {"ColumnInfo": columns}}}),
    )
    stats = RequestStats(request_id="r", method="POST", path="/graphql")
    with athena_endpoint(script) as endpoint, request_stats(stats):
        async with open_athena_engine(athena_settings(endpoint)) as engine:
            assert await engine.fetch("SELECT 7 AS n", version=VERSION) == [{"n": 7}]
    [query] = stats.engine_queries
    assert query == EngineQuery("athena", "q-1", query.seconds, 1234)
    assert query.seconds > 0


async def test_the_app_reports_athenas_query_ids(
    moto: str, capsys: pytest.CaptureFixture[str]
) -> None:
    put_pointer(moto, summary(VERSION))
    queue_result(
        moto, [("date", "date"), ("average_traded_value", "double")], [["2022-02-03", "1.5"]]
    )
    query = {"query": "{ mostValuableDay { date averageTradedValue } }"}
    async with app_client(create_app(athena_settings(moto))) as client:
        response = await client.post("/graphql", json=query, headers={"X-Query-Stats": "1"})
        samples = await scrape(client)
    [execution_seen] = moto_executions(moto)
    moto_id = execution_seen["QueryExecutionId"]
    moto_bytes = execution_seen["Statistics"]["DataScannedInBytes"]

    [reported] = response.json()["extensions"]["queryStats"]["engineQueries"]
    assert reported["engine"] == "athena"
    assert reported["queryId"] == moto_id
    assert reported["bytesScanned"] == moto_bytes
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.strip()]
    [logged] = [
        line
        for line in lines
        if line["logger"] == "graphql_api.access" and line["path"] == "/graphql"
    ]
    assert logged["engine"] == "athena"
    assert logged["engine_query_ids"] == [moto_id]
    assert logged["bytes_scanned"] == moto_bytes
    assert total(samples, "stock_analytics_athena_bytes_scanned_total") == moto_bytes
    assert samples[("stock_analytics_engine_queries_total", frozenset({("engine", "athena")}))] == 1
