"""The SNS topic every alarm of an environment notifies, encrypted, TLS only.

It has a fixed name, so the API stack finds it without a cross-stack export.
CloudWatch alarms and EventBridge publish to it: its KMS key lets exactly
those two services use it; its policy lets CloudWatch publish from this
account (EventBridge's grant comes with the rule target that uses it).
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

CLOUDWATCH = "cloudwatch.amazonaws.com"
PUBLISHERS = (CLOUDWATCH, "events.amazonaws.com")


def alarm_topic_arn(scope: Construct, topic_name: str) -> str:
    return Stack.of(scope).format_arn(service="sns", resource=topic_name)


class AlarmTopic(Construct):
    """Topic `topic_name`, with an optional e-mail subscriber."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        topic_name: str,
        email: str | None,
        retain: bool,
    ) -> None:
        super().__init__(scope, construct_id)
        account = Stack.of(self).account
        key = kms.Key(
            self,
            "Key",
            description=f"Encrypts the alarm topic {topic_name}",
            enable_key_rotation=True,
            pending_window=Duration.days(7),
            removal_policy=RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY,
        )
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AlarmPublishersUseThisKey",
                principals=[iam.ServicePrincipal(service) for service in PUBLISHERS],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
                conditions={"StringEquals": {"aws:SourceAccount": account}},
            )
        )
        self.topic = sns.Topic(
            self,
            "Topic",
            topic_name=topic_name,
            display_name=f"{topic_name}: stock analytics alarms",
            master_key=key,
            enforce_ssl=True,
        )
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchAlarmsPublish",
                principals=[iam.ServicePrincipal(CLOUDWATCH)],
                actions=["sns:Publish"],
                resources=[self.topic.topic_arn],
                conditions={"StringEquals": {"aws:SourceAccount": account}},
            )
        )
        if email is not None:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))
