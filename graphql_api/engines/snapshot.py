"""One request's view of an engine: every query it makes reads the same version."""

from __future__ import annotations

from collections.abc import Sequence

from graphql_api.engines.base import QueryEngine, Row, SqlValue


class EngineSnapshot:
    """A Snapshot: `engine` pinned to `version`."""

    def __init__(self, engine: QueryEngine, version: str) -> None:
        self._engine = engine
        self._version = version

    @property
    def version(self) -> str:
        return self._version

    async def fetch(self, statement: str, parameters: Sequence[SqlValue] = ()) -> list[Row]:
        return await self._engine.fetch(statement, parameters, version=self._version)
