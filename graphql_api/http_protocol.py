"""uvicorn's httptools protocol with a bound on each request's line and headers: their
size and their time.

uvicorn's httptools protocol bounds neither: a client sending one header line a
second, or a header of gigabytes, holds its connection (and the parser's buffer)
for good. Here the head must be complete within `header_timeout_seconds` of the
connection's start or of its first byte, and within `max_header_bytes`; past
either the client gets 408 or 431 and the connection is closed. Bytes that are
not HTTP at all (400) are answered the same way: a GraphQL-shaped JSON body with
BAD_USER_INPUT instead of uvicorn's plain text.

The size is counted by the bytes read while a head is incomplete, as h11's
`max_incomplete_event_size` counts them: a head that arrives whole in one read
is never refused for its size, and a read that ends one request and begins the
next is not counted for the next (so a head may pass the bound by one read).
httptools (C) rather than h11 (Python): the same guard at about half the
server's CPU time per request.

Empty lines that begin no request run the next head's deadline (else they held a
connection for good); a chunked body's trailers are bounded like a head and dropped,
as h11 dropped them. A refusal behind requests still being answered waits for their
answers; one for the body of the request being read is that request's answer. No
upgrade is taken (the API serves no WebSocket): such a request is answered as HTTP/1.1.

uvicorn writes a response's status line and headers on `http.response.start`, then its
body: two writes, and a client woken for the head alone. Here the head waits for the
first body bytes and goes out with them in one write (a HEAD request's at once, as it
has no body).
"""

from __future__ import annotations

import asyncio
import http
import json
import logging
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle

from graphql_api.errors import ErrorCode

logger = logging.getLogger(__name__)


