"""Per-ticker price metrics: traded value, daily return and 30-day return."""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from etl.tables import RETURN_30D_LOOKBACK_DAYS
from etl.transforms.dates import DAY_NUMBER, add_day_number


def add_traded_value(prices: DataFrame) -> DataFrame:
    """traded_value = close * volume."""
    return prices.withColumn("traded_value", F.col("close") * F.col("volume"))


def add_returns(
    prices: DataFrame, lookback_days: int = RETURN_30D_LOOKBACK_DAYS, counted: Column | None = None
) -> DataFrame:
    """daily_return, prior_date_30d, prior_close_30d and return_30d, per ticker.

    daily_return = close / close of the ticker's previous trading day - 1: null on
    its first day; calendar gaps do not matter. return_30d = close / close on
    prior_date_30d - 1, where prior_date_30d is the ticker's latest trading day on or
    before date - `lookback_days`; all three are null when the ticker has none.

    Only the rows `counted` (all if None) are trading days, one per ticker and date;
    the others are nobody's previous or prior day, and their own returns mean nothing.
    """
    ticker_days = Window.partitionBy("ticker").orderBy(DAY_NUMBER)
    earlier = ticker_days.rowsBetween(Window.unboundedPreceding, -1)
    far_enough_back = ticker_days.rangeBetween(Window.unboundedPreceding, -lookback_days)
    # The three in one select: one Window operator computes both frames in one pass over
    # the rows (in two selects, a projection between them kept two operators apart).
    dated = add_day_number(prices)
    with_prior = dated.select(
        "*",
        _last_counted("close", counted).over(earlier).alias("_previous_close"),
        _last_counted("date", counted).over(far_enough_back).alias("prior_date_30d"),
        _last_counted("close", counted).over(far_enough_back).alias("prior_close_30d"),
    )
    return with_prior.select(
        *dated.columns,
        (F.col("close") / F.col("_previous_close") - 1).alias("daily_return"),
        "prior_date_30d",
        "prior_close_30d",
        (F.col("close") / F.col("prior_close_30d") - 1).alias("return_30d"),
    )


def _last_counted(name: str, counted: Column | None) -> Column:
    """The last non-null `name` of the frame's rows `counted` (one per day: no tie to break)."""
    value = F.col(name) if counted is None else F.when(counted, F.col(name))
    return F.last(value, ignorenulls=True)


def add_year(frame: DataFrame) -> DataFrame:
    """year = calendar year of `date`, the partition key."""
    return frame.withColumn("year", F.year("date"))
