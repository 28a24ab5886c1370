"""CloudFront in front of the API's load balancer: one behaviour, cached by the origin's word.

The cache key is everything an answer varies on: the whole query string (a GraphQL GET
carries `query`, `variables`, `operationName` and `extensions` there), and the request
headers the API names in `Vary` (`Accept`, `X-Dataset-Version`) plus the two that carry
an API key (`X-API-Key`, `Authorization`). Headers in the key are forwarded to the origin
too. Where keys are required, the API answers `Cache-Control: private` and CloudFront
shares nothing; elsewhere a key in the key just keeps callers apart.

TTLs: minimum 0 and default 0, so the origin's `Cache-Control` decides alone (no header:
not cached), and a maximum of a year, because an answer pinned to a dataset version never
changes. POST passes through uncached (all methods allowed, GET and HEAD cached). No
cookies are forwarded: CloudFront only does conditional requests (`If-None-Match` against
the origin's ETag) when none are. CloudFront compresses (gzip, brotli) what the origin
sends uncompressed; it then weakens the origin's strong ETag (`W/"…"`), so the origin must
compare `If-None-Match` weakly, as RFC 9110 says.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from constructs import Construct

from graphql_api.service_contract import VIEWER_ADDRESS_HEADER
from infrastructure.config import EdgeConfig
from infrastructure.nag import acknowledge

CACHE_KEY_HEADERS = ("Accept", "X-Dataset-Version", "X-API-Key", "Authorization")
ORIGIN_ONLY_HEADERS = (VIEWER_ADDRESS_HEADER,)
"""Sent to the origin, not in the key: the viewer's own address and port (the load balancer
sees CloudFront's), for the API to key its per-address limits on."""
MAX_TTL = Duration.days(365)
ORIGIN_READ_TIMEOUT = Duration.seconds(60)
"""CloudFront's longest origin response timeout without a quota increase; the API's own
request budget is 60 s."""
ORIGIN_KEEPALIVE = Duration.seconds(60)
"""Below the load balancer's idle timeout (65 s), so CloudFront never reuses a connection the
load balancer has closed."""
LOG_PREFIX = "cloudfront/"
PRICE_CLASSES = {
    "PriceClass_100": cloudfront.PriceClass.PRICE_CLASS_100,
    "PriceClass_200": cloudfront.PriceClass.PRICE_CLASS_200,
    "PriceClass_All": cloudfront.PriceClass.PRICE_CLASS_ALL,
}


class ApiDistribution(Construct):
    """The distribution, its cache and origin request policies, and its standard logs."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name: str,
        edge: EdgeConfig,
        origin_domain: str,
        origin_https: bool,
        origin_headers: dict[str, str],
        web_acl_arn: str,
        log_bucket: s3.IBucket,
    ) -> None:
        super().__init__(scope, construct_id)
        self.cache_policy = cloudfront.CachePolicy(
            self,
            "CachePolicy",
            cache_policy_name=f"{name}-graphql",
            comment="GraphQL over HTTP: the query string and the Vary headers; the origin's "
            "Cache-Control decides",
            min_ttl=Duration.seconds(0),
            default_ttl=Duration.seconds(0),
            max_ttl=MAX_TTL,
            query_string_behavior=cloudfront.CacheQueryStringBehavior.all(),
            header_behavior=cloudfront.CacheHeaderBehavior.allow_list(*CACHE_KEY_HEADERS),
            cookie_behavior=cloudfront.CacheCookieBehavior.none(),
            enable_accept_encoding_gzip=True,
            enable_accept_encoding_brotli=True,
        )
        self.origin_request_policy = cloudfront.OriginRequestPolicy(
            self,
            "OriginRequestPolicy",
            origin_request_policy_name=f"{name}-graphql",
            comment="The viewer's address for the API; the cache key's headers and query "
            "strings are forwarded anyway",
            header_behavior=cloudfront.OriginRequestHeaderBehavior.allow_list(*ORIGIN_ONLY_HEADERS),
            query_string_behavior=cloudfront.OriginRequestQueryStringBehavior.none(),
            cookie_behavior=cloudfront.OriginRequestCookieBehavior.none(),
        )
        origin = origins.HttpOrigin(
            origin_domain,
            protocol_policy=(
                cloudfront.OriginProtocolPolicy.HTTPS_ONLY
                if origin_https
                else cloudfront.OriginProtocolPolicy.HTTP_ONLY
            ),
            origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
            custom_headers=origin_headers,
            read_timeout=ORIGIN_READ_TIMEOUT,
            keepalive_timeout=ORIGIN_KEEPALIVE,
        )
        https = edge.https
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment=f"{name}: the GraphQL API",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origin,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                cached_methods=cloudfront.CachedMethods.CACHE_GET_HEAD,
                cache_policy=self.cache_policy,
                origin_request_policy=self.origin_request_policy,
                compress=True,
            ),
            price_class=PRICE_CLASSES[edge.price_class],
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            enable_ipv6=True,
            web_acl_id=web_acl_arn,
            log_bucket=log_bucket,
            log_file_prefix=LOG_PREFIX,
            domain_names=[https.domain_name] if https else None,
            certificate=(
                acm.Certificate.from_certificate_arn(self, "Certificate", https.certificate_arn)
                if https
                else None
            ),
            minimum_protocol_version=(
                cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 if https else None
            ),
        )
        self.domain_name = (
            https.domain_name if https else self.distribution.distribution_domain_name
        )
        self._acknowledge_findings(custom_certificate=https is not None, origin_https=origin_https)

    def _acknowledge_findings(self, *, custom_certificate: bool, origin_https: bool) -> None:
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR1",
            "The API serves clients anywhere; abuse is handled by the WAF web ACL (IP "
            "reputation, per-IP rate limit), not by country.",
        )
        if not custom_certificate:
            acknowledge(
                self.distribution,
                "AwsSolutions-CFR4",
                "Without a custom domain the distribution serves CloudFront's default "
                "*.cloudfront.net certificate, whose security policy AWS fixes (TLSv1); give "
                "edge_certificate_arn and edge_domain_name to get TLSv1.2_2021.",
            )
        if not origin_https:
            acknowledge(
                self.distribution,
                "AwsSolutions-CFR5",
                "Only where the load balancer has no certificate (dev): CloudFront reaches it "
                "over HTTP, and viewers still reach CloudFront over HTTPS only.",
            )
