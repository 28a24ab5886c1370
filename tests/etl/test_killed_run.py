"""`stock-analytics etl` killed with SIGKILL during its write step: readers see nothing of it,
and the next run succeeds and removes what it left."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from pyspark.sql import SparkSession

from etl.jobs.build_warehouse import run
from etl.options import JobOptions
from etl.tables import DATASET_MANIFEST, TABLES
from tests.etl.warehouse_tables import read_manifest, version_folders
from testsupport.paths import REPO_ROOT

START_SECONDS = 240.0


def _files(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file()
    }


def test_a_run_killed_while_writing_leaves_the_published_version_alone(
    spark: SparkSession, tmp_path: Path
) -> None:
    source = tmp_path / "prices.csv"
    source.write_text(
        "date,open,high,low,close,volume,ticker\n"
        "2024-01-02,10,12,9,10,100,AAA\n2024-01-03,10,12,9,11,100,AAA\n"
    )
    warehouse = tmp_path / "wh"
    options = JobOptions(str(source), str(warehouse))
    first = run(spark, options, report=lambda _message: None)
    pointer = (warehouse / DATASET_MANIFEST).read_bytes()
    published = {table.name: _files(warehouse / table.name) for table in TABLES}

    command = [sys.executable, "-m", "stock_analytics", "etl"]
    killed = subprocess.Popen(
        [*command, "--input", str(source), "--warehouse", str(warehouse)],
        cwd=REPO_ROOT,
        env={**os.environ, "SPARK_LOCAL_IP": "127.0.0.1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the JVM goes down with it
    )
    try:
        deadline = time.monotonic() + START_SECONDS
        while not version_folders(warehouse)["daily_metrics"] - {first.run_id}:
            assert killed.poll() is None, "the run ended before it was killed"
            assert time.monotonic() < deadline, "the run never started writing"
            time.sleep(0.05)
    finally:
        os.killpg(killed.pid, signal.SIGKILL)
        killed.wait()
    [orphan] = version_folders(warehouse)["daily_metrics"] - {first.run_id}

    assert (warehouse / DATASET_MANIFEST).read_bytes() == pointer
    for table in TABLES:
        still = _files(warehouse / table.name)
        assert {k: v for k, v in still.items() if first.run_id in k} == published[table.name]

    second = run(spark, options, report=lambda _message: None)
    assert second.clean_up is not None
    assert second.clean_up.orphans == (orphan,)
    assert version_folders(warehouse) == {
        table.name: {first.run_id, second.run_id} for table in TABLES
    }
    assert [v["version"] for v in read_manifest(warehouse)["versions"]] == [
        second.run_id,
        first.run_id,
    ]
