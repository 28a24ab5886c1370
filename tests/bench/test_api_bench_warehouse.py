"""The API benchmark measures a warehouse whose current version has every table the ETL
writes today: one an older ETL wrote gets a new version before it is measured."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bench.api_bench import _published
from etl.dataset_pointer import TABLE_BYTES, DatasetPointer
from etl.tables import DATASET_MANIFEST, TABLES, THIRTY_DAY_LEADERS
from tests.etl.test_dataset_pointer import summary


def _warehouse(tmp_path: Path, tables: list[str]) -> Path:
    written = {name: {"bytes": 1_000} for name in tables}
    version = dataclasses.replace(summary(0), extra={TABLE_BYTES: written})
    pointer = DatasetPointer(current=version.version, versions=(version,))
    (tmp_path / DATASET_MANIFEST).write_text(pointer.to_json())
    return tmp_path


def test_a_warehouse_with_every_table_is_measured_as_it_is(tmp_path: Path) -> None:
    assert _published(_warehouse(tmp_path, [table.name for table in TABLES])) is True


@pytest.mark.parametrize("missing", [THIRTY_DAY_LEADERS.name, TABLES[0].name])
def test_a_warehouse_an_older_etl_wrote_is_built_again(tmp_path: Path, missing: str) -> None:
    tables = [table.name for table in TABLES if table.name != missing]
    assert _published(_warehouse(tmp_path, tables)) is False
    assert (tmp_path / DATASET_MANIFEST).exists()  # a new version is added, nothing removed


def test_an_empty_folder_is_built(tmp_path: Path) -> None:
    assert _published(tmp_path) is False
