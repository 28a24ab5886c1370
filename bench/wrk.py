"""Run wrk (Debian's `wrk` package) against one POST endpoint and parse its report."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

LUA = """wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [==[{body}]==]
"""

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


@dataclass(frozen=True)
class WrkResult:
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    """Socket errors (connect, read, write, timeout) plus non-2xx/3xx answers."""


def run_wrk(
    url: str, body: str, *, seconds: float, connections: int, threads: int = 1
) -> WrkResult:
    """Load `url` with POSTs of `body` from a separate wrk process; --latency gives p50/p99."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA.format(body=body))
    try:
        command = [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds:g}s",
            "--timeout",
            "10s",
            "--latency",
            "-s",
            script.name,
            url,
        ]
        report = subprocess.run(
            command, capture_output=True, text=True, check=True, timeout=seconds + 30
        ).stdout
    finally:
        Path(script.name).unlink()
    return parse_wrk(report)


def run_wrk_cpu(
    url: str, body: str, pid: int, *, seconds: float, connections: int
) -> tuple[WrkResult, float]:
    """run_wrk, and the CPU time (user + system) the server `pid` spent per answered
    request, in microseconds: unlike requests per second, it barely depends on what
    else the machine runs."""
    before = process_cpu_seconds(pid)
    result = run_wrk(url, body, seconds=seconds, connections=connections)
    spent = process_cpu_seconds(pid) - before
    return result, 1e6 * spent / max(result.requests, 1)


def process_cpu_seconds(pid: int) -> float:
    """User plus system CPU time of process `pid` so far (Linux /proc)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def parse_wrk(report: str) -> WrkResult:
    requests = int(_find(r"(\d+) requests in", report))
    socket_errors = sum(
        int(n)
        for n in re.findall(
            r"(?:connect|read|write|timeout) (\d+)", _find_or(r"Socket errors:(.*)", report, "")
        )
    )
    non_2xx = int(_find_or(r"Non-2xx or 3xx responses: (\d+)", report, "0"))
    return WrkResult(
        requests=requests,
        rps=float(_find(r"Requests/sec:\s+([\d.]+)", report)),
        p50_ms=_milliseconds(_find(r"\s50%\s+([\d.]+\w+)", report)),
        p99_ms=_milliseconds(_find(r"\s99%\s+([\d.]+\w+)", report)),
        errors=socket_errors + non_2xx,
    )


def _milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def _find(pattern: str, text: str) -> str:
    found = re.search(pattern, text)
    if found is None:
        raise ValueError(f"wrk's report has no match for {pattern!r}:\n{text}")
    return found.group(1)


def _find_or(pattern: str, text: str, default: str) -> str:
    found = re.search(pattern, text)
    return found.group(1) if found else default
