"""The ETL's versions on a local warehouse with real Spark: layout, retention, grace,
orphans of killed runs, a live writer, a lost race, and the unversioned layout before."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from etl import publication
from etl.jobs.build_warehouse import run
from etl.options import JobOptions
from etl.publication import PublishConflict
from etl.storage import Storage
from etl.summary import RunSummary
from etl.tables import DATASET_MANIFEST, TABLES
from etl.writer_lease import LeaseHeld
from tests.etl.warehouse_tables import read_manifest, read_table, version_folders

ORPHAN = "20250101T000000Z-0000aa"


def _input(folder: Path, close: float = 11.0) -> Path:
    folder.mkdir(exist_ok=True)
    source = folder / "prices.csv"
    source.write_text(
        "date,open,high,low,close,volume,ticker\n"
        f"2023-12-29,10,12,9,10,100,AAA\n2024-01-02,10,12,9,{close},100,AAA\n"
    )
    return source


def _run(
    spark: SparkSession, source: Path, warehouse: Path, *, keep: int = 5, grace: float = 600
) -> RunSummary:
    options = JobOptions(str(source), str(warehouse), retained_versions=keep, grace_seconds=grace)
    return run(spark, options, report=lambda _message: None)


def _orphan(warehouse: Path, version: str = ORPHAN) -> Path:
    """What a run killed during its write leaves: a version folder the pointer never named."""
    folder = warehouse / "daily_metrics" / f"dataset_version={version}" / "year=2024"
    folder.mkdir(parents=True)
    (folder / "part-00000.parquet").write_bytes(b"half written")
    return folder.parent


def test_retention_keeps_two_and_the_grace_period_keeps_dropped_files(
    spark: SparkSession, tmp_path: Path
) -> None:
    source, warehouse = _input(tmp_path / "in"), tmp_path / "wh"
    runs = [_run(spark, source, warehouse, keep=2, grace=3600) for _ in range(3)]
    ids = [r.run_id for r in runs]

    pointer = read_manifest(warehouse)
    assert pointer["current"] == ids[2]
    assert [v["version"] for v in pointer["versions"]] == [ids[2], ids[1]]
    assert [d["version"] for d in pointer["dropped"]] == [ids[0]]
    # Dropped, but within its grace: a reader that holds it still finds every table.
    assert version_folders(warehouse) == {table.name: set(ids) for table in TABLES}
    assert {row["run_id"] for row in read_table(warehouse, "runs", ids[0])} == {ids[0]}

    fourth = _run(spark, source, warehouse, keep=2, grace=0)
    assert fourth.clean_up is not None
    assert set(fourth.clean_up.expired) == {ids[0], ids[1]}
    assert version_folders(warehouse) == {table.name: {ids[2], fourth.run_id} for table in TABLES}
    assert read_manifest(warehouse)["dropped"] == []
    assert f"  removed (grace over)  {ids[0]}, {ids[1]}" in fourth.render()


def test_the_next_run_removes_a_killed_runs_orphan(spark: SparkSession, tmp_path: Path) -> None:
    source, warehouse = _input(tmp_path / "in"), tmp_path / "wh"
    first = _run(spark, source, warehouse)
    orphan = _orphan(warehouse)

    second = _run(spark, source, warehouse)
    assert second.clean_up is not None
    assert second.clean_up.orphans == (ORPHAN,)
    assert not orphan.exists()
    assert version_folders(warehouse)["daily_metrics"] == {first.run_id, second.run_id}


HOLD_LOCK = """
import fcntl, sys, time
handle = open(sys.argv[1], "a+")
fcntl.flock(handle, fcntl.LOCK_EX)
handle.truncate(0); handle.write("20250101T000000Z-0000aa pid 1"); handle.flush()
print("held", flush=True)
time.sleep(120)
"""


def test_a_run_while_another_holds_the_lock_fails_at_once_and_removes_nothing(
    spark: SparkSession, tmp_path: Path
) -> None:
    source, warehouse = _input(tmp_path / "in"), tmp_path / "wh"
    first = _run(spark, source, warehouse)
    live = _orphan(warehouse)  # the live run's folder, being written
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(warehouse / "_writer.lock")],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "held\n"
        pointer = (warehouse / DATASET_MANIFEST).read_bytes()
        with pytest.raises(LeaseHeld, match=f"another writer \\({ORPHAN} pid 1\\) is writing"):
            _run(spark, source, warehouse)
    finally:
        holder.kill()
        holder.wait()
    assert live.exists()
    assert (warehouse / DATASET_MANIFEST).read_bytes() == pointer
    assert version_folders(warehouse)["daily_metrics"] == {first.run_id, ORPHAN}


def test_a_run_that_loses_the_race_publishes_nothing_and_removes_its_version(
    spark: SparkSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, warehouse = _input(tmp_path / "in"), tmp_path / "wh"
    first = _run(spark, source, warehouse)
    read = publication.read_pointer

    def read_then_lose_the_race(storage: Storage) -> publication.PointerState:
        state = read(storage)
        # Another writer (a rollback, say) rewrites the pointer right after our read.
        found = storage.read(DATASET_MANIFEST)
        assert found is not None
        storage.write(DATASET_MANIFEST, found[0] + b" ", expected=found[1])
        return state

    monkeypatch.setattr(publication, "read_pointer", read_then_lose_the_race)
    with pytest.raises(PublishConflict, match="changed by another writer"):
        _run(spark, source, warehouse)
    monkeypatch.undo()
    assert read_manifest(warehouse)["current"] == first.run_id
    assert version_folders(warehouse) == {table.name: {first.run_id} for table in TABLES}


def test_a_warehouse_of_the_unversioned_etl_gets_a_version_beside_it(
    spark: SparkSession, tmp_path: Path
) -> None:
    source, warehouse = _input(tmp_path / "in"), tmp_path / "wh"
    old = warehouse / "daily_metrics" / "year=2024"
    old.mkdir(parents=True)
    (old / "part-00000.parquet").write_bytes(b"old")
    legacy = {"run_id": "20251101T000000Z-abcdef", "rows": 1}
    (warehouse / DATASET_MANIFEST).write_text(json.dumps(legacy))

    summary = _run(spark, source, warehouse)
    assert read_manifest(warehouse)["current"] == summary.run_id
    assert [row["close"] for row in read_table(warehouse, "daily_metrics")] == [10.0, 11.0]
    assert (old / "part-00000.parquet").read_bytes() == b"old"
    assert summary.clean_up is not None
    assert summary.clean_up.unversioned == ("daily_metrics/year=2024",)
    assert "files of the unversioned ETL are left in place" in summary.render()
