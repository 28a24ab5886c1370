"""cdk-nag's AwsSolutions pack: no unacknowledged finding, every acknowledgment explained."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_s3 as s3

from infrastructure.nag import add_nag_checks
from infrastructure.paths import REPO_ROOT
from tests.infrastructure.synth import Synthesized

DEPLOY_DOC = REPO_ROOT / "docs" / "deploy.md"
MIN_REASON_LENGTH = 60
CDK_OWN_PREFIX = "CloudFormation-Validate::"
"""aws-cdk-lib acknowledges some findings of its own template validation itself."""


def _ours(synth: Synthesized) -> list[tuple[str, str, str]]:
    return [
        (path, rule, reason)
        for path, rules in synth.acknowledgments.items()
        for rule, reason in rules.items()
        if not rule.startswith(CDK_OWN_PREFIX)
    ]


def test_app_synthesizes_with_zero_unacknowledged_findings(synthesized: Synthesized) -> None:
    # A finding fails synth itself (the fixture would raise); the report is clean too.
    report = synthesized.validation_report
    assert report is not None
    violations = [v for plugin in report["pluginReports"] for v in plugin["violations"]]
    assert violations == []


def test_every_acknowledgment_names_a_specific_reason(synthesized: Synthesized) -> None:
    reasons = _ours(synthesized)
    assert reasons, "expected the acknowledgments this app documents"
    for path, rule, reason in reasons:
        assert rule.startswith("AwsSolutions-"), (path, rule)
        assert len(reason) >= MIN_REASON_LENGTH, (path, rule, reason)
    rules_by_reason: dict[str, set[str]] = {}
    for _, rule, reason in reasons:
        rules_by_reason.setdefault(reason, set()).add(rule)
    blanket = {reason: rules for reason, rules in rules_by_reason.items() if len(rules) > 1}
    assert blanket == {}, "one reason word for word for different findings"


def test_every_acknowledged_rule_is_listed_in_the_deploy_doc(synthesized: Synthesized) -> None:
    doc = DEPLOY_DOC.read_text()
    for _, rule, _ in _ours(synthesized):
        base = rule.split("[", 1)[0]
        assert re.search(rf"\b{re.escape(base)}\b", doc), f"{base} is not in {DEPLOY_DOC}"


def test_a_finding_fails_synth(tmp_path: Path) -> None:
    """The same wiring on a non-compliant bucket: synth must refuse it."""
    app = App(outdir=str(tmp_path))
    s3.Bucket(Stack(app, "Careless"), "OpenBucket")
    add_nag_checks(app)
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    rules = {v["ruleName"] for plugin in report["pluginReports"] for v in plugin["violations"]}
    assert {"AwsSolutions-S1", "AwsSolutions-S10"} <= rules
