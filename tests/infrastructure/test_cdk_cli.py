"""`cdk synth` through the real CDK CLI: cdk.json's app command, context flags, offline.

The CLI (an npm package) is installed on first use into .cache/ (gitignored).
Without npm or the registry the test is skipped locally and fails under CI.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import NoReturn

import pytest

from infrastructure.assembly import StackNames
from infrastructure.paths import REPO_ROOT
from tests.infrastructure.synth import TEST_CERTIFICATE_ARN, TEST_DOMAIN
from tests.infrastructure.test_offline_synth import ARTIFACTS, offline_env

CDK_CLI_VERSION = "2.1148.1"
CLI_PREFIX = REPO_ROOT / ".cache" / "aws-cdk-cli"
CDK = CLI_PREFIX / "node_modules" / ".bin" / "cdk"


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"the CDK CLI is required under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def cdk_cli() -> Path:
    installed = CLI_PREFIX / "node_modules" / "aws-cdk" / "package.json"
    if installed.exists() and json.loads(installed.read_text())["version"] == CDK_CLI_VERSION:
        return CDK
    npm = shutil.which("npm")
    if npm is None:
        _unavailable("npm is not installed")
    result = subprocess.run(
        [
            npm,
            "install",
            "--prefix",
            str(CLI_PREFIX),
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            f"aws-cdk@{CDK_CLI_VERSION}",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0 or not CDK.exists():
        _unavailable(f"npm install aws-cdk@{CDK_CLI_VERSION} failed: {result.stderr[-500:]}")
    return CDK


@pytest.mark.slow
def test_cdk_synth_prod_offline_with_context_flags(cdk_cli: Path, tmp_path: Path) -> None:
    """Prod through the CLI: cdk.json's app, -c flags (dev synth is test_offline_synth's)."""
    context = {"env": "prod", "certificate_arn": TEST_CERTIFICATE_ARN, "domain_name": TEST_DOMAIN}
    env = offline_env(tmp_path, {})
    del env["CDK_CONTEXT_JSON"]
    flags = [arg for key, value in context.items() for arg in ("-c", f"{key}={value}")]
    out = tmp_path / "cdk.out"
    started = time.perf_counter()
    result = subprocess.run(
        [
            str(cdk_cli),
            "synth",
            *flags,
            "-o",
            str(out),
            "--quiet",
            "--no-notices",
            "--no-version-reporting",
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    seconds = time.perf_counter() - started
    assert result.returncode == 0, result.stderr[-3000:]
    assert not (tmp_path / "docker-calls.log").exists()
    names = StackNames.of(context["env"])
    api = json.loads((out / f"{names.api}.template.json").read_text())
    ports = {
        r["Properties"]["Port"]
        for r in api["Resources"].values()
        if r["Type"] == "AWS::ElasticLoadBalancingV2::Listener"
    }
    assert ports == {443}  # prod puts CloudFront in front: no plain-HTTP redirect listener
    assert (out / f"{names.edge}.template.json").exists()
    pipeline = json.loads((out / f"{names.pipeline}.template.json").read_text())
    (job,) = [r for r in pipeline["Resources"].values() if r["Type"] == "AWS::Glue::Job"]
    assert job["Properties"]["Name"] == f"stock-analytics-{context['env']}-build-warehouse"
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"cdk-synth-seconds-{context['env']}.txt").write_text(f"{seconds:.1f}\n")
    print(f"cdk synth -c env={context['env']} (CLI {CDK_CLI_VERSION}): {seconds:.1f} s")
