"""The thirty-day-return leaders, against a plain-Python sort of the same rows."""

from __future__ import annotations

from datetime import date, timedelta

from pyspark.sql import SparkSession

from etl.transforms.leaders import thirty_day_leaders

SCHEMA = "ticker string, date date, return_30d double, close double"
START = date(2024, 1, 2)


def test_top_rows_by_return_then_date_then_ticker(spark: SparkSession) -> None:
    """Three tickers, ten days each, returns tied across tickers and days and nulls: the
    top rows are the highest returns, then the earlier date, then the smaller ticker,
    with the cut falling inside a tie."""
    rows = [
        (ticker, START + timedelta(days=day), None if day == 0 else float((day * 7) % 4), 1.0)
        for ticker in ("CCC", "AAA", "BBB")
        for day in range(10)
    ]
    frame = spark.createDataFrame(rows, SCHEMA)
    ranked = sorted(
        (row for row in rows if row[2] is not None), key=lambda row: (-row[2], row[1], row[0])
    )
    for count in (1, 5, 7, len(ranked), len(ranked) + 3):
        found = [tuple(row) for row in thirty_day_leaders(frame, rows=count).collect()]
        assert found == ranked[:count]
    cut = ranked[6][2]
    assert ranked[7][2] == cut  # count 7 cuts a tie


def test_no_row_with_a_return_gives_no_leader(spark: SparkSession) -> None:
    frame = spark.createDataFrame([("AAA", START, None, 1.0)], SCHEMA)
    assert thirty_day_leaders(frame).collect() == []
