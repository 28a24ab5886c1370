"""Bucket names and ARNs that both stacks compute without cross-stack exports.

Buckets get deterministic names (environment, purpose, account, region), so
the API stack scopes its task role to them without importing the pipeline
stack's outputs, and a cdk-nag acknowledgment can name the exact resource.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Aws

from infrastructure.config import EnvironmentConfig


@dataclass(frozen=True)
class BucketName:
    """A bucket's name (it holds the account as a token) and ARNs built from it."""

    prefix: str
    """`stock-analytics-<env>-<purpose>`."""
    region: str

    @property
    def name(self) -> str:
        return f"{self.prefix}-{Aws.ACCOUNT_ID}-{self.region}"

    @property
    def arn(self) -> str:
        return f"arn:{Aws.PARTITION}:s3:::{self.name}"

    def uri(self, key_prefix: str) -> str:
        return f"s3://{self.name}/{key_prefix}"

    def objects_arn(self, key_prefix: str) -> str:
        """Every object whose key starts with `key_prefix`."""
        return f"{self.arn}/{key_prefix}*"

    def nag_objects_arn(self, key_prefix: str) -> str:
        """`objects_arn` as cdk-nag prints it in a finding."""
        return (
            f"arn:<AWS::Partition>:s3:::{self.prefix}-<AWS::AccountId>-{self.region}/{key_prefix}*"
        )


def bucket_name(config: EnvironmentConfig, purpose: str) -> BucketName:
    return BucketName(prefix=f"{config.resource_prefix}-{purpose}", region=config.region)


@dataclass(frozen=True)
class MonitoringNames:
    """Fixed names of the alarm topic, rules, alarms and dashboard of one environment."""

    topic: str
    etl_failed_rule: str
    etl_failed_alarm: str
    athena_bytes_alarm: str
    http_5xx_alarm: str
    latency_alarm: str
    dashboard: str


def monitoring_names(config: EnvironmentConfig) -> MonitoringNames:
    prefix = config.resource_prefix
    return MonitoringNames(
        topic=f"{prefix}-alarms",
        etl_failed_rule=f"{prefix}-etl-run-failed",
        etl_failed_alarm=f"{prefix}-etl-run-failed",
        athena_bytes_alarm=f"{prefix}-athena-bytes-scanned",
        http_5xx_alarm=f"{prefix}-api-5xx",
        latency_alarm=f"{prefix}-api-latency-p99",
        dashboard=prefix,
    )
