"""StockAnalyticsApiStack: the GraphQL API, querying the pipeline's warehouse."""

from __future__ import annotations

from aws_cdk import Aws, CfnOutput, Environment, Stack
from aws_cdk import aws_sns as sns
from constructs import Construct

from infrastructure.config import EnvironmentConfig
from infrastructure.constructs.alarm_topic import alarm_topic_arn
from infrastructure.constructs.api_monitoring import ApiMonitoring
from infrastructure.constructs.graphql_service import GraphqlService
from infrastructure.constructs.query_access import (
    WarehouseQueryAccess,
    acknowledge_prefix_wildcards,
    query_statements,
)
from infrastructure.constructs.secure_bucket import access_log_bucket
from infrastructure.naming import bucket_name, monitoring_names

ACCESS_LOG_DAYS = 90


class ApiStack(Stack):
    """The Fargate service, its task role scoped to the warehouse, and its outputs."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        warehouse: WarehouseQueryAccess,
        env: Environment | None = None,
    ) -> None:
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
        service = GraphqlService(
            self,
            "Api",
            config=config.api,
            environment=container_environment(warehouse),
            task_policy=query_statements(warehouse),
            access_logs=access_logs,
            log_retention_days=config.log_retention_days,
            retain_logs=config.retain_data,
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
        }
        for name, value in outputs.items():
            CfnOutput(self, name, value=value)


def container_environment(warehouse: WarehouseQueryAccess) -> dict[str, str]:
    """The API's settings (graphql_api's Settings) for the Athena engine."""
    return {
        "STOCK_ANALYTICS_ENGINE": "athena",
        "STOCK_ANALYTICS_WAREHOUSE": warehouse.warehouse_bucket.uri(warehouse.warehouse_prefix),
        "STOCK_ANALYTICS_ATHENA_DATABASE": warehouse.database_name,
        "STOCK_ANALYTICS_ATHENA_WORKGROUP": warehouse.workgroup_name,
        "STOCK_ANALYTICS_ATHENA_OUTPUT": warehouse.output_location,
        "AWS_REGION": Aws.REGION,
    }
