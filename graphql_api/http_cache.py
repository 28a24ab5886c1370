"""HTTP caching of GraphQL GET answers: strong ETags, Cache-Control, Vary, and 304s.

An answer depends only on the dataset version and the request as GraphQL reads
it (response_cache.request_key), so its ETag is computed from those two before
anything runs, and a client or CDN that already holds it (`If-None-Match`) gets
`304 Not Modified` with no body and no execution. A successful GET answer says
how long it may be kept: `max-age` and `stale-while-revalidate` for the current
version (a new ETL run changes it), a year and `immutable` for a request pinned
to a version with `X-Dataset-Version` (a version never changes). `private` when
API keys are required, so shared caches keep no one's answer for another; every
other answer on the path (errors, GraphiQL, POSTs) is `no-store`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphql_api.dataset_version import requested_version
from graphql_api.http_contract import (
    EXECUTION_ERRORS_STATE,
    GRAPHQL_PATH,
    IF_NONE_MATCH_HEADER,
    RESPONSE_CACHE_STATE,
    CacheVerdict,
    header,
)
from graphql_api.response_cache import RequestKey, request_dataset_or_none, request_key

IMMUTABLE_MAX_AGE_SECONDS = 365 * 24 * 3600
NO_STORE = b"no-store"


@dataclass(frozen=True)
class CachePolicy:
    max_age_seconds: int
    stale_while_revalidate_seconds: int
    private: bool
    """API keys are required: only the client's own cache may keep an answer."""

    def cache_control(self, *, pinned: bool) -> bytes:
        scope = "private" if self.private else "public"
        if pinned:
            return f"{scope}, max-age={IMMUTABLE_MAX_AGE_SECONDS}, immutable".encode()
        return (
            f"{scope}, max-age={self.max_age_seconds}, "
            f"stale-while-revalidate={self.stale_while_revalidate_seconds}"
        ).encode()

    @property
    def vary(self) -> bytes:
        """What changes an answer besides the URL (X-Dataset-Version is named by
        graphql_api/dataset_version.py on every answer)."""
        return b"Accept, X-API-Key" if self.private else b"Accept"


def entity_tag(version: str, key: RequestKey) -> bytes:
    digest = hashlib.sha256(json.dumps([version, *key]).encode()).hexdigest()[:40]
    return f'"{digest}"'.encode()


def matches(if_none_match: bytes, etag: bytes) -> bool:
    """If-None-Match's weak comparison: any listed tag, with or without W/, or `*`."""
    tags = {tag.strip().removeprefix(b"W/") for tag in if_none_match.split(b",")}
    return b"*" in tags or etag in tags


class HttpCacheMiddleware:
    def __init__(self, app: ASGIApp, *, policy: CachePolicy, path: str = GRAPHQL_PATH) -> None:
        self.app = app
        self.policy = policy
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        etag, pinned = await self._entity_tag(scope)
        if_none_match = header(scope["headers"], IF_NONE_MATCH_HEADER) or b""
        if etag is not None and matches(if_none_match, etag):
            scope["state"][RESPONSE_CACHE_STATE] = CacheVerdict.NOT_MODIFIED
            await send(
                {
                    "type": "http.response.start",
                    "status": 304,
                    "headers": self._cache_headers(etag, pinned),
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return

        async def with_cache_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                state = scope["state"]
                clean = (
                    state.get(EXECUTION_ERRORS_STATE) is False
                    or state.get(RESPONSE_CACHE_STATE) == CacheVerdict.HIT
                )
                added = (
                    self._cache_headers(etag, pinned)
                    if etag is not None and message["status"] == 200 and clean
                    else [(b"cache-control", NO_STORE)]
                )
                message = {**message, "headers": [*message.get("headers", ()), *added]}
            await send(message)

        await self.app(scope, receive, with_cache_headers)

    async def _entity_tag(self, scope: Scope) -> tuple[bytes | None, bool]:
        """The answer's ETag, when it is a GET that can be cached; and whether it is pinned."""
        if scope["method"] != "GET":
            return None, False
        key = request_key(scope)
        dataset = await request_dataset_or_none(scope) if key is not None else None
        if key is None or dataset is None:
            return None, False
        return entity_tag(dataset.version, key), requested_version(scope) is not None

    def _cache_headers(self, etag: bytes, pinned: bool) -> list[tuple[bytes, bytes]]:
        return [
            (b"etag", etag),
            (b"cache-control", self.policy.cache_control(pinned=pinned)),
            (b"vary", self.policy.vary),
        ]
