"""The Athena bytes estimate (graphql_api/engines/athena_scan.py) and the refusal of a
statement over the workgroup's cutoff before StartQueryExecution (moto records every
execution, so "none started" is checked on the server's side)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from etl.tables import TRADING_DAYS_PER_YEAR
from graphql_api.engines.athena import open_athena_engine
from graphql_api.engines.athena_scan import estimated_scan_bytes
from graphql_api.engines.base import QueryTooCostly
from graphql_api.main import create_app
from graphql_api.services import market, rankings, stocks
from graphql_api.services.arguments import DateRange
from tests.graphql_api.engines.moto_athena import (
    VERSION,
    athena_settings,
    moto_executions,
    put_pointer,
    queue_result,
    summary,
)
from tests.graphql_api.support import app_client

pytestmark = pytest.mark.usefixtures("aws_credentials")

SIZES: dict[str, Any] = {
    "daily_metrics": {"bytes": 600, "years": {"2019": 100, "2020": 200, "2021": 300}},
    "market_daily": {"bytes": 60, "years": {"2019": 10, "2020": 20, "2021": 30}},
    "ticker_stats": {"bytes": 7},
    "thirty_day_leaders": {"bytes": 3},
    "runs": {"bytes": 1},
}
SPAN_2020 = DateRange(date(2020, 1, 1), date(2020, 12, 31))
SPAN_2020_2021 = DateRange(date(2020, 6, 1), date(2021, 3, 31))


@pytest.mark.parametrize(
    ("statement", "parameters", "expected"),
    [
        (stocks.ALL_STOCKS, (), 7),
        (stocks.PRICES_IN_RANGE, (*SPAN_2020.parameters, ("AAA",)), 200),
        (stocks.PRICES_IN_RANGE, (*SPAN_2020_2021.parameters, ("AAA",)), 500),
        (stocks.STATS_IN_RANGE, (TRADING_DAYS_PER_YEAR, *SPAN_2020.parameters), 200),
        (rankings.MOST_VOLATILE_IN_RANGE, (TRADING_DAYS_PER_YEAR, *SPAN_2020_2021.parameters), 500),
        (rankings.TOP_THIRTY_DAY_RETURNS, (), 600),  # no range: every year
        (rankings.TOP_THIRTY_DAY_RETURNS_OF_LEADERS, (), 3),
        (market.AVERAGE_DAILY_RETURN, SPAN_2020.parameters, 20),
        (market.MOST_VALUABLE_DAY, (), 60),
    ],
)
def test_the_estimate_sums_the_partitions_a_statement_reads(
    statement: str, parameters: tuple[Any, ...], expected: int
) -> None:
    assert estimated_scan_bytes(statement, parameters, SIZES) == expected


def test_a_table_without_recorded_sizes_makes_the_estimate_unknown() -> None:
    assert estimated_scan_bytes(stocks.ALL_STOCKS, (), {}) is None
    assert estimated_scan_bytes("SELECT 1 AS n", (), SIZES) == 0  # reads no table


PRICES = 'stock(ticker: "AAA") { prices(from: "2020-01-01", to: "2021-12-31") { close } }'


def sized_pointer(endpoint: str) -> None:
    put_pointer(endpoint, replace(summary(VERSION), extra={"table_bytes": SIZES}))


async def test_a_statement_over_the_cutoff_is_refused_before_it_starts(moto: str) -> None:
    sized_pointer(moto)
    queue_result(moto, [("n", "integer")], [["1"]])
    settings = athena_settings(moto, athena_bytes_scanned_cutoff=499)
    async with open_athena_engine(settings) as engine:
        with pytest.raises(QueryTooCostly) as refused:
            await engine.fetch(
                stocks.PRICES_IN_RANGE, (*SPAN_2020_2021.parameters, ("AAA",)), version=VERSION
            )
        assert moto_executions(moto) == []  # no StartQueryExecution
        assert refused.value.extensions == {"bytesEstimated": 500, "bytesCutoff": 499}
        assert str(refused.value) == (
            "The query would scan about 500 bytes, over the limit of 499 bytes per query: "
            "ask for a shorter range"
        )
        # Under the cutoff, the statement runs.
        await engine.fetch(market.AVERAGE_DAILY_RETURN, SPAN_2020.parameters, version=VERSION)
    assert len(moto_executions(moto)) == 1


async def test_without_a_cutoff_nothing_is_refused(moto: str) -> None:
    sized_pointer(moto)
    queue_result(moto, [("n", "integer")], [["1"]])
    async with open_athena_engine(athena_settings(moto)) as engine:
        await engine.fetch(
            stocks.PRICES_IN_RANGE, (*SPAN_2020_2021.parameters, ("AAA",)), version=VERSION
        )
    assert len(moto_executions(moto)) == 1


async def test_the_app_answers_the_refusal_as_query_too_costly(moto: str) -> None:
    sized_pointer(moto)
    columns = [("ticker", "varchar"), ("first_date", "date"), ("last_date", "date")]
    columns += [("trading_days", "integer"), ("average_traded_value", "double")]
    columns += [("annualized_volatility", "double")]
    queue_result(moto, columns, [["AAA", "2013-01-02", "2023-09-21", "2700", "1.5", "0.2"]])
    settings = athena_settings(moto, athena_bytes_scanned_cutoff=400)
    async with app_client(create_app(settings)) as client:
        response = await client.post("/graphql", json={"query": f"{{ {PRICES} }}"})
    body = response.json()
    [error] = body["errors"]
    assert error["extensions"] == {
        "code": "QUERY_TOO_COSTLY",
        "bytesEstimated": 500,
        "bytesCutoff": 400,
    }
    assert error["path"] == ["stock", "prices"]
    # Only ticker_stats ran (7 bytes): the prices statement never started.
    [execution] = moto_executions(moto)
    assert "ticker_stats" in execution["Query"]
    assert "daily_metrics" not in execution["Query"]
