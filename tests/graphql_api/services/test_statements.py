"""Every SQL statement the services send names only tables and columns of etl/tables.py,
and every date-range filter also filters the `year` partition key (Athena pruning). As the
engines send them, every warehouse table is read at one dataset version."""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot import exp

from etl.tables import TABLES_BY_NAME
from graphql_api.engines.athena_versions import pinned_statement
from graphql_api.engines.duckdb import to_duckdb_sql
from graphql_api.pagination import FETCHED, SHORT_FETCHED
from graphql_api.services import (
    candles,
    correlations,
    data_quality,
    market,
    period_returns,
    rankings,
    stocks,
)
from tests.graphql_api.services.statement_checks import check_pinned, check_statement

VERSION = "20240131T120000Z-a1b2c3"

STATEMENTS = {
    f"{module.__name__.rsplit('.', 1)[1]}.{name}": value
    for module in (market, rankings, stocks, data_quality, candles, period_returns, correlations)
    for name, value in vars(module).items()
    if name.isupper() and isinstance(value, str) and "SELECT" in value
}


def test_every_statement_is_found() -> None:
    assert len(STATEMENTS) == 36


@pytest.mark.parametrize("name", sorted(STATEMENTS))
def test_tables_and_columns_exist(name: str) -> None:
    tree = sqlglot.parse_one(STATEMENTS[name], read="trino")
    tables = {table.name for table in _warehouse_tables(tree)}
    assert tables <= set(TABLES_BY_NAME), tables
    known = {column.name for table in tables for column in TABLES_BY_NAME[table].all_columns}
    aliases = {alias.alias for alias in tree.find_all(exp.Alias)}
    used = {column.name for column in tree.find_all(exp.Column)}
    assert used <= known | aliases, used - known - aliases


@pytest.mark.parametrize("name", sorted(STATEMENTS))
def test_a_date_filter_comes_with_a_year_filter(name: str) -> None:
    tree = sqlglot.parse_one(STATEMENTS[name], read="trino")
    filtered = {
        between.this.name
        for between in tree.find_all(exp.Between)
        if isinstance(between.this, exp.Column)
    }
    if "date" in filtered:
        assert "year" in filtered


@pytest.mark.parametrize("name", sorted(STATEMENTS))
def test_values_only_travel_as_parameters(name: str) -> None:
    tree = sqlglot.parse_one(STATEMENTS[name], read="trino")
    literals = {literal.this for literal in tree.find_all(exp.Literal)}
    # LIMIT 1, count >= 2, LIMIT 100, a page's LIMIT; 1 + coalesce(daily_return, 0); count(*) >= 3
    assert literals <= {"0", "1", "2", "3", "100", str(SHORT_FETCHED), str(FETCHED)}, literals
    assert to_duckdb_sql(STATEMENTS[name], VERSION).count("?") == STATEMENTS[name].count("?")


@pytest.mark.parametrize("name", sorted(STATEMENTS))
def test_every_statement_qualifies_against_the_tables(name: str) -> None:
    check_statement(STATEMENTS[name])


@pytest.mark.parametrize("name", sorted(STATEMENTS))
def test_athena_reads_every_table_at_the_version(name: str) -> None:
    sent = pinned_statement(STATEMENTS[name], VERSION)
    tables = _warehouse_tables(sqlglot.parse_one(STATEMENTS[name], read="trino"))
    assert check_pinned(sent, VERSION) == len(tables) > 0
    assert sent.count("?") == STATEMENTS[name].count("?")
    literals = {
        literal.this for literal in sqlglot.parse_one(sent, read="trino").find_all(exp.Literal)
    }
    assert literals <= {"0", "1", "2", "3", "100", str(SHORT_FETCHED), str(FETCHED), VERSION}, (
        literals
    )
    assert pinned_statement(STATEMENTS[name], "20240131T120000Z-ffffff") != sent


@pytest.mark.parametrize("name", sorted(STATEMENTS))
def test_duckdb_reads_every_table_from_the_versions_schema(name: str) -> None:
    tree = sqlglot.parse_one(to_duckdb_sql(STATEMENTS[name], VERSION), read="duckdb")
    assert {table.db for table in _warehouse_tables(tree)} == {f"v_{VERSION}"}


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT d.ticker FROM daily_metrics AS d JOIN ticker_stats AS s ON s.ticker = d.ticker",
        "SELECT d.ticker FROM daily_metrics d LEFT JOIN ticker_stats s ON s.ticker = d.ticker",
        "WITH r AS (SELECT run_id FROM runs) "
        "SELECT * FROM anomalies WHERE run_id IN (SELECT run_id FROM r)",
        "SELECT kind FROM anomalies UNION ALL SELECT reason FROM rejected_rows WHERE line > ?",
    ],
)
def test_no_shape_of_statement_escapes_the_version(statement: str) -> None:
    assert check_pinned(pinned_statement(statement, VERSION), VERSION) >= 2


def _warehouse_tables(tree: exp.Expression) -> list[exp.Table]:
    """The tables a statement reads, not the names of its own WITH queries."""
    named_queries = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    return [table for table in tree.find_all(exp.Table) if table.name not in named_queries]
