"""A local fake of Athena (and of the one S3 object the API reads), for measuring the client.

It stands in for Amazon Athena: it runs no SQL. It speaks Athena's JSON protocol
(`X-Amz-Target: AmazonAthena.<Action>`) over HTTP, so the real aioboto3 client in
graphql_api/engines/athena.py talks to it unchanged, and it plays each query's
life on a clock: QUEUED for `queue_seconds`, RUNNING for `run_seconds`, then
SUCCEEDED, unless StopQueryExecution cancels it first. Every result is the same
`rows` rows (with the columns the market queries read). It records every call,
the moment each query reached SUCCEEDED, and which queries were stopped, so the
benchmark can count engine calls and API calls, time the gap between SUCCEEDED
and the API's answer, and find queries left running. GET requests are answered
as S3 GetObject of the warehouse's `_dataset.json`.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MANIFEST = {
    "run_id": "fake-run-1",
    "finished_at": "2024-01-01T00:00:00Z",
    "first_date": "2020-01-01",
    "last_date": "2020-12-31",
    "tickers": 3,
    "rows": 750,
    "rows_rejected": 0,
}
COLUMNS = [
    ("date", "date"),
    ("average_return", "double"),
    ("average_traded_value", "double"),
    ("return_tickers", "bigint"),
]


@dataclass
class Execution:
    query_id: str
    statement: str
    started: float
    queue_seconds: float
    run_seconds: float
    stopped_at: float | None = None
    results_requested_at: float | None = None

    @property
    def succeeds_at(self) -> float:
        return self.started + self.queue_seconds + self.run_seconds

    def state(self, now: float) -> str:
        if self.stopped_at is not None:
            return "CANCELLED"
        if now >= self.succeeds_at:
            return "SUCCEEDED"
        return "QUEUED" if now < self.started + self.queue_seconds else "RUNNING"


@dataclass
class FakeAthena:
    """Query lifetimes and results; change the times between phases of a benchmark."""

    queue_seconds: float = 0.2
    run_seconds: float = 1.0
    rows: int = 21
    calls: Counter[str] = field(default_factory=Counter)
    executions: dict[str, Execution] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.calls.clear()
            self.executions.clear()

    def running(self, now: float | None = None) -> list[Execution]:
        """Queries neither finished nor stopped at `now`."""
        moment = time.monotonic() if now is None else now
        return [e for e in self.executions.values() if e.state(moment) in ("QUEUED", "RUNNING")]

    def answer(self, action: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        now = time.monotonic()
        with self.lock:
            self.calls[action] += 1
            if action == "StartQueryExecution":
                query_id = f"q-{len(self.executions) + 1}"
                self.executions[query_id] = Execution(
                    query_id, body["QueryString"], now, self.queue_seconds, self.run_seconds
                )
                return 200, {"QueryExecutionId": query_id}
            execution = self.executions.get(body.get("QueryExecutionId", ""))
            if execution is None:
                return 400, {"__type": "InvalidRequestException", "message": "unknown query"}
            if action == "GetQueryExecution":
                return 200, {"QueryExecution": self._describe(execution, now)}
            if action == "StopQueryExecution":
                if execution.state(now) in ("QUEUED", "RUNNING"):
                    execution.stopped_at = now
                return 200, {}
            if action == "GetQueryResults":
                if execution.results_requested_at is None:
                    execution.results_requested_at = now
                return 200, {"ResultSet": self._results()}
        return 400, {"__type": "InvalidRequestException", "message": f"unsupported {action}"}

    def _describe(self, execution: Execution, now: float) -> dict[str, Any]:
        return {
            "QueryExecutionId": execution.query_id,
            "Query": execution.statement,
            "Status": {"State": execution.state(now)},
            "Statistics": {"DataScannedInBytes": 1024 * 1024},
        }

    def _results(self) -> dict[str, Any]:
        header = {"Data": [{"VarCharValue": name} for name, _ in COLUMNS]}
        first = date(2020, 3, 2)
        data = [
            {
                "Data": [
                    {"VarCharValue": str(first + timedelta(days=index))},
                    {"VarCharValue": repr(0.001 * (index - 10))},
                    {"VarCharValue": repr(1e6 + index)},
                    {"VarCharValue": "3"},
                ]
            }
            for index in range(self.rows)
        ]
        return {
            "Rows": [header, *data],
            "ResultSetMetadata": {
                "ColumnInfo": [{"Name": n, "Label": n, "Type": t} for n, t in COLUMNS]
            },
        }


@contextmanager
def fake_athena_server(fake: FakeAthena) -> Iterator[str]:
    """Serve `fake` on a free 127.0.0.1 port; yield the endpoint URL."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            action = self.headers.get("X-Amz-Target", "").rpartition(".")[2]
            length = int(self.headers.get("Content-Length", "0"))
            status, reply = fake.answer(action, json.loads(self.rfile.read(length) or b"{}"))
            self._send(status, json.dumps(reply).encode(), "application/x-amz-json-1.1")

        def do_GET(self) -> None:
            with fake.lock:
                fake.calls["S3 GetObject"] += 1
            if self.path.split("?")[0].endswith("/_dataset.json"):
                self._send(200, json.dumps(MANIFEST).encode(), "application/json")
            else:
                self._send(404, b"<Error><Code>NoSuchKey</Code></Error>", "application/xml")

        def _send(self, status: int, payload: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
