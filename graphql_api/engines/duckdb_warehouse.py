"""The local warehouse as DuckDB sees it: the pointer file, one schema of views per
dataset version, and statements pointed at a version's schema.

A version's schema, `v_<version>`, holds a view per table named like the table
(etl/tables.py) over `read_parquet(<table>/dataset_version=<version>/...,
hive_partitioning=true)`, so the Athena SQL runs unchanged once sqlglot has
transpiled it and qualified its tables with the schema.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import duckdb
import sqlglot
from sqlglot import exp

from etl.dataset_pointer import DatasetPointer, PointerError
from etl.tables import DATASET_MANIFEST, TABLES, TABLES_BY_NAME, VERSION_PARTITION, Table
from etl.tables import version_prefix as table_prefix
from graphql_api.engines.base import DatasetUnavailable, checked_version

DUCKDB_TYPES = {"string": "VARCHAR", "int": "INTEGER", "bigint": "BIGINT", "date": "DATE"}


def read_pointer(warehouse: Path) -> DatasetPointer:
    path = warehouse / DATASET_MANIFEST
    try:
        return DatasetPointer.from_json(path.read_bytes())
    except FileNotFoundError as missing:
        raise DatasetUnavailable(
            f"no {DATASET_MANIFEST} in {warehouse}: build the warehouse first "
            "(stock-analytics etl --input DATA --warehouse DIR)"
        ) from missing
    except PointerError as error:
        raise DatasetUnavailable(f"{path}: {error}") from error


def schema_name(version: str) -> str:
    return f"v_{checked_version(version)}"


@lru_cache(maxsize=1024)
def to_duckdb_sql(statement: str, version: str) -> str:
    """The Athena (Trino) statement in DuckDB's dialect, its warehouse tables read from
    `version`'s schema; `?` placeholders are kept."""
    tree = sqlglot.parse_one(statement, read="trino")
    schema = exp.to_identifier(schema_name(version), quoted=True)
    named_queries = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    for table in tree.find_all(exp.Table):
        if table.name in TABLES_BY_NAME and not table.db and table.name not in named_queries:
            table.set("db", schema.copy())
    return tree.sql(dialect="duckdb")


def create_views(cursor: duckdb.DuckDBPyConnection, warehouse: Path, version: str) -> None:
    """`version`'s schema with a view per table it holds; DatasetUnavailable if none."""
    schema = _quoted(schema_name(version))
    cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    made = 0
    for table in TABLES:
        files = _parquet_glob(warehouse, table, version)
        if not any(warehouse.glob(str(files.relative_to(warehouse)))):
            continue
        # A view's definition takes no parameters; the path holds the configured warehouse
        # and a version that matched VERSION_PATTERN, nothing a client sent.
        source = f"read_parquet({_string(str(files))}, hive_partitioning = true, "
        source += f"hive_types = {_hive_types(table)})"
        cursor.execute(f"CREATE OR REPLACE VIEW {schema}.{table.name} AS SELECT * FROM {source}")  # noqa: S608
        made += 1
    if not made:
        drop_views(cursor, version)
        raise DatasetUnavailable(f"dataset version {version} has no tables in {warehouse}")


def drop_views(cursor: duckdb.DuckDBPyConnection, version: str) -> None:
    cursor.execute(f"DROP SCHEMA IF EXISTS {_quoted(schema_name(version))} CASCADE")


def _parquet_glob(warehouse: Path, table: Table, version: str) -> Path:
    partition_levels = ["*"] * len(table.partition_keys)
    return warehouse.joinpath(table_prefix(table, version), *partition_levels, "*.parquet")


def _hive_types(table: Table) -> str:
    keys = (VERSION_PARTITION, *table.partition_keys)
    return "{" + ", ".join(f"'{key.name}': {DUCKDB_TYPES[key.type]}" for key in keys) + "}"


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
