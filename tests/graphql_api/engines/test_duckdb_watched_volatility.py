"""The engine's ranged mostVolatile over a watchlist, with its default settings, answers
the very floats plain DuckDB answers for the same statement over the same Parquet files.

The reference is independent of the engine: one DuckDB connection of one thread with the
version's daily_metrics read from its files into a table (text tickers), the statement
transpiled alone. Every float is compared by its repr, so a change in the last bit (such
as a ticker column of another type changing the order stddev_samp sees the rows in)
fails."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import duckdb

from etl.dataset_pointer import DatasetPointer
from etl.tables import DAILY_METRICS, TRADING_DAYS_PER_YEAR
from graphql_api.engines.base import Row, SqlValue
from graphql_api.engines.duckdb_warehouse import to_duckdb_sql
from graphql_api.engines.factory import open_engine
from graphql_api.services.rankings import MOST_VOLATILE_IN_RANGE, MOST_VOLATILE_WATCHED_IN_RANGE
from tests.graphql_api.support import settings_for

CASES = 600


def plain_duckdb(warehouse: Path, version: str) -> duckdb.DuckDBPyConnection:
    """daily_metrics of `version` as plain DuckDB reads it from its files, in a table."""
    connection = duckdb.connect(":memory:", config={"threads": 1})
    files = warehouse / DAILY_METRICS.name / f"dataset_version={version}" / "*" / "*.parquet"
    connection.execute(f'CREATE SCHEMA "v_{version}"')
    connection.execute(
        f'CREATE TABLE "v_{version}".{DAILY_METRICS.name} AS SELECT * FROM read_parquet('
        f"'{files}', hive_partitioning = true, "
        "hive_types = {'dataset_version': VARCHAR, 'year': INTEGER})"
    )
    return connection


def answer(
    connection: duckdb.DuckDBPyConnection, statement: str, version: str, values: list[object]
) -> list[Row]:
    cursor = connection.execute(to_duckdb_sql(statement, version), values)
    names = [column[0] for column in cursor.description or ()]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def random_cases(
    tickers: list[str], first: date, last: date, seed: int
) -> list[tuple[str, tuple[SqlValue, ...]]]:
    """Ranges of a day to three years anywhere in the data (some past its end), each with a
    random watchlist, or none."""
    chooser = random.Random(seed)
    cases: list[tuple[str, tuple[SqlValue, ...]]] = []
    for _ in range(CASES):
        start = first + timedelta(chooser.randrange((last - first).days + 1))
        end = start + timedelta(chooser.randrange(1100))
        ranged: tuple[SqlValue, ...] = (TRADING_DAYS_PER_YEAR, start.year, end.year, start, end)
        if chooser.random() < 0.2:
            cases.append((MOST_VOLATILE_IN_RANGE, ranged))
            continue
        watchlist = tuple(sorted(chooser.sample(tickers, chooser.randint(1, len(tickers)))))
        cases.append((MOST_VOLATILE_WATCHED_IN_RANGE, (*ranged, watchlist)))
    return cases


async def test_watched_volatility_is_plain_duckdbs_to_the_last_bit(
    sample_warehouse: Path,
) -> None:
    pointer = DatasetPointer.from_json((sample_warehouse / "_dataset.json").read_bytes())
    version = pointer.current
    summary = pointer.versions[0]
    assert summary.first_date is not None
    assert summary.last_date is not None
    plain = plain_duckdb(sample_warehouse, version)
    table = f'"v_{version}".{DAILY_METRICS.name}'
    tickers = [row[0] for row in plain.execute(f"SELECT DISTINCT ticker FROM {table}").fetchall()]
    cases = random_cases(sorted(tickers), summary.first_date, summary.last_date, seed=11)
    differing: list[tuple[SqlValue, ...]] = []
    compared = 0
    async with open_engine(settings_for(sample_warehouse)) as engine:
        for statement, parameters in cases:
            from_engine = await engine.fetch(statement, parameters, version=version)
            values: list[object] = [list(v) if isinstance(v, tuple) else v for v in parameters]
            from_plain = answer(plain, statement, version, values)
            compared += len(from_plain)
            if repr(from_engine) != repr(from_plain):
                differing.append(parameters)
    plain.close()
    assert compared > 2 * CASES
    assert differing == []
