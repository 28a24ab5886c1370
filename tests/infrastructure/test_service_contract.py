"""The task definition and the API agree: every setting the stack sets is one the API
reads, the values it renders make valid Settings, and the port and health path match."""

from __future__ import annotations

import re
from typing import Any

from graphql_api.config import Settings
from graphql_api.service_contract import CONTAINER_PORT, HEALTH_PATH, SETTINGS_PREFIX
from infrastructure.paths import DOCKERFILE, REPO_ROOT
from tests.infrastructure.cfn import only, render
from tests.infrastructure.synth import Synthesized

PLACEHOLDERS = {
    "${AWS::Region}": "us-east-1",
    "${AWS::AccountId}": "123456789012",
    "${AWS::URLSuffix}": "amazonaws.com",
}


def _container(synth: Synthesized) -> dict[str, Any]:
    (container,) = only(synth.api, "AWS::ECS::TaskDefinition")["ContainerDefinitions"]
    return container


def _as_deployed(value: str) -> str:
    """A rendered value with its CloudFormation references replaced by plausible text."""
    for reference, text in PLACEHOLDERS.items():
        value = value.replace(reference, text)
    return re.sub(r"\$\{[^}]+\}", "resolved", value)


def test_every_setting_the_stack_sets_is_a_field_of_settings(synthesized: Synthesized) -> None:
    container = _container(synthesized)
    names = [e["Name"] for e in container["Environment"]] + [
        s["Name"] for s in container.get("Secrets", [])
    ]
    ours = [name for name in names if name.startswith(SETTINGS_PREFIX)]
    assert "STOCK_ANALYTICS_API_KEYS" in ours
    fields = {name.removeprefix(SETTINGS_PREFIX).lower() for name in ours}
    assert fields <= set(Settings.model_fields), fields - set(Settings.model_fields)


def test_the_rendered_values_build_valid_settings(synthesized: Synthesized) -> None:
    container = _container(synthesized)
    environment = {
        e["Name"]: _as_deployed(str(render(e["Value"]))) for e in container["Environment"]
    }
    # The secret's value arrives at run time; a generated key stands in for it.
    environment["STOCK_ANALYTICS_API_KEYS"] = "generated-key"
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        **{
            name.removeprefix(SETTINGS_PREFIX).lower(): value
            for name, value in environment.items()
            if name.startswith(SETTINGS_PREFIX)
        },
    )
    assert settings.engine == "athena"
    assert settings.warehouse.startswith("s3://")
    assert settings.require_api_key is (synthesized.config.name == "prod")


def test_port_and_health_path_are_the_apis(synthesized: Synthesized) -> None:
    assert _container(synthesized)["PortMappings"][0]["ContainerPort"] == CONTAINER_PORT
    (target_group,) = [
        r["Properties"]
        for r in synthesized.api["Resources"].values()
        if r["Type"] == "AWS::ElasticLoadBalancingV2::TargetGroup"
    ]
    assert target_group["HealthCheckPath"] == HEALTH_PATH
    dockerfile = (REPO_ROOT / DOCKERFILE).read_text()
    assert f"EXPOSE {CONTAINER_PORT}\n" in dockerfile
    assert f'"--port", "{CONTAINER_PORT}"' in dockerfile
    assert f"127.0.0.1:{CONTAINER_PORT}{HEALTH_PATH}" in dockerfile
