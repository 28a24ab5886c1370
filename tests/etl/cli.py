"""The command line in a subprocess, from the checkout, as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from testsupport.paths import REPO_ROOT

TIMEOUT_SECONDS = 300


def stock_analytics(
    *arguments: str, environment: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m stock_analytics ARGUMENTS`; `environment` is added to this process's."""
    return subprocess.run(
        [sys.executable, "-m", "stock_analytics", *arguments],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env={**os.environ, "SPARK_LOCAL_IP": "127.0.0.1", **(environment or {})},
        timeout=TIMEOUT_SECONDS,
        check=False,
    )


def run_etl(source: Path, warehouse: Path) -> subprocess.CompletedProcess[str]:
    """`stock-analytics etl --input SOURCE --warehouse WAREHOUSE`."""
    return stock_analytics("etl", "--input", str(source), "--warehouse", str(warehouse))
