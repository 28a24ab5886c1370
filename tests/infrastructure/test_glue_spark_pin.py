"""The local pyspark is the Spark of the Glue version the stack deploys."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import version

from infrastructure.constructs.etl_job import (
    GLUE_PYTHON_VERSIONS,
    GLUE_SPARK_VERSIONS,
    GLUE_VERSION,
)
from infrastructure.paths import REPO_ROOT
from tests.infrastructure.cfn import only
from tests.infrastructure.synth import Synthesized


def _pinned_pyspark() -> str:
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    pins = [
        match.group(1)
        for requirement in pyproject["project"]["optional-dependencies"]["etl"]
        if (match := re.fullmatch(r"pyspark==([\d.]+)", requirement.replace(" ", "")))
    ]
    assert len(pins) == 1, "the etl group must pin pyspark exactly (pyspark==X.Y.Z)"
    return pins[0]


def test_pinned_and_installed_pyspark_match_the_deployed_glue(dev: Synthesized) -> None:
    deployed = only(dev.pipeline, "AWS::Glue::Job")["GlueVersion"]
    assert deployed == GLUE_VERSION
    glue_spark = GLUE_SPARK_VERSIONS[deployed]
    assert _pinned_pyspark() == glue_spark
    assert version("pyspark") == glue_spark


def test_the_project_targets_the_python_of_the_deployed_glue(dev: Synthesized) -> None:
    """The pins, not the interpreter running this test: a newer local Python is allowed, but
    the code is checked as the Glue job's Python reads it."""
    deployed = only(dev.pipeline, "AWS::Glue::Job")["GlueVersion"]
    glue_python = GLUE_PYTHON_VERSIONS[deployed]
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    assert pyproject["project"]["requires-python"] == f">={glue_python}"
    assert pyproject["tool"]["mypy"]["python_version"] == glue_python
    assert pyproject["tool"]["ruff"]["target-version"] == f"py{glue_python.replace('.', '')}"
