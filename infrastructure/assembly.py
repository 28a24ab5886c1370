"""The whole app: the stacks of one environment, checked by cdk-nag."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import App, Environment, Tags

from infrastructure.config import EnvironmentConfig
from infrastructure.nag import add_nag_checks
from infrastructure.stacks.api import ApiStack
from infrastructure.stacks.data_pipeline import DataPipelineStack
from infrastructure.stacks.edge import EdgeStack

FEATURE_FLAGS = {
    # Grant S3 server access log delivery by bucket policy, not by ACL.
    "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": True,
    # The API stack imports the edge stack's web ACL ARN: an export the edge stack cannot
    # drop while the API stack uses it (CDK's default, stated so it cannot change).
    "@aws-cdk/core:defaultCrossStackReferences": "strong",
}


@dataclass(frozen=True)
class StackNames:
    """The environment is in the name, so `cdk deploy --all -c env=prod` into the account
    and region that hold dev creates prod's stacks instead of updating dev's."""

    pipeline: str
    api: str
    edge: str

    @classmethod
    def of(cls, environment: str) -> StackNames:
        prefix = f"StockAnalytics{environment.capitalize()}"
        return cls(
            pipeline=f"{prefix}DataPipelineStack",
            api=f"{prefix}ApiStack",
            edge=f"{prefix}EdgeStack",
        )


@dataclass(frozen=True)
class Stacks:
    pipeline: DataPipelineStack
    api: ApiStack
    edge: EdgeStack | None


def add_stacks(app: App, config: EnvironmentConfig) -> Stacks:
    """Add the stacks of `config`'s environment to `app`, with cdk-nag checks: the
    pipeline, the API and, where `config.edge` is set, the edge (in us-east-1).

    The stacks are region-specific (ALB access logging needs the region) and
    account-agnostic (no lookups, so synth needs no credentials).
    """
    for flag, value in FEATURE_FLAGS.items():
        app.node.set_context(flag, value)
    env = Environment(region=config.region)
    names = StackNames.of(config.name)
    pipeline = DataPipelineStack(app, names.pipeline, config=config, env=env)
    edge = (
        EdgeStack(app, names.edge, config=config, edge=config.edge)
        if config.edge is not None
        else None
    )
    api = ApiStack(
        app,
        names.api,
        config=config,
        warehouse=pipeline.query_access,
        web_acl_arn=edge.web_acl.arn if edge is not None else None,
        env=env,
    )
    api.add_stack_dependency(pipeline)
    Tags.of(app).add("project", "stock-analytics")
    Tags.of(app).add("environment", config.name)
    add_nag_checks(app)
    return Stacks(pipeline=pipeline, api=api, edge=edge)
