"""Uploads the bundled sample CSV under the raw prefix at deploy time (dev's first run)."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3_deployment
from constructs import Construct

from infrastructure.nag import acknowledge
from infrastructure.paths import SAMPLE_DATA

# The actions of the grants aws-cdk-lib gives the BucketDeployment handler.
HANDLER_ACTION_GROUPS = (
    "s3:GetObject*",
    "s3:GetBucket*",
    "s3:List*",
    "s3:DeleteObject*",
    "s3:Abort*",
)


class SampleUpload(Construct):
    """`data/sample/*.csv` -> `s3://<bucket>/<key_prefix>`; the upload starts an ETL run."""

    def __init__(
        self, scope: Construct, construct_id: str, *, bucket: s3.Bucket, key_prefix: str
    ) -> None:
        super().__init__(scope, construct_id)
        deployment = s3_deployment.BucketDeployment(
            self,
            "Deployment",
            sources=[s3_deployment.Source.asset(str(SAMPLE_DATA), exclude=["*", "!*.csv"])],
            destination_bucket=bucket,
            destination_key_prefix=key_prefix,
            prune=False,
            retain_on_delete=False,
        )
        self._acknowledge_handler_findings(deployment, bucket, key_prefix)

    def _acknowledge_handler_findings(
        self, deployment: s3_deployment.BucketDeployment, bucket: s3.Bucket, key_prefix: str
    ) -> None:
        stack = Stack.of(self)
        role = deployment.handler_role
        reason = (
            "aws-cdk-lib's BucketDeployment handler (dev only, deploy_sample): it copies "
            "the sample from the CDK asset bucket into the raw bucket; CDK sets its "
        )
        acknowledge(
            role,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AWSLambdaBasicExecutionRole]",
            reason + "role's managed policy, which only writes its own logs.",
        )
        for action in HANDLER_ACTION_GROUPS:
            acknowledge(
                role,
                f"AwsSolutions-IAM5[Action::{action}]",
                reason + f"grant, whose {action} action group is CDK's read/write grant.",
            )
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-"
            f"<AWS::AccountId>-{stack.region}/*]",
            reason + "read grant on the asset bucket, whose object keys are content hashes.",
        )
        cfn_bucket = bucket.node.default_child
        assert isinstance(cfn_bucket, s3.CfnBucket)
        acknowledge(
            role,
            f"AwsSolutions-IAM5[Resource::<{stack.get_logical_id(cfn_bucket)}.Arn>/*]",
            reason + f"write grant on the whole raw bucket; the handler writes under "
            f"{key_prefix} only.",
        )
        handler = role.node.scope
        if handler is not None:
            acknowledge(
                handler,
                "AwsSolutions-L1",
                reason + "Lambda runtime, which it bundles with the AWS CLI layer it needs.",
            )
