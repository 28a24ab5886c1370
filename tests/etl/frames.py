"""Small helpers to build input DataFrames for the transform tests."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any

from pyspark.sql import DataFrame, SparkSession

RAW_SCHEMA = (
    "file_id int, location bigint, date string, open string, high string, low string,"
    " close string, volume string, ticker string, record_error string"
)
PRICES_SCHEMA = (
    "ticker string, date date, open double, high double, low double, close double, volume bigint"
)


def raw_rows(spark: SparkSession, rows: Sequence[tuple[Any, ...]]) -> DataFrame:
    """Raw rows as read: (file_id, location, date, open, high, low, close, volume, ticker).

    A tenth value, if given, is the row's record_error (null otherwise).
    """
    return spark.createDataFrame([(*row, None)[:10] for row in rows], RAW_SCHEMA)


def closes(spark: SparkSession, rows: Sequence[tuple[str, str, float]]) -> DataFrame:
    """Accepted prices from (ticker, ISO date, close); open/high/low = close, volume 100."""
    return spark.createDataFrame(
        [(t, date.fromisoformat(d), c, c, c, c, 100) for t, d, c in rows], PRICES_SCHEMA
    )


def by_key(frame: DataFrame, *key: str) -> dict[Any, dict[str, Any]]:
    """Collect `frame` into {key value(s): row as dict}."""
    collected = {}
    for row in frame.collect():
        values = row.asDict()
        index = values[key[0]] if len(key) == 1 else tuple(values[k] for k in key)
        collected[index] = values
    return collected


@contextmanager
def file_chunks_of(spark: SparkSession, size: int) -> Iterator[None]:
    """Make Spark cut even a small file into chunks of `size` bytes, read by different tasks."""
    keys = ("spark.sql.files.maxPartitionBytes", "spark.sql.files.openCostInBytes")
    saved = {key: spark.conf.get(key) for key in keys}
    for key in keys:
        spark.conf.set(key, str(size))
    try:
        yield
    finally:
        for key, value in saved.items():
            spark.conf.set(key, value)
