"""Publish a new warehouse version into a served folder the way the ETL does: the new
version's tables written beside the old ones under `dataset_version=<run_id>`, then
`_dataset.json` replaced atomically, last (tests/graphql_api/tiny_warehouse.py)."""

from __future__ import annotations

from pathlib import Path

from tests.graphql_api.tiny_warehouse import Day, write_warehouse


def publish_like_the_etl(warehouse: Path, days: list[Day], *, version: str) -> None:
    write_warehouse(warehouse, days, version=version)
