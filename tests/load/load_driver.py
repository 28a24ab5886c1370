"""An open-loop load generator: requests started at a fixed rate, bounded in count and time.

Each request is started on schedule whatever the earlier ones are doing (so a
slow server meets the same offered load), with a cap on requests in flight.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True)
class Call:
    """One request to make: a label to group by, and httpx.request's arguments."""

    label: str
    method: str
    url: str
    options: dict[str, Any]


@dataclass(frozen=True)
class Outcome:
    call: Call
    started: float
    seconds: float
    status: int | None
    """None when the request failed at the transport level (see `failure`)."""
    body: bytes
    failure: str | None

    def json(self) -> Any:
        return json.loads(self.body)


async def drive(
    client: httpx.AsyncClient,
    next_call: Callable[[int], Call],
    *,
    rate: float,
    seconds: float,
    max_requests: int,
    max_in_flight: int = 64,
) -> list[Outcome]:
    """Start `next_call(i)` every 1/rate s for `seconds` (at most `max_requests`); await all."""
    slots = asyncio.Semaphore(max_in_flight)
    outcomes: list[Outcome] = []
    tasks: list[asyncio.Task[None]] = []
    begin = time.monotonic()

    async def one(call: Call) -> None:
        async with slots:
            started = time.monotonic()
            try:
                response = await client.request(call.method, call.url, **call.options)
                outcome = Outcome(
                    call,
                    started,
                    time.monotonic() - started,
                    response.status_code,
                    response.content,
                    None,
                )
            except httpx.HTTPError as error:
                outcome = Outcome(call, started, time.monotonic() - started, None, b"", repr(error))
            outcomes.append(outcome)

    for index in range(max_requests):
        due = begin + index / rate
        if due - begin >= seconds:
            break
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        tasks.append(asyncio.create_task(one(next_call(index))))
    await asyncio.gather(*tasks)
    return sorted(outcomes, key=lambda outcome: outcome.started)


def graphql_call(base: str, label: str, query: str, **variables: Any) -> Call:
    body: dict[str, Any] = {"query": query}
    if variables:
        body["variables"] = variables
    return Call(label, "POST", f"{base}/graphql", {"json": body})
