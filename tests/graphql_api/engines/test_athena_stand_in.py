"""The Athena engine in the cases moto cannot produce, against a scripted stand-in for
the Athena API over real HTTP (see athena_stand_in.py): FAILED and CANCELLED with
Athena's reason, paginated results, throttling, polling backoff, request shape."""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

import pytest

from graphql_api.engines.athena import open_athena_engine
from graphql_api.engines.base import QueryCancelled, QueryFailed
from tests.graphql_api.engines.athena_stand_in import Script, athena_endpoint, execution, throttled
from tests.graphql_api.engines.moto_athena import VERSION, athena_settings

pytestmark = pytest.mark.usefixtures("aws_credentials")


def started() -> tuple[int, dict[str, Any]]:
    return 200, {"QueryExecutionId": "q-1"}


def page(
    rows: list[list[str]], token: str | None = None, header: bool = False
) -> tuple[int, dict[str, Any]]:
    columns = [{"Name": "ticker", "Type": "varchar"}, {"Name": "n", "Type": "bigint"}]
    data = [{"Data": [{"VarCharValue": v} for v in row]} for row in rows]
    if header:
        data.insert(0, {"Data": [{"VarCharValue": "ticker"}, {"VarCharValue": "n"}]})
    reply: dict[str, Any] = {
        "ResultSet": {"Rows": data, "ResultSetMetadata": {"ColumnInfo": columns}}
    }
    if token:
        reply["NextToken"] = token
    return 200, reply


