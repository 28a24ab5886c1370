"""The local warehouse as DuckDB sees it: the pointer file, one schema per dataset
version, and statements pointed at a version's schema.

A version's schema, `v_<version>`, holds a relation per table named like the table
(etl/tables.py) over `read_parquet(<table>/dataset_version=<version>/...,
hive_partitioning=true)`, so the Athena SQL runs unchanged once sqlglot has
transpiled it and qualified its tables with the schema. A table whose Parquet
files are small enough is copied into DuckDB's memory (a version never changes,
so the copy stays right for as long as the version is kept); any other is a view
that reads the files at each query. Either way the relation has the same columns,
types and row order.
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache
from pathlib import Path

import duckdb
import sqlglot
from sqlglot import exp

from etl.dataset_pointer import DatasetPointer, PointerError
from etl.tables import DATASET_MANIFEST, TABLES, TABLES_BY_NAME, VERSION_PARTITION, Table
from etl.tables import version_prefix as table_prefix
from graphql_api.engines.base import DatasetUnavailable, checked_version

logger = logging.getLogger(__name__)

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


_parsing = threading.Lock()
_parser: list[duckdb.DuckDBPyConnection] = []


@lru_cache(maxsize=1024)
def parsed(sql: str) -> duckdb.Statement | str:
    """`sql` (one DuckDB statement) parsed once: DuckDB parses a string at each execute,
    0.2-0.4 ms of a ranking's 1 ms, and runs a parsed statement as it would the string
    (a copy of it each time, so any connection and thread may run it). The parse reads
    no catalog and no setting these engines change. Text that is not one statement is
    returned as it is, for DuckDB to parse (and refuse) at execute."""
    with _parsing:
        if not _parser:
            _parser.append(duckdb.connect(":memory:"))
        try:
            statements = _parser[0].extract_statements(sql)
        except duckdb.Error:
            return sql
    return statements[0] if len(statements) == 1 else sql


@lru_cache(maxsize=1024)
def tables_read(statement: str) -> frozenset[str]:
    """The warehouse tables `statement` (Athena dialect) reads: every unqualified table
    name, in any case, that is a warehouse table's, a named query's too (one that shadows a
    table reads it; counting it may only send a statement off the event loop)."""
    names = (
        table.name.lower()
        for table in sqlglot.parse_one(statement, read="trino").find_all(exp.Table)
        if not table.db
    )
    return frozenset(name for name in names if name in TABLES_BY_NAME)


class _Unloadable(Exception):
    """DuckDB could not copy this table into memory."""

    def __init__(self, table: str) -> None:
        super().__init__(table)
        self.table = table


def create_schema(
    cursor: duckdb.DuckDBPyConnection,
    warehouse: Path,
    version: str,
    *,
    max_load_bytes: int,
    views: bool = True,
    max_rows: int | None = None,
) -> dict[str, int]:
    """`version`'s schema, made in one transaction: a table in memory for each table of
    at most `max_load_bytes` of Parquet (0: none) and, if given, `max_rows` rows, a view
    for each other one (without `views`, none: the schema holds the small tables only).
    A table DuckDB cannot copy into memory (its files' columns disagree, say) is a view
    instead, made again in a new transaction: its statements then fail as they would
    with no table in memory, the other tables' do not.
    Returns the tables loaded into memory, each with its bytes of Parquet;
    DatasetUnavailable if the version has no tables."""
    unloadable: set[str] = set()
    while True:
        try:
            return _create_schema(
                cursor,
                warehouse,
                version,
                max_load_bytes=max_load_bytes,
                views=views,
                max_rows=max_rows,
                unloadable=frozenset(unloadable),
            )
        except _Unloadable as failed:
            logger.warning(
                "dataset version %s: %s cannot be loaded into memory, it is a view: %s",
                version,
                failed.table,
                failed.__cause__,
            )
            unloadable.add(failed.table)


def _create_schema(
    cursor: duckdb.DuckDBPyConnection,
    warehouse: Path,
    version: str,
    *,
    max_load_bytes: int,
    views: bool,
    max_rows: int | None,
    unloadable: frozenset[str],
) -> dict[str, int]:
    schema = _quoted(schema_name(version))
    loaded: dict[str, int] = {}
    cursor.execute("BEGIN TRANSACTION")
    try:
        cursor.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        cursor.execute(f"CREATE SCHEMA {schema}")
        made = 0
        for table in TABLES:
            files = _parquet_glob(warehouse, table, version)
            sizes = [path.stat().st_size for path in warehouse.glob(_relative(files, warehouse))]
            if not sizes:
                continue
            # A definition takes no parameters; the path holds the configured warehouse
            # and a version that matched VERSION_PATTERN, nothing a client sent.
            source = f"read_parquet({_string(str(files))}, hive_partitioning = true, "
            source += f"hive_types = {_hive_types(table)})"
            small = max_load_bytes > 0 and sum(sizes) <= max_load_bytes
            if (
                small
                and table.name not in unloadable
                and _load(cursor, schema, table, source, max_rows)
            ):
                loaded[table.name] = sum(sizes)
            elif views:
                cursor.execute(f"CREATE VIEW {schema}.{table.name} AS SELECT * FROM {source}")  # noqa: S608
            made += 1
        if not made:
            raise DatasetUnavailable(f"dataset version {version} has no tables in {warehouse}")
    except BaseException:
        cursor.execute("ROLLBACK")
        raise
    cursor.execute("COMMIT")
    return loaded


def _load(
    cursor: duckdb.DuckDBPyConnection,
    schema: str,
    table: Table,
    source: str,
    max_rows: int | None,
) -> bool:
    """Copy `table` into memory unless it has more than `max_rows` rows (then False);
    _Unloadable if DuckDB cannot."""
    try:
        if max_rows is not None and _rows_in(cursor, source) > max_rows:
            return False
        cursor.execute(f"CREATE TABLE {schema}.{table.name} AS SELECT * FROM {source}")  # noqa: S608
    except duckdb.Error as error:
        raise _Unloadable(table.name) from error
    return True


def drop_schema(cursor: duckdb.DuckDBPyConnection, version: str) -> None:
    """Drop `version`'s schema, its views and the tables it loaded into memory."""
    cursor.execute(f"DROP SCHEMA IF EXISTS {_quoted(schema_name(version))} CASCADE")


def in_memory_bytes(cursor: duckdb.DuckDBPyConnection) -> int:
    """The memory DuckDB holds for tables loaded into memory, all versions together."""
    row = cursor.execute(
        "SELECT memory_usage_bytes FROM duckdb_memory() WHERE tag = 'IN_MEMORY_TABLE'"
    ).fetchone()
    return int(row[0]) if row else 0


def _rows_in(cursor: duckdb.DuckDBPyConnection, source: str) -> int:
    """The rows of `source`, from its files' footers."""
    row = cursor.execute(f"SELECT count(*) FROM {source}").fetchone()  # noqa: S608
    return int(row[0]) if row else 0


def _parquet_glob(warehouse: Path, table: Table, version: str) -> Path:
    partition_levels = ["*"] * len(table.partition_keys)
    return warehouse.joinpath(table_prefix(table, version), *partition_levels, "*.parquet")


def _relative(files: Path, warehouse: Path) -> str:
    return str(files.relative_to(warehouse))


def _hive_types(table: Table) -> str:
    keys = (VERSION_PARTITION, *table.partition_keys)
    return "{" + ", ".join(f"'{key.name}': {DUCKDB_TYPES[key.type]}" for key in keys) + "}"


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
