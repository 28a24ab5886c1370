"""The Dockerfile's build stage replayed in a virtualenv on this machine: the files its COPY
lines copy, its `pip install` command, its CMD."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from testsupport.paths import CACHE, REPO_ROOT

DOCKERFILE = REPO_ROOT / "Dockerfile"
INSTALL_TIMEOUT_SECONDS = 900


@dataclass(frozen=True)
class BuildStage:
    copied: list[str]
    """What the build stage copies from the build context, repository-relative."""
    install: str
    """Its RUN line: the shell command that installs into the image's virtualenv."""
    command: list[str]
    """The image's CMD."""


def build_stage(dockerfile: Path = DOCKERFILE) -> BuildStage:
    """The parts of the Dockerfile that decide what the image runs."""
    stages = re.split(r"^FROM ", dockerfile.read_text(), flags=re.M)[1:]
    builder = next(stage for stage in stages if " AS builder" in stage.splitlines()[0])
    copied = [
        source
        for line in builder.splitlines()
        if line.startswith("COPY ") and "--from" not in line
        for source in line.split()[1:-1]
    ]
    lines = builder.splitlines()
    [install] = [line.removeprefix("RUN ") for line in lines if "pip install" in line]
    [cmd] = [line for line in stages[-1].splitlines() if line.startswith("CMD ")]
    return BuildStage(copied, install, json.loads(cmd.removeprefix("CMD ")))


def served_command(command: list[str], venv: Path) -> list[str]:
    """The CMD run from `venv`, listening on 127.0.0.1 on a port it picks."""
    program, *arguments = command
    replaced = {"--host": "127.0.0.1", "--port": "0"}
    for index, argument in enumerate(arguments[:-1]):
        if argument in replaced:
            arguments[index + 1] = replaced[argument]
    return [str(venv / "bin" / program), *arguments]


def api_venv(stage: BuildStage, work: Path) -> Path:
    """A virtualenv with the build stage's install done in it, from a copy of what it copies.

    The virtualenv lives under .cache/, one per pyproject.toml and Dockerfile, so a second
    run only reinstalls the project itself (pip always reinstalls a local directory)."""
    key = hashlib.sha256(
        (REPO_ROOT / "pyproject.toml").read_bytes() + DOCKERFILE.read_bytes()
    ).hexdigest()[:16]
    venv = CACHE / "api-image-venv" / key
    if not (venv / "bin" / "python").exists():
        shutil.rmtree(venv.parent, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    source = work / "src"
    for name in stage.copied:
        origin = REPO_ROOT / name
        if origin.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
            shutil.copytree(origin, source / name, ignore=ignore)
        else:
            source.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, source / name)
    done = subprocess.run(
        ["sh", "-c", stage.install],
        cwd=source,
        env=venv_environment(venv, PIP_DISABLE_PIP_VERSION_CHECK="1"),
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT_SECONDS,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{stage.install} failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return venv


def venv_environment(venv: Path, **extra: str) -> dict[str, str]:
    """An environment in which `venv` is the only Python: no PYTHONPATH to the checkout."""
    return {
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', os.defpath)}",
        "HOME": os.environ.get("HOME", "/tmp"),
        "VIRTUAL_ENV": str(venv),
        **extra,
    }


def venv_python(venv: Path, program: str, *, cwd: Path) -> str:
    """Run `program` with the virtualenv's Python (outside the checkout); its output."""
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-c", program],
        cwd=cwd,
        env=venv_environment(venv),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"{shlex.quote(program)} failed: {done.stderr[-3000:]}")
    return done.stdout
