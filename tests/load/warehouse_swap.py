"""Publish a new warehouse version into a served folder the way the ETL does
(etl/warehouse.py): tables staged under `_staging/<run_id>/`, each moved into place
with two renames (the old one aside, the new one in), the staging folder and the
replaced tables deleted, and `_dataset.json` replaced atomically, last."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from etl.tables import DATASET_MANIFEST
from tests.graphql_api.tiny_warehouse import Day, write_warehouse

STAGING = "_staging"


def publish_like_the_etl(warehouse: Path, days: list[Day], *, run_id: str) -> None:
    staging = warehouse / STAGING / run_id
    write_warehouse(staging, days, run_id=run_id)
    manifest = json.loads((staging / DATASET_MANIFEST).read_text())
    (staging / DATASET_MANIFEST).unlink()
    for table in sorted(path.name for path in staging.iterdir()):
        target = warehouse / table
        if target.exists():
            target.rename(staging / f"_replaced_{table}")
        (staging / table).rename(target)
    shutil.rmtree(staging)
    if not any((warehouse / STAGING).iterdir()):
        (warehouse / STAGING).rmdir()
    descriptor, temporary = tempfile.mkstemp(dir=warehouse, prefix=f".{DATASET_MANIFEST}.")
    with os.fdopen(descriptor, "w") as handle:
        json.dump(manifest, handle)
    os.replace(temporary, warehouse / DATASET_MANIFEST)
