"""Alarms of the data pipeline: failed ETL runs, and Athena scanning too much.

A failed run is an EventBridge event ("Glue Job State Change"); a rule for it
sends a readable message to the alarm topic, and an alarm on that rule's
TriggeredRules metric shows the failure on the dashboard and in the alarm list.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_sns as sns
from constructs import Construct

from infrastructure.naming import MonitoringNames

FAILED_RUN_STATES = ("FAILED", "TIMEOUT", "ERROR")


def athena_processed_bytes(workgroup_name: str, period: Duration) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace="AWS/Athena",
        metric_name="ProcessedBytes",
        dimensions_map={"WorkGroup": workgroup_name},
        statistic="Sum",
        period=period,
    )


def failed_run_events(rule_name: str) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace="AWS/Events",
        metric_name="TriggeredRules",
        dimensions_map={"RuleName": rule_name},
        statistic="Sum",
        period=Duration.minutes(5),
    )


class PipelineAlarms(Construct):
    """Alarms on `job_name`'s failed runs and on `workgroup_name`'s bytes scanned."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        names: MonitoringNames,
        job_name: str,
        workgroup_name: str,
        topic: sns.ITopic,
        athena_bytes_per_hour: int,
    ) -> None:
        super().__init__(scope, construct_id)
        self.failed_runs = events.Rule(
            self,
            "EtlRunFailed",
            rule_name=names.etl_failed_rule,
            description=f"A run of {job_name} failed, timed out or errored",
            event_pattern=events.EventPattern(
                source=["aws.glue"],
                detail_type=["Glue Job State Change"],
                detail={"jobName": [job_name], "state": list(FAILED_RUN_STATES)},
            ),
            targets=[
                targets.SnsTopic(
                    topic,
                    message=events.RuleTargetInput.from_text(
                        f"Glue job {events.EventField.from_path('$.detail.jobName')} run "
                        f"{events.EventField.from_path('$.detail.jobRunId')} ended "
                        f"{events.EventField.from_path('$.detail.state')}: "
                        f"{events.EventField.from_path('$.detail.message')}"
                    ),
                )
            ],
        )
        self.failed_runs_alarm = cloudwatch.Alarm(
            self,
            "EtlRunFailedAlarm",
            alarm_name=names.etl_failed_alarm,
            alarm_description=f"A run of the ETL job {job_name} failed (see the alarm topic)",
            metric=failed_run_events(self.failed_runs.rule_name),
            threshold=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        self.athena_bytes_alarm = cloudwatch.Alarm(
            self,
            "AthenaBytesScannedAlarm",
            alarm_name=names.athena_bytes_alarm,
            alarm_description=(
                f"Athena workgroup {workgroup_name} scanned more than "
                f"{athena_bytes_per_hour:,} bytes in an hour"
            ),
            metric=athena_processed_bytes(workgroup_name, Duration.hours(1)),
            threshold=athena_bytes_per_hour,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        self.athena_bytes_alarm.add_alarm_action(cloudwatch_actions.SnsAction(topic))
