"""The ETL's sample warehouse in the versioned layout the API reads.

Until the ETL writes versions itself (the snapshots-etl branch), a warehouse it
built holds one table set and a format-1 manifest; this copies its tables under
`dataset_version=<run_id>` and writes a pointer naming that one version. A
warehouse that already has a pointer is used as it is.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from etl.dataset_pointer import DatasetPointer, PointerError, VersionSummary
from etl.tables import DATASET_MANIFEST, TABLES, version_prefix


def versioned(warehouse: Path, copy_to: Path) -> Path:
    text = (warehouse / DATASET_MANIFEST).read_text()
    try:
        DatasetPointer.from_json(text)
        return warehouse
    except PointerError:
        pass
    manifest = json.loads(text)
    version = manifest["run_id"]
    for table in TABLES:
        if (warehouse / table.name).is_dir():
            shutil.copytree(warehouse / table.name, copy_to / version_prefix(table, version))
    summary = VersionSummary.from_json(
        {**manifest, "version": version, "published_at": manifest["finished_at"]}
    )
    pointer = DatasetPointer(current=version, versions=(summary,))
    (copy_to / DATASET_MANIFEST).write_text(pointer.to_json())
    return copy_to
