"""Servers for the API benchmark, each its own process on a port it bound itself
(testsupport/servers.py)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from testsupport.servers import BIN, launched, serving

__all__ = ["BIN", "bare_server", "graphql_server"]


@contextmanager
def graphql_server(warehouse: Path | str, **settings: str) -> Iterator[str]:
    """`stock-analytics serve` (one uvicorn worker); `settings` become STOCK_ANALYTICS_*."""
    environment = {f"STOCK_ANALYTICS_{name.upper()}": value for name, value in settings.items()}
    with serving(warehouse, **environment) as served:
        yield served.url


@contextmanager
def bare_server(bodies_file: Path) -> Iterator[str]:
    """bench/bare_app.py serving the captured bodies."""
    command = [sys.executable, "-m", "bench.bare_app", "--bodies", str(bodies_file)]
    with launched(command, os.environ, probe="/docs") as served:
        yield served.url
