"""uvicorn's h11 protocol with a deadline on each request's line and headers.

uvicorn bounds the head's size (`h11_max_incomplete_event_size`) but not its
time: a client sending one header line a second holds its connection for good.
Here the head must be complete within `header_timeout_seconds` of the
connection's start or of its first byte; past that the client gets 408 and the
connection is closed. A head too large (431) or not HTTP at all (400) is
answered the same way: a GraphQL-shaped JSON body with BAD_USER_INPUT instead
of uvicorn's plain text.
"""

from __future__ import annotations

import asyncio
import http
import json
import logging

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from graphql_api.errors import ErrorCode

logger = logging.getLogger(__name__)


class HeadGuardedH11Protocol(H11Protocol):
    header_timeout_seconds = 10.0
    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._watch_head()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_watching()
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        limit = self.config.h11_max_incomplete_event_size
        if limit is not None and len(self.conn.trailing_data[0]) > limit:
            self._refuse(431, f"The request line and headers are larger than {limit} bytes.")
        else:
            self._refuse(400, "The request is not valid HTTP/1.1.")

    def _watch_head(self) -> None:
        """Arm the deadline while a head is awaited, disarm it once the head is in."""
        awaiting_head = self.conn.their_state is h11.IDLE and not self.transport.is_closing()
        if not awaiting_head:
            self._stop_watching()
        elif self._head_timer is None:
            self._head_timer = self.loop.call_later(self.header_timeout_seconds, self._head_late)

    def _stop_watching(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_late(self) -> None:
        self._head_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            if self.conn.trailing_data[0]:
                logger.info(
                    "a request's head did not arrive within %g s", self.header_timeout_seconds
                )
                self._refuse(
                    408,
                    f"The request line and headers did not arrive within "
                    f"{self.header_timeout_seconds:g} s.",
                )
            else:
                self.transport.close()  # nothing was asked: nobody to answer

    def _refuse(self, status: int, message: str) -> None:
        """Answer outside h11, which sends nothing before a request's head is complete."""
        body = json.dumps(
            {"errors": [{"message": message, "extensions": {"code": ErrorCode.BAD_USER_INPUT}}]}
        ).encode()
        head = (
            f"HTTP/1.1 {status} {http.HTTPStatus(status).phrase}\r\n"
            "content-type: application/json\r\n"
            f"content-length: {len(body)}\r\n"
            "connection: close\r\n\r\n"
        ).encode()
        self.transport.write(head + body)
        self.transport.close()


def head_guarded_h11(header_timeout_seconds: float) -> type[HeadGuardedH11Protocol]:
    """The protocol class for uvicorn's `http=`, with this deadline."""
    return type(
        "HeadGuardedH11Protocol",
        (HeadGuardedH11Protocol,),
        {"header_timeout_seconds": header_timeout_seconds},
    )
