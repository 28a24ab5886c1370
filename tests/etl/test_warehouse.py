"""WarehouseWriter: staged tables replace the old ones; a failed run leaves them alone."""

from __future__ import annotations

import json
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession

from etl.tables import TICKER_STATS
from etl.warehouse import WarehouseWriter, conform_to_table
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


def test_publish_replaces_and_discard_keeps_the_old_table(
    spark: SparkSession, tmp_path: Path
) -> None:
    first = WarehouseWriter(spark, str(tmp_path), "run-1")
    first.stage(TICKER_STATS, _stats(spark, "OLD"))
    first.publish()
    first.write_manifest({"run_id": "run-1"})

    failed = WarehouseWriter(spark, str(tmp_path), "run-2")
    failed.stage(TICKER_STATS, _stats(spark, "HALF"))
    failed.discard()
    assert [row["ticker"] for row in read_table(tmp_path, "ticker_stats")] == ["OLD"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["_dataset.json", "ticker_stats"]

    second = WarehouseWriter(spark, str(tmp_path), "run-3")
    second.stage(TICKER_STATS, _stats(spark, "NEW"))
    second.publish()
    second.write_manifest({"run_id": "run-3"})
    assert [row["ticker"] for row in read_table(tmp_path, "ticker_stats")] == ["NEW"]
    assert json.loads((tmp_path / "_dataset.json").read_text()) == {"run_id": "run-3"}
    assert sorted(path.name for path in tmp_path.iterdir()) == ["_dataset.json", "ticker_stats"]
    assert len(list((tmp_path / "ticker_stats").glob("part-*.parquet"))) == 1
