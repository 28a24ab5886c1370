"""Every bucket of both stacks: encrypted, private, TLS-only, access-logged."""

from __future__ import annotations

from tests.infrastructure.cfn import render, resources
from tests.infrastructure.synth import Synthesized


def test_every_bucket_is_encrypted_private_and_tls_only(synthesized: Synthesized) -> None:
    for template in (synthesized.pipeline, synthesized.api):
        buckets = {
            logical_id: resource["Properties"]
            for logical_id, resource in template["Resources"].items()
            if resource["Type"] == "AWS::S3::Bucket"
        }
        assert buckets
        policies = {
            p["Bucket"]["Ref"]: p["PolicyDocument"]["Statement"]
            for p in resources(template, "AWS::S3::BucketPolicy")
        }
        for logical_id, bucket in buckets.items():
            encryption = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
            assert encryption[0]["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
            assert bucket["PublicAccessBlockConfiguration"] == {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            }
            assert "AccessControl" not in bucket
            assert any(
                s["Effect"] == "Deny"
                and s["Principal"] == {"AWS": "*"}
                and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
                for s in policies[logical_id]
            ), f"{logical_id} does not deny plain HTTP"


def test_buckets_log_access_and_keep_what_they_should(dev: Synthesized) -> None:
    buckets = {
        render(b["BucketName"]).split("-$")[0]: b
        for b in resources(dev.pipeline, "AWS::S3::Bucket")
    }
    logs = "stock-analytics-dev-s3-access-logs"
    assert set(buckets) == {
        "stock-analytics-dev-raw",
        "stock-analytics-dev-curated",
        "stock-analytics-dev-athena-results",
        logs,
    }
    for name, bucket in buckets.items():
        if name != logs:
            assert bucket["LoggingConfiguration"]["DestinationBucketName"] == {
                "Ref": next(
                    k
                    for k, r in dev.pipeline["Resources"].items()
                    if r["Type"] == "AWS::S3::Bucket"
                    and render(r["Properties"]["BucketName"]).startswith(logs)
                )
            }
    assert buckets["stock-analytics-dev-raw"]["VersioningConfiguration"] == {"Status": "Enabled"}
    assert "VersioningConfiguration" not in buckets["stock-analytics-dev-curated"]
    expiry = [
        rule["ExpirationInDays"]
        for rule in buckets["stock-analytics-dev-athena-results"]["LifecycleConfiguration"]["Rules"]
        if "ExpirationInDays" in rule
    ]
    assert expiry == [dev.config.pipeline.results_expiry_days]
    assert buckets["stock-analytics-dev-raw"]["NotificationConfiguration"] == {
        "EventBridgeConfiguration": {"EventBridgeEnabled": True}
    }
