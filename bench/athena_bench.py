"""The Athena path, measured against testsupport/fake_athena.py (a local fake that stands
in for Athena; no real Athena is called): `stock-analytics serve --engine athena` in a
subprocess, its real aioboto3 client pointed at the fake, which answers every query
with the same made-up market rows (the client is measured here, not the SQL).

1. 100 concurrent identical requests on a fresh server: engine calls (target 1).
2. One query at a time, for several run times, with the default polling and with
   a tighter cap: time from the query reaching SUCCEEDED to the API's answer
   (target: under 100 ms plus the result fetch) and Athena API calls per query.
3. Clients that give up (HTTP timeout 0.5 s) on queries that would run 4 s, with the
   server's query timeout at 1 s: queries left running afterwards (target 0).

    python -m bench.athena_bench
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import httpx

from bench.api_servers import graphql_server
from testsupport.fake_athena import FakeAthena, MarketRows, athena_endpoint, one_version_pointer

ATHENA_ACTIONS = ("StartQueryExecution", "GetQueryExecution", "GetQueryResults")
RUN_TIMES = (0.3, 0.8, 1.5, 3.0)
TIGHT_POLL_MAX = "0.1"
LAG_TARGET_MS = 100.0
VERSION = "20240101T000000Z-000001"
ROWS = 21


def query(index: int) -> dict[str, str]:
    """A distinct range per index, so no cache or single flight joins two of them."""
    start = date(2020, 1, 1) + timedelta(days=index)
    end = start + timedelta(days=30)
    return {
        "query": f'{{ averageDailyReturn(from: "{start}", to: "{end}") '
        "{ date averageReturn stocks } }"
    }


@contextmanager
def athena_api(fake: FakeAthena, **settings: str) -> Iterator[str]:
    with (
        athena_endpoint(fake) as endpoint,
        graphql_server(
            "s3://curated/warehouse",
            engine="athena",
            aws_endpoint_url=endpoint,
            athena_output="s3://athena-results/",
            rate_limit_per_second="0",
            **settings,
        ) as url,
    ):
        yield url


async def concurrent_identical(fake: FakeAthena) -> list[str]:
    fake.queue_seconds, fake.run_seconds = 0.2, 1.0
    with athena_api(fake) as url:
        fake.reset()
        async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=200)) as c:
            body = query(0)

            async def one() -> tuple[int, float, int]:
                response = await c.post(f"{url}/graphql", json=body)
                rows = len(response.json()["data"]["averageDailyReturn"])
                return response.status_code, time.monotonic(), rows

            answers = await asyncio.gather(*(one() for _ in range(100)))
    succeeded_at = next(iter(fake.executions.values())).succeeds_at
    lags = [1e3 * (at - succeeded_at) for _, at, _ in answers]
    ok = sum(1 for status, _, rows in answers if status == 200 and rows == ROWS)
    return [
        "### 100 concurrent identical requests (fresh server, queue 0.2 s, run 1.0 s)",
        "",
        f"- answers: {ok} of 100 were 200 with all {ROWS} rows",
        f"- engine calls (StartQueryExecution): **{fake.calls['StartQueryExecution']}** (target 1)",
        f"- Athena API calls in all: {_athena_calls(fake)} ({_by_action(fake)})",
        f"- SUCCEEDED to answer: p50 {statistics.median(lags):.0f} ms, "
        f"max {max(lags):.0f} ms (default polling)",
        "",
    ]


async def one_at_a_time(fake: FakeAthena, label: str, **settings: str) -> list[str]:
    lines = []
    with athena_api(fake, **settings) as url:
        async with httpx.AsyncClient(timeout=30) as client:
            await client.post(f"{url}/graphql", json={"query": "{ dataset { version } }"})
            for index, run_seconds in enumerate(RUN_TIMES):
                fake.queue_seconds, fake.run_seconds = 0.1, run_seconds
                fake.reset()
                response = await client.post(f"{url}/graphql", json=query(index + 1))
                answered = time.monotonic()
                if response.status_code != 200 or "errors" in response.json():
                    raise RuntimeError(f"the API failed: {response.text[:500]}")
                execution = next(iter(fake.executions.values()))
                lag = 1e3 * (answered - execution.succeeds_at)
                assert execution.results_requested_at is not None
                seen = 1e3 * (execution.results_requested_at - execution.succeeds_at)
                met = "yes" if lag < LAG_TARGET_MS else "no"
                lines.append(
                    f"| {label} | {0.1 + run_seconds:.1f} s | {seen:.0f} ms | {lag:.0f} ms | {met} "
                    f"| {_athena_calls(fake)} | {fake.calls['GetQueryExecution']} |"
                )
    return lines


async def abandoned_by_clients(fake: FakeAthena) -> list[str]:
    fake.queue_seconds, fake.run_seconds = 0.1, 4.0
    clients, server_timeout = 20, 1.0
    with athena_api(fake, query_timeout_seconds=str(server_timeout)) as url:
        fake.reset()
        async with httpx.AsyncClient(timeout=0.5) as client:

            async def give_up(index: int) -> str:
                try:
                    await client.post(f"{url}/graphql", json=query(100 + index))
                except httpx.TimeoutException:
                    return "client timed out"
                return "answered"

            outcomes = await asyncio.gather(*(give_up(i) for i in range(clients)))
        settle = clients / 5 * server_timeout + 2.0  # 5 queries at a time, each up to 1 s
        await asyncio.sleep(settle)
        left = fake.running()
        started = fake.calls["StartQueryExecution"]
        stopped = sum(1 for e in fake.executions.values() if e.stopped_at is not None)
    return [
        f"### {clients} clients giving up after 0.5 s on 4 s queries (server timeout 1 s)",
        "",
        f"- clients that timed out: {outcomes.count('client timed out')} of {clients}",
        f"- queries started: {started}; stopped with StopQueryExecution: {stopped}",
        f"- queries left running {settle:.0f} s later: **{len(left)}** (target 0)",
        "",
    ]


def _athena_calls(fake: FakeAthena) -> int:
    return sum(fake.calls[action] for action in (*ATHENA_ACTIONS, "StopQueryExecution"))


def _by_action(fake: FakeAthena) -> str:
    return ", ".join(f"{action} {count}" for action, count in sorted(fake.calls.items()))


async def main() -> None:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "fake",
        "AWS_SECRET_ACCESS_KEY": "fake",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        os.environ[name] = value
    os.environ.pop("AWS_PROFILE", None)
    fake = FakeAthena(MarketRows(ROWS), pointer=one_version_pointer(VERSION))
    report = ["## Athena client against testsupport/fake_athena.py", ""]
    report += await concurrent_identical(fake)
    report += [
        "### One query at a time (queue 0.1 s + run)",
        "",
        "| polling | query time | SUCCEEDED to GetQueryResults | SUCCEEDED to answer "
        "| < 100 ms | Athena calls | of which GetQueryExecution |",
        "|---|---:|---:|---:|---|---:|---:|",
    ]
    report += await one_at_a_time(fake, "default (0.05 s doubling to 1 s)")
    report += await one_at_a_time(
        fake, f"cap {TIGHT_POLL_MAX} s", athena_poll_max_seconds=TIGHT_POLL_MAX
    )
    report += ["", *await abandoned_by_clients(fake)]
    print("\n".join(report))


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
