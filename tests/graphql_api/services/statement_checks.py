"""What every statement sent to an engine must be: Trino SQL over the tables and columns of
etl/tables.py, each warehouse table read at one dataset version."""

from __future__ import annotations

import sqlglot
from sqlglot import exp
from sqlglot.optimizer.qualify import qualify

from etl.tables import TABLES, TABLES_BY_NAME, VERSION_PARTITION

TRINO_TYPES = {"string": "varchar", "int": "integer"}
SCHEMA = {
    table.name: {
        column.name: TRINO_TYPES.get(column.type, column.type)
        for column in (*table.all_columns, VERSION_PARTITION)
    }
    for table in TABLES
}


def check_statement(sql: str) -> exp.Expression:
    """The parsed statement, once it names only known tables and columns."""
    tree = sqlglot.parse_one(sql, read="trino")
    named_queries = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    tables = {table.name for table in tree.find_all(exp.Table)} - named_queries
    assert tables <= set(TABLES_BY_NAME), tables - set(TABLES_BY_NAME)
    qualify(tree.copy(), schema=SCHEMA, dialect="trino")  # an unknown column raises
    return tree


def check_pinned(sql: str, version: str) -> int:
    """How many warehouse tables `sql` reads, once each is read at `version` only: its
    SELECT's WHERE has `<table or alias>.dataset_version = '<version>'` as a conjunct."""
    tree = check_statement(sql)
    named_queries = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    tables = [t for t in tree.find_all(exp.Table) if t.name not in named_queries]
    for table in tables:
        select = table.find_ancestor(exp.Select)
        assert select is not None, sql
        where = select.args.get("where")
        conjuncts = _conjuncts(where.this) if isinstance(where, exp.Where) else []
        wanted = exp.column(VERSION_PARTITION.name, table=table.alias_or_name).eq(
            exp.Literal.string(version)
        )
        assert any(c == wanted for c in conjuncts), f"{table.alias_or_name} not pinned: {sql}"
    return len(tables)


def _conjuncts(condition: exp.Expression) -> list[exp.Expression]:
    condition = condition.unnest()
    if isinstance(condition, exp.And):
        return [*_conjuncts(condition.left), *_conjuncts(condition.right)]
    return [condition]
