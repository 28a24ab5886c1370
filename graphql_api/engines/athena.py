"""Athena through aioboto3: one client for the app's life, every query with the same
safeguards (parameters, capped backoff, an overall timeout that stops the query,
throttling retried with jitter, typed errors, a bound on concurrent queries)."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import aioboto3  # type: ignore[import-untyped]
from aiobotocore.config import AioConfig  # type: ignore[import-untyped]
from botocore.exceptions import ClientError

from etl.dataset_pointer import TABLE_BYTES, DatasetPointer, PointerError
from etl.tables import DATASET_MANIFEST
from graphql_api.config import Settings
from graphql_api.engines.athena_scan import estimated_scan_bytes
from graphql_api.engines.athena_values import from_athena, sql_literal
from graphql_api.engines.athena_versions import pinned_statement
from graphql_api.engines.base import (
    DatasetUnavailable,
    QueryCancelled,
    QueryFailed,
    QueryTimeout,
    QueryTooCostly,
    Row,
    SqlValue,
)
from graphql_api.engines.pointer import PointerCache
from graphql_api.observability.stats import EngineQuery, record_engine_query

logger = logging.getLogger(__name__)

THROTTLING_CODES = frozenset(
    {"ThrottlingException", "TooManyRequestsException", "Throttling", "RequestLimitExceeded"}
)
TERMINAL_STATES = frozenset({"SUCCEEDED", "FAILED", "CANCELLED"})
MAX_THROTTLE_SLEEP_SECONDS = 2.0

T = TypeVar("T")


@dataclass(frozen=True)
class AthenaOptions:
    database: str
    workgroup: str
    output_location: str | None
    result_reuse_minutes: int
    timeout_seconds: float
    poll_initial_seconds: float
    poll_max_seconds: float
    throttle_retries: int
    max_concurrent_queries: int
    pointer_bucket: str
    pointer_key: str
    pointer_check_seconds: float
    bytes_scanned_cutoff: int | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> AthenaOptions:
        bucket, key = _pointer_location(settings.warehouse)
        return cls(
            database=settings.athena_database,
            workgroup=settings.athena_workgroup,
            output_location=settings.athena_output,
            result_reuse_minutes=settings.athena_result_reuse_minutes,
            timeout_seconds=settings.query_timeout_seconds,
            poll_initial_seconds=settings.athena_poll_initial_seconds,
            poll_max_seconds=settings.athena_poll_max_seconds,
            throttle_retries=settings.athena_throttle_retries,
            max_concurrent_queries=settings.athena_max_concurrent_queries,
            pointer_bucket=bucket,
            pointer_key=key,
            pointer_check_seconds=settings.dataset_check_seconds,
            bytes_scanned_cutoff=settings.athena_bytes_scanned_cutoff,
        )


@asynccontextmanager
async def open_athena_engine(
    settings: Settings, *, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
) -> AsyncIterator[AthenaEngine]:
    """Open the Athena and S3 clients once; close them when the app shuts down."""
    session = aioboto3.Session(region_name=settings.aws_region)
    config = AioConfig(
        connect_timeout=5,
        read_timeout=max(10.0, settings.athena_poll_max_seconds * 4),
        retries={"total_max_attempts": 1, "mode": "standard"},  # throttling is retried here
    )
    async with AsyncExitStack() as stack:
        athena = await stack.enter_async_context(
            session.client("athena", endpoint_url=settings.aws_endpoint_url, config=config)
        )
        s3 = await stack.enter_async_context(
            session.client("s3", endpoint_url=settings.aws_endpoint_url, config=config)
        )
        yield AthenaEngine(athena, s3, AthenaOptions.from_settings(settings), sleep=sleep)


class AthenaEngine:
    """QueryEngine over Athena; `athena` and `s3` are open aioboto3 clients."""

    def __init__(
        self,
        athena: Any,
        s3: Any,
        options: AthenaOptions,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._athena = athena
        self._sleep = sleep
        self._s3 = s3
        self._options = options
        self._slots = asyncio.Semaphore(options.max_concurrent_queries)
        self.pointers = PointerCache(self._read_pointer, ttl_seconds=options.pointer_check_seconds)

    @property
    def name(self) -> str:
        return "athena"

    async def pointer(self) -> DatasetPointer:
        return await self.pointers.get()

    async def fetch(
        self, statement: str, parameters: Sequence[SqlValue] = (), *, version: str
    ) -> list[Row]:
        await self._check_scan(statement, parameters, version)
        statement = pinned_statement(statement, version)
        async with self._slots:
            started = time.perf_counter()
            query_id: str | None = None
            execution: dict[str, Any] = {}
            try:
                async with asyncio.timeout(self._options.timeout_seconds):
                    query_id = await self._start(statement, parameters)
                    execution = await self._wait(query_id)
                    rows = await self._results(query_id)
            except TimeoutError as timeout:
                if query_id is not None:
                    await self._stop(query_id, "after the timeout")
                raise QueryTimeout(
                    f"the query took longer than {self._options.timeout_seconds:g}s and was stopped"
                ) from timeout
            except asyncio.CancelledError:
                if query_id is not None:  # the caller went away: Athena need not go on
                    await asyncio.shield(self._stop(query_id, "as its caller was cancelled"))
                raise
            finally:
                seconds = time.perf_counter() - started
                statistics = execution.get("Statistics", {})
                scanned = statistics.get("DataScannedInBytes")
                record_engine_query(
                    EngineQuery(
                        self.name, query_id, seconds, None if scanned is None else int(scanned)
                    )
                )
            logger.info(
                "athena query %s SUCCEEDED in %.0f ms, %s bytes scanned, reused: %s, %d rows",
                query_id,
                1e3 * seconds,
                scanned,
                statistics.get("ResultReuseInformation", {}).get("ReusedPreviousResult"),
                len(rows),
            )
            return rows

    async def _check_scan(
        self, statement: str, parameters: Sequence[SqlValue], version: str
    ) -> None:
        """Refuse, before StartQueryExecution, a statement whose estimated scan is over the
        workgroup's cutoff: Athena would cancel it only after charging for the bytes."""
        cutoff = self._options.bytes_scanned_cutoff
        if cutoff is None:
            return
        summary = (await self.pointer()).find(version)
        sizes = {} if summary is None else summary.extra.get(TABLE_BYTES)
        if not isinstance(sizes, dict):
            return
        estimate = estimated_scan_bytes(statement, parameters, sizes)
        if estimate is not None and estimate > cutoff:
            logger.warning(
                "athena query refused: estimated scan %d bytes, cutoff %d", estimate, cutoff
            )
            raise QueryTooCostly(
                f"The query would scan about {estimate:,} bytes, over the limit of "
                f"{cutoff:,} bytes per query: ask for a shorter range",
                bytesEstimated=estimate,
                bytesCutoff=cutoff,
            )

    async def _start(self, statement: str, parameters: Sequence[SqlValue]) -> str:
        request: dict[str, Any] = {
            "QueryString": statement,
            "QueryExecutionContext": {"Database": self._options.database},
            "WorkGroup": self._options.workgroup,
        }
        if parameters:
            request["ExecutionParameters"] = [sql_literal(value) for value in parameters]
        if self._options.output_location:
            request["ResultConfiguration"] = {"OutputLocation": self._options.output_location}
        if self._options.result_reuse_minutes > 0:
            request["ResultReuseConfiguration"] = {
                "ResultReuseByAgeConfiguration": {
                    "Enabled": True,
                    "MaxAgeInMinutes": self._options.result_reuse_minutes,
                }
            }
        response = await self._call(self._athena.start_query_execution, **request)
        return str(response["QueryExecutionId"])

    async def _wait(self, query_id: str) -> dict[str, Any]:
        """Poll with capped exponential backoff until the query reaches a final state."""
        delay = self._options.poll_initial_seconds
        while True:
            response = await self._call(self._athena.get_query_execution, QueryExecutionId=query_id)
            execution: dict[str, Any] = response["QueryExecution"]
            status = execution.get("Status", {})
            state = status.get("State")
            if state in TERMINAL_STATES:
                break
            await self._sleep(delay)
            delay = min(delay * 2, self._options.poll_max_seconds)
        if state == "SUCCEEDED":
            return execution
        reason = status.get("StateChangeReason") or status.get("AthenaError", {}).get(
            "ErrorMessage", "no reason given"
        )
        logger.warning("athena query %s %s: %s", query_id, state, reason)
        if state == "CANCELLED":
            raise QueryCancelled(f"Athena cancelled the query: {reason}")
        raise QueryFailed(f"Athena could not run the query: {reason}")

    async def _results(self, query_id: str) -> list[Row]:
        """Every page of GetQueryResults, values converted by the columns' types."""
        rows: list[Row] = []
        token: str | None = None
        first_page = True
        while True:
            request: dict[str, Any] = {"QueryExecutionId": query_id, "MaxResults": 1000}
            if token:
                request["NextToken"] = token
            page = await self._call(self._athena.get_query_results, **request)
            result_set = page["ResultSet"]
            columns = result_set.get("ResultSetMetadata", {}).get("ColumnInfo", [])
            names = [column["Name"] for column in columns]
            types = [column["Type"] for column in columns]
            for index, raw in enumerate(result_set.get("Rows", [])):
                values = [cell.get("VarCharValue") for cell in raw.get("Data", [])]
                if first_page and index == 0 and values == names:
                    continue  # a SELECT's first row repeats the column names
                rows.append(
                    {
                        name: from_athena(value, kind)
                        for name, kind, value in zip(names, types, values, strict=True)
                    }
                )
            first_page = False
            token = page.get("NextToken")
            if not token:
                return rows

    async def _stop(self, query_id: str, why: str) -> None:
        try:
            await self._call(self._athena.stop_query_execution, QueryExecutionId=query_id)
            logger.warning("athena query %s stopped %s", query_id, why)
        except (ClientError, QueryFailed) as error:
            logger.error("athena query %s could not be stopped: %s", query_id, error)

    async def _call(self, operation: Callable[..., Awaitable[T]], **request: Any) -> T:
        """One API call; throttling retried with full-jitter backoff, a bounded number of times."""
        attempt = 0
        while True:
            try:
                return await operation(**request)
            except ClientError as error:
                code = error.response.get("Error", {}).get("Code", "")
                if code not in THROTTLING_CODES:
                    message = error.response.get("Error", {}).get("Message", code)
                    raise QueryFailed(f"Athena refused the request: {message}") from error
                if attempt >= self._options.throttle_retries:
                    raise QueryFailed(
                        f"Athena kept throttling the request ({attempt + 1} attempts)"
                    ) from error
                cap = min(
                    MAX_THROTTLE_SLEEP_SECONDS, self._options.poll_initial_seconds * 2**attempt
                )
                attempt += 1
                logger.info("athena throttled (%s); retry %d", code, attempt)
                await self._sleep(random.uniform(0, cap))

    async def _read_pointer(self) -> DatasetPointer:
        bucket, key = self._options.pointer_bucket, self._options.pointer_key
        try:
            response = await self._s3.get_object(Bucket=bucket, Key=key)
            async with response["Body"] as body:
                text = await body.read()
            return DatasetPointer.from_json(text)
        except ClientError as error:
            raise DatasetUnavailable(
                f"cannot read s3://{bucket}/{key}: {error.response.get('Error', {}).get('Code')}"
            ) from error
        except PointerError as error:
            raise DatasetUnavailable(f"s3://{bucket}/{key}: {error}") from error


def _pointer_location(warehouse: str) -> tuple[str, str]:
    """`s3://bucket/prefix` -> (bucket, `prefix/_dataset.json`)."""
    if not warehouse.startswith("s3://"):
        raise ValueError(
            f"with the athena engine the warehouse must be an s3:// URI, not {warehouse!r}"
        )
    bucket, _, prefix = warehouse.removeprefix("s3://").partition("/")
    prefix = prefix.strip("/")
    return bucket, f"{prefix}/{DATASET_MANIFEST}" if prefix else DATASET_MANIFEST
