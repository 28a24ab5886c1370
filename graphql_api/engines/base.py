"""The one protocol every engine implements, its values and its typed errors."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from graphql_api.engines.manifest import DatasetManifest

SqlValue = str | int | float | bool | date | tuple[str, ...]
"""A parameter value; a tuple of strings is an ARRAY(varchar)."""

Row = dict[str, object]
"""One result row: column name -> value converted to Python by the column's type."""


class QueryError(Exception):
    """An engine could not answer. The message is safe to show; the SQL never is."""


class QueryFailed(QueryError):
    """The engine ran the query and reported a failure (Athena's reason, DuckDB's error)."""


class QueryCancelled(QueryFailed):
    """The query was cancelled before it finished (Athena state CANCELLED)."""


class QueryTimeout(QueryError):
    """The query did not finish within the configured timeout, and was stopped."""


class DatasetUnavailable(QueryError):
    """The warehouse has no readable _dataset.json: the ETL has not run there yet."""


class QueryEngine(Protocol):
    """Runs SQL written in the Athena (Trino) dialect with `?` parameters."""

    @property
    def name(self) -> str:
        """`duckdb` or `athena`, as Health.engine reports it."""
        ...

    async def fetch(self, statement: str, parameters: Sequence[SqlValue] = ()) -> list[Row]:
        """Run one statement; its `?` placeholders take `parameters` in order."""
        ...

    async def manifest(self) -> DatasetManifest:
        """The current dataset's manifest; its run_id is the dataset version."""
        ...
