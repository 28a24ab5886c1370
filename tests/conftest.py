"""Fixtures shared across the test tree: one local Spark session and a sample warehouse."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from testsupport.paths import SAMPLE_DATA

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    """One local Spark session (2 cores, no UI, no adaptive execution) for the whole test run."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("stock-analytics-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.legacy.timeParserPolicy", "CORRECTED")
        # As in the ETL's local session (etl/jobs/build_warehouse.py), where its kept frames are
        # local checkpoints (etl/kept_frames.py).
        .config("spark.sql.adaptive.enabled", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def sample_warehouse(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse built by the real ETL from data/sample.

    One version, V = the pointer's "current": <warehouse>/<table>/dataset_version=V/
    year=YYYY/part-*.parquet for partitioned tables, <warehouse>/<table>/
    dataset_version=V/part-*.parquet otherwise, and the pointer <warehouse>/_dataset.json.
    """
    from etl.jobs.build_warehouse import run
    from etl.options import JobOptions

    warehouse = tmp_path_factory.mktemp("sample_warehouse")
    options = JobOptions(input=str(SAMPLE_DATA), warehouse=str(warehouse))
    run(spark, options, report=lambda _message: None)
    return warehouse
