"""Per-ticker price metrics: traded value, daily return and 30-day return."""

from __future__ import annotations

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from etl.tables import RETURN_30D_LOOKBACK_DAYS
from etl.transforms.dates import DAY_NUMBER, add_day_number


def add_traded_value(prices: DataFrame) -> DataFrame:
    """traded_value = close * volume."""
    return prices.withColumn("traded_value", F.col("close") * F.col("volume"))


def add_daily_returns(prices: DataFrame) -> DataFrame:
    """daily_return = close / close of the ticker's previous trading day - 1.

    Null on the ticker's first day; calendar gaps do not matter. Expects one row
    per ticker and date.
    """
    previous_close = F.lag("close").over(Window.partitionBy("ticker").orderBy(DAY_NUMBER))
    return add_day_number(prices).withColumn("daily_return", F.col("close") / previous_close - 1)


def add_thirty_day_returns(
    prices: DataFrame, lookback_days: int = RETURN_30D_LOOKBACK_DAYS
) -> DataFrame:
    """return_30d = close / close on prior_date_30d - 1.

    prior_date_30d is the ticker's latest trading day on or before date -
    `lookback_days`; all three columns are null when the ticker has none.
    """
    far_enough_back = (
        Window.partitionBy("ticker")
        .orderBy(DAY_NUMBER)
        .rangeBetween(Window.unboundedPreceding, -lookback_days)
    )
    return (
        add_day_number(prices)
        .withColumn("prior_date_30d", F.last("date").over(far_enough_back))
        .withColumn("prior_close_30d", F.last("close").over(far_enough_back))
        .withColumn("return_30d", F.col("close") / F.col("prior_close_30d") - 1)
    )


def add_year(frame: DataFrame) -> DataFrame:
    """year = calendar year of `date`, the partition key."""
    return frame.withColumn("year", F.year("date"))
