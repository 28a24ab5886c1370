"""The fake Athena's SQL stand-in (testsupport/fake_athena.py), through the real Athena
engine over HTTP, against the DuckDB engine over the same warehouse."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path

import pytest

from etl.tables import DATASET_MANIFEST
from graphql_api.engines.athena import open_athena_engine
from graphql_api.engines.base import QueryFailed, SqlValue
from graphql_api.engines.factory import open_engine
from graphql_api.services import market, stocks
from graphql_api.services.arguments import DateRange
from tests.graphql_api.engines.moto_athena import athena_settings
from tests.graphql_api.support import settings_for
from tests.graphql_api.tiny_warehouse import (
    OLD_VERSION,
    TINY_VERSION,
    old_tiny_days,
    tiny_days,
    write_warehouse,
)
from testsupport.fake_athena import FakeAthena, WarehouseSql, athena_endpoint, with_parameters
from testsupport.moto_server import fake_aws_credentials

JANUARY = DateRange(date(2020, 1, 1), date(2020, 1, 31))
STATEMENTS: list[tuple[str, tuple[SqlValue, ...]]] = [
    (market.MOST_VALUABLE_DAY, ()),
    (market.AVERAGE_DAILY_RETURN, JANUARY.parameters),
    (stocks.ALL_STOCKS, ()),
    (stocks.PRICES_IN_RANGE, (*JANUARY.parameters, ("AAA", "BBB"))),
]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("warehouse")
    write_warehouse(root, old_tiny_days(), version=OLD_VERSION)
    return write_warehouse(root, tiny_days(), version=TINY_VERSION)


@pytest.fixture
def fake(warehouse: Path) -> Iterator[tuple[FakeAthena, str]]:
    athena = FakeAthena(
        WarehouseSql(warehouse), pointer=(warehouse / DATASET_MANIFEST).read_bytes()
    )
    with fake_aws_credentials(), athena_endpoint(athena) as endpoint:
        yield athena, endpoint


def test_parameters_go_where_the_placeholders_stand() -> None:
    statement = "SELECT '?' AS q FROM t WHERE a = ? AND contains(?, b)"
    filled = with_parameters(statement, ["DATE '2020-01-02'", "ARRAY['O''NEIL']"])
    assert (
        filled
        == "SELECT '?' AS q FROM t WHERE a = DATE '2020-01-02' AND contains(ARRAY['O''NEIL'], b)"
    )


@pytest.mark.parametrize("version", [TINY_VERSION, OLD_VERSION])
async def test_the_athena_engine_on_the_fake_answers_as_duckdb_does(
    fake: tuple[FakeAthena, str], warehouse: Path, version: str
) -> None:
    athena, endpoint = fake
    answers: dict[str, list[Sequence[object]]] = {}
    for settings in (athena_settings(endpoint), settings_for(warehouse)):
        async with open_engine(settings) as engine:
            assert (await engine.pointer()).current == TINY_VERSION
            answers[engine.name] = [
                await engine.fetch(statement, parameters, version=version)
                for statement, parameters in STATEMENTS
            ]
    assert all(answers["duckdb"])
    assert answers["athena"] == answers["duckdb"]
    assert athena.calls["StartQueryExecution"] == len(STATEMENTS)


async def test_results_are_paged_and_failures_carry_duckdbs_reason(
    fake: tuple[FakeAthena, str],
) -> None:
    athena, endpoint = fake
    async with open_athena_engine(athena_settings(endpoint)) as engine:
        rows = await engine.fetch(
            "SELECT x FROM UNNEST(SEQUENCE(1, 2500)) AS t(x) ORDER BY x", version=TINY_VERSION
        )
        with pytest.raises(QueryFailed, match="no_such_column"):
            await engine.fetch("SELECT no_such_column FROM ticker_stats", version=TINY_VERSION)
    assert rows == [{"x": n} for n in range(1, 2501)]
    assert athena.calls["GetQueryResults"] == 3  # 1000 rows a page, the header on the first