class Sleeps:
    """Records the engine's sleeps instead of sleeping, so backoff is checked exactly."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


async def run(
    script: Script, sleeps: Sleeps | None = None, **overrides: Any
) -> list[dict[str, object]]:
    with athena_endpoint(script) as endpoint:
        settings = athena_settings(endpoint, **overrides)
        async with open_athena_engine(settings, sleep=sleeps or Sleeps()) as engine:
            return await engine.fetch(
                "SELECT ticker, n FROM t WHERE year = ?", (2020,), version=VERSION
            )


async def test_failed_raises_with_athenas_reason() -> None:
    script = Script()
    script.queue("StartQueryExecution", started())
    script.queue(
        "GetQueryExecution",
        execution("FAILED", "SYNTAX_ERROR: line 1:8: Column 'x' cannot be resolved"),
    )
    with pytest.raises(QueryFailed, match="SYNTAX_ERROR: line 1:8: Column 'x' cannot be resolved"):
        await run(script)
    assert "GetQueryResults" not in script.actions()


async def test_cancelled_raises_query_cancelled_with_the_reason() -> None:
    script = Script()
    script.queue("StartQueryExecution", started())
    script.queue("GetQueryExecution", execution("CANCELLED", "Query cancelled by user"))
    with pytest.raises(QueryCancelled, match="Query cancelled by user"):
        await run(script)


async def test_every_page_is_read(caplog: pytest.LogCaptureFixture) -> None:
    script = Script()
    script.queue("StartQueryExecution", started())
    script.queue("GetQueryExecution", execution("SUCCEEDED"))
    script.queue(
        "GetQueryResults",
        page([["AAPL", "1"], ["AMZN", "2"]], token="page-2", header=True),
        page([["GOOG", "3"]], token="page-3"),
        page([["META", "4"]]),
    )
    with caplog.at_level(logging.INFO, logger="graphql_api.engines.athena"):
        rows = await run(script)
    assert rows == [
        {"ticker": "AAPL", "n": 1},
        {"ticker": "AMZN", "n": 2},
        {"ticker": "GOOG", "n": 3},
        {"ticker": "META", "n": 4},
    ]
    tokens = [
        body.get("NextToken") for action, body in script.requests if action == "GetQueryResults"
    ]
    assert tokens == [None, "page-2", "page-3"]
    assert "athena query q-1 SUCCEEDED in" in caplog.text
    assert "1234 bytes scanned" in caplog.text


async def test_throttling_is_retried_with_jittered_backoff() -> None:
    script = Script()
    script.queue("StartQueryExecution", throttled(), throttled(), started())
    script.queue("GetQueryExecution", throttled(), execution("SUCCEEDED"))
    script.queue("GetQueryResults", page([["AAPL", "1"]], header=True))
    sleeps = Sleeps()
    assert await run(script, sleeps) == [{"ticker": "AAPL", "n": 1}]
    assert script.actions().count("StartQueryExecution") == 3
    assert len(sleeps.delays) == 3
    # full jitter: each sleep is drawn from [0, initial * 2**attempt]
    caps = [0.01, 0.02, 0.01]
    assert all(0 <= delay <= cap for delay, cap in zip(sleeps.delays, caps, strict=True))


async def test_throttling_gives_up_after_the_configured_retries() -> None:
    script = Script()
    script.queue("StartQueryExecution", throttled(), throttled(), throttled(), started())
    with pytest.raises(QueryFailed, match=r"kept throttling the request \(3 attempts\)"):
        await run(script, athena_throttle_retries=2)
    assert script.actions() == ["StartQueryExecution"] * 3


async def test_polling_backoff_starts_small_and_is_capped() -> None:
    script = Script()
    script.queue("StartQueryExecution", started())
    script.queue(
        "GetQueryExecution",
        execution("QUEUED"),
        *[execution("RUNNING")] * 5,
        execution("SUCCEEDED"),
    )
    script.queue("GetQueryResults", page([], header=True))
    sleeps = Sleeps()
    assert (
        await run(script, sleeps, athena_poll_initial_seconds=0.02, athena_poll_max_seconds=0.1)
        == []
    )
    assert sleeps.delays == pytest.approx([0.02, 0.04, 0.08, 0.1, 0.1, 0.1])


async def test_the_request_carries_parameters_reuse_and_location() -> None:
    script = Script()
    script.queue("StartQueryExecution", started())
    script.queue("GetQueryExecution", execution("SUCCEEDED"))
    script.queue("GetQueryResults", page([], header=True))
    await run(script, athena_result_reuse_minutes=15)
    [(action, body), *_] = script.requests
    assert action == "StartQueryExecution"
    assert body["QueryString"] == "SELECT ticker, n FROM t WHERE year = ?"
    assert body["ExecutionParameters"] == ["2020"]
    assert body["QueryExecutionContext"] == {"Database": "stock_analytics"}
    assert body["WorkGroup"] == "primary"
    assert body["ResultConfiguration"] == {"OutputLocation": "s3://athena-results/"}
    assert body["ResultReuseConfiguration"] == {
        "ResultReuseByAgeConfiguration": {"Enabled": True, "MaxAgeInMinutes": 15}
    }


async def test_result_reuse_can_be_turned_off() -> None:
    script = Script()
    script.queue("StartQueryExecution", started())
    script.queue("GetQueryExecution", execution("SUCCEEDED"))
    script.queue("GetQueryResults", page([], header=True))
    await run(script, athena_result_reuse_minutes=0)
    assert "ResultReuseConfiguration" not in script.requests[0][1]


async def test_concurrent_queries_are_bounded() -> None:
    """With a bound of 1, the second query starts only after the first has finished."""
    script = Script()
    script.defaults["StartQueryExecution"] = lambda _: started()
    script.defaults["GetQueryExecution"] = lambda _: execution("SUCCEEDED")
    script.defaults["GetQueryResults"] = lambda _: page([], header=True)
    with athena_endpoint(script) as endpoint:
        settings = athena_settings(endpoint, athena_max_concurrent_queries=1)
        async with open_athena_engine(settings, sleep=Sleeps()) as engine:
            await asyncio.gather(
                engine.fetch("SELECT 1", version=VERSION), engine.fetch("SELECT 2", version=VERSION)
            )
    assert (
        script.actions()
        == [
            "StartQueryExecution",
            "GetQueryExecution",
            "GetQueryResults",
        ]
        * 2
    )


async def test_a_cancelled_caller_stops_the_query() -> None:
    polled = threading.Event()

    def running(_: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        polled.set()
        return execution("RUNNING")

    script = Script()
    script.queue("StartQueryExecution", started())
    script.defaults["GetQueryExecution"] = running
    script.defaults["StopQueryExecution"] = lambda _: (200, {})
    with athena_endpoint(script) as endpoint:
        async with open_athena_engine(athena_settings(endpoint)) as engine:
            query = asyncio.create_task(engine.fetch("SELECT 1", version=VERSION))
            assert await asyncio.to_thread(polled.wait, 10)
            query.cancel()
            with pytest.raises(asyncio.CancelledError):
                await query
    assert script.actions()[-1] == "StopQueryExecution"
    assert script.requests[-1][1] == {"QueryExecutionId": "q-1"}
