"""An estimate of the bytes an Athena statement scans, before it is started.

The ETL records each version's Parquet bytes per table and, for the tables
partitioned by `year`, per year (`table_bytes` in the version's summary, see
etl/cleanup.py). A statement reads the tables it names; where it filters
`year BETWEEN ? AND ?` (services/arguments.RANGE_FILTER: every ranged query
does, for pruning), only those years' partitions. The estimate is the sum of
those files' sizes: an upper bound, since Athena reads only the columns a query
needs (and less again with result reuse), so a refusal errs on the side of
refusing. A table the summary does not size makes the estimate unknown (None):
a version written before sizes were recorded is never refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import sqlglot
from sqlglot import exp

from etl.tables import TABLES_BY_NAME
from graphql_api.engines.base import SqlValue

YEAR_FILTER = re.compile(r"\byear\s+BETWEEN\s+\?\s+AND\s+\?", re.IGNORECASE)


def estimated_scan_bytes(
    statement: str, parameters: Sequence[SqlValue], table_bytes: Mapping[str, Any]
) -> int | None:
    """The Parquet bytes `statement` reads at most, from one version's `table_bytes`."""
    years = _year_span(statement, parameters)
    total = 0
    for table in _tables(statement):
        entry = table_bytes.get(table)
        if not isinstance(entry, Mapping) or not isinstance(entry.get("bytes"), int):
            return None
        by_year = entry.get("years")
        if years is None or not isinstance(by_year, Mapping):
            total += entry["bytes"]
        else:
            first, last = years
            total += sum(int(size) for year, size in by_year.items() if first <= int(year) <= last)
    return total


def _year_span(statement: str, parameters: Sequence[SqlValue]) -> tuple[int, int] | None:
    """The years of the statement's `year BETWEEN ? AND ?`, from its parameters."""
    found = YEAR_FILTER.search(statement)
    if found is None:
        return None
    index = statement.count("?", 0, found.start())
    first, last = (*parameters[index : index + 2], None, None)[:2]
    if not isinstance(first, int) or not isinstance(last, int):
        return None
    return first, last


@lru_cache(maxsize=256)
def _tables(statement: str) -> frozenset[str]:
    """The warehouse tables the statement names (not its CTEs)."""
    tree = sqlglot.parse_one(statement, read="trino")
    named_queries = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    return frozenset(
        table.name
        for table in tree.find_all(exp.Table)
        if table.name in TABLES_BY_NAME and table.name not in named_queries
    )
