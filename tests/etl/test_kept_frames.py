"""Kept frames: local checkpoints in one JVM, persisted elsewhere, and released when a run ends."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest
from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from etl.jobs.build_warehouse import run
from etl.kept_frames import ADAPTIVE, KeptFrames
from etl.options import JobOptions
from testsupport.paths import SAMPLE_DATA


def _persisted(spark: SparkSession) -> set[int]:
    return {int(rdd_id) for rdd_id in spark.sparkContext._jsc.getPersistentRDDs().keySet()}


def _frame(spark: SparkSession) -> DataFrame:
    numbers = spark.range(0, 1000, numPartitions=3)
    return numbers.repartition(4, "id").select("id", (F.col("id") * 1.5).alias("half_again"))


def test_a_local_session_keeps_a_frame_as_a_local_checkpoint_until_released(
    spark: SparkSession,
) -> None:
    before = _persisted(spark)
    kept = KeptFrames(spark)
    frame = kept.keep(_frame(spark))

    assert frame._jdf.queryExecution().analyzed().getClass().getSimpleName() == "LogicalRDD"
    assert sorted(frame.collect()) == sorted(_frame(spark).collect())
    held = _persisted(spark) - before
    assert len(held) == 1
    # Read again with the partitioning they were computed in: no second shuffle.
    by_id = frame.groupBy("id").count()
    assert "Exchange" not in by_id._jdf.queryExecution().executedPlan().toString()
    assert by_id.where("count > 1").count() == 0

    kept.release()
    assert _persisted(spark) == before


@pytest.mark.parametrize("master", ["yarn", "local-cluster[2,1,1024]"])
def test_elsewhere_a_kept_frame_is_persisted_and_released(spark: SparkSession, master: str) -> None:
    # Stands in for Glue's session, or executors in JVMs of their own: only the master
    # differs, and only the master is read.
    elsewhere = cast(SparkSession, SimpleNamespace(sparkContext=SimpleNamespace(master=master)))
    kept = KeptFrames(elsewhere)
    frame = kept.keep(_frame(spark))

    assert frame.storageLevel == StorageLevel.MEMORY_AND_DISK
    assert sorted(frame.collect()) == sorted(_frame(spark).collect())

    kept.release()
    assert frame.storageLevel == StorageLevel.NONE


def test_under_adaptive_execution_a_kept_frame_is_persisted(spark: SparkSession) -> None:
    spark.conf.set(ADAPTIVE, "true")
    try:
        kept = KeptFrames(spark)
        frame = kept.keep(_frame(spark))
        assert frame.storageLevel == StorageLevel.MEMORY_AND_DISK
        kept.release()
        assert frame.storageLevel == StorageLevel.NONE
    finally:
        spark.conf.set(ADAPTIVE, "false")


def test_a_run_leaves_no_kept_rows_behind(spark: SparkSession, tmp_path: Path) -> None:
    before = _persisted(spark)
    run(spark, JobOptions(str(SAMPLE_DATA), str(tmp_path / "wh")), report=lambda _message: None)
    assert _persisted(spark) == before
