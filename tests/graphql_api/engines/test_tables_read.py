"""tables_read: the warehouse tables a statement reads, which decide whether the DuckDB
engine runs it on the event loop (only small tables in memory may be)."""

from __future__ import annotations

import pytest

from graphql_api.engines.duckdb_warehouse import tables_read


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
