"""CloudFront and WAF in front of the API (on in prod, off in dev unless `-c edge=true`),
and the origin lock: asserted on the synthesized templates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import lint  # type: ignore[import-untyped]

from graphql_api.service_contract import VIEWER_ADDRESS_HEADER
from infrastructure.config import environment_config
from tests.infrastructure.cfn import only, render, resources
from tests.infrastructure.synth import (
    TEST_CERTIFICATE_ARN,
    TEST_DOMAIN,
    TEST_EDGE_CERTIFICATE_ARN,
    TEST_EDGE_DOMAIN,
    Synthesized,
    synthesize,
)

DISTRIBUTION = "AWS::CloudFront::Distribution"
WEB_ACL = "AWS::WAFv2::WebACL"
LISTENER = "AWS::ElasticLoadBalancingV2::Listener"
LISTENER_RULE = "AWS::ElasticLoadBalancingV2::ListenerRule"
ABROAD = "eu-west-1"


@pytest.fixture(scope="module")
def prod_abroad(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """prod outside us-east-1, with a custom domain on the distribution."""
    config = environment_config(
        "prod",
        region=ABROAD,
        certificate_arn=TEST_CERTIFICATE_ARN.replace("us-east-1", ABROAD),
        domain_name=TEST_DOMAIN,
        edge_certificate_arn=TEST_EDGE_CERTIFICATE_ARN,
        edge_domain_name=TEST_EDGE_DOMAIN,
    )
    return synthesize(config, tmp_path_factory.mktemp("cdk-prod-abroad"))


@pytest.fixture(params=["prod", "dev_edge"])
def edged(request: pytest.FixtureRequest) -> Synthesized:
    """Each configuration with the edge on."""
    result: Synthesized = request.getfixturevalue(request.param)
    return result


def _distribution(synth: Synthesized) -> dict[str, Any]:
    config: dict[str, Any] = only(synth.api, DISTRIBUTION)["DistributionConfig"]
    return config


def _logical_id(template: dict[str, Any], resource_type: str, prefix: str = "") -> str:
    (found,) = [
        k
        for k, r in template["Resources"].items()
        if r["Type"] == resource_type and k.startswith(prefix)
    ]
    return found


def _origin_secret_reference(synth: Synthesized) -> str:
    secret = _logical_id(synth.api, "AWS::SecretsManager::Secret", "OriginVerifySecret")
    return "{{resolve:secretsmanager:${" + secret + "}:SecretString:::}}"


def _stack_region(synth: Synthesized, stack: str) -> str:
    manifest = json.loads((synth.outdir / "manifest.json").read_text())
    return str(manifest["artifacts"][stack]["environment"]).rsplit("/", 1)[1]


def test_on_in_prod_off_in_dev_and_on_in_dev_with_the_flag(
    dev: Synthesized, prod: Synthesized, dev_edge: Synthesized
) -> None:
    assert dev.config.edge is None
    assert dev.edge is None
    assert resources(dev.api, DISTRIBUTION) == []
    assert resources(dev.api, LISTENER_RULE) == []
    (listener,) = resources(dev.api, LISTENER)
    assert [a["Type"] for a in listener["DefaultActions"]] == ["forward"]
    for synth in (prod, dev_edge):
        assert synth.config.edge is not None
        assert synth.edge is not None
        assert len(resources(synth.edge, WEB_ACL)) == 1
        assert len(resources(synth.api, DISTRIBUTION)) == 1
        assert _stack_region(synth, synth.names.edge) == "us-east-1"


def test_the_distribution_fronts_the_load_balancer(edged: Synthesized) -> None:
    config = _distribution(edged)
    (origin,) = config["Origins"]
    custom = origin["CustomOriginConfig"]
    if edged.config.api.https:
        # The load balancer's own name, which its certificate covers.
        assert origin["DomainName"] == TEST_DOMAIN
        assert custom["OriginProtocolPolicy"] == "https-only"
    else:
        alb = _logical_id(edged.api, "AWS::ElasticLoadBalancingV2::LoadBalancer")
        assert origin["DomainName"] == {"Fn::GetAtt": [alb, "DNSName"]}
        assert custom["OriginProtocolPolicy"] == "http-only"
    assert custom["OriginSSLProtocols"] == ["TLSv1.2"]
    assert custom["OriginReadTimeout"] == 60
    assert custom["OriginKeepaliveTimeout"] < 65  # the load balancer's idle timeout
    (header,) = origin["OriginCustomHeaders"]
    assert header["HeaderName"] == "X-Origin-Verify"
    assert render(header["HeaderValue"]) == _origin_secret_reference(edged)

    behavior = config["DefaultCacheBehavior"]
    assert "CacheBehaviors" not in config
    assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behavior["Compress"] is True
    assert set(behavior["AllowedMethods"]) == {
        "GET",
        "HEAD",
        "OPTIONS",
        "PUT",
        "PATCH",
        "POST",
        "DELETE",
    }
    assert behavior["CachedMethods"] == ["GET", "HEAD"]
    assert config["HttpVersion"] == "http2and3"
    assert config["PriceClass"] == "PriceClass_100"
    assert config["Enabled"] is True


def test_the_cache_key_is_the_query_string_and_the_vary_headers(edged: Synthesized) -> None:
    behavior = _distribution(edged)["DefaultCacheBehavior"]
    assert behavior["CachePolicyId"] == {
        "Ref": _logical_id(edged.api, "AWS::CloudFront::CachePolicy")
    }
    policy = only(edged.api, "AWS::CloudFront::CachePolicy")["CachePolicyConfig"]
    assert (policy["MinTTL"], policy["DefaultTTL"], policy["MaxTTL"]) == (0, 0, 365 * 86400)
    key = policy["ParametersInCacheKeyAndForwardedToOrigin"]
    assert key["QueryStringsConfig"] == {"QueryStringBehavior": "all"}
    assert key["HeadersConfig"]["HeaderBehavior"] == "whitelist"
    assert set(key["HeadersConfig"]["Headers"]) == {
        "Accept",
        "X-Dataset-Version",
        "X-API-Key",
        "Authorization",
    }
    # No cookies: CloudFront does conditional requests (If-None-Match) only without them.
    assert key["CookiesConfig"] == {"CookieBehavior": "none"}
    assert key["EnableAcceptEncodingGzip"] is True
    assert key["EnableAcceptEncodingBrotli"] is True

    origin_policy = only(edged.api, "AWS::CloudFront::OriginRequestPolicy")
    assert behavior["OriginRequestPolicyId"] == {
        "Ref": _logical_id(edged.api, "AWS::CloudFront::OriginRequestPolicy")
    }
    forwarded = origin_policy["OriginRequestPolicyConfig"]
    assert forwarded["HeadersConfig"] == {
        "HeaderBehavior": "whitelist",
        "Headers": ["CloudFront-Viewer-Address"],
    }
    assert forwarded["CookiesConfig"] == {"CookieBehavior": "none"}


def test_standard_logs_go_to_a_bucket_with_acls_enabled(edged: Synthesized) -> None:
    logging = _distribution(edged)["Logging"]
    bucket_id = _logical_id(edged.api, "AWS::S3::Bucket", "CdnLogs")
    assert logging == {
        "Bucket": {"Fn::GetAtt": [bucket_id, "RegionalDomainName"]},
        "Prefix": "cloudfront/",
    }
    bucket = edged.api["Resources"][bucket_id]["Properties"]
    assert bucket["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]}
    assert bucket["PublicAccessBlockConfiguration"]["BlockPublicAcls"] is True
    assert bucket["LoggingConfiguration"]["DestinationBucketName"] == {
        "Ref": _logical_id(edged.api, "AWS::S3::Bucket", "AccessLogs")
    }
    assert render(bucket["BucketName"]).startswith(f"stock-analytics-{edged.config.name}-cdn-logs-")


def test_the_default_certificate_without_a_custom_domain(edged: Synthesized) -> None:
    config = _distribution(edged)
    assert "ViewerCertificate" not in config  # CloudFront's *.cloudfront.net certificate
    assert "Aliases" not in config
    url = render(edged.api["Outputs"]["GraphqlUrl"]["Value"])
    distribution = _logical_id(edged.api, DISTRIBUTION)
    assert url == "https://${" + distribution + ".DomainName}/graphql"


def test_the_web_acl_is_the_distributions(edged: Synthesized) -> None:
    assert edged.edge is not None
    acl_id = _logical_id(edged.edge, WEB_ACL)
    (export,) = [
        o["Export"]["Name"]
        for o in edged.edge["Outputs"].values()
        if o.get("Value") == {"Fn::GetAtt": [acl_id, "Arn"]} and "Export" in o
    ]
    assert _distribution(edged)["WebACLId"] == {"Fn::ImportValue": export}


def test_web_acl_rules(edged: Synthesized) -> None:
    assert edged.edge is not None
    assert edged.config.edge is not None
    acl = only(edged.edge, WEB_ACL)
    assert acl["Scope"] == "CLOUDFRONT"
    assert acl["DefaultAction"] == {"Allow": {}}
    assert acl["VisibilityConfig"]["CloudWatchMetricsEnabled"] is True
    rules = {rule["Name"]: rule for rule in acl["Rules"]}
    assert [r["Name"] for r in sorted(acl["Rules"], key=lambda r: r["Priority"])] == [
        "BlockMetrics",
        "RateLimitPerIp",
        "AWSManagedRulesAmazonIpReputationList",
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
    ]
    for rule in acl["Rules"]:
        assert rule["VisibilityConfig"]["CloudWatchMetricsEnabled"] is True

    rate = rules["RateLimitPerIp"]
    assert rate["Statement"]["RateBasedStatement"] == {
        "AggregateKeyType": "IP",
        "Limit": edged.config.edge.rate_limit_per_5_minutes,
        "EvaluationWindowSec": 300,
    }
    response = rate["Action"]["Block"]["CustomResponse"]
    assert response["ResponseCode"] == 429
    body = json.loads(acl["CustomResponseBodies"][response["CustomResponseBodyKey"]]["Content"])
    assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"

    metrics = rules["BlockMetrics"]
    match = metrics["Statement"]["ByteMatchStatement"]
    assert (match["SearchString"], match["PositionalConstraint"]) == ("/metrics", "EXACTLY")
    assert match["FieldToMatch"] == {"UriPath": {}}
    assert [t["Type"] for t in match["TextTransformations"]] == ["URL_DECODE", "NORMALIZE_PATH"]
    assert metrics["Action"]["Block"]["CustomResponse"]["ResponseCode"] == 404

    for name in (
        "AWSManagedRulesAmazonIpReputationList",
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
    ):
        statement = rules[name]["Statement"]["ManagedRuleGroupStatement"]
        assert (statement["VendorName"], statement["Name"]) == ("AWS", name)
        assert rules[name]["OverrideAction"] == {"None": {}}
    common = rules["AWSManagedRulesCommonRuleSet"]["Statement"]["ManagedRuleGroupStatement"]
    # The API takes bodies up to 64 KB and GraphQL GETs carry the query in the URL: the
    # two size rules count instead of blocking.
    assert common["RuleActionOverrides"] == [
        {"Name": "SizeRestrictions_BODY", "ActionToUse": {"Count": {}}},
        {"Name": "SizeRestrictions_QUERYSTRING", "ActionToUse": {"Count": {}}},
    ]


def test_the_load_balancer_forwards_only_requests_from_cloudfront(edged: Synthesized) -> None:
    (listener,) = resources(edged.api, LISTENER)
    (default,) = listener["DefaultActions"]
    assert default["Type"] == "fixed-response"
    assert default["FixedResponseConfig"]["StatusCode"] == "403"
    (rule,) = resources(edged.api, LISTENER_RULE)
    assert rule["ListenerArn"] == {"Ref": _logical_id(edged.api, LISTENER)}
    assert rule["Priority"] == 1
    (condition,) = rule["Conditions"]
    assert condition["Field"] == "http-header"
    assert condition["HttpHeaderConfig"]["HttpHeaderName"] == "X-Origin-Verify"
    assert render(condition["HttpHeaderConfig"]["Values"]) == [_origin_secret_reference(edged)]
    target_group = _logical_id(edged.api, "AWS::ElasticLoadBalancingV2::TargetGroup")
    assert rule["Actions"] == [{"TargetGroupArn": {"Ref": target_group}, "Type": "forward"}]
    secret = edged.api["Resources"][_logical_id(edged.api, "AWS::SecretsManager::Secret", "Origin")]
    assert "SecretString" not in secret["Properties"]
    assert secret["Properties"]["GenerateSecretString"] == {
        "ExcludePunctuation": True,
        "PasswordLength": 48,
    }
    # The load balancer's security group opens only the listener's port.
    (group,) = [
        g for g in resources(edged.api, "AWS::EC2::SecurityGroup") if "ELB" in g["GroupDescription"]
    ]
    assert [rule["FromPort"] for rule in group["SecurityGroupIngress"]] == [listener["Port"]]


def test_outside_us_east_1_the_web_acl_stays_there(prod_abroad: Synthesized) -> None:
    names = prod_abroad.names
    assert _stack_region(prod_abroad, names.api) == ABROAD
    assert _stack_region(prod_abroad, names.edge) == "us-east-1"
    assert prod_abroad.edge is not None
    assert len(resources(prod_abroad.edge, WEB_ACL)) == 1
    web_acl_id = _distribution(prod_abroad)["WebACLId"]
    (reader,) = [
        k
        for k, r in prod_abroad.api["Resources"].items()
        if r["Type"] == "Custom::CrossRegionExportReader"
    ]
    assert web_acl_id["Fn::GetAtt"][0] == reader
    # cdk-nag ran on all three stacks (synth would have failed); cfn-lint is clean too.
    report = prod_abroad.validation_report
    assert report is not None
    assert [v for plugin in report["pluginReports"] for v in plugin["violations"]] == []
    for stack, region in ((names.api, ABROAD), (names.edge, "us-east-1")):
        template = Path(prod_abroad.outdir / f"{stack}.template.json").read_text()
        errors = [m for m in lint(template, regions=[region]) if m.rule.id.startswith("E")]
        assert errors == [], stack


def test_a_custom_domain_gets_its_certificate_and_tls_1_2(prod_abroad: Synthesized) -> None:
    config = _distribution(prod_abroad)
    assert config["Aliases"] == [TEST_EDGE_DOMAIN]
    assert config["ViewerCertificate"] == {
        "AcmCertificateArn": TEST_EDGE_CERTIFICATE_ARN,
        "MinimumProtocolVersion": "TLSv1.2_2021",
        "SslSupportMethod": "sni-only",
    }
    (origin,) = config["Origins"]
    assert origin["DomainName"] == TEST_DOMAIN
    url = prod_abroad.api["Outputs"]["GraphqlUrl"]["Value"]
    assert url == f"https://{TEST_EDGE_DOMAIN}/graphql"


def test_the_api_counts_limits_per_viewer_only_behind_the_edge(
    dev: Synthesized, edged: Synthesized
) -> None:
    def settings(synth: Synthesized) -> dict[str, Any]:
        (container,) = only(synth.api, "AWS::ECS::TaskDefinition")["ContainerDefinitions"]
        return {e["Name"]: e["Value"] for e in container["Environment"]}

    assert settings(edged)["STOCK_ANALYTICS_CLIENT_ADDRESS_HEADER"] == VIEWER_ADDRESS_HEADER
    assert "STOCK_ANALYTICS_CLIENT_ADDRESS_HEADER" not in settings(dev)
