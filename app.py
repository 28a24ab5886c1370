#!/usr/bin/env python3
"""CDK entry point: `cdk synth|deploy --all [-c env=dev|prod]`.

Reads the environment name (and optionally the region, an alarm e-mail, for
HTTPS a certificate and domain, and `edge=true|false` for CloudFront and WAF, with
an optional `edge_certificate_arn` and `edge_domain_name`) from CDK context, builds
the typed config, and adds the stacks. Nothing else reads context. The stacks name
their region but not their account, so synth needs no AWS credentials and deploy
goes to the account of the credentials in use.
"""

from __future__ import annotations

import os

from aws_cdk import App

from infrastructure.assembly import add_stacks
from infrastructure.config import ConfigError, environment_config

_FLAGS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def main() -> None:
    app = App()
    config = environment_config(
        _context(app, "env") or "dev",
        region=_context(app, "region") or os.environ.get("CDK_DEFAULT_REGION"),
        certificate_arn=_context(app, "certificate_arn"),
        domain_name=_context(app, "domain_name"),
        alarm_email=_context(app, "alarm_email"),
        edge=_flag(app, "edge"),
        edge_certificate_arn=_context(app, "edge_certificate_arn"),
        edge_domain_name=_context(app, "edge_domain_name"),
    )
    add_stacks(app, config)
    app.synth()


def _context(app: App, key: str) -> str | None:
    value = app.node.try_get_context(key)
    return str(value) if value else None


def _flag(app: App, key: str) -> bool | None:
    value = app.node.try_get_context(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    flag = _FLAGS.get(str(value).lower())
    if flag is None:
        raise ConfigError(f"-c {key}={value!r}: use true or false")
    return flag


if __name__ == "__main__":
    main()
