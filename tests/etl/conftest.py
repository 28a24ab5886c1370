"""Warehouse storages for the ETL's tests: a local folder, and a bucket on a moto S3 server
over HTTP (the same conditional writes S3 answers: If-Match, If-None-Match)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from etl.storage import LocalStorage, S3Storage, Storage
from testsupport.moto_server import REGION, moto_server

BUCKET = "curated"


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture
def s3_warehouse(moto_endpoint: str) -> str:
    """A fresh `s3://` warehouse URI on the moto server (a new prefix per test)."""
    s3 = boto3.client("s3", endpoint_url=moto_endpoint, region_name=REGION)
    if BUCKET not in {bucket["Name"] for bucket in s3.list_buckets()["Buckets"]}:
        s3.create_bucket(Bucket=BUCKET)
    return f"s3://{BUCKET}/wh-{uuid.uuid4().hex[:8]}/warehouse"


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    """The same tests on a local folder and on S3."""
    if request.param == "local":
        return LocalStorage(tmp_path / "warehouse")
    endpoint: str = request.getfixturevalue("moto_endpoint")
    uri: str = request.getfixturevalue("s3_warehouse")
    bucket, prefix = uri.removeprefix("s3://").split("/", 1)
    return S3Storage(bucket, prefix, endpoint_url=endpoint)
