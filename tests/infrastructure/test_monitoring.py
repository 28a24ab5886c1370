"""Alarms, the alarm topic and the dashboard, asserted on the synthesized templates."""

from __future__ import annotations

import json
from typing import Any

from tests.infrastructure.cfn import only, render, resources
from tests.infrastructure.synth import TEST_ALARM_EMAIL, Synthesized


def _alarms(synth: Synthesized) -> dict[str, dict[str, Any]]:
    return {
        alarm["AlarmName"]: render(alarm)
        for template in (synth.pipeline, synth.api)
        for alarm in resources(template, "AWS::CloudWatch::Alarm")
    }


def _topic_arn(synth: Synthesized) -> str:
    return (
        f"arn:${{AWS::Partition}}:sns:us-east-1:${{AWS::AccountId}}:"
        f"stock-analytics-{synth.config.name}-alarms"
    )


def test_four_alarms_with_the_configured_thresholds(synthesized: Synthesized) -> None:
    prefix = f"stock-analytics-{synthesized.config.name}"
    monitoring = synthesized.config.monitoring
    alarms = _alarms(synthesized)
    assert set(alarms) == {
        f"{prefix}-api-5xx",
        f"{prefix}-api-latency-p99",
        f"{prefix}-etl-run-failed",
        f"{prefix}-athena-bytes-scanned",
    }
    errors = alarms[f"{prefix}-api-5xx"]
    assert errors["Threshold"] == monitoring.alb_5xx_per_5_minutes
    metric_names = {
        m["MetricStat"]["Metric"]["MetricName"] for m in errors["Metrics"] if "MetricStat" in m
    }
    assert metric_names == {"HTTPCode_ELB_5XX_Count", "HTTPCode_Target_5XX_Count"}
    latency = alarms[f"{prefix}-api-latency-p99"]
    assert (latency["MetricName"], latency["ExtendedStatistic"]) == ("TargetResponseTime", "p99")
    assert latency["Threshold"] == monitoring.latency_p99_seconds
    athena = alarms[f"{prefix}-athena-bytes-scanned"]
    assert (athena["Namespace"], athena["MetricName"]) == ("AWS/Athena", "ProcessedBytes")
    assert athena["Dimensions"] == [{"Name": "WorkGroup", "Value": prefix}]
    assert (athena["Period"], athena["Threshold"]) == (3600, monitoring.athena_bytes_per_hour)
    failed = alarms[f"{prefix}-etl-run-failed"]
    assert (failed["Namespace"], failed["MetricName"]) == ("AWS/Events", "TriggeredRules")
    assert failed["Threshold"] == 1


def test_alarms_notify_the_topic(synthesized: Synthesized) -> None:
    prefix = f"stock-analytics-{synthesized.config.name}"
    alarms = _alarms(synthesized)
    (topic_logical_id,) = [
        k for k, r in synthesized.pipeline["Resources"].items() if r["Type"] == "AWS::SNS::Topic"
    ]
    for name in (f"{prefix}-api-5xx", f"{prefix}-api-latency-p99"):
        assert alarms[name]["AlarmActions"] == [_topic_arn(synthesized)]
    assert alarms[f"{prefix}-athena-bytes-scanned"]["AlarmActions"] == [
        "${" + topic_logical_id + "}"
    ]


def test_failed_etl_runs_reach_the_topic(synthesized: Synthesized) -> None:
    prefix = f"stock-analytics-{synthesized.config.name}"
    rules = {
        rule["Name"]: rule
        for rule in resources(synthesized.pipeline, "AWS::Events::Rule")
        if "Name" in rule
    }
    rule = rules[f"{prefix}-etl-run-failed"]
    assert rule["EventPattern"] == {
        "source": ["aws.glue"],
        "detail-type": ["Glue Job State Change"],
        "detail": {
            "jobName": [f"{prefix}-build-warehouse"],
            "state": ["FAILED", "TIMEOUT", "ERROR"],
        },
    }
    (target,) = rule["Targets"]
    (topic_logical_id,) = [
        k for k, r in synthesized.pipeline["Resources"].items() if r["Type"] == "AWS::SNS::Topic"
    ]
    assert target["Arn"] == {"Ref": topic_logical_id}
    assert "<detail-state>" in target["InputTransformer"]["InputTemplate"]
    failed = _alarms(synthesized)[f"{prefix}-etl-run-failed"]
    rule_id = next(
        k
        for k, r in synthesized.pipeline["Resources"].items()
        if r["Type"] == "AWS::Events::Rule" and r["Properties"].get("Name") == rule["Name"]
    )
    assert failed["Dimensions"] == [{"Name": "RuleName", "Value": "${" + rule_id + "}"}]


def test_topic_is_encrypted_tls_only_and_subscribes_the_configured_email(
    dev: Synthesized, prod: Synthesized
) -> None:
    for synth in (dev, prod):
        topic = only(synth.pipeline, "AWS::SNS::Topic")
        key_id = topic["KmsMasterKeyId"]["Fn::GetAtt"][0]
        assert synth.pipeline["Resources"][key_id]["Properties"]["EnableKeyRotation"] is True
        statements = only(synth.pipeline, "AWS::SNS::TopicPolicy")["PolicyDocument"]["Statement"]
        assert any(
            s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
            for s in statements
        )
    assert resources(dev.pipeline, "AWS::SNS::Subscription") == []
    (subscription,) = resources(prod.pipeline, "AWS::SNS::Subscription")
    assert (subscription["Protocol"], subscription["Endpoint"]) == ("email", TEST_ALARM_EMAIL)


def test_dashboard_shows_api_etl_and_athena(synthesized: Synthesized) -> None:
    dashboard = only(synthesized.api, "AWS::CloudWatch::Dashboard")
    assert dashboard["DashboardName"] == f"stock-analytics-{synthesized.config.name}"
    body = json.loads(render(dashboard["DashboardBody"]))
    titles = {widget["properties"]["title"] for widget in body["widgets"]}
    assert titles == {
        "Requests and 5xx",
        "Response time (s)",
        "Fargate CPU and memory (%)",
        "Failed ETL runs",
        "Athena bytes scanned per hour",
        "Alarms",
    }
    (status,) = [w for w in body["widgets"] if w["properties"]["title"] == "Alarms"]
    assert len(status["properties"]["alarms"]) == 4
