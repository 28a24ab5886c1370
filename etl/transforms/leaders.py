"""The thirty-day-return leaders: the whole history's top 30-day returns, for the API."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from etl.tables import MAX_RANKING_LIMIT


def thirty_day_leaders(metrics: DataFrame, rows: int = MAX_RANKING_LIMIT) -> DataFrame:
    """The `rows` rows of `metrics` with the highest return_30d, ties broken by the earlier
    date, then the ticker (a total order: a ticker has one row per date). Spark plans it as a
    top-k per task, then of those: no sort or shuffle of every row."""
    return (
        metrics.where(F.col("return_30d").isNotNull())
        .orderBy(F.col("return_30d").desc(), "date", "ticker")
        .limit(rows)
    )
