"""Synthesize the app once per configuration, and read what came out."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_cdk import App, Validations
from aws_cdk.assertions import Template

from infrastructure.assembly import StackNames, add_stacks
from infrastructure.config import EnvironmentConfig
from infrastructure.paths import REPO_ROOT

CDK_JSON = REPO_ROOT / "cdk.json"
TEST_CERTIFICATE_ARN = (
    "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
)
TEST_DOMAIN = "api.stocks.example.com"
TEST_ALARM_EMAIL = "oncall@stocks.example.com"
TEST_EDGE_CERTIFICATE_ARN = (
    "arn:aws:acm:us-east-1:123456789012:certificate/9f8e7d6c-5b4a-3210-fedc-ba9876543210"
)
TEST_EDGE_DOMAIN = "graphql.stocks.example.com"


@dataclass(frozen=True)
class Synthesized:
    config: EnvironmentConfig
    outdir: Path
    pipeline: dict[str, Any]
    api: dict[str, Any]
    edge: dict[str, Any] | None
    """The edge stack's template, where the environment has CloudFront and WAF."""
    acknowledgments: dict[str, dict[str, str]]
    """construct path -> {rule id: reason}, as recorded in the construct tree."""

    @property
    def names(self) -> StackNames:
        return StackNames.of(self.config.name)

    def template(self, stack: str) -> Template:
        templates = {"pipeline": self.pipeline, "api": self.api, "edge": self.edge}
        template = templates[stack]
        assert template is not None, f"no {stack} stack in {self.config.name}"
        return Template.from_json(template)

    @property
    def validation_report(self) -> dict[str, Any] | None:
        path = self.outdir / "validation-report.json"
        return json.loads(path.read_text()) if path.exists() else None


def synthesize(config: EnvironmentConfig, outdir: Path) -> Synthesized:
    """What `cdk synth` does: cdk.json's context, the stacks, cdk-nag, then synth."""
    context = json.loads(CDK_JSON.read_text()).get("context", {})
    app = App(outdir=str(outdir), context=context)
    add_stacks(app, config)
    assembly = app.synth()
    names = StackNames.of(config.name)
    return Synthesized(
        config=config,
        outdir=outdir,
        pipeline=assembly.get_stack_by_name(names.pipeline).template,
        api=assembly.get_stack_by_name(names.api).template,
        edge=assembly.get_stack_by_name(names.edge).template if config.edge else None,
        acknowledgments=_acknowledgments(app),
    )


def _acknowledgments(app: App) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for construct in app.node.find_all():
        for entry in construct.node.metadata:
            if entry.type == Validations.ACKNOWLEDGED_RULES_METADATA_KEY:
                rules = {
                    key.removeprefix("Annotation::"): str(reason)
                    for key, reason in dict(entry.data).items()
                }
                found.setdefault(construct.node.path, {}).update(rules)
    return found
