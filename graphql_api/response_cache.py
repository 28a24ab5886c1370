"""Whole GraphQL responses, cached in front of GraphQL execution.

A repeated query skips parsing, validation, execution and serialization: the
exact bytes, status and headers of the first answer are sent again. The key is
the request's dataset version (graphql_api/dataset_version.py: the current one,
or the one the request pins) and the request as GraphQL over HTTP reads it:
method, query text, operation name, variables and extensions as canonical JSON,
and which media type the Accept header picks. Only 200 answers that GraphQL
executed without any error are kept (graphql_http records that on the request
state), never GraphiQL pages, and never a request that asks for X-Query-Stats.
The cache is bounded by entries and by bytes, least recently used out first;
the answers of a version the pointer no longer retains go at once.

It is a pure ASGI middleware limited to the GraphQL path. Added before any
other middleware, it is the innermost: authentication, rate limits, logging and
metrics all run first, and `scope["state"]["response_cache"]` tells them
whether the answer was a "hit", a "miss" or a "bypass".
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphql_api.dataset_version import RequestDataset, resolve
from graphql_api.graphql_http import EXECUTION_ERRORS_STATE, prefers_graphql_response_json
from graphql_api.request_body import BODY_STATE

CACHE_STATE = "response_cache"
CACHE_HEADER = b"x-response-cache"
QUERY_STATS_HEADER = b"x-query-stats"

RequestKey = tuple[str, str, str | None, str, str, bool]
RawRequest = tuple[str, bytes, bytes, bytes, bytes]
"""Method, body (POST) or query string (GET), Accept, Content-Type, X-Query-Stats."""
REQUEST_KEY_STATE = "graphql_request_key"
"""Request state: the request's RequestKey (or None), for whoever parsed it first."""
REMEMBERED_REQUEST_BYTES = 4096
"""Requests up to this size have their key remembered: a repeat skips parsing JSON."""
DatasetOfRequest = Callable[[Scope], Awaitable[RequestDataset | None]]
VersionedKey = tuple[str, RequestKey]


@dataclass(frozen=True)
class CachedResponse:
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes


class ResponseCache:
    """An LRU of responses keyed by dataset version and request, bounded by entries and
    body bytes."""

    def __init__(self, *, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[VersionedKey, CachedResponse] = OrderedDict()
        self._bytes = 0
        self._retained: frozenset[str] | None = None
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.max_entries > 0 and self.max_bytes > 0

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, version: str, key: RequestKey) -> CachedResponse | None:
        found = self._entries.get((version, key))
        if found is None:
            self.misses += 1
            return None
        self._entries.move_to_end((version, key))
        self.hits += 1
        return found

    def put(self, version: str, key: RequestKey, response: CachedResponse) -> None:
        retired = self._retained is not None and version not in self._retained
        if retired or len(response.body) > self.max_bytes:
            return  # answered for a version dropped meanwhile, or too big to keep
        previous = self._entries.pop((version, key), None)
        if previous is not None:
            self._bytes -= len(previous.body)
        self._entries[(version, key)] = response
        self._bytes += len(response.body)
        while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
            _, evicted = self._entries.popitem(last=False)
            self._bytes -= len(evicted.body)

    def retain(self, versions: frozenset[str]) -> None:
        """Forget the answers of every version not in `versions` (the pointer's retained)."""
        if versions == self._retained:
            return
        self._retained = versions
        for entry in [entry for entry in self._entries if entry[0] not in versions]:
            self._bytes -= len(self._entries.pop(entry).body)


async def request_dataset_or_none(scope: Scope) -> RequestDataset | None:
    """The request's dataset; None when it has none (GraphQL answers with the error)."""
    found = await resolve(scope, scope["app"].state.engine)
    return found if isinstance(found, RequestDataset) else None


