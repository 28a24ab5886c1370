"""Wire access control into an app from its settings."""

from __future__ import annotations

import time
from collections.abc import Callable

from fastapi import FastAPI

from graphql_api.config import Settings
from graphql_api.http_contract import HEALTH_PATH
from graphql_api.security.api_keys import ApiKeys
from graphql_api.security.middleware import AccessControlMiddleware
from graphql_api.security.rate_limit import TokenBuckets

OPEN_PATHS = (HEALTH_PATH, "/")
"""Open without a key: the health check, and the landing page (static files, no data)."""
OPEN_PREFIXES = ("/static/",)


def install_security(
    app: FastAPI, settings: Settings, *, clock: Callable[[], float] = time.monotonic
) -> None:
    """Add the access check; call it after the response cache's middleware is added,
    so the check runs first (Starlette runs the last middleware added first)."""
    api_keys = (
        ApiKeys(key.get_secret_value() for key in settings.api_keys)
        if settings.require_api_key
        else None
    )
    rate_limits = (
        TokenBuckets(
            rate=settings.rate_limit_per_second, burst=settings.rate_limit_burst, clock=clock
        )
        if settings.rate_limit_per_second > 0
        else None
    )
    failed_auth_limits = (
        TokenBuckets(
            rate=settings.failed_auth_per_second, burst=settings.failed_auth_burst, clock=clock
        )
        if api_keys is not None and settings.failed_auth_per_second > 0
        else None
    )
    if api_keys is None and rate_limits is None:
        return
    app.add_middleware(
        AccessControlMiddleware,
        api_keys=api_keys,
        rate_limits=rate_limits,
        failed_auth_limits=failed_auth_limits,
        open_paths=OPEN_PATHS,
        open_prefixes=OPEN_PREFIXES,
        client_address_header=settings.client_address_header,
    )
