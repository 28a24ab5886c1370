"""A Glue security configuration: the job's logs and bookmarks encrypted with a KMS key.

S3 output keeps the buckets' SSE-S3; CloudWatch Logs (continuous logging) and
job bookmarks use a customer-managed key with rotation, which only the logs
service (for Glue's log groups) and the job's role may use.
"""

from __future__ import annotations

from aws_cdk import ArnFormat, Duration, RemovalPolicy, Stack
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

GLUE_LOG_GROUPS = "/aws-glue/*"


class GlueSecurity(Construct):
    """The security configuration named `name`, and the key it encrypts with."""

    def __init__(self, scope: Construct, construct_id: str, *, name: str, retain: bool) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.glue_log_groups_arn = stack.format_arn(
            service="logs",
            resource="log-group",
            resource_name=GLUE_LOG_GROUPS,
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        self.key = kms.Key(
            self,
            "Key",
            description=f"Encrypts the logs and bookmarks of the Glue jobs using {name}",
            enable_key_rotation=True,
            pending_window=Duration.days(7),
            removal_policy=RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY,
        )
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="GlueLogGroupsEncryptWithThisKey",
                principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
                actions=[
                    "kms:Encrypt*",
                    "kms:Decrypt*",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:Describe*",
                ],
                resources=["*"],
                conditions={
                    "ArnLike": {"kms:EncryptionContext:aws:logs:arn": self.glue_log_groups_arn}
                },
            )
        )
        self.name = name
        glue.CfnSecurityConfiguration(
            self,
            "Configuration",
            name=name,
            encryption_configuration=glue.CfnSecurityConfiguration.EncryptionConfigurationProperty(
                s3_encryptions=[
                    glue.CfnSecurityConfiguration.S3EncryptionProperty(s3_encryption_mode="SSE-S3")
                ],
                cloud_watch_encryption=glue.CfnSecurityConfiguration.CloudWatchEncryptionProperty(
                    cloud_watch_encryption_mode="SSE-KMS", kms_key_arn=self.key.key_arn
                ),
                job_bookmarks_encryption=glue.CfnSecurityConfiguration.JobBookmarksEncryptionProperty(
                    job_bookmarks_encryption_mode="CSE-KMS", kms_key_arn=self.key.key_arn
                ),
            ),
        )

    def statements(self) -> list[iam.PolicyStatement]:
        """What a job running under this configuration needs on the key and its log groups."""
        return [
            iam.PolicyStatement(
                sid="UseLogAndBookmarkKey",
                actions=["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"],
                resources=[self.key.key_arn],
            ),
            iam.PolicyStatement(
                sid="EncryptJobLogGroups",
                actions=["logs:AssociateKmsKey"],
                resources=[self.glue_log_groups_arn],
            ),
        ]
