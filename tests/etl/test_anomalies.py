"""flag_anomalies: which rows are flagged, with which kind."""

from __future__ import annotations

from datetime import date

from pyspark.sql import SparkSession

from etl.transforms.anomalies import flag_anomalies

SCHEMA = (
    "ticker string, date date, open double, high double, low double, close double,"
    " volume bigint, daily_return double"
)


def test_flags_each_kind_and_keeps_normal_rows_out(spark: SparkSession) -> None:
    day = date(2024, 1, 2)
    rows = [
        ("OK", day, 10.0, 12.0, 9.0, 11.0, 100, 0.39),
        ("HIGH", day, 10.0, 10.5, 9.0, 11.0, 100, None),
        ("LOW", day, 10.0, 12.0, 10.5, 11.0, 100, 0.01),
        ("ZERO", day, 10.0, 12.0, 9.0, 11.0, 0, -0.39),
        ("UP", day, 10.0, 12.0, 9.0, 11.0, 100, 0.5),
        ("DOWN", day, 10.0, 12.0, 9.0, 11.0, 100, -0.45),
        ("ALL", day, 10.0, 9.5, 9.0, 11.0, 0, 0.41),
    ]
    flagged = flag_anomalies(spark.createDataFrame(rows, SCHEMA), "run-1").collect()
    kinds = sorted((row["ticker"], row["kind"]) for row in flagged)
    assert kinds == [
        ("ALL", "large_move"),
        ("ALL", "ohlc_inconsistent"),
        ("ALL", "zero_volume"),
        ("DOWN", "large_move"),
        ("HIGH", "ohlc_inconsistent"),
        ("LOW", "ohlc_inconsistent"),
        ("UP", "large_move"),
        ("ZERO", "zero_volume"),
    ]
    assert {row["run_id"] for row in flagged} == {"run-1"}
    details = {(row["ticker"], row["kind"]): row["detail"] for row in flagged}
    assert details[("UP", "large_move")] == "daily_return=0.5000"
    assert details[("HIGH", "ohlc_inconsistent")] == "open=10.0 high=10.5 low=9.0 close=11.0"


def test_threshold_is_a_parameter(spark: SparkSession) -> None:
    rows = [("UP", date(2024, 1, 2), 10.0, 12.0, 9.0, 11.0, 100, 0.2)]
    frame = spark.createDataFrame(rows, SCHEMA)
    assert flag_anomalies(frame, "r", large_move_threshold=0.4).count() == 0
    assert flag_anomalies(frame, "r", large_move_threshold=0.1).count() == 1
