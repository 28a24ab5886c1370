"""Soft anomalies: accepted rows that look suspicious, flagged and kept."""

from __future__ import annotations

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
    ohlc_inconsistent = (F.col("high") < F.greatest("open", "close")) | (
        F.col("low") > F.least("open", "close")
    )
    flags = F.array(
        _flag(
            ohlc_inconsistent,
            "ohlc_inconsistent",
            F.format_string("open=%s high=%s low=%s close=%s", "open", "high", "low", "close"),
        ),
        _flag(F.col("volume") == 0, "zero_volume", F.lit("volume=0")),
        _flag(
            F.abs("daily_return") > large_move_threshold,
            "large_move",
            F.format_string("daily_return=%.4f", "daily_return"),
        ),
    )
    return metrics.select(
        "ticker", "date", F.explode(F.filter(flags, lambda flag: flag.isNotNull())).alias("flag")
    ).select(F.lit(run_id).alias("run_id"), "ticker", "date", "flag.kind", "flag.detail")


def _flag(condition: Column, kind: str, detail: Column) -> Column:
    return F.when(condition, F.struct(F.lit(kind).alias("kind"), detail.alias("detail")))
