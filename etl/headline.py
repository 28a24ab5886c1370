"""The headline answers: the API's main questions answered in Spark, for `stock-analytics verify`.

The ETL records them in its version's summary in the pointer, under "headline":
for each GraphQL field, the query that asks it and the `data` the API must
answer, JSON-ready (ISO dates, unrounded floats):

    {"mostVolatile": {"query": "{ mostVolatile(limit: 3) { ... } }",
                      "expected": [{"ticker": "NVDA", "annualizedVolatility": 0.52, ...}]}, ...}

so the API, whatever its engine, can be checked against Spark without running
Spark. Rankings and tie rules follow the contract (section 2): the highest value
first, then the earlier date, then the ticker in ascending order.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pyspark.sql import Column, DataFrame, Row
from pyspark.sql import functions as F

HEADLINE_KEY = "headline"
"""The key of the answers in a version summary's `extra`."""
RANKING_LIMIT = 3
RECENT_TRADING_DAYS = 10
"""averageDailyReturn is checked over the data's last this many trading days."""

# Every answer is collected in one shape, so one union and one Spark action fetch them all
# (and the job's own facts about the run with them: etl/jobs/build_warehouse.py).
SHAPE = {
    "ticker": "string",
    "date": "date",
    "value": "double",
    "count": "bigint",
    "close": "double",
    "prior_date": "date",
    "prior_close": "double",
}


def headline_answers(
    metrics: DataFrame, tickers: DataFrame, market_days: DataFrame
) -> dict[str, dict[str, Any]]:
    """The headline checks from the daily metrics, the ticker stats and the market days
    (the frames of daily_metrics, ticker_stats and market_daily); one Spark action."""
    return checks_from_rows(collect_rows(headline_parts(metrics, tickers, market_days)))


def headline_parts(
    metrics: DataFrame, tickers: DataFrame, market_days: DataFrame
) -> list[DataFrame]:
    """The rows each headline answer needs, each part in SHAPE and tagged with its answer.

    `metrics` may be any frame of daily metrics holding their top 30-day returns, such as
    thirty_day_leaders: only topThirtyDayReturns reads it. Each frame is ranked in one task:
    they are meant to be small (thirty_day_leaders, not daily_metrics).
    """
    by_value = F.col("value").desc()
    return [
        _top(
            "mostValuableDay",
            market_days,
            [by_value, "date"],
            1,
            date="date",
            value="average_traded_value",
        ),
        _top(
            "highestWorthStocks",
            tickers.where(F.col("average_traded_value").isNotNull()),
            [by_value, "ticker"],
            RANKING_LIMIT,
            ticker="ticker",
            value="average_traded_value",
        ),
        _top(
            "mostVolatile",
            tickers.where(F.col("annualized_volatility").isNotNull()),
            [by_value, "ticker"],
            RANKING_LIMIT,
            ticker="ticker",
            value="annualized_volatility",
            count="returns",
        ),
        _top(
            "topThirtyDayReturns",
            metrics.where(F.col("return_30d").isNotNull()),
            [by_value, "date", "ticker"],
            RANKING_LIMIT,
            ticker="ticker",
            date="date",
            value="return_30d",
            close="close",
            prior_date="prior_date_30d",
            prior_close="prior_close_30d",
        ),
        _top(
            "averageDailyReturn",
            market_days,
            [F.col("date").desc()],
            RECENT_TRADING_DAYS,
            date="date",
            value="average_return",
            count="return_tickers",
        ),
    ]


def collect_rows(parts: list[DataFrame]) -> dict[str, list[Row]]:
    """The rows of every part (in SHAPE, tagged with `answer`), by answer; one Spark action."""
    union = parts[0]
    for part in parts[1:]:
        # By position: every part is in SHAPE's order (resolving by name costs a plan each).
        union = union.union(part)
    rows: dict[str, list[Row]] = {}
    # One task reads every part's few rows: a task (and a stage) per part's partition costs more.
    for row in union.coalesce(1).collect():
        rows.setdefault(row["answer"], []).append(row)
    return rows


