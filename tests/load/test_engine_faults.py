"""The engine failing, then timing out, under load: every request gets a proper answer
(an error with the right code while the fault lasts, the right data after), never a 5xx,
a dropped connection or a request held past the timeout."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from graphql_api.main import create_app
from tests.graphql_api.support import settings_for
from tests.load.faulty_engine import FaultyEngine, Mode, faulty_opener
from tests.load.load_driver import Outcome, drive
from tests.load.queries import (
    load_seconds,
    quiet_answers,
    request_pool,
    summary,
    timing_asserted,
)
from testsupport.servers import LiveServer

pytestmark = pytest.mark.load

RATE = 40.0
TIMEOUT_SECONDS = 0.3
MARGIN_SECONDS = 0.2
HANG_GUARD_SECONDS = 9.0
"""In make test: tells a request held for good from a slow one on a busy machine."""


@pytest.mark.parametrize(("fault", "code"), [("fail", "QUERY_FAILED"), ("hang", "QUERY_TIMEOUT")])
async def test_the_engine_failing_under_load(tiny_warehouse: Path, fault: Mode, code: str) -> None:
    seconds = load_seconds(short=3.0)
    engines: list[FaultyEngine] = []
    settings = settings_for(
        tiny_warehouse,
        cache_max_entries=0,  # caches off: every request reaches the engine
        response_cache_max_entries=0,
        query_timeout_seconds=TIMEOUT_SECONDS,
        rate_limit_per_second=0,
    )
    with LiveServer(create_app(settings, engine_opener=faulty_opener(engines))) as server:
        url = server.url
        async with httpx.AsyncClient(timeout=10) as client:
            pool = request_pool(url, ["AAA", "BBB"], first_year=2019, spans=0)
            pool += request_pool(url, [], first_year=2020, spans=2)[-2:]
            expected = await quiet_answers(client, pool)
            loop = asyncio.get_running_loop()
            begin = loop.time()
            switched: dict[Mode, float] = {}

            def switch(mode: Mode) -> None:
                # When the mode really changed: on a busy machine the loop runs this late.
                engines[0].mode = mode
                switched[mode] = loop.time()

            loop.call_at(begin + seconds / 3, switch, fault)
            loop.call_at(begin + 2 * seconds / 3, switch, "ok")
            outcomes = await drive(
                client,
                lambda index: pool[index % len(pool)],
                rate=RATE,
                seconds=seconds,
                max_requests=int(RATE * seconds) + 1,
            )
            healthy = await client.get(f"{url}/health")

    assert healthy.status_code == 200
    assert all(o.status == 200 for o in outcomes), summary(outcomes)
    longest = TIMEOUT_SECONDS + 1.0 if timing_asserted() else HANG_GUARD_SECONDS
    assert max(o.seconds for o in outcomes) < longest, summary(outcomes)
    fault_from, fault_to = switched[fault], switched["ok"]
    during = [o for o in outcomes if fault_from + MARGIN_SECONDS <= o.started <= fault_to - 0.5]
    after = [o for o in outcomes if o.started >= fault_to + MARGIN_SECONDS]
    assert during
    assert after
    faulted = [o for o in during if _error_codes(o)]
    assert len(faulted) >= len(during) // 2, summary(during)
    assert all(_error_codes(o) == {code} for o in faulted), [o.json() for o in faulted[:3]]
    assert all(o.json() == expected[o.call.label] for o in during if not _error_codes(o))
    assert all(o.json() == expected[o.call.label] for o in after), summary(after)


def _error_codes(outcome: Outcome) -> set[str]:
    return {error["extensions"]["code"] for error in outcome.json().get("errors", [])}
