"""The day number: the one ordering every per-ticker window shares."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

DAY_NUMBER = "day_number"


def add_day_number(frame: DataFrame) -> DataFrame:
    """day_number = days since 1970-01-01 (unless `frame` has it already).

    It orders like `date`, and a RANGE frame can count days on it. The duplicate
    window and both return windows order by this one column, so Spark sorts the
    rows once for all of them (an expression would be a new sort key each time).
    """
    if DAY_NUMBER in frame.columns:
        return frame
    return frame.withColumn(DAY_NUMBER, F.datediff(F.col("date"), F.lit("1970-01-01").cast("date")))
