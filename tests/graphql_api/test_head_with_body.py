"""HeadWithBody (graphql_api/http_protocol.py): a response's head goes out in one write
with its first body bytes. The framing over real sockets, for answers with and without a
body, is tested in test_slow_senders.py; here, which writes the transport receives."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any, cast

from uvicorn.protocols.http.httptools_impl import RequestResponseCycle

from graphql_api.http_protocol import HeadWithBody


class RecordingTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: Any) -> None:
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed


def transport_for(method: str) -> tuple[HeadWithBody, RecordingTransport, SimpleNamespace]:
    recording = RecordingTransport()
    cycle = SimpleNamespace(response_started=False, scope={"method": method})
    return HeadWithBody(recording, cast(RequestResponseCycle, cycle)), recording, cycle


def test_the_head_is_written_with_the_first_body_bytes() -> None:
    transport, recording, cycle = transport_for("POST")
    transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")  # before the response: at once
    cycle.response_started = True
    transport.write(b"HTTP/1.1 200 OK\r\n\r\n")
    assert recording.writes == [b"HTTP/1.1 100 Continue\r\n\r\n"]
    transport.write(b'{"data": 1}')
    transport.write(b"more")
    assert recording.writes[1:] == [b'HTTP/1.1 200 OK\r\n\r\n{"data": 1}', b"more"]


def test_a_head_answer_and_a_close_write_the_head_at_once() -> None:
    transport, recording, cycle = transport_for("HEAD")
    cycle.response_started = True
    transport.write(b"HTTP/1.1 405 Method Not Allowed\r\n\r\n")
    assert recording.writes == [b"HTTP/1.1 405 Method Not Allowed\r\n\r\n"]

    transport, recording, cycle = transport_for("GET")
    cycle.response_started = True
    transport.write(b"HTTP/1.1 200 OK\r\n\r\n")
    transport.close()  # the app failed after starting its answer
    assert recording.writes == [b"HTTP/1.1 200 OK\r\n\r\n"]
    assert recording.closed
    assert transport.is_closing()
