"""Where the checkout's files are."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DATA = REPO_ROOT / "data" / "sample"
CACHE = REPO_ROOT / ".cache"
"""Reused across runs, never committed (.gitignore): npm packages, virtualenvs."""
