"""The access check every request passes before anything else answers it (a cached
response included): an API key when keys are required, then the client's rate limit.

Refusals are GraphQL-shaped: 401 UNAUTHENTICATED (with WWW-Authenticate) and
429 RATE_LIMITED (with Retry-After). The open paths (`/health`, the landing page
and its static files) need neither a key nor a token.
"""

from __future__ import annotations

from collections.abc import Collection

from starlette.types import ASGIApp, Receive, Scope, Send

from graphql_api.asgi_errors import send_error
from graphql_api.observability.stats import current_stats
from graphql_api.security.api_keys import ApiKeys, fingerprint, offered_key
from graphql_api.security.rate_limit import TokenBuckets, retry_after_seconds

UNAUTHENTICATED = "UNAUTHENTICATED"
RATE_LIMITED = "RATE_LIMITED"
WWW_AUTHENTICATE = b'Bearer realm="stock-analytics", header="X-API-Key"'


class AccessControlMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        api_keys: ApiKeys | None,
        rate_limits: TokenBuckets | None,
        open_paths: Collection[str],
        open_prefixes: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.api_keys = api_keys
        self.rate_limits = rate_limits
        self.open_paths = frozenset(open_paths)
        self.open_prefixes = open_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or path in self.open_paths
            or path.startswith(self.open_prefixes)
        ):
            await self.app(scope, receive, send)
            return
        client = scope["client"][0] if scope.get("client") else "unknown"
        if self.api_keys is not None:
            key = offered_key(dict(scope["headers"]))
            if key is None or not self.api_keys.accepts(key):
                message = "A valid API key is required: send it in the X-API-Key header."
                await send_error(
                    send, 401, UNAUTHENTICATED, message, [(b"www-authenticate", WWW_AUTHENTICATE)]
                )
                return
            client = f"key:{fingerprint(key)}"
            stats = current_stats()
            if stats is not None:
                stats.client = client
        if self.rate_limits is not None:
            wait = self.rate_limits.take(client)
            if wait > 0:
                seconds = retry_after_seconds(wait)
                message = f"Too many requests: retry after {seconds} s."
                await send_error(
                    send, 429, RATE_LIMITED, message, [(b"retry-after", str(seconds).encode())]
                )
                return
        await self.app(scope, receive, send)
