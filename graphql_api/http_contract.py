"""The API's HTTP contract in one place: the GraphQL path, the header names the API reads
and writes, the keys under which its middlewares hand each other a request's state, and
what `X-Query-Stats` means.

Header names are lower-case bytes, as ASGI carries them. The request state is
`scope["state"]` (Starlette's `request.state`), one per request.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from graphql_api.service_contract import GRAPHQL_PATH, HEALTH_PATH

__all__ = ["GRAPHQL_PATH", "HEALTH_PATH"]

GRAPHQL_METHODS = ("GET", "POST")
"""The methods GraphQL over HTTP answers on GRAPHQL_PATH."""

# Headers a client sends.
QUERY_STATS_HEADER = b"x-query-stats"
DATASET_VERSION_HEADER = b"x-dataset-version"
"""Sent to pin a retained version; the answer names its version in it either way."""
REQUEST_ID_HEADER = b"x-request-id"
"""Kept from the client when it is a plain token; every answer carries one."""
API_KEY_HEADER = b"x-api-key"
AUTHORIZATION_HEADER = b"authorization"
IF_NONE_MATCH_HEADER = b"if-none-match"

# Headers the API adds to its answers.
RESPONSE_CACHE_HEADER = b"x-response-cache"
"""`hit` or `miss` on an answer the whole-response cache looked up."""

# Request state keys.
BODY_STATE = "request_body"
"""The whole body, read once (graphql_api/request_body.py)."""
GRAPHQL_REQUEST_STATE = "graphql_request"
"""The GraphQL request decoded from the body or the URL, or why it could not be
(graphql_api/graphql_request.py)."""
DATASET_VERSION_STATE = "dataset_version"
"""The request's dataset version, or why it has none (graphql_api/dataset_version.py)."""
RESPONSE_CACHE_STATE = "response_cache"
"""The response cache's verdict, a CacheVerdict."""
REQUEST_ID_STATE = "request_id"
"""The request's id, for the error handler that runs outside every middleware."""
EXECUTION_ERRORS_STATE = "graphql_execution_errors"
"""Whether the executed result had errors (only results without are cached)."""
REQUEST_ERROR_STATE = "graphql_request_error"
"""The result is a request error: nothing was executed."""


class CacheVerdict(StrEnum):
    """What the response caches made of a GraphQL request (logged and counted)."""

    HIT = "hit"
    MISS = "miss"
    BYPASS = "bypass"
    NOT_MODIFIED = "not-modified"
    """Answered 304 from the client's own copy (graphql_api/http_cache.py)."""


_YES = frozenset({b"1", b"true"})


def header(headers: Iterable[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    """The first value of the header `name` (lower case) in ASGI headers, or None."""
    for key, value in headers:
        if key == name:
            return value
    return None


def wants_query_stats(headers: Iterable[tuple[bytes, bytes]]) -> bool:
    """Whether the client asked for `extensions.queryStats`: `X-Query-Stats: 1` or `true`
    (any case). `0`, `false`, anything else or no header means no, for the stats and
    for the response cache alike (a request that asks skips it, to measure itself)."""
    value = header(headers, QUERY_STATS_HEADER)
    return value is not None and value.strip().lower() in _YES
