"""Files of this repository that the stacks package and deploy."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
ETL_PACKAGE = REPO_ROOT / "etl"
GLUE_JOB_SCRIPT = ETL_PACKAGE / "jobs" / "build_warehouse.py"
SAMPLE_DATA = REPO_ROOT / "data" / "sample"
DOCKERFILE = "Dockerfile"
"""Relative to REPO_ROOT, the API image's build context."""
