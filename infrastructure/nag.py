"""cdk-nag's AwsSolutions pack, and how this app acknowledges a finding."""

from __future__ import annotations

from aws_cdk import Acknowledgment, App, Validations
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct


def add_nag_checks(app: App) -> None:
    """Check every stack of `app` at synth; an unacknowledged finding fails synth."""
    Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))


def acknowledge(scope: IConstruct, rule: str, reason: str) -> None:
    """Acknowledge one finding on `scope` (and below it), for a stated reason.

    `rule` is a rule id (``AwsSolutions-S1``) or one finding of a rule
    (``AwsSolutions-IAM5[Resource::*]``).
    """
    Validations.of(scope).acknowledge(Acknowledgment(id=rule, reason=reason))
