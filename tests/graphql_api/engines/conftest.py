"""A moto server on 127.0.0.1 for the Athena engine tests, with fake credentials."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from moto.server import ThreadedMotoServer

from tests.servers import free_port

REGION = "us-east-1"


@pytest.fixture(scope="module")
def aws_credentials() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_EC2_METADATA_DISABLED": "true",
        }.items():
            patch.setenv(name, value)
        patch.delenv("AWS_PROFILE", raising=False)
        yield


@pytest.fixture(scope="module")
def moto_endpoint(aws_credentials: None) -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


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
