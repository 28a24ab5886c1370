"""The whole app: both stacks for one environment, checked by cdk-nag."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import App, Environment, Tags

from infrastructure.config import EnvironmentConfig
from infrastructure.nag import add_nag_checks
from infrastructure.stacks.api import ApiStack
from infrastructure.stacks.data_pipeline import DataPipelineStack

FEATURE_FLAGS = {
    # Grant S3 server access log delivery by bucket policy, not by ACL.
    "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": True,
}


@dataclass(frozen=True)
class StackNames:
    """The environment is in the name, so `cdk deploy --all -c env=prod` into the account
    and region that hold dev creates prod's stacks instead of updating dev's."""

    pipeline: str
    api: str

    @classmethod
    def of(cls, environment: str) -> StackNames:
        prefix = f"StockAnalytics{environment.capitalize()}"
        return cls(pipeline=f"{prefix}DataPipelineStack", api=f"{prefix}ApiStack")


@dataclass(frozen=True)
class Stacks:
    pipeline: DataPipelineStack
    api: ApiStack


def add_stacks(app: App, config: EnvironmentConfig) -> Stacks:
    """Add the two stacks of `config`'s environment to `app`, with cdk-nag checks.

    The stacks are region-specific (ALB access logging needs the region) and
    account-agnostic (no lookups, so synth needs no credentials).
    """
    for flag, value in FEATURE_FLAGS.items():
        app.node.set_context(flag, value)
    env = Environment(region=config.region)
    names = StackNames.of(config.name)
    pipeline = DataPipelineStack(app, names.pipeline, config=config, env=env)
    api = ApiStack(app, names.api, config=config, warehouse=pipeline.query_access, env=env)
    api.add_stack_dependency(pipeline)
    Tags.of(app).add("project", "stock-analytics")
    Tags.of(app).add("environment", config.name)
    add_nag_checks(app)
    return Stacks(pipeline=pipeline, api=api)
