"""VersionWriter: each version of a table in a folder of its own, written once."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from pyspark.sql import DataFrame, SparkSession

from etl.tables import TICKER_STATS, Table, version_prefix
from etl.warehouse import UNDICTIONARIED_TYPES, TableWrite, VersionWriter, conform_to_table
from tests.etl.warehouse_tables import read_table

# Out of order, some types off (int for bigint, string for date), one column extra.
STATS_SCHEMA = (
    "returns int, ticker string, trading_days int, extra string, last_date string,"
    " first_date string, annualized_volatility double, average_traded_value float"
)


def _stats(spark: SparkSession, ticker: str) -> DataFrame:
    row = (1, ticker, 2, "dropped", "2024-01-03", "2024-01-02", None, 1.5)
    return spark.createDataFrame([row], STATS_SCHEMA)


def test_conform_selects_declared_columns_in_order_and_types(spark: SparkSession) -> None:
    frame = conform_to_table(_stats(spark, "AAA"), TICKER_STATS)
    assert [(field.name, field.dataType.simpleString()) for field in frame.schema.fields] == [
        (column.name, column.type) for column in TICKER_STATS.columns
    ]
    [row] = frame.collect()
    assert (row["first_date"].isoformat(), row["returns"]) == ("2024-01-02", 1)


V1 = "20260101T000000Z-000001"
V2 = "20260102T000000Z-000002"


def test_versions_sit_side_by_side_and_are_written_once(
    spark: SparkSession, tmp_path: Path
) -> None:
    VersionWriter(spark, str(tmp_path), V1).write(TICKER_STATS, _stats(spark, "OLD"))
    VersionWriter(spark, tmp_path.as_uri(), V2).write(TICKER_STATS, _stats(spark, "NEW"))

    assert [row["ticker"] for row in read_table(tmp_path, "ticker_stats", V1)] == ["OLD"]
    assert [row["ticker"] for row in read_table(tmp_path, "ticker_stats", V2)] == ["NEW"]
    assert sorted(path.name for path in (tmp_path / "ticker_stats").iterdir()) == [
        f"dataset_version={V1}",
        f"dataset_version={V2}",
    ]
    assert len(list((tmp_path / "ticker_stats").rglob("part-*.parquet"))) == 2
    with pytest.raises(Exception, match="already exists"):
        VersionWriter(spark, str(tmp_path), V1).write(TICKER_STATS, _stats(spark, "AGAIN"))
    assert [row["ticker"] for row in read_table(tmp_path, "ticker_stats", V1)] == ["OLD"]


def _tickers(warehouse: Path, table: Table, version: str) -> list[str]:
    folder = warehouse / version_prefix(table, version)
    return [row["ticker"] for row in ds.dataset(folder, format="parquet").to_table().to_pylist()]


def test_write_all_writes_side_by_side_and_raises_a_failure_once_all_have_ended(
    spark: SparkSession, tmp_path: Path
) -> None:
    writer = VersionWriter(spark, str(tmp_path), V1)
    writer.write(TICKER_STATS, _stats(spark, "FIRST"))
    other = replace(TICKER_STATS, name="other_stats")
    with pytest.raises(Exception, match="already exists"):
        writer.write_all(
            [
                TableWrite(TICKER_STATS, _stats(spark, "AGAIN")),
                TableWrite(other, _stats(spark, "OTHER"), sort_by=("ticker",)),
            ]
        )
    assert _tickers(tmp_path, TICKER_STATS, V1) == ["FIRST"]
    assert _tickers(tmp_path, other, V1) == ["OTHER"]

    tables = (TICKER_STATS, other)
    VersionWriter(spark, str(tmp_path), V2).write_all(
        [TableWrite(table, _stats(spark, table.name)) for table in tables]
    )
    assert [_tickers(tmp_path, table, V2) for table in tables] == [[t.name] for t in tables]


def test_numbers_are_written_without_a_dictionary_and_read_back_the_same(
    spark: SparkSession, tmp_path: Path
) -> None:
    # Few distinct values, so Parquet would keep a dictionary for every column.
    rows = [
        (2, f"T{i % 3}", 700 + i % 2, None, "2024-01-03", "2024-01-02", 0.25, 1.5 * (i % 4))
        for i in range(200)
    ]
    VersionWriter(spark, str(tmp_path), V1).write(
        TICKER_STATS, spark.createDataFrame(rows, STATS_SCHEMA), sort_by=("ticker",)
    )

    [file] = (tmp_path / version_prefix(TICKER_STATS, V1)).glob("part-*.parquet")
    chunks = pq.ParquetFile(file).metadata.row_group(0)
    dictionary = {
        chunks.column(i).path_in_schema: chunks.column(i).has_dictionary_page
        for i in range(chunks.num_columns)
    }
    assert dictionary == {
        column.name: column.type not in UNDICTIONARIED_TYPES for column in TICKER_STATS.columns
    }
    assert {column.type for column in TICKER_STATS.columns} >= {"string", *UNDICTIONARIED_TYPES}
    expected = sorted((row[1], row[2], row[6], float(row[7]), row[0]) for row in rows)
    written = sorted(
        (
            r["ticker"],
            r["trading_days"],
            r["annualized_volatility"],
            r["average_traded_value"],
            r["returns"],
        )
        for r in read_table(tmp_path, "ticker_stats", V1)
    )
    assert written == expected
