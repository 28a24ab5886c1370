"""One record per request, in a context variable: who asked, what ran, what it cost.

The observability middleware opens the record; the engines and the result cache
append to it; the JSON log line, the Prometheus metrics and the X-Query-Stats
extension all read it. Outside a request (no record open) recording does nothing.
Tasks started during a request copy the context, so they append to the same record.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass, field

ANONYMOUS = "anonymous"
"""The operation name of a GraphQL operation that has none."""


@dataclass(frozen=True)
class EngineQuery:
    """One statement an engine ran; `query_id` and `bytes_scanned` are Athena's (None on DuckDB)."""

    engine: str
    query_id: str | None
    seconds: float
    bytes_scanned: int | None


@dataclass(frozen=True)
class QueryCost:
    estimated: int
    max: int


@dataclass
class RequestStats:
    request_id: str
    method: str
    path: str
    client: str = ""
    wants_query_stats: bool = False
    operation: str | None = None
    engine_queries: list[EngineQuery] = field(default_factory=list)
    cache_hits: int = 0
    cache_misses: int = 0
    error_codes: list[str] = field(default_factory=list)
    query_cost: QueryCost | None = None
    """The operation's static cost estimate (graphql_api/cost.py), when it was made."""

    @property
    def engine_seconds(self) -> float:
        return sum(query.seconds for query in self.engine_queries)

    @property
    def bytes_scanned(self) -> int:
        return sum(query.bytes_scanned or 0 for query in self.engine_queries)

    def add_error_code(self, code: str) -> None:
        if code not in self.error_codes:
            self.error_codes.append(code)


_current: ContextVar[RequestStats | None] = ContextVar("request_stats", default=None)


@contextmanager
def request_stats(stats: RequestStats) -> Iterator[RequestStats]:
    """Make `stats` the current request's record for the duration of the block."""
    token = open_stats(stats)
    try:
        yield stats
    finally:
        close_stats(token)


def open_stats(stats: RequestStats) -> Token[RequestStats | None]:
    """Make `stats` the current request's record until close_stats (request_stats without
    a generator, for the middleware that runs on every request)."""
    return _current.set(stats)


def close_stats(token: Token[RequestStats | None]) -> None:
    _current.reset(token)


def current_stats() -> RequestStats | None:
    return _current.get()


def new_request_id() -> str:
    """32 random hex digits (as random as uuid4's, without building a UUID)."""
    return os.urandom(16).hex()


def current_request_id() -> str:
    """The current request's id (the one its response header and log line carry)."""
    stats = _current.get()
    return stats.request_id if stats is not None else new_request_id()


def record_engine_query(query: EngineQuery) -> None:
    stats = _current.get()
    if stats is not None:
        stats.engine_queries.append(query)


def record_cache_lookup(*, hit: bool) -> None:
    """A result-cache lookup; a request that joins an identical one in flight counts as a hit."""
    stats = _current.get()
    if stats is not None:
        if hit:
            stats.cache_hits += 1
        else:
            stats.cache_misses += 1


def record_query_cost(cost: QueryCost) -> None:
    stats = _current.get()
    if stats is not None:
        stats.query_cost = cost


def record_error_code(code: str) -> None:
    stats = _current.get()
    if stats is not None:
        stats.add_error_code(code)
