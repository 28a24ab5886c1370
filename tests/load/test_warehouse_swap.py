"""A new ETL run published into the served warehouse mid-load: requests keep succeeding
(caches on, as deployed), and once the new pointer is seen the new version is served."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from graphql_api.config import Settings
from graphql_api.main import create_app
from tests.graphql_api.tiny_warehouse import tiny_days, tiny_version
from tests.load.load_driver import drive
from tests.load.queries import load_seconds, quiet_answers, request_pool, summary
from tests.load.warehouse_swap import publish_like_the_etl
from testsupport.servers import LiveServer

pytestmark = pytest.mark.load

RATE = 60.0
CHECK_SECONDS = 0.1
SETTLE_SECONDS = 0.5
NEW_TICKERS = ("AAA", "BBB", "CCC")
NEW_VERSION = tiny_version(3)


async def test_a_new_warehouse_mid_load(tiny_warehouse: Path) -> None:
    seconds = load_seconds(short=3.0)
    settings = Settings(
        warehouse=str(tiny_warehouse),
        dataset_check_seconds=CHECK_SECONDS,
        rate_limit_per_second=0,
    )
    with LiveServer(create_app(settings)) as server:
        url = server.url
        async with httpx.AsyncClient(timeout=10) as client:
            pool = request_pool(url, list(NEW_TICKERS), first_year=2019, spans=0)
            pool += request_pool(url, [], first_year=2019, spans=3)[-3:]
            before = await quiet_answers(client, pool)
            swap = asyncio.create_task(_swap_after(seconds / 3, tiny_warehouse))
            outcomes = await drive(
                client,
                lambda index: pool[index % len(pool)],
                rate=RATE,
                seconds=seconds,
                max_requests=int(RATE * seconds) + 1,
            )
            swapped_at = await swap
            after = await quiet_answers(client, pool)

    assert after["dataset"]["data"]["dataset"]["version"] == NEW_VERSION
    listed = after["stocks"]["data"]["stocks"]["edges"]
    assert [edge["node"]["ticker"] for edge in listed] == list(NEW_TICKERS)
    assert after["stock CCC"]["data"]["stock"]["ticker"] == "CCC"
    assert before["stock CCC"]["data"]["stock"] is None
    failed = [o for o in outcomes if o.status != 200 or "errors" in o.json()]
    assert not failed, f"{[o.body[:300] for o in failed[:3]]}; {summary(outcomes)}"
    old = [o for o in outcomes if o.started + o.seconds < swapped_at[0]]
    new = [o for o in outcomes if o.started > swapped_at[1] + CHECK_SECONDS + SETTLE_SECONDS]
    assert old
    assert new
    assert all(o.json() == before[o.call.label] for o in old)
    assert all(o.json() == after[o.call.label] for o in new)


async def _swap_after(delay: float, warehouse: Path) -> tuple[float, float]:
    """Publish NEW_VERSION after `delay`; return when publishing began and ended (loop time)."""
    loop = asyncio.get_running_loop()
    await asyncio.sleep(delay)
    began = loop.time()
    await asyncio.to_thread(
        publish_like_the_etl, warehouse, tiny_days(NEW_TICKERS), version=NEW_VERSION
    )
    return began, loop.time()
