"""Every request has a wall-clock budget; past it, a clear JSON error, not a hang.

The budget bounds what computes an answer: the app puts it inside the response
cache, so a cached answer (or a 304) is sent without arming a timer for it; the
body has its own bound (graphql_api/request_body.py).

The app's work for the request is cancelled when the budget runs out. Work in
worker threads (validation, DuckDB) cannot be cancelled from here: the engines
interrupt their own queries on their own timeouts, and validation is linear in
a document bounded by the token limit, so such a thread soon ends by itself.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphql_api.asgi_errors import send_error
from graphql_api.errors import ErrorCode


class RequestBudgetMiddleware:
    def __init__(self, app: ASGIApp, *, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_and_note(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            async with asyncio.timeout(self.seconds):
                await self.app(scope, receive, send_and_note)
        except TimeoutError:
            if started:
                raise  # half an answer was sent: only dropping the connection is honest
            message = f"The request took longer than {self.seconds:g} s and was stopped."
            await send_error(send, 504, ErrorCode.QUERY_TIMEOUT, message)
