"""Alarms on the API's load balancer, and the platform's dashboard."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_ecs_patterns as ecs_patterns
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_sns as sns
from constructs import Construct

from infrastructure.constructs.pipeline_alarms import athena_processed_bytes, failed_run_events
from infrastructure.naming import MonitoringNames

FIVE_MINUTES = Duration.minutes(5)


class ApiMonitoring(Construct):
    """5xx and latency alarms on `service`, and one dashboard for API, ETL and Athena."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        names: MonitoringNames,
        service: ecs_patterns.ApplicationLoadBalancedFargateService,
        topic: sns.ITopic,
        errors_per_5_minutes: int,
        latency_p99_seconds: float,
        workgroup_name: str,
    ) -> None:
        super().__init__(scope, construct_id)
        alb = service.load_balancer.metrics
        errors = cloudwatch.MathExpression(
            label="5xx responses (load balancer + API)",
            expression="FILL(elb, 0) + FILL(api, 0)",
            using_metrics={
                "elb": alb.http_code_elb(elbv2.HttpCodeElb.ELB_5XX_COUNT, period=FIVE_MINUTES),
                "api": alb.http_code_target(
                    elbv2.HttpCodeTarget.TARGET_5XX_COUNT, period=FIVE_MINUTES
                ),
            },
            period=FIVE_MINUTES,
        )
        latency = alb.target_response_time(statistic="p99", period=FIVE_MINUTES)
        self.errors_alarm = cloudwatch.Alarm(
            self,
            "Http5xxAlarm",
            alarm_name=names.http_5xx_alarm,
            alarm_description=f"More than {errors_per_5_minutes} 5xx responses in 5 minutes",
            metric=errors,
            threshold=errors_per_5_minutes,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        self.latency_alarm = cloudwatch.Alarm(
            self,
            "LatencyAlarm",
            alarm_name=names.latency_alarm,
            alarm_description=f"p99 response time above {latency_p99_seconds} s for 10 minutes",
            metric=latency,
            threshold=latency_p99_seconds,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=2,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        for alarm in (self.errors_alarm, self.latency_alarm):
            alarm.add_alarm_action(cloudwatch_actions.SnsAction(topic))

        self.dashboard = cloudwatch.Dashboard(
            self, "Dashboard", dashboard_name=names.dashboard, default_interval=Duration.days(1)
        )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Requests and 5xx",
                left=[alb.request_count(period=FIVE_MINUTES)],
                right=[errors],
                width=12,
            ),
            cloudwatch.GraphWidget(
                title="Response time (s)",
                left=[
                    alb.target_response_time(statistic="p50", period=FIVE_MINUTES),
                    latency,
                ],
                left_annotations=[
                    cloudwatch.HorizontalAnnotation(value=latency_p99_seconds, label="alarm")
                ],
                width=12,
            ),
            cloudwatch.GraphWidget(
                title="Fargate CPU and memory (%)",
                left=[
                    service.service.metric_cpu_utilization(period=FIVE_MINUTES),
                    service.service.metric_memory_utilization(period=FIVE_MINUTES),
                ],
                width=8,
            ),
            cloudwatch.GraphWidget(
                title="Failed ETL runs",
                left=[failed_run_events(names.etl_failed_rule)],
                width=8,
            ),
            cloudwatch.GraphWidget(
                title="Athena bytes scanned per hour",
                left=[athena_processed_bytes(workgroup_name, Duration.hours(1))],
                width=8,
            ),
            cloudwatch.AlarmStatusWidget(
                title="Alarms",
                alarms=[
                    self.errors_alarm,
                    self.latency_alarm,
                    *(
                        cloudwatch.Alarm.from_alarm_name(self, f"Pipeline{index}", name)
                        for index, name in enumerate(
                            (names.etl_failed_alarm, names.athena_bytes_alarm)
                        )
                    ),
                ],
                width=24,
            ),
        )
