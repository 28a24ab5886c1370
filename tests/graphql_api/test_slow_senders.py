"""Slow and huge senders against the real `stock-analytics serve`, over raw sockets: a head
or a body that does not arrive in time, a head too large, bytes that are not HTTP. Each is
answered with a GraphQL-shaped JSON error and the connection is closed.

The server runs with deadlines of half a second, so every wait here is short and bounded.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import pytest

from tests.graphql_api.tiny_warehouse import tiny_days, write_warehouse
from testsupport.servers import Served, serving

DEADLINE = 0.5
SOCKET_TIMEOUT = 5.0
"""Not a latency target: only tells a closed connection from one held open."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    warehouse = write_warehouse(tmp_path_factory.mktemp("slow") / "warehouse", tiny_days())
    with serving(
        warehouse,
        STOCK_ANALYTICS_HEADER_TIMEOUT_SECONDS=str(DEADLINE),
        STOCK_ANALYTICS_BODY_TIMEOUT_SECONDS=str(DEADLINE),
        STOCK_ANALYTICS_MAX_HEADER_BYTES="4096",
    ) as served:
        yield served


def connect(server: Served) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    connection = socket.create_connection((host, int(port)), timeout=SOCKET_TIMEOUT)
    return connection


def read_until_closed(connection: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (fails on a hang)."""
    received = bytearray()
    while chunk := connection.recv(65536):
        received.extend(chunk)
    return bytes(received)


def read_one_response(connection: socket.socket) -> bytes:
    """One response on a connection that stays open (its body by Content-Length)."""
    received = bytearray()
    while b"\r\n\r\n" not in received:
        received.extend(_more(connection, received))
    head, _, body = bytes(received).partition(b"\r\n\r\n")
    length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
    while len(body) < length:
        body += _more(connection, received)
    return head + b"\r\n\r\n" + body


def _more(connection: socket.socket, received: bytes | bytearray) -> bytes:
    chunk = connection.recv(65536)
    assert chunk, f"closed in the middle of a response: {bytes(received)!r}"
    return chunk


def parse_response(raw: bytes) -> tuple[int, dict[str, str], dict[str, object]]:
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in header_lines)
    return int(status_line.split()[1]), headers, json.loads(body)


def assert_refused(raw: bytes, status: int, message: str) -> None:
    answered, headers, body = parse_response(raw)
    assert answered == status, raw
    assert headers["content-type"] == "application/json"
    assert headers["connection"] == "close"
    assert body == {"errors": [{"message": message, "extensions": {"code": "BAD_USER_INPUT"}}]}


def test_a_head_sent_one_line_at_a_time_is_cut_off(server: Served) -> None:
    with connect(server) as connection:
        assert_cut_off_by_the_deadline(connection, b"GET /health HTTP/1.1\r\nHost: x\r\n")


def assert_cut_off_by_the_deadline(connection: socket.socket, start: bytes) -> None:
    """Send `start`, then a header line every 0.2 s (10 s in all, were nothing cut off): the
    server answers 408 and closes well before that."""
    started = time.monotonic()
    connection.sendall(start)
    try:
        for index in range(50):
            connection.sendall(f"X-Slow-{index}: 1\r\n".encode())
            time.sleep(0.2)
    except (BrokenPipeError, ConnectionResetError):
        pass
    raw = read_until_closed(connection)
    elapsed = time.monotonic() - started
    assert_refused(raw, 408, f"The request line and headers did not arrive within {DEADLINE} s.")
    assert elapsed < SOCKET_TIMEOUT


def test_a_silent_connection_is_closed(server: Served) -> None:
    with connect(server) as connection:
        started = time.monotonic()
        assert read_until_closed(connection) == b""
        assert time.monotonic() - started < SOCKET_TIMEOUT


def test_ten_bytes_of_a_thousand_byte_body_are_answered_408(server: Served) -> None:
    with connect(server) as connection:
        connection.sendall(
            b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000\r\n\r\n"
            b'{"query":'
        )
        raw = read_until_closed(connection)
    assert_refused(raw, 408, f"The request body did not arrive within {DEADLINE} s.")


def test_a_16_mb_header_is_refused_431(server: Served) -> None:
    with connect(server) as connection:
        connection.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Huge: ")
        try:
            for _ in range(16):
                connection.sendall(b"a" * 1024 * 1024)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before the whole header was sent
        raw = read_until_closed(connection)
    assert_refused(raw, 431, "The request line and headers are larger than 4096 bytes.")


def test_bytes_that_are_not_http_are_refused_400(server: Served) -> None:
    with connect(server) as connection:
        connection.sendall(b"\x16\x03\x01 not http at all\r\n\r\n")
        raw = read_until_closed(connection)
    assert_refused(raw, 400, "The request is not valid HTTP/1.1.")


def test_a_prompt_client_keeps_its_connection_for_several_requests(server: Served) -> None:
    request = b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
    with connect(server) as connection:
        answers = []
        for _ in range(2):
            connection.sendall(request)
            answers.append(read_one_response(connection))
            time.sleep(DEADLINE * 1.5)  # idle between requests: keep-alive's business
    for answer in answers:
        status, _, body = parse_response(answer)
        assert (status, body) == (200, {"status": "ok", "engine": "duckdb"})


def test_a_second_request_sent_slowly_on_a_kept_connection_is_cut_off(server: Served) -> None:
    with connect(server) as connection:
        connection.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        status, _, _ = parse_response(read_one_response(connection))
        assert status == 200
        assert_cut_off_by_the_deadline(connection, b"GET /health HTTP/1.1\r\n")


def test_a_large_head_over_several_reads_of_a_kept_connection_is_refused_431(
    server: Served,
) -> None:
    with connect(server) as connection:
        connection.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert parse_response(read_one_response(connection))[0] == 200
        connection.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        try:
            for index in range(10):  # 10 headers of 1,000 bytes, each its own send
                connection.sendall(f"X-Big-{index}: {'b' * 987}\r\n".encode())
                time.sleep(0.01)
        except (BrokenPipeError, ConnectionResetError):
            pass
        raw = read_until_closed(connection)
    assert_refused(raw, 431, "The request line and headers are larger than 4096 bytes.")


def test_serve_uses_the_guarded_protocol() -> None:
    from graphql_api.config import Settings
    from graphql_api.http_protocol import HeadGuardedProtocol
    from graphql_api.server import uvicorn_options

    options = uvicorn_options(
        Settings(header_timeout_seconds=2, max_header_bytes=8192, keep_alive_seconds=75)
    )
    assert issubclass(options["http"], HeadGuardedProtocol)
    assert options["http"].header_timeout_seconds == 2
    assert options["http"].max_header_bytes == 8192
    assert options["timeout_keep_alive"] == 75


def read_head_only(connection: socket.socket) -> bytes:
    """A response without a body (to HEAD, or a 304): its head, and nothing after it."""
    received = bytearray()
    while b"\r\n\r\n" not in received:
        received.extend(_more(connection, received))
    head, _, rest = bytes(received).partition(b"\r\n\r\n")
    assert rest == b"", rest
    return head


def test_a_kept_connection_gets_whole_answers_to_a_post_a_get_a_304_and_a_head(
    server: Served,
) -> None:
    """Each answer's head goes out with its body (graphql_api/http_protocol.py), or alone
    when there is none: on one kept connection every answer is whole and framed."""
    query = b'{"query": "{ health { status } }"}'
    post = b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    post += b"Content-Length: %d\r\n\r\n%s" % (len(query), query)
    get = b"GET /graphql?query=%7B%20health%20%7B%20status%20%7D%20%7D HTTP/1.1\r\nHost: x\r\n"
    with connect(server) as connection:
        connection.sendall(post)
        status, _, answer = parse_response(read_one_response(connection))
        assert (status, answer) == (200, {"data": {"health": {"status": "ok"}}})
        connection.sendall(get + b"\r\n")
        status, headers, answer = parse_response(read_one_response(connection))
        assert (status, answer) == (200, {"data": {"health": {"status": "ok"}}})
        connection.sendall(get + b"If-None-Match: " + headers["etag"].encode() + b"\r\n\r\n")
        assert read_head_only(connection).startswith(b"HTTP/1.1 304 ")
        connection.sendall(b"HEAD /health HTTP/1.1\r\nHost: x\r\n\r\n")
        head = read_head_only(connection)  # 405 (GET only), with no body
        assert head.startswith(b"HTTP/1.1 405 "), head
        assert b"content-length: " in head.lower()
        connection.sendall(post)
        status, _, answer = parse_response(read_one_response(connection))
        assert (status, answer) == (200, {"data": {"health": {"status": "ok"}}})
