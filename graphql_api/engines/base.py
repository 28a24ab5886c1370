"""The one protocol every engine implements, its values and its typed errors."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from etl.dataset_pointer import DatasetPointer, is_version

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


class QueryTooCostly(QueryError):
    """Refused before it started: its estimated cost is over a limit (Athena: the bytes it
    would scan, over the workgroup's cutoff). `extensions` name the estimate and the limit,
    and go into the GraphQL error."""

    def __init__(self, message: str, **extensions: int) -> None:
        super().__init__(message)
        self.extensions: dict[str, object] = dict(extensions)


class DatasetUnavailable(QueryError):
    """The warehouse has no readable, versioned _dataset.json (the ETL has not run there,
    or an older ETL wrote it)."""


class QueryEngine(Protocol):
    """Runs SQL written in the Athena (Trino) dialect with `?` parameters, against one
    dataset version: every warehouse table a statement names is read at `version`."""

    @property
    def name(self) -> str:
        """`duckdb` or `athena`, as Health.engine reports it."""
        ...

    async def pointer(self) -> DatasetPointer:
        """The warehouse's pointer: the current version and the retained ones (cached for
        `dataset_check_seconds`)."""
        ...

    async def fetch(
        self, statement: str, parameters: Sequence[SqlValue] = (), *, version: str
    ) -> list[Row]:
        """Run one statement at `version`; its `?` placeholders take `parameters` in order."""
        ...


class Snapshot(Protocol):
    """What the services query: an engine pinned to one version (see engines/snapshot.py)."""

    @property
    def version(self) -> str: ...

    async def fetch(self, statement: str, parameters: Sequence[SqlValue] = ()) -> list[Row]: ...


def checked_version(version: str) -> str:
    """`version`, once it looks like a dataset version: only then may it enter SQL or a path."""
    if not is_version(version):
        raise QueryFailed(f"{version!r} is not a dataset version")
    return version
