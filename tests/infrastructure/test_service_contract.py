"""The task definition and the API agree: every setting the stack sets is one the API
reads, the values it renders make valid Settings when read from the environment as the
container reads them, the port and health path match, and the health check needs no key."""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from graphql_api.config import Settings
from graphql_api.main import create_app
from graphql_api.service_contract import (
    CONTAINER_PORT,
    GRAPHQL_PATH,
    HEALTH_PATH,
    SETTINGS_PREFIX,
)
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


def _deployed_settings(synth: Synthesized, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings as the container reads them: from its environment, as the stack renders it."""
    for name in list(os.environ):
        if name.startswith(SETTINGS_PREFIX):
            monkeypatch.delenv(name)
    for variable in _container(synth)["Environment"]:
        monkeypatch.setenv(variable["Name"], _as_deployed(str(render(variable["Value"]))))
    # The secret's value arrives at run time; a generated key stands in for it.
    monkeypatch.setenv("STOCK_ANALYTICS_API_KEYS", "generated-key")
    return Settings(_env_file=None)  # type: ignore[call-arg]


def test_the_rendered_values_build_valid_settings(
    synthesized: Synthesized, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _deployed_settings(synthesized, monkeypatch)
    assert settings.engine == "athena"
    assert settings.warehouse.startswith("s3://")
    assert settings.require_api_key is (synthesized.config.name == "prod")
    assert [key.get_secret_value() for key in settings.api_keys] == ["generated-key"]


class _UnqueriedEngine:
    """The health check names the engine and asks it nothing (Athena is not reachable here)."""

    name = "athena"


@asynccontextmanager
async def _unqueried_engine(settings: Settings) -> AsyncIterator[Any]:
    yield _UnqueriedEngine()


async def test_the_load_balancers_health_check_passes_without_a_key(
    synthesized: Synthesized, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The target group asks HEALTH_PATH with no API key, and wants a 200, also where the
    stack's settings require a key for everything else."""
    settings = _deployed_settings(synthesized, monkeypatch)
    app = create_app(settings, engine_opener=_unqueried_engine)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://api") as client,
    ):
        assert (await client.get(HEALTH_PATH)).status_code == 200
        if settings.require_api_key:
            query = await client.get(GRAPHQL_PATH, params={"query": "{ __typename }"})
            assert query.status_code == 401


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
