"""The API stack, asserted on the synthesized template."""

from __future__ import annotations

from typing import Any

from etl.tables import TABLES
from tests.infrastructure.cfn import as_list, only, policy_statements, render, resources
from tests.infrastructure.synth import TEST_CERTIFICATE_ARN, TEST_DOMAIN, Synthesized

ARN = "arn:${AWS::Partition}"
ACCOUNT = "${AWS::AccountId}"


def _task_role_statements(synth: Synthesized) -> list[dict[str, Any]]:
    task = only(synth.api, "AWS::ECS::TaskDefinition")
    return policy_statements(synth.api, task["TaskRoleArn"]["Fn::GetAtt"][0])


def _logical_id(template: dict[str, Any], resource_type: str) -> str:
    (found,) = [k for k, r in template["Resources"].items() if r["Type"] == resource_type]
    return found


def _bucket_arn(env: str, purpose: str) -> str:
    return f"{ARN}:s3:::stock-analytics-{env}-{purpose}-{ACCOUNT}-us-east-1"


def test_task_role_has_exactly_the_athena_engine_permissions(synthesized: Synthesized) -> None:
    env = synthesized.config.name
    database = f"stock_analytics_{env}"
    glue = f"{ARN}:glue:us-east-1:{ACCOUNT}"
    statements = {s["Sid"]: s for s in _task_role_statements(synthesized)}
    assert all(s["Effect"] == "Allow" for s in statements.values())
    expected = {
        "QueryThroughWorkgroup": (
            {
                "athena:GetWorkGroup",
                "athena:StartQueryExecution",
                "athena:GetQueryExecution",
                "athena:GetQueryResults",
                "athena:StopQueryExecution",
            },
            {f"{ARN}:athena:us-east-1:{ACCOUNT}:workgroup/stock-analytics-{env}"},
        ),
        "ReadWarehouseCatalog": (
            {"glue:GetDatabase", "glue:GetTable", "glue:GetPartition", "glue:GetPartitions"},
            {f"{glue}:catalog", f"{glue}:database/{database}"}
            | {f"{glue}:table/{database}/{table.name}" for table in TABLES},
        ),
        "LocateBuckets": (
            {"s3:GetBucketLocation"},
            {_bucket_arn(env, "curated"), _bucket_arn(env, "athena-results")},
        ),
        "ListWarehouse": ({"s3:ListBucket"}, {_bucket_arn(env, "curated")}),
        "ReadWarehouse": ({"s3:GetObject"}, {_bucket_arn(env, "curated") + "/warehouse/*"}),
        "ListResults": (
            {"s3:ListBucket", "s3:ListBucketMultipartUploads"},
            {_bucket_arn(env, "athena-results")},
        ),
        "ReadWriteResults": (
            {
                "s3:GetObject",
                "s3:PutObject",
                "s3:AbortMultipartUpload",
                "s3:ListMultipartUploadParts",
            },
            {_bucket_arn(env, "athena-results") + "/athena-results/*"},
        ),
    }
    actual = {
        sid: (set(as_list(s["Action"])), set(as_list(s["Resource"])))
        for sid, s in statements.items()
    }
    assert actual == expected
    assert statements["ListWarehouse"]["Condition"] == {
        "StringLike": {"s3:prefix": ["warehouse/*"]}
    }
    assert statements["ListResults"]["Condition"] == {
        "StringLike": {"s3:prefix": ["athena-results/*"]}
    }


def test_no_role_uses_a_full_access_managed_policy(synthesized: Synthesized) -> None:
    for template in (synthesized.pipeline, synthesized.api):
        for role in resources(template, "AWS::IAM::Role"):
            for arn in render(role.get("ManagedPolicyArns", [])):
                assert "FullAccess" not in arn
                assert arn.endswith("service-role/AWSLambdaBasicExecutionRole"), arn


