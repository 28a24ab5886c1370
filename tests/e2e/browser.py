"""Debian's Chromium for the browser tests, where the tests keep what they saw, and the app
they browse."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from fastapi import FastAPI

from graphql_api.config import Settings
from graphql_api.main import create_app
from testsupport.paths import CACHE, REPO_ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
APT_TIMEOUT_SECONDS = 900
ARTIFACTS = REPO_ROOT / "test-artifacts"
GRAPHIQL_ASSETS = CACHE / "graphiql-assets"


def install_chromium() -> str | None:
    """Install Debian's chromium; return why it cannot be, or None once it is there."""
    if os.geteuid() != 0:
        return "not running as root, so apt-get cannot install it"
    if shutil.which("apt-get") is None:
        return "apt-get is not available"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "chromium"],
    ):
        try:
            done = subprocess.run(
                command, env=env, capture_output=True, text=True, timeout=APT_TIMEOUT_SECONDS
            )
        except subprocess.TimeoutExpired:
            return f"`{' '.join(command)}` timed out"
        if done.returncode != 0:
            return f"`{' '.join(command)}` failed: {done.stderr.strip()[-500:]}"
    return None if CHROMIUM.exists() else f"apt-get installed chromium but not {CHROMIUM}"


def build_app(warehouse: Path, *, graphiql_assets_dir: Path | None = None) -> FastAPI:
    settings = Settings(warehouse=str(warehouse), graphiql_assets_dir=graphiql_assets_dir)
    return create_app(settings)
