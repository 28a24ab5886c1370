"""The Glue job that runs the same job file as a local run.

The job file is the script; the `etl` package ships beside it as a zip (with
`etl/` at its top level) through --extra-py-files. The role reads exactly
these two objects, the raw prefix, and reads and writes the warehouse prefix:
Spark writes each run's version folder; the driver, through boto3, lists the
warehouse, takes the writer lease (`_writer.lease`), publishes the pointer
(`_dataset.json`, conditional PUTs: s3:PutObject covers If-Match/If-None-Match)
and deletes expired and orphaned versions.
"""

from __future__ import annotations

from aws_cdk import IgnoreMode, Stack
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3_assets as s3_assets
from constructs import Construct

from infrastructure.constructs.glue_security import GlueSecurity
from infrastructure.nag import acknowledge
from infrastructure.naming import BucketName
from infrastructure.paths import GLUE_JOB_SCRIPT, REPO_ROOT

GLUE_VERSION = "5.1"
GLUE_SPARK_VERSIONS = {"5.1": "3.5.6"}
"""The Spark each Glue version runs; the local pyspark pin must match."""
GLUE_PYTHON_VERSIONS = {"5.1": "3.11"}
"""The Python each Glue version runs; local runs use the same."""

# The asset is the repository root minus everything but the `etl` package, so
# the zip holds `etl/...` at its top level, as --extra-py-files needs.
# Docker-style patterns, so `*` also matches dot-files and dot-folders.
ETL_PACKAGE_EXCLUDES = ["*", "!etl", "**/__pycache__", "**/*.pyc"]


class EtlJob(Construct):
    """A Glue 5.1 Spark job: raw CSV under `input_uri` -> Parquet under `warehouse_uri`."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        job_name: str,
        raw_bucket: BucketName,
        raw_prefix: str,
        warehouse_bucket: BucketName,
        warehouse_prefix: str,
        worker_type: str,
        workers: int,
        timeout_minutes: int,
        security: GlueSecurity,
    ) -> None:
        super().__init__(scope, construct_id)
        if not GLUE_JOB_SCRIPT.is_file():
            raise FileNotFoundError(f"the Glue job script is missing: {GLUE_JOB_SCRIPT}")
        script = s3_assets.Asset(self, "Script", path=str(GLUE_JOB_SCRIPT))
        package = s3_assets.Asset(
            self,
            "EtlPackage",
            path=str(REPO_ROOT),
            exclude=ETL_PACKAGE_EXCLUDES,
            ignore_mode=IgnoreMode.DOCKER,
        )
        self.job_name = job_name
        self.input_uri = raw_bucket.uri(raw_prefix)
        self.warehouse_uri = warehouse_bucket.uri(warehouse_prefix)
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("glue.amazonaws.com"),
            description=f"Runs the Glue job {job_name}",
        )
        self._grant_job_access(
            assets=(script, package),
            raw_bucket=raw_bucket,
            raw_prefix=raw_prefix,
            warehouse_bucket=warehouse_bucket,
            warehouse_prefix=warehouse_prefix,
            security=security,
        )
        job = glue.CfnJob(
            self,
            "Job",
            name=job_name,
            description="Builds the stock analytics warehouse from the raw CSV files.",
            role=self.role.role_arn,
            glue_version=GLUE_VERSION,
            command=glue.CfnJob.JobCommandProperty(
                name="glueetl", python_version="3", script_location=script.s3_object_url
            ),
            worker_type=worker_type,
            number_of_workers=workers,
            timeout=timeout_minutes,
            max_retries=0,
            security_configuration=security.name,
            execution_property=glue.CfnJob.ExecutionPropertyProperty(max_concurrent_runs=1),
            default_arguments={
                "--job-language": "python",
                "--input": self.input_uri,
                "--warehouse": self.warehouse_uri,
                "--extra-py-files": package.s3_object_url,
                "--enable-continuous-cloudwatch-log": "true",
                "--enable-metrics": "true",
                "--enable-observability-metrics": "true",
                "--job-bookmark-option": "job-bookmark-disable",
            },
        )
        job.node.add_dependency(security)

    def _grant_job_access(
        self,
        *,
        assets: tuple[s3_assets.Asset, ...],
        raw_bucket: BucketName,
        raw_prefix: str,
        warehouse_bucket: BucketName,
        warehouse_prefix: str,
        security: GlueSecurity,
    ) -> None:
        stack = Stack.of(self)
        warehouse_keys = warehouse_prefix.rstrip("/")
        statements = [
            iam.PolicyStatement(
                sid="ReadJobCode",
                actions=["s3:GetObject"],
                resources=[
                    f"arn:{stack.partition}:s3:::{asset.s3_bucket_name}/{asset.s3_object_key}"
                    for asset in assets
                ],
            ),
            iam.PolicyStatement(
                # Unconditional: with s3:ListBucket, a HEAD on a missing key (which
                # Hadoop's S3 file system sends for every "directory") is a 404, not
                # a 403. Both buckets hold nothing but the raw and warehouse prefixes.
                sid="ListRawAndWarehouse",
                actions=["s3:ListBucket"],
                resources=[raw_bucket.arn, warehouse_bucket.arn],
            ),
            iam.PolicyStatement(
                sid="LocateBuckets",
                actions=["s3:GetBucketLocation"],
                resources=[raw_bucket.arn, warehouse_bucket.arn],
            ),
            iam.PolicyStatement(
                sid="ReadRaw",
                actions=["s3:GetObject"],
                resources=[raw_bucket.objects_arn(raw_prefix)],
            ),
            iam.PolicyStatement(
                sid="ReplaceWarehouse",
                actions=["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                # `warehouse*`, not `warehouse/*`: the writer may also put the
                # `warehouse_$folder$` directory marker beside the prefix.
                resources=[warehouse_bucket.objects_arn(warehouse_keys)],
            ),
            iam.PolicyStatement(
                sid="WriteJobLogs",
                actions=["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[security.glue_log_groups_arn],
            ),
            iam.PolicyStatement(
                sid="PublishJobMetrics",
                actions=["cloudwatch:PutMetricData"],
                resources=["*"],
                conditions={"StringEquals": {"cloudwatch:namespace": "Glue"}},
            ),
            *security.statements(),
        ]
        policy = iam.Policy(self, "Access", statements=statements, roles=[self.role])
        acknowledge(
            policy,
            "AwsSolutions-IAM5[Resource::*]",
            "cloudwatch:PutMetricData has no resource-level permissions; the statement is "
            "limited to the Glue metric namespace by condition.",
        )
        acknowledge(
            policy,
            f"AwsSolutions-IAM5[Resource::{raw_bucket.nag_objects_arn(raw_prefix)}]",
            "The job reads every object under the raw prefix, which new uploads extend; "
            "the wildcard is only the object keys below that prefix.",
        )
        acknowledge(
            policy,
            f"AwsSolutions-IAM5[Resource::{warehouse_bucket.nag_objects_arn(warehouse_keys)}]",
            "Each run writes a new version folder of Parquet files, whose names Spark "
            "generates, rewrites the pointer and lease objects, and deletes expired "
            "versions; the wildcard is only the object keys of the warehouse prefix.",
        )
        acknowledge(
            policy,
            f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:{stack.region}:"
            "<AWS::AccountId>:log-group:/aws-glue/*]",
            "Glue names the continuous-logging log groups and streams itself under "
            "/aws-glue/ (and associates them with the job's KMS key); the wildcard covers "
            "only that path.",
        )
