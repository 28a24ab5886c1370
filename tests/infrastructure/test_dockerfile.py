"""The API image's Dockerfile: multi-stage, slim, non-root, health-checked, API deps only."""

from __future__ import annotations

import re
import tomllib

from infrastructure.paths import DOCKERFILE, REPO_ROOT

FORBIDDEN_IN_IMAGE = ("pyspark", "aws-cdk", "cdk-nag", "constructs")


def _instructions() -> list[tuple[str, str]]:
    text = (REPO_ROOT / DOCKERFILE).read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
        for line in lines
        if line and not line.startswith("#")
    ]


def _final_stage() -> list[tuple[str, str]]:
    instructions = _instructions()
    last_from = max(i for i, (op, _) in enumerate(instructions) if op == "FROM")
    return instructions[last_from:]


def test_multi_stage_on_slim_python_311() -> None:
    bases = [arg for op, arg in _instructions() if op == "FROM"]
    assert len(bases) == 2
    assert all(base.startswith("python:3.11-slim") for base in bases)
    copies = [arg for op, arg in _final_stage() if op == "COPY"]
    assert copies == ["--from=builder /opt/venv /opt/venv"]


def test_runs_as_a_non_root_user_with_a_health_check() -> None:
    final = _final_stage()
    users = [arg for op, arg in final if op == "USER"]
    assert users
    assert users[-1].split(":")[0] not in {"root", "0"}
    (healthcheck,) = [arg for op, arg in final if op == "HEALTHCHECK"]
    assert "http://127.0.0.1:8000/health" in healthcheck
    (command,) = [arg for op, arg in final if op == "CMD"]
    assert command.startswith('["stock-analytics", "serve", "--engine", "athena"')
    assert '"--port", "8000"' in command


def test_installs_only_the_api_group_which_has_no_spark_or_cdk() -> None:
    runs = " ".join(arg for op, arg in _instructions() if op == "RUN")
    assert re.search(r"pip install '\.\[api\]'", runs)
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    api = pyproject["project"]["optional-dependencies"]["api"]
    names = {re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower() for requirement in api}
    assert names
    assert names.isdisjoint(FORBIDDEN_IN_IMAGE)
    assert pyproject["project"]["dependencies"] == []


def test_dockerignore_keeps_the_context_small() -> None:
    patterns = [
        line.strip()
        for line in (REPO_ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert patterns[0] == "*", "exclude everything, then re-include what the image needs"
    included = {p.removeprefix("!").rstrip("/") for p in patterns if p.startswith("!")}
    assert included == {"pyproject.toml", "README.md", "stock_analytics", "graphql_api", "etl"}
