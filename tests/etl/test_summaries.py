"""Per-day and per-ticker aggregates, checked against plain-Python statistics."""

from __future__ import annotations

import math
import statistics
from datetime import date

import pytest
from pyspark.sql import DataFrame, SparkSession

from etl.transforms.summaries import summarize_market_days, summarize_tickers
from tests.etl.frames import by_key

METRICS_SCHEMA = "ticker string, date date, traded_value double, daily_return double"
D1, D2, D3, D4 = (date(2024, 1, day) for day in (2, 3, 4, 5))


def _metrics(spark: SparkSession) -> DataFrame:
    rows = [
        ("AAA", D1, 100.0, None),
        ("AAA", D2, 300.0, 0.10),
        ("AAA", D3, 200.0, -0.05),
        ("AAA", D4, 400.0, 0.02),
        ("BBB", D1, 50.0, None),
        ("BBB", D3, 70.0, 0.30),
        ("CCC", D2, 10.0, None),
    ]
    return spark.createDataFrame(rows, METRICS_SCHEMA)


def test_market_days_average_over_the_tickers_trading(spark: SparkSession) -> None:
    days = by_key(summarize_market_days(_metrics(spark)), "date")
    assert days[D1] == {
        "date": D1,
        "average_return": None,
        "average_traded_value": 75.0,
        "tickers": 2,
        "return_tickers": 0,
    }
    assert days[D2]["average_return"] == pytest.approx(0.10)
    assert (days[D2]["tickers"], days[D2]["return_tickers"]) == (2, 1)
    assert days[D2]["average_traded_value"] == pytest.approx(155.0)
    assert days[D3]["average_return"] == pytest.approx((-0.05 + 0.30) / 2)
    assert days[D3]["return_tickers"] == 2
    assert set(days) == {D1, D2, D3, D4}


def test_ticker_stats_and_volatility(spark: SparkSession) -> None:
    tickers = by_key(summarize_tickers(_metrics(spark)), "ticker")
    aaa = tickers["AAA"]
    assert (aaa["first_date"], aaa["last_date"], aaa["trading_days"], aaa["returns"]) == (
        D1,
        D4,
        4,
        3,
    )
    assert aaa["average_traded_value"] == pytest.approx(250.0)
    expected = statistics.stdev([0.10, -0.05, 0.02]) * math.sqrt(252)
    assert aaa["annualized_volatility"] == pytest.approx(expected, rel=1e-12)
    # One return, then none: too few for a sample standard deviation.
    assert (tickers["BBB"]["annualized_volatility"], tickers["BBB"]["returns"]) == (None, 1)
    assert (tickers["CCC"]["annualized_volatility"], tickers["CCC"]["returns"]) == (None, 0)
    assert tickers["CCC"]["trading_days"] == 1
