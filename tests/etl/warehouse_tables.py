"""Reading a built warehouse back with pyarrow, for assertions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds

from etl.tables import TABLES_BY_NAME


def read_table(warehouse: Path, name: str) -> list[dict[str, Any]]:
    """All rows of a table, partition keys included, as dicts."""
    table = TABLES_BY_NAME[name]
    partitioning = "hive" if table.partition_keys else None
    dataset = ds.dataset(warehouse / name, format="parquet", partitioning=partitioning)
    rows: list[dict[str, Any]] = dataset.to_table().to_pylist()
    return rows


def read_manifest(warehouse: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((warehouse / "_dataset.json").read_text())
    return manifest
