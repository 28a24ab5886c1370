"""Per-environment config: sensible defaults, and bad settings refused with a clear message."""

from __future__ import annotations

import pytest
from aws_cdk import App

import app as app_module
from infrastructure.config import (
    LOG_RETENTION_DAYS,
    ApiConfig,
    ConfigError,
    EdgeConfig,
    EnvironmentConfig,
    PipelineConfig,
    environment_config,
)
from infrastructure.constructs.graphql_service import RETENTION_BY_DAYS
from tests.infrastructure.synth import (
    TEST_CERTIFICATE_ARN,
    TEST_DOMAIN,
    TEST_EDGE_CERTIFICATE_ARN,
    TEST_EDGE_DOMAIN,
)


def test_dev_and_prod_differ_where_they_should() -> None:
    dev = environment_config("dev")
    prod = environment_config("prod", certificate_arn=TEST_CERTIFICATE_ARN, domain_name=TEST_DOMAIN)
    assert dev.api.https is None
    assert dev.api.allow_plain_http
    assert prod.api.https is not None
    assert not prod.api.allow_plain_http
    assert dev.pipeline.deploy_sample
    assert not prod.pipeline.deploy_sample
    assert not dev.retain_data
    assert prod.retain_data
    assert prod.api.min_capacity >= 2


def test_region_override() -> None:
    assert environment_config("dev").region == "us-east-1"
    assert environment_config("dev", region="eu-west-1").region == "eu-west-1"
    with pytest.raises(ConfigError, match="not an AWS region"):
        environment_config("dev", region="Ireland")


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: environment_config("staging"), "unknown environment 'staging'"),
        (lambda: environment_config("prod"), "serves HTTPS only"),
        (
            lambda: environment_config("prod", certificate_arn=TEST_CERTIFICATE_ARN),
            "go together",
        ),
        (
            lambda: environment_config(
                "prod", certificate_arn="arn:aws:iam::1:cert", domain_name=TEST_DOMAIN
            ),
            "not an ACM ARN",
        ),
        (lambda: ApiConfig(cpu=256, memory_mib=4096, allow_plain_http=True), "not valid with cpu"),
        (lambda: ApiConfig(cpu=300, allow_plain_http=True), "cpu 300"),
        (
            lambda: ApiConfig(min_capacity=3, desired_count=2, allow_plain_http=True),
            "min_capacity",
        ),
        (lambda: PipelineConfig(glue_workers=1), "at least 2"),
        (lambda: PipelineConfig(glue_worker_type="Standard"), "glue_worker_type"),
        (lambda: PipelineConfig(schedule="every day"), "EventBridge expression"),
        (lambda: PipelineConfig(bytes_scanned_cutoff=1_000), "10 MB"),
        (lambda: PipelineConfig(partition_years=(2100, 1990)), "partition_years"),
        (
            lambda: EnvironmentConfig(
                name="dev",
                pipeline=PipelineConfig(),
                api=ApiConfig(allow_plain_http=True),
                log_retention_days=13,
            ),
            "log_retention_days 13",
        ),
    ],
)
def test_bad_settings_are_refused(build: object, message: str) -> None:
    assert callable(build)
    with pytest.raises(ConfigError, match=message):
        build()


def test_every_allowed_log_retention_maps_to_a_cloudwatch_retention() -> None:
    assert set(RETENTION_BY_DAYS) == LOG_RETENTION_DAYS
    assert {days: r.name for days, r in RETENTION_BY_DAYS.items()}[30] == "ONE_MONTH"


def test_the_edge_is_on_in_prod_off_in_dev_and_a_flag_turns_it_on() -> None:
    prod = environment_config("prod", certificate_arn=TEST_CERTIFICATE_ARN, domain_name=TEST_DOMAIN)
    assert prod.edge is not None
    assert prod.edge.https is None
    assert environment_config("dev").edge is None
    assert environment_config("dev", edge=False).edge is None
    assert environment_config("dev", edge=True).edge == EdgeConfig()
    custom = environment_config(
        "dev",
        edge=True,
        edge_certificate_arn=TEST_EDGE_CERTIFICATE_ARN,
        edge_domain_name=TEST_EDGE_DOMAIN,
    )
    assert custom.edge is not None
    assert custom.edge.https is not None
    assert custom.edge.https.domain_name == TEST_EDGE_DOMAIN


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: environment_config(
                "prod", certificate_arn=TEST_CERTIFICATE_ARN, domain_name=TEST_DOMAIN, edge=False
            ),
            "always serves through CloudFront",
        ),
        (
            lambda: environment_config(
                "dev", edge_certificate_arn=TEST_EDGE_CERTIFICATE_ARN, edge_domain_name=TEST_DOMAIN
            ),
            "need the edge",
        ),
        (
            lambda: environment_config("dev", edge=True, edge_domain_name=TEST_EDGE_DOMAIN),
            "edge_certificate_arn and edge_domain_name go together",
        ),
        (
            lambda: environment_config(
                "dev",
                edge=True,
                edge_certificate_arn=TEST_CERTIFICATE_ARN.replace("us-east-1", "eu-west-1"),
                edge_domain_name=TEST_EDGE_DOMAIN,
            ),
            "certificate in us-east-1",
        ),
        (
            lambda: environment_config(
                "prod",
                certificate_arn=TEST_CERTIFICATE_ARN,
                domain_name=TEST_DOMAIN,
                edge_certificate_arn=TEST_EDGE_CERTIFICATE_ARN,
                edge_domain_name=TEST_DOMAIN,
            ),
            "needs a name of its own",
        ),
        (lambda: EdgeConfig(rate_limit_per_5_minutes=5), "rate_limit_per_5_minutes"),
        (lambda: EdgeConfig(price_class="PriceClass_50"), "price_class"),
    ],
)
def test_bad_edge_settings_are_refused(build: object, message: str) -> None:
    assert callable(build)
    with pytest.raises(ConfigError, match=message):
        build()


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), ("true", True), ("True", True), (True, True), ("false", False), ("0", False)],
)
def test_the_edge_context_flag(value: object, expected: bool | None) -> None:
    context = {} if value is None else {"edge": value}
    assert app_module._flag(App(context=context), "edge") is expected


def test_a_bad_edge_context_flag_is_refused() -> None:
    with pytest.raises(ConfigError, match="use true or false"):
        app_module._flag(App(context={"edge": "maybe"}), "edge")
