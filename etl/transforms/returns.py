"""Per-ticker price metrics: traded value, daily return and 30-day return."""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from etl.tables import RETURN_30D_LOOKBACK_DAYS
from etl.transforms.dates import DAY_NUMBER, add_day_number


def add_traded_value(prices: DataFrame) -> DataFrame:
    """traded_value = close * volume."""
    return prices.withColumn("traded_value", F.col("close") * F.col("volume"))


def add_daily_returns(prices: DataFrame, counted: Column | None = None) -> DataFrame:
    """daily_return = close / close of the ticker's previous trading day - 1.

    Null on the ticker's first day; calendar gaps do not matter. Expects one row
    per ticker and date among the rows `counted` (all rows if None); the others
    are nobody's previous day, and their own daily_return means nothing.
    """
    earlier = (
        Window.partitionBy("ticker").orderBy(DAY_NUMBER).rowsBetween(Window.unboundedPreceding, -1)
    )
    previous_close = _last_counted("close", counted).over(earlier)
    return add_day_number(prices).withColumn("daily_return", F.col("close") / previous_close - 1)


def add_thirty_day_returns(
    prices: DataFrame, lookback_days: int = RETURN_30D_LOOKBACK_DAYS, counted: Column | None = None
) -> DataFrame:
    """return_30d = close / close on prior_date_30d - 1.

    prior_date_30d is the ticker's latest trading day on or before date -
    `lookback_days`; all three columns are null when the ticker has none. Only
    rows `counted` (all if None) are trading days; the others' columns mean nothing.
    """
    far_enough_back = (
        Window.partitionBy("ticker")
        .orderBy(DAY_NUMBER)
        .rangeBetween(Window.unboundedPreceding, -lookback_days)
    )
    # Both in one select: one Window operator computes them in one pass.
    return (
        add_day_number(prices)
        .select(
            "*",
            _last_counted("date", counted).over(far_enough_back).alias("prior_date_30d"),
            _last_counted("close", counted).over(far_enough_back).alias("prior_close_30d"),
        )
        .withColumn("return_30d", F.col("close") / F.col("prior_close_30d") - 1)
    )


def _last_counted(name: str, counted: Column | None) -> Column:
    """The last non-null `name` of the frame's rows `counted` (one per day: no tie to break)."""
    value = F.col(name) if counted is None else F.when(counted, F.col(name))
    return F.last(value, ignorenulls=True)


def add_year(frame: DataFrame) -> DataFrame:
    """year = calendar year of `date`, the partition key."""
    return frame.withColumn("year", F.year("date"))
