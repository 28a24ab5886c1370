"""Servers for the API benchmark, each its own process on a free 127.0.0.1 port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

START_TIMEOUT_SECONDS = 60.0
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def graphql_server(warehouse: Path | str, **settings: str) -> Iterator[str]:
    """`stock-analytics serve` (one uvicorn worker); `settings` become STOCK_ANALYTICS_*."""
    port = free_port()
    environment = {f"STOCK_ANALYTICS_{name.upper()}": value for name, value in settings.items()}
    command = [str(BIN / "stock-analytics"), "serve", "--warehouse", str(warehouse)]
    with _process([*command, "--port", str(port)], environment, f"http://127.0.0.1:{port}/health"):
        yield f"http://127.0.0.1:{port}"


@contextmanager
def bare_server(bodies_file: Path) -> Iterator[str]:
    """bench/bare_app.py serving the captured bodies."""
    port = free_port()
    command = [sys.executable, "-m", "bench.bare_app", "--bodies", str(bodies_file)]
    with _process([*command, "--port", str(port)], {}, f"http://127.0.0.1:{port}/docs"):
        yield f"http://127.0.0.1:{port}"


@contextmanager
def _process(command: list[str], environment: dict[str, str], probe: str) -> Iterator[None]:
    process = subprocess.Popen(
        command,
        env={**os.environ, "STOCK_ANALYTICS_LOG_LEVEL": "warning", **environment},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_until_up(process, probe)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(process: subprocess.Popen[bytes], probe: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            errors = process.stderr.read().decode() if process.stderr else ""
            raise RuntimeError(
                f"{process.args!r} exited with {process.returncode}: {errors[-2000:]}"
            )
        try:
            if httpx.get(probe, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{process.args!r} did not answer within {START_TIMEOUT_SECONDS}s")
