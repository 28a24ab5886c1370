"""Daily and 30-day returns on small frames, expected values worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from etl.transforms.returns import (
    add_daily_returns,
    add_returns,
    add_thirty_day_returns,
    add_traded_value,
    add_year,
)
from tests.etl.frames import by_key, closes

# Deliberately out of order; AAA skips 2024-01-04..05 and 2024-01-09..2024-02-01.
PRICES = [
    ("AAA", "2024-02-05", 90.0),
    ("AAA", "2024-01-02", 100.0),
    ("AAA", "2024-01-08", 99.0),
    ("AAA", "2024-01-03", 110.0),
    ("AAA", "2024-02-02", 120.0),
    ("BBB", "2024-01-03", 50.0),
]


def test_daily_return_uses_the_previous_available_close(spark: SparkSession) -> None:
    rows = by_key(add_daily_returns(closes(spark, PRICES)), "ticker", "date")
    returns = {key: row["daily_return"] for key, row in rows.items()}
    assert returns[("AAA", date(2024, 1, 2))] is None
    assert returns[("AAA", date(2024, 1, 3))] == pytest.approx(110 / 100 - 1)
    assert returns[("AAA", date(2024, 1, 8))] == pytest.approx(99 / 110 - 1)
    assert returns[("AAA", date(2024, 2, 2))] == pytest.approx(120 / 99 - 1)
    assert returns[("AAA", date(2024, 2, 5))] == pytest.approx(90 / 120 - 1)
    assert returns[("BBB", date(2024, 1, 3))] is None


def test_thirty_day_return_looks_back_to_the_latest_day_on_or_before(
    spark: SparkSession,
) -> None:
    rows = by_key(add_thirty_day_returns(closes(spark, PRICES)), "ticker", "date")

    def prior(ticker: str, day: str) -> tuple[object, object, object]:
        row = rows[(ticker, date.fromisoformat(day))]
        return row["prior_date_30d"], row["prior_close_30d"], row["return_30d"]

    # 2024-02-02 - 30 days = 2024-01-03, a trading day: included (on or before).
    assert prior("AAA", "2024-02-02") == (date(2024, 1, 3), 110.0, pytest.approx(120 / 110 - 1))
    # 2024-02-05 - 30 days = 2024-01-06, a Saturday: the latest day before is 01-03.
    assert prior("AAA", "2024-02-05") == (date(2024, 1, 3), 110.0, pytest.approx(90 / 110 - 1))
    # Nothing that early: all null.
    assert prior("AAA", "2024-01-08") == (None, None, None)
    assert prior("AAA", "2024-01-02") == (None, None, None)
    # A ticker with one row.
    assert prior("BBB", "2024-01-03") == (None, None, None)


def test_thirty_day_return_takes_the_lookback_as_a_value(spark: SparkSession) -> None:
    rows = by_key(add_thirty_day_returns(closes(spark, PRICES), lookback_days=5), "ticker", "date")
    row = rows[("AAA", date(2024, 1, 8))]
    # 2024-01-08 - 5 days = 2024-01-03.
    assert (row["prior_date_30d"], row["return_30d"]) == (
        date(2024, 1, 3),
        pytest.approx(99 / 110 - 1),
    )


@pytest.mark.parametrize("counting", [False, True])
def test_both_returns_at_once_are_each_added_alone(spark: SparkSession, counting: bool) -> None:
    """add_returns (one window pass) gives the rows of add_daily_returns then
    add_thirty_day_returns, with every row counted or with rows left out (an extra row on a
    day AAA trades, and one on a day it does not, both uncounted)."""
    uncounted = [("AAA", "2024-01-03", 500.0), ("AAA", "2024-01-20", 700.0)]
    prices = closes(spark, PRICES + (uncounted if counting else [])).withColumn(
        "counted", F.col("close") < 500
    )
    counted = F.col("counted") if counting else None
    one_pass = add_returns(prices, lookback_days=5, counted=counted)
    in_turn = add_thirty_day_returns(
        add_daily_returns(prices, counted), lookback_days=5, counted=counted
    )
    assert one_pass.columns == in_turn.columns
    assert sorted(map(tuple, one_pass.collect())) == sorted(map(tuple, in_turn.collect()))
    # Not all null: AAA's five counted days have four daily returns.
    assert sum(r["daily_return"] is not None for r in one_pass.collect() if r["counted"]) == 4


def test_traded_value_and_year(spark: SparkSession) -> None:
    prices = closes(spark, [("AAA", "2023-12-29", 2.5)]).withColumn("volume", F.lit(3_000_000_000))
    [row] = add_year(add_traded_value(prices)).collect()
    assert row["traded_value"] == 7_500_000_000.0
    assert row["year"] == 2023
