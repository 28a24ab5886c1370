"""Real uvicorn servers on 127.0.0.1 for the load tests: in a thread (to wrap the engine)
or as `stock-analytics serve` in a subprocess (to read its resident memory)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI

from tests.graphql_api.live_server import free_port

START_TIMEOUT_SECONDS = 30.0


@contextmanager
def threaded_server(app: FastAPI) -> Iterator[str]:
    """Serve `app` (lifespan included) from a uvicorn thread; yield its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the uvicorn thread did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def resident_bytes(pid: int) -> int:
    """VmRSS of process `pid`, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


@contextmanager
def serve_subprocess(warehouse: Path, **settings: str) -> Iterator[tuple[str, int]]:
    """`stock-analytics serve` over `warehouse`; yield (base URL, process id).

    `settings` become STOCK_ANALYTICS_* variables."""
    port = free_port()
    command = [str(Path(sys.executable).parent / "stock-analytics"), "serve"]
    environment = {
        **os.environ,
        "STOCK_ANALYTICS_LOG_LEVEL": "warning",
        **{f"STOCK_ANALYTICS_{name.upper()}": value for name, value in settings.items()},
    }
    process = subprocess.Popen(
        [*command, "--warehouse", str(warehouse), "--port", str(port)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not _answers(f"{url}/health"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start (exit status {process.poll()})")
            time.sleep(0.1)
        yield url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.TransportError:
        return False
