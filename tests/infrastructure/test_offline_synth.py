"""`app.py` synthesizes offline: no AWS credentials, and a docker that always fails.

The API image is only staged at synth (built by `cdk deploy`), so a broken
docker first on PATH must change nothing. The synth time is recorded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from infrastructure.assembly import StackNames
from infrastructure.paths import REPO_ROOT

ARTIFACTS = REPO_ROOT / "test-artifacts"
FAKE_DOCKER = """#!/bin/sh
echo "docker $*" >> "{log}"
echo "docker: no engine here" >&2
exit 1
"""


def offline_env(tmp_path: Path, context: dict[str, str]) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    docker = bin_dir / "docker"
    docker.write_text(FAKE_DOCKER.format(log=tmp_path / "docker-calls.log"))
    docker.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CDK_"))}
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        CDK_OUTDIR=str(tmp_path / "cdk.out"),
        CDK_CONTEXT_JSON=json.dumps(context),
        AWS_CONFIG_FILE=str(tmp_path / "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-aws-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        CDK_DISABLE_CLI_TELEMETRY="true",
    )
    return env


def _run_app(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "app.py"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.slow
def test_synth_needs_no_docker_engine_and_no_credentials(tmp_path: Path) -> None:
    env = offline_env(tmp_path, {"env": "dev"})
    assert subprocess.run(["docker", "info"], env=env, check=False).returncode == 1

    started = time.perf_counter()
    result = _run_app(env)
    seconds = time.perf_counter() - started

    assert result.returncode == 0, result.stderr[-3000:]
    out = tmp_path / "cdk.out"
    names = StackNames.of("dev")
    assert {p.name for p in out.glob("*.template.json")} == {
        "StockAnalyticsDevDataPipelineStack.template.json",
        "StockAnalyticsDevApiStack.template.json",
    }
    # The probe above is the only docker call: synth itself never ran docker.
    assert (tmp_path / "docker-calls.log").read_text().splitlines() == ["docker info"]
    manifest = json.loads((out / f"{names.api}.assets.json").read_text())
    (image,) = manifest["dockerImages"].values()
    assert image["source"]["platform"] == "linux/amd64"
    context = out / image["source"]["directory"]
    assert (context / "Dockerfile").read_bytes() == (REPO_ROOT / "Dockerfile").read_bytes()
    staged = {p.name for p in context.iterdir()}
    assert {"pyproject.toml", "graphql_api", "etl", "stock_analytics"} <= staged
    assert staged.isdisjoint({".venv", ".git", "tests", "data", "cdk.out", "infrastructure"})

    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "synth-seconds.txt").write_text(f"{seconds:.1f}\n")
    print(f"offline synth of both stacks (python app.py): {seconds:.1f} s")


@pytest.mark.slow
def test_prod_without_a_certificate_refuses_to_synth(tmp_path: Path) -> None:
    result = _run_app(offline_env(tmp_path, {"env": "prod"}))
    assert result.returncode != 0
    assert "serves HTTPS only" in result.stderr
    assert "-c certificate_arn=" in result.stderr
    assert not (tmp_path / "cdk.out" / "manifest.json").exists()
