"""The WAF web ACL in front of the API's CloudFront distribution (scope CLOUDFRONT).

Rules, in the order WAF evaluates them:

1. `BlockMetrics`: `/metrics` (Prometheus) is for operators, not the internet; it is
   answered 404 at the edge. The path is URL-decoded and normalized first, so `/%6detrics`
   or `//metrics` is caught too; `/metrics/most-volatile` and the other REST paths are not.
2. `RateLimitPerIp`: more than `rate_limit_per_5_minutes` requests from one IP in any five
   minutes is answered 429 in the API's own error shape (code RATE_LIMITED). This is the
   service-wide limit; each task keeps its in-process limiter as its own guard.
3. AWS managed rule groups: the IP reputation list, the common rule set, known bad inputs.
   The common rule set's two size rules only count: `SizeRestrictions_BODY` blocks bodies
   over 8 KB, but a GraphQL POST may carry up to the API's `max_body_bytes` (64 KB), which
   the API enforces itself (413); `SizeRestrictions_QUERYSTRING` blocks query strings over
   2 KB, but a GraphQL GET carries the whole query in the query string (CloudFront allows
   8 KB URLs). Counting keeps both visible in the metrics.
"""

from __future__ import annotations

import json

from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from graphql_api.errors import ErrorCode

METRICS_PATH = "/metrics"
RATE_LIMIT_WINDOW_SECONDS = 300
RATE_LIMITED_BODY = "RateLimited"
NOT_FOUND_BODY = "NotFound"
"""The API answers an unknown path 404 with code BAD_USER_INPUT; the edge says the same."""
COUNTED_COMMON_RULES = ("SizeRestrictions_BODY", "SizeRestrictions_QUERYSTRING")
MANAGED_RULE_GROUPS = (
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
)


class EdgeWebAcl(Construct):
    """A CLOUDFRONT web ACL (create it in us-east-1); `arn` goes on the distribution."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name: str,
        rate_limit_per_5_minutes: int,
    ) -> None:
        super().__init__(scope, construct_id)
        rules = [
            _block_metrics(priority=0, metric=f"{name}-metrics-path"),
            _rate_limit(priority=1, limit=rate_limit_per_5_minutes, metric=f"{name}-rate"),
            *(
                _managed(group, priority=10 + index, metric=f"{name}-{group}")
                for index, group in enumerate(MANAGED_RULE_GROUPS)
            ),
        ]
        self.web_acl = wafv2.CfnWebACL(
            self,
            "Resource",
            name=name,
            scope="CLOUDFRONT",
            description="Stock analytics API edge: IP reputation, common exploits, known bad "
            "inputs, a per-IP rate limit, /metrics kept private",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=_visibility(name),
            custom_response_bodies={
                RATE_LIMITED_BODY: _json_body(
                    ErrorCode.RATE_LIMITED, "Too many requests from this address: slow down."
                ),
                NOT_FOUND_BODY: _json_body(ErrorCode.BAD_USER_INPUT, "Not found."),
            },
            rules=rules,
        )
        self.arn = self.web_acl.attr_arn


def _json_body(code: str, message: str) -> wafv2.CfnWebACL.CustomResponseBodyProperty:
    return wafv2.CfnWebACL.CustomResponseBodyProperty(
        content_type="APPLICATION_JSON",
        content=json.dumps({"errors": [{"message": message, "extensions": {"code": code}}]}),
    )


def _visibility(metric: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=True
    )


def _block_metrics(*, priority: int, metric: str) -> wafv2.CfnWebACL.RuleProperty:
    return wafv2.CfnWebACL.RuleProperty(
        name="BlockMetrics",
        priority=priority,
        action=wafv2.CfnWebACL.RuleActionProperty(
            block=wafv2.CfnWebACL.BlockActionProperty(
                custom_response=wafv2.CfnWebACL.CustomResponseProperty(
                    response_code=404, custom_response_body_key=NOT_FOUND_BODY
                )
            )
        ),
        statement=wafv2.CfnWebACL.StatementProperty(
            byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
                field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(uri_path={}),
                positional_constraint="EXACTLY",
                search_string=METRICS_PATH,
                text_transformations=[
                    wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="URL_DECODE"),
                    wafv2.CfnWebACL.TextTransformationProperty(priority=1, type="NORMALIZE_PATH"),
                ],
            )
        ),
        visibility_config=_visibility(metric),
    )


def _rate_limit(*, priority: int, limit: int, metric: str) -> wafv2.CfnWebACL.RuleProperty:
    return wafv2.CfnWebACL.RuleProperty(
        name="RateLimitPerIp",
        priority=priority,
        action=wafv2.CfnWebACL.RuleActionProperty(
            block=wafv2.CfnWebACL.BlockActionProperty(
                custom_response=wafv2.CfnWebACL.CustomResponseProperty(
                    response_code=429,
                    custom_response_body_key=RATE_LIMITED_BODY,
                    response_headers=[
                        wafv2.CfnWebACL.CustomHTTPHeaderProperty(
                            name="Retry-After", value=str(RATE_LIMIT_WINDOW_SECONDS // 5)
                        )
                    ],
                )
            )
        ),
        statement=wafv2.CfnWebACL.StatementProperty(
            rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                aggregate_key_type="IP",
                limit=limit,
                evaluation_window_sec=RATE_LIMIT_WINDOW_SECONDS,
            )
        ),
        visibility_config=_visibility(metric),
    )


def _managed(group: str, *, priority: int, metric: str) -> wafv2.CfnWebACL.RuleProperty:
    overrides = (
        [
            wafv2.CfnWebACL.RuleActionOverrideProperty(
                name=rule, action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={})
            )
            for rule in COUNTED_COMMON_RULES
        ]
        if group == "AWSManagedRulesCommonRuleSet"
        else None
    )
    return wafv2.CfnWebACL.RuleProperty(
        name=group,
        priority=priority,
        override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
        statement=wafv2.CfnWebACL.StatementProperty(
            managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                vendor_name="AWS", name=group, rule_action_overrides=overrides
            )
        ),
        visibility_config=_visibility(metric),
    )
