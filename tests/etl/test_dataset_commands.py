"""`stock-analytics versions` and `rollback` through the command line, local and on S3."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from etl.publication import read_pointer
from etl.storage import Storage, open_storage
from etl.tables import DATASET_MANIFEST
from stock_analytics.cli import _warehouse_is_stale, main
from tests.etl.cli import stock_analytics
from tests.etl.storages import put
from tests.etl.test_publication import run, summary, version


@pytest.fixture(params=["local", "s3"])
def warehouse(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, list[str]]:
    """A warehouse location with three published versions (keep 2), and the CLI options
    that reach it."""
    if request.param == "local":
        location, options = str(tmp_path / "wh"), []
    else:
        endpoint: str = request.getfixturevalue("moto_endpoint")
        location, options = request.getfixturevalue("s3_warehouse"), ["--endpoint-url", endpoint]
    storage = open_storage(location, endpoint_url=options[1] if options else None)
    for index in range(3):
        run(storage, index, keep=2)
    return location, options


def _storage(warehouse: tuple[str, list[str]]) -> Storage:
    location, options = warehouse
    return open_storage(location, endpoint_url=options[1] if options else None)


def test_versions_lists_the_retained_versions_the_current_one_marked(
    warehouse: tuple[str, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    location, options = warehouse
    assert main(["versions", "--warehouse", location, "--json", *options]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(v["version"], v["current"], v["rows"]) for v in listed] == [
        (version(2), True, summary(2).rows),
        (version(1), False, summary(1).rows),
    ]
    assert listed[0]["finished_at"] == "2026-11-30T14:00:00Z"
    assert listed[0]["published_at"] == "2026-11-30T14:01:00Z"

    assert main(["versions", "--warehouse", location, *options]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith(f"* {version(2)} ")
    assert lines[2].startswith(f"  {version(1)} ")
    assert "dropped, files kept until their grace period is over:" in lines
    assert lines[-1].startswith(f"  {version(0)}  dropped at 2026-11-30T14:01:00Z")


def test_rollback_makes_a_retained_version_current_and_refuses_an_unknown_one(
    warehouse: tuple[str, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    location, options = warehouse
    assert main(["rollback", "--warehouse", location, "--to", version(1), *options]) == 0
    assert f"current version {version(1)} (was {version(2)})" in capsys.readouterr().out
    pointer = read_pointer(_storage(warehouse)).pointer
    assert pointer is not None
    assert (pointer.current, [v.version for v in pointer.versions]) == (
        version(1),
        [version(2), version(1)],
    )

    before = _storage(warehouse).read(DATASET_MANIFEST)
    assert main(["rollback", "--warehouse", location, "--to", version(0), *options]) == 2
    error = capsys.readouterr().err
    assert f"rollback refused: version {version(0)} is not retained" in error
    assert _storage(warehouse).read(DATASET_MANIFEST) == before

    assert main(["versions", "--warehouse", location, "--json", *options]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [v["version"] for v in listed if v["current"]] == [version(1)]


def test_versions_without_a_versioned_pointer_fails_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["versions", "--warehouse", str(tmp_path)]) == 2
    assert "holds no published dataset version" in capsys.readouterr().err
    (tmp_path / DATASET_MANIFEST).write_text('{"run_id": "20251101T000000Z-abcdef"}')
    assert main(["versions", "--warehouse", str(tmp_path)]) == 2
    assert "built by the ETL before versions" in capsys.readouterr().err


def test_rollback_on_s3_in_a_subprocess_honours_aws_endpoint_url(
    moto_endpoint: str, s3_warehouse: str
) -> None:
    storage = open_storage(s3_warehouse, endpoint_url=moto_endpoint)
    for index in range(2):
        run(storage, index, keep=5)
    done = stock_analytics(
        "rollback",
        "--warehouse",
        s3_warehouse,
        "--to",
        version(0),
        environment={"AWS_ENDPOINT_URL": moto_endpoint},
    )
    assert done.returncode == 0, done.stderr
    assert f"current version {version(0)} (was {version(1)})" in done.stdout
    assert read_pointer(storage).pointer.current == version(0)  # type: ignore[union-attr]


def test_demo_rebuilds_a_warehouse_without_a_versioned_pointer(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "prices.csv").write_text("date,open,high,low,close,volume,ticker\n")
    warehouse = tmp_path / "wh"
    assert _warehouse_is_stale(warehouse, data)
    put(open_storage(str(warehouse)), DATASET_MANIFEST, b'{"run_id": "20251101T000000Z-abcdef"}')
    assert _warehouse_is_stale(warehouse, data)
    (warehouse / DATASET_MANIFEST).unlink()
    run(open_storage(str(warehouse)), 0, keep=5)
    assert not _warehouse_is_stale(warehouse, data)
    os.utime(data / "prices.csv", (4e9, 4e9))
    assert _warehouse_is_stale(warehouse, data)
