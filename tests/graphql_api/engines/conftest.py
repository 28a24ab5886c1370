"""A moto server on 127.0.0.1 for the Athena engine tests, with fake credentials."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from testsupport.moto_server import fake_aws_credentials, moto_server


@pytest.fixture(scope="module")
def aws_credentials() -> Iterator[None]:
    with fake_aws_credentials():
        yield


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture
def moto(moto_endpoint: str) -> str:
    """The moto endpoint, reset before each test (state transitions included)."""
    httpx.post(f"{moto_endpoint}/moto-api/reset", timeout=5).raise_for_status()
    httpx.post(
        f"{moto_endpoint}/moto-api/state-manager/unset-transition",
        json={"model_name": "athena::execution"},
        timeout=5,
    ).raise_for_status()
    return moto_endpoint
