"""Attacks on the request-head guard (graphql_api/http_protocol.py) that the plain slow and
huge senders of test_slow_senders.py do not make: bytes that begin no request, bad bytes
behind a request still being answered, a bad chunked body, endless trailers, a WebSocket
upgrade. Each gets a GraphQL-shaped JSON answer or a closed connection, never a hang or a 500.
"""

from __future__ import annotations

import socket
import time

from tests.graphql_api.test_slow_senders import (
    DEADLINE,
    SOCKET_TIMEOUT,
    assert_refused,
    connect,
    parse_response,
    read_one_response,
    read_until_closed,
    server,
)
from testsupport.servers import Served

__all__ = ["server"]

HEALTH = b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
QUERY = b'{"query":"{ __typename }"}'
CHUNKED_POST = (
    b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n"
)


def send_until_refused(connection: socket.socket, parts: list[bytes], pause: float) -> None:
    try:
        for part in parts:
            connection.sendall(part)
            time.sleep(pause)
    except (BrokenPipeError, ConnectionResetError):
        pass  # refused before everything was sent


def test_empty_lines_alone_do_not_hold_a_connection(server: Served) -> None:
    with connect(server) as connection:
        started = time.monotonic()
        send_until_refused(connection, [b"\r\n"] * 20, DEADLINE / 5)
        assert read_until_closed(connection) == b""
        assert time.monotonic() - started < SOCKET_TIMEOUT


def test_empty_lines_after_an_answer_do_not_hold_a_kept_connection(server: Served) -> None:
    with connect(server) as connection:
        connection.sendall(HEALTH)
        assert parse_response(read_one_response(connection))[0] == 200
        started = time.monotonic()
        connection.sendall(b"\r\n")
        assert read_until_closed(connection) == b""
        assert time.monotonic() - started < SOCKET_TIMEOUT


def test_bytes_that_are_not_http_behind_a_request_are_refused_after_its_answer(
    server: Served,
) -> None:
    with connect(server) as connection:
        connection.sendall(HEALTH + b"\x16\x03\x01 not http\r\n\r\n")
        received = read_until_closed(connection)
    head, _, rest = received.partition(b"\r\n\r\n")
    length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
    answered, raw = head + b"\r\n\r\n" + rest[:length], rest[length:]
    status, _, body = parse_response(answered)
    assert (status, body) == (200, {"status": "ok", "engine": "duckdb"})
    assert_refused(raw, 400, "The request is not valid HTTP/1.1.")


def test_an_invalid_chunk_is_refused_400(server: Served) -> None:
    with connect(server) as connection:
        connection.sendall(CHUNKED_POST + b"zz\r\n")
        raw = read_until_closed(connection)
    assert_refused(raw, 400, "The request is not valid HTTP/1.1.")


def test_endless_trailers_are_refused_431(server: Served) -> None:
    with connect(server) as connection:
        connection.sendall(CHUNKED_POST + b"%x\r\n" % len(QUERY) + QUERY + b"\r\n0\r\n")
        trailers = [f"X-Trailer-{index}: {'t' * 980}\r\n".encode() for index in range(10)]
        send_until_refused(connection, trailers, 0.01)
        raw = read_until_closed(connection)
    assert_refused(raw, 431, "The request line and headers are larger than 4096 bytes.")


def test_a_websocket_upgrade_is_answered_as_plain_http(server: Served) -> None:
    with connect(server) as connection:
        connection.sendall(
            b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        status, _, body = parse_response(read_one_response(connection))
    assert (status, body) == (200, {"status": "ok", "engine": "duckdb"})