class ResponseCacheMiddleware:
    """Serves repeated GraphQL requests on `path` from a ResponseCache."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        cache: ResponseCache,
        dataset: DatasetOfRequest = request_dataset_or_none,
        path: str = "/graphql",
    ) -> None:
        self.app = app
        self.cache = cache
        self.dataset = dataset
        self.path = path
        self._keys: dict[RawRequest, RequestKey | None] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            not self.cache.enabled
            or scope["type"] != "http"
            or scope["path"] != self.path
            or scope["method"] not in ("GET", "POST")
        ):
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        body, receive = await _read_body(scope, receive)
        if REQUEST_KEY_STATE in state:  # parsed already (graphql_api/http_cache.py)
            request_key = state[REQUEST_KEY_STATE]
        else:
            request_key = self._key(raw_request(scope, body))
        dataset = await self.dataset(scope) if request_key is not None else None
        if request_key is None or dataset is None:
            state[CACHE_STATE] = "bypass"
            await self.app(scope, receive, send)
            return
        self.cache.retain(dataset.retained)
        version = dataset.version
        cached = self.cache.get(version, request_key)
        if cached is not None:
            state[CACHE_STATE] = "hit"
            await _send_cached(cached, send)
            return
        state[CACHE_STATE] = "miss"
        await self._answer_and_keep(scope, receive, send, version, request_key)

    def _key(self, raw: RawRequest) -> RequestKey | None:
        if raw in self._keys:
            return self._keys[raw]
        key = request_key(raw)
        if len(raw[1]) <= REMEMBERED_REQUEST_BYTES:
            if len(self._keys) >= self.cache.max_entries:
                del self._keys[next(iter(self._keys))]  # the oldest
            self._keys[raw] = key
        return key

    async def _answer_and_keep(
        self, scope: Scope, receive: Receive, send: Send, version: str, key: RequestKey
    ) -> None:
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                message = {**message, "headers": [*message["headers"], (CACHE_HEADER, b"miss")]}
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, capture)
        executed_cleanly = scope["state"].get(EXECUTION_ERRORS_STATE) is False
        if start is not None and start["status"] == 200 and executed_cleanly:
            headers = tuple((bytes(name), bytes(value)) for name, value in start["headers"])
            self.cache.put(version, key, CachedResponse(200, headers, b"".join(chunks)))


async def _send_cached(cached: CachedResponse, send: Send) -> None:
    headers = [*cached.headers, (CACHE_HEADER, b"hit")]
    await send({"type": "http.response.start", "status": cached.status, "headers": headers})
    await send({"type": "http.response.body", "body": cached.body})


async def _read_body(scope: Scope, receive: Receive) -> tuple[bytes, Receive]:
    """The whole request body, and a receive that hands the same messages to the app."""
    if scope["method"] != "POST":
        return b"", receive
    read_already = scope.get("state", {}).get(BODY_STATE)
    if read_already is not None:  # by RequestBodyMiddleware, which replays it to the app
        return read_already, receive
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            break
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")

    async def replay() -> Message:
        return messages.pop(0) if messages else await receive()

    return body, replay


def raw_request(scope: Scope, body: bytes) -> RawRequest:
    accept = content_type = query_stats = b""
    for name, value in scope["headers"]:  # ASGI header names are lower case
        if name == b"accept":
            accept = value
        elif name == b"content-type":
            content_type = value
        elif name == QUERY_STATS_HEADER:
            query_stats = value
    method = scope["method"]
    return (
        method,
        scope["query_string"] if method == "GET" else body,
        accept,
        content_type,
        query_stats,
    )


def request_key(raw: RawRequest) -> RequestKey | None:
    """The request as GraphQL reads it, or None when it must not be cached."""
    method, payload, accept_header, content_type, query_stats = raw
    accept = accept_header.decode("latin-1")
    if query_stats.strip() not in (b"", b"0") or "text/html" in accept:
        return None
    if method == "GET":
        parameters: Any = {
            name: values[0] for name, values in parse_qs(payload.decode("latin-1")).items()
        }
        for name in ("variables", "extensions"):
            if name in parameters:
                parameters[name] = _json_or_none(parameters[name])
                if parameters[name] is None:
                    return None  # malformed: GraphQL answers it with an error
    else:
        media_type = content_type.split(b";")[0].strip().lower()
        parameters = _json_or_none(payload) if media_type == b"application/json" else None
    if not isinstance(parameters, dict):
        return None
    query = parameters.get("query")
    if query is None and _persisted_hash(parameters.get("extensions")) is not None:
        query = ""  # a persisted query's hash, in the extensions, names it
    operation = parameters.get("operationName")
    if not isinstance(query, str) or (operation is not None and not isinstance(operation, str)):
        return None
    return (
        method,
        query,
        operation,
        _canonical(parameters.get("variables")),
        _canonical(parameters.get("extensions")),
        prefers_graphql_response_json(accept),
    )


def _persisted_hash(extensions: Any) -> str | None:
    persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
    digest = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
    return digest if isinstance(digest, str) else None


def _json_or_none(text: str | bytes) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))
