"""A local fake of Amazon Athena's API over HTTP, for the tests and the benchmarks.

It speaks Athena's JSON protocol (`X-Amz-Target: AmazonAthena.<Action>`), so the real
aioboto3 client in graphql_api/engines/athena.py talks to it unchanged. `athena_endpoint`
serves any `AthenaBackend`; two are here:

- `FakeAthena` plays each query's life on a clock (QUEUED for `queue_seconds`, RUNNING
  for `run_seconds`, then SUCCEEDED or FAILED, unless StopQueryExecution cancels it
  first) and records every call, when each query reached its end, and which queries
  were stopped. Its rows come from a `ResultSource`: `WarehouseSql` stands in for
  Athena's SQL engine (the statement, its ExecutionParameters put in as the literals
  they are, is transpiled from Trino to DuckDB by sqlglot and run by DuckDB over the
  warehouse's Parquet files, as the Glue tables describe them); `MarketRows` answers
  every statement with the same made-up market rows, for the benchmark.
- `Script` (tests) answers each action from a queue of replies, for what only a script
  can produce: throttling, pagination, a reason for FAILED.

GET requests are S3 GetObject: a backend may answer the warehouse's pointer,
`_dataset.json`, so the API needs no other endpoint.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol

import duckdb
import sqlglot
from sqlglot import Tokenizer, TokenType
from sqlglot.errors import ParseError, SqlglotError

from etl.dataset_pointer import DatasetPointer, VersionSummary
from etl.tables import TABLES, VERSION_PARTITION

Reply = tuple[int, dict[str, Any]]
Cell = dict[str, str]
DATA_SCANNED_BYTES = 1024 * 1024
"""What every query reports as scanned: the fake does not measure it."""
PAGE_ROWS = 1000
"""GetQueryResults' most rows per page, Athena's too."""


class AthenaBackend(Protocol):
    def answer(self, action: str, body: dict[str, Any]) -> Reply: ...

    def get_object(self, path: str) -> bytes | None:
        """An S3 GetObject's body for the request's path; None: NoSuchKey."""
        ...


def error(kind: str, message: str) -> Reply:
    return 400, {"__type": kind, "message": message}


@dataclass(frozen=True)
class Result:
    """A finished query's outcome: columns and rows as Athena returns them, or its error."""

    columns: list[tuple[str, str]] = field(default_factory=list)
    """Name and Athena type of each column."""
    rows: list[list[str | None]] = field(default_factory=list)
    failure: str | None = None


class ResultSource(Protocol):
    def __call__(self, statement: str, parameters: Sequence[str]) -> Result: ...


@dataclass
class Execution:
    query_id: str
    statement: str
    parameters: list[str]
    result: Result
    started: float
    queue_seconds: float
    run_seconds: float
    stopped_at: float | None = None
    results_requested_at: float | None = None

    @property
    def succeeds_at(self) -> float:
        """When the query reaches its end (SUCCEEDED, or FAILED), unless stopped first."""
        return self.started + self.queue_seconds + self.run_seconds

    def state(self, now: float) -> str:
        if self.stopped_at is not None:
            return "CANCELLED"
        if now >= self.succeeds_at:
            return "FAILED" if self.result.failure is not None else "SUCCEEDED"
        return "QUEUED" if now < self.started + self.queue_seconds else "RUNNING"


