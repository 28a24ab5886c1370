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
    return add_day_number(prices).withColumn("daily_return", _daily_return(counted))


def add_thirty_day_returns(
    prices: DataFrame, lookback_days: int = RETURN_30D_LOOKBACK_DAYS, counted: Column | None = None
) -> DataFrame:
    """return_30d = close / close on prior_date_30d - 1.

    prior_date_30d is the ticker's latest trading day on or before date -
    `lookback_days`; all three columns are null when the ticker has none. Only
    rows `counted` (all if None) are trading days; the others' columns mean nothing.
    """
    # Both in one select: one Window operator computes them in one pass.
    return (
        add_day_number(prices)
        .select("*", *_thirty_days_back(lookback_days, counted))
        .withColumn("return_30d", _return_30d())
    )


def add_returns(
    prices: DataFrame, lookback_days: int = RETURN_30D_LOOKBACK_DAYS, counted: Column | None = None
) -> DataFrame:
    """add_daily_returns, then add_thirty_day_returns, in one pass over each ticker's rows.

    Their windows share the partition and the order, so in one select Spark computes them in
    one Window operator; added one after the other they are two, each buffering every row of
    a ticker's history again.
    """
    with_day = add_day_number(prices)
    windowed = with_day.select(
        "*",
        _daily_return(counted).alias("daily_return"),
        *_thirty_days_back(lookback_days, counted),
    )
    return windowed.withColumn("return_30d", _return_30d())


def _return_30d() -> Column:
    return F.col("close") / F.col("prior_close_30d") - 1


def _daily_return(counted: Column | None) -> Column:
    earlier = (
        Window.partitionBy("ticker").orderBy(DAY_NUMBER).rowsBetween(Window.unboundedPreceding, -1)
    )
    return F.col("close") / _last_counted("close", counted).over(earlier) - 1


def _thirty_days_back(lookback_days: int, counted: Column | None) -> list[Column]:
    """prior_date_30d and prior_close_30d: the last counted row `lookback_days` or more back."""
    far_enough_back = (
        Window.partitionBy("ticker")
        .orderBy(DAY_NUMBER)
        .rangeBetween(Window.unboundedPreceding, -lookback_days)
    )
    return [
        _last_counted("date", counted).over(far_enough_back).alias("prior_date_30d"),
        _last_counted("close", counted).over(far_enough_back).alias("prior_close_30d"),
    ]


def _last_counted(name: str, counted: Column | None) -> Column:
    """The last non-null `name` of the frame's rows `counted` (one per day: no tie to break)."""
    value = F.col(name) if counted is None else F.when(counted, F.col(name))
    return F.last(value, ignorenulls=True)


def add_year(frame: DataFrame) -> DataFrame:
    """year = calendar year of `date`, the partition key."""
    return frame.withColumn("year", F.year("date"))
