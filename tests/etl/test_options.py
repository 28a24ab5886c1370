"""Job options: argv locally, getResolvedOptions on Glue."""

from __future__ import annotations

import sys
import types

import pytest

from etl.options import JobOptions, parse_options


def test_local_options_from_argv() -> None:
    assert parse_options(["--input", "in", "--warehouse", "wh"]) == JobOptions("in", "wh")
    options = parse_options(["--input", "in", "--warehouse", "wh", "--shuffle-partitions", "8"])
    assert options.shuffle_partitions == 8


def test_local_options_are_checked(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse_options(["--input", "in"])
    assert "--warehouse" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        parse_options(["--input", "in", "--warehouse", "wh", "--shuffle-partitions", "0"])


def _fake_glue(monkeypatch: pytest.MonkeyPatch, calls: list[tuple[list[str], list[str]]]) -> None:
    """Stand in for awsglue.utils.getResolvedOptions, which only exists on Glue."""

    def get_resolved_options(argv: list[str], names: list[str]) -> dict[str, str]:
        calls.append((argv, names))
        pairs = dict(zip(argv[1::2], argv[2::2], strict=False))
        return {name: pairs[f"--{name}"] for name in names}

    package = types.ModuleType("awsglue")
    utils = types.ModuleType("awsglue.utils")
    utils.getResolvedOptions = get_resolved_options  # type: ignore[attr-defined]
    package.utils = utils  # type: ignore[attr-defined]
    package.__spec__ = types.SimpleNamespace(name="awsglue")  # type: ignore[assignment]
    monkeypatch.setitem(sys.modules, "awsglue", package)
    monkeypatch.setitem(sys.modules, "awsglue.utils", utils)


def test_glue_options_come_from_get_resolved_options(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[list[str], list[str]]] = []
    _fake_glue(monkeypatch, calls)
    argv = ["--JOB_NAME", "build", "--input", "s3://raw/in/", "--warehouse", "s3://cur/wh"]
    assert parse_options(argv) == JobOptions("s3://raw/in/", "s3://cur/wh")
    assert calls[-1][1] == ["input", "warehouse"]
    parse_options([*argv, "--shuffle_partitions", "16"])
    assert calls[-1][1] == ["input", "warehouse", "shuffle_partitions"]


def test_retention_and_grace_options(monkeypatch: pytest.MonkeyPatch) -> None:
    base = ["--input", "in", "--warehouse", "wh"]
    assert (parse_options(base).retained_versions, parse_options(base).grace_seconds) == (5, 600.0)
    local = parse_options([*base, "--retained-versions", "2", "--grace-seconds", "0.5"])
    assert (local.retained_versions, local.grace_seconds) == (2, 0.5)
    with pytest.raises(SystemExit):
        parse_options([*base, "--retained-versions", "0"])

    calls: list[tuple[list[str], list[str]]] = []
    _fake_glue(monkeypatch, calls)
    glue = ["--input", "s3://raw/in/", "--warehouse", "s3://cur/wh"]
    options = parse_options([*glue, "--retained_versions", "3", "--grace_seconds", "60"])
    assert (options.retained_versions, options.grace_seconds) == (3, 60.0)
    assert calls[-1][1] == ["input", "warehouse", "retained_versions", "grace_seconds"]
