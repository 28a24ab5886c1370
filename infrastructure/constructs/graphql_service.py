"""The GraphQL API on ECS Fargate behind an Application Load Balancer.

No NAT gateway: the tasks run in public subnets with a public IP (to reach
ECR, CloudWatch Logs, Athena and S3), and their security group admits only
the load balancer. HTTPS when a certificate is configured, with HTTP
redirected; plain HTTP only where the config allows it (dev).
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr_assets as ecr_assets
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_ecs_patterns as ecs_patterns
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from graphql_api.service_contract import (
    CONTAINER_PORT,
    GRAPHQL_PATH,
    HEALTH_PATH,
    VIEWER_ADDRESS_HEADER,
    setting_variable,
)
from infrastructure.config import ApiConfig
from infrastructure.constructs.origin_lock import lock_listener
from infrastructure.nag import acknowledge
from infrastructure.paths import DOCKERFILE, REPO_ROOT

REQUEST_TIMEOUT_SECONDS = 60
"""The API's wall-clock budget per request (STOCK_ANALYTICS_REQUEST_TIMEOUT_SECONDS)."""
IDLE_TIMEOUT_SECONDS = REQUEST_TIMEOUT_SECONDS + 5
"""The load balancer closes a connection silent this long: a client that stalls is cut
off, while an answer that takes the whole request budget still gets through."""
KEEP_ALIVE_SECONDS = IDLE_TIMEOUT_SECONDS + 10
"""The tasks keep an idle connection longer than the load balancer does, so it never
sends a request on a connection a task has just closed (a 502)."""
RETENTION_BY_DAYS = {
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    60: logs.RetentionDays.TWO_MONTHS,
    90: logs.RetentionDays.THREE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
}


