"""The Athena workgroup the API queries through, with its guard rails enforced."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_athena as athena
from constructs import Construct

from infrastructure.naming import BucketName

ATHENA_ENGINE_VERSION = "Athena engine version 3"
RESULTS_PREFIX = "athena-results/"


class QueryWorkgroup(Construct):
    """Engine v3, results encrypted in the results bucket, a per-query scan cutoff."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name: str,
        results_bucket: BucketName,
        bytes_scanned_cutoff: int,
        delete_with_stack: bool,
    ) -> None:
        super().__init__(scope, construct_id)
        self.name = name
        self.output_location = results_bucket.uri(RESULTS_PREFIX)
        self.work_group = athena.CfnWorkGroup(
            self,
            "WorkGroup",
            name=name,
            description="Stock analytics GraphQL API queries",
            state="ENABLED",
            recursive_delete_option=delete_with_stack,
            work_group_configuration=athena.CfnWorkGroup.WorkGroupConfigurationProperty(
                enforce_work_group_configuration=True,
                publish_cloud_watch_metrics_enabled=True,
                bytes_scanned_cutoff_per_query=bytes_scanned_cutoff,
                requester_pays_enabled=False,
                engine_version=athena.CfnWorkGroup.EngineVersionProperty(
                    selected_engine_version=ATHENA_ENGINE_VERSION
                ),
                result_configuration=athena.CfnWorkGroup.ResultConfigurationProperty(
                    output_location=self.output_location,
                    encryption_configuration=athena.CfnWorkGroup.EncryptionConfigurationProperty(
                        encryption_option="SSE_S3"
                    ),
                ),
            ),
        )
        self.arn = Stack.of(self).format_arn(
            service="athena", resource="workgroup", resource_name=name
        )
