"""A scripted stand-in for the Athena API, for what moto cannot do.

moto never fails or cancels a query with a reason, never paginates
GetQueryResults and never throttles. This small HTTP server speaks the same
JSON protocol (`X-Amz-Target: AmazonAthena.<Action>`), answers each action from
a script, and records every request, so the real aioboto3 client in the engine
is exercised over real HTTP for those cases.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = tuple[int, dict[str, Any]]


@dataclass
class Script:
    """Queued replies per action; when an action's queue is empty, its default answers."""

    replies: dict[str, deque[Reply]] = field(default_factory=lambda: defaultdict(deque))
    defaults: dict[str, Callable[[dict[str, Any]], Reply]] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def queue(self, action: str, *replies: Reply) -> None:
        self.replies[action].extend(replies)

    def answer(self, action: str, body: dict[str, Any]) -> Reply:
        self.requests.append((action, body))
        if self.replies[action]:
            return self.replies[action].popleft()
        if action in self.defaults:
            return self.defaults[action](body)
        return 400, {"__type": "InvalidRequestException", "message": f"unscripted {action}"}

    def actions(self) -> list[str]:
        return [action for action, _ in self.requests]


def throttled() -> Reply:
    return 400, {"__type": "ThrottlingException", "message": "Rate exceeded"}


def execution(state: str, reason: str | None = None) -> Reply:
    status: dict[str, Any] = {"State": state}
    if reason is not None:
        status["StateChangeReason"] = reason
    return 200, {
        "QueryExecution": {
            "QueryExecutionId": "q-1",
            "Status": status,
            "Statistics": {"DataScannedInBytes": 1234},
        }
    }


@contextmanager
def athena_stand_in(script: Script) -> Iterator[str]:
    """Serve `script` on a free 127.0.0.1 port; yield the endpoint URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            action = self.headers.get("X-Amz-Target", "").rpartition(".")[2]
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            status, reply = script.answer(action, body)
            payload = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
