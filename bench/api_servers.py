"""Servers for the API benchmark, each its own process on a port it bound itself
(testsupport/servers.py)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from testsupport.servers import BIN, Served, launched, serving

__all__ = ["BIN", "PIDS", "bare_server", "graphql_server"]

PIDS: dict[str, int] = {}
"""Each running server's base URL -> its process id (for its CPU time)."""


@contextmanager
def graphql_server(
    warehouse: Path | str,
    *,
    pythonpath: str | None = None,
    log: Path | None = None,
    **settings: str,
) -> Iterator[str]:
    """`stock-analytics serve` (one uvicorn worker); `settings` become STOCK_ANALYTICS_*;
    `pythonpath` serves another checkout's code; `log` takes its stderr (its JSON log)."""
    environment = {f"STOCK_ANALYTICS_{name.upper()}": value for name, value in settings.items()}
    if pythonpath is not None:
        environment["PYTHONPATH"] = pythonpath
    if log is None:
        with serving(warehouse, **environment) as served:
            yield _noted(served)
        return
    command = [str(BIN / "stock-analytics"), "serve", "--warehouse", str(warehouse)]
    env = {**os.environ, "STOCK_ANALYTICS_LOG_LEVEL": "warning", **environment}
    with launched(_logging_to(log, [*command, "--port", "0"]), env) as served:
        yield _noted(served)


@contextmanager
def bare_server(bodies_file: Path, *, log: Path | None = None) -> Iterator[str]:
    """bench/bare_app.py serving the captured bodies; with `log`, uvicorn's access log on,
    written there."""
    command = [sys.executable, "-m", "bench.bare_app", "--bodies", str(bodies_file)]
    if log is not None:
        command = _logging_to(log, [*command, "--access-log"])
    with launched(command, os.environ, probe="/docs") as served:
        yield _noted(served)


def _logging_to(log: Path, command: list[str]) -> list[str]:
    """`command` with its stderr appended to `log`: a server that logs every request would
    fill the launcher's pipe, which nobody reads, and stall. (`exec` keeps the pid.)"""
    return ["sh", "-c", 'exec "$@" 2>>"$0"', str(log), *command]


def _noted(served: Served) -> str:
    PIDS[served.url] = served.pid
    return served.url
