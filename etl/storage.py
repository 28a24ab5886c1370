"""The warehouse as a store of named objects: one small interface for a folder and for S3.

Everything the ETL does to the warehouse outside Spark goes through it: the
pointer and the writer lease (read with a token, write only if unchanged), the
listing of version folders, their sizes, and their removal. Names are relative
to the warehouse root and use `/`.

Plain Python; boto3 is imported only for an `s3://` warehouse.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import unquote, urlparse

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import ObjectIdentifierTypeDef

S3_SCHEMES = ("s3", "s3a", "s3n")
FOLDER_MARKER = "_$folder$"
"""The empty object some Hadoop S3 writers put beside a "directory"."""


class WriteConflict(RuntimeError):
    """A conditional write found the object changed (or present) since it was read."""


class Storage(Protocol):
    @property
    def location(self) -> str:
        """The warehouse root, as a user names it."""
        ...

    def read(self, name: str) -> tuple[bytes, str] | None:
        """The object's bytes and a token for `write`, or None if it does not exist."""
        ...

    def write(self, name: str, data: bytes, *, expected: str | None) -> str:
        """Replace the object only if its token is still `expected` (None: only if it does not
        exist), in one atomic step; returns the new token. Raises WriteConflict otherwise."""
        ...

    def children(self, prefix: str) -> set[str]:
        """The names of the folders and files directly under `prefix`."""
        ...

    def sizes(self, prefix: str) -> dict[str, int]:
        """Every file under `prefix`, by its name relative to `prefix`, with its size in bytes."""
        ...

    def delete_prefix(self, prefix: str) -> None:
        """Remove the folder `prefix` and everything under it (nothing if it is absent)."""
        ...


def open_storage(warehouse: str, *, endpoint_url: str | None = None) -> Storage:
    """The storage of a local folder, a `file:` URI or an `s3://bucket/prefix` URI."""
    parsed = urlparse(warehouse)
    if parsed.scheme in S3_SCHEMES:
        return S3Storage(parsed.netloc, parsed.path.strip("/"), endpoint_url=endpoint_url)
    if parsed.scheme == "file":
        return LocalStorage(Path(unquote(parsed.path)))
    if parsed.scheme and len(parsed.scheme) > 1:
        raise ValueError(f"unsupported warehouse location: {warehouse}")
    return LocalStorage(Path(warehouse))


class LocalStorage:
    """A folder. A conditional write compares and renames under an exclusive lock on a lock
    file beside the object, so two writers on one machine (or one NFS-less disk) take turns."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def location(self) -> str:
        return str(self.root)

    def read(self, name: str) -> tuple[bytes, str] | None:
        try:
            data = (self.root / name).read_bytes()
        except FileNotFoundError:
            return None
        return data, _digest(data)

    def write(self, name: str, data: bytes, *, expected: str | None) -> str:
        target = self.root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with _exclusive(target.with_name(f".{target.name}.lock")):
            found = self.read(name)
            if (found[1] if found else None) != expected:
                raise WriteConflict(f"{target} changed since it was read")
            _replace_file(target, data)
        return _digest(data)

    def children(self, prefix: str) -> set[str]:
        folder = self.root / prefix
        return {path.name for path in folder.iterdir()} if folder.is_dir() else set()

    def sizes(self, prefix: str) -> dict[str, int]:
        folder = self.root / prefix
        return {
            path.relative_to(folder).as_posix(): path.stat().st_size
            for path in sorted(folder.rglob("*"))
            if path.is_file()
        }

    def delete_prefix(self, prefix: str) -> None:
        shutil.rmtree(self.root / prefix, ignore_errors=True)


class S3Storage:
    """A prefix of an S3 bucket, through boto3. Conditional writes are S3's own: a PUT with
    If-Match (the ETag read) or If-None-Match: * (the object must not exist)."""

    def __init__(self, bucket: str, prefix: str, *, endpoint_url: str | None = None) -> None:
        import boto3

        self.bucket = bucket
        self.prefix = prefix
        # boto3 itself honours AWS_ENDPOINT_URL when endpoint_url is None.
        self.client: S3Client = boto3.client("s3", endpoint_url=endpoint_url)

    @property
    def location(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}".rstrip("/")

    def read(self, name: str) -> tuple[bytes, str] | None:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.key(name))
        except self.client.exceptions.NoSuchKey:
            return None
        return answer["Body"].read(), answer["ETag"]

    def write(self, name: str, data: bytes, *, expected: str | None) -> str:
        from botocore.exceptions import ClientError

        key = self.key(name)
        try:
            if expected is None:
                answer = self.client.put_object(
                    Bucket=self.bucket, Key=key, Body=data, IfNoneMatch="*"
                )
            else:
                answer = self.client.put_object(
                    Bucket=self.bucket, Key=key, Body=data, IfMatch=expected
                )
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in {"PreconditionFailed", "ConditionalRequestConflict", "412", "409"}:
                raise WriteConflict(
                    f"s3://{self.bucket}/{key} changed since it was read"
                ) from error
            raise
        return answer["ETag"]

    def children(self, prefix: str) -> set[str]:
        folder = self.key(prefix).rstrip("/") + "/"
        names: set[str] = set()
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=folder, Delimiter="/"
        )
        for page in pages:
            for common in page.get("CommonPrefixes", []):
                names.add(common["Prefix"][len(folder) :].rstrip("/"))
            for item in page.get("Contents", []):
                names.add(item["Key"][len(folder) :].removesuffix(FOLDER_MARKER))
        names.discard("")
        return names

    def sizes(self, prefix: str) -> dict[str, int]:
        folder = self.key(prefix).rstrip("/") + "/"
        return {key[len(folder) :]: size for key, size in self._objects(folder)}

    def delete_prefix(self, prefix: str) -> None:
        folder = self.key(prefix).rstrip("/")
        keys = [key for key, _ in self._objects(folder + "/")]
        keys.append(folder + FOLDER_MARKER)
        for start in range(0, len(keys), 1000):
            batch: list[ObjectIdentifierTypeDef] = [
                {"Key": key} for key in keys[start : start + 1000]
            ]
            self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})

    def _objects(self, folder: str) -> Iterator[tuple[str, int]]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=folder
        )
        for page in pages:
            for item in page.get("Contents", []):
                yield item["Key"], item["Size"]

    def key(self, name: str) -> str:
        return f"{self.prefix}/{name}" if self.prefix else name


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@contextmanager
def _exclusive(lock_file: Path) -> Iterator[None]:
    with open(lock_file, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _replace_file(target: Path, data: bytes) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        os.fchmod(descriptor, 0o644)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
