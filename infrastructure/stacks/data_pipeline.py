"""The data pipeline stack: buckets, catalog, ETL job and triggers, workgroup."""

from __future__ import annotations

from aws_cdk import CfnOutput, Environment, Stack
from constructs import Construct

from infrastructure.config import EnvironmentConfig
from infrastructure.constructs.alarm_topic import AlarmTopic
from infrastructure.constructs.catalog import WAREHOUSE_PREFIX, WarehouseCatalog
from infrastructure.constructs.etl_job import EtlJob
from infrastructure.constructs.etl_triggers import EtlTriggers
from infrastructure.constructs.glue_security import GlueSecurity
from infrastructure.constructs.pipeline_alarms import PipelineAlarms
from infrastructure.constructs.query_access import WarehouseQueryAccess
from infrastructure.constructs.query_workgroup import RESULTS_PREFIX, QueryWorkgroup
from infrastructure.constructs.sample_upload import SampleUpload
from infrastructure.constructs.secure_bucket import access_log_bucket, secure_bucket
from infrastructure.naming import bucket_name, monitoring_names

RAW_PREFIX = "raw/"
SAMPLE_PREFIX = f"{RAW_PREFIX}sample/"
ACCESS_LOG_DAYS = 90


class DataPipelineStack(Stack):
    """Raw CSV in, a queryable Parquet warehouse out."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        env: Environment | None = None,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            env=env,
            description=f"Stock analytics ({config.name}): raw data, ETL, warehouse, Athena",
        )
        pipeline = config.pipeline
        prefix = config.resource_prefix
        retain = config.retain_data
        raw_name = bucket_name(config, "raw")
        curated_name = bucket_name(config, "curated")
        results_name = bucket_name(config, "athena-results")
        logs = access_log_bucket(
            self,
            "AccessLogs",
            name=bucket_name(config, "s3-access-logs"),
            retain=retain,
            expire_after_days=ACCESS_LOG_DAYS,
        )
        raw = secure_bucket(
            self,
            "Raw",
            name=raw_name,
            access_logs=logs,
            retain=retain,
            versioned=True,
            event_bridge=True,
        )
        secure_bucket(self, "Curated", name=curated_name, access_logs=logs, retain=retain)
        results = secure_bucket(
            self,
            "AthenaResults",
            name=results_name,
            access_logs=logs,
            retain=retain,
            expire_after_days=pipeline.results_expiry_days,
        )
        catalog = WarehouseCatalog(
            self,
            "Catalog",
            database_name=prefix.replace("-", "_"),
            warehouse_bucket=curated_name,
            partition_years=pipeline.partition_years,
        )
        job = EtlJob(
            self,
            "Etl",
            job_name=f"{prefix}-build-warehouse",
            raw_bucket=raw_name,
            raw_prefix=RAW_PREFIX,
            warehouse_bucket=curated_name,
            warehouse_prefix=WAREHOUSE_PREFIX,
            worker_type=pipeline.glue_worker_type,
            workers=pipeline.glue_workers,
            timeout_minutes=pipeline.glue_timeout_minutes,
            security=GlueSecurity(self, "GlueSecurity", name=f"{prefix}-etl", retain=retain),
        )
        triggers = EtlTriggers(
            self,
            "EtlTriggers",
            workflow_name=f"{prefix}-etl",
            job_name=job.job_name,
            raw_bucket_name=raw.bucket_name,
            raw_prefix=RAW_PREFIX,
            schedule=pipeline.schedule,
            batch_window_seconds=pipeline.trigger_batch_window_seconds,
        )
        triggers.node.add_dependency(job)
        workgroup = QueryWorkgroup(
            self,
            "Workgroup",
            name=prefix,
            results_bucket=results_name,
            bytes_scanned_cutoff=pipeline.bytes_scanned_cutoff,
            delete_with_stack=not retain,
        )
        workgroup.node.add_dependency(results)
        names = monitoring_names(config)
        alarm_topic = AlarmTopic(
            self,
            "Alarms",
            topic_name=names.topic,
            email=config.monitoring.alarm_email,
            retain=retain,
        )
        PipelineAlarms(
            self,
            "PipelineAlarms",
            names=names,
            job_name=job.job_name,
            workgroup_name=workgroup.name,
            topic=alarm_topic.topic,
            athena_bytes_per_hour=config.monitoring.athena_bytes_per_hour,
        )
        if pipeline.deploy_sample:
            sample = SampleUpload(self, "Sample", bucket=raw, key_prefix=SAMPLE_PREFIX)
            sample.node.add_dependency(triggers)

        self.query_access = WarehouseQueryAccess(
            warehouse_bucket=curated_name,
            warehouse_prefix=WAREHOUSE_PREFIX,
            results_bucket=results_name,
            results_prefix=RESULTS_PREFIX,
            output_location=workgroup.output_location,
            database_name=catalog.database_name,
            catalog_arn=catalog.catalog_arn,
            database_arn=catalog.database_arn,
            table_arns=catalog.table_arns,
            workgroup_name=workgroup.name,
            workgroup_arn=workgroup.arn,
            bytes_scanned_cutoff=pipeline.bytes_scanned_cutoff,
        )
        outputs = {
            "RawBucketName": raw.bucket_name,
            "RawInputUri": job.input_uri,
            "WarehouseUri": job.warehouse_uri,
            "AthenaResultsBucketName": results.bucket_name,
            "GlueDatabaseName": catalog.database_name,
            "GlueJobName": job.job_name,
            "GlueWorkflowName": triggers.workflow_name,
            "AthenaWorkgroupName": workgroup.name,
            "AlarmTopicArn": alarm_topic.topic.topic_arn,
        }
        for name, value in outputs.items():
            CfnOutput(self, name, value=value)
