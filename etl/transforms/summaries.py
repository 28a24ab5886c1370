"""Aggregates of the daily metrics: one row per trading day, one row per ticker."""

from __future__ import annotations

import math

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from etl.tables import TRADING_DAYS_PER_YEAR


def summarize_market_days(metrics: DataFrame) -> DataFrame:
    """Per date: mean daily return and traded value of the tickers trading that day.

    average_return is null on a date where no ticker has a return.
    """
    return metrics.groupBy("date").agg(
        F.avg("daily_return").alias("average_return"),
        F.avg("traded_value").alias("average_traded_value"),
        F.count(F.lit(1)).alias("tickers"),
        F.count("daily_return").alias("return_tickers"),
    )


def summarize_tickers(
    metrics: DataFrame, trading_days_per_year: int = TRADING_DAYS_PER_YEAR
) -> DataFrame:
    """Per ticker over its whole history: dates, days, mean traded value, volatility.

    annualized_volatility = sample standard deviation of the daily returns *
    sqrt(trading_days_per_year); null with fewer than two returns.
    """
    returns = F.count("daily_return")
    volatility = F.stddev_samp("daily_return") * math.sqrt(trading_days_per_year)
    return metrics.groupBy("ticker").agg(
        F.min("date").alias("first_date"),
        F.max("date").alias("last_date"),
        F.count(F.lit(1)).alias("trading_days"),
        F.avg("traded_value").alias("average_traded_value"),
        F.when(returns >= 2, volatility).alias("annualized_volatility"),
        returns.alias("returns"),
    )