class GraphqlService(Construct):
    """A load-balanced Fargate service running the API image with `environment`."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: ApiConfig,
        environment: dict[str, str],
        secrets: dict[str, ecs.Secret],
        task_policy: list[iam.PolicyStatement],
        access_logs: s3.IBucket,
        log_retention_days: int,
        retain_logs: bool,
        origin_header_value: str | None = None,
    ) -> None:
        """With `origin_header_value`, CloudFront is the only client: the listener forwards
        only requests carrying that origin header, and there is no HTTP redirect listener."""
        super().__init__(scope, construct_id)
        vpc = ec2.Vpc(
            self,
            "Vpc",
            max_azs=2,
            nat_gateways=0,
            subnet_configuration=[
                ec2.SubnetConfiguration(
                    name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24
                )
            ],
            flow_logs={
                "to-s3": ec2.FlowLogOptions(
                    destination=ec2.FlowLogDestination.to_s3(access_logs, "vpc-flow-logs/"),
                    traffic_type=ec2.FlowLogTrafficType.REJECT,
                )
            },
        )
        cluster = ecs.Cluster(
            self,
            "Cluster",
            vpc=vpc,
            container_insights_v2=ecs.ContainerInsights.ENABLED,
        )
        log_group = logs.LogGroup(
            self,
            "Logs",
            retention=RETENTION_BY_DAYS[log_retention_days],
            removal_policy=RemovalPolicy.RETAIN if retain_logs else RemovalPolicy.DESTROY,
        )
        task_role = iam.Role(
            self,
            "TaskRole",
            assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"),
            description="The GraphQL API's task: queries the warehouse through Athena",
        )
        self.task_policy = iam.Policy(self, "TaskPolicy", statements=task_policy, roles=[task_role])
        https = config.https
        self.service = ecs_patterns.ApplicationLoadBalancedFargateService(
            self,
            "Service",
            cluster=cluster,
            cpu=config.cpu,
            memory_limit_mib=config.memory_mib,
            desired_count=config.desired_count,
            public_load_balancer=True,
            assign_public_ip=True,
            task_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC),
            # The image is built for x86-64 wherever `cdk deploy` runs (an ARM laptop too).
            runtime_platform=ecs.RuntimePlatform(
                cpu_architecture=ecs.CpuArchitecture.X86_64,
                operating_system_family=ecs.OperatingSystemFamily.LINUX,
            ),
            circuit_breaker=ecs.DeploymentCircuitBreaker(rollback=True),
            min_healthy_percent=100,
            max_healthy_percent=200,
            health_check_grace_period=Duration.seconds(60),
            protocol=(elbv2.ApplicationProtocol.HTTPS if https else elbv2.ApplicationProtocol.HTTP),
            certificate=(
                acm.Certificate.from_certificate_arn(self, "Certificate", https.certificate_arn)
                if https
                else None
            ),
            redirect_http=https is not None and origin_header_value is None,
            idle_timeout=Duration.seconds(IDLE_TIMEOUT_SECONDS),
            ssl_policy=elbv2.SslPolicy.RECOMMENDED_TLS if https else None,
            task_image_options=ecs_patterns.ApplicationLoadBalancedTaskImageOptions(
                image=ecs.ContainerImage.from_asset(
                    str(REPO_ROOT), file=DOCKERFILE, platform=ecr_assets.Platform.LINUX_AMD64
                ),
                container_name="graphql-api",
                container_port=CONTAINER_PORT,
                # Only the load balancer, inside the VPC, reaches the tasks: trusting
                # X-Forwarded-For from VPC addresses alone gives uvicorn the client address
                # the load balancer saw (for logs and rate limits), which no client can forge.
                environment={
                    **environment,
                    "FORWARDED_ALLOW_IPS": vpc.vpc_cidr_block,
                    setting_variable("request_timeout_seconds"): str(REQUEST_TIMEOUT_SECONDS),
                    setting_variable("keep_alive_seconds"): str(KEEP_ALIVE_SECONDS),
                    # Behind the CDN, whose header the origin lock makes unforgeable.
                    **(
                        {setting_variable("client_address_header"): VIEWER_ADDRESS_HEADER}
                        if origin_header_value is not None
                        else {}
                    ),
                },
                secrets=secrets,
                task_role=task_role,
                log_driver=ecs.LogDrivers.aws_logs(stream_prefix="api", log_group=log_group),
            ),
        )
        self.service.service.node.add_dependency(self.task_policy)
        self.service.target_group.configure_health_check(
            path=HEALTH_PATH,
            healthy_http_codes="200",
            interval=Duration.seconds(30),
            timeout=Duration.seconds(5),
            healthy_threshold_count=2,
            unhealthy_threshold_count=3,
        )
        self.service.load_balancer.set_attribute(
            "routing.http.drop_invalid_header_fields.enabled", "true"
        )
        self.service.load_balancer.log_access_logs(access_logs, "alb")
        scaling = self.service.service.auto_scale_task_count(
            min_capacity=config.min_capacity, max_capacity=config.max_capacity
        )
        scaling.scale_on_cpu_utilization(
            "ScaleOnCpu", target_utilization_percent=config.cpu_target_percent
        )
        scaling.scale_on_request_count(
            "ScaleOnRequests",
            requests_per_target=config.requests_per_target,
            target_group=self.service.target_group,
        )
        if origin_header_value is not None:
            lock_listener(
                self.service.listener,
                target_group=self.service.target_group,
                header_value=origin_header_value,
            )
        self._acknowledge_findings(behind_cdn=origin_header_value is not None)
        scheme = "https" if https else "http"
        host = https.domain_name if https else self.service.load_balancer.load_balancer_dns_name
        self.graphql_url = f"{scheme}://{host}{GRAPHQL_PATH}"

    def _acknowledge_findings(self, *, behind_cdn: bool) -> None:
        service = self.service
        acknowledge(
            service.load_balancer,
            "AwsSolutions-EC23",
            (
                "CloudFront's origin-facing addresses differ by region and change, so the "
                "listener port stays open; the listener answers 403 to any request without "
                "the distribution's secret origin header."
            )
            if behind_cdn
            else (
                "The load balancer is the public endpoint of the API and must accept any "
                "client; it listens only on the API's port(s), and the tasks admit only the "
                "load balancer."
            ),
        )
        acknowledge(
            service.task_definition,
            "AwsSolutions-ECS2",
            "The environment holds only non-secret resource names (engine, Glue database, "
            "Athena workgroup, results location, region) and switches; the API keys come "
            "from Secrets Manager, injected as a container secret.",
        )
        execution_role = service.task_definition.execution_role
        if execution_role is not None:
            acknowledge(
                execution_role,
                "AwsSolutions-IAM5[Resource::*]",
                "ecr:GetAuthorizationToken, which the execution role needs to pull the image, "
                "has no resource-level permissions; the image pull itself is scoped to its "
                "repository.",
            )
