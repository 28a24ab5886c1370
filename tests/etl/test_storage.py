"""The storage interface, the same on a local folder and on S3 (a moto server over HTTP)."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.storage import LocalStorage, S3Storage, Storage, WriteConflict, open_storage
from tests.etl.storages import put


def test_conditional_writes_create_once_then_replace_only_what_was_read(storage: Storage) -> None:
    assert storage.read("_dataset.json") is None
    first = storage.write("_dataset.json", b"one", expected=None)
    with pytest.raises(WriteConflict):
        storage.write("_dataset.json", b"again", expected=None)
    assert storage.read("_dataset.json") == (b"one", first)

    second = storage.write("_dataset.json", b"two", expected=first)
    assert second != first
    with pytest.raises(WriteConflict):  # a writer that read "one" lost the race
        storage.write("_dataset.json", b"stale", expected=first)
    assert storage.read("_dataset.json") == (b"two", second)


def test_listing_sizes_and_deleting_a_prefix(storage: Storage) -> None:
    put(storage, "daily_metrics/dataset_version=A/year=2023/part-0.parquet", b"12345")
    put(storage, "daily_metrics/dataset_version=A/year=2024/part-0.parquet", b"123")
    put(storage, "daily_metrics/dataset_version=AB/part-0.parquet", b"1")
    put(storage, "daily_metrics/year=2024/part-0.parquet", b"old")

    assert storage.children("daily_metrics") == {
        "dataset_version=A",
        "dataset_version=AB",
        "year=2024",
    }
    assert storage.children("missing") == set()
    assert storage.sizes("daily_metrics/dataset_version=A") == {
        "year=2023/part-0.parquet": 5,
        "year=2024/part-0.parquet": 3,
    }
    storage.delete_prefix("daily_metrics/dataset_version=A")
    storage.delete_prefix("daily_metrics/dataset_version=never")
    assert storage.children("daily_metrics") == {"dataset_version=AB", "year=2024"}
    assert storage.sizes("daily_metrics/dataset_version=AB") == {"part-0.parquet": 1}


def test_hadoop_folder_markers_count_as_folders_and_go_with_them(
    s3_warehouse: str, moto_endpoint: str
) -> None:
    storage = open_storage(s3_warehouse, endpoint_url=moto_endpoint)
    put(storage, "runs/dataset_version=A_$folder$", b"")
    put(storage, "runs/dataset_version=A/part-0.parquet", b"1")
    assert storage.children("runs") == {"dataset_version=A"}
    storage.delete_prefix("runs/dataset_version=A")
    assert storage.children("runs") == set()


def test_open_storage_by_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    local = open_storage(str(tmp_path))
    assert isinstance(local, LocalStorage)
    assert local.root == tmp_path
    by_uri = open_storage((tmp_path / "a b").as_uri())
    assert isinstance(by_uri, LocalStorage)
    assert by_uri.root == tmp_path / "a b"
    s3 = open_storage("s3://bucket/some/prefix/", endpoint_url="http://127.0.0.1:1")
    assert isinstance(s3, S3Storage)
    assert (s3.bucket, s3.prefix, s3.location) == (
        "bucket",
        "some/prefix",
        "s3://bucket/some/prefix",
    )
    assert s3.client.meta.endpoint_url == "http://127.0.0.1:1"
    with pytest.raises(ValueError, match="unsupported"):
        open_storage("gs://bucket/x")
