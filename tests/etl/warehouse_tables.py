"""Reading a built warehouse back with pyarrow, for assertions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds

from etl.tables import DATASET_MANIFEST, TABLES, TABLES_BY_NAME, VERSION_KEY, version_prefix
from etl.writer_lease import LOCK_FILE


def read_table(warehouse: Path, name: str, version: str | None = None) -> list[dict[str, Any]]:
    """All rows of one version of a table (the current one by default), partition keys
    included, as dicts."""
    table = TABLES_BY_NAME[name]
    folder = warehouse / version_prefix(table, version or current_version(warehouse))
    partitioning = "hive" if table.partition_keys else None
    dataset = ds.dataset(folder, format="parquet", partitioning=partitioning)
    rows: list[dict[str, Any]] = dataset.to_table().to_pylist()
    return rows


def read_manifest(warehouse: Path) -> dict[str, Any]:
    """The pointer, `_dataset.json`, as JSON."""
    manifest: dict[str, Any] = json.loads((warehouse / DATASET_MANIFEST).read_text())
    return manifest


def current_summary(warehouse: Path) -> dict[str, Any]:
    """The current version's entry in the pointer."""
    pointer = read_manifest(warehouse)
    [entry] = [v for v in pointer["versions"] if v["version"] == pointer["current"]]
    return entry


def current_version(warehouse: Path) -> str:
    version: str = read_manifest(warehouse)["current"]
    return version


def version_folders(warehouse: Path) -> dict[str, set[str]]:
    """Per table, the versions that have a folder."""
    prefix = f"{VERSION_KEY}="
    return {
        table.name: {
            path.name.removeprefix(prefix)
            for path in (warehouse / table.name).glob(f"{prefix}*")
            if path.is_dir()
        }
        for table in TABLES
    }


def nothing_written(warehouse: Path) -> bool:
    """A run that failed left nothing behind but, at most, the writer lock it held
    (etl/writer_lease.py keeps the lock file: deleting it would race the next writer)."""
    left = [path.name for path in warehouse.rglob("*")] if warehouse.exists() else []
    return left in ([], [LOCK_FILE])
