"""A request's whole body is read before the app runs: at most `max_bytes`, and
within `timeout_seconds`, so a sender of 10 bytes of a promised 1,000 is
answered, not waited on.

Past either limit the answer is BAD_USER_INPUT (413 Content Too Large, 408
Request Timeout) with `Connection: close`, so the server stops reading whatever
else the client sends. The app then receives the body as one message.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphql_api.asgi_errors import send_error
from graphql_api.errors import ErrorCode
from graphql_api.http_contract import BODY_STATE

CLOSE = [(b"connection", b"close")]


class _TooLarge(Exception):
    pass


class _Disconnected(Exception):
    pass


class RequestBodyMiddleware:
    def __init__(self, app: ASGIApp, *, max_bytes: int, timeout_seconds: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_seconds = timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_large = f"The request body is larger than {self.max_bytes} bytes."
        if (_content_length(scope) or 0) > self.max_bytes:
            await send_error(send, 413, ErrorCode.BAD_USER_INPUT, too_large, CLOSE)
            return
        try:
            async with asyncio.timeout(self.timeout_seconds):
                body = await self._read(receive)
        except _TooLarge:
            await send_error(send, 413, ErrorCode.BAD_USER_INPUT, too_large, CLOSE)
            return
        except TimeoutError:
            message = f"The request body did not arrive within {self.timeout_seconds:g} s."
            await send_error(send, 408, ErrorCode.BAD_USER_INPUT, message, CLOSE)
            return
        except _Disconnected:
            return  # nobody is left to answer
        scope.setdefault("state", {})[BODY_STATE] = body
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _read(self, receive: Receive) -> bytes:
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Disconnected
            body.extend(message.get("body", b""))
            if len(body) > self.max_bytes:
                raise _TooLarge
            if not message.get("more_body", False):
                return bytes(body)


async def read_body(scope: Scope, receive: Receive) -> tuple[bytes, Receive]:
    """The whole body, kept in the request state, and a receive that hands the app the
    same messages: read here already, or read now (an app without this middleware)."""
    state = scope.setdefault("state", {})
    if BODY_STATE in state:  # read by RequestBodyMiddleware, which replays it to the app
        return state[BODY_STATE], receive
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            break
    chunks = (m.get("body", b"") for m in messages if m["type"] == "http.request")
    state[BODY_STATE] = b"".join(chunks)

    async def replay() -> Message:
        return messages.pop(0) if messages else await receive()

    return state[BODY_STATE], replay


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
