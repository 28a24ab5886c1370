"""The API stack: the GraphQL API, querying the pipeline's warehouse."""

from __future__ import annotations

from aws_cdk import Aws, CfnOutput, Environment, RemovalPolicy, Stack
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from constructs import Construct

from graphql_api.service_contract import GRAPHQL_PATH, setting_variable
from infrastructure.config import EnvironmentConfig
from infrastructure.constructs.alarm_topic import alarm_topic_arn
from infrastructure.constructs.api_distribution import ApiDistribution
from infrastructure.constructs.api_monitoring import ApiMonitoring
from infrastructure.constructs.graphql_service import GraphqlService
from infrastructure.constructs.origin_lock import ORIGIN_VERIFY_HEADER, origin_secret
from infrastructure.constructs.query_access import (
    WarehouseQueryAccess,
    acknowledge_prefix_wildcards,
    query_statements,
)
from infrastructure.constructs.secure_bucket import access_log_bucket, cdn_log_bucket
from infrastructure.nag import acknowledge
from infrastructure.naming import bucket_name, monitoring_names

ACCESS_LOG_DAYS = 90
API_KEY_LENGTH = 40


class ApiStack(Stack):
    """The Fargate service, its task role scoped to the warehouse, and its outputs."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        warehouse: WarehouseQueryAccess,
        web_acl_arn: str | None = None,
        env: Environment | None = None,
    ) -> None:
        """With `config.edge`, `web_acl_arn` is the edge stack's web ACL (required)."""
        super().__init__(
            scope,
            construct_id,
            env=env,
            description=f"Stock analytics ({config.name}): GraphQL API on Fargate",
        )
        access_logs = access_log_bucket(
            self,
            "AccessLogs",
            name=bucket_name(config, "api-access-logs"),
            retain=config.retain_data,
            expire_after_days=ACCESS_LOG_DAYS,
        )
        api_keys = api_key_secret(self, retain=config.retain_data)
        origin_header = (
            origin_secret(self, retain=config.retain_data).secret_value.unsafe_unwrap()
            if config.edge is not None
            else None
        )
        service = GraphqlService(
            self,
            "Api",
            config=config.api,
            environment=container_environment(
                warehouse, require_api_key=config.api.require_api_key
            ),
            secrets={setting_variable("api_keys"): ecs.Secret.from_secrets_manager(api_keys)},
            task_policy=query_statements(warehouse),
            access_logs=access_logs,
            log_retention_days=config.log_retention_days,
            retain_logs=config.retain_data,
            origin_header_value=origin_header,
        )
        acknowledge_prefix_wildcards(service.task_policy, warehouse)
        names = monitoring_names(config)
        monitoring = ApiMonitoring(
            self,
            "Monitoring",
            names=names,
            service=service.service,
            topic=sns.Topic.from_topic_arn(self, "AlarmTopic", alarm_topic_arn(self, names.topic)),
            errors_per_5_minutes=config.monitoring.alb_5xx_per_5_minutes,
            latency_p99_seconds=config.monitoring.latency_p99_seconds,
            workgroup_name=warehouse.workgroup_name,
        )
        outputs = {
            "GraphqlUrl": service.graphql_url,
            "DashboardName": monitoring.dashboard.dashboard_name,
            "AthenaWorkgroupName": warehouse.workgroup_name,
            "GlueDatabaseName": warehouse.database_name,
            "WarehouseBucketName": warehouse.warehouse_bucket.name,
            "AthenaResultsBucketName": warehouse.results_bucket.name,
            "ApiKeySecretArn": api_keys.secret_arn,
        }
        if config.edge is not None and origin_header is not None:
            if web_acl_arn is None:
                raise ValueError("the edge needs the edge stack's web ACL: pass web_acl_arn")
            distribution = ApiDistribution(
                self,
                "Edge",
                name=f"{config.resource_prefix}-api",
                edge=config.edge,
                origin_domain=(
                    config.api.https.domain_name
                    if config.api.https
                    else service.service.load_balancer.load_balancer_dns_name
                ),
                origin_https=config.api.https is not None,
                origin_headers={ORIGIN_VERIFY_HEADER: origin_header},
                web_acl_arn=web_acl_arn,
                log_bucket=cdn_log_bucket(
                    self,
                    "CdnLogs",
                    name=bucket_name(config, "cdn-logs"),
                    access_logs=access_logs,
                    retain=config.retain_data,
                    expire_after_days=ACCESS_LOG_DAYS,
                ),
            )
            outputs["GraphqlUrl"] = f"https://{distribution.domain_name}{GRAPHQL_PATH}"
            outputs["DistributionId"] = distribution.distribution.distribution_id
        for name, value in outputs.items():
            CfnOutput(self, name, value=value)


def api_key_secret(scope: Construct, *, retain: bool) -> secretsmanager.Secret:
    """The API's key, generated at deploy time (never in the repository or the template).

    The container receives it as STOCK_ANALYTICS_API_KEYS; more keys can be put in the
    secret as a comma-separated list. ECS reads it with the task's execution role when a
    task starts, so the running API itself needs no access to Secrets Manager.
    """
    secret = secretsmanager.Secret(
        scope,
        "ApiKeys",
        description="API keys of the stock analytics GraphQL API (comma-separated)",
        generate_secret_string=secretsmanager.SecretStringGenerator(
            password_length=API_KEY_LENGTH, exclude_punctuation=True
        ),
        removal_policy=RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY,
    )
    acknowledge(
        secret,
        "AwsSolutions-SMG4",
        "API keys are handed to clients, so rotating one is a coordinated change: put the "
        "new list in the secret (old and new keys together), restart the service, then drop "
        "the old key; a rotation Lambda cannot tell the clients.",
    )
    return secret


def container_environment(
    warehouse: WarehouseQueryAccess, *, require_api_key: bool
) -> dict[str, str]:
    """The API's settings (graphql_api's Settings) for the Athena engine."""
    settings = {
        "engine": "athena",
        "warehouse": warehouse.warehouse_bucket.uri(warehouse.warehouse_prefix),
        "athena_database": warehouse.database_name,
        "athena_workgroup": warehouse.workgroup_name,
        "athena_output": warehouse.output_location,
        "athena_bytes_scanned_cutoff": str(warehouse.bytes_scanned_cutoff),
        "require_api_key": "true" if require_api_key else "false",
    }
    return {
        **{setting_variable(field): value for field, value in settings.items()},
        "AWS_REGION": Aws.REGION,
    }
