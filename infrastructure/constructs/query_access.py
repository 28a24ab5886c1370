"""Exactly what an Athena query client of the warehouse may do, as IAM statements."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import aws_iam as iam

from infrastructure.nag import acknowledge
from infrastructure.naming import BucketName

ATHENA_QUERY_ACTIONS = (
    "athena:GetWorkGroup",
    "athena:StartQueryExecution",
    "athena:GetQueryExecution",
    "athena:GetQueryResults",
    "athena:StopQueryExecution",
)
GLUE_CATALOG_READ_ACTIONS = (
    "glue:GetDatabase",
    "glue:GetTable",
    "glue:GetPartition",
    "glue:GetPartitions",
)
RESULTS_OBJECT_ACTIONS = (
    "s3:GetObject",
    "s3:PutObject",
    "s3:AbortMultipartUpload",
    "s3:ListMultipartUploadParts",
)


@dataclass(frozen=True)
class WarehouseQueryAccess:
    """The resources a query client of the warehouse needs to know and be granted."""

    warehouse_bucket: BucketName
    warehouse_prefix: str
    results_bucket: BucketName
    results_prefix: str
    output_location: str
    database_name: str
    catalog_arn: str
    database_arn: str
    table_arns: tuple[str, ...]
    workgroup_name: str
    workgroup_arn: str
    bytes_scanned_cutoff: int
    """The workgroup's cutoff per query; the API refuses a query estimated over it."""


def query_statements(access: WarehouseQueryAccess) -> list[iam.PolicyStatement]:
    """Athena on one workgroup, catalog reads on one database, S3 on two prefixes."""
    warehouse = access.warehouse_bucket
    results = access.results_bucket
    return [
        iam.PolicyStatement(
            sid="QueryThroughWorkgroup",
            actions=list(ATHENA_QUERY_ACTIONS),
            resources=[access.workgroup_arn],
        ),
        iam.PolicyStatement(
            sid="ReadWarehouseCatalog",
            actions=list(GLUE_CATALOG_READ_ACTIONS),
            resources=[access.catalog_arn, access.database_arn, *access.table_arns],
        ),
        iam.PolicyStatement(
            sid="LocateBuckets",
            actions=["s3:GetBucketLocation"],
            resources=[warehouse.arn, results.arn],
        ),
        iam.PolicyStatement(
            sid="ListWarehouse",
            actions=["s3:ListBucket"],
            resources=[warehouse.arn],
            conditions={"StringLike": {"s3:prefix": [f"{access.warehouse_prefix}*"]}},
        ),
        iam.PolicyStatement(
            sid="ReadWarehouse",
            actions=["s3:GetObject"],
            resources=[warehouse.objects_arn(access.warehouse_prefix)],
        ),
        iam.PolicyStatement(
            sid="ListResults",
            actions=["s3:ListBucket", "s3:ListBucketMultipartUploads"],
            resources=[results.arn],
            conditions={"StringLike": {"s3:prefix": [f"{access.results_prefix}*"]}},
        ),
        iam.PolicyStatement(
            sid="ReadWriteResults",
            actions=list(RESULTS_OBJECT_ACTIONS),
            resources=[results.objects_arn(access.results_prefix)],
        ),
    ]


def acknowledge_prefix_wildcards(policy: iam.Policy, access: WarehouseQueryAccess) -> None:
    """The two object wildcards of `query_statements`, each bounded by a prefix."""
    acknowledge(
        policy,
        "AwsSolutions-IAM5[Resource::"
        f"{access.warehouse_bucket.nag_objects_arn(access.warehouse_prefix)}]",
        "Athena reads the Parquet files of every warehouse table, whose names the ETL's "
        "Spark writer generates; the wildcard is only the keys below the warehouse prefix.",
    )
    acknowledge(
        policy,
        "AwsSolutions-IAM5[Resource::"
        f"{access.results_bucket.nag_objects_arn(access.results_prefix)}]",
        "Athena writes each query's results under a key named by its execution id, and "
        "the API reads them back; the wildcard is only the keys below the results prefix.",
    )
