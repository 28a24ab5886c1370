"""Soft anomalies: accepted rows that look suspicious, flagged and kept."""

from __future__ import annotations

from functools import reduce

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from etl.tables import LARGE_MOVE_THRESHOLD


def flag_anomalies(
    metrics: DataFrame, run_id: str, large_move_threshold: float = LARGE_MOVE_THRESHOLD
) -> DataFrame:
    """One row per (accepted row, kind of anomaly): run_id, ticker, date, kind, detail.

    Kinds: ohlc_inconsistent (high below open or close, or low above them),
    zero_volume, and large_move (|daily_return| > large_move_threshold).
    """
    checks = {
        "ohlc_inconsistent": (
            (F.col("high") < F.greatest("open", "close"))
            | (F.col("low") > F.least("open", "close")),
            F.format_string("open=%s high=%s low=%s close=%s", "open", "high", "low", "close"),
        ),
        "zero_volume": (F.col("volume") == 0, F.lit("volume=0")),
        "large_move": (
            F.abs("daily_return") > large_move_threshold,
            F.format_string("daily_return=%.4f", "daily_return"),
        ),
    }
    flags = F.array(
        *(
            F.when(condition, F.struct(F.lit(kind).alias("kind"), detail.alias("detail")))
            for kind, (condition, detail) in checks.items()
        )
    )
    any_flag: Column = reduce(lambda left, right: left | right, (c for c, _ in checks.values()))
    return (
        metrics.where(any_flag)
        .select("ticker", "date", F.explode(flags).alias("flag"))
        .where(F.col("flag").isNotNull())
        .select(F.lit(run_id).alias("run_id"), "ticker", "date", "flag.kind", "flag.detail")
    )
