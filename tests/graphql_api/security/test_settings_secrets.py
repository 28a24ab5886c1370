"""A refused setting is named, never echoed: STOCK_ANALYTICS_API_KEYS holds secrets, and
`stock-analytics serve` says what is wrong in one line and exits non-zero."""

from __future__ import annotations

import os
import subprocess
import sys
import traceback
from pathlib import Path

import pytest
from pydantic import ValidationError

from graphql_api.config import Settings

SECRET = "sekrit-7f3a9c"
MALFORMED_KEYS = [
    f'["{SECRET}", "other-{SECRET}"',  # a JSON list, unterminated
    f'[{{"key": "{SECRET}"}}',
    f'["{SECRET}"] trailing',
]


@pytest.mark.parametrize("value", MALFORMED_KEYS)
def test_malformed_keys_are_refused_without_echoing_them(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("STOCK_ANALYTICS_API_KEYS", value)
    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None)  # type: ignore[call-arg]
    printed = "".join(traceback.format_exception(refused.value))
    assert SECRET not in printed
    assert SECRET not in repr(refused.value)
    assert "api_keys" in printed
    assert "neither a JSON list of strings nor comma-separated" in printed


@pytest.mark.parametrize(
    ("environment", "named"),
    [
        ({"STOCK_ANALYTICS_API_KEYS": MALFORMED_KEYS[0]}, "STOCK_ANALYTICS_API_KEYS"),
        ({"STOCK_ANALYTICS_RATE_LIMIT_BURST": f"{SECRET}"}, "STOCK_ANALYTICS_RATE_LIMIT_BURST"),
        ({"STOCK_ANALYTICS_REQUIRE_API_KEY": "true"}, "STOCK_ANALYTICS_API_KEYS is empty"),
    ],
)
def test_serve_prints_one_line_and_exits_non_zero(
    tmp_path: Path, environment: dict[str, str], named: str
) -> None:
    command = Path(sys.executable).parent / "stock-analytics"
    done = subprocess.run(
        [str(command), "serve", "--warehouse", str(tmp_path), "--port", "1"],
        env={**os.environ, "STOCK_ANALYTICS_API_KEYS": "", **environment},
        cwd=tmp_path,  # no .env file
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("stock-analytics serve: invalid settings: ")
    assert named in lines[0]
    assert SECRET not in done.stderr
    assert "Traceback" not in done.stderr
