"""Arranging a warehouse's files directly, on either storage, for the storage tests."""

from __future__ import annotations

from etl.storage import LocalStorage, S3Storage, Storage


def put(storage: Storage, name: str, data: bytes = b"x") -> None:
    """Put a file into the storage whatever it is (for arranging a warehouse)."""
    if isinstance(storage, LocalStorage):
        path = storage.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    else:
        assert isinstance(storage, S3Storage)
        storage.client.put_object(Bucket=storage.bucket, Key=storage.key(name), Body=data)