def test_container_settings_point_at_the_pipeline_resources(synthesized: Synthesized) -> None:
    env = synthesized.config.name
    task = only(synthesized.api, "AWS::ECS::TaskDefinition")
    (container,) = task["ContainerDefinitions"]
    settings = {e["Name"]: render(e["Value"]) for e in container["Environment"]}
    workgroup = only(synthesized.pipeline, "AWS::Athena::WorkGroup")
    output = render(workgroup["WorkGroupConfiguration"]["ResultConfiguration"]["OutputLocation"])
    assert settings == {
        "STOCK_ANALYTICS_ENGINE": "athena",
        "STOCK_ANALYTICS_WAREHOUSE": render(
            only(synthesized.pipeline, "AWS::Glue::Job")["DefaultArguments"]["--warehouse"]
        ),
        "STOCK_ANALYTICS_ATHENA_DATABASE": only(synthesized.pipeline, "AWS::Glue::Database")[
            "DatabaseInput"
        ]["Name"],
        "STOCK_ANALYTICS_ATHENA_WORKGROUP": workgroup["Name"],
        "STOCK_ANALYTICS_ATHENA_OUTPUT": output,
        "STOCK_ANALYTICS_ATHENA_BYTES_SCANNED_CUTOFF": str(
            workgroup["WorkGroupConfiguration"]["BytesScannedCutoffPerQuery"]
        ),
        "AWS_REGION": "${AWS::Region}",
        "STOCK_ANALYTICS_REQUIRE_API_KEY": "true" if env == "prod" else "false",
        "FORWARDED_ALLOW_IPS": "${" + _logical_id(synthesized.api, "AWS::EC2::VPC") + ".CidrBlock}",
        "STOCK_ANALYTICS_REQUEST_TIMEOUT_SECONDS": "60",
        "STOCK_ANALYTICS_KEEP_ALIVE_SECONDS": "75",
        # Behind CloudFront the per-address limits count the viewer it names.
        **(
            {"STOCK_ANALYTICS_CLIENT_ADDRESS_HEADER": "CloudFront-Viewer-Address"}
            if synthesized.config.edge is not None
            else {}
        ),
    }
    assert (
        output == f"s3://stock-analytics-{env}-athena-results-{ACCOUNT}-us-east-1/athena-results/"
    )
    assert container["PortMappings"] == [{"ContainerPort": 8000, "Protocol": "tcp"}]
    assert container["LogConfiguration"]["LogDriver"] == "awslogs"
    assert task["Cpu"] == str(synthesized.config.api.cpu)
    assert task["Memory"] == str(synthesized.config.api.memory_mib)
    assert task["RequiresCompatibilities"] == ["FARGATE"]
    assert task["RuntimePlatform"] == {
        "CpuArchitecture": "X86_64",
        "OperatingSystemFamily": "LINUX",
    }


