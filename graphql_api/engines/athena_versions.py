"""Every Athena statement reads one dataset version, pinned here and nowhere else.

Each reference to a warehouse table (etl/tables.py) gets
`<alias>.dataset_version = '<version>'` in its SELECT's WHERE, or, where a WHERE
condition would change a join's meaning (an outer join), becomes a derived
table filtered the same way. The Glue tables' `dataset_version` is an injected
projected partition key: Athena needs that static equality to know which one
prefix to read, and fails a query that has none.
"""

from __future__ import annotations

from functools import lru_cache

import sqlglot
from sqlglot import exp

from etl.tables import TABLES_BY_NAME, VERSION_KEY
from graphql_api.engines.base import checked_version


@lru_cache(maxsize=1024)
def pinned_statement(statement: str, version: str) -> str:
    """`statement` (Trino SQL) with every warehouse table it names read at `version`."""
    # Athena documents an injected projected column's condition as a literal, or an
    # expression evaluable without reading data, and says nothing of execution parameters;
    # so the version is written into the SQL as a quoted literal, and only after
    # checked_version() matched VERSION_PATTERN (digits, letters, `-`: nothing that could
    # end the string).
    literal = exp.Literal.string(checked_version(version))
    tree = sqlglot.parse_one(statement, read="trino")
    named_queries = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    for table in list(tree.find_all(exp.Table)):
        if table.name in TABLES_BY_NAME and table.name not in named_queries:
            _pin(table, literal)
    return tree.sql(dialect="trino")


def _pin(table: exp.Table, version: exp.Literal) -> None:
    condition = exp.column(VERSION_KEY, table=table.alias_or_name).eq(version.copy())
    holder = table.parent
    select = holder.parent if holder is not None else None
    if (
        isinstance(select, exp.Select)
        and isinstance(holder, exp.From | exp.Join)
        and not any(join.side for join in select.args.get("joins") or ())
    ):
        select.where(condition, copy=False)
        return
    name = table.alias_or_name
    alone = table.copy()
    alone.set("alias", None)
    filtered = (
        exp.select("*")
        .from_(alone)
        .where(exp.column(VERSION_KEY, table=alone.name).eq(version.copy()))
    )
    table.replace(filtered.subquery(alias=name))
