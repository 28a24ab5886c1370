"""The access check every request passes before anything else answers it (a cached
response included): an API key when keys are required, then the client's rate limit.

Refusals are GraphQL-shaped: 401 UNAUTHENTICATED (with WWW-Authenticate) and
429 RATE_LIMITED (with Retry-After). The open paths (`/health`, the landing page
and its static files) need neither a key nor a token.

Every wrong or missing key takes a token from its address's failure bucket; an
address with none left is refused with 429 before its key is even looked at,
so a right guess among many is refused like the wrong ones and keys cannot be
guessed faster than the failure rate.
"""

from __future__ import annotations

from collections.abc import Collection

from starlette.types import ASGIApp, Receive, Scope, Send

from graphql_api.asgi_errors import send_error
from graphql_api.errors import ErrorCode
from graphql_api.observability.stats import current_stats
from graphql_api.security.api_keys import ApiKeys, fingerprint, offered_key
from graphql_api.security.rate_limit import TokenBuckets, retry_after_seconds

UNAUTHENTICATED = ErrorCode.UNAUTHENTICATED
RATE_LIMITED = ErrorCode.RATE_LIMITED
WWW_AUTHENTICATE = b'Bearer realm="stock-analytics", header="X-API-Key"'


class AccessControlMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        api_keys: ApiKeys | None,
        rate_limits: TokenBuckets | None,
        failed_auth_limits: TokenBuckets | None = None,
        open_paths: Collection[str],
        open_prefixes: tuple[str, ...] = (),
        client_address_header: str | None = None,
    ) -> None:
        self.app = app
        self.api_keys = api_keys
        self.rate_limits = rate_limits
        self.failed_auth_limits = failed_auth_limits
        self.open_paths = frozenset(open_paths)
        self.open_prefixes = open_prefixes
        self.client_address_header = (
            client_address_header.lower().encode() if client_address_header else None
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or path in self.open_paths
            or path.startswith(self.open_prefixes)
        ):
            await self.app(scope, receive, send)
            return
        client = self._client_address(scope)
        if self.api_keys is not None:
            failures = self.failed_auth_limits
            if failures is not None and (wait := failures.wait(client)) > 0:
                await _refuse_rate_limited(send, wait)
                return
            key = offered_key(dict(scope["headers"]))
            if key is None or not self.api_keys.accepts(key):
                if failures is not None:
                    failures.take(client)
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
                await _refuse_rate_limited(send, wait)
                return
        await self.app(scope, receive, send)

    def _client_address(self, scope: Scope) -> str:
        """Whose limits a request counts against: the address a trusted CDN names in
        `client_address_header` (behind CloudFront every viewer arrives from a few edge
        addresses), else the connection's (X-Forwarded-For from a trusted proxy applied)."""
        if self.client_address_header is not None:
            for name, value in scope["headers"]:
                if name == self.client_address_header:
                    host = _host_of(value.decode("latin-1"))
                    stats = current_stats()
                    if stats is not None:
                        stats.client = host
                    return host
        return str(scope["client"][0]) if scope.get("client") else "unknown"


def _host_of(address: str) -> str:
    """`203.0.113.9:46532` -> 203.0.113.9; `[2001:db8::1]:443` -> 2001:db8::1."""
    host, _, port = address.strip().rpartition(":")
    if not host or not port.isdigit():
        return address.strip()
    return host.removeprefix("[").removesuffix("]")


async def _refuse_rate_limited(send: Send, wait: float) -> None:
    seconds = retry_after_seconds(wait)
    message = f"Too many requests: retry after {seconds} s."
    await send_error(send, 429, RATE_LIMITED, message, [(b"retry-after", str(seconds).encode())])
