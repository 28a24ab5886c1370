"""The edge stack: the API distribution's WAF web ACL, in us-east-1 wherever the API runs.

A web ACL of scope CLOUDFRONT can only be created in us-east-1. The distribution itself
lives in the API stack, beside the load balancer and the origin secret it must agree
with; it takes this web ACL's ARN. When the API is in us-east-1 too, that is an ordinary
stack export; elsewhere, a cross-region reference.
"""

from __future__ import annotations

from aws_cdk import CfnOutput, Environment, Stack
from constructs import Construct

from infrastructure.config import EDGE_REGION, EdgeConfig, EnvironmentConfig
from infrastructure.constructs.edge_web_acl import EdgeWebAcl


class EdgeStack(Stack):
    """The web ACL (CloudWatch metrics on, sampled requests kept), pinned to us-east-1."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        edge: EdgeConfig,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            env=Environment(region=EDGE_REGION),
            description=f"Stock analytics ({config.name}): WAF web ACL of the API's CloudFront",
        )
        self.web_acl = EdgeWebAcl(
            self,
            "WebAcl",
            name=f"{config.resource_prefix}-api-edge",
            rate_limit_per_5_minutes=edge.rate_limit_per_5_minutes,
        )
        CfnOutput(self, "WebAclArn", value=self.web_acl.arn)
