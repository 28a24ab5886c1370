"""An S3 bucket that is private, encrypted, TLS-only and access-logged."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infrastructure.nag import acknowledge
from infrastructure.naming import BucketName


def secure_bucket(
    scope: Construct,
    construct_id: str,
    *,
    name: BucketName,
    access_logs: s3.IBucket,
    retain: bool,
    versioned: bool = False,
    expire_after_days: int | None = None,
    event_bridge: bool = False,
) -> s3.Bucket:
    """A bucket whose server access logs go to `access_logs` under its own prefix.

    With `event_bridge`, the bucket sends its events to EventBridge (set on the
    CloudFormation resource itself: the L2 option adds a Lambda custom resource).
    """
    lifecycle = (
        [
            s3.LifecycleRule(
                id="expire-objects",
                expiration=Duration.days(expire_after_days),
                abort_incomplete_multipart_upload_after=Duration.days(1),
            )
        ]
        if expire_after_days is not None
        else [
            s3.LifecycleRule(
                id="abort-incomplete-uploads",
                abort_incomplete_multipart_upload_after=Duration.days(7),
            )
        ]
    )
    if versioned:
        lifecycle.append(
            s3.LifecycleRule(
                id="expire-old-versions",
                noncurrent_version_expiration=Duration.days(90),
            )
        )
    bucket = s3.Bucket(
        scope,
        construct_id,
        bucket_name=name.name,
        encryption=s3.BucketEncryption.S3_MANAGED,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        enforce_ssl=True,
        versioned=versioned,
        lifecycle_rules=lifecycle,
        server_access_logs_bucket=access_logs,
        server_access_logs_prefix=f"{construct_id}/",
        removal_policy=RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY,
    )
    if event_bridge:
        cfn_bucket = bucket.node.default_child
        assert isinstance(cfn_bucket, s3.CfnBucket)
        cfn_bucket.notification_configuration = s3.CfnBucket.NotificationConfigurationProperty(
            event_bridge_configuration=s3.CfnBucket.EventBridgeConfigurationProperty(
                event_bridge_enabled=True
            )
        )
    return bucket


def access_log_bucket(
    scope: Construct,
    construct_id: str,
    *,
    name: BucketName,
    retain: bool,
    expire_after_days: int,
) -> s3.Bucket:
    """The destination of the other buckets' (and the ALB's) access logs.

    ALB access logs and S3 log delivery both require SSE-S3 encryption here.
    ACLs stay disabled: S3 log delivery is granted by bucket policy (the
    `serverAccessLogsUseBucketPolicy` feature flag that `add_stacks` sets).
    """
    bucket = s3.Bucket(
        scope,
        construct_id,
        bucket_name=name.name,
        encryption=s3.BucketEncryption.S3_MANAGED,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        enforce_ssl=True,
        lifecycle_rules=[
            s3.LifecycleRule(id="expire-logs", expiration=Duration.days(expire_after_days))
        ],
        removal_policy=RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY,
    )
    acknowledge(
        bucket,
        "AwsSolutions-S1",
        "This bucket is the access-log destination itself; logging it into itself "
        "would log its own log deliveries forever.",
    )
    return bucket


def cdn_log_bucket(
    scope: Construct,
    construct_id: str,
    *,
    name: BucketName,
    access_logs: s3.IBucket,
    retain: bool,
    expire_after_days: int,
) -> s3.Bucket:
    """The destination of a CloudFront distribution's standard logs.

    CloudFront delivers standard logs with an object ACL (its log delivery account
    writes, and grants the bucket owner full control), so this bucket, unlike the others,
    has ACLs enabled: object ownership BUCKET_OWNER_PREFERRED makes the bucket's account
    own every delivered object. Public access stays blocked, TLS enforced, SSE-S3 (what
    CloudFront's log delivery supports without a KMS key policy), and its own access
    logs go to `access_logs`.
    """
    return s3.Bucket(
        scope,
        construct_id,
        bucket_name=name.name,
        encryption=s3.BucketEncryption.S3_MANAGED,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
        enforce_ssl=True,
        lifecycle_rules=[
            s3.LifecycleRule(id="expire-logs", expiration=Duration.days(expire_after_days))
        ],
        server_access_logs_bucket=access_logs,
        server_access_logs_prefix=f"{construct_id}/",
        removal_policy=RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY,
    )
