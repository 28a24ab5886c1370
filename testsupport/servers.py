"""Real servers on 127.0.0.1, each on a port it bound itself (port 0, so no other process
can take it first): an app served by uvicorn in a thread (`LiveServer`), or a server
command in a subprocess that prints its address once it listens (`launched`, and
`serving` for `stock-analytics serve`)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import httpx
import uvicorn
from fastapi import FastAPI

START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 10.0
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Served:
    url: str
    pid: int


@contextmanager
def launched(
    command: Sequence[str],
    env: Mapping[str, str],
    *,
    probe: str = "/health",
    cwd: Path | None = None,
) -> Iterator[Served]:
    """Run `command`, a server that binds port 0 and prints its address on its first line,
    with exactly the environment `env`; yield once `probe` answers 200; stop it after."""
    process = subprocess.Popen(
        list(command), env=dict(env), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        url = announced_url(process)
        _wait_until_up(process, url + probe)
        yield Served(url, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def serving(warehouse: Path | str, **environment: str) -> Iterator[Served]:
    """`stock-analytics serve` over `warehouse`, the real command line; `environment` is added
    to this process's environment (e.g. STOCK_ANALYTICS_* settings)."""
    command = [str(BIN / "stock-analytics"), "serve", "--warehouse", str(warehouse)]
    env = {**os.environ, "STOCK_ANALYTICS_LOG_LEVEL": "warning", **environment}
    with launched([*command, "--port", "0"], env) as served:
        yield served


def announced_url(process: subprocess.Popen[bytes] | subprocess.Popen[str]) -> str:
    """The address a server started on port 0 prints once it holds its socket: no race for
    the port."""
    assert process.stdout is not None
    read = process.stdout.readline()
    line = read.decode() if isinstance(read, bytes) else read
    found = re.search(r"http://[^/\s]+", line)
    if found is None:
        errors = process.stderr.read() if process.stderr else ""
        raise RuntimeError(f"the server announced no address: {line!r} {errors!r:.2000}")
    return found.group(0)


def _wait_until_up(process: subprocess.Popen[bytes], probe: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            errors = process.stderr.read().decode() if process.stderr else ""
            raise RuntimeError(f"the server exited with {process.returncode}: {errors[-2000:]}")
        try:
            if httpx.get(probe, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{probe} did not answer within {START_TIMEOUT_SECONDS}s")


class LiveServer:
    """``with LiveServer(app) as server:`` serves ``app`` at ``server.url`` until the block ends."""

    def __init__(self, app: FastAPI) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        port = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(app, log_level="warning", lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def __enter__(self) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the server stopped while starting: see the log above")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start in {START_TIMEOUT_SECONDS}s")
            time.sleep(0.05)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=15)
        self._socket.close()
