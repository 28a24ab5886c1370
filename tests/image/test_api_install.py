"""The API image's install serves the Athena engine, without pyspark or aws_cdk.

The image itself cannot be built here: no container registry can be reached for its base
image (python:3.11-slim). So its build stage is replayed in a fresh virtualenv (reused
from .cache/ while pyproject.toml and the Dockerfile stay the same): the files its COPY
lines copy, its RUN line (`pip install '.[api]'`, only the API's dependencies), then its
CMD (`stock-analytics serve --engine athena`, on 127.0.0.1 and a free port) from that
virtualenv, with nothing of the checkout on its path.

The server reads the warehouse's pointer from moto's S3, where the warehouse is put, and
queries a fake Athena (testsupport/fake_athena.py): moto's Athena runs no SQL, while the
fake runs the statements the installed app sends (DuckDB after sqlglot) over the same
warehouse's files, so the answers are the installed code's own. They are checked against
the warehouse's days computed here in plain Python.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import boto3
import httpx
import pytest

from tests.graphql_api.tiny_warehouse import (
    OLD_VERSION,
    TINY_VERSION,
    Day,
    old_tiny_days,
    tiny_days,
    write_warehouse,
)
from tests.image.api_install import (
    api_venv,
    build_stage,
    served_command,
    venv_environment,
    venv_python,
)
from testsupport.fake_athena import FakeAthena, WarehouseSql, athena_endpoint
from testsupport.moto_server import FAKE_AWS_ENVIRONMENT, REGION, moto_server
from testsupport.paths import REPO_ROOT
from testsupport.servers import launched

pytestmark = [pytest.mark.install, pytest.mark.slow, pytest.mark.timeout(1800)]

BUCKET = "curated"
PREFIX = "warehouse"
LEFT_OUT = ("pyspark", "aws_cdk")
PRICES_FROM, PRICES_TO = date(2020, 1, 1), date(2020, 1, 31)
QUERY = f"""{{
  dataset {{ version stocks }}
  mostValuableDay {{ date averageTradedValue }}
  stock(ticker: "BBB") {{ prices(from: "{PRICES_FROM}", to: "{PRICES_TO}") {{ date close }} }}
}}"""


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return api_venv(build_stage(), tmp_path_factory.mktemp("image-build"))


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two versions: OLD_VERSION, then TINY_VERSION, current."""
    root = tmp_path_factory.mktemp("warehouse")
    write_warehouse(root, old_tiny_days(), version=OLD_VERSION)
    return write_warehouse(root, tiny_days(), version=TINY_VERSION)


@pytest.fixture(scope="module")
def served(venv: Path, warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The image's CMD from the virtualenv: S3 on moto, Athena on the fake."""
    with moto_server() as moto, athena_endpoint(FakeAthena(WarehouseSql(warehouse))) as athena:
        s3 = boto3.client("s3", endpoint_url=moto, region_name=REGION)
        s3.create_bucket(Bucket=BUCKET)
        for path in sorted(p for p in warehouse.rglob("*") if p.is_file()):
            key = f"{PREFIX}/{path.relative_to(warehouse).as_posix()}"
            s3.put_object(Bucket=BUCKET, Key=key, Body=path.read_bytes())
        # botocore's per-service endpoints: STOCK_ANALYTICS_AWS_ENDPOINT_URL stays unset, as
        # in the image, and each client finds its own endpoint.
        environment = venv_environment(
            venv,
            **FAKE_AWS_ENVIRONMENT,
            AWS_ENDPOINT_URL_S3=moto,
            AWS_ENDPOINT_URL_ATHENA=athena,
            STOCK_ANALYTICS_WAREHOUSE=f"s3://{BUCKET}/{PREFIX}",
            STOCK_ANALYTICS_ATHENA_OUTPUT="s3://athena-results/",
            STOCK_ANALYTICS_LOG_LEVEL="warning",
        )
        command = served_command(build_stage().command, venv)
        with launched(command, environment, cwd=tmp_path_factory.mktemp("home")) as server:
            yield server.url


def test_the_build_stage_installs_the_api_group_into_a_virtualenv() -> None:
    stage = build_stage()
    assert "pip install '.[api]'" in stage.install
    assert {"pyproject.toml", "graphql_api", "stock_analytics"} <= set(stage.copied)
    assert stage.command[:2] == ["stock-analytics", "serve"]
    assert stage.command[stage.command.index("--engine") + 1] == "athena"


def test_the_install_holds_neither_pyspark_nor_aws_cdk(venv: Path, tmp_path: Path) -> None:
    program = (
        "import importlib.util, sys, graphql_api, graphql_api.main, graphql_api.server, "
        "graphql_api.engines.athena, stock_analytics.cli; "
        "print(graphql_api.__file__); "
        f"print([m for m in {LEFT_OUT!r} if importlib.util.find_spec(m) is not None]); "
        f"print([m for m in {LEFT_OUT!r} if m in sys.modules])"
    )
    location, installed, imported = venv_python(venv, program, cwd=tmp_path).splitlines()
    assert installed == "[]"
    assert imported == "[]"
    package = Path(location).parent
    assert package.is_relative_to(venv)  # the installed copy, not the checkout
    stale = [
        str(source.relative_to(REPO_ROOT))
        for source in (REPO_ROOT / "graphql_api").rglob("*.py")
        if (package / source.relative_to(REPO_ROOT / "graphql_api")).read_bytes()
        != source.read_bytes()
    ]
    assert stale == []  # this checkout's code, even in a virtualenv kept from an earlier run


def test_the_installed_cmd_serves_health_and_a_query_from_athena(served: str) -> None:
    health = httpx.get(f"{served}/health", timeout=30)
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "engine": "athena"}

    current = httpx.post(f"{served}/graphql", json={"query": QUERY}, timeout=60)
    assert current.status_code == 200, current.text
    assert current.headers["x-dataset-version"] == TINY_VERSION
    assert current.json() == {"data": expected(TINY_VERSION, tiny_days())}

    pinned = httpx.post(
        f"{served}/graphql",
        json={"query": QUERY.replace('"BBB"', '"AAA"')},
        headers={"x-dataset-version": OLD_VERSION},
        timeout=60,
    )
    assert pinned.headers["x-dataset-version"] == OLD_VERSION
    assert pinned.json() == {"data": expected(OLD_VERSION, old_tiny_days(), ticker="AAA")}


def expected(version: str, days: list[Day], ticker: str = "BBB") -> dict[str, object]:
    """The query's answer, from the days the version was written from."""
    traded: dict[date, list[float]] = defaultdict(list)
    for day in days:
        traded[day.date].append(day.close * day.volume)
    averages = {when: statistics.fmean(values) for when, values in traded.items()}
    top = min(averages, key=lambda when: (-averages[when], when))  # the earliest of a tie
    prices = sorted(
        (d.date, d.close) for d in days if d.ticker == ticker and PRICES_FROM <= d.date <= PRICES_TO
    )
    return {
        "dataset": {"version": version, "stocks": len({d.ticker for d in days})},
        "mostValuableDay": {"date": str(top), "averageTradedValue": pytest.approx(averages[top])},
        "stock": {"prices": [{"date": str(when), "close": close} for when, close in prices]},
    }