@dataclass
class FakeAthena:
    """Query lifetimes and results; change the times between phases of a benchmark."""

    results: ResultSource
    pointer: bytes | None = None
    """The body answered to a GET of any `.../_dataset.json`; None: NoSuchKey."""
    queue_seconds: float = 0.0
    run_seconds: float = 0.0
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

    def get_object(self, path: str) -> bytes | None:
        with self.lock:
            self.calls["S3 GetObject"] += 1
        return self.pointer if path.endswith("/_dataset.json") else None

    def answer(self, action: str, body: dict[str, Any]) -> Reply:
        if action == "StartQueryExecution":
            # Outside the lock: the statement runs now; the clock decides when it shows.
            parameters = list(body.get("ExecutionParameters", []))
            result = self.results(body["QueryString"], parameters)
        now = time.monotonic()
        with self.lock:
            self.calls[action] += 1
            if action == "StartQueryExecution":
                query_id = f"q-{len(self.executions) + 1}"
                self.executions[query_id] = Execution(
                    query_id,
                    body["QueryString"],
                    parameters,
                    result,
                    now,
                    self.queue_seconds,
                    self.run_seconds,
                )
                return 200, {"QueryExecutionId": query_id}
            execution = self.executions.get(body.get("QueryExecutionId", ""))
            if execution is None:
                return error("InvalidRequestException", "unknown query")
            if action == "GetQueryExecution":
                return 200, {"QueryExecution": _describe(execution, now)}
            if action == "StopQueryExecution":
                if execution.state(now) in ("QUEUED", "RUNNING"):
                    execution.stopped_at = now
                return 200, {}
            if action == "GetQueryResults":
                if execution.state(now) != "SUCCEEDED":
                    return error("InvalidRequestException", "the query has not succeeded")
                if execution.results_requested_at is None:
                    execution.results_requested_at = now
                return 200, _page(execution.result, body.get("NextToken"))
        return error("InvalidRequestException", f"unsupported {action}")


def _describe(execution: Execution, now: float) -> dict[str, Any]:
    status: dict[str, Any] = {"State": execution.state(now)}
    if status["State"] == "FAILED":
        status["StateChangeReason"] = execution.result.failure
    return {
        "QueryExecutionId": execution.query_id,
        "Query": execution.statement,
        "ExecutionParameters": execution.parameters,
        "Status": status,
        "Statistics": {"DataScannedInBytes": DATA_SCANNED_BYTES},
    }


def _page(result: Result, token: str | None) -> dict[str, Any]:
    """One page of the result, as Athena pages it: the header row first, on page one only."""
    start = int(token or 0)
    header = [[name for name, _ in result.columns]] if start == 0 else []
    rows = header + result.rows[start : start + PAGE_ROWS - len(header)]
    end = start + len(rows) - len(header)
    reply: dict[str, Any] = {
        "ResultSet": {
            "Rows": [{"Data": [_cell(value) for value in row]} for row in rows],
            "ResultSetMetadata": {
                "ColumnInfo": [{"Name": n, "Label": n, "Type": t} for n, t in result.columns]
            },
        }
    }
    if end < len(result.rows):
        reply["NextToken"] = str(end)
    return reply


def _cell(value: str | None) -> Cell:
    return {} if value is None else {"VarCharValue": value}


@dataclass(frozen=True)
class WarehouseSql:
    """Athena's SQL engine, stood in for by DuckDB after sqlglot: each table of
    etl/tables.py is the Parquet files under `<warehouse>/<table>/dataset_version=*/...`,
    its partition keys read from the folder names (as the Glue tables' partition
    projection does), and the Trino statement is transpiled to DuckDB's dialect."""

    warehouse: Path

    def __call__(self, statement: str, parameters: Sequence[str]) -> Result:
        try:
            sql = sqlglot.transpile(
                with_parameters(statement, parameters), read="trino", write="duckdb"
            )[0]
            with duckdb.connect() as connection:
                self._create_views(connection)
                cursor = connection.execute(sql)
                description = cursor.description or []
                columns = [(c[0], _athena_type(str(c[1]))) for c in description]
                rows = [[_text(value) for value in row] for row in cursor.fetchall()]
        except (SqlglotError, duckdb.Error) as failure:
            return Result(failure=f"{type(failure).__name__}: {failure}")
        return Result(columns, rows)

    def _create_views(self, connection: duckdb.DuckDBPyConnection) -> None:
        for table in TABLES:
            levels = ["dataset_version=*", *("*" for _ in table.partition_keys)]
            files = self.warehouse.joinpath(table.name, *levels, "*.parquet")
            if not any(self.warehouse.glob(str(files.relative_to(self.warehouse)))):
                continue
            keys = (VERSION_PARTITION, *table.partition_keys)
            types = ", ".join(f"'{key.name}': {_DUCKDB_TYPES[key.type]}" for key in keys)
            connection.execute(
                f"CREATE VIEW {table.name} AS SELECT * FROM read_parquet("  # noqa: S608
                f"'{files}', hive_partitioning = true, hive_types = {{{types}}})"
            )


