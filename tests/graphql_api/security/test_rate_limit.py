"""Per-client token buckets: 429 with Retry-After after the burst, recovery as time
passes (an injected clock, no sleeping), buckets by key or address, a bounded table."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from graphql_api.main import create_app
from graphql_api.security.install import install_security
from graphql_api.security.rate_limit import TokenBuckets, retry_after_seconds
from tests.graphql_api.support import app_client, settings_for

QUERY = {"query": "{ health { status } }"}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_the_burst_then_the_rate() -> None:
    clock = Clock()
    buckets = TokenBuckets(rate=2.0, burst=3, clock=clock)
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a") == pytest.approx(0.5)  # one token every 0.5 s
    assert buckets.take("b") == 0.0  # another client has its own bucket
    clock.now += 0.5
    assert buckets.take("a") == 0.0
    assert buckets.take("a") == pytest.approx(0.5)
    clock.now += 60
    assert [buckets.take("a") for _ in range(4)][-1] == pytest.approx(0.5)  # refilled to 3 only


def test_the_bucket_table_is_bounded() -> None:
    clock = Clock()
    buckets = TokenBuckets(rate=1.0, burst=1, max_clients=2, clock=clock)
    buckets.take("a")
    buckets.take("b")
    assert buckets.take("a") > 0  # a is empty, and now the most recent
    buckets.take("c")  # evicts b, the least recently seen
    assert len(buckets) == 2
    assert buckets.take("b") == 0.0  # b starts again with a full bucket


@pytest.mark.parametrize(("wait", "seconds"), [(0.01, 1), (1.0, 1), (1.2, 2), (29.5, 30)])
def test_retry_after_is_whole_seconds_at_least_one(wait: float, seconds: int) -> None:
    assert retry_after_seconds(wait) == seconds


def test_bad_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="rate > 0 and burst >= 1"):
        TokenBuckets(rate=0, burst=1)


def limited_app(tiny_warehouse: Path, clock: Clock, **settings: object) -> FastAPI:
    """A bare app with the access check alone, so the clock can be injected."""
    app = FastAPI()

    @app.post("/graphql")
    async def graphql() -> dict[str, str]:
        return {"ok": "yes"}

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    install_security(app, settings_for(tiny_warehouse, **settings), clock=clock)
    return app


async def test_429_after_the_burst_and_recovery_after_time_passes(tiny_warehouse: Path) -> None:
    clock = Clock()
    app = limited_app(tiny_warehouse, clock, rate_limit_per_second=0.5, rate_limit_burst=2)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        allowed = [(await client.post("/graphql", json=QUERY)).status_code for _ in range(2)]
        limited = await client.post("/graphql", json=QUERY)
        health = await client.get("/health")
        clock.now += 1.9
        still = await client.post("/graphql", json=QUERY)
        clock.now += 0.1
        recovered = await client.post("/graphql", json=QUERY)
    assert allowed == [200, 200]
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "2"
    assert limited.json() == {
        "errors": [
            {
                "message": "Too many requests: retry after 2 s.",
                "extensions": {"code": "RATE_LIMITED"},
            }
        ]
    }
    assert health.status_code == 200  # the health check is never limited
    assert (still.status_code, still.headers["retry-after"]) == (429, "1")
    assert recovered.status_code == 200


async def test_clients_with_keys_have_a_bucket_each(tiny_warehouse: Path) -> None:
    clock = Clock()
    app = limited_app(
        tiny_warehouse,
        clock,
        require_api_key=True,
        api_keys="k1,k2",
        rate_limit_per_second=1,
        rate_limit_burst=1,
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:

        async def status(key: str) -> int:
            response = await client.post("/graphql", json=QUERY, headers={"X-API-Key": key})
            return response.status_code

        assert [await status("k1"), await status("k1"), await status("k2")] == [200, 429, 200]
        assert await status("wrong") == 401  # refused before it could use anyone's tokens


async def test_the_app_limits_every_path_but_health(
    tiny_warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = settings_for(tiny_warehouse, rate_limit_per_second=0.001, rate_limit_burst=2)
    async with app_client(create_app(settings)) as client:
        statuses = [(await client.post("/graphql", json=QUERY)).status_code for _ in range(3)]
        metrics = await client.get("/metrics")  # limited too: it is not an open path
        health = await client.get("/health")
    assert statuses == [200, 200, 429]
    assert metrics.status_code == 429
    assert int(metrics.headers["retry-after"]) >= 1000
    assert health.status_code == 200
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.strip()]
    codes = [line["error_code"] for line in lines if line["logger"] == "graphql_api.access"]
    assert codes == [None, None, "RATE_LIMITED", "RATE_LIMITED", None]


async def test_wrong_keys_are_limited_per_address(tiny_warehouse: Path) -> None:
    """300 guesses: the burst is answered 401, the rest 429, and so is the right key while
    the address has no failures left; another address is not held back."""
    clock = Clock()
    app = limited_app(
        tiny_warehouse,
        clock,
        require_api_key=True,
        api_keys="right-key",
        rate_limit_per_second=0,
        failed_auth_per_second=0.5,
        failed_auth_burst=3,
    )
    guesser = httpx.ASGITransport(app=app, client=("203.0.113.7", 4000))
    other = httpx.ASGITransport(app=app, client=("198.51.100.1", 4000))
    base = "http://testserver"
    async with (
        httpx.AsyncClient(transport=guesser, base_url=base) as client,
        httpx.AsyncClient(transport=other, base_url=base) as neighbour,
    ):

        async def guess(key: str, by: httpx.AsyncClient = client) -> httpx.Response:
            return await by.post("/graphql", json=QUERY, headers={"X-API-Key": key})

        statuses = [(await guess(f"guess-{n}")).status_code for n in range(300)]
        right_while_limited = await guess("right-key")
        elsewhere = await guess("wrong", neighbour)
        clock.now += 2
        right_later = await guess("right-key")
        wrong_later = await guess("wrong")
        wrong_again = await guess("wrong")
    assert statuses[:3] == [401, 401, 401]
    assert set(statuses[3:]) == {429}
    assert right_while_limited.status_code == 429
    assert right_while_limited.headers["retry-after"] == "2"
    assert right_while_limited.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert elsewhere.status_code == 401
    assert right_later.status_code == 200
    assert (wrong_later.status_code, wrong_again.status_code) == (401, 429)


async def test_failed_auth_limits_off(tiny_warehouse: Path) -> None:
    app = limited_app(
        tiny_warehouse,
        Clock(),
        require_api_key=True,
        api_keys="right-key",
        rate_limit_per_second=0,
        failed_auth_per_second=0,
        failed_auth_burst=1,
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        statuses = {
            (await client.post("/graphql", json=QUERY, headers={"X-API-Key": "no"})).status_code
            for _ in range(5)
        }
    assert statuses == {401}


@pytest.mark.parametrize("trusted", [True, False])
async def test_behind_a_cdn_limits_count_the_viewer_address_it_names(
    tiny_warehouse: Path, trusted: bool
) -> None:
    """Behind CloudFront every viewer arrives from a few edge addresses: with the header
    trusted, each viewer has its own bucket; without, the header is ignored (a client
    could write anything in it)."""
    header = {"client_address_header": "CloudFront-Viewer-Address"} if trusted else {}
    app = limited_app(
        tiny_warehouse, Clock(), rate_limit_per_second=0.001, rate_limit_burst=1, **header
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:

        async def status(viewer: str) -> int:
            answer = await client.post(
                "/graphql", json=QUERY, headers={"CloudFront-Viewer-Address": viewer}
            )
            return answer.status_code

        statuses = [
            await status("203.0.113.9:46532"),
            await status("203.0.113.9:50001"),  # the same viewer, another port
            await status("[2001:db8::1]:443"),
        ]
    assert statuses == ([200, 429, 200] if trusted else [200, 429, 429])
