"""Reading wrk's report (requests per second, p50 / p99 in ms, errors); a server's CPU time."""

from __future__ import annotations

import os
import time

import pytest

from bench.wrk import parse_wrk, process_cpu_seconds

REPORT = """Running 2s test @ http://127.0.0.1:8000/graphql
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.18ms    1.10ms  45.97ms   94.12%
    Req/Sec     7.21k   512.33     7.90k    80.00%
  Latency Distribution
     50%  {p50}
     75%    2.30ms
     90%    2.71ms
     99%  {p99}
  14362 requests in 2.00s, 4.49MB read
{errors}Requests/sec:   7181.42
Transfer/sec:      2.24MB
"""


def test_a_clean_run() -> None:
    result = parse_wrk(REPORT.format(p50="2.09ms", p99="8.70ms", errors=""))
    assert (result.requests, result.rps, result.errors) == (14362, 7181.42, 0)
    assert (result.p50_ms, result.p99_ms) == (2.09, 8.70)


@pytest.mark.parametrize(
    ("p50", "p99", "expected"),
    [("850.00us", "1.20s", (0.85, 1200.0)), ("12.00ms", "1.00m", (12.0, 60000.0))],
)
def test_latency_units(p50: str, p99: str, expected: tuple[float, float]) -> None:
    result = parse_wrk(REPORT.format(p50=p50, p99=p99, errors=""))
    assert (result.p50_ms, result.p99_ms) == pytest.approx(expected)


def test_socket_errors_and_non_2xx_answers_are_counted() -> None:
    errors = (
        "  Socket errors: connect 1, read 2, write 0, timeout 3\n  Non-2xx or 3xx responses: 7\n"
    )
    assert parse_wrk(REPORT.format(p50="2ms", p99="9ms", errors=errors)).errors == 13


def test_a_report_without_figures_is_refused() -> None:
    with pytest.raises(ValueError, match="Requests/sec"):
        parse_wrk("unable to connect to 127.0.0.1:1 Connection refused\n  0 requests in 1s")


def test_process_cpu_seconds_is_the_kernels_count_of_user_and_system_time() -> None:
    deadline = time.process_time() + 0.2
    while time.process_time() < deadline:  # spend some CPU
        pass
    before = os.times()
    measured = process_cpu_seconds(os.getpid())
    after = os.times()
    tick = 1 / os.sysconf("SC_CLK_TCK")
    low, high = before.user + before.system, after.user + after.system
    assert low - tick <= measured <= high + tick
    assert measured >= 0.2 - tick