def with_parameters(statement: str, parameters: Sequence[str]) -> str:
    """`statement` with its `?` placeholders replaced, in order, by `parameters`: Athena's
    ExecutionParameters are SQL literals, put in where the placeholders stand."""
    places = [
        token
        for token in Tokenizer(dialect="trino").tokenize(statement)
        if token.token_type == TokenType.PLACEHOLDER
    ]
    if len(places) != len(parameters):
        raise ParseError(f"{len(places)} placeholders but {len(parameters)} execution parameters")
    for token, literal in reversed(list(zip(places, parameters, strict=True))):
        statement = statement[: token.start] + literal + statement[token.end + 1 :]
    return statement


_DUCKDB_TYPES = {"string": "VARCHAR", "int": "INTEGER", "bigint": "BIGINT", "date": "DATE"}
_ATHENA_TYPES = {
    "VARCHAR": "varchar",
    "DATE": "date",
    "DOUBLE": "double",
    "FLOAT": "real",
    "BIGINT": "bigint",
    "HUGEINT": "bigint",
    "INTEGER": "integer",
    "SMALLINT": "smallint",
    "TINYINT": "tinyint",
    "BOOLEAN": "boolean",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamp",
}


def _athena_type(duckdb_type: str) -> str:
    if duckdb_type.startswith("DECIMAL"):
        return "decimal"
    return _ATHENA_TYPES.get(duckdb_type, "varchar")


def _text(value: object) -> str | None:
    """A value as GetQueryResults writes it: every value a string."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


MARKET_COLUMNS = [
    ("date", "date"),
    ("average_return", "double"),
    ("average_traded_value", "double"),
    ("return_tickers", "bigint"),
]


@dataclass(frozen=True)
class MarketRows:
    """Every statement answers the same `count` rows with the columns the market
    queries read (the benchmark measures the client, not the SQL)."""

    count: int = 21

    def __call__(self, statement: str, parameters: Sequence[str]) -> Result:
        first = date(2020, 3, 2)
        rows: list[list[str | None]] = [
            [str(first + timedelta(days=i)), repr(0.001 * (i - 10)), repr(1e6 + i), "3"]
            for i in range(self.count)
        ]
        return Result(MARKET_COLUMNS, rows)


def one_version_pointer(version: str, *, tickers: int = 3, rows: int = 750) -> bytes:
    """A pointer naming `version` alone, current."""
    moment = datetime(2024, 1, 1, tzinfo=UTC)
    summary = VersionSummary(
        version=version,
        finished_at=moment,
        published_at=moment,
        first_date=date(2020, 1, 1),
        last_date=date(2020, 12, 31),
        tickers=tickers,
        rows=rows,
        rows_read=rows,
        rows_rejected=0,
        duplicates_collapsed=0,
        input="fake",
    )
    return DatasetPointer(current=version, versions=(summary,)).to_json().encode()


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
        return error("InvalidRequestException", f"unscripted {action}")

    def get_object(self, path: str) -> bytes | None:
        return None

    def actions(self) -> list[str]:
        return [action for action, _ in self.requests]


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client hanging up
            super().handle_error(request, client_address)


@contextmanager
def athena_endpoint(backend: AthenaBackend) -> Iterator[str]:
    """Serve `backend` on a free 127.0.0.1 port; yield the endpoint URL."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            action = self.headers.get("X-Amz-Target", "").rpartition(".")[2]
            length = int(self.headers.get("Content-Length", "0"))
            status, reply = backend.answer(action, json.loads(self.rfile.read(length) or b"{}"))
            self._send(status, json.dumps(reply).encode(), "application/x-amz-json-1.1")

        def do_GET(self) -> None:
            body = backend.get_object(self.path.split("?")[0])
            if body is None:
                self._send(404, b"<Error><Code>NoSuchKey</Code></Error>", "application/xml")
            else:
                self._send(200, body, "application/json")

        def _send(self, status: int, payload: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = _QuietServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