def shaped(name: str, frame: DataFrame, **columns: Column) -> DataFrame:
    """`frame` in SHAPE, tagged with `name`: `columns` under their SHAPE names, the rest null."""
    return frame.select(
        F.lit(name).alias("answer"),
        *(columns.get(key, F.lit(None)).cast(kind).alias(key) for key, kind in SHAPE.items()),
    )


def checks_from_rows(rows: dict[str, list[Row]]) -> dict[str, dict[str, Any]]:
    """The checks from the collected top rows of each answer (in any order: a union keeps
    none, so each list is ordered again here by the same keys Spark ranked it by)."""

    def ranked(name: str, *tie_breaks: str) -> list[Row]:
        found = rows.get(name, [])
        return sorted(found, key=lambda row: (-row["value"], *(row[key] for key in tie_breaks)))

    valuable = ranked("mostValuableDay", "date")
    worth = ranked("highestWorthStocks", "ticker")
    volatile = ranked("mostVolatile", "ticker")
    thirty_day = ranked("topThirtyDayReturns", "date", "ticker")
    recent = sorted(rows.get("averageDailyReturn", []), key=lambda row: row["date"])
    return {
        "mostValuableDay": _check(
            "mostValuableDay { date averageTradedValue }",
            {"date": _iso(valuable[0]["date"]), "averageTradedValue": valuable[0]["value"]}
            if valuable
            else None,
        ),
        "highestWorthStocks": _check(
            f"highestWorthStocks(limit: {RANKING_LIMIT}) {{ ticker averageTradedValue }}",
            [{"ticker": row["ticker"], "averageTradedValue": row["value"]} for row in worth],
        ),
        "mostVolatile": _check(
            f"mostVolatile(limit: {RANKING_LIMIT}) {{ ticker annualizedVolatility returns }}",
            [
                {"ticker": r["ticker"], "annualizedVolatility": r["value"], "returns": r["count"]}
                for r in volatile
            ],
        ),
        "topThirtyDayReturns": _check(
            f"topThirtyDayReturns(limit: {RANKING_LIMIT}) "
            "{ ticker date return30d close priorDate priorClose }",
            [
                {
                    "ticker": row["ticker"],
                    "date": _iso(row["date"]),
                    "return30d": row["value"],
                    "close": row["close"],
                    "priorDate": _iso(row["prior_date"]),
                    "priorClose": row["prior_close"],
                }
                for row in thirty_day
            ],
        ),
        **_average_daily_return(recent),
    }


def _average_daily_return(recent: list[Row]) -> dict[str, dict[str, Any]]:
    if not recent:
        return {}
    start, end = _iso(recent[0]["date"]), _iso(recent[-1]["date"])
    return {
        "averageDailyReturn": _check(
            f'averageDailyReturn(from: "{start}", to: "{end}") {{ date averageReturn stocks }}',
            [
                {"date": _iso(row["date"]), "averageReturn": row["value"], "stocks": row["count"]}
                for row in recent
                if row["value"] is not None
            ],
        )
    }


def _top(
    name: str, frame: DataFrame, order: list[Column | str], limit: int, **columns: str
) -> DataFrame:
    """`frame`'s first `limit` rows by `order`, in SHAPE, tagged with `name`. `order` names
    SHAPE's columns; a top-k under a union is still planned as Spark's TakeOrderedAndProject,
    here of one partition (the frames are small): one task, no shuffle to a second one."""
    chosen = {key: F.col(column) for key, column in columns.items()}
    return shaped(name, frame.coalesce(1), **chosen).orderBy(*order).limit(limit)


def _check(selection: str, expected: object) -> dict[str, Any]:
    return {"query": f"{{ {selection} }}", "expected": expected}


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()
