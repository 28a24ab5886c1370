"""`stock-analytics verify`: the comparison rules, and the command against `stock-analytics
serve` on the sample warehouse: all answers match; a deliberately wrong expected answer, a
version the API does not serve, a missing key and an unreachable API are each reported."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from etl.tables import DATASET_MANIFEST
from stock_analytics.cli import main
from stock_analytics.verify import difference, graphql_url
from testsupport.servers import Served, serving

CHECKS = (
    "mostValuableDay",
    "highestWorthStocks",
    "mostVolatile",
    "topThirtyDayReturns",
    "averageDailyReturn",
)
API_KEY = "k" * 40


@pytest.mark.parametrize(
    ("expected", "actual", "found"),
    [
        ([{"a": 1.0, "b": "x"}], [{"a": 1.0 + 1e-12, "b": "x"}], None),
        ({"a": 1.0}, {"a": 1.0 + 1e-8}, ": at a expected 1.0, got 1.00000001"),
        ([{"a": 1.0}, {"a": 2.0}], [{"a": 1.0}, {"a": 2.5}], ": at [1].a expected 2.0, got 2.5"),
        ({"n": 3}, {"n": 3.0}, ": at n expected 3, got 3.0"),
        (
            {"d": "2024-01-02"},
            {"d": "2024-01-03"},
            ': at d expected "2024-01-02", got "2024-01-03"',
        ),
        ([1, 2], [1], ": expected rows 2, got 1"),
        ({"a": 1}, {"a": 1, "b": 2}, ': expected fields ["a"], got ["a","b"]'),
        ({"a": 1}, None, ': expected {"a":1}, got null'),
        (None, None, None),
    ],
)
def test_floats_match_within_1e9_relative_and_everything_else_exactly(
    expected: Any, actual: Any, found: str | None
) -> None:
    assert difference(expected, actual) == found


def test_the_url_may_be_the_api_root_or_its_graphql_endpoint() -> None:
    assert graphql_url("https://api.example.com") == "https://api.example.com/graphql"
    assert graphql_url("https://api.example.com/") == "https://api.example.com/graphql"
    assert graphql_url("https://d1.cloudfront.net/graphql") == "https://d1.cloudfront.net/graphql"


@pytest.fixture(scope="module")
def served(sample_warehouse: Path) -> Iterator[Served]:
    with serving(sample_warehouse) as server:
        yield server


def pointer_copy(warehouse: Path, folder: Path, change: Any) -> Path:
    """A warehouse holding only a copy of `warehouse`'s pointer, changed by `change(document,
    current version summary)`: verify reads only the pointer from --warehouse."""
    document = json.loads((warehouse / DATASET_MANIFEST).read_text())
    [current] = [v for v in document["versions"] if v["version"] == document["current"]]
    change(document, current)
    folder.mkdir()
    (folder / DATASET_MANIFEST).write_text(json.dumps(document))
    return folder


def test_every_answer_of_the_served_sample_matches_the_etls(
    sample_warehouse: Path, served: Served
) -> None:
    # The real command line, in a process of its own: it must not need Spark.
    program = (
        "import sys; from stock_analytics.cli import main; code = main(sys.argv[1:]); "
        "print('pyspark loaded' if 'pyspark' in sys.modules else 'no pyspark'); sys.exit(code)"
    )
    arguments = ["verify", "--url", served.url, "--warehouse", str(sample_warehouse)]
    done = subprocess.run(
        [sys.executable, "-c", program, *arguments], capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 0, done.stdout + done.stderr
    version = json.loads((sample_warehouse / DATASET_MANIFEST).read_text())["current"]
    assert done.stdout.splitlines() == [
        f"verifying {served.url}/graphql against {sample_warehouse}, version {version}",
        "ok   dataset",
        *(f"ok   {name}" for name in CHECKS),
        "all 6 checks match",
        "no pyspark",
    ]


def test_a_wrong_expected_answer_is_a_difference_naming_the_check(
    sample_warehouse: Path, served: Served, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def make_wrong(_document: dict[str, Any], current: dict[str, Any]) -> None:
        second = current["headline"]["highestWorthStocks"]["expected"][1]
        second["averageTradedValue"] *= 1 + 1e-6

    wrong = pointer_copy(sample_warehouse, tmp_path / "wrong", make_wrong)

    assert main(["verify", "--url", served.url, "--warehouse", str(wrong)]) == 1
    lines = capsys.readouterr().out.splitlines()
    [diff] = [line for line in lines if line.startswith("DIFF")]
    assert diff.startswith("DIFF highestWorthStocks: at [1].averageTradedValue expected ")
    assert [line for line in lines if line.startswith("ok")] == [
        f"ok   {name}" for name in ("dataset", *CHECKS) if name != "highestWorthStocks"
    ]
    assert lines[-1] == "1 of 6 checks differ"


def test_a_version_the_api_does_not_serve_is_a_difference_and_stops(
    sample_warehouse: Path, served: Served, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = "20200101T000000Z-abcdef"

    def rename(document: dict[str, Any], current: dict[str, Any]) -> None:
        document["current"] = current["version"] = other

    elsewhere = pointer_copy(sample_warehouse, tmp_path / "elsewhere", rename)

    assert main(["verify", "--url", served.url, "--warehouse", str(elsewhere)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith(
        f"DIFF dataset: the API answered an error: dataset version {other} is not a retained"
    )
    assert lines[2:] == [
        f"the API does not serve version {other} (does it serve {elsewhere}?): "
        "the other checks were skipped"
    ]


def test_a_version_without_headline_answers_cannot_be_verified(
    sample_warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = pointer_copy(sample_warehouse, tmp_path / "old", lambda _d, v: v.pop("headline"))

    assert main(["verify", "--url", "http://127.0.0.1:9", "--warehouse", str(old)]) == 2
    assert "records no headline answers" in capsys.readouterr().err


def test_an_unreachable_api_cannot_be_verified(
    sample_warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as bound:  # bound, never listening: connections are refused
        bound.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{bound.getsockname()[1]}"
        assert main(["verify", "--url", url, "--warehouse", str(sample_warehouse)]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"stock-analytics verify: cannot reach {url}/graphql: ")
    assert error.count("\n") == 1


def test_an_api_that_requires_a_key_is_verified_with_it(
    sample_warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = {"STOCK_ANALYTICS_REQUIRE_API_KEY": "true", "STOCK_ANALYTICS_API_KEYS": API_KEY}
    with serving(sample_warehouse, **keys) as server:
        arguments = ["verify", "--url", server.url, "--warehouse", str(sample_warehouse)]
        assert main(arguments) == 2
        refused = capsys.readouterr().err
        assert main([*arguments, "--api-key", API_KEY]) == 0
    assert "refused the request (401" in refused
    assert "pass a valid key with --api-key" in refused
    assert capsys.readouterr().out.splitlines()[-1] == "all 6 checks match"