def test_health_check_logs_and_container_insights(synthesized: Synthesized) -> None:
    target_group = only(synthesized.api, "AWS::ElasticLoadBalancingV2::TargetGroup")
    assert target_group["HealthCheckPath"] == "/health"
    assert target_group["Matcher"] == {"HttpCode": "200"}
    cluster = only(synthesized.api, "AWS::ECS::Cluster")
    assert {"Name": "containerInsights", "Value": "enabled"} in cluster["ClusterSettings"]
    log_group = only(synthesized.api, "AWS::Logs::LogGroup")
    assert log_group["RetentionInDays"] == synthesized.config.log_retention_days
    alb = only(synthesized.api, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    attributes = {a["Key"]: a["Value"] for a in alb["LoadBalancerAttributes"]}
    assert attributes["access_logs.s3.enabled"] == "true"
    assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "true"


def test_idle_connections_close_at_the_load_balancer_before_the_tasks(
    synthesized: Synthesized,
) -> None:
    """A silent client is cut off after 65 s, longer than the request budget (60 s); the
    tasks keep idle connections longer still (75 s), so the load balancer never reuses one
    a task closed."""
    alb = only(synthesized.api, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    attributes = {a["Key"]: a["Value"] for a in alb["LoadBalancerAttributes"]}
    (container,) = only(synthesized.api, "AWS::ECS::TaskDefinition")["ContainerDefinitions"]
    settings = {e["Name"]: e["Value"] for e in container["Environment"]}
    idle = int(attributes["idle_timeout.timeout_seconds"])
    assert idle == 65
    assert int(settings["STOCK_ANALYTICS_REQUEST_TIMEOUT_SECONDS"]) < idle
    assert int(settings["STOCK_ANALYTICS_KEEP_ALIVE_SECONDS"]) > idle


def test_scales_on_cpu_and_on_requests_per_target(synthesized: Synthesized) -> None:
    api = synthesized.config.api
    target = only(synthesized.api, "AWS::ApplicationAutoScaling::ScalableTarget")
    assert (target["MinCapacity"], target["MaxCapacity"]) == (api.min_capacity, api.max_capacity)
    policies = {
        p["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"][
            "PredefinedMetricType"
        ]: p["TargetTrackingScalingPolicyConfiguration"]["TargetValue"]
        for p in resources(synthesized.api, "AWS::ApplicationAutoScaling::ScalingPolicy")
    }
    assert policies == {
        "ECSServiceAverageCPUUtilization": api.cpu_target_percent,
        "ALBRequestCountPerTarget": api.requests_per_target,
    }
    service = only(synthesized.api, "AWS::ECS::Service")
    assert service["DesiredCount"] == api.desired_count
    assert service["DeploymentConfiguration"]["DeploymentCircuitBreaker"] == {
        "Enable": True,
        "Rollback": True,
    }


def test_no_nat_gateway_and_tasks_admit_only_the_load_balancer(dev: Synthesized) -> None:
    assert resources(dev.api, "AWS::EC2::NatGateway") == []
    service = only(dev.api, "AWS::ECS::Service")
    (task_group,) = service["NetworkConfiguration"]["AwsvpcConfiguration"]["SecurityGroups"]
    task_group_id = task_group["Fn::GetAtt"][0]
    ingress = [
        rule
        for rule in resources(dev.api, "AWS::EC2::SecurityGroupIngress")
        if rule["GroupId"] == {"Fn::GetAtt": [task_group_id, "GroupId"]}
    ]
    assert len(ingress) == 1
    assert "SourceSecurityGroupId" in ingress[0]
    assert "CidrIp" not in ingress[0]
    assert ingress[0]["FromPort"] == ingress[0]["ToPort"] == 8000


def test_dev_serves_plain_http(dev: Synthesized) -> None:
    (listener,) = resources(dev.api, "AWS::ElasticLoadBalancingV2::Listener")
    assert (listener["Port"], listener["Protocol"]) == (80, "HTTP")
    url = render(dev.api["Outputs"]["GraphqlUrl"]["Value"])
    assert url.startswith("http://${")
    assert url.endswith(".DNSName}/graphql")


def test_prod_serves_https_only_and_only_to_cloudfront(prod: Synthesized) -> None:
    """The load balancer is CloudFront's origin: HTTPS on 443, no HTTP redirect listener
    (nobody else should call it), and the public URL is the distribution's."""
    (https,) = resources(prod.api, "AWS::ElasticLoadBalancingV2::Listener")
    assert (https["Port"], https["Protocol"]) == (443, "HTTPS")
    assert https["Certificates"] == [{"CertificateArn": TEST_CERTIFICATE_ARN}]
    assert https["SslPolicy"].startswith("ELBSecurityPolicy-TLS13")
    (default,) = https["DefaultActions"]
    assert default["Type"] == "fixed-response"
    url = render(prod.api["Outputs"]["GraphqlUrl"]["Value"])
    assert url.startswith("https://${Edge")
    assert url.endswith(".DomainName}/graphql")
    assert TEST_DOMAIN not in url


def test_outputs_name_the_url_workgroup_database_and_buckets(synthesized: Synthesized) -> None:
    env = synthesized.config.name
    outputs = {name: render(o["Value"]) for name, o in synthesized.api["Outputs"].items()}
    assert outputs["AthenaWorkgroupName"] == f"stock-analytics-{env}"
    assert outputs["GlueDatabaseName"] == f"stock_analytics_{env}"
    assert outputs["WarehouseBucketName"] == f"stock-analytics-{env}-curated-{ACCOUNT}-us-east-1"
    assert outputs["AthenaResultsBucketName"] == (
        f"stock-analytics-{env}-athena-results-{ACCOUNT}-us-east-1"
    )
    assert outputs["GraphqlUrl"].endswith("/graphql")
    pipeline_outputs = {
        name: render(o["Value"]) for name, o in synthesized.pipeline["Outputs"].items()
    }
    assert pipeline_outputs["RawBucketName"] == "${" + _raw_bucket_id(synthesized) + "}"


def _raw_bucket_id(synth: Synthesized) -> str:
    return str(
        next(
            logical_id
            for logical_id, resource in synth.pipeline["Resources"].items()
            if resource["Type"] == "AWS::S3::Bucket"
            and render(resource["Properties"]["BucketName"]).startswith(
                f"stock-analytics-{synth.config.name}-raw-"
            )
        )
    )
