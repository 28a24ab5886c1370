"""Writing the warehouse: the tables as Parquet, then the `_dataset.json` manifest.

Every table is first written under `_staging/<run_id>/` in the warehouse, then
moved into place one folder rename at a time (atomic on a local disk), so a
reader sees either the old or the new table, never a half-written one. The
manifest goes last: locally a temp file renamed over the old one, on S3 a single
PUT.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from etl.tables import DATASET_MANIFEST, Table

STAGING_FOLDER = "_staging"


def conform_to_table(frame: DataFrame, table: Table) -> DataFrame:
    """Select the table's columns in declared order, cast to the declared types.

    The declared (Athena) type names are also Spark SQL type names.
    """
    return frame.select(
        *(F.col(column.name).cast(column.type).alias(column.name) for column in table.all_columns)
    )


class WarehouseWriter:
    """Stages the tables of one run, then publishes them and the manifest."""

    def __init__(self, spark: SparkSession, root: str, run_id: str) -> None:
        self._spark = spark
        self._root = root.rstrip("/")
        self._staging = f"{self._root}/{STAGING_FOLDER}/{run_id}"
        self._staged: list[str] = []

    def stage(self, table: Table, frame: DataFrame, sort_by: tuple[str, ...] = ()) -> None:
        """Write `frame` as `table` into staging: one file per partition (or in all)."""
        rows = conform_to_table(frame, table)
        if table.partition_names:
            rows = rows.repartition(*table.partition_names)
        else:
            rows = rows.coalesce(1)
        if sort_by:
            # Partition keys first: the writer needs them in order, and keeps the rest.
            rows = rows.sortWithinPartitions(*table.partition_names, *sort_by)
        writer = rows.write.mode("overwrite")
        if table.partition_names:
            writer = writer.partitionBy(*table.partition_names)
        writer.parquet(f"{self._staging}/{table.name}")
        self._staged.append(table.name)

    def publish(self) -> None:
        """Move every staged table into place, replacing the previous one."""
        fs, path = self._file_system(), self._path
        for name in self._staged:
            target, staged = path(f"{self._root}/{name}"), path(f"{self._staging}/{name}")
            if fs.exists(target):
                fs.rename(target, path(f"{self._staging}/_replaced_{name}"))
            if not fs.rename(staged, target):
                raise OSError(f"could not move {staged} to {target}")
        self.discard()

    def discard(self) -> None:
        """Remove this run's staging folder (and the tables it replaced)."""
        self._file_system().delete(self._path(self._staging), True)
        staging_root = self._path(f"{self._root}/{STAGING_FOLDER}")
        fs = self._file_system()
        if fs.exists(staging_root) and len(fs.listStatus(staging_root)) == 0:
            fs.delete(staging_root, False)

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        """Write `_dataset.json` at the warehouse root, atomically."""
        text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
        if "://" not in self._root:
            _replace_local_file(Path(self._root) / DATASET_MANIFEST, text)
            return
        stream = self._file_system().create(self._path(f"{self._root}/{DATASET_MANIFEST}"), True)
        try:
            stream.write(bytearray(text.encode("utf-8")))
        finally:
            stream.close()

    def _path(self, path: str) -> Any:
        jvm: Any = self._spark.sparkContext._jvm
        return jvm.org.apache.hadoop.fs.Path(path)

    def _file_system(self) -> Any:
        conf = self._spark.sparkContext._jsc.hadoopConfiguration()
        return self._path(self._root).getFileSystem(conf)


def _replace_local_file(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        os.fchmod(descriptor, 0o644)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
