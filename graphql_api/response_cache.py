"""Whole GraphQL responses, cached in front of GraphQL execution.

A repeated query skips parsing, validation, execution and serialization: the
exact bytes, status and headers of the first answer are sent again. The key is
the request's dataset version (graphql_api/dataset_version.py: the current one,
or the one the request pins) and the request as GraphQL over HTTP reads it:
method, query text, operation name, variables and extensions as canonical JSON,
and which media type the Accept header picks. Only 200 answers that GraphQL
executed without any error are kept (graphql_http records that on the request
state), never GraphiQL pages, and never a request that asks for query stats
(http_contract.wants_query_stats).
The cache is bounded by entries and by bytes, least recently used out first;
the answers of a version the pointer no longer retains go at once.

The request is decoded once (graphql_api/graphql_request.py) and handed on in
the request state; a small POST body seen before is not decoded again: the
request it decoded to is remembered (bounded like the cache's entries).

It is a pure ASGI middleware limited to the GraphQL path. Added right inside the
media type negotiation, it sits inside every other middleware: authentication,
rate limits, logging and metrics all run first, and the request state's
RESPONSE_CACHE_STATE tells them whether the answer was a hit, a miss or a bypass.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphql_api.dataset_version import RequestDataset, resolve
from graphql_api.errors import BadUserInput
from graphql_api.graphql_http import prefers_graphql_response_json
from graphql_api.graphql_request import GraphQLRequest, graphql_request, keep
from graphql_api.http_contract import (
    EXECUTION_ERRORS_STATE,
    GRAPHQL_METHODS,
    GRAPHQL_PATH,
    GRAPHQL_REQUEST_STATE,
    RESPONSE_CACHE_HEADER,
    RESPONSE_CACHE_STATE,
    CacheVerdict,
    header,
    wants_query_stats,
)
from graphql_api.request_body import read_body

RequestKey = tuple[str, str, str | None, str, str, bool]
"""Method, query, operation name, variables, extensions, and whether the answer is
application/graphql-response+json."""
RawRequest = tuple[bytes, bytes]
"""A POST's Content-Type and body: all that its GraphQL parameters are decoded from."""
REMEMBERED_REQUEST_BYTES = 4096
"""POST bodies up to this size have their decoded request remembered: a repeat skips JSON."""
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
        if versions is self._retained or versions == self._retained:
            return
        self._retained = versions
        for entry in [entry for entry in self._entries if entry[0] not in versions]:
            self._bytes -= len(self._entries.pop(entry).body)


def request_key(scope: Scope) -> RequestKey | None:
    """The request as GraphQL reads it, or None when its answer must not be cached: it asks
    for query stats or a GraphiQL page, or is malformed (GraphQL answers the error)."""
    headers = scope["headers"]
    accept = (header(headers, b"accept") or b"").decode("latin-1")
    if wants_query_stats(headers) or "text/html" in accept:
        return None
    request = graphql_request(scope)
    identity = request.cache_identity if isinstance(request, GraphQLRequest) else None
    if identity is None:
        return None
    return (scope["method"], *identity, prefers_graphql_response_json(accept))


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
        path: str = GRAPHQL_PATH,
    ) -> None:
        self.app = app
        self.cache = cache
        self.dataset = dataset
        self.path = path
        self._decoded: dict[RawRequest, GraphQLRequest] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            not self.cache.enabled
            or scope["type"] != "http"
            or scope["path"] != self.path
            or scope["method"] not in GRAPHQL_METHODS
        ):
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        if scope["method"] == "POST":
            receive = await self._decode_remembering(scope, receive)
        key = request_key(scope)
        dataset = await self.dataset(scope) if key is not None else None
        if key is None or dataset is None:
            state[RESPONSE_CACHE_STATE] = CacheVerdict.BYPASS
            await self.app(scope, receive, send)
            return
        self.cache.retain(dataset.retained)
        version = dataset.version
        cached = self.cache.get(version, key)
        if cached is not None:
            state[RESPONSE_CACHE_STATE] = CacheVerdict.HIT
            await _send_cached(cached, send)
            return
        state[RESPONSE_CACHE_STATE] = CacheVerdict.MISS
        await self._answer_and_keep(scope, receive, send, version, key)

    async def _decode_remembering(self, scope: Scope, receive: Receive) -> Receive:
        """Hand on the request a small body seen before decoded to, else decode it now
        (and remember it); return the receive that replays the body to the app."""
        body, receive = await read_body(scope, receive)
        if GRAPHQL_REQUEST_STATE in scope["state"]:
            return receive
        raw = (header(scope["headers"], b"content-type") or b"", body)
        remembered = self._decoded.get(raw)
        if remembered is not None:
            keep(scope, remembered)
            return receive
        decoded = graphql_request(scope)
        if not isinstance(decoded, BadUserInput) and len(body) <= REMEMBERED_REQUEST_BYTES:
            if len(self._decoded) >= self.cache.max_entries:
                del self._decoded[next(iter(self._decoded))]  # the oldest
            self._decoded[raw] = decoded
        return receive

    async def _answer_and_keep(
        self, scope: Scope, receive: Receive, send: Send, version: str, key: RequestKey
    ) -> None:
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                message = {
                    **message,
                    "headers": [*message["headers"], (RESPONSE_CACHE_HEADER, b"miss")],
                }
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, capture)
        executed_cleanly = scope["state"].get(EXECUTION_ERRORS_STATE) is False
        if start is not None and start["status"] == 200 and executed_cleanly:
            headers = tuple((bytes(name), bytes(value)) for name, value in start["headers"])
            self.cache.put(version, key, CachedResponse(200, headers, b"".join(chunks)))


async def _send_cached(cached: CachedResponse, send: Send) -> None:
    headers = [*cached.headers, (RESPONSE_CACHE_HEADER, b"hit")]
    await send({"type": "http.response.start", "status": cached.status, "headers": headers})
    await send({"type": "http.response.body", "body": cached.body})
