"""Many requests arriving together when the dataset manifest is due: one read, not one each."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest

from graphql_api.config import Settings
from graphql_api.engines.athena import AthenaEngine, AthenaOptions
from graphql_api.engines.duckdb import DuckDBEngine
from graphql_api.engines.manifest import DatasetManifest

CALLERS = 50
MANIFEST = {"run_id": "run-1", "finished_at": "2024-01-01T00:00:00Z", "tickers": 2, "rows": 10}


async def test_duckdb_reads_the_manifest_once_for_concurrent_callers(
    tiny_warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = DuckDBEngine(
        tiny_warehouse, timeout_seconds=5, max_concurrent_queries=2, manifest_check_seconds=60
    )
    reads: list[int] = []
    read = engine._read_manifest

    def counting_read() -> DatasetManifest:
        reads.append(1)
        return read()

    monkeypatch.setattr(engine, "_read_manifest", counting_read)
    try:
        manifests = await asyncio.gather(*(engine.manifest() for _ in range(CALLERS)))
    finally:
        engine.close()
    assert {manifest.run_id for manifest in manifests} == {"run-1"}
    assert len(reads) == 1


class CountingS3:
    """Answers GetObject with the manifest, slowly enough for callers to pile up."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    async def get_object(self, **request: Any) -> dict[str, Any]:
        self.requests.append(request)
        await asyncio.sleep(0.02)
        return {"Body": Body(json.dumps(MANIFEST).encode())}


class Body:
    def __init__(self, payload: bytes) -> None:
        self.payload = payload

    async def __aenter__(self) -> Body:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    async def read(self) -> bytes:
        return self.payload


async def test_athena_reads_the_manifest_once_for_concurrent_callers() -> None:
    settings = Settings(
        engine="athena", warehouse="s3://curated/warehouse", dataset_check_seconds=60
    )
    s3 = CountingS3()
    engine = AthenaEngine(athena=None, s3=s3, options=AthenaOptions.from_settings(settings))
    manifests = await asyncio.gather(*(engine.manifest() for _ in range(CALLERS)))
    assert {manifest.run_id for manifest in manifests} == {"run-1"}
    assert s3.requests == [{"Bucket": "curated", "Key": "warehouse/_dataset.json"}]
