"""What starts the ETL job: a schedule, and new objects under the raw prefix.

Both are EventBridge rules whose target is a Glue workflow; the workflow's
EVENT trigger batches the events of a window into one job run, so an upload
of many files starts one run, not one run per file.
"""

from __future__ import annotations

import jsii
from aws_cdk import Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk.interfaces import aws_events as events_refs
from constructs import Construct

MAX_EVENTS_PER_RUN = 100


@jsii.implements(events.IRuleTarget)
class _GlueWorkflowTarget:
    """EventBridge has no L2 target for Glue workflows; this one sends events to one."""

    def __init__(self, workflow_arn: str, role: iam.IRole) -> None:
        self._workflow_arn = workflow_arn
        self._role = role

    def bind(self, rule: events_refs.IRuleRef, id: str | None = None) -> events.RuleTargetConfig:
        return events.RuleTargetConfig(arn=self._workflow_arn, role=self._role)


class EtlTriggers(Construct):
    """Start `job_name` on `schedule` and when objects land under `raw_prefix`."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        workflow_name: str,
        job_name: str,
        raw_bucket_name: str,
        raw_prefix: str,
        schedule: str,
        batch_window_seconds: int,
    ) -> None:
        super().__init__(scope, construct_id)
        workflow = glue.CfnWorkflow(
            self,
            "Workflow",
            name=workflow_name,
            description="Runs the ETL job on schedule and on new raw data.",
            max_concurrent_runs=1,
        )
        trigger = glue.CfnTrigger(
            self,
            "StartOnEvents",
            name=f"{workflow_name}-on-events",
            type="EVENT",
            workflow_name=workflow_name,
            actions=[glue.CfnTrigger.ActionProperty(job_name=job_name)],
            event_batching_condition=glue.CfnTrigger.EventBatchingConditionProperty(
                batch_size=MAX_EVENTS_PER_RUN, batch_window=batch_window_seconds
            ),
        )
        trigger.add_resource_dependency(workflow)
        self.workflow_name = workflow_name
        workflow_arn = Stack.of(self).format_arn(
            service="glue", resource="workflow", resource_name=workflow_name
        )
        role = iam.Role(
            self,
            "EventsRole",
            assumed_by=iam.ServicePrincipal("events.amazonaws.com"),
            description=f"Lets EventBridge notify the Glue workflow {workflow_name}",
        )
        role.add_to_policy(
            iam.PolicyStatement(actions=["glue:notifyEvent"], resources=[workflow_arn])
        )
        target = _GlueWorkflowTarget(workflow_arn, role)
        self.on_upload = events.Rule(
            self,
            "OnRawUpload",
            description="New raw data: start the ETL",
            event_pattern=events.EventPattern(
                source=["aws.s3"],
                detail_type=["Object Created"],
                detail={
                    "bucket": {"name": [raw_bucket_name]},
                    "object": {"key": [{"prefix": raw_prefix}]},
                },
            ),
            targets=[target],
        )
        self.on_schedule = events.Rule(
            self,
            "OnSchedule",
            description="Scheduled ETL run",
            schedule=events.Schedule.expression(schedule),
            targets=[target],
        )
        for rule in (self.on_upload, self.on_schedule):
            rule.node.add_dependency(trigger)
