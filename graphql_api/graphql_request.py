"""A GraphQL-over-HTTP request's parameters, decoded once per request.

`query`, `operationName`, `variables` and `extensions` come from the JSON body of
a POST or the URL of a GET. The first part of the app that needs them calls
`graphql_request(scope)`: the HTTP cache (a GET), the response cache (its key)
or the GraphQL router (execution). `decode` runs then, once, and its outcome,
the request or why it is malformed, is kept in the request state for all the
others: the cache keys, persisted queries, execution and the request log.

The rules are what Strawberry's router accepts (JSON only when the content type
names application/json, no batches, `query` a string, `variables` and
`extensions` objects), with the project's messages; a malformed request is
BadUserInput, answered 400 by the router. So is JSON holding a lone UTF-16 surrogate
(graphql_api/unicode_json.py): no engine could look it up, nor a response hold it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from starlette.datastructures import QueryParams
from starlette.types import Scope
from strawberry.http import GraphQLRequestData
from strawberry.http.parse_content_type import parse_content_type

from graphql_api import unicode_json
from graphql_api.errors import BadUserInput
from graphql_api.http_contract import BODY_STATE, GRAPHQL_REQUEST_STATE, header

CacheIdentity = tuple[str, str | None, str, str]
"""Query text, operation name, variables and extensions as canonical JSON."""


@dataclass(frozen=True)
class GraphQLRequest:
    """The parameters as sent (a persisted query's text is filled in later, by the router).
    Shared by every part of a request, and by repeats of it (the response cache remembers
    small ones): read-only."""

    query: str | None
    operation_name: str | None
    variables: dict[str, Any] | None
    extensions: dict[str, Any] | None

    @cached_property
    def cache_identity(self) -> CacheIdentity | None:
        """The request as GraphQL reads it, as text; None when it names no query (neither
        the text nor a persisted query's hash), which nothing caches."""
        query = self.query
        if query is None:
            if persisted_hash(self.extensions) is None:
                return None
            query = ""  # the hash, in the extensions, names it
        return (query, self.operation_name, _canonical(self.variables), _canonical(self.extensions))

    def for_strawberry(self) -> GraphQLRequestData:
        return GraphQLRequestData(
            query=self.query,
            variables=self.variables,
            operation_name=self.operation_name,
            extensions=self.extensions,
        )


def decode(method: str, query_string: bytes, content_type: str, body: bytes) -> GraphQLRequest:
    """The one parse of a request's GraphQL parameters: from the URL of a GET, else from
    the JSON body. BadUserInput when the request is malformed."""
    data: dict[str, Any]
    if method == "GET":
        data = dict(QueryParams(query_string))  # as Starlette reads it: the last value wins
        for text in data.values():
            unicode_json.check(text, text)
        for name in ("variables", "extensions"):
            if data.get(name):
                data[name] = unicode_json.loads(data[name])
    else:
        if not names_json(content_type):
            raise BadUserInput("Unsupported content type")
        value = unicode_json.loads(body)
        if isinstance(value, list):
            raise BadUserInput("Batching is not enabled")
        if not isinstance(value, dict):
            raise BadUserInput('The request body must be a JSON object: {"query": ...}')
        data = value
    query, operation_name = data.get("query"), data.get("operationName")
    variables, extensions = data.get("variables"), data.get("extensions")
    if not isinstance(query, str | None):
        raise BadUserInput(_must_be("query", "a string"))
    if not isinstance(operation_name, str | None):
        raise BadUserInput(_must_be("operationName", "a string"))
    if not isinstance(variables, dict | None):
        raise BadUserInput(_must_be("variables", "an object"))
    if not isinstance(extensions, dict | None):
        raise BadUserInput(_must_be("extensions", "an object"))
    return GraphQLRequest(query, operation_name, variables, extensions)


@lru_cache(maxsize=64)  # clients send few distinct Content-Type headers, each request again
def names_json(content_type: str) -> bool:
    """Whether a Content-Type header's media type names application/json, as Strawberry's
    router reads it (through the email package's header parser: 6 us, remembered 0.1 us)."""
    media_type, _ = parse_content_type(content_type)
    return "application/json" in media_type


def graphql_request(scope: Scope) -> GraphQLRequest | BadUserInput:
    """The request's GraphQL parameters, decoded on the first call and kept in the request
    state. A POST's body must be in the state already (graphql_api/request_body.py)."""
    state = scope.setdefault("state", {})
    if GRAPHQL_REQUEST_STATE not in state:
        content_type = header(scope["headers"], b"content-type") or b""
        try:
            state[GRAPHQL_REQUEST_STATE] = decode(
                scope["method"],
                scope["query_string"],
                content_type.decode("latin-1"),
                state[BODY_STATE] if scope["method"] != "GET" else b"",
            )
        except BadUserInput as error:
            state[GRAPHQL_REQUEST_STATE] = error
    found: GraphQLRequest | BadUserInput = state[GRAPHQL_REQUEST_STATE]
    return found


def decoded_already(scope: Scope) -> GraphQLRequest | None:
    """The request's parameters if some part of the app decoded them (never decodes)."""
    found = scope.get("state", {}).get(GRAPHQL_REQUEST_STATE)
    return found if isinstance(found, GraphQLRequest) else None


def keep(scope: Scope, request: GraphQLRequest) -> None:
    """Hand on `request`, decoded from this very request's bytes before (a repeat)."""
    scope.setdefault("state", {})[GRAPHQL_REQUEST_STATE] = request


def persisted_hash(extensions: dict[str, Any] | None) -> str | None:
    """extensions.persistedQuery.sha256Hash when it is a string (persisted_queries.py
    checks it)."""
    persisted = (extensions or {}).get("persistedQuery")
    digest = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
    return digest if isinstance(digest, str) else None


def _must_be(name: str, kind: str) -> str:
    return f"The GraphQL operation's `{name}` must be {kind} or null, if provided."


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))
