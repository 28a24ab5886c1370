"""tables_read (the warehouse tables a statement reads) and one_bounded_scan (whether it
reads one table once, with a short answer), which decide whether the DuckDB engine runs it
on the event loop (only tables in memory may be read there)."""

from __future__ import annotations

import pytest

from graphql_api.engines.duckdb_warehouse import one_bounded_scan, tables_read
from graphql_api.services import candles, correlations, period_returns, rankings, stocks
from graphql_api.services.arguments import MAX_LIMIT


@pytest.mark.parametrize(
    ("statement", "read"),
    [
        ("SELECT * FROM ticker_stats", {"ticker_stats"}),
        (
            "SELECT * FROM ticker_stats WHERE ticker IN (SELECT ticker FROM daily_metrics)",
            {"ticker_stats", "daily_metrics"},
        ),
        ("SELECT 'daily_metrics' AS name FROM ticker_stats", {"ticker_stats"}),
        (
            "WITH r AS (SELECT ticker FROM daily_metrics) SELECT * FROM r JOIN ticker_stats "
            "USING (ticker)",
            {"daily_metrics", "ticker_stats"},
        ),
        # A named query that shadows a warehouse table still reads that table inside it.
        (
            "WITH daily_metrics AS (SELECT ticker FROM daily_metrics) "
            "SELECT * FROM daily_metrics JOIN ticker_stats USING (ticker)",
            {"daily_metrics", "ticker_stats"},
        ),
        # Unquoted identifiers are case-insensitive: DAILY_METRICS is daily_metrics.
        (
            "SELECT * FROM ticker_stats JOIN DAILY_METRICS USING (ticker)",
            {"daily_metrics", "ticker_stats"},
        ),
    ],
)
def test_every_warehouse_table_a_statement_reads_is_named(statement: str, read: set[str]) -> None:
    assert tables_read(statement) == read


# The services' statements that one_bounded_scan admits, and those it must refuse.
ADMITTED = {
    "mostVolatile in a range": rankings.MOST_VOLATILE_IN_RANGE,
    "mostVolatile of a watchlist in a range": rankings.MOST_VOLATILE_WATCHED_IN_RANGE,
    "highestWorthStocks in a range": rankings.HIGHEST_WORTH_IN_RANGE,
    "topThirtyDayReturns of a watchlist": rankings.TOP_THIRTY_DAY_RETURNS_WATCHED,
    "periodReturns": period_returns.PERIOD_RETURNS,
}
REFUSED = {
    "correlations: a self-join": correlations.CORRELATIONS,
    "correlations in a range": correlations.CORRELATIONS_IN_RANGE,
    "candles: a window, a named query": candles.CANDLES,
    "prices: no LIMIT": stocks.PRICES_IN_RANGE,
    "statistics in a range: no LIMIT": stocks.STATS_IN_RANGE,
    "a LIMIT over the bound": "SELECT ticker FROM daily_metrics LIMIT 101",
    "a LIMIT from a parameter": "SELECT ticker FROM daily_metrics LIMIT ?",
    "no LIMIT on the outermost query": (
        "SELECT ticker FROM (SELECT ticker FROM daily_metrics LIMIT 5) AS t"
    ),
    "a comma join": "SELECT a.ticker FROM daily_metrics a, daily_metrics b LIMIT 5",
    "a join with a table function": (
        "SELECT ticker FROM daily_metrics CROSS JOIN range(1000000) AS r(x) LIMIT 5"
    ),
    "a second table in a subquery": (
        "SELECT ticker FROM daily_metrics WHERE ticker IN (SELECT ticker FROM ticker_stats) LIMIT 5"
    ),
    "the same table twice in a subquery": (
        "SELECT ticker FROM daily_metrics WHERE close > (SELECT avg(close) FROM daily_metrics) "
        "LIMIT 5"
    ),
    "a set operation": (
        "SELECT ticker FROM daily_metrics UNION ALL SELECT ticker FROM daily_metrics LIMIT 5"
    ),
    "a window": "SELECT ticker, lag(close) OVER (ORDER BY date) AS c FROM daily_metrics LIMIT 5",
    "a named query": "WITH d AS (SELECT ticker FROM daily_metrics) SELECT * FROM d LIMIT 5",
    "an unnest": "SELECT ticker, x FROM daily_metrics CROSS JOIN UNNEST(?) AS u(x) LIMIT 5",
    "no warehouse table": "SELECT x FROM range(1000000000) AS r(x) LIMIT 5",
    "a table of another schema": "SELECT ticker FROM other.daily_metrics LIMIT 5",
}


@pytest.mark.parametrize("statement", ADMITTED.values(), ids=ADMITTED.keys())
def test_a_ranking_over_one_table_is_one_bounded_scan(statement: str) -> None:
    assert one_bounded_scan(statement, MAX_LIMIT)


@pytest.mark.parametrize("statement", REFUSED.values(), ids=REFUSED.keys())
def test_a_join_a_window_or_an_unbounded_answer_is_not(statement: str) -> None:
    assert not one_bounded_scan(statement, MAX_LIMIT)


def test_the_bound_on_the_answer_is_the_given_one() -> None:
    statement = "SELECT ticker FROM daily_metrics ORDER BY ticker LIMIT 10"
    assert one_bounded_scan(statement, 10)
    assert not one_bounded_scan(statement, 9)
