"""One synth per configuration per test session, shared by every test here."""

from __future__ import annotations

import pytest

from infrastructure.config import environment_config
from tests.infrastructure.synth import (
    TEST_ALARM_EMAIL,
    TEST_CERTIFICATE_ARN,
    TEST_DOMAIN,
    Synthesized,
    synthesize,
)


@pytest.fixture(scope="session")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    return synthesize(environment_config("dev"), tmp_path_factory.mktemp("cdk-dev"))


@pytest.fixture(scope="session")
def prod(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    config = environment_config(
        "prod",
        certificate_arn=TEST_CERTIFICATE_ARN,
        domain_name=TEST_DOMAIN,
        alarm_email=TEST_ALARM_EMAIL,
    )
    return synthesize(config, tmp_path_factory.mktemp("cdk-prod"))


@pytest.fixture(scope="session")
def dev_edge(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """dev with `-c edge=true`: CloudFront in front of a load balancer without a certificate."""
    config = environment_config("dev", edge=True)
    return synthesize(config, tmp_path_factory.mktemp("cdk-dev-edge"))


@pytest.fixture(scope="session", params=["dev", "prod", "dev_edge"])
def synthesized(request: pytest.FixtureRequest) -> Synthesized:
    """Both environments (and dev with the edge on), for checks that hold in each."""
    result: Synthesized = request.getfixturevalue(request.param)
    return result