class HeadGuardedProtocol(HttpToolsProtocol):
    header_timeout_seconds = 10.0
    max_header_bytes = 16384
    _head_timer: asyncio.TimerHandle | None = None
    _head_open = False
    """A request's head has begun and is not complete."""
    _head_bytes = 0
    _completed_in_read = False
    _trailers_open = False
    """A chunked body's last chunk or trailers have begun (no chunk data since its size line)."""
    _trailer_bytes = 0
    _refusal: bytes | None = None
    """An error answer waiting for the answers to the requests before it."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_timer = self.loop.call_later(self.header_timeout_seconds, self._head_late)

    def data_received(self, data: bytes) -> None:
        if self._refusal is not None:
            return  # the connection ends with the refusal
        self._completed_in_read = False
        in_trailers = self._trailers_open
        super().data_received(data)
        if self.transport.is_closing() or self._refusal is not None:
            self._stop_watching()
            return
        too_large = f"The request line and headers are larger than {self.max_header_bytes} bytes."
        if self._head_open:
            if self._completed_in_read:
                self._head_bytes = 0  # the read began with the end of the previous request
            else:
                self._head_bytes += len(data)
            if self._head_bytes > self.max_header_bytes:
                self._refuse(431, too_large)
            elif self._head_timer is None:
                self._head_timer = self.loop.call_later(
                    self.header_timeout_seconds, self._head_late
                )
        elif self._answering():
            self._stop_watching()
            if in_trailers and self._trailers_open:
                self._trailer_bytes += len(data)
                if self._trailer_bytes > self.max_header_bytes:
                    self._refuse(431, too_large)
        elif self._head_timer is None:
            # bytes that begin no request (empty lines): the next head's deadline runs
            self._head_timer = self.loop.call_later(self.header_timeout_seconds, self._head_late)

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_watching()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_open = True
        self._head_bytes = 0

    def on_header(self, name: bytes, value: bytes) -> None:
        if self._head_open:
            super().on_header(name, value)
        # else a trailer: dropped, as h11 did, not added to a request already running

    def on_headers_complete(self) -> None:
        self._head_open = False
        super().on_headers_complete()
        cycle = self.cycle  # the one just made (running or queued), unless none was
        if cycle is not None and not isinstance(cycle.transport, HeadWithBody):
            cycle.transport = HeadWithBody(self.transport, cycle)

    def on_chunk_header(self) -> None:
        self._trailers_open = True
        self._trailer_bytes = 0

    def on_body(self, body: bytes) -> None:
        self._trailers_open = False
        super().on_body(body)

    def on_chunk_complete(self) -> None:
        self._trailers_open = False

    def on_message_complete(self) -> None:
        self._completed_in_read = True
        super().on_message_complete()

    def on_response_complete(self) -> None:
        if self._refusal is None or self.pipeline:
            super().on_response_complete()
            return
        self.server_state.total_requests += 1
        if not self.transport.is_closing():
            self.transport.write(self._refusal)
            self.transport.close()

    def send_400_response(self, msg: str) -> None:
        self._refuse(400, "The request is not valid HTTP/1.1.")

    def _should_upgrade_to_ws(self) -> bool:
        return False  # the API serves no WebSocket: an upgrade is answered as plain HTTP

    def _unsupported_upgrade_warning(self) -> None:
        logger.info("an upgrade was asked for and not taken: answered as HTTP/1.1")

    def _answering(self) -> bool:
        return bool(self.pipeline) or (self.cycle is not None and not self.cycle.response_complete)

    def _stop_watching(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_late(self) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        if self._answering():
            # a pipelined head, read while the answer before it is sent: it waits its turn
            self._head_timer = self.loop.call_later(self.header_timeout_seconds, self._head_late)
        elif self._head_open:
            logger.info("a request's head did not arrive within %g s", self.header_timeout_seconds)
            self._refuse(
                408,
                f"The request line and headers did not arrive within "
                f"{self.header_timeout_seconds:g} s.",
            )
        else:
            self.transport.close()  # no request began: nobody to answer

    def _refuse(self, status: int, message: str) -> None:
        """Answer outside the request cycle: no request exists before its head is complete.
        Behind requests still being answered the answer waits its turn (on_response_complete),
        unless the bad bytes are the body of the request being read: that request gets it."""
        self._stop_watching()
        body = json.dumps(
            {"errors": [{"message": message, "extensions": {"code": ErrorCode.BAD_USER_INPUT}}]}
        ).encode()
        head = (
            f"HTTP/1.1 {status} {http.HTTPStatus(status).phrase}\r\n"
            "content-type: application/json\r\n"
            f"content-length: {len(body)}\r\n"
            "connection: close\r\n\r\n"
        ).encode()
        if self._answering():
            cycle = self.cycle
            if not cycle.more_body:
                self._refusal = head + body
                self.flow.pause_reading()
                return
            if self.pipeline or cycle.response_started:
                self.transport.close()  # an answer is being sent: another would garble it
                return
            cycle.disconnected = True  # its app reads no more of the body and answers nothing
            cycle.message_event.set()
        self.transport.write(head + body)
        self.transport.close()


class HeadWithBody(asyncio.Transport):
    """One request's transport, as its cycle uses it (write, close, is_closing): the
    response's head, the first write once the response has started, is held and written
    with the next write, the body's first bytes (every body message of a response that
    is not HEAD writes, an empty one too), or before a close."""

    def __init__(self, transport: asyncio.Transport, cycle: RequestResponseCycle) -> None:
        super().__init__()
        self._transport = transport
        self._cycle = cycle
        self._head_seen = False
        self._head: bytes | None = None

    def write(self, data: Any) -> None:
        if self._head is not None:
            data, self._head = self._head + data, None
        elif not self._head_seen and self._cycle.response_started:
            self._head_seen = True
            if self._cycle.scope["method"] != "HEAD":
                self._head = bytes(data)
                return
        self._transport.write(data)

    def close(self) -> None:
        if self._head is not None:
            self._transport.write(self._head)
            self._head = None
        self._transport.close()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._transport.get_extra_info(name, default)


def head_guarded(header_timeout_seconds: float, max_header_bytes: int) -> type[HeadGuardedProtocol]:
    """The protocol class for uvicorn's `http=`, with these bounds."""
    return type(
        "HeadGuardedProtocol",
        (HeadGuardedProtocol,),
        {"header_timeout_seconds": header_timeout_seconds, "max_header_bytes": max_header_bytes},
    )
