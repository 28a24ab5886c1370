"""A steady load on `stock-analytics serve`: no errors and the right answers; under `make
load` (LOAD_TEST_SECONDS=60, a soak) also the request rate kept and resident memory that
stops growing."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from tests.load.load_driver import drive
from tests.load.queries import (
    load_seconds,
    quiet_answers,
    request_pool,
    summary,
    timing_asserted,
)
from testsupport.servers import serving

pytestmark = pytest.mark.load

RATE = 100.0
SAMPLE_EVERY_SECONDS = 0.1
MIB = 1024 * 1024
LAST_THIRD_GROWTH_BOUND = 4 * MIB


def resident_bytes(pid: int) -> int:
    """VmRSS of process `pid`, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


async def test_steady_load_has_no_errors_and_memory_stops_growing(
    sample_warehouse: Path,
) -> None:
    seconds = load_seconds(short=4.5)
    with serving(sample_warehouse, STOCK_ANALYTICS_RATE_LIMIT_PER_SECOND="0") as server:
        url, pid = server.url, server.pid
        async with httpx.AsyncClient(timeout=30) as client:
            tickers = await _tickers(client, url)
            pool = request_pool(url, tickers, first_year=2014, spans=60)
            expected = await quiet_answers(client, pool)
            await quiet_answers(client, pool)  # warm: every cache holds every answer
            memory: list[int] = []
            sampler = asyncio.create_task(_sample(pid, memory))
            outcomes = await drive(
                client,
                lambda index: pool[index * 7 % len(pool)],
                rate=RATE,
                seconds=seconds,
                max_requests=int(RATE * seconds) + 1,
            )
            sampler.cancel()

    failed = [o for o in outcomes if o.status != 200 or o.json() != expected[o.call.label]]
    assert not failed, f"{len(failed)} failed: {failed[:3]}; {summary(outcomes)}"
    third = len(memory) // 3
    last_third = memory[-third:]
    growth = max(last_third) - last_third[0]
    print(  # shown with -s: the figures bench/RESULTS.md records
        f"{len(outcomes)} requests in {seconds:g}s; RSS {memory[0] / MIB:.1f} -> "
        f"{max(memory) / MIB:.1f} (max) -> {memory[-1] / MIB:.1f} MiB; "
        f"last-third growth {growth / MIB:.2f} MiB"
    )
    if not timing_asserted():
        return
    assert len(outcomes) >= RATE * seconds * 0.95, summary(outcomes)
    assert growth <= LAST_THIRD_GROWTH_BOUND, (
        f"resident memory grew {growth / MIB:.1f} MiB in the last third "
        f"({memory[0] / MIB:.0f} -> {memory[-1] / MIB:.0f} MiB)"
    )


async def _tickers(client: httpx.AsyncClient, url: str) -> list[str]:
    query = "{ stocks(first: 500) { edges { node { ticker } } } }"
    response = await client.post(f"{url}/graphql", json={"query": query})
    return [edge["node"]["ticker"] for edge in response.json()["data"]["stocks"]["edges"]]


async def _sample(pid: int, into: list[int]) -> None:
    while True:
        into.append(resident_bytes(pid))
        await asyncio.sleep(SAMPLE_EVERY_SECONDS)
