"""Every SQL statement the services send names only tables and columns of etl/tables.py,
and every date-range filter also filters the `year` partition key (Athena pruning)."""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot import exp

from etl.tables import TABLES_BY_NAME
from graphql_api.engines.duckdb import to_duckdb_sql
from graphql_api.services import market, rankings, stocks

STATEMENTS = {
    f"{module.__name__.rsplit('.', 1)[1]}.{name}": value
    for module in (market, rankings, stocks)
    for name, value in vars(module).items()
    if name.isupper() and isinstance(value, str) and "SELECT" in value
}


def test_every_statement_is_found() -> None:
    assert len(STATEMENTS) == 12


@pytest.mark.parametrize("name", sorted(STATEMENTS))
def test_tables_and_columns_exist(name: str) -> None:
    tree = sqlglot.parse_one(STATEMENTS[name], read="trino")
    tables = {table.name for table in tree.find_all(exp.Table)}
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
    assert literals <= {"1", "2", "100"}, literals  # LIMIT 1, count >= 2, LIMIT 100
    assert to_duckdb_sql(STATEMENTS[name]).count("?") == STATEMENTS[name].count("?")
