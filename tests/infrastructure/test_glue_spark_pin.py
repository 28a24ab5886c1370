"""The local pyspark is the Spark of the Glue version the stack deploys."""

from __future__ import annotations

import re
import sys
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


def test_local_python_is_the_python_of_the_deployed_glue(dev: Synthesized) -> None:
    deployed = only(dev.pipeline, "AWS::Glue::Job")["GlueVersion"]
    assert f"{sys.version_info.major}.{sys.version_info.minor}" == GLUE_PYTHON_VERSIONS[deployed]
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    assert pyproject["project"]["requires-python"] == f">={GLUE_PYTHON_VERSIONS[deployed]}"
